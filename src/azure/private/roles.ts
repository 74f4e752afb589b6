/*
 * Azure RBAC actions and role names, in one place. Control-plane `actions` and data-plane `dataActions` for Key Vault
 * (Microsoft.KeyVault/vaults) and Managed HSM local RBAC (Microsoft.KeyVault/managedHsm).
 * @see https://learn.microsoft.com/azure/key-vault/general/rbac-guide
 * @see https://learn.microsoft.com/azure/key-vault/managed-hsm/built-in-roles
 */

const KV = 'Microsoft.KeyVault/vaults';

/** Key management without cryptographic use, for the administrators' custom role. */
export const VAULT_KEY_MANAGEMENT_DATA_ACTIONS = [
  `${KV}/keys/read`,
  `${KV}/keys/write`,
  `${KV}/keys/create/action`,
  `${KV}/keys/delete`,
  `${KV}/keys/backup/action`,
  `${KV}/keys/restore/action`,
  `${KV}/keys/rotate/action`,
  `${KV}/keyrotationpolicies/read`,
  `${KV}/keyrotationpolicies/write`,
  `${KV}/deletedKeys/read`,
  `${KV}/deletedKeys/recover/action`,
];

/** Purging a deleted key: destructive, so under dual control only through an approved activation. */
export const VAULT_KEY_PURGE_DATA_ACTIONS = [`${KV}/deletedKeys/delete`];

/** Everything that uses key material (or hands it out): never for administrators. */
export const VAULT_CRYPTO_DATA_ACTIONS = [
  `${KV}/keys/encrypt/action`,
  `${KV}/keys/decrypt/action`,
  `${KV}/keys/wrap/action`,
  `${KV}/keys/unwrap/action`,
  `${KV}/keys/sign/action`,
  `${KV}/keys/verify/action`,
  `${KV}/keys/release/action`,
  `${KV}/keys/import/action`,
];

/** Control-plane reads administrators need; vault writes (which can switch the permission model) stay with the pipeline. */
export const VAULT_ADMIN_ACTIONS = [
  `${KV}/read`,
  `${KV}/keys/read`,
  'Microsoft.Insights/diagnosticSettings/read',
];

/** What a BYOK importer may do on the target vault: read the key-exchange key, import. */
export const VAULT_IMPORT_DATA_ACTIONS = [`${KV}/keys/read`, `${KV}/keys/import/action`];

/** Built-in Azure RBAC roles we assign by name. */
export const BUILT_IN = {
  CRYPTO_USER: 'Key Vault Crypto User',
  CRYPTO_SERVICE_ENCRYPTION_USER: 'Key Vault Crypto Service Encryption User',
  KEY_VAULT_READER: 'Key Vault Reader',
  LOG_ANALYTICS_READER: 'Log Analytics Reader',
  STORAGE_BLOB_DATA_READER: 'Storage Blob Data Reader',
} as const;

/** The built-in role behind each `KeyUserRole`. */
export const USER_ROLE_NAME: Record<string, string> = {
  CRYPTO_USER: BUILT_IN.CRYPTO_USER,
  SERVICE_ENCRYPTION_USER: BUILT_IN.CRYPTO_SERVICE_ENCRYPTION_USER,
};

const HSM = 'Microsoft.KeyVault/managedHsm';

/** Managed HSM local role: key management, no cryptographic use, no export. */
export const HSM_KEY_MANAGEMENT_DATA_ACTIONS = [
  `${HSM}/keys/read/action`,
  `${HSM}/keys/write/action`,
  `${HSM}/keys/create`,
  `${HSM}/keys/delete`,
  `${HSM}/keys/rotate/action`,
  `${HSM}/keys/backup/action`,
  `${HSM}/keys/restore/action`,
  `${HSM}/keys/deletedKeys/read/action`,
  `${HSM}/keys/deletedKeys/recover/action`,
  `${HSM}/roleAssignments/read/action`,
  `${HSM}/roleDefinitions/read/action`,
];

/** Managed HSM local role: use of keys, nothing else. */
export const HSM_CRYPTO_DATA_ACTIONS = [
  `${HSM}/keys/read/action`,
  `${HSM}/keys/encrypt/action`,
  `${HSM}/keys/decrypt/action`,
  `${HSM}/keys/wrap/action`,
  `${HSM}/keys/unwrap/action`,
  `${HSM}/keys/sign/action`,
  `${HSM}/keys/verify/action`,
];

/** What a BYOK importer may do in a Managed HSM: read the key-exchange key, import. */
export const HSM_IMPORT_DATA_ACTIONS = [`${HSM}/keys/read/action`, `${HSM}/keys/import/action`];

/** Managed HSM built-in local roles, by id. */
export const HSM_BUILT_IN = {
  CRYPTO_AUDITOR: '2c18b078-7c48-4d3a-af88-5a3a1b3f82b3',
  CRYPTO_SERVICE_ENCRYPTION_USER: '33413926-3206-4cdd-b39a-83574fe37a17',
  POLICY_ADMINISTRATOR: '4bd23610-cdcf-4971-bdee-bdc562cc28e4',
} as const;

/** The id Managed HSM local RBAC uses for a role definition. */
export function hsmRoleDefinitionId(guid: string): string {
  return `/Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
}
