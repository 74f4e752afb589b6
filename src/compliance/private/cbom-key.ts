/*
 * One key of the ledger as CycloneDX 1.6 cryptographic assets: the key itself (`related-crypto-material`) and the
 * algorithm it is used with (`algorithm`), with the facts the schema has no field for as properties of this library's
 * namespace (`cloud-kms-constructs:`, listed in docs/compliance-report.md).
 */
import { cbomAlgorithm, CbomAlgorithm, materialType } from './cbom-algorithm';
import { KeyCustody } from '../../core/deployment-model';
import type { KeyContainerRecord, KeyRecord } from '../../core/evidence';
import { isQuantumVulnerable, nistQuantumSecurityLevel } from '../../core/key-algorithm';

/** The namespace of every property the inventory adds. */
export const CBOM_PROPERTY_PREFIX = 'cloud-kms-constructs:';

/** A key's two assets, before the BOM is assembled. */
export interface CbomKeyAssets {
  readonly keyRef: string;
  readonly name: string;
  readonly description: string;
  readonly properties: Array<[string, string]>;
  /** The `cryptoProperties` of the key's own asset. */
  readonly cryptoProperties: Record<string, unknown>;
  /** The algorithm, with the bom-ref the key refers to; none for a key with no crypto record. */
  readonly algorithm?: CbomAlgorithm & { readonly ref: string };
}

/** Tokens (`${Token[AWS.Region.12]}`, cdktf's `${TfToken[...]}`) are not regions: the stack's region is set at deployment. */
const TOKEN = /\$\{(Tf)?Token\[/;

/** The bom-ref of the algorithm asset: one asset per distinct algorithm, module and use. */
export function algorithmRef(algorithm: CbomAlgorithm): string {
  const p = algorithm.properties;
  // Everything else in the properties follows from the name and the functions.
  return `algorithm:${algorithm.name}:${p.executionEnvironment}:${p.certificationLevel.join('+')}:${p.cryptoFunctions.join('+')}`;
}

/** The assets of one key. */
export function keyAssets(key: KeyRecord, containers: ReadonlyMap<string, KeyContainerRecord>): CbomKeyAssets {
  const keyRef = `key:${key.cloud}:${key.path}`;
  const algorithm = key.crypto ? cbomAlgorithm(key, key.crypto) : undefined;
  const ref = algorithm ? algorithmRef(algorithm) : undefined;
  const material: Record<string, unknown> = {
    type: materialType(key.crypto),
    // NIST SP 800-57 key states: imported material arrives at the import ceremony, after deployment.
    state: key.model.custody === KeyCustody.CUSTOMER_IMPORT ? 'pre-activation' : 'active',
    ...(ref ? { algorithmRef: ref } : {}),
    ...(key.crypto?.sizeBits !== undefined ? { size: key.crypto.sizeBits } : {}),
    securedBy: { mechanism: securedBy(key) },
  };
  return {
    keyRef,
    name: key.path,
    description: `${key.constructName} (${key.model.title}) in ${key.stack}` +
      `${key.crypto ? '' : ': no crypto record, algorithm unknown'}`,
    properties: keyProperties(key, containers),
    cryptoProperties: { assetType: 'related-crypto-material', relatedCryptoMaterialProperties: material },
    ...(algorithm && ref ? { algorithm: { ...algorithm, ref } } : {}),
  };
}

/** What protects the material, in the words of the schema's examples (`HSM`, `Software`). */
function securedBy(key: KeyRecord): string {
  if (key.model.custody === KeyCustody.CUSTOMER_EXTERNAL) return 'External key manager';
  return key.fipsLevel === 'LEVEL_1' ? 'Software' : 'HSM';
}

/** Every fact of the record the schema has no field for, as `cloud-kms-constructs:` properties. */
function keyProperties(key: KeyRecord, containers: ReadonlyMap<string, KeyContainerRecord>): Array<[string, string]> {
  const crypto = key.crypto;
  const props: Array<[string, string | undefined]> = [
    ['path', key.path],
    ['cloud', key.cloud],
    ['stack', key.stack],
    ['construct', key.constructName],
    ['deployment-model', key.model.id],
    ['custody', key.model.custody],
    ['profile', key.profile.name],
    ['fips-140-level', key.fipsLevel],
    ['parent', key.parent],
    ['parent-kind', key.parent ? containers.get(key.parent)?.kind : undefined],
    ['audit-sink', key.auditSink],
    ['crypto-recorded', String(crypto !== undefined)],
    ['algorithm', crypto?.algorithm ?? 'unknown'],
    ['provider-spec', crypto?.providerSpec],
    ['parameter-set', crypto?.parameterSet],
    ['purpose', crypto?.purpose ?? 'unknown'],
    ['protection-level', crypto?.protectionLevel],
    ['rotation-days', crypto ? crypto.rotationDays !== undefined ? String(crypto.rotationDays) : 'none' : 'unknown'],
    ['quantum-vulnerable', crypto ? String(isQuantumVulnerable(crypto)) : 'unknown'],
    ['nist-quantum-security-level', crypto ? String(nistQuantumSecurityLevel(crypto)) : undefined],
    ...(crypto?.operations ?? []).map((op): [string, string] => ['operation', op]),
    ...regions(key).map((r): [string, string] => ['region', r]),
  ];
  return props.filter((p): p is [string, string] => p[1] !== undefined).map(([n, v]) => [`${CBOM_PROPERTY_PREFIX}${n}`, v]);
}

/** The key's regions; an unresolved one says so instead of printing a token. */
function regions(key: KeyRecord): string[] {
  if (!key.regions) return ['not recorded'];
  return key.regions.map((r) => (TOKEN.test(r) ? "unresolved: the stack's region, set at deployment" : r));
}
