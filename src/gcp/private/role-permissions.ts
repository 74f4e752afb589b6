/*
 * The Cloud KMS permissions of each predefined role this library grants, and of the administrators' custom role, for
 * the access matrix. Taken from Google's role reference (the `includedPermissions` of each role, as the IAM API
 * `roles.get` returns them):
 * @see https://cloud.google.com/iam/docs/roles-permissions/cloudkms
 * @see https://cloud.google.com/kms/docs/reference/permissions-and-roles
 * Only `cloudkms.*` permissions are listed: the matrix is about keys. `resourcemanager.projects.get` and
 * `cloudkms.locations.*` (in every Cloud KMS role) reach no key.
 */
import { ROLES } from './roles';

/**
 * "Cloud KMS Admin" (roles/cloudkms.admin): what bears on keys, key rings, import jobs and EKM, and the location and project
 * reads every Cloud KMS role carries (left out: Autokey, Key Access Justifications, key handles, operations, retired
 * resources and single-tenant HSM permissions, which reach no key of this library).
 */
export const KMS_ADMIN_PERMISSIONS = [
  'cloudkms.cryptoKeyVersions.create',
  'cloudkms.cryptoKeyVersions.delete',
  'cloudkms.cryptoKeyVersions.destroy',
  'cloudkms.cryptoKeyVersions.get',
  'cloudkms.cryptoKeyVersions.list',
  'cloudkms.cryptoKeyVersions.restore',
  'cloudkms.cryptoKeyVersions.trustedImportExport',
  'cloudkms.cryptoKeyVersions.update',
  // Cryptographic use through services such as BigQuery's AEAD functions with KMS-wrapped keysets.
  'cloudkms.cryptoKeyVersions.useToDecryptViaDelegation',
  'cloudkms.cryptoKeyVersions.useToEncryptViaDelegation',
  'cloudkms.cryptoKeys.create',
  'cloudkms.cryptoKeys.delete',
  'cloudkms.cryptoKeys.get',
  'cloudkms.cryptoKeys.getIamPolicy',
  'cloudkms.cryptoKeys.list',
  'cloudkms.cryptoKeys.setIamPolicy',
  'cloudkms.cryptoKeys.update',
  'cloudkms.ekmConfigs.get',
  'cloudkms.ekmConfigs.getIamPolicy',
  'cloudkms.ekmConfigs.setIamPolicy',
  'cloudkms.ekmConfigs.update',
  'cloudkms.ekmConnections.create',
  'cloudkms.ekmConnections.get',
  'cloudkms.ekmConnections.getIamPolicy',
  'cloudkms.ekmConnections.list',
  'cloudkms.ekmConnections.setIamPolicy',
  'cloudkms.ekmConnections.update',
  'cloudkms.ekmConnections.use',
  'cloudkms.ekmConnections.verifyConnectivity',
  'cloudkms.importJobs.create',
  'cloudkms.importJobs.delete',
  'cloudkms.importJobs.get',
  'cloudkms.importJobs.getIamPolicy',
  'cloudkms.importJobs.list',
  'cloudkms.importJobs.setIamPolicy',
  'cloudkms.importJobs.useToImport',
  'cloudkms.keyRings.create',
  'cloudkms.keyRings.createTagBinding',
  'cloudkms.keyRings.delete',
  'cloudkms.keyRings.deleteTagBinding',
  'cloudkms.keyRings.get',
  'cloudkms.keyRings.getIamPolicy',
  'cloudkms.keyRings.list',
  'cloudkms.keyRings.listEffectiveTags',
  'cloudkms.keyRings.listTagBindings',
  'cloudkms.keyRings.setIamPolicy',
  'cloudkms.locations.get',
  'cloudkms.locations.list',
  'resourcemanager.projects.get',
];

/** "Cloud KMS Viewer" (roles/cloudkms.viewer), key-related part. */
const KMS_VIEWER_PERMISSIONS = [
  'cloudkms.cryptoKeyVersions.get',
  'cloudkms.cryptoKeyVersions.list',
  'cloudkms.cryptoKeys.get',
  'cloudkms.cryptoKeys.list',
  'cloudkms.ekmConnections.get',
  'cloudkms.ekmConnections.list',
  'cloudkms.importJobs.get',
  'cloudkms.importJobs.list',
  'cloudkms.keyRings.get',
  'cloudkms.keyRings.list',
];

