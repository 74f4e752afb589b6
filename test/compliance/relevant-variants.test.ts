import * as iam from 'aws-cdk-lib/aws-iam';
import { ComplianceProfile, EvidenceLedger } from '../../src';
import { _setVariantPruningForTesting, ACTION_CLASSES, computeAccessMatrix, loadEvaluator, principalContext, simulate } from '../../src/compliance/access-matrix';
import { VariantRelevance } from '../../src/compliance/private/relevant-variants';
import { conditionsOf, variantsFor } from '../../src/compliance/private/request-variants';
import { ACCOUNT, cmkFor, newStack, REGION } from '../support/fixtures';

/*
 * The matrix leaves out request variants that differ only in a context key no statement about the action reads
 * (src/compliance/private/relevant-variants.ts). These tests hold that to the evaluator: every variant left out gets
 * the verdict of the variant kept in its place, and matrices are the same with and without leaving any out.
 */

const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const R = role('Admin');
const U = role('Worker');
const PRINCIPALS = [R, U, role('someone-else'), 'arn:aws:iam::999999999999:role/outsider', 'cloudtrail.amazonaws.com'];
const ACTIONS = Object.values(ACTION_CLASSES).flat();

/** A policy with each construct the relevance test must not get wrong: conditions on some actions only, wildcards,
 * NotAction, an action name the evaluator reads as a regular expression, a policy variable in a Resource. */
