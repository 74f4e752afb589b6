/*
 * The audit-log entries the Google Cloud KeyAuditSink raises alerts on, in one place: Cloud Logging query language
 * filters for log-based metrics and log-based alerting policies.
 *
 * Method names: the Cloud KMS audit-logging page lists KeyManagementService methods by their short names
 * (`DestroyCryptoKeyVersion`), while its per-interface sections and the client libraries use the fully qualified name
 * (`google.cloud.kms.v1.KeyManagementService.DestroyCryptoKeyVersion`); every KMS filter matches both, so an entry
 * written either way is counted.
 * @see https://cloud.google.com/kms/docs/audit-logging
 * @see https://cloud.google.com/logging/docs/view/logging-query-language
 */

/** Both spellings of a Cloud KMS method name in `protoPayload.methodName`. */
function kmsMethods(service: string, methods: string[]): string[] {
  return methods.flatMap((m) => [m, `google.cloud.kms.v1.${service}.${m}`]);
}

function anyOf(values: string[]): string {
  return `(${values.map((v) => JSON.stringify(v)).join(' OR ')})`;
}

/** Cloud KMS audit entries only: the audit logs' names, the Cloud KMS service. */
const KMS_AUDIT = 'logName:"cloudaudit.googleapis.com" AND protoPayload.serviceName="cloudkms.googleapis.com"';

/** One alert: what it watches, the metric filter, how many entries in how long raise it. */
export interface AuditAlert {
  /** Construct id and metric name suffix. */
  readonly id: string;
  /** Title of the alert policy and of the notification. */
  readonly title: string;
  /** Why it matters, for the notification's documentation. */
  readonly why: string;
  /** The methods it matches (for the evidence ledger and tests). */
  readonly methods: string[];
  /** Cloud Logging filter of the log-based metric. */
  readonly filter: string;
}

const DESTROY = kmsMethods('KeyManagementService', ['DestroyCryptoKeyVersion']);
// UpdateCryptoKeyVersion changes only a version's state (ENABLED <-> DISABLED) and, for EKM keys, its external key path:
// both are critical, so every call is counted. There is no DisableCryptoKeyVersion method.
// https://cloud.google.com/kms/docs/reference/rest/v1/projects.locations.keyRings.cryptoKeys.cryptoKeyVersions/patch
const UPDATE_VERSION = kmsMethods('KeyManagementService', ['UpdateCryptoKeyVersion']);
const IMPORT = kmsMethods('KeyManagementService', ['ImportCryptoKeyVersion']);
// A key's rotation schedule, labels, or which version encrypts (the primary): rotation turned off is the AWS
// DisableKeyRotation of Cloud KMS.
const UPDATE_KEY = kmsMethods('KeyManagementService', ['UpdateCryptoKey', 'UpdateCryptoKeyPrimaryVersion']);
// IAM on key rings, keys, import jobs and EKM connections: Cloud KMS logs it under its own service name.
const SET_IAM = ['SetIamPolicy', 'google.iam.v1.IAMPolicy.SetIamPolicy'];
const EKM = kmsMethods('EkmService', ['CreateEkmConnection', 'UpdateEkmConnection', 'UpdateEkmConfig']);
const DECRYPT = kmsMethods('KeyManagementService', ['Decrypt', 'AsymmetricDecrypt']);

/** gRPC status code PERMISSION_DENIED, as audit entries record it in `protoPayload.status.code`. */
export const PERMISSION_DENIED = 7;