/**
 * The administrators' custom role: managing keys (new versions, rotation schedule, primary version, labels, enabling and
 * disabling, scheduling destruction and restoring), with nothing that reaches key material or changes who may:
 * - no `setIamPolicy` on keys, key rings, import jobs or EKM resources (an administrator could grant themselves use);
 * - no `useTo*` permission, including `useTo{En,De}cryptViaDelegation`, which "Cloud KMS Admin" holds;
 * - no import (`importJobs.create`/`useToImport`, `cryptoKeyVersions.trustedImportExport`): importers do that;
 * - no EKM connection changes (`ekmConnections.create`/`update`/`use`): re-pointing an external key is a path to
 *   key material the deployment identity keeps;
 * - no tag bindings (tags can lift an IAM deny policy or a conditional grant);
 * - no key or key ring deletion (`cryptoKeys.delete`, `cryptoKeyVersions.delete`): Terraform keeps them (`prevent_destroy`);
 * - no Autokey, Key Access Justifications or single-tenant HSM configuration.
 * `cryptoKeyVersions.destroy` and `restore` stay: destroying a version is key management (NIST SP 800-57 key states),
 * and restore is what makes the destroy-scheduled period a safeguard. Under dual control administrators hold the role
 * only inside an approved Privileged Access Manager grant.
 * Every permission here is in "Cloud KMS Admin" (documented, and a test checks it). Custom-role support: Google's
 * table (https://cloud.google.com/iam/docs/custom-roles-permissions-support) could not be read where this was written;
 * each of these permissions is used in public `google_project_iam_custom_role` configurations, and none is one of
 * the delegation or single-tenant HSM permissions most likely to be restricted. Terraform reports an unsupported
 * permission when it creates the role, before any binding uses it.
 */
export const KEY_ADMINISTRATOR_PERMISSIONS = [
  'cloudkms.cryptoKeyVersions.create',
  'cloudkms.cryptoKeyVersions.destroy',
  'cloudkms.cryptoKeyVersions.get',
  'cloudkms.cryptoKeyVersions.list',
  'cloudkms.cryptoKeyVersions.restore',
  'cloudkms.cryptoKeyVersions.update',
  'cloudkms.cryptoKeys.create',
  'cloudkms.cryptoKeys.get',
  'cloudkms.cryptoKeys.getIamPolicy',
  'cloudkms.cryptoKeys.list',
  'cloudkms.cryptoKeys.update',
  'cloudkms.importJobs.get',
  'cloudkms.importJobs.list',
  'cloudkms.keyRings.get',
  'cloudkms.keyRings.getIamPolicy',
  'cloudkms.keyRings.list',
  'cloudkms.locations.get',
  'cloudkms.locations.list',
  'resourcemanager.projects.get',
];

/**
 * Permissions that re-point an external key (Cloud EKM): a new version, or a version's new external key URI, sends the
 * key's users' plaintext to whatever key manager it names. For external keys they change who holds the key material,
 * so the deployment identity keeps them.
 */
export const EXTERNAL_KEY_REPOINTING = ['cloudkms.cryptoKeyVersions.create', 'cloudkms.cryptoKeyVersions.update', 'cloudkms.cryptoKeys.update'];

/**
 * The administrators' role for key rings of external keys (HyokExternalStore): the key administrator role without
 * re-pointing. Disabling and destroying the key material happen in the customer's key manager; destroy and restore of a
 * version stay here.
 */
export const EXTERNAL_KEY_ADMINISTRATOR_PERMISSIONS = KEY_ADMINISTRATOR_PERMISSIONS.filter((p) => !EXTERNAL_KEY_REPOINTING.includes(p));

