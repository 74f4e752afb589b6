import { Duration, Lazy, Names, RemovalPolicy, Stack, ArnFormat } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
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
import { days, requireRange, shown, ValidationError } from '../core/validation';
import { acknowledgeRules, RuleAcknowledgement } from './private/acknowledge';
import { auditAlarmTarget } from './private/alarm-target';
import { requireCustodians } from './private/custodian-checks';
import { emailList, literalDuration, optionalBoolean, optionalProfile, requireProps, wholeNumber } from './private/input';

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

  /**
   * How many RetireGrant and RevokeGrant calls (all keys, all regions the trail records) within five minutes raise
   * the grant-burst alarm. Services retire their own grants one at a time as part of normal work; a burst is someone
   * cutting off the services and principals that depend on keys, or clearing grants before anyone looks.
   * @default 10
   */
  readonly grantRevocationBurstThreshold?: number;
}

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

/**
 * KMS API calls that route around the key policy's denies: a replica created with a policy of its own decrypts the
 * primary's ciphertexts, and an alias re-pointed at another key redirects new data to whoever holds that key.
 */
export const ESCALATION_KEY_API_CALLS = ['ReplicateKey', 'UpdatePrimaryRegion', 'CreateAlias', 'UpdateAlias', 'DeleteAlias'];

