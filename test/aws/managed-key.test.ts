import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ComplianceProfile, Control, DeploymentModel, EvidenceLedger, EvidenceStatus } from '../../src';
import * as aws from '../../src/aws';
import { ACCOUNT, keyPolicyOf, newStack, sinkFor, templateOf } from '../support/fixtures';

test('secure defaults: rotation on, 365 days, 30-day window, retained', () => {
  const stack = newStack();
  new aws.ManagedKey(stack, 'Key');
  templateOf(stack).hasResource('AWS::KMS::Key', {
    Properties: Match.objectLike({ EnableKeyRotation: true, RotationPeriodInDays: 365, PendingWindowInDays: 30 }),
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
  });
});

test('the key policy is the KMS default: the account root holds kms:* and IAM decides', () => {
  const stack = newStack();
  const key = new aws.ManagedKey(stack, 'Key');
  const policy = keyPolicyOf(stack, key);
  expect(policy.Statement).toHaveLength(1);
  expect(policy.Statement[0].Action).toBe('kms:*');
  expect(JSON.stringify(policy.Statement[0].Principal)).toContain(`:iam::${ACCOUNT}:root`);
});

test('grants go to the grantee IAM policy, as with kms.Key', () => {
  const stack = newStack();
  const key = new aws.ManagedKey(stack, 'Key');
  const role = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  key.grantDecrypt(role);
  templateOf(stack).hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: { Statement: [Match.objectLike({ Action: 'kms:Decrypt', Effect: 'Allow' })] },
  });
  expect(keyPolicyOf(stack, key).Statement).toHaveLength(1);
});

test('aliases, rotation and window props', () => {
  const stack = newStack();
  const key = new aws.ManagedKey(stack, 'Key', {
    aliases: ['app'],
    rotation: Duration.days(180),
    deletionWindow: Duration.days(7),
    removalPolicy: RemovalPolicy.DESTROY,
  });
  key.addAlias('second');
  const t = templateOf(stack);
  t.hasResourceProperties('AWS::KMS::Key', { RotationPeriodInDays: 180, PendingWindowInDays: 7 });
  t.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  t.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/app' });
  t.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/second' });
  expect(() => key.addAlias('alias/aws/x')).toThrow('alias must not start with the reserved prefix alias/aws/, got alias/aws/x');
});

test('the default rotation follows a custom profile', () => {
  const stack = newStack();
  new aws.ManagedKey(stack, 'Key', { profile: ComplianceProfile.custom({ name: 'STRICT', maxRotationDays: 120 }) });
  templateOf(stack).hasResourceProperties('AWS::KMS::Key', { RotationPeriodInDays: 120 });
});

test.each(ComplianceProfile.builtIns().filter((p) => !p.allows(DeploymentModel.PROVIDER_MANAGED)).map((p) => [p.name, p]))(
  '%s forbids the provider-managed model', (name, profile) => {
    expect(() => new aws.ManagedKey(newStack(), 'Key', { profile: profile as ComplianceProfile })).toThrow(
      `profile ${name} does not allow the PROVIDER_MANAGED model (ManagedKey) for Test/Key; allowed:`);
  });

test('evidence: IAM delegation is recorded as separation of duties not enforced', () => {
  const stack = newStack();
  const sink = sinkFor(stack, ComplianceProfile.COMMERCIAL);
  const key = new aws.ManagedKey(stack, 'Key', { auditSink: sink });
  const ledger = EvidenceLedger.of(key);
  expect(ledger.tryFindKey('Test/Key')).toMatchObject({ constructName: 'ManagedKey', model: DeploymentModel.PROVIDER_MANAGED });
  const ac5 = ledger.evidenceFor(Control.NIST_AC_5, 'Test/Key')[0];
  expect(ac5).toMatchObject({ status: EvidenceStatus.NOT_SATISFIED, value: 'IAM-delegated (account root kms:*)' });
  expect(ledger.evidenceFor(Control.NIST_SC_12, 'Test/Key')[0]).toMatchObject({ status: EvidenceStatus.SATISFIED, value: '365' });
  expect(ledger.evidenceFor(Control.NIST_AU_2, 'Test/Key')[0]).toMatchObject({ status: EvidenceStatus.SATISFIED, value: 'Test/Audit' });
});

describe('AWS managed keys', () => {
  test.each([
    [aws.AwsManagedKeyService.S3, 'alias/aws/s3'],
    [aws.AwsManagedKeyService.EBS, 'alias/aws/ebs'],
    [aws.AwsManagedKeyService.SECRETS_MANAGER, 'alias/aws/secretsmanager'],
    [aws.AwsManagedKeyService.of('glue'), 'alias/aws/glue'],
  ])('%o is referenced by its alias', (service, alias) => {
    const stack = newStack();
    const key = aws.ManagedKey.fromAwsManagedKey(stack, 'Managed', service);
    expect(Stack.of(stack).resolve(key.keyArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:kms:us-east-1:${ACCOUNT}:${alias}`]],
    });
  });

  test('a malformed service name is refused', () => {
    expect(() => aws.AwsManagedKeyService.of('S3 Bucket')).toThrow("service must be a lower-case AWS service name such as s3 or ebs, got 'S3 Bucket'");
  });
});
