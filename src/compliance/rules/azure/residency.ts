import { geoRedundantRegions, vaultRegions } from '../../../azure/region-pairs';
import { RESIDENCY_CONTROLS } from '../../../core/key-evidence';
import type { ComplianceProfile } from '../../../core/profile';
import { normalizeRegion } from '../../../core/residency';
import { finding, KmsRule, RuleFinding, tfResources } from '../rule';

/** Storage replication types that copy the data to the paired region. */
const GEO_REPLICATION = ['GRS', 'RAGRS', 'GZRS', 'RAGZRS'];

/**
 * Where the profile restricts regions, every vault, Managed HSM, audit workspace and storage account is in an allowed
 * region, and so is every region Azure copies it to without being asked: a Key Vault's paired region (which customers
 * cannot turn off) and a geo-redundant storage account's. A location written as an expression cannot be shown to hold.
 * Reads the Terraform JSON, so a hand-edited `location` or `account_replication_type` is caught.
 */
export const Residency: KmsRule = {
  id: 'CloudKms-AzureResidency',
  cloud: 'azure',
  description: 'vaults, Managed HSMs and audit stores (and the regions Azure replicates them to) are in the profile\'s allowedRegions',
  controls: RESIDENCY_CONTROLS,
  evaluate(json, { profile }) {
    const placed: Array<[string, unknown, (l: string) => string[] | undefined]> = [
      ...tfResources(json, 'azurerm_key_vault').map(([n, r]): [string, unknown, (l: string) => string[] | undefined] => [n, r.location, vaultRegions]),
      ...tfResources(json, 'azurerm_key_vault_managed_hardware_security_module', 'azurerm_log_analytics_workspace')
        .map(([n, r]): [string, unknown, (l: string) => string[] | undefined] => [n, r.location, (l) => [normalizeRegion(l)]]),
      ...tfResources(json, 'azurerm_storage_account').map(([n, r]): [string, unknown, (l: string) => string[] | undefined] => [n, r.location,
        GEO_REPLICATION.includes(String(r.account_replication_type ?? 'GRS').toUpperCase()) ? geoRedundantRegions : (l) => [normalizeRegion(l)]]),
    ];
    if (placed.length === 0 || !profile.restrictsRegions) {
      return [finding(this.id, 'configuration', undefined, placed.length === 0 ? 'no vaults, HSMs or audit stores'
        : `profile ${profile.name} does not restrict regions`)];
    }
    return placed.map(([name, location, regionsOf]) => judge(this.id, profile, name, location, regionsOf));
  },
};

function judge(id: string, profile: ComplianceProfile, name: string, location: unknown, regionsOf: (l: string) => string[] | undefined): RuleFinding {
  if (typeof location !== 'string' || location.includes('${')) return finding(id, name, false, `location ${String(location)} is not known before deployment`);
  const regions = regionsOf(location);
  if (regions === undefined) return finding(id, name, false, `where Azure replicates ${location} is not in the region pairs table`);
  const outside = regions.filter((r) => !profile.allowsRegion(r));
  return finding(id, name, outside.length === 0, outside.length === 0 ? `data in ${regions.join(', ')}`
    : `data in ${regions.join(', ')}; outside allowedRegions: ${outside.join(', ')}`);
}
