import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { IKeyAuditSink } from '../key-audit-sink-types';
import { auditAlarmTarget } from './alarm-target';
import {
  CRITICAL_KEY_API_CALLS, ESCALATION_KEY_API_CALLS, GRANT_REVOCATION_METRIC, KEY_LIFECYCLE_EVENTS, TRAIL_TAMPERING_API_CALLS,
} from './audit-sink-events';

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
export function authorizeAlarmPublishers(topic: sns.ITopic, key: kms.IKey, stack: Stack): void {
  const alarms = { StringEquals: { 'aws:SourceAccount': stack.account }, ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` } };
  const rules = { StringEquals: { 'aws:SourceAccount': stack.account }, ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:events:${stack.region}:${stack.account}:rule/*` } };
  const publishers = [
    { service: 'cloudwatch.amazonaws.com', topicSid: 'AllowCloudWatchAlarmsOfThisAccount', topic: alarms, keySid: 'AllowCloudWatchAlarmsToPublish', key: alarms },
    {
      service: 'events.amazonaws.com',
      topicSid: 'AllowEventBridgeRulesOfThisAccount',
      topic: rules,
      keySid: 'AllowEventBridgeToPublish',
      key: { Null: { 'kms:EncryptionContext:aws:events:event-bus:arn': 'true' } },
    },
  ];
  for (const p of publishers) {
    topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: p.topicSid,
      principals: [new iam.ServicePrincipal(p.service)],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: p.topic,
    }));
  }
  for (const p of publishers) {
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: p.keySid,
      principals: [new iam.ServicePrincipal(p.service)],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: p.key,
    }));
  }
}

/** The EventBridge rules that publish critical key and trail events to the sink's alarm topic. */
export function createAlarmRules(sink: IKeyAuditSink, bucket: s3.IBucket): void {
  const target = auditAlarmTarget(sink);
  apiCallRule(sink, 'KeyApiCallsRule', 'Critical KMS API calls (disable, delete, policy change, key material, custom key stores)',
    'kms', CRITICAL_KEY_API_CALLS, target);
  new events.Rule(sink, 'KeyLifecycleRule', {
    description: 'KMS key deletion and imported key material expiration',
    eventPattern: { source: ['aws.kms'], detailType: KEY_LIFECYCLE_EVENTS },
    targets: [target],
  });
  apiCallRule(sink, 'TrailTamperingRule', 'Attempts to stop or change the KMS audit trail', 'cloudtrail', TRAIL_TAMPERING_API_CALLS, target);
  // Escalation paths around the key policies, on every key of the account and region (a key made outside this
  // library included), so no key needs wiring to be watched.
  apiCallRule(sink, 'KeyEscalationRule',
    'KMS key replication, primary-region changes and alias changes (escalation paths around key policies)', 'kms', ESCALATION_KEY_API_CALLS, target);
  // Grants AWS services create for their resources carry userIdentity.invokedBy and are routine; a grant a principal
  // asks for directly is how a key's users could hand their rights on (our key policies refuse it, so this is an
  // attempt, or a key whose policy allows it).
  apiCallRule(sink, 'DirectGrantRule', 'kms:CreateGrant called directly by a principal, not by an AWS service on its behalf',
    'kms', ['CreateGrant'], target, { userIdentity: { invokedBy: [{ exists: false }] } });
  new events.Rule(sink, 'TrailBucketDeletionRule', {
    description: 'Objects deleted from the audit trail bucket (delete markers and version deletions)',
    eventPattern: { source: ['aws.s3'], detailType: ['Object Deleted'], detail: { bucket: { name: [bucket.bucketName] } } },
    targets: [target],
  });
}

/** A rule on the calls CloudTrail records to one service's API (`service` as in `aws.<service>`, `<service>.amazonaws.com`). */
function apiCallRule(scope: Construct, id: string, description: string, service: string, eventName: string[], target: events.IRuleTarget,
  detail: Record<string, unknown> = {}): events.Rule {
  return new events.Rule(scope, id, {
    description,
    eventPattern: {
      source: [`aws.${service}`],
      detailType: ['AWS API Call via CloudTrail'],
      detail: { eventSource: [`${service}.amazonaws.com`], eventName, ...detail },
    },
    targets: [target],
  });
}

/**
 * EventBridge cannot count: a burst of RetireGrant/RevokeGrant is a metric filter on the trail's log group (every
 * region the trail records) and an alarm on its sum, published to the alarm topic.
 */
export function createGrantRevocationAlarm(scope: Construct, logGroup: logs.ILogGroup, trailName: string, threshold: number,
  topic: sns.ITopic): cloudwatch.Alarm {
  const burstMetric = new logs.MetricFilter(scope, 'GrantRevocationFilter', {
    logGroup,
    filterPattern: logs.FilterPattern.literal(
      '{ ($.eventSource = "kms.amazonaws.com") && (($.eventName = "RetireGrant") || ($.eventName = "RevokeGrant")) }'),
    metricNamespace: `CloudKmsConstructs/AuditTrail/${trailName}`,
    metricName: GRANT_REVOCATION_METRIC,
    metricValue: '1',
  }).metric({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) });
  const alarm = new cloudwatch.Alarm(scope, 'GrantRevocationBurstAlarm', {
    alarmDescription: `${threshold} or more KMS RetireGrant/RevokeGrant calls within five minutes (trail ${trailName})`,
    metric: burstMetric,
    threshold,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new cloudwatchActions.SnsAction(topic));
  return alarm;
}

/** Refuses a service grant on the alarm topic without a source condition (e.g. events-targets' SnsTopic). */
export function alarmTopicFindings(topic: sns.ITopic): string[] {
  const policy = topic.node.tryFindChild('Policy') as sns.TopicPolicy | undefined;
  const json = Stack.of(topic).resolve(policy?.document.toJSON()) as { Statement?: any[] } | undefined;
  return (json?.Statement ?? [])
    .filter((st) => st.Effect === 'Allow' && st.Principal?.Service !== undefined)
    .filter((st) => st.Condition?.StringEquals?.['aws:SourceAccount'] === undefined || st.Condition?.ArnLike?.['aws:SourceArn'] === undefined)
    .map((st) => `the alarm topic lets ${JSON.stringify(st.Principal.Service)} publish without aws:SourceAccount and aws:SourceArn ` +
      '(confused deputy): target the topic with KeyAuditSink.alarmTarget(sink), not events-targets SnsTopic');
}