const STATEMENTS = [
  { Sid: 'Root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:Describe*', Resource: '*' },
  {
    Sid: 'AdminWithMfa',
    Effect: 'Allow',
    Principal: { AWS: R },
    Action: ['kms:Disable*', 'kms:Schedule?eyDeletion', 'kms:*Alias'],
    Resource: '*',
    Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
  },
  {
    Sid: 'UseWithContext',
    Effect: 'Allow',
    Principal: { AWS: U },
    Action: ['KMS:decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*'],
    Resource: '*',
    Condition: { StringEquals: { 'kms:EncryptionContext:app': 'orders' } },
  },
  {
    Sid: 'ReEncryptViaS3',
    Effect: 'Allow',
    Principal: { AWS: U },
    Action: 'kms:ReEncrypt*',
    Resource: '*',
    Condition: { StringEquals: { 'kms:ViaService': `s3.${REGION}.amazonaws.com` } },
  },
  {
    Sid: 'TaggedRead',
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: 'kms:GetKeyPolicy',
    Resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/\${aws:PrincipalTag/keyid}`,
  },
  {
    Sid: 'GrantsForResources',
    Effect: 'Deny',
    Principal: { AWS: '*' },
    Action: 'kms:CreateGrant',
    Resource: '*',
    Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  },
  { Sid: 'Grants', Effect: 'Allow', Principal: { AWS: U }, Action: ['kms:CreateGrant', 'kms:ListGrants'], Resource: '*' },
  {
    Sid: 'RegexLike',
    Effect: 'Allow',
    Principal: { AWS: U },
    Action: 'kms:Sig.',
    Resource: '*',
    Condition: { StringEquals: { 'aws:PrincipalTag/team': 'signers' } },
  },
  {
    Sid: 'Trail',
    Effect: 'Allow',
    Principal: { Service: 'cloudtrail.amazonaws.com' },
    Action: 'kms:GenerateDataKey*',
    Resource: '*',
    Condition: { StringLike: { 'aws:SourceArn': `arn:aws:cloudtrail:*:${ACCOUNT}:trail/*` } },
  },
  {
    Sid: 'NoRotationChangeWithoutMfa',
    Effect: 'Deny',
    Principal: { AWS: '*' },
    NotAction: ['kms:Describe*', 'kms:Get*', 'kms:List*', 'kms:Encrypt',
      'kms:Decrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*', 'kms:CreateGrant', 'kms:Sign'],
    Resource: '*',
    Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
  },
];

afterEach(() => _setVariantPruningForTesting(true));

test('every variant left out gets the same verdict as the variant asked in its place', () => {
  const e = loadEvaluator()!;
  const policy = { Version: '2012-10-17', Statement: STATEMENTS };
  const relevance = new VariantRelevance(STATEMENTS);
  const conditions = conditionsOf(STATEMENTS);
  let leftOut = 0;
  const mismatches: string[] = [];
  for (const principal of PRINCIPALS) {
    const base = principalContext(principal);
    const ask = (action: string, ctx: object) => simulate(e, policy, ACCOUNT, REGION, principal, action, { ...base, ...ctx });
    for (const action of ACTIONS) {
      const all = variantsFor(conditions, action, !principal.startsWith('arn:'));
      const kept = relevance.filter(principal, action, all);
      const keptKeys = new Set(kept.flatMap((v) => Object.keys(v.ctx)));
      expect(kept[0]).toBe(all[0]); // the request with no variant keys is always asked
      for (const v of all.filter((x) => !kept.includes(x))) {
        leftOut++;
        const twinCtx = Object.fromEntries(Object.entries(v.ctx).filter(([k]) => keptKeys.has(k)));
        const twin = kept.find((k) => JSON.stringify(k.ctx) === JSON.stringify(twinCtx));
        if (!twin) {
          mismatches.push(`${principal} ${action} ${JSON.stringify(v.ctx)}: no kept twin`);
          continue;
        }
        const [left, asked] = [ask(action, v.ctx), ask(action, twin.ctx)];
        if (left !== asked) mismatches.push(`${principal} ${action} ${JSON.stringify(v.ctx)}: ${left}, twin ${asked}`);
      }
    }
  }
  expect(mismatches).toEqual([]);
  expect(leftOut).toBeGreaterThan(500); // the comparison ran over many left-out variants
});

test('dimensions read by NotAction statements, odd action names and policy variables are never left out', () => {
  const relevance = new VariantRelevance(STATEMENTS);
  const conditions = conditionsOf(STATEMENTS);
  const keysOf = (action: string) => new Set(relevance.filter(U, action, variantsFor(conditions, action, false)).flatMap((v) => Object.keys(v.ctx)));
  // MFA: the NotAction deny may apply to every action; the principal tag: the evaluator reads 'kms:Sig.' as a pattern.
  for (const action of ACTIONS) {
    expect(keysOf(action)).toContain('aws:MultiFactorAuthPresent');
    expect(keysOf(action)).toContain('aws:PrincipalTag/team');
  }
  // What only statements naming other principals read is left out; the account root may be named by any of them.
  const contextKeysOf = (principal: string) => relevance.filter(principal, 'kms:Decrypt', variantsFor(conditions, 'kms:Decrypt', false))
    .some((v) => 'kms:EncryptionContext:app' in v.ctx);
  expect(contextKeysOf(U)).toBe(true);
  expect(contextKeysOf(R)).toBe(false);
  expect(contextKeysOf(`arn:aws:iam::${ACCOUNT}:root`)).toBe(true);
  expect(contextKeysOf(`arn:aws:sts::${ACCOUNT}:assumed-role/Admin/session`)).toBe(true);
  // A policy variable in a Resource is a read too: it keeps the tag in kms:GetKeyPolicy's requests.
  const tagged = (r: VariantRelevance, action: string) => r.filter(U, action, variantsFor(conditions, action, false))
    .some((v) => 'aws:PrincipalTag/team' in v.ctx);
  const withVariable = new VariantRelevance(STATEMENTS.filter((st) => st.Sid !== 'RegexLike'));
  expect(tagged(withVariable, 'kms:GetKeyPolicy')).toBe(true);
  expect(tagged(withVariable, 'kms:TagResource')).toBe(false);
  expect(tagged(new VariantRelevance(STATEMENTS.filter((st) => st.Sid !== 'RegexLike' && st.Sid !== 'TaggedRead')), 'kms:GetKeyPolicy')).toBe(false);
  // What only statements about other actions read is left out.
  expect(keysOf('kms:TagResource').has('kms:ViaService')).toBe(false);
  expect(keysOf('kms:ReEncryptFrom').has('kms:ViaService')).toBe(true);
  expect(keysOf('kms:Decrypt').has('kms:EncryptionContext:app')).toBe(true);
  expect(keysOf('kms:ReEncryptFrom').has('kms:EncryptionContext:app')).toBe(false);
});

test('matrices are the same with and without leaving variants out: the hand policy and a PCI DSS key', () => {
  const stack = newStack('Pruning');
  const key = cmkFor(stack, ComplianceProfile.PCI_DSS, 'OrdersKey', { aliases: ['orders'] });
  const worker = new iam.Role(stack, 'Worker', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  key.grantEncryptDecryptWhen(worker, { encryptionContext: { app: 'orders' } });
  const ledger = EvidenceLedger.of(stack);
  const cache = new Map<unknown, unknown>();
  const sources = ledger._accessPolicies().filter((s) => s.resolve);
  expect(sources.length).toBeGreaterThan(0);
  const principals = PRINCIPALS.map((value) => ({ value, identity: value }));
  const inputs = [
    { resolved: { policy: { Statement: STATEMENTS }, account: ACCOUNT, region: REGION, principals }, custodians: [] },
    ...sources.map((s) => ({ resolved: s.resolve!(cache), custodians: ledger.custodiansOf(s.subject) })),
  ];
  const matrices = (prune: boolean) => {
    _setVariantPruningForTesting(prune);
    return inputs.map((i) => computeAccessMatrix(i.resolved, i.custodians));
  };
  const pruned = matrices(true);
  expect(pruned.every((m) => m.computed && m.rows.length > 0)).toBe(true);
  expect(pruned).toEqual(matrices(false));
});
