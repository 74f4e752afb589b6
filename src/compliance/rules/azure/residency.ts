import { RESIDENCY_CONTROLS } from '../../../core/key-evidence';
import type { ComplianceProfile } from '../../../core/profile';
import { normalizeRegion } from '../../../core/residency';
import { finding, KmsRule, RuleFinding, tfResources } from '../rule';

/** Storage replication types that copy the data to the paired region. */
const GEO_REPLICATION = ['GRS', 'RAGRS', 'GZRS', 'RAGZRS'];

/** How a resource's data spreads from its region: Key Vault's pair, a geo-redundant account's pair, or not at all. */
type Spread = 'vault' | 'geo' | 'none';

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
    const placed: Array<[string, unknown, Spread]> = [
      ...tfResources(json, 'azurerm_key_vault').map(([n, r]): [string, unknown, Spread] => [n, r.location, 'vault']),
      ...tfResources(json, 'azurerm_key_vault_managed_hardware_security_module', 'azurerm_log_analytics_workspace')
        .map(([n, r]): [string, unknown, Spread] => [n, r.location, 'none']),
      ...tfResources(json, 'azurerm_storage_account').map(([n, r]): [string, unknown, Spread] => [n, r.location,
        GEO_REPLICATION.includes(String(r.account_replication_type ?? 'GRS').toUpperCase()) ? 'geo' : 'none']),
    ];
    if (placed.length === 0 || !profile.restrictsRegions) {
      return [finding(this.id, 'configuration', undefined, placed.length === 0 ? 'no vaults, HSMs or audit stores'
        : `profile ${profile.name} does not restrict regions`)];
    }
    return placed.map(([name, location, spread]) => judge(this.id, profile, name, location, spread));
  },
};

function judge(id: string, profile: ComplianceProfile, name: string, location: unknown, spread: Spread): RuleFinding {
  if (typeof location !== 'string' || location.includes('${')) return finding(id, name, false, `location ${String(location)} is not known before deployment`);
  // Required here, when an Azure resource is judged, not at load: every app that writes a report loads the pack, and an
  // AWS app must load nothing of src/azure.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pairs: typeof import('../../../azure/region-pairs') = require('../../../azure/region-pairs');
  const regions = spread === 'vault' ? pairs.vaultRegions(location) : spread === 'geo' ? pairs.geoRedundantRegions(location) : [normalizeRegion(location)];
  if (regions === undefined) return finding(id, name, false, `where Azure replicates ${location} is not in the region pairs table`);
  const outside = regions.filter((r) => !profile.allowsRegion(r));
  return finding(id, name, outside.length === 0, outside.length === 0 ? `data in ${regions.join(', ')}`
    : `data in ${regions.join(', ')}; outside allowedRegions: ${outside.join(', ')}`);
}
