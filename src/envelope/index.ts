/*
 * The envelope-encryption core: AWS Encryption SDK message format (v2, committing suites), keyrings for AWS KMS (also multi-Region-key aware), Azure
 * Key Vault, Google Cloud KMS and raw AES, a data-key cache, buffer and stream APIs. Runtime code: it imports no
 * construct library. Import it as `cloud-kms-constructs/lib/envelope`.
 */
export * from './errors';
export * from './suites';
export type { EncryptionContext } from './context';
export { RESERVED_PREFIX } from './context';
export type { EncryptedDataKey } from './header';
export * from './keyring';
export * from './retry';
export * from './cache';
export * from './envelope';
export { EncryptStream, DecryptStream } from './stream';
export * from './keyrings/aws-kms';
export * from './keyrings/aws-kms-mrk';
export * from './keyrings/raw-aes';
export * from './keyrings/multi';
export * from './keyrings/azure-key-vault';
export * from './keyrings/gcp-kms';
export * from './caller-proof';
