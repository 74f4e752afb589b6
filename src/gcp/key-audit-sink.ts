import { LoggingMetric } from '@cdktf/provider-google/lib/logging-metric';
import { LoggingProjectBucketConfig } from '@cdktf/provider-google/lib/logging-project-bucket-config';
import { LoggingProjectSink } from '@cdktf/provider-google/lib/logging-project-sink';
import { MonitoringAlertPolicy } from '@cdktf/provider-google/lib/monitoring-alert-policy';
import { ProjectIamAuditConfig } from '@cdktf/provider-google/lib/project-iam-audit-config';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { StorageBucket } from '@cdktf/provider-google/lib/storage-bucket';
import { StorageBucketIamMember } from '@cdktf/provider-google/lib/storage-bucket-iam-member';
import { TerraformStack, Token } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { gcpAssignments } from './custodians';
import { AuditDestination, KeyAuditSinkProps } from './key-audit-sink-props';
import { Control } from '../core/controls';
import { CustodianAssignment, CustodianRole } from '../core/custodians';
import { EvidenceLedger, EvidenceStatus } from '../core/evidence';
import { AUDIT_LOGGING_CONTROLS } from '../core/key-evidence';
import { stableGuid, stableName } from '../core/naming';
import { Period } from '../core/period';
import { ComplianceProfile } from '../core/profile';
import { days, requireDefined, requireMatch, requireRange, shown, ValidationError } from '../core/validation';
import { optionalPeriod, optionalProfile } from '../terraform/input';
import { literalDays } from '../terraform/period';
import { AuditAlert, KMS_ALERTS, trailAlerts } from './private/audit-alerts';
import { checkRecipients, createAuditAlerts } from './private/audit-notifications';
import { optionalBoolean, optionalEnum, optionalList, requireProject, requireString } from './private/input';
import { GCP_GLOBAL_NAMES, gcpGlobalName } from './private/naming';
import { checkGcpResidency, gcpRegions, recordSinkResidency } from './private/residency';
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

/** Per app: which sink manages the Data Access audit configuration of each literal project, and which rely on it. */
interface DataAccessOwners {
  manager?: KeyAuditSink;
  followers: KeyAuditSink[];
}
const DATA_ACCESS_OWNERS = new WeakMap<IConstruct, Map<string, DataAccessOwners>>();

