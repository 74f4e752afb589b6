import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ComplianceProfile, Control, EvidenceLedger, EvidenceStatus } from '../../src';
import * as aws from '../../src/aws';
import { ACCOUNT, arn, cmkFor, keyPolicyOf, newStack, people, sinkFor, statement, templateOf } from '../support/fixtures';
import { decide } from '../support/key-policy-eval';

const ref = (t: Template, type: string, prefix = '') => Object.keys(t.findResources(type))
  .filter((id) => !id.startsWith('CloudKmsDualControlGate') && id.startsWith(prefix))[0];

describe('a PCI DSS sink', () => {
  const stack = newStack();
  const sink = sinkFor(stack, ComplianceProfile.PCI_DSS);
  const t = templateOf(stack);
  // Under dual control the trail and log group name the key itself (Control Tower's CT.CLOUDTRAIL.PR.1 and
  // CT.CLOUDWATCH.PR.3 want a reference to the AWS::KMS::Key) and wait for the gate's policy resource, which installs
  // the custodian policy that lets CloudTrail and CloudWatch Logs use it (issue 13, findings 2 and 9).
  const keyArn = { 'Fn::GetAtt': [ref(t, 'AWS::KMS::Key', 'AuditKey'), 'Arn'] };
  const gatedPolicy = ref(t, 'Custom::CloudKmsGatedKeyPolicy', 'AuditKey');
  // The bucket and topic read it from the gate's policy resource (sink.encryptionKey.keyArn).
  const gatedKeyArn = stack.resolve(sink.encryptionKey.keyArn);
  const buckets = t.findResources('AWS::S3::Bucket');
  const trailBucket = Object.keys(buckets).find((k) => k.startsWith('AuditBucket'))!;

  test('the trail is multi-region, validated, KMS-encrypted, records every management event and excludes none', () => {
    t.hasResourceProperties('AWS::CloudTrail::Trail', {
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      IsLogging: true,
      KMSKeyId: keyArn,
      S3BucketName: { Ref: trailBucket },
      CloudWatchLogsLogGroupArn: { 'Fn::GetAtt': [ref(t, 'AWS::Logs::LogGroup'), 'Arn'] },
      EventSelectors: Match.arrayWith([{ IncludeManagementEvents: true, ReadWriteType: 'All' }]),
    });
    const trail = Object.values(t.findResources('AWS::CloudTrail::Trail'))[0];
    expect(JSON.stringify(trail)).not.toContain('ExcludeManagementEventSources');
  });

  test('the trail bucket is versioned, write-once for a year, KMS-encrypted, private and SSL-only', () => {
    t.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } } },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: gatedKeyArn },
        }],
      },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
    expect(buckets[trailBucket].DeletionPolicy).toBe('Retain');
  });

  test.each(['AuditBucket'])('%s denies requests without TLS', (prefix) => {
    const policies = t.findResources('AWS::S3::BucketPolicy');
    const policy = Object.values(policies).find((p: any) => JSON.stringify(p.Properties.Bucket).includes(prefix))!;
    expect(policy.Properties.PolicyDocument.Statement).toEqual(expect.arrayContaining([expect.objectContaining({
      Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    })]));
  });

  test('auditors can read the trail bucket and decrypt with the sink key', () => {
    const policies = t.findResources('AWS::S3::BucketPolicy');
    const policy = Object.values(policies).find((p: any) => JSON.stringify(p.Properties.Bucket).includes('AuditBucket'))!;
    expect(policy.Properties.PolicyDocument.Statement).toEqual(expect.arrayContaining([expect.objectContaining({
      Effect: 'Allow',
      Principal: { AWS: arn('Auditor') },
      Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket', 's3:ListBucketVersions', 's3:GetObjectRetention'],
    })]));
    const keyPolicy = keyPolicyOf(stack, sink.encryptionKey);
    expect(decide(keyPolicy, arn('Auditor'), 'kms:Decrypt')).toBe('ALLOW');
    expect(decide(keyPolicy, arn('Auditor'), 'kms:Encrypt')).toBe('IMPLICIT_DENY');
    expect(decide(keyPolicy, arn('KeyAdmin'), 'kms:Decrypt')).toBe('EXPLICIT_DENY');
  });

  test('CloudTrail delivers to the log group through a role only this trail can assume, with a managed policy', () => {
    const trail = Object.values(t.findResources('AWS::CloudTrail::Trail'))[0] as any;
    const roleId = trail.Properties.CloudWatchLogsRoleArn['Fn::GetAtt'][0];
    const role = t.findResources('AWS::IAM::Role')[roleId] as any;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([expect.objectContaining({
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'aws:SourceArn': expect.anything() } },
    })]);
    // The dual-control gate's Provider framework roles carry the only inline policies (CDK's own).
    expect(Object.keys(t.findResources('AWS::IAM::Policy')).filter((id) => !id.startsWith('CloudKmsDualControlGate'))).toEqual([]);
    t.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: roleId }],
      PolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': [ref(t, 'AWS::Logs::LogGroup'), 'Arn'] },
        }],
      },
    });
    expect(trail.DependsOn).toEqual(expect.arrayContaining([ref(t, 'AWS::IAM::ManagedPolicy'), gatedPolicy]));
  });

  test('the log group is encrypted with the sink key and kept at least as long as the profile requires', () => {
    t.hasResourceProperties('AWS::Logs::LogGroup', {
      KmsKeyId: keyArn,
      RetentionInDays: 365,
      LogGroupName: `/aws/cloudtrail/${sink.trailName}`,
    });
    const group = Object.values(t.findResources('AWS::Logs::LogGroup')).find((g: any) => g.Properties.LogGroupName === `/aws/cloudtrail/${sink.trailName}`) as any;
    expect(group.DependsOn).toEqual(expect.arrayContaining([gatedPolicy]));
  });

  test('the sink key lets only this trail and this log group use it, and follows the profile (dual control)', () => {
    const policy = keyPolicyOf(stack, sink.encryptionKey);
    expect(statement(policy, 'AllowCloudTrailToEncryptLogs')).toMatchObject({
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:GenerateDataKey',
      Condition: {
        StringEquals: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:cloudtrail:us-east-1:${ACCOUNT}:trail/${sink.trailName}`]] } },
        StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:cloudtrail:*:${ACCOUNT}:trail/*`]] } },
      },
    });
    expect(statement(policy, 'AllowCloudWatchLogsForTheTrailLogGroup')).toMatchObject({
      Principal: { Service: 'logs.us-east-1.amazonaws.com' },
      Condition: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' },
              `:logs:us-east-1:${ACCOUNT}:log-group:/aws/cloudtrail/${sink.trailName}`]],
          },
        },
      },
    });
    expect(() => statement(policy, 'AllowDualControlExecutor')).not.toThrow();
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, RotationPeriodInDays: 365, PendingWindowInDays: 30 });
  });

  test('critical key events go to an encrypted, SSL-only SNS topic', () => {
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: gatedKeyArn });
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        })]),
      },
    });
    const topic = ref(t, 'AWS::SNS::Topic');
    const target = [{ Arn: { Ref: topic }, Id: 'Target0' }];
    t.hasResourceProperties('AWS::Events::Rule', {
      State: 'ENABLED',
      EventPattern: {
        'source': ['aws.kms'],
        'detail-type': ['AWS API Call via CloudTrail'],
        'detail': {
          eventSource: ['kms.amazonaws.com'],
          eventName: ['DisableKey', 'ScheduleKeyDeletion', 'CancelKeyDeletion', 'PutKeyPolicy',
            'DisableKeyRotation', 'ImportKeyMaterial', 'DeleteImportedKeyMaterial', 'DisconnectCustomKeyStore', 'UpdateCustomKeyStore',
            'DeleteCustomKeyStore'],
        },
      },
      Targets: target,
    });
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.kms'], 'detail-type': ['KMS Imported Key Material Expiration', 'KMS CMK Deletion'] },
      Targets: target,
    });
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.cloudtrail'], detail: { eventName: ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors'] } },
      Targets: target,
    });
    const keyPolicy = keyPolicyOf(stack, sink.encryptionKey);
    expect(decide(keyPolicy, 'events.amazonaws.com', 'kms:GenerateDataKey')).toBe('ALLOW');
  });

  test('evidence: the sink records audit controls with their settings', () => {
    const ledger = EvidenceLedger.of(stack);
    expect(ledger.tryFindAuditSink('Test/Audit')).toMatchObject({ immutable: true, retentionDays: 365, cloud: 'aws' });
    const ev = (c: Control) => ledger.evidenceFor(c, 'Test/Audit')[0];
    expect(ev(Control.NIST_AU_9_4)).toMatchObject({ status: EvidenceStatus.SATISFIED, value: 'COMPLIANCE 365 days' });
    expect(ev(Control.PCI_10_5_1)).toMatchObject({ status: EvidenceStatus.SATISFIED, value: '365' });
    expect(ev(Control.NIST_AU_12)).toMatchObject({ status: EvidenceStatus.SATISFIED, resource: 'Test/Audit/Trail/Resource' });
    expect(ledger.acknowledgements('Test/Audit').map((a) => a.rule)).toEqual(expect.arrayContaining([
      'AwsSolutions-S1', 'NIST.800.53.R5-S3BucketReplicationEnabled',
    ]));
    for (const a of ledger.acknowledgements()) expect(a.reason.length).toBeGreaterThan(20);
  });
});

