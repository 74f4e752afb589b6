import { Match, Template } from 'aws-cdk-lib/assertions';
import { ComplianceProfile, Control, EvidenceLedger } from '../../src';
import * as aws from '../../src/aws';
import { DRIFT_HANDLER_SOURCE } from '../../src/aws/private/drift-handler';
import { Enforcement } from '../../src/core/guardrails';
import { ACCESS_CONTROLS } from '../../src/core/key-evidence';
import { keyPolicyOf, newStack, sinkFor } from '../support/fixtures';

describe('a drift alarm beside a COMMERCIAL sink', () => {
  const stack = newStack();
  const sink = sinkFor(stack, ComplianceProfile.COMMERCIAL);
  const alarm = new aws.KeyPolicyDriftAlarm(stack, 'Drift', { auditSink: sink, policyWriterRoleNames: ['CloudKmsDualControlGateExecutor'] });
  const t = Template.fromStack(stack);
  const topic = stack.resolve(sink.alarmTopic.topicArn);

  test('an EventBridge rule sends every CloudTrail PutKeyPolicy, ReplicateKey and CreateKey with a policy of the account and region to the detector', () => {
    t.hasResourceProperties('AWS::Events::Rule', {
      Name: 'cloud-kms-baseline-key-policy-drift',
      EventPattern: {
        'source': ['aws.kms'],
        'detail-type': ['AWS API Call via CloudTrail'],
        'detail': {
          eventSource: ['kms.amazonaws.com'],
          $or: [{ eventName: ['PutKeyPolicy', 'ReplicateKey'] }, { eventName: ['CreateKey'], requestParameters: { policy: [{ exists: true }] } }],
        },
      },
      Targets: [Match.objectLike({
        Arn: stack.resolve(alarm.handler.functionArn),
        RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86400 },
      })],
    });
  });

  test('the detector is the inline handler (no asset), configured with the deployment roles and direct writers', () => {
    t.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'cloud-kms-baseline-key-policy-drift',
      Handler: 'index.handler',
      Code: { ZipFile: DRIFT_HANDLER_SOURCE },
      Environment: {
        Variables: {
          METRIC_NAMESPACE: 'CloudKmsConstructs/KeyPolicyDrift',
          DEPLOYMENT_ROLE_NAMES: JSON.stringify(aws.DEFAULT_DEPLOYMENT_ROLE_NAMES),
          POLICY_WRITER_ROLE_NAMES: '["CloudKmsDualControlGateExecutor"]',
        },
      },
    });
  });

  test('its role can write its own log group and nothing else', () => {
    const policies = Object.values(t.findResources('AWS::IAM::Policy'))
      .filter((p: any) => JSON.stringify(p.Properties.Roles).includes('DriftRole'));
    expect(policies).toHaveLength(1);
    const statements = (policies[0] as any).Properties.PolicyDocument.Statement;
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'] });
    expect(statements[0].Resource['Fn::GetAtt'][0]).toMatch(/^DriftLogGroup/);
    const role = Object.values(t.findResources('AWS::IAM::Role')).find((r: any) => JSON.stringify(r.Properties.RoleName ?? '').includes('key-policy-drift')) as any;
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.RoleName).toEqual({ 'Fn::Join': ['', ['cloud-kms-baseline-key-policy-drift-', { Ref: 'AWS::Region' }]] });
  });

  test('its log group (the metric source) is kept at least a year, encrypted with the sink key, which lets CloudWatch Logs use it for that log group only', () => {
    const groups = Object.values(t.findResources('AWS::Logs::LogGroup')).filter((g: any) => g.Properties.LogGroupName === '/aws/lambda/cloud-kms-baseline-key-policy-drift');
    expect(groups).toHaveLength(1);
    expect((groups[0] as any).Properties.RetentionInDays).toBeGreaterThanOrEqual(365);
    expect((groups[0] as any).Properties.KmsKeyId).toEqual(stack.resolve((sink.encryptionKey.node.defaultChild as any).attrArn));
    const statement = keyPolicyOf(stack, sink.encryptionKey).Statement.find((st: any) => st.Sid === 'AllowCloudWatchLogsForTheKeyPolicyDriftDetector');
    expect(statement.Principal).toEqual({ Service: 'logs.us-east-1.amazonaws.com' });
    expect(JSON.stringify(statement.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn'])).toContain(':log-group:/aws/lambda/cloud-kms-baseline-key-policy-drift');
  });

  test('an out-of-band change raises an alarm that notifies the sink topic', () => {
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'cloud-kms-baseline-key-policy-drift',
      Namespace: 'CloudKmsConstructs/KeyPolicyDrift',
      MetricName: 'OutOfBandKeyPolicyChanges',
      Dimensions: [{ Name: 'Detector', Value: 'KeyPolicyDrift' }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [topic],
    });
  });

  test('a failing detector (errors, undelivered events) alarms too: it fails closed', () => {
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'cloud-kms-baseline-key-policy-drift-detector-failure',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'FILL(errors, 0) + FILL(failed, 0)' }),
        Match.objectLike({ Id: 'errors', MetricStat: Match.objectLike({ Metric: Match.objectLike({ Namespace: 'AWS/Lambda', MetricName: 'Errors' }) }) }),
        Match.objectLike({ Id: 'failed', MetricStat: Match.objectLike({ Metric: Match.objectLike({ Namespace: 'AWS/Events', MetricName: 'FailedInvocations' }) }) }),
      ]),
      AlarmActions: [topic],
    });
  });

  test('it registers itself as a detective guardrail over the access controls', () => {
    const record = EvidenceLedger.of(stack).guardrails.find((g) => g.path === alarm.node.path)!;
    expect(record).toMatchObject({ enforcement: Enforcement.DETECTIVE, cloud: 'aws', name: 'cloud-kms-baseline-key-policy-drift', profile: 'COMMERCIAL' });
    expect(record.controls).toEqual(ACCESS_CONTROLS);
    expect(record.controls).toContain(Control.NIST_AC_6);
    expect(record.description).toMatch(/detects after the change, it does not prevent it/);
  });
});

describe('bad input', () => {
  test.each([
    [{ deploymentRoleNames: [] }, /deploymentRoleNames must name at least one role, got \[\]/],
    [{ deploymentRoleNames: ['*'] }, /deploymentRoleNames must be IAM role names .*not \* alone\), got \*$/],
    [{ deploymentRoleNames: ['a/b'] }, /deploymentRoleNames must be IAM role names/],
    [{ policyWriterRoleNames: ['**'] }, /policyWriterRoleNames must be IAM role names/],
    [{ resourcePrefix: 'a-prefix-that-is-far-too-long-for-iam' }, /resourcePrefix must be a letter then up to 27/],
    [{ resourcePrefix: '9lives' }, /resourcePrefix must be a letter/],
  ])('%j', (props, error) => {
    const stack = newStack();
    const sink = sinkFor(stack, ComplianceProfile.COMMERCIAL);
    expect(() => new aws.KeyPolicyDriftAlarm(stack, 'Drift', { auditSink: sink, ...props })).toThrow(error);
  });
});
