/*
 * Azure RBAC actions and role names, in one place. Control-plane `actions` and data-plane `dataActions` for Key Vault
 * (Microsoft.KeyVault/vaults) and Managed HSM local RBAC (Microsoft.KeyVault/managedHsm).
 * @see https://learn.microsoft.com/azure/key-vault/general/rbac-guide
 * @see https://learn.microsoft.com/azure/key-vault/managed-hsm/built-in-roles
 */

const KV = 'Microsoft.KeyVault/vaults';
const HSM = 'Microsoft.KeyVault/managedHsm';

/**
 * Every key data action Microsoft documents for vaults: the `DataAction` rows of Microsoft.KeyVault for `vaults/keys` and
 * `vaults/keyrotationpolicies`. A role listing anything else may be refused by Azure, or grant nothing.
 * @see https://learn.microsoft.com/azure/role-based-access-control/permissions/security#microsoftkeyvault
 */
export const DOCUMENTED_VAULT_KEY_DATA_ACTIONS: readonly string[] = [
  `${KV}/keyrotationpolicies/read`,
  `${KV}/keyrotationpolicies/write`,
  `${KV}/keys/read`,
  `${KV}/keys/update/action`,
  `${KV}/keys/create/action`,
  `${KV}/keys/import/action`,
  `${KV}/keys/recover/action`,
  `${KV}/keys/restore/action`,
  `${KV}/keys/delete`,
  `${KV}/keys/backup/action`,
  `${KV}/keys/purge/action`,
  `${KV}/keys/encrypt/action`,
  `${KV}/keys/decrypt/action`,
  `${KV}/keys/wrap/action`,
  `${KV}/keys/unwrap/action`,
  `${KV}/keys/sign/action`,
  `${KV}/keys/verify/action`,
  `${KV}/keys/release/action`,
  `${KV}/keys/rotate/action`,
];

/**
 * Every Managed HSM local RBAC data action Microsoft documents: the permitted-operations table of the built-in roles
 * page, and the `DataAction` values of the Managed HSM role-definition API (which add `rng/action` and the security
 * domain's `download/read`).
 * @see https://learn.microsoft.com/azure/key-vault/managed-hsm/built-in-roles#permitted-operations
 * @see https://learn.microsoft.com/rest/api/keyvault/keyvault/role-definitions/create-or-update#dataaction
 */
export const DOCUMENTED_HSM_DATA_ACTIONS: readonly string[] = [
  `${HSM}/securitydomain/download/action`,
  `${HSM}/securitydomain/download/read`,
  `${HSM}/securitydomain/upload/action`,
  `${HSM}/securitydomain/upload/read`,
  `${HSM}/securitydomain/transferkey/read`,
  `${HSM}/keys/read/action`,
  `${HSM}/keys/write/action`,
  `${HSM}/keys/rotate/action`,
  `${HSM}/keys/create`,
  `${HSM}/keys/delete`,
  `${HSM}/keys/deletedKeys/read/action`,
  `${HSM}/keys/deletedKeys/recover/action`,
  `${HSM}/keys/deletedKeys/delete`,
  `${HSM}/keys/backup/action`,
  `${HSM}/keys/restore/action`,
  `${HSM}/keys/export/action`,
  `${HSM}/keys/release/action`,
  `${HSM}/keys/import/action`,
  `${HSM}/keys/encrypt/action`,
  `${HSM}/keys/decrypt/action`,
  `${HSM}/keys/wrap/action`,
  `${HSM}/keys/unwrap/action`,
  `${HSM}/keys/sign/action`,
  `${HSM}/keys/verify/action`,
  `${HSM}/roleAssignments/read/action`,
  `${HSM}/roleAssignments/write/action`,
  `${HSM}/roleAssignments/delete/action`,
  `${HSM}/roleDefinitions/read/action`,
  `${HSM}/roleDefinitions/write/action`,
  `${HSM}/roleDefinitions/delete/action`,
  `${HSM}/backup/start/action`,
  `${HSM}/backup/status/action`,
  `${HSM}/restore/start/action`,
  `${HSM}/restore/status/action`,
  `${HSM}/rng/action`,
];

