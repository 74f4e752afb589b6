import { LoggingMetric } from '@cdktf/provider-google/lib/logging-metric';
import { LoggingProjectBucketConfig } from '@cdktf/provider-google/lib/logging-project-bucket-config';
import { LoggingProjectSink } from '@cdktf/provider-google/lib/logging-project-sink';
import { MonitoringAlertPolicy } from '@cdktf/provider-google/lib/monitoring-alert-policy';
import { MonitoringNotificationChannel } from '@cdktf/provider-google/lib/monitoring-notification-channel';
import { ProjectIamAuditConfig } from '@cdktf/provider-google/lib/project-iam-audit-config';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { StorageBucket } from '@cdktf/provider-google/lib/storage-bucket';
import { StorageBucketIamMember } from '@cdktf/provider-google/lib/storage-bucket-iam-member';
import { TerraformStack, Token } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { gcpAssignments } from './custodians';
import { Control } from '../core/controls';
import { CustodianRole } from '../core/custodians';
import { EvidenceLedger, EvidenceStatus } from '../core/evidence';
import { stableGuid, stableName } from '../core/naming';
import { AuditAlert, KMS_ALERTS, trailAlerts } from './private/audit-alerts';
import { GCP_GLOBAL_NAMES, gcpGlobalName } from './private/naming';
import { Period } from '../core/period';
import { ComplianceProfile } from '../core/profile';
import { days, requireDefined, requireMatch, requireRange, shown, ValidationError } from '../core/validation';
import { optionalBoolean, optionalEnum, optionalList, requireProject, requireString } from './private/input';
import { optionalPeriod, optionalProfile } from '../terraform/input';
import { literalDays } from '../terraform/period';
import { ROLES } from './private/roles';

/**
 * Where Cloud KMS audit logs of a project go.
 */
export interface IKeyAuditSink extends IConstruct {
  /** Whether records are write-once (a locked retention policy). */
  readonly immutable: boolean;
  /** How long records are kept, in days. */
  readonly retentionDays: number;
  /** The project whose Cloud KMS audit logs the sink receives. */
  readonly project: string;
}

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

/** Per app: which sink manages the Data Access audit configuration of each literal project, and which rely on it. */
interface DataAccessOwners {
  manager?: KeyAuditSink;
  followers: KeyAuditSink[];
}
const DATA_ACCESS_OWNERS = new WeakMap<IConstruct, Map<string, DataAccessOwners>>();

/** Cloud KMS audit log entries (Admin Activity, Data Access), EKM included. */
const KMS_AUDIT_FILTER = 'logName:"cloudaudit.googleapis.com" AND protoPayload.serviceName="cloudkms.googleapis.com"';
const LOG_BUCKET_MAX_DAYS = 3650;
/** At most one notification per this period for each alert policy and principal, method and resource. */
const NOTIFICATION_PERIOD = '300s';
const STORAGE_MAX_DAYS = 36500;

/**
 * The audit trail of Cloud KMS in one project: Data Access audit logs turned on for `cloudkms.googleapis.com`
 * (ADMIN_READ, DATA_READ, DATA_WRITE; Admin Activity is always on), and a log sink sending every Cloud KMS audit entry
 * to a Cloud Storage bucket with a locked retention policy (or a log bucket with locked retention). The sink's own
 * writer identity may only create objects in that bucket.
 */
export class KeyAuditSink extends Construct implements IKeyAuditSink {
  public readonly immutable: boolean;
  public readonly retentionDays: number;
  public readonly project: string;
  public readonly profile: ComplianceProfile;
  public readonly destination: AuditDestination;
  public readonly sink: LoggingProjectSink;
  /** The Cloud Storage bucket, for `AuditDestination.STORAGE_BUCKET`. */
  public readonly bucket?: StorageBucket;
  /** The log bucket, for `AuditDestination.LOG_BUCKET`. */
  public readonly logBucket?: LoggingProjectBucketConfig;
  /** Alert policies on critical Cloud KMS events (NIST AU-6, SOC 2 CC7.2). */
  public readonly keyAlertPolicies: MonitoringAlertPolicy[] = [];
  /** Alert policies on attempts to change the audit trail (PCI DSS 10.3.4). */
  public readonly trailAlertPolicies: MonitoringAlertPolicy[] = [];
  /** Log-based metrics counting the same entries the alert policies match. */
  public readonly metrics: LoggingMetric[] = [];
  /** Number of notification channels the alerts notify. */
  public readonly notificationChannelCount: number;
  /** Number of escalation channels that also receive the alert on changes to alerting (policies, channels, snoozes). */
  public readonly escalationChannelCount: number;
  /** Whether this sink manages the project's Data Access audit configuration for Cloud KMS. */
  public readonly managesDataAccessLogs: boolean;

