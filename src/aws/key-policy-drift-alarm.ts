import { ArnFormat, Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { KeyAuditSink } from './key-audit-sink';
import { IKeyAuditSink } from './key-audit-sink-types';
import { EvidenceLedger } from '../core/evidence';
import { Enforcement } from '../core/guardrails';
import { ACCESS_CONTROLS } from '../core/key-evidence';
import { ComplianceProfile } from '../core/profile';
import { logRetentionFor } from './private/audit-sink-trail';
import { DRIFT_HANDLER_SOURCE } from './private/drift-handler';
import { checkDriftAlarmInput, DRIFT_METRIC_NAMESPACE, driftResourceNames } from './private/drift-names';

export { DEFAULT_DEPLOYMENT_ROLE_NAMES } from './private/drift-names';

/**
 * Properties of a `KeyPolicyDriftAlarm`.
 */
export interface KeyPolicyDriftAlarmProps {
  /** The sink whose alarm topic the drift and detector-failure alarms notify. */
  readonly auditSink: IKeyAuditSink;

  /**
   * The profile whose log retention the detector follows and whose name its evidence carries.
   * @default ComplianceProfile.COMMERCIAL
   */
  readonly profile?: ComplianceProfile;

  /**
   * Names (`*` matches any run of name characters) of the roles CloudFormation deploys key policies with. A
   * `PutKeyPolicy` (or `ReplicateKey`, or `CreateKey` with a policy) by one of them is expected only when CloudFormation made it (CloudTrail's `invokedBy` or
   * `sourceIPAddress` is `cloudformation.amazonaws.com`); the same role used directly is drift.
   * @default DEFAULT_DEPLOYMENT_ROLE_NAMES: the service-managed StackSets execution role and the CDK bootstrap
   * CloudFormation execution role
   * @see https://docs.aws.amazon.com/aws-managed-policy/latest/reference/CloudFormationStackSetsOrgAdminServiceRolePolicy.html
   */
  readonly deploymentRoleNames?: string[];

  /**
   * Names (`*` wildcards) of roles that write key policies directly, not through CloudFormation, as part of the golden
   * pattern, e.g. the dual-control gate's executor role.
   * @default - none
   */
  readonly policyWriterRoleNames?: string[];

  /**
   * Prefix of the detector's resource names (function, role, rule, alarms, log group), so that an organisation policy
   * can deny changes to them to everyone but the StackSet execution role.
   * @default 'cloud-kms-baseline'
   */
  readonly resourcePrefix?: string;
}

/**
 * Raises an alarm when a key policy is changed outside the deployment path: an EventBridge rule sends every CloudTrail
 * `PutKeyPolicy`, `ReplicateKey` (which sets the replica's policy) and `CreateKey` with a policy of the account and
 * region to a small inline Lambda function, which classifies the writer and publishes
 * an embedded-format metric; a CloudWatch alarm on that metric notifies the audit sink's topic.
 *
 * The expected policy is the one the deployment path last wrote: CloudTrail records every such write in the audit
 * sink's write-once trail, so there is no separate record for anyone to edit. A write from anyone else is drift even
 * when it sets the same document. Failures of the detector itself (errors, failed deliveries) raise a second alarm.
 *
 * Deploy one per account and region (the `BaselineStackSet` does): EventBridge sees KMS events only in their region,
 * and needs a trail that is logging (the audit sink's).
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/ct-put-key-policy.html
 */
export class KeyPolicyDriftAlarm extends Construct {
  /** The alarm raised by an out-of-band key policy change. */
  public readonly driftAlarm: cloudwatch.Alarm;
  /** The alarm raised when the detector fails (errors, or events EventBridge could not deliver to it). */
  public readonly detectorFailureAlarm: cloudwatch.Alarm;
  public readonly handler: lambda.Function;
  public readonly rule: events.Rule;
  /** Role names whose CloudFormation writes are expected. */
  public readonly deploymentRoleNames: string[];
  /** Role names whose direct writes are expected. */
  public readonly policyWriterRoleNames: string[];

  constructor(scope: Construct, id: string, props: KeyPolicyDriftAlarmProps) {
    super(scope, id);
    const input = checkDriftAlarmInput(props);
    this.deploymentRoleNames = input.deploymentRoleNames;
    this.policyWriterRoleNames = input.policyWriterRoleNames;
    const names = driftResourceNames(input.resourcePrefix);
    const profile = props.profile ?? ComplianceProfile.COMMERCIAL;

    // A sink of ours lends its key to the detector's log group, as to its own (AWS Control Tower's CT.CLOUDWATCH.PR.3).
    const logKey = props.auditSink instanceof KeyAuditSink ? props.auditSink.encryptionKey : undefined;
    this.handler = this.createHandler(names, profile, logKey);
    this.rule = new events.Rule(this, 'Rule', {
      ruleName: names.rule,
      description: 'Every CloudTrail PutKeyPolicy, ReplicateKey and CreateKey-with-policy call in this account and region, to the key-policy drift detector',
      eventPattern: {
        source: ['aws.kms'],
        detailType: ['AWS API Call via CloudTrail'],
        // ReplicateKey sets the replica's policy (its Policy parameter, or the default); CreateKey only with a Policy.
        // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html#eb-filtering-complex-example-or
        detail: {
          eventSource: ['kms.amazonaws.com'],
          $or: [{ eventName: ['PutKeyPolicy', 'ReplicateKey'] }, { eventName: ['CreateKey'], requestParameters: { policy: [{ exists: true }] } }],
        },
      },
      targets: [new targets.LambdaFunction(this.handler, { retryAttempts: 8, maxEventAge: Duration.hours(24) })],
    });
    this.driftAlarm = this.createDriftAlarm(names.driftAlarm, props.auditSink);
    this.detectorFailureAlarm = this.createFailureAlarm(names.failureAlarm, props.auditSink);
    this.recordEvidence(profile, input.resourcePrefix);
  }

  private createHandler(names: ReturnType<typeof driftResourceNames>, profile: ComplianceProfile, key?: kms.IKey): lambda.Function {
    const logGroupName = `/aws/lambda/${names.function}`;
    if (key) {
      const logGroupArn = Stack.of(this).formatArn({
        service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
      key.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsForTheKeyPolicyDriftDetector',
        principals: [new iam.ServicePrincipal(`logs.${Stack.of(this).region}.amazonaws.com`)],
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey',
          'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': logGroupArn } },
      }));
    }
    const logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName,
      encryptionKey: key,
      retention: logRetentionFor(Math.max(profile.auditRetentionDays, 365)),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // A role of its own with only its log group: the detector reads nothing and calls no AWS API (the metric is an
    // embedded-format log line), so tampering needs a change to it, which the organisation policy reserves.
    const role = new iam.Role(this, 'Role', {
      roleName: names.role,
      description: 'Key-policy drift detector: writes its own log group only',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    role.addToPolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }));
    const fn = new lambda.Function(this, 'Handler', {
      functionName: names.function,
      description: 'Classifies CloudTrail key policy writes (PutKeyPolicy, ReplicateKey, CreateKey): deployment path or out-of-band',
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(DRIFT_HANDLER_SOURCE),
      role,
      logGroup,
      timeout: Duration.seconds(10),
      memorySize: 128,
      environment: {
        METRIC_NAMESPACE: DRIFT_METRIC_NAMESPACE,
        DEPLOYMENT_ROLE_NAMES: JSON.stringify(this.deploymentRoleNames),
        POLICY_WRITER_ROLE_NAMES: JSON.stringify(this.policyWriterRoleNames),
      },
    });
    fn.node.addDependency(role);
    return fn;
  }

  private createDriftAlarm(alarmName: string, sink: IKeyAuditSink): cloudwatch.Alarm {
    return alarmToSink(this, 'DriftAlarm', alarmName, sink,
      `A KMS key policy was changed outside the deployment path in ${Aws.ACCOUNT_ID} ${Aws.REGION}`,
      new cloudwatch.Metric({
        namespace: DRIFT_METRIC_NAMESPACE,
        metricName: 'OutOfBandKeyPolicyChanges',
        dimensionsMap: { Detector: 'KeyPolicyDrift' },
        statistic: cloudwatch.Stats.SUM,
        period: Duration.minutes(5),
      }));
  }

  /** Fails closed: a detector that errors, or events EventBridge could not hand to it, alarm as loudly as drift. */
  private createFailureAlarm(alarmName: string, sink: IKeyAuditSink): cloudwatch.Alarm {
    const period = Duration.minutes(5);
    const errors = this.handler.metricErrors({ period, statistic: cloudwatch.Stats.SUM });
    const failed = new cloudwatch.Metric({
      namespace: 'AWS/Events', metricName: 'FailedInvocations', dimensionsMap: { RuleName: this.rule.ruleName }, statistic: cloudwatch.Stats.SUM, period,
    });
    return alarmToSink(this, 'DetectorFailureAlarm', alarmName, sink, 'The key-policy drift detector failed: policy changes may be unclassified',
      new cloudwatch.MathExpression({ expression: 'FILL(errors, 0) + FILL(failed, 0)', usingMetrics: { errors, failed }, period }));
  }

  private recordEvidence(profile: ComplianceProfile, prefix: string): void {
    EvidenceLedger.of(this).registerGuardrail({
      path: this.node.path,
      stack: Stack.of(this).node.path,
      cloud: 'aws',
      enforcement: Enforcement.DETECTIVE,
      mechanism: 'Amazon EventBridge rule on CloudTrail PutKeyPolicy, ReplicateKey and CreateKey with a policy, Lambda classifier, CloudWatch alarm',
      name: `${prefix}-key-policy-drift`,
      description: 'Alarms when a KMS key policy is written (PutKeyPolicy, a replica\'s by ReplicateKey, a new key\'s by CreateKey ' +
        'with a policy) by anyone but the deployment roles through CloudFormation ' +
        `(${this.deploymentRoleNames.join(', ')}) or the named policy writers; it detects after the change, it does not ` +
        'prevent it, and it relies on the organisation policy that reserves its own resources to the StackSet execution role',
      controls: [...ACCESS_CONTROLS],
      targets: ['the account and region of each stack that holds it'],
      profile: profile.name,
    });
  }
}

/** An alarm on any occurrence in a 5-minute period (nothing missing counts as quiet), notifying the audit sink's topic. */
function alarmToSink(scope: Construct, id: string, alarmName: string, sink: IKeyAuditSink, alarmDescription: string,
  metric: cloudwatch.IMetric): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    alarmName,
    alarmDescription,
    metric,
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new cloudwatchActions.SnsAction(sink.alarmTopic));
  return alarm;
}
