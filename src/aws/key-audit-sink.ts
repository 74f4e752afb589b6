import { Duration, Names, RemovalPolicy, Stack, ArnFormat } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct, IConstruct } from 'constructs';
import { CustomerManagedKey } from './customer-managed-key';
import { Control } from '../core/controls';
import { DeploymentModel } from '../core/deployment-model';
import { EvidenceLedger, EvidenceStatus } from '../core/evidence';
import { ComplianceProfile } from '../core/profile';
import { days, requireRange, ValidationError } from '../core/validation';
import { acknowledgeRules } from './private/acknowledge';

/**
 * Where keys send their audit trail and critical-event alarms.
 */
export interface IKeyAuditSink extends IConstruct {
  /** Whether records are write-once (S3 Object Lock in COMPLIANCE mode). */
  readonly immutable: boolean;
  /** How long records are kept, in days. */
  readonly retentionDays: number;
  /** The encrypted topic critical key events are published to. */
  readonly alarmTopic: sns.ITopic;
}

/**
 * Who looks after the audit sink itself.
 */
export interface AuditSinkCustodians {
  /** Administer the sink's own KMS key (never use it). */
  readonly administrators: iam.IPrincipal[];
  /**
   * Read the audit records: decrypt with the sink key and read the trail bucket.
   * @default - none
   */
  readonly auditors?: iam.IPrincipal[];
  /**
   * Approvers for the sink key's destructive operations, under profiles that require dual control.
   * @default - none
   */
  readonly approvers?: iam.IPrincipal[];
}

/**
 * Properties of a `KeyAuditSink`.
 */
export interface KeyAuditSinkProps {
  /** Custodians of the sink's own key and readers of its records. */
  readonly custodians: AuditSinkCustodians;

  /**
   * The profile whose retention and immutability rules the sink follows.
   * @default ComplianceProfile.COMMERCIAL
   */
  readonly profile?: ComplianceProfile;

  /**
   * How long audit records are kept (Object Lock retention and log-group retention).
   * @default - the profile's audit retention
   */
  readonly retention?: Duration;

  /**
   * Write-once records: Object Lock in COMPLIANCE mode, which nobody, not even the account root, can shorten.
   * `false` uses GOVERNANCE mode, which principals with s3:BypassGovernanceRetention can override.
   * @default true
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html#object-lock-retention-modes
   */
  readonly immutable?: boolean;

  /**
   * E-mail addresses subscribed to critical key events.
   * @default - none; subscribe to `alarmTopic` yourself
   */
  readonly notificationEmails?: string[];

  /**
   * Name of the CloudTrail trail.
   * @default - a name unique to this construct
   */
  readonly trailName?: string;

  /**
   * The principal CloudFormation uses to deploy the sink's key.
   * @default - the CloudFormation execution role of the stack's DefaultStackSynthesizer
   */
  readonly deploymentPrincipal?: iam.IPrincipal;
}

const S3_ACCESS_LOGS_USE_BUCKET_POLICY = '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy';

/** KMS API calls that must never pass unnoticed. */
export const CRITICAL_KEY_API_CALLS = [
  'DisableKey',
  'ScheduleKeyDeletion',
  'CancelKeyDeletion',
  'PutKeyPolicy',
  'DisableKeyRotation',
  'ImportKeyMaterial',
  'DeleteImportedKeyMaterial',
  'DisconnectCustomKeyStore',
  'UpdateCustomKeyStore',
  'DeleteCustomKeyStore',
];

/** Events KMS itself emits about key lifecycle. */
export const KEY_LIFECYCLE_EVENTS = ['KMS Imported Key Material Expiration', 'KMS CMK Deletion'];

/** CloudTrail API calls that would blind the audit trail. */
export const TRAIL_TAMPERING_API_CALLS = ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors'];

