import { KeyAlgorithm } from '../../../core/key-algorithm';
import { KEY_ALGORITHM_CONTROLS } from '../controls';
import { asList, finding, KmsRule, tfResources } from '../rule';

/**
 * The family of a Cloud KMS algorithm name, as Terraform JSON carries it; undefined for a name this rule does not know
 * (or an expression), which is never taken as allowed.
 * @see https://cloud.google.com/kms/docs/reference/rest/v1/CryptoKeyVersionAlgorithm
 */
export function cloudKmsAlgorithmFamily(algorithm: string): KeyAlgorithm | undefined {
  const families: Array<[RegExp, KeyAlgorithm]> = [
    [/^(GOOGLE|EXTERNAL)_SYMMETRIC_ENCRYPTION$|^AES_(128|256)_(GCM|CBC|CTR)$/, KeyAlgorithm.AES],
    [/^RSA_(SIGN|DECRYPT)_/, KeyAlgorithm.RSA],
    [/^EC_SIGN_ED25519$/, KeyAlgorithm.EDDSA],
    [/^EC_SIGN_(P256|P384|SECP256K1)_SHA(256|384)$/, KeyAlgorithm.EC],
    [/^HMAC_SHA(1|224|256|384|512)$/, KeyAlgorithm.HMAC],
    [/^PQ_SIGN_ML_DSA_(44|65|87)(_EXTERNAL_MU)?$/, KeyAlgorithm.ML_DSA],
    [/^PQ_SIGN_(HASH_)?SLH_DSA_/, KeyAlgorithm.SLH_DSA],
    [/^ML_KEM_(768|1024)$|^KEM_XWING$/, KeyAlgorithm.ML_KEM],
  ];
  return families.find(([re]) => re.test(algorithm))?.[1];
}

/** Crypto keys use only algorithm families the profile allows (a post-quantum-only or classical-only profile, say). */
export const KeyAlgorithmAllowed: KmsRule = {
  id: 'CloudKms-GcpKeyAlgorithm',
  cloud: 'gcp',
  description: 'crypto keys use only the algorithm families the profile allows',
  controls: KEY_ALGORITHM_CONTROLS,
  evaluate(json, { profile }) {
    const keys = tfResources(json, 'google_kms_crypto_key');
    const all = Object.values(KeyAlgorithm).every((f) => profile.allowsKeyAlgorithm(f));
    if (keys.length === 0 || all) {
      return [finding(this.id, 'configuration', undefined, keys.length === 0 ? 'no crypto keys' : `profile ${profile.name} allows every algorithm family`)];
    }
    return keys.map(([name, k]) => {
      const template = asList<any>(k.version_template)[0];
      // Without a template Cloud KMS makes the purpose's default; only ENCRYPT_DECRYPT (the provider's default purpose) has one.
      const purpose = String(k.purpose ?? 'ENCRYPT_DECRYPT');
      const algorithm = template?.algorithm !== undefined ? String(template.algorithm) : purpose === 'ENCRYPT_DECRYPT' ? 'GOOGLE_SYMMETRIC_ENCRYPTION' : undefined;
      const family = algorithm === undefined ? undefined : cloudKmsAlgorithmFamily(algorithm);
      if (family === undefined) return finding(this.id, name, false, `algorithm ${algorithm ?? 'not set'} is not one this rule can show the profile allows`);
      return finding(this.id, name, profile.allowsKeyAlgorithm(family), `algorithm ${algorithm} (${family}) under profile ${profile.name}`);
    });
  },
};