/**
 * The control-plane actions our custom roles use, each documented (Microsoft.KeyVault and Microsoft.Insights operations).
 * @see https://learn.microsoft.com/azure/role-based-access-control/permissions/security#microsoftkeyvault
 * @see https://learn.microsoft.com/azure/role-based-access-control/permissions/monitor#microsoftinsights
 */
export const DOCUMENTED_CONTROL_ACTIONS: readonly string[] = [
  `${KV}/read`,
  `${KV}/keys/read`,
  `${KV}/keys/versions/read`,
  'Microsoft.Insights/diagnosticSettings/read',
];

/** Whether an action (no wildcards) is in one of the documented tables, compared as Azure does: case-insensitively. */
export function isDocumentedAction(action: string, table: readonly string[]): boolean {
  const a = action.toLowerCase();
  return table.some((t) => t.toLowerCase() === a);
}

/**
 * Key management without cryptographic use and without backup or restore, for the administrators' custom role.
 * Attribute updates (enable, disable, expiry, operations) are `keys/update/action`; `keys/write` is a control-plane
 * action, not a data action.
 */
export const VAULT_KEY_MANAGEMENT_DATA_ACTIONS = [
  `${KV}/keys/read`,
  `${KV}/keys/update/action`,
  `${KV}/keys/create/action`,
  `${KV}/keys/delete`,
  `${KV}/keys/rotate/action`,
  `${KV}/keys/recover/action`,
  `${KV}/keyrotationpolicies/read`,
  `${KV}/keyrotationpolicies/write`,
];

/** Purging a deleted key: destructive, so under dual control only through an approved activation. */
export const VAULT_KEY_PURGE_DATA_ACTIONS = [`${KV}/keys/purge/action`];

/**
 * Backup and restore: a key backup restores into any vault of the same subscription and geography, where whoever
 * restores it may hold a crypto role; so it is a custodian of its own (backup operators), never the administrators'.
 */
export const VAULT_KEY_BACKUP_DATA_ACTIONS = [`${KV}/keys/read`, `${KV}/keys/backup/action`, `${KV}/keys/restore/action`];

/**
 * What Terraform calls to create a key and its rotation policy (azurerm `azurerm_key_vault_key`: GetKey, CreateKey,
 * UpdateKeyRotationPolicy, GetKeyRotationPolicy). No delete, purge, backup, restore, recover or use.
 */
export const VAULT_DEPLOYER_DATA_ACTIONS = [
  `${KV}/keys/read`,
  `${KV}/keys/create/action`,
  `${KV}/keyrotationpolicies/read`,
  `${KV}/keyrotationpolicies/write`,
];

/**
 * What Terraform calls to change a deployed key (UpdateKey, before every rotation-policy change too). It can also disable
 * the key, so under dual control it stays with administrators, behind an approved activation.
 */
export const VAULT_DEPLOYER_UPDATE_DATA_ACTIONS = [`${KV}/keys/update/action`];

/**
 * The cryptographic operations on a key, each the data action `keys/<operation>/action` in a vault and in a Managed HSM
 * alike (both in the documented tables above).
 */
export const KEY_USE_OPERATIONS: readonly string[] = ['encrypt', 'decrypt', 'wrap', 'unwrap', 'sign', 'verify'];

/** Everything that uses key material (or hands it out, or replaces it): never for administrators. */
export const VAULT_CRYPTO_DATA_ACTIONS = [...KEY_USE_OPERATIONS, 'release', 'import'].map((op) => `${KV}/keys/${op}/action`);

/** What a key's users may do: read the key and use it; no update, backup or anything else ("Key Vault Crypto User" updates and backs up). */
export const VAULT_USE_DATA_ACTIONS = [`${KV}/keys/read`, ...KEY_USE_OPERATIONS.map((op) => `${KV}/keys/${op}/action`)];

