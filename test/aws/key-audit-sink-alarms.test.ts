import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ComplianceProfile, Control, EvidenceLedger } from '../../src';
import * as aws from '../../src/aws';
import { ACCOUNT, byokFor, keyPolicyOf, newStack, sinkFor, templateOf } from '../support/fixtures';

const REGION = 'us-east-1';
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:AuditAlarmTopic`;
const OTHER = '222222222222';

/** The CloudFormation intrinsics our policies use, resolved as AWS would for this account, region and topic. */
function concrete(v: any): any {
  if (Array.isArray(v)) return v.map(concrete);
  if (v && typeof v === 'object') {
    if (v.Ref === 'AWS::Partition') return 'aws';
    if (v.Ref === 'AWS::AccountId') return ACCOUNT;
    if (v.Ref === 'AWS::Region') return REGION;
    if (typeof v.Ref === 'string') return TOPIC_ARN;
    if (v['Fn::Join']) return (concrete(v['Fn::Join'][1]) as string[]).join(v['Fn::Join'][0]);
    if (v['Fn::GetAtt']) return KEY_ARN;
    if (typeof v['Fn::Sub'] === 'string') {
      return v['Fn::Sub'].replace(/\$\{AWS::Partition\}/g, 'aws').replace(/\$\{AWS::AccountId\}/g, ACCOUNT)
        .replace(/\$\{AWS::Region\}/g, REGION).replace(/\$\{[^}]+\}/g, 'x');
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, concrete(x)]));
  }
  return v;
}

/**
 * Decides a request with @cloud-copilot/iam-simulate against one resource policy (nothing else applies), with the
 * context keys it ignored. Its safe entry point drops kms:EncryptionContext:* keys as not applicable (the hand-worked
 * case shows it), so conditions on them are checked by structure, not with it.
 */
async function simulate(policy: any, principal: string, action: string, resource: string, ctx: Record<string, string>) {
  const result = await runSimulation({
    request: { principal, action, resource: { resource, accountId: ACCOUNT }, contextVariables: ctx },
    identityPolicies: [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: concrete(policy),
  }, {});
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  if (result.resultType !== 'single') throw new Error(`expected one resource, got ${result.resultType}`);
  return { decision: result.overallResult as string, ignored: result.result.ignoredContextKeys ?? [] };
}

async function decide(policy: any, principal: string, action: string, resource: string, ctx: Record<string, string>): Promise<string> {
  const { decision, ignored } = await simulate(policy, principal, action, resource, ctx);
  expect(ignored).toEqual([]);
  return decision;
}

const alarmArn = (account: string) => `arn:aws:cloudwatch:${REGION}:${account}:alarm:KeyMaterialExpiry`;
const ruleArn = (account: string) => `arn:aws:events:${REGION}:${account}:rule/KeyApiCalls`;

describe('finding 4: alarm notifications reach the encrypted topic, and only from this account', () => {
  const stack = newStack();
  const sink = sinkFor(stack, ComplianceProfile.PCI_DSS);
  const t = templateOf(stack);
  const keyPolicy = keyPolicyOf(stack, sink.encryptionKey);
  const topicPolicy = (Object.values(t.findResources('AWS::SNS::TopicPolicy'))[0] as any).Properties.PolicyDocument;
  const https = { 'aws:SecureTransport': 'true' };

  test('the evaluator honours the conditions we rely on (hand-worked cases), and says which it cannot', async () => {
    const policy = {
      Statement: [{
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: { Null: { 'kms:EncryptionContext:aws:events:event-bus:arn': 'true' } },
      }, {
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:*` } },
      }],
    };
    expect(await decide(policy, 'cloudwatch.amazonaws.com', 'kms:Decrypt', KEY_ARN,
      { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': alarmArn(ACCOUNT) })).toBe('Allowed');
    expect(await decide(policy, 'cloudwatch.amazonaws.com', 'kms:Decrypt', KEY_ARN,
      { 'aws:SourceAccount': OTHER, 'aws:SourceArn': alarmArn(OTHER) })).toBe('ImplicitlyDenied');
    expect(await decide(policy, 'cloudwatch.amazonaws.com', 'kms:Decrypt', KEY_ARN, {})).toBe('ImplicitlyDenied');
    // By hand: Null "true" holds only when the key is absent, so an event-bus request (which carries it) is not allowed.
    // The simulator drops the key instead of evaluating it, so it cannot decide this case.
    const bus = await simulate(policy, 'events.amazonaws.com', 'kms:Decrypt', KEY_ARN,
      { 'kms:EncryptionContext:aws:events:event-bus:arn': `arn:aws:events:${REGION}:${OTHER}:event-bus/x` });
    expect(bus.ignored).toEqual(['kms:EncryptionContext:aws:events:event-bus:arn']);
  });

  test.each(['kms:GenerateDataKey', 'kms:Decrypt'])('CloudWatch alarms of this account may use the key for the topic (%s)', async (action) => {
    expect(await decide(keyPolicy, 'cloudwatch.amazonaws.com', action, KEY_ARN,
      { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': alarmArn(ACCOUNT) })).toBe('Allowed');
    expect(await decide(keyPolicy, 'cloudwatch.amazonaws.com', action, KEY_ARN,
      { 'aws:SourceAccount': OTHER, 'aws:SourceArn': alarmArn(OTHER) })).not.toBe('Allowed');
    expect(await decide(keyPolicy, 'cloudwatch.amazonaws.com', action, KEY_ARN, {})).not.toBe('Allowed');
  });

  test('CloudWatch alarms and EventBridge rules of this account may publish to the topic; those of another account may not', async () => {
    expect(await decide(topicPolicy, 'cloudwatch.amazonaws.com', 'sns:Publish', TOPIC_ARN,
      { ...https, 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': alarmArn(ACCOUNT) })).toBe('Allowed');
    expect(await decide(topicPolicy, 'cloudwatch.amazonaws.com', 'sns:Publish', TOPIC_ARN,
      { ...https, 'aws:SourceAccount': OTHER, 'aws:SourceArn': alarmArn(OTHER) })).not.toBe('Allowed');
    expect(await decide(topicPolicy, 'events.amazonaws.com', 'sns:Publish', TOPIC_ARN,
      { ...https, 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': ruleArn(ACCOUNT) })).toBe('Allowed');
    expect(await decide(topicPolicy, 'events.amazonaws.com', 'sns:Publish', TOPIC_ARN,
      { ...https, 'aws:SourceAccount': OTHER, 'aws:SourceArn': ruleArn(OTHER) })).not.toBe('Allowed');
    // No service may publish to the topic without a source condition.
    for (const st of topicPolicy.Statement.filter((s: any) => s.Effect === 'Allow' && s.Principal.Service)) {
      expect(st.Condition).toMatchObject({ StringEquals: { 'aws:SourceAccount': expect.anything() }, ArnLike: { 'aws:SourceArn': expect.anything() } });
    }
  });

  test('EventBridge may use the key for SNS delivery (no aws:Source* keys: SNS documents it sends none) but not for event buses', async () => {
    expect(await decide(keyPolicy, 'events.amazonaws.com', 'kms:GenerateDataKey', KEY_ARN, {})).toBe('Allowed');
    // Structure, not the simulator (see the hand-worked case): the only events.amazonaws.com allow requires the
    // event-bus encryption context to be absent.
    const allows = keyPolicy.Statement.filter((st: any) => st.Effect === 'Allow' && JSON.stringify(st.Principal).includes('events.amazonaws.com'));
    expect(allows).toEqual([expect.objectContaining({
      Sid: 'AllowEventBridgeToPublish',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Condition: { Null: { 'kms:EncryptionContext:aws:events:event-bus:arn': 'true' } },
    })]);
  });

  test('every service principal on the sink key carries a source or encryption-context condition', () => {
    for (const st of keyPolicy.Statement.filter((s: any) => s.Effect === 'Allow' && s.Principal?.Service)) {
      expect([st.Sid, Object.keys(st.Condition ?? {})]).not.toEqual([st.Sid, []]);
    }
  });

  test('the BYOK expiry alarm and the key-store alarms publish to that topic', () => {
    const s2 = newStack(undefined, new App());
    byokFor(s2, ComplianceProfile.PCI_DSS, 'ImportedKey', {});
    const alarms = Template.fromStack(s2).findResources('AWS::CloudWatch::Alarm');
    expect(Object.keys(alarms).length).toBeGreaterThan(0);
    for (const a of Object.values(alarms) as any[]) expect(JSON.stringify(a.Properties.AlarmActions)).toContain('AuditAlarmTopic');
  });

  test('events-targets SnsTopic on the alarm topic (an unscoped events.amazonaws.com grant) is refused at synthesis', () => {
    const s2 = newStack(undefined, new App());
    const other = sinkFor(s2, ComplianceProfile.PCI_DSS);
    new events.Rule(s2, 'Mine', { schedule: events.Schedule.expression('rate(1 day)'), targets: [new targets.SnsTopic(other.alarmTopic)] });
    expect(() => Template.fromStack(s2)).toThrow(/alarm topic lets "events.amazonaws.com" publish without aws:SourceAccount/);
    const s3stack = newStack(undefined, new App());
    const ok = sinkFor(s3stack, ComplianceProfile.PCI_DSS);
    new events.Rule(s3stack, 'Mine', { schedule: events.Schedule.expression('rate(1 day)'), targets: [aws.KeyAuditSink.alarmTarget(ok)] });
    expect(() => Template.fromStack(s3stack)).not.toThrow();
  });
});

describe('finding 3: escalation paths around the key policies raise alarms', () => {
  const stack = newStack();
  const sink = sinkFor(stack, ComplianceProfile.PCI_DSS);
  const t = templateOf(stack);
  const topic = Object.keys(t.findResources('AWS::SNS::Topic'))[0];

  test('replication, primary-region and alias changes go to the alarm topic', () => {
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.kms'],
        'detail-type': ['AWS API Call via CloudTrail'],
        'detail': { eventSource: ['kms.amazonaws.com'], eventName: ['ReplicateKey', 'UpdatePrimaryRegion', 'CreateAlias', 'UpdateAlias', 'DeleteAlias'] },
      },
      Targets: [Match.objectLike({ Arn: { Ref: topic } })],
    });
  });

  test('a grant a principal creates directly (not an AWS service for its resource) goes to the alarm topic', () => {
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        detail: { eventSource: ['kms.amazonaws.com'], eventName: ['CreateGrant'], userIdentity: { invokedBy: [{ exists: false }] } },
      },
      Targets: [Match.objectLike({ Arn: { Ref: topic } })],
    });
  });

  test('a burst of RetireGrant/RevokeGrant, counted from the trail\'s log group, raises an alarm on the topic', () => {
    const logGroup = Object.keys(t.findResources('AWS::Logs::LogGroup'))[0];
    t.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: logGroup },
      FilterPattern: '{ ($.eventSource = "kms.amazonaws.com") && (($.eventName = "RetireGrant") || ($.eventName = "RevokeGrant")) }',
      MetricTransformations: [Match.objectLike({ MetricName: 'GrantRetirementsAndRevocations', MetricValue: '1' })],
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'GrantRetirementsAndRevocations',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 10,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: topic }],
    });
    expect(sink.grantRevocationBurstThreshold).toBe(10);
  });

  test('the burst threshold is a whole number of calls', () => {
    const s2 = newStack(undefined, new App());
    const custodians = { administrators: [] as any[] };
    expect(() => new aws.KeyAuditSink(s2, 'A', { custodians, grantRevocationBurstThreshold: 0 }))
      .toThrow(/grantRevocationBurstThreshold must be between 1 and 10000 calls, got 0/);
    expect(() => new aws.KeyAuditSink(s2, 'B', { custodians, grantRevocationBurstThreshold: 2.5 }))
      .toThrow(/grantRevocationBurstThreshold must be a whole number of calls, got 2.5/);
  });

  test('evidence names the escalation alarms', () => {
    const values = EvidenceLedger.of(stack).evidenceFor(Control.NIST_AU_6, 'Test/Audit').map((e) => e.value).join(' ');
    expect(values).toContain('ReplicateKey');
    expect(values).toContain('direct CreateGrant');
    expect(values).toContain('RetireGrant/RevokeGrant >= 10');
  });
});