const LOG_RETENTION_STEPS: logs.RetentionDays[] = [
  logs.RetentionDays.ONE_DAY, logs.RetentionDays.THREE_DAYS, logs.RetentionDays.FIVE_DAYS, logs.RetentionDays.ONE_WEEK,
  logs.RetentionDays.TWO_WEEKS, logs.RetentionDays.ONE_MONTH, logs.RetentionDays.TWO_MONTHS, logs.RetentionDays.THREE_MONTHS,
  logs.RetentionDays.FOUR_MONTHS, logs.RetentionDays.FIVE_MONTHS, logs.RetentionDays.SIX_MONTHS, logs.RetentionDays.ONE_YEAR,
  logs.RetentionDays.THIRTEEN_MONTHS, logs.RetentionDays.EIGHTEEN_MONTHS, logs.RetentionDays.TWO_YEARS,
  logs.RetentionDays.THREE_YEARS, logs.RetentionDays.FIVE_YEARS, logs.RetentionDays.SIX_YEARS, logs.RetentionDays.SEVEN_YEARS,
  logs.RetentionDays.EIGHT_YEARS, logs.RetentionDays.NINE_YEARS, logs.RetentionDays.TEN_YEARS,
];

/**
 * One shared, tamper-evident audit trail for KMS keys: a multi-region CloudTrail trail with log-file
 * validation, encrypted with the sink's own customer-managed key, delivered to a versioned S3 bucket with
 * Object Lock, server access logging, SSL-only access and public access blocked, and to an encrypted
 * CloudWatch log group; plus EventBridge rules that publish critical key events to an encrypted SNS topic.
 *
 * KMS records every API call, including Encrypt and Decrypt, as a management event, and the trail never
 * excludes them. Deploy one sink per account and region: EventBridge sees KMS events only in their region.
 */
export class KeyAuditSink extends Construct implements IKeyAuditSink {
  public readonly immutable: boolean;
  public readonly retentionDays: number;
  public readonly profile: ComplianceProfile;
  /** The sink's own key: encrypts the trail, the log group and the topic. */
  public readonly encryptionKey: CustomerManagedKey;
  public readonly trail: cloudtrail.Trail;
  /** The Object Lock bucket the trail writes to. */
  public readonly bucket: s3.Bucket;
  /** Server access logs of `bucket`. */
  public readonly accessLogsBucket: s3.Bucket;
  public readonly logGroup: logs.LogGroup;
  public readonly alarmTopic: sns.ITopic;
  /** Name of the trail. */
  public readonly trailName: string;