/** Control-plane reads administrators need; vault writes (which can switch the permission model) stay with the pipeline. */
export const VAULT_ADMIN_ACTIONS = [
  `${KV}/read`,
  `${KV}/keys/read`,
  'Microsoft.Insights/diagnosticSettings/read',
];

/** Control-plane read the deployment principal's key calls need (azurerm looks the vault up before each key call). */
export const VAULT_DEPLOYER_ACTIONS = [`${KV}/read`];

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

/** Permissions of one role definition, as Azure evaluates them. */
export interface RolePermissions {
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly dataActions: readonly string[];
  readonly notDataActions: readonly string[];
}

const perms = (actions: string[], dataActions: string[]): RolePermissions => ({ actions, notActions: [], dataActions, notDataActions: [] });
const KV_READ_ACTIONS = [
  'Microsoft.Authorization/*/read', 'Microsoft.Insights/alertRules/*', 'Microsoft.Resources/deployments/*',
  'Microsoft.Resources/subscriptions/resourceGroups/read', 'Microsoft.Support/*', 'Microsoft.KeyVault/checkNameAvailability/read',
  'Microsoft.KeyVault/deletedVaults/read', 'Microsoft.KeyVault/locations/*/read', 'Microsoft.KeyVault/vaults/*/read',
  'Microsoft.KeyVault/operations/read',
];

/**
 * Permissions of the built-in Azure roles that bear on a key vault, by role name, as Microsoft documents them (for the
 * access matrix: a role assigned by name is evaluated from this table).
 * @see https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security
 * @see https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/general
 */
export const BUILT_IN_ROLE_PERMISSIONS: Record<string, RolePermissions> = {
  'Key Vault Administrator': perms(KV_READ_ACTIONS, [`${KV}/*`]),
  'Key Vault Crypto Officer': perms(KV_READ_ACTIONS, [`${KV}/keys/*`, `${KV}/keyrotationpolicies/*`]),
  'Key Vault Crypto User': perms([], [`${KV}/keys/read`, `${KV}/keys/update/action`, `${KV}/keys/backup/action`, `${KV}/keys/encrypt/action`,
    `${KV}/keys/decrypt/action`, `${KV}/keys/wrap/action`, `${KV}/keys/unwrap/action`, `${KV}/keys/sign/action`, `${KV}/keys/verify/action`]),
  'Key Vault Crypto Service Encryption User': perms(['Microsoft.EventGrid/eventSubscriptions/write', 'Microsoft.EventGrid/eventSubscriptions/read',
    'Microsoft.EventGrid/eventSubscriptions/delete'], [`${KV}/keys/read`, `${KV}/keys/wrap/action`, `${KV}/keys/unwrap/action`]),
  'Key Vault Crypto Service Release User': perms([], [`${KV}/keys/release/action`]),
  'Key Vault Reader': perms(KV_READ_ACTIONS, [`${KV}/*/read`, `${KV}/secrets/readMetadata/action`]),
  'Key Vault Contributor': {
    actions: ['Microsoft.Authorization/*/read', 'Microsoft.Insights/alertRules/*', 'Microsoft.KeyVault/*', 'Microsoft.Resources/deployments/*',
      'Microsoft.Resources/subscriptions/resourceGroups/read', 'Microsoft.Support/*'],
    notActions: ['Microsoft.KeyVault/locations/deletedVaults/purge/action', 'Microsoft.KeyVault/hsmPools/*', 'Microsoft.KeyVault/managedHsms/*'],
    dataActions: [],
    notDataActions: [],
  },
  // Its ABAC condition limits the roles it may assign to the Key Vault data roles, which include Crypto Officer: it
  // changes access all the same.
  'Key Vault Data Access Administrator': perms(['Microsoft.Authorization/roleAssignments/write', 'Microsoft.Authorization/roleAssignments/delete',
    'Microsoft.Authorization/*/read', 'Microsoft.KeyVault/vaults/*/read'], []),
  'Owner': perms(['*'], []),
  'Contributor': {
    actions: ['*'],
    notActions: ['Microsoft.Authorization/*/Delete', 'Microsoft.Authorization/*/Write',
      'Microsoft.Authorization/elevateAccess/Action'],
    dataActions: [],
    notDataActions: [],
  },
  'Reader': perms(['*/read'], []),
  'User Access Administrator': perms(['*/read', 'Microsoft.Authorization/*', 'Microsoft.Support/*'], []),
  'Role Based Access Control Administrator': perms(['Microsoft.Authorization/roleAssignments/write',
    'Microsoft.Authorization/roleAssignments/delete', '*/read', 'Microsoft.Support/*'], []),
};

