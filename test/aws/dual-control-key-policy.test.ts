/*
 * Issue 13, findings 2 and 3, decided by a real IAM evaluator (@cloud-copilot/iam-simulate): under a dual-control
 * profile no single principal (the deployer, an administrator, an approver, even with MFA and with every KMS right in
 * its own IAM policies) can change the policy, disable, schedule deletion, replicate, move an alias or import material;
 * only the gate's executor can.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { CfnElement, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ComplianceProfile } from '../../src';
import * as aws from '../../src/aws';
import { ACCOUNT, arn, byokFor, cmkFor, keyPolicyOf, newStack } from '../support/fixtures';

const REGION = 'us-east-1';
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const EXECUTOR_ARN = `arn:aws:iam::${ACCOUNT}:role/GateExecutor`;
const DEPLOYER_ARN = `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}`;
const GATED: Array<[string, Record<string, string>]> = [
  ['kms:PutKeyPolicy', {}],
  ['kms:DisableKey', {}],
  ['kms:ScheduleKeyDeletion', {}],
  ['kms:CancelKeyDeletion', {}],
  ['kms:ReplicateKey', { 'kms:ReplicaRegion': 'eu-west-1' }],
  ['kms:UpdatePrimaryRegion', { 'kms:PrimaryRegion': 'eu-west-1' }],
  ['kms:UpdateAlias', {}],
  ['kms:DeleteAlias', {}],
  ['kms:ImportKeyMaterial', {}],
  ['kms:DeleteImportedKeyMaterial', {}],
];

/** The synthesized policy with the tokens the deployment fills in. */
function concrete(stack: Stack, policy: unknown, executor?: iam.Role): any {
  let json = JSON.stringify(policy)
    .split(JSON.stringify({ 'Fn::Sub': `arn:\${AWS::Partition}:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}` }))
    .join(JSON.stringify(DEPLOYER_ARN));
  if (executor) {
    json = json.split(JSON.stringify({ 'Fn::GetAtt': [stack.getLogicalId(executor.node.defaultChild as CfnElement), 'Arn'] })).join(JSON.stringify(EXECUTOR_ARN));
  }
  if (/Fn::|"Ref"/.test(json)) throw new Error(`unresolved token in ${json}`);
  return JSON.parse(json);
}

async function decide(keyPolicy: any, principalArn: string, action: string, extra: Record<string, string>, mfa = true): Promise<string> {
  const res: any = await runSimulation({
    request: {
      principal: principalArn,
      action,
      resource: { resource: KEY_ARN, accountId: ACCOUNT },
      contextVariables: { 'aws:PrincipalArn': principalArn, 'aws:MultiFactorAuthPresent': String(mfa), ...extra },
    },
    // The worst case: every principal holds every KMS right in its own IAM policies.
    identityPolicies: [{ name: 'all-kms', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] } }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: keyPolicy,
  }, {});
  if (res.resultType !== 'single') throw new Error(`simulation failed: ${JSON.stringify(res.errors ?? res)}`);
  expect(res.result.ignoredContextKeys ?? []).toEqual([]);
  return res.overallResult;
}

describe.each([
  ['CustomerManagedKey', () => {
    const stack = newStack();
    const key = cmkFor(stack, ComplianceProfile.PCI_DSS);
    return { stack, policy: keyPolicyOf(stack, key) };
  }],
  ['ByokImport', () => {
    const stack = newStack();
    const key = byokFor(stack, ComplianceProfile.PCI_DSS);
    return { stack, policy: keyPolicyOf(stack, key) };
  }],
])('%s under PCI DSS (dual control), evaluated by iam-simulate', (_name, make) => {
  const { stack, policy: raw } = make();
  const policy = concrete(stack, raw, aws.DualControlGate.of(stack).executorRole);
  const alone = [
    ['the deployer', DEPLOYER_ARN],
    ['an administrator', arn('KeyAdmin')],
    ['approver A', arn('ApproverA')],
    ['approver B', arn('ApproverB')],
    ['a user', arn('OrdersService')],
    ['an importer', arn('KeyImporter')],
    ['another identity of the account', arn('SomeoneElse')],
  ];

  test.each(alone.flatMap(([who, principal]) => GATED.map(([action, ctx]) => [who, action, principal, ctx] as const)))(
    '%s cannot call %s, even with MFA and kms:* in its IAM policies', async (_who, action, principal, ctx) => {
      expect(await decide(policy, principal, action, ctx)).toBe('ExplicitlyDenied');
    });

  test.each(GATED.filter(([a]) => a !== 'kms:ReplicateKey'))('the gate executor can call %s', async (action, ctx) => {
    expect(await decide(policy, EXECUTOR_ARN, action, ctx, false)).toBe('Allowed');
  });

  test('the executor cannot use the key', async () => {
    expect(await decide(policy, EXECUTOR_ARN, 'kms:Decrypt', {}, false)).toBe('ExplicitlyDenied');
  });

  test('replication is closed unless replica regions are allowed, even to the executor', async () => {
    expect(await decide(policy, EXECUTOR_ARN, 'kms:ReplicateKey', { 'kms:ReplicaRegion': 'eu-west-1' }, false)).toBe('ExplicitlyDenied');
  });
});

describe('replication outside dual control (finding 3), evaluated by iam-simulate', () => {
  const stack = newStack();
  const key = cmkFor(stack, ComplianceProfile.COMMERCIAL, 'Mrk', { multiRegion: true, replicaRegions: ['eu-west-1'] } as any);
  const policy = concrete(stack, keyPolicyOf(stack, key));

  test.each([
    [arn('KeyAdmin'), 'kms:ReplicateKey', { 'kms:ReplicaRegion': 'eu-west-1' }, 'ExplicitlyDenied'],
    [arn('KeyAdmin'), 'kms:UpdatePrimaryRegion', { 'kms:PrimaryRegion': 'eu-west-1' }, 'ExplicitlyDenied'],
    [DEPLOYER_ARN, 'kms:ReplicateKey', { 'kms:ReplicaRegion': 'eu-west-1' }, 'Allowed'],
    [DEPLOYER_ARN, 'kms:ReplicateKey', { 'kms:ReplicaRegion': 'ap-southeast-2' }, 'ExplicitlyDenied'],
    [arn('OrdersService'), 'kms:ReplicateKey', { 'kms:ReplicaRegion': 'eu-west-1' }, 'ExplicitlyDenied'],
  ])('%s calling %s %j: %s', async (principal, action, ctx, expected) => {
    expect(await decide(policy, principal, action, ctx)).toBe(expected);
  });
});