describe.each([
  // Log groups keep at least a year (AWS Control Tower CT.CLOUDWATCH.PR.2) even where the profile asks less.
  [ComplianceProfile.COMMERCIAL, 90, 365],
  [ComplianceProfile.SOC2, 365, 365],
  [ComplianceProfile.HIPAA, 2190, 2192],
  [ComplianceProfile.PCI_DSS, 365, 365],
  [ComplianceProfile.FEDRAMP_MODERATE, 913, 1096],
  [ComplianceProfile.FEDRAMP_HIGH, 913, 1096],
  [ComplianceProfile.SOVEREIGN, 913, 1096],
])('under %s', (profile, lockDays, logDays) => {
  test(`records are locked ${lockDays} days in COMPLIANCE mode and logs kept ${logDays} days`, () => {
    const stack = newStack();
    const sink = sinkFor(stack, profile);
    const t = templateOf(stack);
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: Match.objectLike({
        ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) })],
      }),
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: lockDays } } },
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: logDays });
    expect(sink.retentionDays).toBe(lockDays);
    expect(sink.immutable).toBe(true);
  });
});

test('a FedRAMP High or sovereign sink still encrypts with a KMS key, under a derived -AUDIT profile', () => {
  const stack = newStack();
  const sink = sinkFor(stack, ComplianceProfile.SOVEREIGN);
  expect(sink.encryptionKey.profile.name).toBe('SOVEREIGN-AUDIT');
  expect(sink.encryptionKey.profile.dualControlRequired).toBe(true);
  expect(sink.encryptionKey.dualControl).toBe(true);
});

