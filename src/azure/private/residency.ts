/*
 * Data residency on Azure: the regions a resource's data is in, as Azure replicates it without being asked, checked
 * against the profile's `allowedRegions`.
 *
 * - A Key Vault's contents are replicated to the region's pair "within the same geography", except in single-region
 *   geographies (Brazil South, Qatar Central, and regions without a pair), which keep them in the region. Customers cannot
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
import { ComplianceProfile } from '../../core/profile';
import { checkResidency, normalizeRegion } from '../../core/residency';
import { shown, ValidationError } from '../../core/validation';

/**
 * Azure region pairs (the secondary region a region's geo-replication goes to), from "Azure region pairs and nonpaired
 * regions". One-way pairs (West US 3 -> East US, Brazil South -> South Central US, West India -> South India) are
 * listed from the region that replicates.
 * @see https://learn.microsoft.com/azure/reliability/cross-region-replication-azure#azure-paired-regions
 */
export const AZURE_REGION_PAIRS: Readonly<Record<string, string>> = Object.freeze(pairs([
  ['australiacentral', 'australiacentral2'], ['australiaeast', 'australiasoutheast'], ['canadacentral', 'canadaeast'],
  ['chinanorth', 'chinaeast'], ['chinanorth2', 'chinaeast2'], ['chinanorth3', 'chinaeast3'],
  ['northeurope', 'westeurope'], ['francecentral', 'francesouth'], ['germanywestcentral', 'germanynorth'],
  ['centralindia', 'southindia'], ['japaneast', 'japanwest'], ['koreacentral', 'koreasouth'],
  ['eastus', 'westus'], ['eastus2', 'centralus'], ['northcentralus', 'southcentralus'], ['westus2', 'westcentralus'],
  ['norwayeast', 'norwaywest'], ['southafricanorth', 'southafricawest'], ['swedencentral', 'swedensouth'],
  ['switzerlandnorth', 'switzerlandwest'], ['uaenorth', 'uaecentral'], ['uksouth', 'ukwest'],
  ['eastasia', 'southeastasia'], ['usdodcentral', 'usdodeast'], ['usgovvirginia', 'usgovtexas'],
], { westus3: 'eastus', brazilsouth: 'southcentralus', westindia: 'southindia', brazilsoutheast: 'brazilsouth', usgovarizona: 'usgovtexas' }));

/**
 * Regions without a pair: data that would be geo-replicated stays in the region (zone-redundant), per the same page.
 * @see https://learn.microsoft.com/azure/reliability/cross-region-replication-azure#nonpaired-regions
 */
export const AZURE_NONPAIRED_REGIONS: ReadonlySet<string> = new Set([
  'qatarcentral', 'polandcentral', 'italynorth', 'israelcentral', 'spaincentral', 'mexicocentral', 'newzealandnorth',
  'austriaeast', 'belgiumcentral', 'chilecentral', 'indonesiacentral', 'malaysiawest',
]);

/** Key Vault keeps these single-region geographies' vaults in the region although the storage pair leaves it. */
const VAULT_SINGLE_REGION = new Set(['brazilsouth', 'qatarcentral']);

function pairs(both: [string, string][], oneWay: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [a, b] of both) { out[a] = b; out[b] = a; }
  return { ...out, ...oneWay };
}

/** The regions a Key Vault in `location` keeps its contents in, or undefined where the table does not know the region. */
export function vaultRegions(location: string): string[] | undefined {
  const l = normalizeRegion(location);
  if (VAULT_SINGLE_REGION.has(l) || AZURE_NONPAIRED_REGIONS.has(l)) return [l];
  const pair = AZURE_REGION_PAIRS[l];
  return pair ? [l, pair] : undefined;
}

/** `regionsOf(location)` for a literal location; undefined for a token (known only at deployment). */
export function literalRegions(location: string | undefined, regionsOf: (l: string) => string[] | undefined): string[] | undefined {
  return location === undefined || Token.isUnresolved(location) ? undefined : regionsOf(location);
}

/** The regions a geo-redundant (GRS) storage account in `location` keeps its data in, or undefined when unknown. */
export function geoRedundantRegions(location: string): string[] | undefined {
  const l = normalizeRegion(location);
  const pair = AZURE_REGION_PAIRS[l];
  return pair ? [l, pair] : undefined;
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