/** The Cloud KMS events that raise an alert (NIST AU-6, SOC 2 CC7.2). */
export const KMS_ALERTS: AuditAlert[] = [
  {
    id: 'KeyVersionDestroyed',
    title: 'Cloud KMS key version scheduled for destruction',
    why: 'A destroyed key version makes everything encrypted under it unreadable; restore it before the scheduled destruction time if this was not approved.',
    methods: DESTROY,
    filter: `${KMS_AUDIT} AND protoPayload.methodName=${anyOf(DESTROY)}`,
  },
  {
    id: 'KeyVersionStateChanged',
    title: 'Cloud KMS key version disabled, enabled or re-pointed',
    why: 'UpdateCryptoKeyVersion changes a version\'s state (disabling cuts off every user of the key) or an external key\'s path.',
    methods: UPDATE_VERSION,
    filter: `${KMS_AUDIT} AND protoPayload.methodName=${anyOf(UPDATE_VERSION)}`,
  },
  {
    id: 'KmsIamChanged',
    title: 'IAM policy changed on a Cloud KMS resource',
    why: 'A new binding on a key ring or key can give someone use of key material; IAM on keys changes only through the deployment.',
    methods: SET_IAM,
    filter: `${KMS_AUDIT} AND protoPayload.methodName=${anyOf(SET_IAM)}`,
  },
  {
    id: 'KeySettingsChanged',
    title: 'Cloud KMS key rotation schedule or primary version changed',
    why: 'UpdateCryptoKey can turn rotation off or lengthen it; UpdateCryptoKeyPrimaryVersion changes which version encrypts new data.',
    methods: UPDATE_KEY,
    filter: `${KMS_AUDIT} AND protoPayload.methodName=${anyOf(UPDATE_KEY)}`,
  },
  {
    // Roles granted on the project reach every key in it: the Cloud KMS roles, and the basic roles that include Cloud KMS
    // permissions. Approved Privileged Access Manager grants show here too, which is intended: just-in-time
    // administration stays visible. Grants on a folder or the organization are logged there, not in this project.
    // CIS Google Cloud Foundations 2.4 watches the same policyDelta field for project ownership.
    id: 'ProjectKmsRoleGranted',
    title: 'Cloud KMS, Owner or Editor role changed on the project',
    why: 'A project-level binding of a Cloud KMS role (or Owner / Editor) applies to every key ring and key of the project.',
    methods: ['SetIamPolicy (bindingDeltas.role roles/cloudkms.*, roles/owner, roles/editor)'],
    filter: 'logName:"cloudaudit.googleapis.com" AND resource.type="project" AND protoPayload.methodName="SetIamPolicy" AND ' +
      '(protoPayload.serviceData.policyDelta.bindingDeltas.role:"roles/cloudkms." OR ' +
      'protoPayload.serviceData.policyDelta.bindingDeltas.role="roles/owner" OR protoPayload.serviceData.policyDelta.bindingDeltas.role="roles/editor")',
  },
  {
    id: 'KeyVersionImported',
    title: 'Key material imported into Cloud KMS',
    why: 'Imported key material should only arrive in an approved key ceremony.',
    methods: IMPORT,
    filter: `${KMS_AUDIT} AND protoPayload.methodName=${anyOf(IMPORT)}`,
  },
  {
    id: 'EkmConnectionChanged',
    title: 'Cloud EKM connection or EKM configuration changed',
    why: 'An EKM connection decides which external key manager holds the key material of EXTERNAL_VPC keys.',
    methods: EKM,
    filter: `${KMS_AUDIT} AND protoPayload.methodName=${anyOf(EKM)}`,
  },
  {
    id: 'DecryptDenied',
    title: 'Denied Cloud KMS decrypt requests',
    why: 'Decrypt calls refused for lack of permission: a misconfigured service, or someone probing for key access.',
    methods: DECRYPT,
    filter: `${KMS_AUDIT} AND protoPayload.methodName=${anyOf(DECRYPT)} AND protoPayload.status.code=${PERMISSION_DENIED}`,
  },
];

/** Log router configuration: sinks (the `_Default` sink's exclusions included), log buckets, exclusions, CMEK settings. */
export const LOGGING_CONFIG_METHODS = [
  'UpdateSink', 'DeleteSink', 'UpdateBucket', 'UpdateBucketAsync', 'DeleteBucket', 'CreateExclusion', 'UpdateExclusion',
  'UpdateSettings', 'UpdateCmekSettings',
].map((m) => `google.logging.v2.ConfigServiceV2.${m}`);
/** The log-based metrics the alerts count with. */
export const LOG_METRIC_METHODS = ['UpdateLogMetric', 'DeleteLogMetric'].map((m) => `google.logging.v2.MetricsServiceV2.${m}`);
/**
 * The alert policies, the notification channels and snoozes. A snooze keeps the alert policies it names from opening
 * incidents (and closes open ones) for its interval, so creating one, or moving its end, silences alerts without
 * touching a policy or a channel; the Snooze API has no delete, an active snooze is ended by UpdateSnooze. Method names
 * as the Cloud Monitoring audit logs write them (`google.monitoring.v3.<service>.<method>`, service SnoozeService).
 * @see https://cloud.google.com/monitoring/audit-logging
 * @see https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.snoozes
 * @see https://cloud.google.com/monitoring/alerts/snooze
 */