/** The built-in role behind `KeyUserRole.SERVICE_ENCRYPTION_USER`; CRYPTO_USER is the vault's custom key-user role. */
export const USER_ROLE_NAME: Record<string, string> = {
  CRYPTO_USER: BUILT_IN.CRYPTO_USER,
  SERVICE_ENCRYPTION_USER: BUILT_IN.CRYPTO_SERVICE_ENCRYPTION_USER,
};

/** Managed HSM local role: key management, no cryptographic use, no export, no backup or restore. */
export const HSM_KEY_MANAGEMENT_DATA_ACTIONS = [
  `${HSM}/keys/read/action`,
  `${HSM}/keys/write/action`,
  `${HSM}/keys/create`,
  `${HSM}/keys/delete`,
  `${HSM}/keys/rotate/action`,
  `${HSM}/keys/deletedKeys/read/action`,
  `${HSM}/keys/deletedKeys/recover/action`,
  `${HSM}/roleAssignments/read/action`,
  `${HSM}/roleDefinitions/read/action`,
];

/** Managed HSM local role of backup operators: single-key backup and restore. */
export const HSM_KEY_BACKUP_DATA_ACTIONS = [`${HSM}/keys/read/action`, `${HSM}/keys/backup/action`, `${HSM}/keys/restore/action`];

/**
 * Managed HSM local role of the deployment principal: create keys, update them and their rotation policies (the key API
 * documents rotation-policy writes as needing the keys update permission, `keys/write/action` in local RBAC).
 * @see https://learn.microsoft.com/rest/api/keyvault/keys/update-key-rotation-policy
 */
export const HSM_DEPLOYER_DATA_ACTIONS = [`${HSM}/keys/read/action`, `${HSM}/keys/create`, `${HSM}/keys/write/action`];

/** Managed HSM local role: use of keys, nothing else. */
export const HSM_CRYPTO_DATA_ACTIONS = [`${HSM}/keys/read/action`, ...KEY_USE_OPERATIONS.map((op) => `${HSM}/keys/${op}/action`)];

/** What hands key material out of a Managed HSM: never for administrators (listed as not-data-actions of their role). */
export const HSM_EXPORT_DATA_ACTIONS = [`${HSM}/keys/export/action`, `${HSM}/keys/release/action`];

/** What a BYOK importer may do in a Managed HSM: read the key-exchange key, import. */
export const HSM_IMPORT_DATA_ACTIONS = [`${HSM}/keys/read/action`, `${HSM}/keys/import/action`];

/** Managed HSM built-in local roles, by id. */
export const HSM_BUILT_IN = {
  ADMINISTRATOR: 'a290e904-7015-4bba-90c8-60543313cdb4',
  CRYPTO_AUDITOR: '2c18b078-7c48-4d3a-af88-5a3a1b3f82b3',
  CRYPTO_SERVICE_ENCRYPTION_USER: '33413926-3206-4cdd-b39a-83574fe37a17',
  POLICY_ADMINISTRATOR: '4bd23610-cdcf-4971-bdee-bdc562cc28e4',
} as const;

/**
 * Data actions of the Managed HSM built-in local roles, by role id, as the permitted-operations table lists them.
 * @see https://learn.microsoft.com/azure/key-vault/managed-hsm/built-in-roles#permitted-operations
 */
