import { App } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ComplianceProfile } from '../../src';
import { findDefeatedConditions } from '../../src/aws/conditional-grants';
import { arn, cmkFor, keyPolicyOf, newStack } from '../support/fixtures';
import { decide } from '../support/key-policy-eval';

// Finding 5 of issue 13: a conditional grant followed by an ordinary CDK grant for the same principal.
const CONTEXT = { encryptionContext: { tenantId: 'acme' } };

function setup() {
  const stack = newStack();
  const key = cmkFor(stack, ComplianceProfile.SOC2, 'OrdersKey');
  const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  key.grantDecryptWhen(role, CONTEXT);
  return { stack, key, role, synth: () => (stack.node.root as App).synth() };
}

describe('a conditional grant defeated by another grant fails synthesis', () => {
  test('grantDecryptWhen then bucket.grantRead (an unconditional kms:Decrypt) names both grants, the role and the way out', () => {
    const { stack, key, role, synth } = setup();
    new s3.Bucket(stack, 'Orders', { encryption: s3.BucketEncryption.KMS, encryptionKey: key, enforceSSL: true }).grantRead(role);
    // The IAM evaluation shows why: the role decrypts with no encryption context at all.
    expect(decide(keyPolicyOf(stack, key), { 'Fn::GetAtt': [stack.getLogicalId(role.node.defaultChild as any), 'Arn'] }, 'kms:Decrypt', {}))
      .toBe('ALLOW');
    expect(synth).toThrow(/conditional grant defeated on Test\/Reader: statement #\d+ \(no Sid\) allows kms:Decrypt only when StringEquals kms:EncryptionContext:tenantId=acme, but statement #\d+ \(no Sid\) also allows kms:Decrypt with no condition, so the condition restrains nothing/);
    expect(synth).toThrow(/grantDecryptWhen .* key-less resource \(e\.g\. s3\.Bucket\.fromBucketArn/);
  });

  test('a grant with a subset of the conditions is weaker; a grant with other conditions is a second grant, both meant', () => {
    const { key, role, synth } = setup();
    key.grantEncryptDecryptWhen(role, { viaServices: ['s3.us-east-1.amazonaws.com'] });
    key.grantDecryptWhen(role, { requiredContextKeys: ['tenantId'] });
    expect(synth).not.toThrow();
    const narrow = setup();
    narrow.key.grantDecryptWhen(narrow.role, { encryptionContext: { tenantId: 'acme', purpose: 'orders' } });
    expect(narrow.synth).toThrow(/only when StringEquals kms:EncryptionContext:tenantId=acme, StringEquals kms:EncryptionContext:purpose=orders, but statement #\d+ \(no Sid\) also allows kms:Decrypt, kms:ReEncryptFrom with only StringEquals kms:EncryptionContext:tenantId=acme/);
  });

  test('a conditional grant alone, or with a key-less CDK grant, synthesizes', () => {
    const { stack, key, role, synth } = setup();
    s3.Bucket.fromBucketArn(stack, 'Imported', 'arn:aws:s3:::orders').grantRead(role);
    key.grantDecryptWhen(role, CONTEXT); // the same grant twice keeps the condition
    expect(synth).not.toThrow();
    expect(decide(keyPolicyOf(stack, key), { 'Fn::GetAtt': [stack.getLogicalId(role.node.defaultChild as any), 'Arn'] }, 'kms:Decrypt', {}))
      .toBe('IMPLICIT_DENY');
  });

  test('a hand-written wildcard-action statement for the same principal is found as well', () => {
    const { key, synth } = setup();
    const other = new iam.ArnPrincipal(arn('Batch'));
    key.grantDecryptWhen(other, CONTEXT);
    key.addToResourcePolicy(new iam.PolicyStatement({ principals: [other], actions: ['kms:Re*'], resources: ['*'] }));
    expect(synth).toThrow(new RegExp(`conditional grant defeated on ${arn('Batch')}: .* also allows kms:ReEncryptFrom with no condition`));
  });
});

test('findDefeatedConditions reads policies as synthesized', () => {
  const ctx = { StringEquals: { 'kms:EncryptionContext:t': 'a' } };
  const cond = { Sid: 'Cond', Effect: 'Allow', Principal: { AWS: 'arn:r' }, Action: ['kms:Decrypt'], Resource: '*', Condition: ctx };
  const plain = { Effect: 'Allow', Principal: { AWS: ['arn:x', 'arn:r'] }, Action: 'kms:Decrypt', Resource: '*' };
  expect(findDefeatedConditions({ Statement: [cond, plain] })).toEqual([{
    principal: 'AWS:arn:r', conditional: { index: 1, sid: 'Cond', condition: ctx }, weaker: { index: 2, sid: undefined, condition: undefined }, actions: ['kms:Decrypt'],
  }]);
  // A Deny or another principal's Allow does not defeat it; a stricter one does not either.
  const stricter = { ...cond, Sid: 'Stricter', Condition: { StringEquals: { ...ctx.StringEquals, 'kms:ViaService': 's3' } } };
  expect(findDefeatedConditions({ Statement: [cond, { ...plain, Effect: 'Deny' }, { ...plain, Principal: { AWS: 'arn:x' } }, stricter] }))
    .toEqual([{ principal: 'AWS:arn:r', conditional: expect.objectContaining({ sid: 'Stricter' }), weaker: expect.objectContaining({ sid: 'Cond' }), actions: ['kms:Decrypt'] }]);
  // An encrypt-only Allow does not cover decrypt.
  expect(findDefeatedConditions({ Statement: [cond, { ...plain, Action: 'kms:Encrypt' }] })).toEqual([]);
});
