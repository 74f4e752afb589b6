/*
 * One key of the ledger as CycloneDX 1.6 cryptographic assets: the key itself (`related-crypto-material`) and the
 * algorithm it is used with (`algorithm`), with the facts the schema has no field for as properties of this library's
 * namespace (`cloud-kms-constructs:`, listed in docs/compliance-report.md).
 */
import { cbomAlgorithm, CbomAlgorithm, CloudHsmModule, materialType, quantumCategory, quantumVulnerable } from './cbom-algorithm';
import { KeyCustody } from '../../core/deployment-model';
import type { KeyContainerRecord, KeyRecord } from '../../core/evidence';
import { FipsLevel } from '../../core/fips';

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

/**
 * The assets of one key.
 * @param service a key the library makes for its own use (the ledger's service keys), marked `service-key: true`
 */
export function keyAssets(key: KeyRecord, containers: ReadonlyMap<string, KeyContainerRecord>, service = false): CbomKeyAssets {
  const keyRef = `key:${key.cloud}:${key.path}`;
  // The algorithm's name, parameter set and strength come from the size: a token size is left out of all of them.
  const cloudHsm = cloudHsmOf(key, containers);
  const algorithm = key.crypto ? cbomAlgorithm(key, { ...key.crypto, sizeBits: resolved(key.crypto.sizeBits) }, cloudHsm) : undefined;
  const ref = algorithm ? algorithmRef(algorithm) : undefined;
  const material: Record<string, unknown> = {
    type: materialType(key.crypto),
    // NIST SP 800-57 key states: imported material arrives at the import ceremony, after deployment.
    state: key.model.custody === KeyCustody.CUSTOMER_IMPORT ? 'pre-activation' : 'active',
    ...(ref ? { algorithmRef: ref } : {}),
    ...(resolved(key.crypto?.sizeBits) !== undefined ? { size: key.crypto!.sizeBits } : {}),
    securedBy: { mechanism: cloudHsm ? 'HSM' : securedBy(key) },
  };
  return {
    keyRef,
    name: key.path,
    description: `${service ? 'the library\'s own key for ' : ''}${key.constructName} (${key.model.title}) in ${key.stack}` +
      `${key.crypto ? '' : ': no crypto record, algorithm unknown'}`,
    properties: [...keyProperties(key, containers), ...(service ? [[`${CBOM_PROPERTY_PREFIX}service-key`, 'true'] as [string, string]] : [])],
    cryptoProperties: { assetType: 'related-crypto-material', relatedCryptoMaterialProperties: material },
    ...(algorithm && ref ? { algorithm: { ...algorithm, ref } } : {}),
  };
}

/** The CloudHSM cluster under the key's AWS CloudHSM key store, if it is in one. */
function cloudHsmOf(key: KeyRecord, containers: ReadonlyMap<string, KeyContainerRecord>): CloudHsmModule | undefined {
  const store = key.parent ? containers.get(key.parent) : undefined;
  if (store?.kind !== 'AWS CloudHSM key store') return undefined;
  const cluster = store.parent ? containers.get(store.parent) : undefined;
  return { hsmType: cluster?.hsmType };
}

/** What protects the material, in the words of the schema's examples (`HSM`, `Software`). */
function securedBy(key: KeyRecord): string {
  if (key.model.custody === KeyCustody.CUSTOMER_EXTERNAL) return 'External key manager';
  return key.fipsLevel === FipsLevel.LEVEL_1 ? 'Software' : 'HSM';
}

/** Every fact of the record the schema has no field for, as `cloud-kms-constructs:` properties. */
function keyProperties(key: KeyRecord, containers: ReadonlyMap<string, KeyContainerRecord>): Array<[string, string]> {
  const crypto = key.crypto && { ...key.crypto, sizeBits: resolved(key.crypto.sizeBits) };
  const category = crypto ? quantumCategory(crypto) : undefined;
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
    ['rotation-days', rotationDays(crypto)],
    ['quantum-vulnerable', crypto ? String(quantumVulnerable(crypto)) : 'unknown'],
    ['nist-quantum-security-level', category !== undefined ? String(category) : undefined],
    ...(crypto?.operations ?? []).map((op): [string, string] => ['operation', op]),
    ...regions(key).map((r): [string, string] => ['region', r]),
  ];
  return props.filter((p): p is [string, string] => p[1] !== undefined).map(([n, v]) => [`${CBOM_PROPERTY_PREFIX}${n}`, v]);
}

/**
 * A number the template fixes, or undefined for a token (aws-cdk-lib encodes a numeric token as a huge negative
 * double): the inventory never prints a token as a size or a period.
 */
function resolved(n: number | undefined): number | undefined {
  return n !== undefined && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

function rotationDays(crypto: KeyRecord['crypto']): string {
  if (!crypto) return 'unknown';
  if (crypto.rotationDays === undefined) return 'none';
  return resolved(crypto.rotationDays) !== undefined ? String(crypto.rotationDays) : 'unresolved: set at deployment';
}

/** The key's regions; an unresolved one says so instead of printing a token. */
function regions(key: KeyRecord): string[] {
  if (!key.regions || key.regions.length === 0) return ['not recorded'];
  return key.regions.map((r) => (TOKEN.test(r) ? "unresolved: the stack's region, set at deployment" : r));
}