/** Permissions of the predefined roles the library binds (and of roles that reach no key). */
export const ROLE_PERMISSIONS: Record<string, string[]> = {
  [ROLES.KMS_ADMIN]: KMS_ADMIN_PERMISSIONS,
  [ROLES.KMS_VIEWER]: KMS_VIEWER_PERMISSIONS,
  [ROLES.KMS_IMPORTER]: ['cloudkms.cryptoKeyVersions.trustedImportExport', 'cloudkms.importJobs.create', 'cloudkms.importJobs.get',
    'cloudkms.importJobs.list', 'cloudkms.importJobs.useToImport'],
  [ROLES.ENCRYPTER_DECRYPTER]: ['cloudkms.cryptoKeyVersions.useToDecrypt', 'cloudkms.cryptoKeyVersions.useToEncrypt'],
  [ROLES.ENCRYPTER]: ['cloudkms.cryptoKeyVersions.useToEncrypt'],
  [ROLES.DECRYPTER]: ['cloudkms.cryptoKeyVersions.useToDecrypt'],
  [ROLES.SIGNER_VERIFIER]: ['cloudkms.cryptoKeyVersions.useToSign', 'cloudkms.cryptoKeyVersions.useToVerify', 'cloudkms.cryptoKeyVersions.viewPublicKey'],
  [ROLES.PUBLIC_KEY_VIEWER]: ['cloudkms.cryptoKeyVersions.viewPublicKey'],
  // Other Cloud KMS roles, so that a binding of one (by hand, or by another construct) is read rather than assumed maximal.
  'roles/cloudkms.signer': ['cloudkms.cryptoKeyVersions.useToSign'],
  'roles/cloudkms.verifier': ['cloudkms.cryptoKeyVersions.useToVerify', 'cloudkms.cryptoKeyVersions.viewPublicKey'],
  [ROLES.DECAPSULATOR]: ['cloudkms.cryptoKeyVersions.useToDecapsulate', 'cloudkms.cryptoKeyVersions.viewPublicKey'],
  'roles/cloudkms.cryptoOperator': ['cloudkms.cryptoKeyVersions.useToDecapsulate', 'cloudkms.cryptoKeyVersions.useToDecrypt',
    'cloudkms.cryptoKeyVersions.useToEncrypt', 'cloudkms.cryptoKeyVersions.useToSign', 'cloudkms.cryptoKeyVersions.useToVerify',
    'cloudkms.cryptoKeyVersions.viewPublicKey'],
  'roles/cloudkms.cryptoKeyEncrypterViaDelegation': ['cloudkms.cryptoKeyVersions.useToEncryptViaDelegation'],
  'roles/cloudkms.cryptoKeyDecrypterViaDelegation': ['cloudkms.cryptoKeyVersions.useToDecryptViaDelegation'],
  'roles/cloudkms.cryptoKeyEncrypterDecrypterViaDelegation': ['cloudkms.cryptoKeyVersions.useToDecryptViaDelegation',
    'cloudkms.cryptoKeyVersions.useToEncryptViaDelegation'],
  'roles/cloudkms.ekmConnectionsAdmin': ['cloudkms.ekmConfigs.get', 'cloudkms.ekmConfigs.update', 'cloudkms.ekmConnections.create',
    'cloudkms.ekmConnections.get', 'cloudkms.ekmConnections.list', 'cloudkms.ekmConnections.update', 'cloudkms.ekmConnections.verifyConnectivity'],
  'roles/cloudkms.protectedResourcesViewer': ['cloudkms.protectedResources.search'],
  'roles/cloudkms.autokeyAdmin': ['cloudkms.autokeyConfigs.get', 'cloudkms.autokeyConfigs.update', 'cloudkms.folders.showEffectiveAutokeyConfig',
    'cloudkms.projects.showEffectiveAutokeyConfig'],
  'roles/cloudkms.autokeyUser': ['cloudkms.keyHandles.create', 'cloudkms.keyHandles.get', 'cloudkms.keyHandles.list', 'cloudkms.operations.get',
    'cloudkms.projects.showEffectiveAutokeyConfig'],
  // Roles on buckets, log views and Service Directory: no Cloud KMS permission.
  [ROLES.STORAGE_OBJECT_CREATOR]: [],
  [ROLES.STORAGE_OBJECT_VIEWER]: [],
  [ROLES.LOG_VIEW_ACCESSOR]: [],
  [ROLES.SERVICE_DIRECTORY_VIEWER]: [],
  [ROLES.SERVICE_DIRECTORY_PSC]: [],
};

/** The access matrix's action classes and the Cloud KMS permissions each covers. */
export const GCP_ACTION_CLASSES: Record<string, string[]> = {
  'use': ['cloudkms.cryptoKeyVersions.useToEncrypt', 'cloudkms.cryptoKeyVersions.useToDecrypt', 'cloudkms.cryptoKeyVersions.useToSign',
    'cloudkms.cryptoKeyVersions.useToVerify', 'cloudkms.cryptoKeyVersions.useToDecapsulate', 'cloudkms.cryptoKeyVersions.viewPublicKey',
    'cloudkms.cryptoKeyVersions.useToEncryptViaDelegation', 'cloudkms.cryptoKeyVersions.useToDecryptViaDelegation'],
  'manage': ['cloudkms.cryptoKeys.create', 'cloudkms.cryptoKeys.update', 'cloudkms.cryptoKeyVersions.create', 'cloudkms.cryptoKeyVersions.restore',
    'cloudkms.ekmConnections.create', 'cloudkms.ekmConnections.update', 'cloudkms.ekmConnections.use', 'cloudkms.keyRings.createTagBinding',
    'cloudkms.keyRings.deleteTagBinding'],
  'change access': ['cloudkms.cryptoKeys.setIamPolicy', 'cloudkms.keyRings.setIamPolicy', 'cloudkms.importJobs.setIamPolicy',
    'cloudkms.ekmConnections.setIamPolicy', 'cloudkms.ekmConfigs.setIamPolicy'],
  'destroy/disable': ['cloudkms.cryptoKeyVersions.destroy', 'cloudkms.cryptoKeyVersions.update', 'cloudkms.cryptoKeyVersions.delete',
    'cloudkms.cryptoKeys.delete', 'cloudkms.keyRings.delete'],
  'import': ['cloudkms.importJobs.create', 'cloudkms.importJobs.useToImport', 'cloudkms.cryptoKeyVersions.trustedImportExport'],
  'audit-read': ['cloudkms.cryptoKeys.get', 'cloudkms.cryptoKeys.list', 'cloudkms.cryptoKeyVersions.get', 'cloudkms.cryptoKeyVersions.list',
    'cloudkms.keyRings.get', 'cloudkms.cryptoKeys.getIamPolicy', 'cloudkms.keyRings.getIamPolicy'],
};

/** Permissions an administrator must never hold: every use and every change of access. */
export const ADMINISTRATOR_FORBIDDEN = [...GCP_ACTION_CLASSES.use, ...GCP_ACTION_CLASSES['change access']];