/** Cloud KMS audit log entries (Admin Activity, Data Access), EKM included. */
const KMS_AUDIT_FILTER = 'logName:"cloudaudit.googleapis.com" AND protoPayload.serviceName="cloudkms.googleapis.com"';
const LOG_BUCKET_MAX_DAYS = 3650;
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
  /** Location of the bucket that keeps the records. */
  public readonly location: string;
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
    const { profile, destination, retentionDays, immutable, auditors, recipients } = this.checkProps(props);
    this.notificationChannelCount = recipients.emails.length + recipients.channels.length;
    this.escalationChannelCount = new Set(recipients.escalationEmails).size + new Set(recipients.escalationChannels).size;
    this.managesDataAccessLogs = props.manageDataAccessLogs ?? true;
    this.immutable = immutable;
    this.retentionDays = retentionDays;
    this.project = props.project;
    this.location = props.location;
    this.profile = profile;
    this.destination = destination;
    this.createDataAccessLogs();
    if (destination === AuditDestination.STORAGE_BUCKET) {
      this.bucket = this.createBucket(props);
    } else {
      this.logBucket = this.createLogBucket(props);
    }
    this.sink = this.createSink();
    this.bindReaders(auditors);
    const alerting = createAuditAlerts(this, props.project, recipients, this.bucket?.name);
    this.metrics.push(...alerting.metrics);
    this.keyAlertPolicies.push(...alerting.keyAlertPolicies);
    this.trailAlertPolicies.push(...alerting.trailAlertPolicies);
    this.recordEvidence();
    recordSinkResidency(this, (this.bucket ?? this.logBucket)!, profile, props.location);
  }

  /** The props, checked before anything is created: retention and locking against the profile, auditors, recipients. */
  private checkProps(props: KeyAuditSinkProps) {
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
    // The bucket (Cloud Storage or Cloud Logging) keeps the records in `location`: the same rule as keys (residency.ts).
    checkGcpResidency(profile, 'location', props.location, this.node.path);
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
    return { profile, destination, retentionDays, immutable, auditors, recipients: checkRecipients(props, profile) };
  }

  /** Data Access logs are off by default; without them no decrypt or sign would be on record. */
  private createDataAccessLogs(): void {
    const relying = this.claimDataAccessLogs();
    if (!this.managesDataAccessLogs) return;
    new ProjectIamAuditConfig(this, 'DataAccessLogs', {
      project: this.project,
      service: 'cloudkms.googleapis.com',
      auditLogConfig: [{ logType: 'ADMIN_READ' }, { logType: 'DATA_READ' }, { logType: 'DATA_WRITE' }],
    });
    // Sinks of this app that rely on this one and were built before it: their evidence now names it.
    for (const sink of relying) sink.recordDataAccessEvidence();
  }

  /** A Cloud Storage bucket with a (locked) retention policy, never public, never force-destroyed. */
  private createBucket(props: KeyAuditSinkProps): StorageBucket {
    const name = props.bucketName ?? gcpGlobalName(this, GCP_GLOBAL_NAMES.storageBucket, props.project);
    if (!Token.isUnresolved(name)) {
      requireMatch('bucketName', name, /^[a-z0-9][a-z0-9_.-]{1,61}[a-z0-9]$/, '3 to 63 lower-case letters, digits, hyphens, underscores and dots');
      if (name.startsWith('goog')) throw new ValidationError(`bucketName must not start with "goog", got ${name}`);
      // https://cloud.google.com/storage/docs/buckets#naming: no "google" or close misspellings anywhere in the name.
      if (/g[o0][o0]g(le|l3|1e)/.test(name)) throw new ValidationError(`bucketName must not contain "google" or a misspelling of it, got ${name}`);
    }
    return new StorageBucket(this, 'Bucket', {
      name,
      project: props.project,
      location: props.location,
      storageClass: 'STANDARD',
      uniformBucketLevelAccess: true,
      publicAccessPrevention: 'enforced',
      forceDestroy: false,
      retentionPolicy: { retentionPeriod: this.retentionDays * 24 * 60 * 60, isLocked: this.immutable },
      lifecycle: { preventDestroy: true },
    });
  }

  /** A Cloud Logging log bucket with (locked) retention. */
  private createLogBucket(props: KeyAuditSinkProps): LoggingProjectBucketConfig {
    const bucketId = props.bucketName ?? stableName(this, 'kms-audit-', 100, /[^a-z0-9_-]/g);
    if (!Token.isUnresolved(bucketId)) requireMatch('bucketName', bucketId, /^[a-zA-Z0-9_-]{1,100}$/, '1 to 100 letters, digits, hyphens and underscores');
    return new LoggingProjectBucketConfig(this, 'LogBucket', {
      project: props.project,
      location: props.location,
      bucketId,
      retentionDays: this.retentionDays,
      locked: this.immutable,
      description: 'Cloud KMS audit logs (cloud-kms-constructs)',
      lifecycle: { preventDestroy: true },
    });
  }

  /** The log sink of every Cloud KMS audit entry; into a bucket, its own writer identity may only add objects. */
  private createSink(): LoggingProjectSink {
    const sink = new LoggingProjectSink(this, 'Sink', {
      name: stableName(this, 'kms-audit-', 100),
      project: this.project,
      destination: this.bucket ? `storage.googleapis.com/${this.bucket.name}` : `logging.googleapis.com/${this.logBucket!.id}`,
      filter: KMS_AUDIT_FILTER,
      uniqueWriterIdentity: true,
      description: 'Every Cloud KMS audit log entry (Admin Activity and Data Access)',
    });
    if (this.bucket) {
      // The sink's own service account may add objects, nothing else (no read, no delete).
      new StorageBucketIamMember(this, 'SinkWriter', { bucket: this.bucket.name, role: ROLES.STORAGE_OBJECT_CREATOR, member: sink.writerIdentity });
    }
    return sink;
  }

  /** Auditors read the records: object viewer on the bucket, or view access to this log bucket only. */
  private bindReaders(auditors: CustodianAssignment[]): void {
    for (const auditor of auditors) {
      const suffix = stableGuid(auditor.identity).slice(0, 8);
      if (this.bucket) {
        new StorageBucketIamMember(this, `Reader${suffix}`, {
          bucket: this.bucket.name, role: ROLES.STORAGE_OBJECT_VIEWER, member: auditor.label!,
        });
      } else {
        new ProjectIamMember(this, `Reader${suffix}`, {
          project: this.project,
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

  private recordEvidence(): void {
    const ledger = EvidenceLedger.of(this);
    ledger.registerAuditSink({
      path: this.node.path,
      stack: TerraformStack.of(this).node.path,
      cloud: 'gcp',
      immutable: this.immutable,
      retentionDays: this.retentionDays,
      regions: gcpRegions(this.location),
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
    const controls = AUDIT_LOGGING_CONTROLS;
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