test('GOVERNANCE mode only when asked, and never where the profile needs immutability', () => {
  const stack = newStack();
  const p = people();
  const sink = new aws.KeyAuditSink(stack, 'Audit', { custodians: { administrators: [p.admin] }, immutable: false, retention: Duration.days(400) });
  templateOf(stack).hasResourceProperties('AWS::S3::Bucket', {
    ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 400 } } },
  });
  expect(EvidenceLedger.of(stack).evidenceFor(Control.NIST_AU_9_4, sink.node.path)[0].status).toBe(EvidenceStatus.NOT_SATISFIED);
  expect(() => new aws.KeyAuditSink(newStack(), 'Audit', { profile: ComplianceProfile.HIPAA, custodians: { administrators: [p.admin] }, immutable: false }))
    .toThrow('immutable must be true under profile HIPAA, got false');
});

test('notification e-mails are subscribed', () => {
  const stack = newStack();
  new aws.KeyAuditSink(stack, 'Audit', { custodians: { administrators: [people().admin] }, notificationEmails: ['soc@example.com'] });
  templateOf(stack).hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'soc@example.com' });
});

describe('bad input', () => {
  const admin = { administrators: [people().admin] };
  test.each<[string, () => unknown, string | RegExp]>([
    ['retention shorter than the profile', () => new aws.KeyAuditSink(newStack(), 'A', { profile: ComplianceProfile.PCI_DSS, custodians: admin, retention: Duration.days(90) }),
      'retention must be at least 365 days under profile PCI_DSS, got 90 days'],
    ['retention in hours', () => new aws.KeyAuditSink(newStack(), 'A', { custodians: admin, retention: Duration.hours(2500) }),
      /retention must be a whole number of days/],
    ['a bad trail name', () => new aws.KeyAuditSink(newStack(), 'A', { custodians: admin, trailName: 'no spaces please' }),
      /trailName must be 3 to 128 letters.*got no spaces please/],
    ['a PCI sink without approvers', () => new aws.KeyAuditSink(newStack(), 'A', { profile: ComplianceProfile.PCI_DSS, custodians: admin }),
      /custodians.approvers must name at least 2 distinct approvers for dual control on Test\/A\/Key/],
    ['an auditor who administers the sink key', () => new aws.KeyAuditSink(newStack(), 'A', { custodians: { ...admin, auditors: [new iam.ArnPrincipal(arn('KeyAdmin'))] } }),
      /cannot be both an administrator and a user/],
  ])('%s', (_what, build, message) => {
    expect(build).toThrow(message);
  });

  test('a key under PCI DSS refuses a mutable sink or one that keeps records too briefly', () => {
    const stack = newStack();
    const mutable = new aws.KeyAuditSink(stack, 'Mutable', { custodians: admin, immutable: false, retention: Duration.days(400) });
    expect(() => cmkFor(stack, ComplianceProfile.PCI_DSS, 'K1', { auditSink: mutable })).toThrow(
      'auditSink Test/Mutable must be immutable (write-once) under profile PCI_DSS for Test/K1, got a mutable sink');
    const brief = new aws.KeyAuditSink(stack, 'Brief', { custodians: admin });
    expect(() => cmkFor(stack, ComplianceProfile.PCI_DSS, 'K2', { auditSink: brief })).toThrow(
      'auditSink Test/Brief must keep records for at least 365 days under profile PCI_DSS for Test/K2, got 90 days');
  });
});

