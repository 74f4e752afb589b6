/*
 * Data residency on Azure: the regions a resource's data is in, as Azure replicates it without being asked, checked
 * against the profile's `allowedRegions`.
 *
 * - A Key Vault's contents are replicated to the region's pair "within the same geography", except in Brazil South,
 *   West US 3 and regions without a pair (Qatar Central among them), which keep them in the region. Customers cannot
 *   turn this off, observe or configure it, so a vault is allowed only when its region and its pair both are.
 *   https://learn.microsoft.com/azure/key-vault/general/disaster-recovery-guidance
 * - A Managed HSM keeps its pool in its region (zone-redundant where the region has zones); multi-region replication is
 *   an opt-in that @cdktf/provider-azurerm 14.23.1 does not expose (no replica argument on
 *   azurerm_key_vault_managed_hardware_security_module), so it cannot be requested here.
 *   https://learn.microsoft.com/azure/key-vault/managed-hsm/multi-region-replication
 * - A GRS / RA-GRS storage account replicates to the region's pair; LRS keeps three copies in the region.
 *   https://learn.microsoft.com/azure/storage/common/storage-redundancy
 */
import { Token } from 'cdktf';
import type { IConstruct } from 'constructs';
import { ComplianceProfile } from '../../core/profile';
import { checkResidency, normalizeRegion } from '../../core/residency';
import { shown, ValidationError } from '../../core/validation';
import { geoRedundantRegions, vaultRegions } from '../region-pairs';

/** `regionsOf(location)` for a literal location; undefined for a token (known only at deployment). */
export function literalRegions(location: string | undefined, regionsOf: (l: string) => string[] | undefined): string[] | undefined {
  return location === undefined || Token.isUnresolved(location) ? undefined : regionsOf(location);
}

/** A literal location allowed by the profile (core `checkResidency`); returns it normalized. */
export function checkAzureLocation(profile: ComplianceProfile, prop: string, location: unknown, subject: string): string {
  const literal = typeof location === 'string' && !Token.isUnresolved(location) ? location : undefined;
  checkResidency(profile, `${prop} of ${subject}`, literal, `give a literal region, got ${shown(location)} (a token could name any region)`);
  return literal === undefined ? '' : normalizeRegion(literal);
}

/**
 * A Key Vault's region under the profile: the region and the pair Key Vault replicates to must both be allowed, since
 * the replication cannot be turned off. Nothing is checked without `allowedRegions`.
 */
export function checkVaultResidency(profile: ComplianceProfile, prop: string, location: unknown, subject: string): void {
  if (!profile.restrictsRegions) return;
  const l = checkAzureLocation(profile, prop, location, subject);
  const regions = vaultRegions(l);
  if (regions === undefined) {
    throw new ValidationError(`${prop} of ${subject}: the region pairs table does not know where Key Vault replicates a vault in ` +
      `'${location}', so residency under profile ${profile.name} cannot be shown; use a region it lists`);
  }
  const outside = regions.find((r) => !profile.allowsRegion(r));
  if (outside !== undefined) {
    throw new ValidationError(`${prop} of ${subject} cannot keep a Key Vault within profile ${profile.name}'s allowedRegions ` +
      `[${profile.allowedRegions.join(', ')}], got '${location}': Key Vault replicates the vault's contents to its paired region ${outside}, ` +
      `which customers cannot turn off; allow ${outside} too or choose another region`);
  }
}

/** The replication of an audit storage account: GRS unless the profile refuses the paired region, LRS then. */
export function auditStorageReplication(profile: ComplianceProfile, location: string): { type: string; regions: string[] | undefined } {
  const geo = Token.isUnresolved(location) ? undefined : geoRedundantRegions(location);
  if (!profile.restrictsRegions) return { type: 'GRS', regions: geo };
  if (geo && geo.every((r) => profile.allowsRegion(r))) return { type: 'GRS', regions: geo };
  return { type: 'LRS', regions: [normalizeRegion(location)] };
}

/**
 * A key's container (vault or Managed HSM) against the key's own profile: a key whose profile restricts regions may sit
 * only in a container whose every region (the vault's pair included) the profile allows.
 */
export function checkKeyResidency(profile: ComplianceProfile, container: string | undefined, regions: string[] | undefined, subject: string): void {
  if (!profile.restrictsRegions) return;
  if (regions === undefined) {
    throw new ValidationError(`keyLocation of ${subject}: the region of ${container ?? 'its container'} is not known at synthesis (a token or ` +
      `a region the pairs table does not list), and profile ${profile.name} allows only [${profile.allowedRegions.join(', ')}]`);
  }
  const outside = regions.find((r) => !profile.allowsRegion(r));
  if (outside !== undefined) {
    throw new ValidationError(`keyLocation of ${subject} must keep key material in profile ${profile.name}'s allowedRegions ` +
      `[${profile.allowedRegions.join(', ')}], got ${container}, which keeps it in ${regions.join(' and ')} (${outside} is outside)`);
  }
}

/**
 * A vault's or HSM's audit sink against the container's profile: the records name the keys and who used them, so they
 * stay where the profile allows, whatever the sink's own profile (`KeyAuditSink.regions`, its storage pair included).
 */
export function checkSinkResidency(profile: ComplianceProfile, sink: IConstruct | undefined, subject: string, prop = 'auditSink'): void {
  if (!profile.restrictsRegions || !sink) return;
  const regions = (sink as { regions?: string[] }).regions;
  const outside = regions?.find((r) => !profile.allowsRegion(r));
  if (regions === undefined || outside !== undefined) {
    throw new ValidationError(`${prop} of ${subject} must keep its records in profile ${profile.name}'s allowedRegions ` +
      `[${profile.allowedRegions.join(', ')}], got ${sink.node.path}, ${regions ? `which keeps them in ${regions.join(' and ')}` : 'whose regions are not known at synthesis'}`);
  }
}