export const HSM_BUILT_IN_ROLE_PERMISSIONS: Record<string, { readonly name: string; readonly dataActions: readonly string[] }> = {
  [HSM_BUILT_IN.ADMINISTRATOR]: {
    name: 'Managed HSM Administrator',
    dataActions: [`${HSM}/securitydomain/download/action`, `${HSM}/securitydomain/upload/action`, `${HSM}/securitydomain/upload/read`,
      `${HSM}/securitydomain/transferkey/read`, `${HSM}/roleAssignments/read/action`, `${HSM}/roleAssignments/write/action`,
      `${HSM}/roleAssignments/delete/action`, `${HSM}/roleDefinitions/read/action`, `${HSM}/roleDefinitions/write/action`,
      `${HSM}/roleDefinitions/delete/action`, `${HSM}/backup/start/action`, `${HSM}/backup/status/action`, `${HSM}/restore/start/action`,
      `${HSM}/restore/status/action`],
  },
  '515eb02d-2335-4d2d-92f2-b1cbdf9c3778': {
    name: 'Managed HSM Crypto Officer',
    dataActions: [`${HSM}/keys/deletedKeys/read/action`, `${HSM}/keys/deletedKeys/recover/action`, `${HSM}/keys/deletedKeys/delete`,
      `${HSM}/keys/export/action`, `${HSM}/roleAssignments/read/action`, `${HSM}/roleAssignments/write/action`,
      `${HSM}/roleAssignments/delete/action`, `${HSM}/roleDefinitions/read/action`, `${HSM}/roleDefinitions/write/action`,
      `${HSM}/roleDefinitions/delete/action`],
  },
  '21dbd100-6940-42c2-9190-5d6cb909625b': {
    name: 'Managed HSM Crypto User',
    dataActions: [`${HSM}/keys/read/action`, `${HSM}/keys/write/action`, `${HSM}/keys/rotate/action`, `${HSM}/keys/create`, `${HSM}/keys/delete`,
      `${HSM}/keys/backup/action`, `${HSM}/keys/restore/action`, `${HSM}/keys/release/action`, `${HSM}/keys/import/action`,
      `${HSM}/keys/encrypt/action`, `${HSM}/keys/decrypt/action`, `${HSM}/keys/wrap/action`, `${HSM}/keys/unwrap/action`,
      `${HSM}/keys/sign/action`, `${HSM}/keys/verify/action`, `${HSM}/roleAssignments/read/action`, `${HSM}/roleDefinitions/read/action`],
  },
  [HSM_BUILT_IN.POLICY_ADMINISTRATOR]: {
    name: 'Managed HSM Policy Administrator',
    dataActions: [`${HSM}/roleAssignments/read/action`, `${HSM}/roleAssignments/write/action`, `${HSM}/roleAssignments/delete/action`,
      `${HSM}/roleDefinitions/read/action`, `${HSM}/roleDefinitions/write/action`, `${HSM}/roleDefinitions/delete/action`],
  },
  [HSM_BUILT_IN.CRYPTO_AUDITOR]: {
    name: 'Managed HSM Crypto Auditor',
    dataActions: [`${HSM}/keys/read/action`, `${HSM}/keys/deletedKeys/read/action`, `${HSM}/roleAssignments/read/action`,
      `${HSM}/roleDefinitions/read/action`],
  },
  [HSM_BUILT_IN.CRYPTO_SERVICE_ENCRYPTION_USER]: {
    name: 'Managed HSM Crypto Service Encryption User',
    dataActions: [`${HSM}/keys/read/action`, `${HSM}/keys/wrap/action`, `${HSM}/keys/unwrap/action`],
  },
  '7b127d3c-77bd-4e3e-bbe0-dbb8971fa7f8': {
    name: 'Managed HSM Backup',
    dataActions: [`${HSM}/keys/backup/action`, `${HSM}/backup/start/action`, `${HSM}/backup/status/action`],
  },
};

/** The id Managed HSM local RBAC uses for a role definition. */
export function hsmRoleDefinitionId(guid: string): string {
  return `/Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
}
