/*
 * Cloud KMS and logging IAM roles, in one place.
 * @see https://cloud.google.com/kms/docs/reference/permissions-and-roles
 */

export const ROLES = {
  KMS_ADMIN: 'roles/cloudkms.admin',
  KMS_VIEWER: 'roles/cloudkms.viewer',
  KMS_IMPORTER: 'roles/cloudkms.importer',
  ENCRYPTER_DECRYPTER: 'roles/cloudkms.cryptoKeyEncrypterDecrypter',
  ENCRYPTER: 'roles/cloudkms.cryptoKeyEncrypter',
  DECRYPTER: 'roles/cloudkms.cryptoKeyDecrypter',
  SIGNER_VERIFIER: 'roles/cloudkms.signerVerifier',
  PUBLIC_KEY_VIEWER: 'roles/cloudkms.publicKeyViewer',
  /** `cloudkms.cryptoKeyVersions.useToDecapsulate` (https://cloud.google.com/kms/docs/encapsulate-decapsulate). */
  DECAPSULATOR: 'roles/cloudkms.decapsulator',
  STORAGE_OBJECT_CREATOR: 'roles/storage.objectCreator',
  STORAGE_OBJECT_VIEWER: 'roles/storage.objectViewer',
  LOG_VIEW_ACCESSOR: 'roles/logging.viewAccessor',
  SERVICE_DIRECTORY_VIEWER: 'roles/servicedirectory.viewer',
  SERVICE_DIRECTORY_PSC: 'roles/servicedirectory.pscAuthorizedService',
} as const;

/** The roles a key's users get, by the key's purpose: use only, never management. */
export const USER_ROLES: Record<string, string[]> = {
  ENCRYPT_DECRYPT: [ROLES.ENCRYPTER_DECRYPTER],
  ASYMMETRIC_SIGN: [ROLES.SIGNER_VERIFIER],
  ASYMMETRIC_DECRYPT: [ROLES.DECRYPTER, ROLES.PUBLIC_KEY_VIEWER],
  MAC: [ROLES.SIGNER_VERIFIER],
  // Encapsulation needs only the public key; decapsulation the private key, which stays in Cloud KMS.
  KEY_ENCAPSULATION: [ROLES.DECAPSULATOR, ROLES.PUBLIC_KEY_VIEWER],
};