describe('synthesis guards the trail against escape hatches', () => {
  test.each<[string, (t: cloudtrail.CfnTrail) => void, RegExp]>([
    ['excluding KMS events', (t) => t.addPropertyOverride('EventSelectors', [{
      IncludeManagementEvents: true,
      ReadWriteType: 'All',
      ExcludeManagementEventSources: ['kms.amazonaws.com'],
    }]), /must not exclude kms.amazonaws.com management events/],
    ['write-only events', (t) => { t.eventSelectors = [{ includeManagementEvents: true, readWriteType: 'WriteOnly' }]; },
      /must record read and write management events, got WriteOnly/],
    ['single region', (t) => { t.isMultiRegionTrail = false; }, /must be multi-region/],
    ['no log file validation', (t) => { t.enableLogFileValidation = false; }, /must validate log files/],
    ['logging stopped', (t) => t.addPropertyOverride('IsLogging', false), /must be logging/],
  ])('%s fails synthesis', (_what, tamper, message) => {
    const stack = newStack();
    const sink = sinkFor(stack, ComplianceProfile.COMMERCIAL);
    tamper(sink.trail.node.defaultChild as cloudtrail.CfnTrail);
    expect(() => (stack.node.root as App).synth()).toThrow(message);
  });
});

test('a key in another region than its sink is warned about', () => {
  const app = new App();
  const east = newStack('East', app);
  const sink = sinkFor(east, ComplianceProfile.COMMERCIAL);
  const west = new Stack(app, 'West', { env: { account: ACCOUNT, region: 'us-west-2' } });
  cmkFor(west, ComplianceProfile.COMMERCIAL, 'K', { auditSink: sink });
  Annotations.fromStack(west).hasWarning('/West/K', Match.stringLikeRegexp('KMS events reach EventBridge only in their own region'));
});
