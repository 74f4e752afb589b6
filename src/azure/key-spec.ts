/**
 * Key specs Azure Key Vault and Managed HSM accept (RSA sizes and EC curves). Azure has no post-quantum key types
 * (ML-DSA, SLH-DSA, ML-KEM): a post-quantum keySpec, or a profile that allows only those families, is refused.
 * @see https://learn.microsoft.com/azure/key-vault/keys/about-keys-details
 */
export enum KeySpec {
  RSA_2048 = 'RSA_2048',
  RSA_3072 = 'RSA_3072',
  RSA_4096 = 'RSA_4096',
  EC_P256 = 'EC_P256',
  EC_P384 = 'EC_P384',
  EC_P521 = 'EC_P521',
  EC_P256K = 'EC_P256K',
}

/** What a key is for. */
export enum KeyUsage {
  /** encrypt, decrypt, wrapKey, unwrapKey (RSA only). */
  ENCRYPT_DECRYPT = 'ENCRYPT_DECRYPT',
  /** sign, verify. */
  SIGN_VERIFY = 'SIGN_VERIFY',
}

