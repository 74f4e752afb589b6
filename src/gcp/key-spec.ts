/**
 * Cloud KMS key algorithms this library offers; the purpose follows from the algorithm.
 * The post-quantum ones (`PQ_SIGN_*`, `ML_KEM_*`, `KEM_XWING`) are Cloud KMS previews, documented for SOFTWARE keys.
 * @see https://cloud.google.com/kms/docs/algorithms
 * @see https://cloud.google.com/kms/docs/reference/rest/v1/CryptoKeyVersionAlgorithm
 */
export enum KeyAlgorithm {
  /** AES-256-GCM, symmetric encryption (purpose ENCRYPT_DECRYPT); the only algorithm Cloud KMS rotates automatically. */
  GOOGLE_SYMMETRIC_ENCRYPTION = 'GOOGLE_SYMMETRIC_ENCRYPTION',
  RSA_SIGN_PSS_2048_SHA256 = 'RSA_SIGN_PSS_2048_SHA256',
  RSA_SIGN_PSS_3072_SHA256 = 'RSA_SIGN_PSS_3072_SHA256',
  RSA_SIGN_PSS_4096_SHA256 = 'RSA_SIGN_PSS_4096_SHA256',
  RSA_SIGN_PKCS1_2048_SHA256 = 'RSA_SIGN_PKCS1_2048_SHA256',
  RSA_SIGN_PKCS1_3072_SHA256 = 'RSA_SIGN_PKCS1_3072_SHA256',
  RSA_SIGN_PKCS1_4096_SHA256 = 'RSA_SIGN_PKCS1_4096_SHA256',
  EC_SIGN_P256_SHA256 = 'EC_SIGN_P256_SHA256',
  EC_SIGN_P384_SHA384 = 'EC_SIGN_P384_SHA384',
  RSA_DECRYPT_OAEP_2048_SHA256 = 'RSA_DECRYPT_OAEP_2048_SHA256',
  RSA_DECRYPT_OAEP_3072_SHA256 = 'RSA_DECRYPT_OAEP_3072_SHA256',
  RSA_DECRYPT_OAEP_4096_SHA256 = 'RSA_DECRYPT_OAEP_4096_SHA256',
  HMAC_SHA256 = 'HMAC_SHA256',
  HMAC_SHA512 = 'HMAC_SHA512',
  /** ML-DSA-44 (FIPS 204), randomized; post-quantum signing (preview, SOFTWARE keys). */
  PQ_SIGN_ML_DSA_44 = 'PQ_SIGN_ML_DSA_44',
  /** ML-DSA-65 (FIPS 204), randomized; post-quantum signing (preview, SOFTWARE keys). */
  PQ_SIGN_ML_DSA_65 = 'PQ_SIGN_ML_DSA_65',
  /** ML-DSA-87 (FIPS 204), randomized; post-quantum signing (preview, SOFTWARE keys). */
  PQ_SIGN_ML_DSA_87 = 'PQ_SIGN_ML_DSA_87',
  /** ML-DSA-44 signing of an externally computed message representative (mu, FIPS 204 section 6.2). */
  PQ_SIGN_ML_DSA_44_EXTERNAL_MU = 'PQ_SIGN_ML_DSA_44_EXTERNAL_MU',
  /** ML-DSA-65 signing of an externally computed message representative (mu, FIPS 204 section 6.2). */
  PQ_SIGN_ML_DSA_65_EXTERNAL_MU = 'PQ_SIGN_ML_DSA_65_EXTERNAL_MU',
  /** ML-DSA-87 signing of an externally computed message representative (mu, FIPS 204 section 6.2). */
  PQ_SIGN_ML_DSA_87_EXTERNAL_MU = 'PQ_SIGN_ML_DSA_87_EXTERNAL_MU',
  /** SLH-DSA-SHA2-128s (FIPS 205), pure randomized; post-quantum signing (preview, SOFTWARE keys). */
  PQ_SIGN_SLH_DSA_SHA2_128S = 'PQ_SIGN_SLH_DSA_SHA2_128S',
  /** HashSLH-DSA-SHA2-128s with SHA-256 pre-hash (FIPS 205 section 10.2); post-quantum signing of digests. */
  PQ_SIGN_HASH_SLH_DSA_SHA2_128S_SHA256 = 'PQ_SIGN_HASH_SLH_DSA_SHA2_128S_SHA256',
  /** ML-KEM-768 (FIPS 203) key encapsulation (purpose KEY_ENCAPSULATION). */
  ML_KEM_768 = 'ML_KEM_768',
  /** ML-KEM-1024 (FIPS 203) key encapsulation (purpose KEY_ENCAPSULATION). */
  ML_KEM_1024 = 'ML_KEM_1024',
  /** X-Wing: ML-KEM-768 combined with X25519 (draft-connolly-cfrg-xwing-kem), purpose KEY_ENCAPSULATION. */
  KEM_XWING = 'KEM_XWING',
}

/**
 * Where the key material lives.
 * @see https://cloud.google.com/kms/docs/protection-levels
 */
export enum ProtectionLevel {
  /** Software (FIPS 140-2 Level 1). */
  SOFTWARE = 'SOFTWARE',
  /** Cloud HSM (FIPS 140-2 Level 3). */
  HSM = 'HSM',
  /** A key manager outside Google, reached over the internet (Cloud EKM). */
  EXTERNAL = 'EXTERNAL',
  /** A key manager outside Google, reached through a VPC (Cloud EKM connection). */
  EXTERNAL_VPC = 'EXTERNAL_VPC',
}

/**
 * The Cloud KMS purpose of an algorithm.
 * @see https://cloud.google.com/kms/docs/algorithms#key_purposes
 */
export function purposeOf(algorithm: KeyAlgorithm): string {
  if (algorithm === KeyAlgorithm.GOOGLE_SYMMETRIC_ENCRYPTION) return 'ENCRYPT_DECRYPT';
  if (algorithm.startsWith('HMAC_')) return 'MAC';
  if (algorithm.startsWith('RSA_DECRYPT_')) return 'ASYMMETRIC_DECRYPT';
  if (algorithm.startsWith('ML_KEM_') || algorithm === KeyAlgorithm.KEM_XWING) return 'KEY_ENCAPSULATION';
  return 'ASYMMETRIC_SIGN';
}
