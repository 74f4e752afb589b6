import { Period } from '../core/period';
import { ComplianceProfile } from '../core/profile';

/** Where the audit logs are kept. */
export enum AuditDestination {
  /** A Cloud Storage bucket with a (locked) retention policy: up to 100 years, cheapest for long retention. */
  STORAGE_BUCKET = 'STORAGE_BUCKET',
  /** A Cloud Logging log bucket with (locked) retention: up to 3650 days, queryable in Logs Explorer. */
  LOG_BUCKET = 'LOG_BUCKET',
}

/**
 * Properties of a Google Cloud `KeyAuditSink`.
 */
export interface KeyAuditSinkProps {
  /** The project whose Cloud KMS audit logs are collected (and where the sink and bucket live). */
  readonly project: string;
  /** Location of the bucket, e.g. `EU`, `europe-west1` (a log bucket needs a region or `global`). */
  readonly location: string;

  /**
   * The profile whose retention and immutability rules the sink follows.
   * @default ComplianceProfile.COMMERCIAL
   */
  readonly profile?: ComplianceProfile;

  /**
   * How long audit records are kept: whole days, a literal period (a token is refused: a locked retention policy
   * cannot be shortened, so it is checked against the profile before deployment).
   * @default - the profile's audit retention
   */
  readonly retention?: Period;

  /**
   * Where the logs go.
   * @default AuditDestination.STORAGE_BUCKET
   */
  readonly destination?: AuditDestination;

  /**
   * Lock the retention policy, so no one can shorten it or delete a record before it ends. Locking is permanent,
   * so `acknowledgeLockedRetention` must be set.
   * @default true
   * @see https://cloud.google.com/storage/docs/bucket-lock
   */
  readonly immutable?: boolean;

  /**
   * Confirms you know a locked retention policy is permanent: the bucket and its records cannot be deleted before
   * the period ends. Required when `immutable` is true.
   * @default false
   */
  readonly acknowledgeLockedRetention?: boolean;

  /**
   * IAM members who may read the audit records (object viewer on the bucket, or view access to the log bucket).
   * @default - none
   */
  readonly auditors?: string[];

  /**
   * Name of the Cloud Storage bucket (globally unique) or the log bucket id.
   * @default - a Cloud Storage bucket: the construct's id and a hash of the project and construct path (README "Names",
   * `NamingContext`); a log bucket: derived from the construct path
   */
  readonly bucketName?: string;

  /**
   * E-mail addresses notified when an alert fires (a Cloud Monitoring e-mail notification channel each). Under a
   * profile that requires an audit sink, at least one address or one `notificationChannels` entry is required: an
   * alert that notifies nobody is not reviewed (NIST AU-6, SOC 2 CC7.2, PCI DSS 10.3.4).
   * @default - none
   * @see https://cloud.google.com/monitoring/support/notification-options#email
   */
  readonly notificationEmails?: string[];

  /**
   * Existing Cloud Monitoring notification channels the alerts also notify (webhook, Pub/Sub, PagerDuty, ...), as
   * `projects/<project>/notificationChannels/<id>`.
   * @default - none
   * @see https://cloud.google.com/monitoring/support/notification-options
   */
  readonly notificationChannels?: string[];

  /**
   * E-mail addresses that receive the alert on changes to alert policies, notification channels and snoozes, besides
   * the usual recipients (an e-mail notification channel each, used by no other alert). Without an escalation recipient
   * a disabled or deleted alert channel is reported only to the channels that may have been silenced, and the evidence
   * for NIST AU-6, SOC 2 CC7.2 and PCI DSS 10.3.4 is only partially satisfied. Must not repeat `notificationEmails`.
   * @default - none
   */
  readonly escalationEmails?: string[];

  /**
   * Existing Cloud Monitoring notification channels (`projects/<project>/notificationChannels/<id>`) that receive the
   * alert on changes to alert policies, notification channels and snoozes, besides the usual recipients; e.g. an
   * on-call pager that the security team's e-mail does not depend on. Must not repeat `notificationChannels`.
   * @default - none
   */
  readonly escalationChannels?: string[];

  /**
   * Whether this sink turns on Data Access audit logs for Cloud KMS in its project (`google_project_iam_audit_config`).
   * That resource is authoritative for the service and project: two stacks that both manage it overwrite each other on
   * every apply, and destroying either turns the logs off for both. Give exactly one sink per project `true`; set
   * `false` on the others (an error names both when two sinks of this app manage the same project). With `false` the
   * evidence names the sink of this app that does manage it, or, if none does, records the Data Access logs as only
   * partially evidenced, as this app cannot see who turns them on.
   * @default true
   * @see https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/google_project_iam#google_project_iam_audit_config
   */
  readonly manageDataAccessLogs?: boolean;
}
