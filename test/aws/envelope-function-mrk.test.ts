import { runUnsafeSimulation } from '@cloud-copilot/iam-simulate';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as aws from '../../src/aws';
import { ENV } from '../../src/aws/handlers/envelope-env';
import { ACCOUNT } from '../support/fixtures';

// An envelope function in region B given a multi-Region key by its ARN in region A (its primary, imported): the
// function uses the replica in B. Its role is granted only that one local ARN, which the real IAM evaluator confirms,
// so even a handler made to call KMS elsewhere would be refused there. runUnsafeSimulation: the validating entry point
// drops kms:EncryptionContext:<key>, which it lists only as a pattern (see test/support/key-policy-eval.ts).
const MRK = 'mrk-0123456789abcdef0123456789abcdef';
const B = 'eu-central-1';
const arnIn = (region: string, id = MRK, account = ACCOUNT) => `arn:aws:kms:${region}:${account}:key/${id}`;

function functionIn(region: string | undefined, keyArn: string) {
  const stack = new Stack(new App(), 'Envelope', region ? { env: { account: ACCOUNT, region } } : {});
  const key = kms.Key.fromKeyArn(stack, 'Key', keyArn);
  new aws.EnvelopeEncryptionFunction(stack, 'Fn', { key, requiredContextKeys: ['tenant'] });
  const template = Template.fromStack(stack);
  const env = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { [ENV.KEY_ARN]: Match.anyValue() } } } }))
    .map((f: any) => f.Properties.Environment.Variables[ENV.KEY_ARN]);
  const statements = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement)
    .filter((s: any) => JSON.stringify(s.Action) === JSON.stringify(['kms:GenerateDataKey', 'kms:Decrypt']) && !s.Condition?.StringEquals?.['kms:ViaService']);
  return { stack, env, statements };
}

const DELEGATING_KEY_POLICY = (account: string) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' }],
});

function allowed(statements: unknown[], action: string, resource: string): string {
  const account = resource.split(':')[4];
  const res: any = runUnsafeSimulation({
    request: { principal: `arn:aws:iam::${ACCOUNT}:role/EnvelopeRole`, action, resource: { resource, accountId: account }, contextVariables: { 'kms:EncryptionContextKeys': ['tenant'], 'kms:EncryptionContext:tenant': 'acme' } as any },
    identityPolicies: [{ name: 'envelope', policy: { Version: '2012-10-17', Statement: statements } }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    // Each key's policy delegates to IAM in its own account (an imported key is used through IAM), so the role's own
    // policy decides; a pre-validated document, as src/compliance/private/iam-evaluator.ts passes it.
    resourcePolicy: { __validated: true, policyDocument: DELEGATING_KEY_POLICY(account), metadata: { name: 'KeyPolicy' }, errors: [] },
  }, {});
  return res;
}

test('given the primary\'s ARN in us-east-1, a function in eu-central-1 is configured with, and granted, the replica in eu-central-1 only', async () => {
  const { env, statements } = functionIn(B, arnIn('us-east-1'));
  expect(env).toEqual([arnIn(B)]);
  expect(statements).toEqual([expect.objectContaining({ Resource: arnIn(B), Condition: { Null: { 'kms:EncryptionContext:tenant': 'false' } } })]);
  expect(await allowed(statements, 'kms:Decrypt', arnIn(B))).toBe('Allowed');
  expect(await allowed(statements, 'kms:GenerateDataKey', arnIn(B))).toBe('Allowed');
  expect(await allowed(statements, 'kms:Decrypt', arnIn('us-east-1'))).toBe('ImplicitlyDenied');
  expect(await allowed(statements, 'kms:Decrypt', arnIn('ap-south-1'))).toBe('ImplicitlyDenied');
  expect(await allowed(statements, 'kms:Decrypt', arnIn(B, MRK, '444455556666'))).toBe('ImplicitlyDenied');
});

test('an environment-agnostic stack: the replica in whatever region the stack is deployed to', () => {
  const { stack, env, statements } = functionIn(undefined, arnIn('us-east-1'));
  const expected = { 'Fn::Join': ['', ['arn:aws:kms:', { Ref: 'AWS::Region' }, `:${ACCOUNT}:key/${MRK}`]] };
  expect(stack.resolve(env[0])).toEqual(expected);
  expect(stack.resolve(statements[0].Resource)).toEqual(expected);
});

test.each([
  ['the multi-Region key in the function\'s own region', arnIn(B), arnIn(B)],
  ['a single-Region key (no replica exists, so nothing is rewritten)', arnIn('us-east-1', '1234abcd-12ab-34cd-56ef-1234567890ab'), arnIn('us-east-1', '1234abcd-12ab-34cd-56ef-1234567890ab')],
])('%s is used as it is', (_what, given, used) => {
  const { env, statements } = functionIn(B, given);
  expect(env).toEqual([used]);
  expect(statements.map((s: any) => s.Resource)).toEqual([used]);
});

test('a key that grants through its own policy, given by another region\'s multi-Region ARN, is refused: its policy is not the replica\'s', () => {
  const stack = new Stack(new App(), 'Envelope', { env: { account: ACCOUNT, region: B } });
  const key = kms.Key.fromKeyArn(stack, 'Key', arnIn('us-east-1'));
  Object.assign(key, { grantDataKeyUseWhen: (grantee: iam.IGrantable) => iam.Grant.drop(grantee, 'never') });
  expect(() => new aws.EnvelopeEncryptionFunction(stack, 'Fn', { key, requiredContextKeys: ['tenant'] }))
    .toThrow(`key Envelope/Key is the multi-Region key ${arnIn('us-east-1')}, but Envelope/Fn runs in ${B}: give the replica in this region, whose key policy can grant the function`);
});
