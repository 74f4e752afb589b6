/*
 * Key-policy statement ids, free of aws-cdk-lib so the rule pack and the cloud-kms CLI (installed without peers) can
 * read them.
 * Outside private/: the compliance rule pack reads synthesized key policies with the same vocabulary the constructs
 * write them with. Not exported from the package (src/aws/index.ts leaves it out): an internal contract.
 */

/** Statement ids, so tests and auditors can find each rule. */
export const SID = {
  DELEGATE_TO_IAM: 'EnableIamUserPermissions',
  ADMINISTER: 'AllowKeyAdministration',
  DEPLOY: 'AllowCloudFormationDeployment',
  DENY_ADMIN_USE: 'DenyCryptographicUseByAdministrators',
  USE: 'AllowKeyUse',
  SERVICE_GRANTS: 'AllowGrantsForAwsResources',
  DENY_USER_ADMIN: 'DenyKeyManagementByUsers',
  AUDIT: 'AllowAuditorsReadOnly',
  DENY_AUDITOR: 'DenyAuditorsAnythingButRead',
  /** Approvers read the key and its policy (to review a proposal); they approve through the gate, not KMS. */
  APPROVE: 'AllowApproversReviewOnly',
  /** A colleague's access matrix labels this principal "only through the dual-control gate": keep the name. */
  EXECUTOR: 'AllowDualControlExecutor',
  DENY_UNAPPROVED: 'DenyDualControlOperationsExceptExecutor',
  DENY_EXECUTOR_USE: 'DenyCryptographicUseByExecutor',
  DENY_REPLICA_REGION: 'DenyReplicationOutsideAllowedRegions',
  DENY_REPLICATION: 'DenyReplicationExceptDeployment',
  /** Prefix: followed by the replica region without dashes (AllowReplicaCreationeucentral1). */
  REPLICATE: 'AllowReplicaCreation',
  /** A gated replica's policy: the replica stack's check (Custom::CloudKmsReplicaCheck) reads the replica, nothing else. */
  CHECK_REPLICA: 'AllowReplicaCheckReadOnly',
  DENY_NON_SERVICE_GRANTS: 'DenyGrantsNotForAwsResources',
  IMPORT: 'AllowKeyMaterialImport',
  DENY_IMPORTER: 'DenyImportersAnythingButImport',
  DENY_IMPORT_NO_MFA: 'DenyImportWithoutMfa',
  /** Signing keys whose spec pins its algorithms (ML-DSA): Sign and Verify with any other algorithm are denied to all. */
  DENY_OTHER_SIGNING_ALGORITHMS: 'DenySigningWithOtherAlgorithms',
} as const;
