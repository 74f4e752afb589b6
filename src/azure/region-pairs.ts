/*
 * Where Azure replicates data without being asked: the region pairs, and the regions a Key Vault or a geo-redundant
 * storage account keeps data in. No cdktf here, and not in private/: the rule pack (src/compliance) reads the same table.
 * Not exported from the package.
 */
import { normalizeRegion } from '../core/residency';

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

/**
 * Paired regions whose vaults Key Vault keeps in the region (zone-redundant storage), although their pair is listed above
 * (Brazil South's in another geography, West US 3's one-way to East US): "When you create key vaults in Brazil South or
 * West US 3, they aren't replicated across regions". Nonpaired regions (Qatar Central among them) are kept in the region
 * by `AZURE_NONPAIRED_REGIONS`.
 * @see https://learn.microsoft.com/azure/key-vault/general/disaster-recovery-guidance
 */
const VAULT_SINGLE_REGION = new Set(['brazilsouth', 'westus3']);

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

/** The regions a geo-redundant (GRS) storage account in `location` keeps its data in, or undefined when unknown. */
export function geoRedundantRegions(location: string): string[] | undefined {
  const l = normalizeRegion(location);
  const pair = AZURE_REGION_PAIRS[l];
  return pair ? [l, pair] : undefined;
}