/** The metric the trail's log group counts RetireGrant and RevokeGrant calls into. */
export const GRANT_REVOCATION_METRIC = 'GrantRetirementsAndRevocations';

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
  /**
   * An EventBridge target for a sink's alarm topic. Unlike aws-events-targets' `SnsTopic`, it adds no unconditioned
   * `events.amazonaws.com` grant to the topic: the sink already lets the rules of its account and region publish
   * (aws:SourceAccount, aws:SourceArn), and refuses a topic policy that lets any service publish without them.
   */
  public static alarmTarget(sink: IKeyAuditSink, message?: events.RuleTargetInput): events.IRuleTarget {
    return auditAlarmTarget(sink, message);
  }

  public readonly immutable: boolean;
  public readonly retentionDays: number;
  public readonly profile: ComplianceProfile;
  /** The sink's own key: encrypts the trail, the log group and the topic. */
  public readonly encryptionKey: CustomerManagedKey;
  public readonly trail: cloudtrail.Trail;
  /**
   * The Object Lock bucket the trail writes to. Object-level access to it (reads, writes, deletes) is recorded as
   * CloudTrail data events by the same trail, so it needs no server access log bucket.
   */
  public readonly bucket: s3.Bucket;
  public readonly logGroup: logs.LogGroup;
  public readonly alarmTopic: sns.ITopic;
  /** Name of the trail. */
  public readonly trailName: string;
  /** Raised when RetireGrant and RevokeGrant calls come in a burst. */
  public readonly grantRevocationAlarm: cloudwatch.Alarm;
  /** Calls within five minutes that raise `grantRevocationAlarm`. */
  public readonly grantRevocationBurstThreshold: number;
  /** `<bucket ARN>/` of every bucket whose object-level access the trail records (data events). */
  private readonly objectAccessArns: string[] = [];

  constructor(scope: Construct, id: string, props: KeyAuditSinkProps) {
    super(scope, id);
    requireProps(props, 'KeyAuditSink');
    const profile = optionalProfile('profile', props.profile) ?? ComplianceProfile.COMMERCIAL;
    // Object Lock and log-group retention are written as literals (the log group takes one of a fixed set of values).
    const retention = literalDuration('retention', props.retention) ?? Duration.days(profile.auditRetentionDays);
    const retentionDays = retention.toDays({ integral: false });
    requireRange('retention', retentionDays, 1, 36500, 'days');
    if (!Number.isInteger(retentionDays)) {
      throw new ValidationError(`retention must be a whole number of days, got ${retention.toHumanString()}`);
    }
    if (retentionDays < profile.auditRetentionDays) {
      throw new ValidationError(
        `retention must be at least ${days(profile.auditRetentionDays)} under profile ${profile.name}, got ${days(retentionDays)}`);
    }
    const immutable = optionalBoolean('immutable', props.immutable) ?? true;
    if (!immutable && profile.immutableAuditRequired) {
      throw new ValidationError(`immutable must be true under profile ${profile.name}, got false`);
    }
    const burstThreshold = wholeNumber('grantRevocationBurstThreshold', props.grantRevocationBurstThreshold ?? 10, 1, 10000, 'calls');
    // Auditors are granted on the sink's key, bucket and topic one by one: checked here, under the prop the user wrote.
    requireCustodians(this, 'custodians', props.custodians, ['administrators', 'auditors', 'approvers']);
    const notificationEmails = emailList('notificationEmails', props.notificationEmails);
    this.immutable = immutable;
    this.retentionDays = retentionDays;
    this.grantRevocationBurstThreshold = burstThreshold;
    this.profile = profile;

    const stack = Stack.of(this);
    this.trailName = props.trailName ?? Names.uniqueResourceName(this, { maxLength: 128, separator: '-' });
    // The name is part of ARNs and conditions computed here, so it cannot be a token.
    if (typeof this.trailName !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$/.test(this.trailName)) {
      throw new ValidationError(`trailName must be 3 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit, got ${shown(this.trailName)}`);
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

    // No S3 server access logs: S3 cannot deliver them to a bucket with Object Lock, and accepts only SSE-S3
    // destinations (which Control Tower's CT.S3.PR.10 refuses). The trail itself records object-level access to this
    // bucket as data events, into this same write-once bucket.
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-configure.html
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html
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
      // Object Lock keeps every version for the retention period whatever a lifecycle rule says; this rule only
      // clears uploads CloudTrail abandoned half-way.
      lifecycleRules: [{ id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(7) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Object events (deletions among them) go to EventBridge; set on the L1 because the L2's eventBridgeEnabled adds a
    // custom-resource Lambda function.
    (this.bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName,
      encryptionKey: key,
      // At least a year whatever the profile: AWS Control Tower's CT.CLOUDWATCH.PR.2.
      retention: logRetentionFor(Math.max(retentionDays, 365)),
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
    // Under dual control key.keyArn comes from the gate's policy resource (so consumers wait for the custodian policy);
    // the trail and log group name the key itself, which AWS Control Tower's CT.CLOUDTRAIL.PR.1 and CT.CLOUDWATCH.PR.3
    // require (a reference to an AWS::KMS::Key), and still wait for that policy, which lets CloudTrail and CloudWatch
    // Logs use the key: both services check the key policy when the resource is created.
    const gatedPolicy = key.node.tryFindChild('GatedPolicy');
    if (gatedPolicy) {
      const keyArn = (key.node.defaultChild as kms.CfnKey).attrArn;
      cfnTrail.kmsKeyId = keyArn;
      (this.logGroup.node.defaultChild as logs.CfnLogGroup).kmsKeyId = keyArn;
      this.trail.node.addDependency(gatedPolicy);
      this.logGroup.node.addDependency(gatedPolicy);
    }
    cfnTrail.cloudWatchLogsLogGroupArn = this.logGroup.logGroupArn;
    cfnTrail.cloudWatchLogsRoleArn = deliveryRole.roleArn;
    // CloudTrail checks on creation that it can write to the log group.
    this.trail.node.addDependency(deliveryPolicy);
    // Object-level access to the trail bucket (and to buckets given to recordObjectAccess), read and write. Each log
    // delivery is itself a PutObject, so the trail records one data event per delivery: a steady trickle, not a loop
    // that grows.
    this.objectAccessArns.push(`${this.bucket.bucketArn}/`);
    this.trail.addEventSelector(cloudtrail.DataResourceType.S3_OBJECT, Lazy.list({ produce: () => this.objectAccessArns }), {
      includeManagementEvents: false,
      readWriteType: cloudtrail.ReadWriteType.ALL,
    });

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
    for (const email of notificationEmails) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(email));
    }

    this.authorizeAlarmPublishers(key, stack);

    const target = auditAlarmTarget(this);
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
    // Escalation paths around the key policies, on every key of the account and region (a key made outside this
    // library included), so no key needs wiring to be watched.
    new events.Rule(this, 'KeyEscalationRule', {
      description: 'KMS key replication, primary-region changes and alias changes (escalation paths around key policies)',
      eventPattern: {
        source: ['aws.kms'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: { eventSource: ['kms.amazonaws.com'], eventName: ESCALATION_KEY_API_CALLS },
      },
      targets: [target],
    });
    // Grants AWS services create for their resources carry userIdentity.invokedBy and are routine; a grant a principal
    // asks for directly is how a key's users could hand their rights on (our key policies refuse it, so this is an
    // attempt, or a key whose policy allows it).
    new events.Rule(this, 'DirectGrantRule', {
      description: 'kms:CreateGrant called directly by a principal, not by an AWS service on its behalf',
      eventPattern: {
        source: ['aws.kms'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: { eventSource: ['kms.amazonaws.com'], eventName: ['CreateGrant'], userIdentity: { invokedBy: [{ exists: false }] } },
      },
      targets: [target],
    });
    new events.Rule(this, 'TrailBucketDeletionRule', {
      description: 'Objects deleted from the audit trail bucket (delete markers and version deletions)',
      eventPattern: { source: ['aws.s3'], detailType: ['Object Deleted'], detail: { bucket: { name: [this.bucket.bucketName] } } },
      targets: [target],
    });
    // EventBridge cannot count: a burst of RetireGrant/RevokeGrant is a metric filter on the trail's log group (every
    // region the trail records) and an alarm on its sum.
    const burstMetric = new logs.MetricFilter(this, 'GrantRevocationFilter', {
      logGroup: this.logGroup,
      filterPattern: logs.FilterPattern.literal(
        '{ ($.eventSource = "kms.amazonaws.com") && (($.eventName = "RetireGrant") || ($.eventName = "RevokeGrant")) }'),
      metricNamespace: `CloudKmsConstructs/AuditTrail/${this.trailName}`,
      metricName: GRANT_REVOCATION_METRIC,
      metricValue: '1',
    }).metric({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) });
    this.grantRevocationAlarm = new cloudwatch.Alarm(this, 'GrantRevocationBurstAlarm', {
      alarmDescription: `${burstThreshold} or more KMS RetireGrant/RevokeGrant calls within five minutes (trail ${this.trailName})`,
      metric: burstMetric,
      threshold: burstThreshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.grantRevocationAlarm.addAlarmAction(new cloudwatchActions.SnsAction(this.alarmTopic));

    this.acknowledgeFindings();
    this.recordEvidence(logGroupName);
    this.node.addValidation({ validate: () => [...this.validateTrail(), ...this.validateAlarmTopic()] });
  }

  /**
   * Records object-level access to `bucket` (every read, write and delete) as CloudTrail data events in this sink's
   * write-once trail: the access log S3 server access logging would give, for a bucket whose own findings about server
   * access logging this acknowledges with that reason.
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/logging-with-S3.html
   */
  public recordObjectAccess(bucket: s3.IBucket): void {
    if (this.objectAccessArns.length >= 250) {
      throw new ValidationError(`recordObjectAccess accepts at most 249 buckets besides the trail bucket, got ${this.objectAccessArns.length}`);
    }
    this.objectAccessArns.push(`${bucket.bucketArn}/`);
    if (bucket instanceof s3.Bucket) {
      acknowledgeRules(bucket, this, objectAccessAcknowledgements(`object-level access is recorded as CloudTrail data events by the audit trail ${this.trailName}`));
    }
  }

  /**
   * Who may publish to the alarm topic, and encrypt for it: CloudWatch alarms and EventBridge rules of this account and
   * region only (confused deputy). On the key, CloudWatch carries aws:SourceAccount/aws:SourceArn; EventBridge sends
   * neither when it publishes to an SSE-KMS topic (SNS documents that such conditions in the key policy drop its
   * notifications), so its key statement only refuses EventBridge's other use of keys (event-bus encryption, which
   * names the bus in the encryption context); the topic policy is what limits EventBridge to this account's rules.
   * @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
   * @see https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions
   */
  private authorizeAlarmPublishers(key: CustomerManagedKey, stack: Stack): void {
    const alarms = { StringEquals: { 'aws:SourceAccount': stack.account }, ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` } };
    const rules = { StringEquals: { 'aws:SourceAccount': stack.account }, ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:events:${stack.region}:${stack.account}:rule/*` } };
    this.alarmTopic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsOfThisAccount',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [this.alarmTopic.topicArn],
      conditions: alarms,
    }));
    this.alarmTopic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowEventBridgeRulesOfThisAccount',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [this.alarmTopic.topicArn],
      conditions: rules,
    }));
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: alarms,
    }));
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowEventBridgeToPublish',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { Null: { 'kms:EncryptionContext:aws:events:event-bus:arn': 'true' } },
    }));
  }

  /** Refuses a service grant on the alarm topic without a source condition (e.g. events-targets' SnsTopic). */
  private validateAlarmTopic(): string[] {
    const policy = this.alarmTopic.node.tryFindChild('Policy') as sns.TopicPolicy | undefined;
    const json = Stack.of(this).resolve(policy?.document.toJSON()) as { Statement?: any[] } | undefined;
    return (json?.Statement ?? [])
      .filter((st) => st.Effect === 'Allow' && st.Principal?.Service !== undefined)
      .filter((st) => st.Condition?.StringEquals?.['aws:SourceAccount'] === undefined || st.Condition?.ArnLike?.['aws:SourceArn'] === undefined)
      .map((st) => `the alarm topic lets ${JSON.stringify(st.Principal.Service)} publish without aws:SourceAccount and aws:SourceArn ` +
        '(confused deputy): target the topic with KeyAuditSink.alarmTarget(sink), not events-targets SnsTopic');
  }

  private acknowledgeFindings(): void {
    const replication = {
      reason: 'Cross-region replication is a deployment decision (destination bucket, region, key) we cannot make for ' +
        'the account; the records are protected in place by versioning, Object Lock and KMS encryption.',
    };
    acknowledgeRules(this.bucket, this, [
      { id: 'NIST.800.53.R5-S3BucketReplicationEnabled', ...replication },
      { id: 'HIPAA.Security-S3BucketReplicationEnabled', ...replication },
      { id: 'PCI.DSS.321-S3BucketReplicationEnabled', ...replication },
      ...objectAccessAcknowledgements('S3 cannot deliver server access logs to a bucket with Object Lock; this trail records ' +
        'object-level access to its own bucket as CloudTrail data events, kept write-once in the same bucket'),
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
    record([Control.NIST_AU_9, Control.PCI_10_2_1], EvidenceStatus.SATISFIED, trail, 'EventSelectors (data events)',
      `AWS::S3::Object ${(this.bucket.node.defaultChild as s3.CfnBucket).node.path}, ReadWriteType=All`,
      'every read, write and delete of the audit records is itself recorded, write-once, by the same trail (CloudTrail data events)');
    record([Control.NIST_AU_6, Control.SOC2_CC7_2], EvidenceStatus.SATISFIED, this.alarmTopic.node.path, 'EventBridge rules',
      [...CRITICAL_KEY_API_CALLS, ...KEY_LIFECYCLE_EVENTS, ...TRAIL_TAMPERING_API_CALLS, ...ESCALATION_KEY_API_CALLS,
        'direct CreateGrant', 'trail bucket Object Deleted'].join(', '),
      'critical key and trail events, and escalation paths around key policies, are published to an encrypted SNS topic');
    record([Control.NIST_AU_6, Control.SOC2_CC7_2], EvidenceStatus.SATISFIED, this.grantRevocationAlarm.node.path, 'MetricFilter, Alarm',
      `RetireGrant/RevokeGrant >= ${this.grantRevocationBurstThreshold} in 5 minutes`,
      'bursts of grant retirements and revocations raise an alarm on the audit topic');
    record([Control.NIST_AU_6, Control.SOC2_CC7_2], EvidenceStatus.SATISFIED, this.alarmTopic.node.path, 'TopicPolicy, KeyPolicy',
      'cloudwatch.amazonaws.com, events.amazonaws.com of this account',
      'CloudWatch alarms and EventBridge rules of this account can publish to the encrypted topic; no other account\'s can');
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
    // Selectors with IncludeManagementEvents false only add data events (object access); the others must record
    // every management event.
    const selectors: any[] = props.EventSelectors ?? [];
    const management = selectors.filter((s) => s.IncludeManagementEvents !== false);
    for (const s of management) {
      if ((s.ExcludeManagementEventSources ?? []).includes('kms.amazonaws.com')) {
        errors.push('the audit trail must not exclude kms.amazonaws.com management events');
      }
      if (s.ReadWriteType !== undefined && s.ReadWriteType !== 'All') {
        errors.push(`the audit trail must record read and write management events, got ${s.ReadWriteType}`);
      }
    }
    if (selectors.length > 0 && management.length === 0) errors.push('the audit trail must include management events');
    for (const s of selectors.filter((x) => x.IncludeManagementEvents === false)) {
      if (s.ReadWriteType !== undefined && s.ReadWriteType !== 'All') {
        errors.push(`the audit trail must record reads and writes of the audit records, got ${s.ReadWriteType}`);
      }
    }
    const bucketArn = stack.resolve(`${this.bucket.bucketArn}/`);
    const recordsOwnBucket = selectors.some((s) => s.IncludeManagementEvents === false && (s.DataResources ?? [])
      .some((d: any) => d.Type === 'AWS::S3::Object' && JSON.stringify(d.Values ?? []).includes(JSON.stringify(bucketArn))));
    if (!recordsOwnBucket) errors.push('the audit trail must record object-level access to its own bucket (S3 data events)');
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

/** The server-access-logging findings on a bucket whose object access CloudTrail data events record instead. */
function objectAccessAcknowledgements(reason: string): RuleAcknowledgement[] {
  return [
    'AwsSolutions-S1', 'NIST.800.53.R5-S3BucketLoggingEnabled', 'HIPAA.Security-S3BucketLoggingEnabled', 'PCI.DSS.321-S3BucketLoggingEnabled',
    // AWS Control Tower CT.S3.PR.2, as the CfnGuardValidator plugin names it.
    'cdk-validator-cfnguard::s3_bucket_logging_enabled_check',
  ].map((id) => ({ id, reason }));
}
