/**
 * Cloud KMS key algorithms this library offers; the purpose follows from the algorithm.
 * @see https://cloud.google.com/kms/docs/algorithms
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

/** The Cloud KMS purpose of an algorithm. */
export function purposeOf(algorithm: KeyAlgorithm): string {
  if (algorithm === KeyAlgorithm.GOOGLE_SYMMETRIC_ENCRYPTION) return 'ENCRYPT_DECRYPT';
  if (algorithm.startsWith('HMAC_')) return 'MAC';
  if (algorithm.startsWith('RSA_DECRYPT_')) return 'ASYMMETRIC_DECRYPT';
  return 'ASYMMETRIC_SIGN';
}
