import { Duration, Lazy, Names, RemovalPolicy, Stack, ArnFormat, Token } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { CustomerManagedKey } from './customer-managed-key';
import { IKeyAuditSink } from './key-audit-sink-types';
import { DeploymentModel } from '../core/deployment-model';
import { ComplianceProfile } from '../core/profile';
import { ValidationError } from '../core/validation';
import { acknowledgeRules } from './private/acknowledge';
import { auditAlarmTarget } from './private/alarm-target';
import { alarmTopicFindings, authorizeAlarmPublishers, createAlarmRules, createGrantRevocationAlarm } from './private/audit-sink-alarms';
import { recordAuditSinkEvidence } from './private/audit-sink-evidence';
import { requireTrailName, resolveAuditSinkSettings } from './private/audit-sink-input';
import { authorizeTrailServices, logRetentionFor, objectAccessAcknowledgements, trailFindings } from './private/audit-sink-trail';

export * from './key-audit-sink-types';
export * from './private/audit-sink-events';

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
    const settings = resolveAuditSinkSettings(this, props);
    this.immutable = settings.immutable;
    this.retentionDays = settings.retentionDays;
    this.grantRevocationBurstThreshold = settings.burstThreshold;
    this.profile = settings.profile;

    const stack = Stack.of(this);
    this.trailName = props.trailName ?? Names.uniqueResourceName(this, { maxLength: 128, separator: '-' });
    if (!Token.isUnresolved(this.trailName)) requireTrailName(this.trailName);
    const logGroupName = `/aws/cloudtrail/${this.trailName}`;
    const trailArn = stack.formatArn({ service: 'cloudtrail', resource: 'trail', resourceName: this.trailName });
    const logGroupArn = stack.formatArn({
      service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    this.encryptionKey = this.createKey(props);
    const key = this.encryptionKey;
    authorizeTrailServices(key, stack, trailArn, logGroupArn);
    this.bucket = this.createBucket(key);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName,
      encryptionKey: key,
      // At least a year whatever the profile: AWS Control Tower's CT.CLOUDWATCH.PR.2.
      retention: logRetentionFor(Math.max(this.retentionDays, 365)),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.trail = this.createTrail(trailArn, logGroupName);
    this.grantAuditors(props.custodians.auditors ?? []);

    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Critical KMS key events',
      masterKey: key,
      enforceSSL: true,
    });
    for (const email of settings.notificationEmails) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(email));
    }
    authorizeAlarmPublishers(this.alarmTopic, key, stack);
    createAlarmRules(this, this.bucket);
    this.grantRevocationAlarm = createGrantRevocationAlarm(this, this.logGroup, this.trailName, this.grantRevocationBurstThreshold, this.alarmTopic);

    this.acknowledgeFindings();
    recordAuditSinkEvidence(this, logGroupName);
    this.node.addValidation({ validate: () => [...trailFindings(this.trail, this.bucket), ...alarmTopicFindings(this.alarmTopic)] });
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
   * The sink's key is a customer-managed key whatever models the profile allows for data keys: CloudTrail, CloudWatch
   * Logs and SNS can only encrypt with a key held in KMS.
   */
  private createKey(props: KeyAuditSinkProps): CustomerManagedKey {
    const profile = this.profile;
    const keyProfile = profile.allows(DeploymentModel.CUSTOMER_MANAGED) ? profile : ComplianceProfile.custom({
      name: `${profile.name}-AUDIT`, basedOn: profile, allowedModels: [DeploymentModel.CUSTOMER_MANAGED],
    });
    return new CustomerManagedKey(this, 'Key', {
      custodians: { administrators: props.custodians.administrators, approvers: props.custodians.approvers },
      profile: keyProfile,
      auditSink: this,
      description: `Encrypts the KMS audit trail ${this.trailName}`,
      deploymentPrincipal: props.deploymentPrincipal,
    });
  }

  /**
   * No S3 server access logs: S3 cannot deliver them to a bucket with Object Lock, and accepts only SSE-S3 destinations
   * (which Control Tower's CT.S3.PR.10 refuses). The trail itself records object-level access to this bucket as data
   * events, into this same write-once bucket.
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-configure.html
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html
   */
  private createBucket(key: kms.IKey): s3.Bucket {
    const lockRetention = this.immutable
      ? s3.ObjectLockRetention.compliance(Duration.days(this.retentionDays))
      : s3.ObjectLockRetention.governance(Duration.days(this.retentionDays));
    const bucket = new s3.Bucket(this, 'Bucket', {
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
    (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    return bucket;
  }

  /** The trail, delivering to the bucket and (through its own role) to the log group, and recording bucket access. */
  private createTrail(trailArn: string, logGroupName: string): cloudtrail.Trail {
    const key = this.encryptionKey;
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

    const trail = new cloudtrail.Trail(this, 'Trail', {
      trailName: this.trailName,
      bucket: this.bucket,
      encryptionKey: key,
      enableFileValidation: true,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      managementEvents: cloudtrail.ReadWriteType.ALL,
      sendToCloudWatchLogs: false,
    });
    const cfnTrail = trail.node.defaultChild as cloudtrail.CfnTrail;
    // Under dual control key.keyArn comes from the gate's policy resource (so consumers wait for the custodian policy);
    // the trail and log group name the key itself, which AWS Control Tower's CT.CLOUDTRAIL.PR.1 and CT.CLOUDWATCH.PR.3
    // require (a reference to an AWS::KMS::Key), and still wait for that policy, which lets CloudTrail and CloudWatch
    // Logs use the key: both services check the key policy when the resource is created.
    const gatedPolicy = key.node.tryFindChild('GatedPolicy');
    if (gatedPolicy) {
      const keyArn = (key.node.defaultChild as kms.CfnKey).attrArn;
      cfnTrail.kmsKeyId = keyArn;
      (this.logGroup.node.defaultChild as logs.CfnLogGroup).kmsKeyId = keyArn;
      trail.node.addDependency(gatedPolicy);
      this.logGroup.node.addDependency(gatedPolicy);
    }
    cfnTrail.cloudWatchLogsLogGroupArn = this.logGroup.logGroupArn;
    cfnTrail.cloudWatchLogsRoleArn = deliveryRole.roleArn;
    // CloudTrail checks on creation that it can write to the log group.
    trail.node.addDependency(deliveryPolicy);
    // Object-level access to the trail bucket (and to buckets given to recordObjectAccess), read and write. Each log
    // delivery is itself a PutObject, so the trail records one data event per delivery: a steady trickle, not a loop
    // that grows.
    this.objectAccessArns.push(`${this.bucket.bucketArn}/`);
    trail.addEventSelector(cloudtrail.DataResourceType.S3_OBJECT, Lazy.list({ produce: () => this.objectAccessArns }), {
      includeManagementEvents: false,
      readWriteType: cloudtrail.ReadWriteType.ALL,
    });
    return trail;
  }

  /** Auditors decrypt with the sink key and read the trail bucket. */
  private grantAuditors(auditors: iam.IPrincipal[]): void {
    for (const auditor of auditors) {
      this.encryptionKey.grantDecrypt(auditor);
      this.bucket.addToResourcePolicy(new iam.PolicyStatement({
        principals: [auditor],
        actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket', 's3:ListBucketVersions', 's3:GetObjectRetention'],
        resources: [this.bucket.bucketArn, this.bucket.arnForObjects('*')],
      }));
    }
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
}