  constructor(scope: Construct, id: string, props: KeyAuditSinkProps) {
    super(scope, id);
    // Access logs delivered under a bucket policy (not the legacy LogDeliveryWrite ACL), whatever the app's flags.
    this.node.setContext(S3_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    const profile = props.profile ?? ComplianceProfile.COMMERCIAL;
    const retention = props.retention ?? Duration.days(profile.auditRetentionDays);
    const retentionDays = retention.toDays({ integral: false });
    requireRange('retention', retentionDays, 1, 36500, 'days');
    if (!Number.isInteger(retentionDays)) {
      throw new ValidationError(`retention must be a whole number of days, got ${retention.toHumanString()}`);
    }
    if (retentionDays < profile.auditRetentionDays) {
      throw new ValidationError(
        `retention must be at least ${days(profile.auditRetentionDays)} under profile ${profile.name}, got ${days(retentionDays)}`);
    }
    const immutable = props.immutable ?? true;
    if (!immutable && profile.immutableAuditRequired) {
      throw new ValidationError(`immutable must be true under profile ${profile.name}, got false`);
    }
    this.immutable = immutable;
    this.retentionDays = retentionDays;
    this.profile = profile;

    const stack = Stack.of(this);
    this.trailName = props.trailName ?? Names.uniqueResourceName(this, { maxLength: 128, separator: '-' });
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$/.test(this.trailName)) {
      throw new ValidationError(`trailName must be 3 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit, got ${this.trailName}`);
    }
    const logGroupName = `/aws/cloudtrail/${this.trailName}`;
    const trailArn = stack.formatArn({ service: 'cloudtrail', resource: 'trail', resourceName: this.trailName });
    const logGroupArn = stack.formatArn({
      service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    // The sink's key is a customer-managed key whatever models the profile allows for data keys:
    // CloudTrail, CloudWatch Logs and SNS can only encrypt with a key held in KMS.
    const keyProfile = profile.allows(DeploymentModel.CUSTOMER_MANAGED) ? profile : ComplianceProfile.custom({
      name: `${profile.name}-AUDIT`, basedOn: profile, allowedModels: [DeploymentModel.CUSTOMER_MANAGED],
    });
    this.encryptionKey = new CustomerManagedKey(this, 'Key', {
      custodians: { administrators: props.custodians.administrators, approvers: props.custodians.approvers },
      profile: keyProfile,
      auditSink: this,
      description: `Encrypts the KMS audit trail ${this.trailName}`,
      deploymentPrincipal: props.deploymentPrincipal,
    });
    const key = this.encryptionKey;
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudTrailToEncryptLogs',
      principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
      actions: ['kms:GenerateDataKey'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'aws:SourceArn': trailArn },
        StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${stack.partition}:cloudtrail:*:${stack.account}:trail/*` },
      },
    }));
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudTrailToDescribeKey',
      principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
      actions: ['kms:DescribeKey'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceArn': trailArn } },
    }));
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsForTheTrailLogGroup',
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey',
        'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': logGroupArn } },
    }));

    const lockRetention = immutable
      ? s3.ObjectLockRetention.compliance(Duration.days(retentionDays))
      : s3.ObjectLockRetention.governance(Duration.days(retentionDays));

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      // S3 server access logging can only deliver to buckets encrypted with SSE-S3.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention: lockRetention,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention: lockRetention,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'trail-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName,
      encryptionKey: key,
      retention: logRetentionFor(retentionDays),
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // CloudTrail's delivery role for CloudWatch Logs, with a customer-managed policy (the Trail L2 would attach an
    // inline one) and a trust limited to this trail.
    const deliveryRole = new iam.Role(this, 'TrailDeliveryRole', {
      description: `Lets CloudTrail trail ${this.trailName} write to its log group`,
      assumedBy: new iam.ServicePrincipal('cloudtrail.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceArn': trailArn } } }),
    });
    const deliveryPolicy = new iam.ManagedPolicy(this, 'TrailDeliveryPolicy', {
      description: `CloudTrail delivery to ${logGroupName}`,
      roles: [deliveryRole],
      statements: [new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      })],
    });

    this.trail = new cloudtrail.Trail(this, 'Trail', {
      trailName: this.trailName,
      bucket: this.bucket,
      encryptionKey: key,
      enableFileValidation: true,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      managementEvents: cloudtrail.ReadWriteType.ALL,
      sendToCloudWatchLogs: false,
    });
    const cfnTrail = this.trail.node.defaultChild as cloudtrail.CfnTrail;
    cfnTrail.cloudWatchLogsLogGroupArn = this.logGroup.logGroupArn;
    cfnTrail.cloudWatchLogsRoleArn = deliveryRole.roleArn;
    // CloudTrail checks on creation that it can write to the log group.
    this.trail.node.addDependency(deliveryPolicy);

    for (const auditor of props.custodians.auditors ?? []) {
      key.grantDecrypt(auditor);
      this.bucket.addToResourcePolicy(new iam.PolicyStatement({
        principals: [auditor],
        actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket', 's3:ListBucketVersions', 's3:GetObjectRetention'],
        resources: [this.bucket.bucketArn, this.bucket.arnForObjects('*')],
      }));
    }

    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Critical KMS key events',
      masterKey: key,
      enforceSSL: true,
    });
    for (const email of props.notificationEmails ?? []) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(email));
    }

    const target = new targets.SnsTopic(this.alarmTopic);
    new events.Rule(this, 'KeyApiCallsRule', {
      description: 'Critical KMS API calls (disable, delete, policy change, key material, custom key stores)',
      eventPattern: {
        source: ['aws.kms'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: { eventSource: ['kms.amazonaws.com'], eventName: CRITICAL_KEY_API_CALLS },
      },
      targets: [target],
    });
    new events.Rule(this, 'KeyLifecycleRule', {
      description: 'KMS key deletion and imported key material expiration',
      eventPattern: { source: ['aws.kms'], detailType: KEY_LIFECYCLE_EVENTS },
      targets: [target],
    });
    new events.Rule(this, 'TrailTamperingRule', {
      description: 'Attempts to stop or change the KMS audit trail',
      eventPattern: {
        source: ['aws.cloudtrail'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: { eventSource: ['cloudtrail.amazonaws.com'], eventName: TRAIL_TAMPERING_API_CALLS },
      },
      targets: [target],
    });

    this.acknowledgeFindings();
    this.recordEvidence(logGroupName);
    this.node.addValidation({ validate: () => this.validateTrail() });
  }

  private acknowledgeFindings(): void {
    const replication = {
      reason: 'Cross-region replication is a deployment decision (destination bucket, region, key) we cannot make for ' +
        'the account; the records are protected in place by versioning, Object Lock and KMS encryption.',
    };
    acknowledgeRules(this.accessLogsBucket, this, [
      { id: 'AwsSolutions-S1', reason: 'This bucket is the server access log destination; logging it to itself would loop.' },
      { id: 'NIST.800.53.R5-S3BucketLoggingEnabled', reason: 'This bucket is the server access log destination; logging it to itself would loop.' },
      { id: 'HIPAA.Security-S3BucketLoggingEnabled', reason: 'This bucket is the server access log destination; logging it to itself would loop.' },
      { id: 'PCI.DSS.321-S3BucketLoggingEnabled', reason: 'This bucket is the server access log destination; logging it to itself would loop.' },
      { id: 'NIST.800.53.R5-S3DefaultEncryptionKMS', reason: 'S3 server access logging delivers only to SSE-S3 encrypted buckets.' },
      { id: 'HIPAA.Security-S3DefaultEncryptionKMS', reason: 'S3 server access logging delivers only to SSE-S3 encrypted buckets.' },
      { id: 'PCI.DSS.321-S3DefaultEncryptionKMS', reason: 'S3 server access logging delivers only to SSE-S3 encrypted buckets.' },
      { id: 'NIST.800.53.R5-S3BucketReplicationEnabled', ...replication },
      { id: 'HIPAA.Security-S3BucketReplicationEnabled', ...replication },
      { id: 'PCI.DSS.321-S3BucketReplicationEnabled', ...replication },
    ]);
    acknowledgeRules(this.bucket, this, [
      { id: 'NIST.800.53.R5-S3BucketReplicationEnabled', ...replication },
      { id: 'HIPAA.Security-S3BucketReplicationEnabled', ...replication },
      { id: 'PCI.DSS.321-S3BucketReplicationEnabled', ...replication },
    ]);
  }

  private recordEvidence(logGroupName: string): void {
    const ledger = EvidenceLedger.of(this);
    const stack = Stack.of(this);
    ledger.registerAuditSink({
      path: this.node.path,
      stack: stack.node.path,
      cloud: 'aws',
      immutable: this.immutable,
      retentionDays: this.retentionDays,
    });
    const trail = (this.trail.node.defaultChild as cloudtrail.CfnTrail).node.path;
    const bucket = (this.bucket.node.defaultChild as s3.CfnBucket).node.path;
    const record = (controls: Control[], status: EvidenceStatus, resource: string, setting: string, value: string, description: string) => {
      for (const control of controls) {
        ledger.record({ control, status, subject: this.node.path, resource, setting, value, description });
      }
    };
    record([Control.NIST_AU_2, Control.PCI_10_2_1, Control.HIPAA_164_312_B, Control.ISO_A_8_15], EvidenceStatus.SATISFIED, trail,
      'EventSelectors', 'ReadWriteType=All, no excluded sources',
      'every KMS API call, including Encrypt and Decrypt, is recorded as a management event');
    record([Control.NIST_AU_12], EvidenceStatus.SATISFIED, trail, 'IsMultiRegionTrail, IncludeGlobalServiceEvents', 'true, true',
      'the trail records every region');
    record([Control.NIST_AU_9, Control.PCI_10_3_4], EvidenceStatus.SATISFIED, trail, 'EnableLogFileValidation, KMSKeyId',
      'true, sink key', 'log files are digest-signed and encrypted with the sink\'s customer-managed key');
    record([Control.NIST_AU_9_2], EvidenceStatus.SATISFIED, bucket, 'BucketName', 'dedicated bucket',
      'records are delivered to a dedicated bucket and log group, apart from the keys they describe');
    record([Control.NIST_AU_9_4, Control.PCI_10_3_2], this.immutable ? EvidenceStatus.SATISFIED : EvidenceStatus.NOT_SATISFIED, bucket,
      'ObjectLockConfiguration', `${this.immutable ? 'COMPLIANCE' : 'GOVERNANCE'} ${this.retentionDays} days`,
      this.immutable ? 'records are write-once: nobody can delete or overwrite them before retention ends'
        : 'records can be deleted by principals allowed to bypass governance retention');
    record([Control.NIST_AU_11, Control.PCI_10_5_1], this.retentionDays >= 365 ? EvidenceStatus.SATISFIED : EvidenceStatus.NOT_SATISFIED,
      bucket, 'DefaultRetention.Days', String(this.retentionDays), `records are kept ${days(this.retentionDays)} (log group ${logGroupName} at least as long)`);
    record([Control.NIST_AU_6, Control.SOC2_CC7_2], EvidenceStatus.SATISFIED, this.alarmTopic.node.path, 'EventBridge rules',
      [...CRITICAL_KEY_API_CALLS, ...KEY_LIFECYCLE_EVENTS, ...TRAIL_TAMPERING_API_CALLS].join(', '),
      'critical key and trail events are published to an encrypted SNS topic');
  }

  /**
   * Guards against escape hatches (property overrides included) that would blind the trail.
   */
  private validateTrail(): string[] {
    const cfn = this.trail.node.defaultChild as cloudtrail.CfnTrail;
    const stack = Stack.of(this);
    // The rendered resource, with raw overrides applied, as it will appear in the template.
    const rendered = stack.resolve((cfn as any)._toCloudFormation()) as { Resources: Record<string, { Properties: any }> };
    const props = Object.values(rendered.Resources)[0].Properties ?? {};
    const errors: string[] = [];
    for (const s of props.EventSelectors ?? []) {
      if ((s.ExcludeManagementEventSources ?? []).includes('kms.amazonaws.com')) {
        errors.push('the audit trail must not exclude kms.amazonaws.com management events');
      }
      if (s.ReadWriteType !== undefined && s.ReadWriteType !== 'All') {
        errors.push(`the audit trail must record read and write management events, got ${s.ReadWriteType}`);
      }
      if (s.IncludeManagementEvents === false) errors.push('the audit trail must include management events');
    }
    if (props.IsMultiRegionTrail !== true) errors.push('the audit trail must be multi-region');
    if (props.EnableLogFileValidation !== true) errors.push('the audit trail must validate log files');
    if (props.IsLogging !== true) errors.push('the audit trail must be logging');
    if (!props.KMSKeyId) errors.push('the audit trail must be KMS-encrypted');
    if (!props.CloudWatchLogsLogGroupArn) errors.push('the audit trail must deliver to its CloudWatch log group');
    return errors;
  }
}

function logRetentionFor(retentionDays: number): logs.RetentionDays {
  return LOG_RETENTION_STEPS.find((d) => (d as number) >= retentionDays) ?? logs.RetentionDays.INFINITE;
}