  constructor(scope: Construct, id: string, props: KeyAuditSinkProps) {
    super(scope, id);
    requireDefined('props', props);
    requireProject('project', props.project);
    requireString('location', props.location);
    optionalEnum('destination', props.destination, Object.values(AuditDestination));
    optionalBoolean('immutable', props.immutable);
    optionalBoolean('manageDataAccessLogs', props.manageDataAccessLogs);
    optionalProfile('profile', props.profile);
    optionalPeriod('retention', props.retention);
    if (props.bucketName !== undefined) requireString('bucketName', props.bucketName);
    for (const [prop, list] of [['notificationChannels', props.notificationChannels], ['escalationEmails', props.escalationEmails],
      ['escalationChannels', props.escalationChannels]] as const) {
      for (const v of optionalList(prop, list)) requireString(prop, v);
    }
    const profile = props.profile ?? ComplianceProfile.COMMERCIAL;
    const destination = props.destination ?? AuditDestination.STORAGE_BUCKET;
    const retention = props.retention ?? Period.days(profile.auditRetentionDays);
    const retentionDays = literalDays(this, 'retention', retention);
    if (!Number.isInteger(retentionDays)) throw new ValidationError(`retention must be a whole number of days, got ${retention.toHumanString()}`);
    requireRange('retention', retentionDays, 1, destination === AuditDestination.LOG_BUCKET ? LOG_BUCKET_MAX_DAYS : STORAGE_MAX_DAYS, 'days');
    if (retentionDays < profile.auditRetentionDays) {
      throw new ValidationError(`retention must be at least ${days(profile.auditRetentionDays)} under profile ${profile.name}, got ${days(retentionDays)}`);
    }
    const immutable = props.immutable ?? true;
    if (!immutable && profile.immutableAuditRequired) {
      throw new ValidationError(`immutable must be true under profile ${profile.name}, got false`);
    }
    if (immutable && props.acknowledgeLockedRetention !== true) {
      throw new ValidationError(
        `acknowledgeLockedRetention must be true: a locked retention policy keeps the audit records (and their bucket) for ${days(retentionDays)} ` +
        `and cannot be shortened or removed, got ${shown(props.acknowledgeLockedRetention)}`);
    }
    const auditors = gcpAssignments(CustodianRole.AUDITOR, 'auditors', props.auditors ?? []);
    const emails = optionalList('notificationEmails', props.notificationEmails);
    const extraChannels = optionalList('notificationChannels', props.notificationChannels);
    for (const email of emails) {
      if (!Token.isUnresolved(requireString('notificationEmails', email))) requireMatch('notificationEmails', email, /^[^@\s":]+@[^@\s":/]+\.[^@\s":/]+$/, 'e-mail addresses');
    }
    // One notification channel per address: an address twice (in any case) would give two channels one construct id.
    requireDistinctText('notificationEmails', emails);
    requireDistinctText('notificationChannels', extraChannels);
    for (const channel of extraChannels) {
      if (!Token.isUnresolved(requireString('notificationChannels', channel))) {
        requireMatch('notificationChannels', channel, /^projects\/[^/\s]+\/notificationChannels\/[^/\s]+$/, 'projects/<project>/notificationChannels/<id>');
      }
    }
    const escalationEmails = optionalList('escalationEmails', props.escalationEmails);
    const escalationChannels = optionalList('escalationChannels', props.escalationChannels);
    requireDistinctText('escalationEmails', escalationEmails);
    requireDistinctText('escalationChannels', escalationChannels);
    for (const email of escalationEmails) {
      if (!Token.isUnresolved(requireString('escalationEmails', email))) requireMatch('escalationEmails', email, /^[^@\s":]+@[^@\s":/]+\.[^@\s":/]+$/, 'e-mail addresses');
      if (emails.some((e) => e.toLowerCase() === email.toLowerCase())) {
        throw new ValidationError(`escalationEmails must not repeat notificationEmails: an escalation recipient is one the other alerts do not depend on, got ${shown(email)}`);
      }
    }
    for (const channel of escalationChannels) {
      if (!Token.isUnresolved(requireString('escalationChannels', channel))) {
        requireMatch('escalationChannels', channel, /^projects\/[^/\s]+\/notificationChannels\/[^/\s]+$/, 'projects/<project>/notificationChannels/<id>');
      }
      if (extraChannels.includes(channel)) {
        throw new ValidationError(`escalationChannels must not repeat notificationChannels: an escalation recipient is one the other alerts do not depend on, got ${shown(channel)}`);
      }
    }
    if (profile.auditSinkRequired && emails.length + extraChannels.length === 0) {
      throw new ValidationError(`notificationEmails or notificationChannels must name at least one recipient under profile ${profile.name}: ` +
        'alerts on key destruction, IAM changes and audit-trail changes (NIST AU-6, SOC 2 CC7.2, PCI DSS 10.3.4) must reach someone, got none');
    }
    this.notificationChannelCount = emails.length + extraChannels.length;
    this.escalationChannelCount = new Set(escalationEmails).size + new Set(escalationChannels).size;
    this.managesDataAccessLogs = props.manageDataAccessLogs ?? true;
    this.immutable = immutable;
    this.retentionDays = retentionDays;
    this.project = props.project;
    this.profile = profile;
    this.destination = destination;

    const relying = this.claimDataAccessLogs();
    if (this.managesDataAccessLogs) {
      // Data Access logs are off by default; without them no decrypt or sign would be on record.
      new ProjectIamAuditConfig(this, 'DataAccessLogs', {
        project: props.project,
        service: 'cloudkms.googleapis.com',
        auditLogConfig: [{ logType: 'ADMIN_READ' }, { logType: 'DATA_READ' }, { logType: 'DATA_WRITE' }],
      });
      // Sinks of this app that rely on this one and were built before it: their evidence now names it.
      for (const sink of relying) sink.recordDataAccessEvidence();
    }

    let sinkDestination: string;
    if (destination === AuditDestination.STORAGE_BUCKET) {
      const name = props.bucketName ?? gcpGlobalName(this, GCP_GLOBAL_NAMES.storageBucket, props.project);
      if (!Token.isUnresolved(name)) {
        requireMatch('bucketName', name, /^[a-z0-9][a-z0-9_.-]{1,61}[a-z0-9]$/, '3 to 63 lower-case letters, digits, hyphens, underscores and dots');
        if (name.startsWith('goog')) throw new ValidationError(`bucketName must not start with "goog", got ${name}`);
        // https://cloud.google.com/storage/docs/buckets#naming: no "google" or close misspellings anywhere in the name.
        if (/g[o0][o0]g(le|l3|1e)/.test(name)) throw new ValidationError(`bucketName must not contain "google" or a misspelling of it, got ${name}`);
      }
      this.bucket = new StorageBucket(this, 'Bucket', {
        name,
        project: props.project,
        location: props.location,
        storageClass: 'STANDARD',
        uniformBucketLevelAccess: true,
        publicAccessPrevention: 'enforced',
        forceDestroy: false,
        retentionPolicy: { retentionPeriod: retentionDays * 24 * 60 * 60, isLocked: immutable },
        lifecycle: { preventDestroy: true },
      });
      sinkDestination = `storage.googleapis.com/${this.bucket.name}`;
    } else {
      const bucketId = props.bucketName ?? stableName(this, 'kms-audit-', 100, /[^a-z0-9_-]/g);
      if (!Token.isUnresolved(bucketId)) requireMatch('bucketName', bucketId, /^[a-zA-Z0-9_-]{1,100}$/, '1 to 100 letters, digits, hyphens and underscores');
      this.logBucket = new LoggingProjectBucketConfig(this, 'LogBucket', {
        project: props.project,
        location: props.location,
        bucketId,
        retentionDays,
        locked: immutable,
        description: 'Cloud KMS audit logs (cloud-kms-constructs)',
        lifecycle: { preventDestroy: true },
      });
      sinkDestination = `logging.googleapis.com/${this.logBucket.id}`;
    }
    this.sink = new LoggingProjectSink(this, 'Sink', {
      name: stableName(this, 'kms-audit-', 100),
      project: props.project,
      destination: sinkDestination,
      filter: KMS_AUDIT_FILTER,
      uniqueWriterIdentity: true,
      description: 'Every Cloud KMS audit log entry (Admin Activity and Data Access)',
    });
    if (this.bucket) {
      // The sink's own service account may add objects, nothing else (no read, no delete).
      new StorageBucketIamMember(this, 'SinkWriter', { bucket: this.bucket.name, role: ROLES.STORAGE_OBJECT_CREATOR, member: this.sink.writerIdentity });
    }
    for (const auditor of auditors) {
      const suffix = stableGuid(auditor.identity).slice(0, 8);
      if (this.bucket) {
        new StorageBucketIamMember(this, `Reader${suffix}`, {
          bucket: this.bucket.name, role: ROLES.STORAGE_OBJECT_VIEWER, member: auditor.label!,
        });
      } else {
        new ProjectIamMember(this, `Reader${suffix}`, {
          project: props.project,
          role: ROLES.LOG_VIEW_ACCESSOR,
          member: auditor.label!,
          // View access to this log bucket only.
          condition: {
            title: 'kms-audit-log-bucket-only',
            expression: `resource.name == "${this.logBucket!.id}/views/_AllLogs"`,
          },
        });
      }
    }
    this.createAlerts(props.project, emails, extraChannels, escalationEmails, escalationChannels);
    this.recordEvidence();
  }

  /**
   * One manager of `google_project_iam_audit_config` for Cloud KMS per literal project in this app: it is authoritative
   * for the service and project, so a second one would overwrite the first on every apply and destroying either stack
   * would turn Data Access logs off for both. A project given as a token cannot be compared and is not checked.
   */
  private claimDataAccessLogs(): KeyAuditSink[] {
    if (Token.isUnresolved(this.project)) return [];
    let byProject = DATA_ACCESS_OWNERS.get(this.node.root);
    if (!byProject) {
      byProject = new Map();
      DATA_ACCESS_OWNERS.set(this.node.root, byProject);
    }
    const owners = byProject.get(this.project) ?? { followers: [] };
    byProject.set(this.project, owners);
    if (!this.managesDataAccessLogs) {
      owners.followers.push(this);
      return [];
    }
    if (owners.manager) {
      throw new ValidationError(`manageDataAccessLogs: ${owners.manager.node.path} and ${this.node.path} both manage the Data Access audit ` +
        `configuration of Cloud KMS in project ${this.project} (google_project_iam_audit_config is authoritative per service and project: ` +
        'each apply overwrites the other and destroying either stack turns the logs off for both); set manageDataAccessLogs: false on all but one, got true on both');
    }
    owners.manager = this;
    return owners.followers;
  }

  /**
   * A log-based metric and a log-based alerting policy per watched event, both on the same filter.
   *
   * The alert policies match log entries (`condition_matched_log`), not the metrics: a metric-threshold condition must
   * name a Cloud Monitoring resource type, and the Cloud KMS, Cloud Logging and IAM entries these filters match carry
   * logging resource types that Cloud Monitoring refuses in a condition ("unknown resource type", a deploy-time 400).
   * A log-based alerting policy scans every entry that a project-level sink routes to a log bucket of the project:
   * Admin Activity entries always reach `_Required` (never excluded), Data Access entries reach `_Default` unless an
   * exclusion drops them, and adding one is itself an alert (`LogRoutingChanged`). The metrics count the same entries
   * for review and trends (AU-6 analysis).
   * @see https://cloud.google.com/logging/docs/alerting/log-based-alerts
   * @see https://cloud.google.com/logging/docs/logs-based-metrics
   * @see https://github.com/hashicorp/terraform-provider-google/issues/13349
   */
  private createAlerts(project: string, emails: string[], extraChannels: string[], escalationEmails: string[], escalationChannels: string[]): void {
    const emailChannel = (prefix: string, title: string) => (email: string) =>
      new MonitoringNotificationChannel(this, `${prefix}${stableGuid(email).slice(0, 8)}`, {
        project,
        type: 'email',
        displayName: `${title} (${email})`,
        labels: { email_address: email },
      }).name;
    const channels = [...[...new Set(emails)].map(emailChannel('Email', 'Cloud KMS audit alerts')), ...new Set(extraChannels)];
    // Changes to alerting also go where the other alerts do not: a silenced channel is not reported only to itself.
    const escalation = [
      ...[...new Set(escalationEmails)].map(emailChannel('EscalationEmail', 'Cloud KMS alerting changes')),
      ...new Set(escalationChannels),
    ];
    const prefix = stableName(this, 'kms-audit-', 60);
    const watch = (alert: AuditAlert, severity: string, notify: string[] = channels) => {
      this.metrics.push(new LoggingMetric(this, `${alert.id}Metric`, {
        project,
        name: `${prefix}/${alert.id.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}`,
        description: alert.title,
        filter: alert.filter,
        metricDescriptor: { metricKind: 'DELTA', valueType: 'INT64', unit: '1' },
      }));
      return new MonitoringAlertPolicy(this, `${alert.id}Alert`, {
        project,
        displayName: alert.title,
        combiner: 'OR',
        severity,
        notificationChannels: notify,
        documentation: {
          mimeType: 'text/markdown',
          // `$${` is Terraform's escape for a literal `${`: Cloud Monitoring fills in the extracted labels, not Terraform.
          content: `${alert.why}\n\nWho: $\${log.extracted_label.principal}. What: $\${log.extracted_label.method} on $\${log.extracted_label.resource}.`,
        },
        // A log-match policy has exactly one condition and needs a notification rate limit: at most one notification per
        // five minutes per principal, method and resource; every entry stays in the incident and in the audit trail.
        conditions: [{
          displayName: alert.title,
          conditionMatchedLog: {
            filter: alert.filter,
            labelExtractors: {
              principal: 'EXTRACT(protoPayload.authenticationInfo.principalEmail)',
              method: 'EXTRACT(protoPayload.methodName)',
              resource: 'EXTRACT(protoPayload.resourceName)',
            },
          },
        }],
        alertStrategy: { notificationRateLimit: { period: NOTIFICATION_PERIOD }, autoClose: '86400s' },
      });
    };
    for (const alert of KMS_ALERTS) {
      const severity = alert.id === 'DecryptDenied' ? 'WARNING' : ['ProjectKmsRoleGranted', 'KeySettingsChanged'].includes(alert.id) ? 'ERROR' : 'CRITICAL';
      this.keyAlertPolicies.push(watch(alert, severity));
    }
    for (const alert of trailAlerts(this.bucket?.name)) {
      this.trailAlertPolicies.push(watch(alert, 'CRITICAL', alert.id === 'AlertingChanged' ? [...channels, ...escalation] : channels));
    }
  }

  private recordEvidence(): void {
    const ledger = EvidenceLedger.of(this);
    ledger.registerAuditSink({
      path: this.node.path,
      stack: TerraformStack.of(this).node.path,
      cloud: 'gcp',
      immutable: this.immutable,
      retentionDays: this.retentionDays,
    });
    const storePath = (this.bucket ?? this.logBucket)!.node.path;
    const record = (controls: Control[], status: EvidenceStatus, resource: string, setting: string, value: string, description: string) => {
      for (const control of controls) ledger.record({ control, status, subject: this.node.path, resource, setting, value, description });
    };
    const lockSetting = this.bucket ? 'retention_policy.is_locked' : 'locked';
    record([Control.NIST_AU_9_4, Control.PCI_10_3_2], this.immutable ? EvidenceStatus.SATISFIED : EvidenceStatus.NOT_SATISFIED, storePath,
      lockSetting, String(this.immutable),
      this.immutable ? 'audit records are write-once: the locked retention policy cannot be shortened or removed'
        : 'retention is not locked: the bucket owner can shorten it and delete records');
    record([Control.NIST_AU_11, Control.PCI_10_5_1], this.retentionDays >= 365 ? EvidenceStatus.SATISFIED : EvidenceStatus.NOT_SATISFIED,
      storePath, this.bucket ? 'retention_policy.retention_period' : 'retention_days', String(this.bucket ? this.retentionDays * 86400 : this.retentionDays),
      `audit records kept ${days(this.retentionDays)}`);
    this.recordDataAccessEvidence();
    record([Control.NIST_AU_9, Control.NIST_AU_9_2], EvidenceStatus.SATISFIED, this.sink.node.path, 'unique_writer_identity', 'true',
      'logs are copied to a separate bucket by a dedicated writer identity that can only create objects');
    const notified = this.notificationChannelCount > 0;
    const escalated = this.escalationChannelCount > 0;
    const alertingPolicy = this.trailAlertPolicies.find((p) => p.node.id === 'AlertingChangedAlert')!;
    // Who can silence the alerts: changes to channels, policies and snoozes are alerted, but the alert itself travels
    // a channel and obeys snoozes. Principals with Cloud Monitoring write access to the project hold rights this app
    // neither grants nor sees, like project owners; the access matrix lists them the same way.
    const silencing = escalated
      ? `; changes to alert policies, notification channels and snoozes also notify ${this.escalationChannelCount} escalation channel(s) ` +
        'that no other alert uses, so a disabled or deleted alert channel is reported elsewhere. Trusted, outside this app like a project ' +
        'owner: a principal with Cloud Monitoring write access to the project (Owner, Editor, Monitoring Editor or Admin and the like) can ' +
        'disable every channel, escalation channels included, or snooze every policy, the one reporting snoozes included, before a notification ' +
        "goes out; those calls stay recorded in the project's _Required log bucket (400 days)"
      : ', but no escalationEmails or escalationChannels are set: a disabled or deleted notification channel, a changed alert policy or a ' +
        'snooze is reported only to the same channels, so silencing by someone who can edit channels or snoozes is detected only if one of ' +
        'those channels still delivers';
    const policyPaths = (policies: MonitoringAlertPolicy[]) => policies.map((p) => p.node.path).join(', ');
    const alertValue = (alerts: AuditAlert[]) => alerts.map((a) =>
      `${a.id}: ${a.methods.join(' | ')}${a.id === 'DecryptDenied' ? ' (status PERMISSION_DENIED)' : ''}`).join('; ');
    const nobody = 'but no notificationEmails or notificationChannels are set: incidents open in Cloud Monitoring and notify nobody';
    record([Control.NIST_AU_6, Control.SOC2_CC7_2], notified && escalated ? EvidenceStatus.SATISFIED : EvidenceStatus.PARTIALLY_SATISFIED,
      policyPaths([...this.keyAlertPolicies, alertingPolicy]), 'condition_matched_log.filter, notification_channels',
      alertValue(KMS_ALERTS),
      notified ? `log-based alerting policies on the project's Cloud KMS audit entries notify ${this.notificationChannelCount} ` +
        'notification channel(s) on key version destruction, state changes, rotation and primary-version changes, IAM changes on Cloud KMS resources, project-level Cloud KMS / Owner / ' +
        `Editor grants, key imports, EKM connection changes and denied decrypts${silencing}`
        : `log-based alerting policies watch key version destruction, state changes, KMS IAM changes, project-level KMS grants, imports, EKM changes and denied decrypts, ${nobody}`);
    const trail = trailAlerts(this.bucket ? 'audit bucket' : undefined);
    const store = this.bucket
      ? `the locked retention policy of ${storePath} keeps every object from deletion and replacement until it is ${days(this.retentionDays)} old, ` +
        'whoever asks (project owners included), and the policy can no longer be shortened or removed'
      : `the locked log bucket ${storePath} keeps every entry ${days(this.retentionDays)}: Cloud Logging has no call that edits or deletes ` +
        'single entries of a user-defined log bucket, the retention cannot be changed and the bucket cannot be deleted while it holds entries';
    const alerts = 'Admin Activity audit entries (always written, never excluded) of any change ' +
      (this.bucket ? "to the audit bucket's IAM, metadata (lifecycle rules included) or existence, " : '') +
      'to sinks, exclusions, log buckets and log-based metrics, to the Data Access audit configuration, and to alert policies, ' +
      'notification channels and snoozes raise alerts';
    let status: EvidenceStatus;
    let description: string;
    if (!this.immutable) {
      status = EvidenceStatus.PARTIALLY_SATISFIED;
      description = `retention is not locked, so the bucket owner can shorten it and delete records, and object deletions are not alerted; ${alerts}`;
    } else if (!notified) {
      status = EvidenceStatus.PARTIALLY_SATISFIED;
      description = `${store}; alert policies watch changes to the trail, ${nobody}`;
    } else {
      status = escalated ? EvidenceStatus.SATISFIED : EvidenceStatus.PARTIALLY_SATISFIED;
      description = `existing records cannot be changed during their retention: ${store}; ${alerts} to ${this.notificationChannelCount} ` +
        `notification channel(s)${silencing}. Not covered: ${this.bucket ? 'records added by a principal holding storage.objects.create on the bucket, and ' : ''}` +
        'the expiry of records after their retention ends';
    }
    record([Control.PCI_10_3_4], status, [storePath, policyPaths(this.trailAlertPolicies)].join(', '),
      `${lockSetting}, condition_matched_log.filter`, `${this.immutable}; ${alertValue(trail)}`, description);
  }

  /**
   * NIST AU-2, AU-12, PCI DSS 10.2.1, HIPAA 164.312(b), ISO A.8.15: whether every Cloud KMS call is on record. Re-recorded
   * (same setting, so it replaces) when a sink that manages this project's Data Access logs is built after this one.
   */
  private recordDataAccessEvidence(): void {
    const ledger = EvidenceLedger.of(this);
    const literal = !Token.isUnresolved(this.project);
    const manager = this.managesDataAccessLogs ? this
      : literal ? DATA_ACCESS_OWNERS.get(this.node.root)?.get(this.project)?.manager : undefined;
    const controls = [Control.NIST_AU_2, Control.NIST_AU_12, Control.PCI_10_2_1, Control.HIPAA_164_312_B, Control.ISO_A_8_15];
    for (const control of controls) {
      const common = { control, subject: this.node.path, setting: 'audit_log_config.log_type' };
      if (manager === this) {
        ledger.record({
          ...common,
          status: EvidenceStatus.SATISFIED,
          resource: this.node.findChild('DataAccessLogs').node.path,
          value: 'ADMIN_READ, DATA_READ, DATA_WRITE',
          description: 'Data Access audit logs on for Cloud KMS: every encrypt, decrypt, sign and key read is recorded, with Admin Activity',
        });
      } else if (manager) {
        ledger.record({
          ...common,
          status: EvidenceStatus.SATISFIED,
          resource: manager.node.findChild('DataAccessLogs').node.path,
          value: 'ADMIN_READ, DATA_READ, DATA_WRITE',
          description: `Data Access audit logs on for Cloud KMS in project ${this.project}, turned on by ${manager.node.path} of this app ` +
            '(manageDataAccessLogs is false here): every encrypt, decrypt, sign and key read is recorded, with Admin Activity. ' +
            `Destroying the stack of ${manager.node.path} turns them off for this sink too`,
        });
      } else {
        ledger.record({
          ...common,
          status: EvidenceStatus.PARTIALLY_SATISFIED,
          resource: this.node.path,
          value: 'manageDataAccessLogs: false',
          description: 'manageDataAccessLogs is false and no other KeyAuditSink of this app manages the Data Access audit configuration of ' +
            `Cloud KMS in project ${this.project}: whether decrypts, signs and key reads are on record is decided outside this app, which ` +
            'cannot see it; Admin Activity entries are always written',
        });
      }
    }
  }
}

/** Refuses a recipient listed twice (e-mail addresses and channel names compare case-insensitively). */
function requireDistinctText(prop: string, values: string[]): void {
  const seen = new Map<string, string>();
  for (const v of values) {
    const key = Token.isUnresolved(v) ? v : v.trim().toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) throw new ValidationError(first === v ? `${prop} lists ${shown(v)} twice` : `${prop} lists ${shown(first)} and ${shown(v)}, the same recipient`);
    seen.set(key, v);
  }
}
