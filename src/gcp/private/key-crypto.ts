/*
 * What a Cloud KMS key is cryptographically, in the core's cloud-neutral terms (`KeyCryptoRecord`): the algorithm family,
 * size or parameter set, purpose and protection level of each Cloud KMS algorithm this library creates. The evidence
 * (`private/key-evidence.ts`) records it for every Google key; the profile's algorithm rule reads the family.
 * @see https://cloud.google.com/kms/docs/algorithms
 * @see https://cloud.google.com/kms/docs/reference/rest/v1/CryptoKeyVersionAlgorithm
 */
import { KeyAlgorithm as Family, KeyCryptoRecord, KeyPurpose } from '../../core/key-algorithm';
import { KeyAlgorithm, ProtectionLevel, purposeOf } from '../key-spec';

interface Spec {
  readonly family: Family;
  readonly sizeBits?: number;
  readonly parameterSet?: string;
}

/**
 * Each algorithm's family and size or parameter set, in the standards' spelling. HashSLH-DSA (the `_SHA256` pre-hash
 * variant) uses the same SLH-DSA parameter set as the pure one (FIPS 205 section 10.2). X-Wing combines ML-KEM-768 with
 * X25519; its post-quantum strength is ML-KEM-768's.
 */
const SPECS: Record<KeyAlgorithm, Spec> = {
  [KeyAlgorithm.GOOGLE_SYMMETRIC_ENCRYPTION]: { family: Family.AES, sizeBits: 256 },
  [KeyAlgorithm.RSA_SIGN_PSS_2048_SHA256]: { family: Family.RSA, sizeBits: 2048 },
  [KeyAlgorithm.RSA_SIGN_PSS_3072_SHA256]: { family: Family.RSA, sizeBits: 3072 },
  [KeyAlgorithm.RSA_SIGN_PSS_4096_SHA256]: { family: Family.RSA, sizeBits: 4096 },
  [KeyAlgorithm.RSA_SIGN_PKCS1_2048_SHA256]: { family: Family.RSA, sizeBits: 2048 },
  [KeyAlgorithm.RSA_SIGN_PKCS1_3072_SHA256]: { family: Family.RSA, sizeBits: 3072 },
  [KeyAlgorithm.RSA_SIGN_PKCS1_4096_SHA256]: { family: Family.RSA, sizeBits: 4096 },
  [KeyAlgorithm.EC_SIGN_P256_SHA256]: { family: Family.EC, sizeBits: 256, parameterSet: 'P-256' },
  [KeyAlgorithm.EC_SIGN_P384_SHA384]: { family: Family.EC, sizeBits: 384, parameterSet: 'P-384' },
  [KeyAlgorithm.RSA_DECRYPT_OAEP_2048_SHA256]: { family: Family.RSA, sizeBits: 2048 },
  [KeyAlgorithm.RSA_DECRYPT_OAEP_3072_SHA256]: { family: Family.RSA, sizeBits: 3072 },
  [KeyAlgorithm.RSA_DECRYPT_OAEP_4096_SHA256]: { family: Family.RSA, sizeBits: 4096 },
  // "HMAC-SHA256 signing with a 256 bit key", "HMAC-SHA512 signing with a 512 bit key" (CryptoKeyVersionAlgorithm).
  [KeyAlgorithm.HMAC_SHA256]: { family: Family.HMAC, sizeBits: 256 },
  [KeyAlgorithm.HMAC_SHA512]: { family: Family.HMAC, sizeBits: 512 },
  [KeyAlgorithm.PQ_SIGN_ML_DSA_44]: { family: Family.ML_DSA, parameterSet: 'ML-DSA-44' },
  [KeyAlgorithm.PQ_SIGN_ML_DSA_65]: { family: Family.ML_DSA, parameterSet: 'ML-DSA-65' },
  [KeyAlgorithm.PQ_SIGN_ML_DSA_87]: { family: Family.ML_DSA, parameterSet: 'ML-DSA-87' },
  [KeyAlgorithm.PQ_SIGN_ML_DSA_44_EXTERNAL_MU]: { family: Family.ML_DSA, parameterSet: 'ML-DSA-44' },
  [KeyAlgorithm.PQ_SIGN_ML_DSA_65_EXTERNAL_MU]: { family: Family.ML_DSA, parameterSet: 'ML-DSA-65' },
  [KeyAlgorithm.PQ_SIGN_ML_DSA_87_EXTERNAL_MU]: { family: Family.ML_DSA, parameterSet: 'ML-DSA-87' },
  [KeyAlgorithm.PQ_SIGN_SLH_DSA_SHA2_128S]: { family: Family.SLH_DSA, parameterSet: 'SLH-DSA-SHA2-128s' },
  [KeyAlgorithm.PQ_SIGN_HASH_SLH_DSA_SHA2_128S_SHA256]: { family: Family.SLH_DSA, parameterSet: 'SLH-DSA-SHA2-128s' },
  [KeyAlgorithm.ML_KEM_768]: { family: Family.ML_KEM, parameterSet: 'ML-KEM-768' },
  [KeyAlgorithm.ML_KEM_1024]: { family: Family.ML_KEM, parameterSet: 'ML-KEM-1024' },
  [KeyAlgorithm.KEM_XWING]: { family: Family.ML_KEM, parameterSet: 'X-Wing' },
};