describe('finding 8: access to the audit records is logged where it can be delivered, write-once', () => {
  const stack = newStack();
  const sink = sinkFor(stack, ComplianceProfile.PCI_DSS);
  const t = templateOf(stack);
  const bucket = Object.keys(t.findResources('AWS::S3::Bucket'))[0];

  test('no server access log bucket: S3 cannot deliver to an Object Lock bucket, nor to anything but SSE-S3', () => {
    const buckets = Object.values(t.findResources('AWS::S3::Bucket')) as any[];
    expect(buckets).toHaveLength(1);
    for (const b of buckets) {
      expect(b.Properties.LoggingConfiguration).toBeUndefined();
      // Any bucket S3 would deliver server access logs to must not have Object Lock default retention.
      expect(b.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
    }
  });

  test('the trail records every read and write of its own bucket as data events, in the same write-once bucket', () => {
    t.hasResourceProperties('AWS::CloudTrail::Trail', {
      S3BucketName: { Ref: bucket },
      EventSelectors: [
        { IncludeManagementEvents: true, ReadWriteType: 'All' },
        {
          IncludeManagementEvents: false,
          ReadWriteType: 'All',
          DataResources: [{ Type: 'AWS::S3::Object', Values: [{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/']] }] }],
        },
      ],
    });
    t.hasResourceProperties('AWS::S3::Bucket', { ObjectLockConfiguration: { Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } } } });
  });

  test('deletions in the trail bucket raise an alarm', () => {
    t.hasResourceProperties('AWS::S3::Bucket', { NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } } });
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.s3'], 'detail-type': ['Object Deleted'], 'detail': { bucket: { name: [{ Ref: bucket }] } } },
    });
  });

  test('recordObjectAccess adds a workload bucket to the data events and says so on its logging findings', () => {
    const s2 = newStack(undefined, new App());
    const other = sinkFor(s2, ComplianceProfile.PCI_DSS);
    const data = new s3.Bucket(s2, 'Data');
    other.recordObjectAccess(data);
    const t2 = Template.fromStack(s2);
    const dataId = Object.keys(t2.findResources('AWS::S3::Bucket')).find((k) => k.startsWith('Data'))!;
    const trail = Object.values(t2.findResources('AWS::CloudTrail::Trail'))[0] as any;
    expect(JSON.stringify(trail.Properties.EventSelectors[1].DataResources[0].Values)).toContain(dataId);
    expect(EvidenceLedger.of(s2).acknowledgements().filter((a) => a.resource === data.node.path).map((a) => a.rule))
      .toEqual(expect.arrayContaining(['AwsSolutions-S1', 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check']));
  });

  test('an escape hatch that drops the data events is refused', () => {
    const s2 = newStack(undefined, new App());
    const other = sinkFor(s2, ComplianceProfile.PCI_DSS);
    (other.trail.node.defaultChild as any).addPropertyOverride('EventSelectors', [{ IncludeManagementEvents: true, ReadWriteType: 'All' }]);
    expect(() => Template.fromStack(s2)).toThrow(/must record object-level access to its own bucket/);
  });

  test('evidence: access to the records is itself recorded', () => {
    const ev = EvidenceLedger.of(stack).evidenceFor(Control.NIST_AU_9, 'Test/Audit').find((e) => e.setting === 'EventSelectors (data events)');
    expect(ev?.description).toMatch(/every read, write and delete of the audit records/);
    expect(sink.bucket).toBeDefined();
  });
});