export const MONITORING_METHODS = [
  'google.monitoring.v3.AlertPolicyService.UpdateAlertPolicy', 'google.monitoring.v3.AlertPolicyService.DeleteAlertPolicy',
  'google.monitoring.v3.NotificationChannelService.UpdateNotificationChannel',
  'google.monitoring.v3.NotificationChannelService.DeleteNotificationChannel',
  'google.monitoring.v3.SnoozeService.CreateSnooze', 'google.monitoring.v3.SnoozeService.UpdateSnooze',
];
/**
 * Cloud Storage bucket configuration (Admin Activity): IAM, bucket metadata (retention policy, lifecycle rules, which
 * Cloud Audit Logs do not log the deletions of), bucket deletion.
 * @see https://cloud.google.com/storage/docs/audit-logging
 */
export const STORAGE_BUCKET_METHODS = ['storage.setIamPermissions', 'storage.buckets.update', 'storage.buckets.delete'];

/**
 * Attempts to change the audit trail (PCI DSS 10.3.4), all from Admin Activity audit logs, which are always written and
 * cannot be excluded or turned off. `bucketName` is the audit Cloud Storage bucket, if there is one.
 * @see https://cloud.google.com/logging/docs/audit#admin-activity
 */
export function trailAlerts(bucketName?: string): AuditAlert[] {
  const audit = 'logName:"cloudaudit.googleapis.com"';
  const alerts: AuditAlert[] = [
    {
      id: 'LogRoutingChanged',
      title: 'Cloud Logging sinks, log buckets, exclusions or log-based metrics changed',
      why: 'A changed sink, exclusion or log bucket can stop audit records reaching the write-once store; a changed metric can silence these alerts.',
      methods: [...LOGGING_CONFIG_METHODS, ...LOG_METRIC_METHODS],
      filter: `${audit} AND protoPayload.serviceName="logging.googleapis.com" AND protoPayload.methodName=${anyOf([...LOGGING_CONFIG_METHODS, ...LOG_METRIC_METHODS])}`,
    },
    {
      // CIS Google Cloud Foundations 2.5: audit configuration changes.
      id: 'AuditConfigChanged',
      title: 'Audit log configuration (Data Access logs) changed',
      why: 'Turning Data Access logs off for Cloud KMS would stop recording every decrypt and sign.',
      methods: ['SetIamPolicy (auditConfigDeltas)'],
      filter: `${audit} AND protoPayload.methodName="SetIamPolicy" AND protoPayload.serviceData.policyDelta.auditConfigDeltas:*`,
    },
    {
      // A policy changed or deleted is reported by this one; this one deleted first is not (only recorded, in _Required).
      // A snooze that names this policy too silences its own report. The KeyAuditSink sends this alert to the escalation
      // channels as well, so a disabled or deleted alert channel is not reported only to itself.
      id: 'AlertingChanged',
      title: 'Cloud Monitoring alert policies, notification channels or snoozes changed',
      why: 'Someone about to tamper with keys or the audit trail would first silence the alerts: a disabled or deleted channel, a changed policy, or a snooze.',
      methods: MONITORING_METHODS,
      filter: `${audit} AND protoPayload.serviceName="monitoring.googleapis.com" AND protoPayload.methodName=${anyOf(MONITORING_METHODS)}`,
    },
  ];
  if (bucketName !== undefined) {
    alerts.unshift({
      id: 'AuditBucketChanged',
      title: 'Audit bucket IAM, retention, lifecycle or existence changed',
      why: 'The audit records\' bucket: a new reader or writer, a lifecycle rule, or an attempt to delete it.',
      methods: STORAGE_BUCKET_METHODS,
      filter: `${audit} AND resource.type="gcs_bucket" AND resource.labels.bucket_name="${bucketName}" ` +
        `AND protoPayload.methodName=${anyOf(STORAGE_BUCKET_METHODS)}`,
    });
  }
  return alerts;
}