/** The Cloud KMS purpose in the core's terms. */
const PURPOSES: Record<string, KeyPurpose> = {
  ENCRYPT_DECRYPT: KeyPurpose.ENCRYPT_DECRYPT,
  ASYMMETRIC_DECRYPT: KeyPurpose.ENCRYPT_DECRYPT,
  ASYMMETRIC_SIGN: KeyPurpose.SIGN_VERIFY,
  MAC: KeyPurpose.GENERATE_VERIFY_MAC,
  KEY_ENCAPSULATION: KeyPurpose.KEY_ENCAPSULATION,
};

/** The algorithm family of a Cloud KMS algorithm. */
export function gcpAlgorithmFamily(algorithm: KeyAlgorithm): Family {
  return SPECS[algorithm].family;
}

/** Whether the algorithm is one of the post-quantum ones (ML-DSA, SLH-DSA, ML-KEM, X-Wing). */
export function isPostQuantum(algorithm: KeyAlgorithm): boolean {
  const family = gcpAlgorithmFamily(algorithm);
  return family === Family.ML_DSA || family === Family.SLH_DSA || family === Family.ML_KEM;
}

/**
 * The crypto record of a Cloud KMS key. `operations` is the one algorithm a version of the key is used with (Cloud KMS
 * fixes the algorithm per version); an external key's versions report `EXTERNAL_SYMMETRIC_ENCRYPTION`.
 * @param rotationDays days between new versions, when Cloud KMS creates them (undefined: no automatic rotation)
 */
export function gcpKeyCrypto(algorithm: KeyAlgorithm, protectionLevel: ProtectionLevel, rotationDays?: number): KeyCryptoRecord {
  const spec = SPECS[algorithm];
  const external = protectionLevel === ProtectionLevel.EXTERNAL || protectionLevel === ProtectionLevel.EXTERNAL_VPC;
  const providerSpec = external && algorithm === KeyAlgorithm.GOOGLE_SYMMETRIC_ENCRYPTION ? 'EXTERNAL_SYMMETRIC_ENCRYPTION' : algorithm;
  return {
    algorithm: spec.family,
    providerSpec,
    ...(spec.sizeBits !== undefined ? { sizeBits: spec.sizeBits } : {}),
    ...(spec.parameterSet !== undefined ? { parameterSet: spec.parameterSet } : {}),
    purpose: PURPOSES[purposeOf(algorithm)],
    protectionLevel,
    operations: [providerSpec],
    ...(rotationDays !== undefined ? { rotationDays } : {}),
  };
}
