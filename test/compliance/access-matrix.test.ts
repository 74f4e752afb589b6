import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ComplianceProfile, Control, EvidenceLedger, EvidenceStatus } from '../../src';
import * as aws from '../../src/aws';
import { _setEvaluatorForTesting, Access, ACTION_CLASSES, DUAL_CONTROL_EXECUTOR_SID, loadEvaluator } from '../../src/compliance/access-matrix';
import { buildReport, ControlStatus, renderMarkdown } from '../../src/compliance/report';
import { ACCOUNT, arn, cmkFor, DEPLOYER, keyPolicyOf, REGION } from '../support/fixtures';
import { decide } from '../support/key-policy-eval';
import { scenarios } from '../support/scenarios';

const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/00000000-0000-0000-0000-000000000000`;
const R = arn('R');
const policy = (...Statement: any[]) => ({ Statement });
const allow = (principal: unknown, action: unknown, condition?: unknown, extra: object = {}) =>
  ({ Effect: 'Allow', Principal: principal, Action: action, Resource: '*', ...(condition ? { Condition: condition } : {}), ...extra });
const deny = (principal: unknown, action: unknown, condition?: unknown, extra: object = {}) =>
  ({ ...allow(principal, action, condition, extra), Effect: 'Deny' });

describe('the evaluator, checked against hand-worked cases before it is trusted', () => {
  test('the validating entry point (runSimulation) drops kms:EncryptionContext:<key>, so it must not be used', async () => {
    const p = policy(allow({ AWS: R }, 'kms:Decrypt', { StringEquals: { 'kms:EncryptionContext:tenantId': 'acme' } }));
    const result = await runSimulation({
      request: { principal: R, action: 'kms:Decrypt', resource: { resource: KEY_ARN, accountId: ACCOUNT }, contextVariables: { 'kms:EncryptionContext:tenantId': 'acme' } },
      identityPolicies: [{ name: 'max', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: { Version: '2012-10-17', ...p },
    }, {});
    // By hand: the context matches the condition, so KMS allows. The default entry point ignores the key and denies.
    expect(result.resultType).toBe('single');
    expect((result as any).result.ignoredContextKeys).toEqual(['kms:EncryptionContext:tenantId']);
    expect((result as any).overallResult).toBe('ImplicitlyDenied');
    // The entry point the report and the tests use keeps it.
    expect(decide(p, R, 'kms:Decrypt', { 'kms:EncryptionContext:tenantId': 'acme' })).toBe('ALLOW');
  });

  const tenantVar = policy(allow({ AWS: R }, 'kms:Decrypt', { StringEquals: { 'kms:EncryptionContext:tenantId': '${aws:PrincipalTag/tenantId}' } }));
  const mfaAllow = policy(allow({ AWS: R }, 'kms:DisableKey', { Bool: { 'aws:MultiFactorAuthPresent': 'true' } }));
  const mfaDeny = policy(allow({ AWS: R }, 'kms:DisableKey'), deny({ AWS: R }, 'kms:DisableKey', { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } }));
  const onlyApprover = policy(allow({ AWS: [R, arn('A')] }, 'kms:DisableKey'),
    deny({ AWS: '*' }, 'kms:DisableKey', { ArnNotEquals: { 'aws:PrincipalArn': [arn('A')] } }));
  const ctCreateGrant = policy(allow({ AWS: R }, 'kms:CreateGrant'),
    deny({ AWS: '*' }, 'kms:CreateGrant', { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } }));
  const auditor = policy(allow({ AWS: R }, ['kms:DescribeKey', 'kms:Decrypt']), deny({ AWS: R }, undefined, undefined, { NotAction: ['kms:DescribeKey'] }));

  test.each([
    ['StringEquals on kms:EncryptionContext:<key>, right value', policy(allow({ AWS: R }, 'kms:Decrypt', { StringEquals: { 'kms:EncryptionContext:tenantId': 'acme' } })), R, 'kms:Decrypt', { 'kms:EncryptionContext:tenantId': 'acme' }, 'ALLOW'],
    ['StringEquals on kms:EncryptionContext:<key>, wrong value', policy(allow({ AWS: R }, 'kms:Decrypt', { StringEquals: { 'kms:EncryptionContext:tenantId': 'acme' } })), R, 'kms:Decrypt', { 'kms:EncryptionContext:tenantId': 'globex' }, 'IMPLICIT_DENY'],
    ['StringEquals on kms:EncryptionContext:<key>, no context', policy(allow({ AWS: R }, 'kms:Decrypt', { StringEquals: { 'kms:EncryptionContext:tenantId': 'acme' } })), R, 'kms:Decrypt', {}, 'IMPLICIT_DENY'],
    ['policy variable ${aws:PrincipalTag/x}, tag equals context', tenantVar, R, 'kms:Decrypt', { 'aws:PrincipalTag/tenantId': 'acme', 'kms:EncryptionContext:tenantId': 'acme' }, 'ALLOW'],
    ['policy variable, tag differs from context (tenant A, context B)', tenantVar, R, 'kms:Decrypt', { 'aws:PrincipalTag/tenantId': 'acme', 'kms:EncryptionContext:tenantId': 'globex' }, 'IMPLICIT_DENY'],
    ['policy variable, no tag', tenantVar, R, 'kms:Decrypt', { 'kms:EncryptionContext:tenantId': 'acme' }, 'IMPLICIT_DENY'],
    ['Bool true, MFA present', mfaAllow, R, 'kms:DisableKey', { 'aws:MultiFactorAuthPresent': 'true' }, 'ALLOW'],
    ['Bool true, MFA false', mfaAllow, R, 'kms:DisableKey', { 'aws:MultiFactorAuthPresent': 'false' }, 'IMPLICIT_DENY'],
    ['Bool true, MFA key absent (long-term credentials)', mfaAllow, R, 'kms:DisableKey', {}, 'IMPLICIT_DENY'],
    ['Deny BoolIfExists false, key absent: the deny applies', mfaDeny, R, 'kms:DisableKey', {}, 'EXPLICIT_DENY'],
    ['Deny BoolIfExists false, MFA true: the deny does not apply', mfaDeny, R, 'kms:DisableKey', { 'aws:MultiFactorAuthPresent': 'true' }, 'ALLOW'],
    ['Null false, key present', policy(allow({ AWS: R }, 'kms:Decrypt', { Null: { 'kms:EncryptionContext:tenant': 'false' } })), R, 'kms:Decrypt', { 'kms:EncryptionContext:tenant': 'x' }, 'ALLOW'],
    ['Null false, key absent', policy(allow({ AWS: R }, 'kms:Decrypt', { Null: { 'kms:EncryptionContext:tenant': 'false' } })), R, 'kms:Decrypt', {}, 'IMPLICIT_DENY'],
    ['AnyPrincipal deny with ArnNotEquals on aws:PrincipalArn: someone else is denied', onlyApprover, R, 'kms:DisableKey', {}, 'EXPLICIT_DENY'],
    ['AnyPrincipal deny with ArnNotEquals: the named ARN is not (aws:PrincipalArn comes from the principal)', onlyApprover, arn('A'), 'kms:DisableKey', {}, 'ALLOW'],
    ['ArnEquals on aws:PrincipalArn', policy(allow({ AWS: '*' }, 'kms:Decrypt', { ArnEquals: { 'aws:PrincipalArn': R } })), R, 'kms:Decrypt', {}, 'ALLOW'],
    ['ArnEquals on aws:PrincipalArn, other role', policy(allow({ AWS: '*' }, 'kms:Decrypt', { ArnEquals: { 'aws:PrincipalArn': R } })), arn('Other'), 'kms:Decrypt', {}, 'IMPLICIT_DENY'],
    ['ArnLike on aws:PrincipalArn', policy(allow({ AWS: '*' }, 'kms:Decrypt', { ArnLike: { 'aws:PrincipalArn': arn('app-*') } })), arn('app-1'), 'kms:Decrypt', {}, 'ALLOW'],
    ['ArnLike on a context ARN, other account', policy(allow({ Service: 'logs.us-east-1.amazonaws.com' }, 'kms:Encrypt*', { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:*` } })), 'logs.us-east-1.amazonaws.com', 'kms:Encrypt', { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${REGION}:999999999999:log-group:x` }, 'IMPLICIT_DENY'],
    ['ArnLike on a context ARN, own account', policy(allow({ Service: 'logs.us-east-1.amazonaws.com' }, 'kms:Encrypt*', { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:*` } })), 'logs.us-east-1.amazonaws.com', 'kms:Encrypt', { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:x` }, 'ALLOW'],
    ['StringLike', policy(allow({ AWS: R }, 'kms:Decrypt', { StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${ACCOUNT}:trail/*` } })), R, 'kms:Decrypt', { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:us-west-2:${ACCOUNT}:trail/t` }, 'ALLOW'],
    ['StringEquals on kms:ViaService, through the service', policy(allow({ AWS: R }, 'kms:Decrypt', { StringEquals: { 'kms:ViaService': 'sqs.us-east-1.amazonaws.com' } })), R, 'kms:Decrypt', { 'kms:ViaService': 'sqs.us-east-1.amazonaws.com' }, 'ALLOW'],
    ['StringEquals on kms:ViaService, directly', policy(allow({ AWS: R }, 'kms:Decrypt', { StringEquals: { 'kms:ViaService': 'sqs.us-east-1.amazonaws.com' } })), R, 'kms:Decrypt', {}, 'IMPLICIT_DENY'],
    ['CT.KMS.PR.3 deny: a role creating a grant for itself', ctCreateGrant, R, 'kms:CreateGrant', { 'kms:GrantIsForAWSResource': 'false' }, 'EXPLICIT_DENY'],
    ['CT.KMS.PR.3 deny: a grant for an AWS resource', ctCreateGrant, R, 'kms:CreateGrant', { 'kms:GrantIsForAWSResource': 'true' }, 'ALLOW'],
    ['Bool on aws:PrincipalIsAWSService for a service principal', policy(allow({ Service: 'events.amazonaws.com' }, 'kms:GenerateDataKey', { Bool: { 'aws:PrincipalIsAWSService': 'true' } })), 'events.amazonaws.com', 'kms:GenerateDataKey', {}, 'ALLOW'],
    ['NotAction deny: the auditor may read', auditor, R, 'kms:DescribeKey', {}, 'ALLOW'],
    ['NotAction deny: the auditor may not decrypt, though allowed (deny wins)', auditor, R, 'kms:Decrypt', {}, 'EXPLICIT_DENY'],
    ['the account root delegates to IAM (maximal identity policy)', policy(allow({ AWS: `arn:aws:iam::${ACCOUNT}:root` }, 'kms:*')), arn('Anyone'), 'kms:Decrypt', {}, 'ALLOW'],
    ['a principal the policy does not name', policy(allow({ AWS: R }, 'kms:*')), arn('Other'), 'kms:Decrypt', {}, 'IMPLICIT_DENY'],
    ['another account, even with the root delegated', policy(allow({ AWS: `arn:aws:iam::${ACCOUNT}:root` }, 'kms:*')), 'arn:aws:iam::999999999999:role/X', 'kms:Decrypt', {}, 'IMPLICIT_DENY'],
    ['StringEquals on aws:SourceArn, the service acting for our trail', policy(allow({ Service: 'cloudtrail.amazonaws.com' }, 'kms:GenerateDataKey', { StringEquals: { 'aws:SourceArn': `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/t` } })), 'cloudtrail.amazonaws.com', 'kms:GenerateDataKey', { 'aws:SourceArn': `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/t` }, 'ALLOW'],
    ['StringEquals on aws:SourceArn, the service acting for someone else (confused deputy)', policy(allow({ Service: 'cloudtrail.amazonaws.com' }, 'kms:GenerateDataKey', { StringEquals: { 'aws:SourceArn': `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/t` } })), 'cloudtrail.amazonaws.com', 'kms:GenerateDataKey', { 'aws:SourceArn': `arn:aws:cloudtrail:${REGION}:999999999999:trail/t` }, 'IMPLICIT_DENY'],
    ['StringEquals on aws:SourceAccount, another account', policy(allow({ Service: 'cloudwatch.amazonaws.com' }, 'kms:GenerateDataKey', { StringEquals: { 'aws:SourceAccount': ACCOUNT } })), 'cloudwatch.amazonaws.com', 'kms:GenerateDataKey', { 'aws:SourceAccount': '999999999999' }, 'IMPLICIT_DENY'],
    ['ForAllValues:StringEquals on kms:EncryptionContextKeys, an extra key', policy(allow({ AWS: R }, 'kms:Decrypt', { 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['tenantId'] } })), R, 'kms:Decrypt', { 'kms:EncryptionContextKeys': ['tenantId', 'other'] } as any, 'IMPLICIT_DENY'],
    ['ForAllValues:StringEquals on kms:EncryptionContextKeys, only the allowed key', policy(allow({ AWS: R }, 'kms:Decrypt', { 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['tenantId'] } })), R, 'kms:Decrypt', { 'kms:EncryptionContextKeys': ['tenantId'] } as any, 'ALLOW'],
    ['a template intrinsic as principal (the deployment role)', policy(allow({ AWS: DEPLOYER }, 'kms:PutKeyPolicy')), DEPLOYER, 'kms:PutKeyPolicy', {}, 'ALLOW'],
  ])('%s', (_name, p, principal, action, ctx, expected) => {
    expect(decide(p, principal, action, ctx as any)).toBe(expected);
  });

  test('every action the matrix asks about exists in the evaluator\'s IAM data', async () => {
    for (const action of Object.values(ACTION_CLASSES).flat()) {
      const r = await runSimulation({
        request: { principal: R, action, resource: { resource: KEY_ARN, accountId: ACCOUNT }, contextVariables: {} },
        identityPolicies: [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: { Version: '2012-10-17', ...policy(allow({ AWS: R }, 'kms:*')) },
      }, {});
      expect([action, r.resultType]).not.toEqual([action, 'error']);
    }
  });
});

/**
 * A PCI key with its dual-control gate, or (`withGate` false) with an escape hatch that re-opens the single-person paths
 * the gate closes: the executor statements gone, approvers with MFA holding the destructive operations and the
 * deployment role holding PutKeyPolicy, as the key policy read before the gate existed.
 */
function pciApp(withGate: boolean) {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'matrix-')) });
  const stack = new Stack(app, 'Payments', { env: { account: ACCOUNT, region: REGION } });
  const key = cmkFor(stack, ComplianceProfile.PCI_DSS, 'CardKey');
  if (!withGate) {
    const k = key as any;
    const resolved = stack.resolve(k.policy.toJSON());
    const statements = resolved.Statement
      .filter((st: any) => ![DUAL_CONTROL_EXECUTOR_SID, 'DenyDualControlOperationsExceptExecutor'].includes(st.Sid))
      .map((st: any) => (st.Sid === 'AllowCloudFormationDeployment' ? { ...st, Action: [...st.Action, 'kms:PutKeyPolicy'] } : st));
    statements.push({
      Sid: 'AllowApproversDestructiveOperationsWithMfa',
      Effect: 'Allow',
      Principal: { AWS: [arn('ApproverA'), arn('ApproverB')] },
      Action: ['kms:DescribeKey', 'kms:CancelKeyDeletion', 'kms:DisableKey', 'kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion'],
      Resource: '*',
      Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
    });
    k.policy = iam.PolicyDocument.fromJson({ Version: '2012-10-17', Statement: statements });
  }
  return { app, stack, key };
}

describe('the access matrix in the report', () => {
  const { stack } = pciApp(false);
  const report = buildReport(EvidenceLedger.of(stack));
  const key = report.stacks[0].keys.find((k) => k.path === 'Payments/CardKey')!;
  const m = key.accessMatrix!;
  const row = (principal: string) => m.rows.find((r) => r.principal === principal)!;

  test('principals are named by role, and each class has a computed verdict', () => {
    expect(m.computed).toBe(true);
    expect(m.evaluator).toMatch(/^@cloud-copilot\/iam-simulate \d+\.\d+\.\d+$/);
    expect(m.classes).toEqual(['use', 'manage', 'change policy', 'delete/disable', 'replicate', 'alias', 'grant', 'audit-read']);
    expect(row(arn('KeyAdmin')).role).toBe('administrator');
    expect(row(arn('OrdersService')).role).toBe('user');
    expect(row(arn('Auditor')).role).toBe('auditor');
    expect(row(arn('ApproverA')).role).toBe('approver');
    const deployer = m.rows.find((r) => r.role === 'deployment identity')!;
    expect(deployer.principal).toBe(`arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}`);
    expect(m.rows.map((r) => r.role)).toEqual(expect.arrayContaining(['anyone else in the account', 'anyone in another account']));
    expect(JSON.stringify(m.rows.map((r) => r.principal))).not.toMatch(/Fn::/);
  });

  test('cells: use for users, management for administrators, MFA for approvers, reading for auditors, nothing for others', () => {
    expect(row(arn('OrdersService')).access.use.access).toBe(Access.ALLOWED);
    expect(row(arn('OrdersService')).access.grant).toMatchObject({ access: Access.ALLOWED, conditions: ['grants for AWS resources only'] });
    expect(row(arn('OrdersService')).access.manage.access).toBe(Access.DENIED);
    expect(row(arn('KeyAdmin')).access.use.access).toBe(Access.DENIED);
    expect(row(arn('KeyAdmin')).access.manage.access).toBe(Access.ALLOWED);
    expect(row(arn('ApproverA')).access['delete/disable'].access).toBe(Access.ALLOWED_WITH_MFA);
    expect(row(arn('ApproverA')).access.use.access).toBe(Access.DENIED);
    expect(row(arn('Auditor')).access['audit-read'].access).toBe(Access.ALLOWED);
    for (const cls of m.classes.filter((c) => c !== 'audit-read')) expect(row(arn('Auditor')).access[cls].access).toBe(Access.DENIED);
    for (const r of m.rows.filter((x) => x.role.startsWith('anyone'))) {
      for (const cls of m.classes) expect(r.access[cls].access).toBe(Access.DENIED);
    }
  });

  test('without the gate, one approver or the deployment role acts alone: PCI DSS 3.7.6 is partially satisfied, with the reason', () => {
    expect(m.dualControlGate).toBe(false);
    expect(m.singlePersonDualControl.map((p) => p.role)).toEqual(expect.arrayContaining(['approver', 'deployment identity']));
    const c = key.controls.find((x) => x.id === Control.PCI_3_7_6.id)!;
    expect(c.status).toBe(ControlStatus.PARTIALLY_SATISFIED);
    expect(c.evidence[0].description).toMatch(/no dual-control gate executor is named in the key policy; one principal alone can .*ApproverA \(approver\): .*delete\/disable \(allowed with MFA\)/);
    expect(c.acknowledged).toBeUndefined();
    expect(report.summary.unmet).toEqual(expect.arrayContaining([{ key: 'Payments/CardKey', control: Control.PCI_3_7_6.id, status: 'partially satisfied' }]));
    expect(report.summary.partiallySatisfied).toBeGreaterThan(0);
  });

  test('principals who alone can reach cryptographic use are listed (an approver or the deployment role, by changing the policy)', () => {
    const approver = m.aloneReachUse.find((p) => p.principal === arn('ApproverA'))!;
    expect(approver.via).toEqual(['change policy (allowed with MFA)']);
    expect(m.aloneReachUse.some((p) => p.role === 'deployment identity')).toBe(true);
    // Administrators hold no policy change, replication or alias move (issue 13, finding 3).
    expect(m.aloneReachUse.some((p) => p.role === 'administrator')).toBe(false);
    expect(m.aloneReachUse.some((p) => p.role === 'user')).toBe(false);
    // PCI DSS requires dual control: nobody outside the gate may reach use alone, and with this escape hatch approvers can.
    expect(m.aloneReachUseTarget).toEqual({ expected: 'nobody outside the dual-control gate', met: false });
    expect(renderMarkdown(report)).toContain('Target under the key\'s profile: nobody outside the dual-control gate: **not met**.');
  });

  test('separation-of-duties evidence is derived from the evaluation: a path around the denies makes it partial', () => {
    const ac5 = key.controls.find((x) => x.id === Control.PCI_3_6_1_3.id)!;
    expect(ac5.status).toBe(ControlStatus.PARTIALLY_SATISFIED);
    expect(ac5.evidence[0].value).toBe('separation of duties, but nobody outside the dual-control gate is not met (evaluated)');
    expect(ac5.evidence[0].description).toMatch(/evaluated with @cloud-copilot\/iam-simulate .*: administrators and the deployment identity cannot use the key.*alone can reach cryptographic use without being a user of the key: .*ApproverA \(approver\): change policy \(allowed with MFA\)/);
  });

  test('Markdown has an "Access matrix" section for the key, with one row per principal', () => {
    const md = renderMarkdown(report);
    const section = md.split('### Payments/CardKey')[1].split('\n### ')[0];
    expect(section).toContain('#### Access matrix');
    expect(section).toContain('| principal | role | use | manage | change policy | delete/disable | replicate | alias | grant | audit-read |');
    // Principals by name (the ARN stays in the JSON).
    expect(section).toContain('| role/ApproverA | approver | denied | allowed with MFA | allowed with MFA | allowed with MFA | denied | denied | denied |');
    expect(section).toMatch(/Dual control: no dual-control gate executor is named in the key policy; one principal alone can/);
  });

  test('synthesis fails on the partially satisfied control unless acknowledged, like an unmet one', () => {
    expect(() => pciApp(false).app.synth()).toThrow(/required control PCI DSS v4.0 3.7.6 is partially satisfied for key Payments\/CardKey/);
    const acked = pciApp(false);
    acked.stack.node.findAll().filter((c) => c.node.path === 'Payments/CardKey').forEach((k) =>
      EvidenceLedger.of(k).acknowledge({ subject: k.node.path, resource: k.node.path, rule: `control:${Control.PCI_3_7_6.id}`, reason: 'gate lands next quarter' }));
    // Acknowledging 3.7.6 does not cover the separation of duties the same escape hatch breaks; the audit sink's key,
    // behind its gate, needs nothing.
    let message = '';
    try {
      acked.app.synth();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/3.6.1.3 is partially satisfied for key Payments\/CardKey/);
    expect(message).not.toMatch(/3.7.6|Payments\/Audit/);
  });
});

describe('with the dual-control gate\'s executor in the key policy', () => {
  const { stack } = pciApp(true);
  const report = buildReport(EvidenceLedger.of(stack));
  const key = report.stacks[0].keys.find((k) => k.path === 'Payments/CardKey')!;
  const m = key.accessMatrix!;

  test('the executor\'s cells read "only through the dual-control gate"', () => {
    const executor = m.rows.find((r) => r.role === 'dual-control gate executor')!;
    expect(executor.principal).toMatch(/DualControlGate/);
    expect(executor.access['change policy'].access).toBe(Access.DUAL_CONTROL_GATE);
    expect(executor.access['delete/disable'].access).toBe(Access.DUAL_CONTROL_GATE);
    expect(executor.access.use.access).toBe(Access.DENIED);
  });

  test('nobody else alone reaches a dual-control operation or cryptographic use: PCI DSS 3.7.6 is satisfied', () => {
    expect(m.dualControlGate).toBe(true);
    expect(m.singlePersonDualControl).toEqual([]);
    expect(m.aloneReachUse).toEqual([]);
    expect(m.aloneReachUseTarget).toEqual({ expected: 'nobody outside the dual-control gate', met: true });
    const c = key.controls.find((x) => x.id === Control.PCI_3_7_6.id)!;
    expect(c.status).toBe(ControlStatus.SATISFIED);
    expect(c.evidence[0].description).toMatch(/only the dual-control gate executor can change the policy/);
  });

  test('separation of duties is satisfied: administrators, the deployment identity and approvers reach no use, alone or by a detour', () => {
    const ac5 = key.controls.find((x) => x.id === Control.PCI_3_6_1_3.id)!;
    expect(ac5.status).toBe(ControlStatus.SATISFIED);
    expect(ac5.evidence[0].value).toBe('separation of duties (evaluated)');
    expect(ac5.evidence[0].description).toMatch(/nobody but the key's users can reach cryptographic use/);
  });
});

describe('without the optional evaluator', () => {
  afterAll(() => _setEvaluatorForTesting(undefined));

  test('the report says plainly that the matrix was not computed and how to get it; evidence stays structural, marked', () => {
    _setEvaluatorForTesting(null);
    expect(loadEvaluator()).toBeUndefined();
    const { stack } = pciApp(false);
    const report = buildReport(EvidenceLedger.of(stack));
    const key = report.stacks[0].keys.find((k) => k.path === 'Payments/CardKey')!;
    expect(key.accessMatrix).toMatchObject({ computed: false, rows: [] });
    expect(key.accessMatrix!.reason).toMatch(/not computed: the IAM policy evaluator @cloud-copilot\/iam-simulate is not installed.*npm install --save-dev @cloud-copilot\/iam-simulate.*AGPL-3.0/);
    expect(report.summary.accessMatrix.computed).toBe(false);
    const c = key.controls.find((x) => x.id === Control.PCI_3_7_6.id)!;
    expect(c.status).toBe(ControlStatus.SATISFIED);
    expect(c.evidence[0]).toMatchObject({ value: 'dual control (not evaluated)' });
    expect(c.evidence[0].description).toMatch(/not evaluated: the optional IAM policy evaluator is not installed/);
    const md = renderMarkdown(report);
    expect(md).toContain('Access matrix: the access matrix was not computed');
    expect(md.split('### Payments/CardKey')[1]).toMatch(/#### Access matrix\n\nNot computed: /);
  });
});

describe('the report written at synthesis', () => {
  test('compliance-report.json carries accessMatrix under each AWS key, and the envelope log key as a supporting key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'matrix-'));
    const app = new App({ outdir: dir });
    const stack = new Stack(app, 'Orders', { env: { account: ACCOUNT, region: REGION } });
    const key = cmkFor(stack, ComplianceProfile.COMMERCIAL, 'OrdersKey');
    new aws.EnvelopeEncryptionFunction(stack, 'Envelope', { key, requiredContextKeys: ['tenant'] });
    app.synth();
    const report = JSON.parse(readFileSync(join(dir, 'compliance-report.json'), 'utf8'));
    const keys = report.stacks[0].keys;
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) expect(k.accessMatrix.computed).toBe(true);
    const logKey = report.stacks[0].supportingKeys.find((k: any) => k.path === 'Orders/Envelope/LogKey');
    expect(logKey.purpose).toMatch(/logs and dead-letter queue/);
    const fnRole = logKey.accessMatrix.rows.find((r: any) => r.principal === 'Orders/Envelope/Role');
    expect(fnRole.access.use).toMatchObject({ access: 'allowed', conditions: ['through sqs.us-east-1.amazonaws.com'] });
    const logs = logKey.accessMatrix.rows.find((r: any) => r.principal === 'logs.us-east-1.amazonaws.com');
    expect(logs.access.use).toMatchObject({ access: 'allowed', conditions: ['the right encryption context'] });
    const md = readFileSync(join(dir, 'compliance-report.md'), 'utf8');
    expect(md.match(/#### Access matrix/g)!.length).toBe(keys.length + 1);
  });
});

describe('principals named only by a template reference', () => {
  test('a role granted in the same stack is named by its construct path', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: { account: ACCOUNT, region: REGION } });
    const key = cmkFor(stack, ComplianceProfile.COMMERCIAL, 'K');
    const worker = new iam.Role(stack, 'Worker', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    key.grantEncryptDecryptWhen(worker, { encryptionContext: { app: 'orders' } });
    const report = buildReport(EvidenceLedger.of(stack));
    const m = report.stacks[0].keys.find((k) => k.path === 'S/K')!.accessMatrix!;
    const row = m.rows.find((r) => r.principal === 'S/Worker')!;
    expect(row.role).toBe('user');
    expect(row.access.use).toMatchObject({ access: Access.ALLOWED, conditions: ['the right encryption context'] });
    expect(keyPolicyOf(stack, key).Statement.length).toBeGreaterThan(0);
    expect(EvidenceLedger.of(stack).evidenceFor(Control.SOC2_CC6_1, 'S/K')[0].status).toBe(EvidenceStatus.SATISFIED);
  });
});

describe('keys by the thousand', () => {
  function hierarchy() {
    const app = new App();
    const stack = new Stack(app, 'T', { env: { account: ACCOUNT, region: REGION } });
    const service = new iam.Role(stack, 'TenantService', { assumedBy: new iam.AccountRootPrincipal() });
    const tenants = new aws.TenantKeyHierarchy(stack, 'Tenants', {
      custodians: { administrators: [new iam.ArnPrincipal(arn('KeyAdmin'))], users: [service] },
      tenants: [{ tenantId: 'acme' }, { tenantId: 'globex' }, { tenantId: 'initech' }],
    });
    return { stack, tenants };
  }

  test('keys whose matrices are identical share one evaluation, and the report points to the first instead of repeating it', () => {
    const { stack } = hierarchy();
    const keys = buildReport(EvidenceLedger.of(stack)).stacks[0].keys.filter((k) => k.construct === 'TenantKeyHierarchy');
    expect(keys.length).toBe(3);
    const [first, ...rest] = keys;
    expect(first.accessMatrix!.rows.length).toBeGreaterThan(0);
    const service = first.accessMatrix!.rows.find((r) => r.principal === 'T/TenantService')!;
    // Each tenant's key: the service only with the tenant's tag and that tenant's context (tenant A under context B: denied).
    expect(service.access.use).toMatchObject({ access: Access.ALLOWED, conditions: ['the right encryption context', 'principal tags tenantId'] });
    for (const k of rest) expect(k.accessMatrix).toMatchObject({ computed: true, sameAs: first.path, rows: [] });
    expect(renderMarkdown(buildReport(EvidenceLedger.of(stack)))).toContain(`The same as for ${first.path}`);
  });

  test('a grant made after a report was built shows in the next report (shared statements are cached per report only)', () => {
    const app2 = new App();
    const s2 = new Stack(app2, 'S2', { env: { account: ACCOUNT, region: REGION } });
    const key = cmkFor(s2, ComplianceProfile.COMMERCIAL, 'K');
    const first = buildReport(EvidenceLedger.of(s2)).stacks[0].keys.find((k) => k.path === 'S2/K')!.accessMatrix!;
    expect(first.rows.some((r) => r.principal === arn('LateReader'))).toBe(false);
    key.grantDecrypt(new iam.ArnPrincipal(arn('LateReader')));
    const second = buildReport(EvidenceLedger.of(s2)).stacks[0].keys.find((k) => k.path === 'S2/K')!.accessMatrix!;
    expect(second.rows.find((r) => r.principal === arn('LateReader'))!.access.use.access).toBe(Access.ALLOWED);
  });
});

describe('principals a nested stack sees through a parameter', () => {
  test.each([false, true])('the tenant session role in a shard is named by its construct path and role (after synthesis: %s)', (synthesized) => {
    const stack = scenarios().find((x) => x.name === 'TenantKeyHierarchy/COMMERCIAL')!.build();
    if (synthesized) (stack.node.root as App).synth();
    const key = buildReport(EvidenceLedger.of(stack)).stacks[0].keys.find((k) => k.path.endsWith('Shard0000/acme'))!;
    const row = key.accessMatrix!.rows.find((r) => r.principal === 'TenantKeyHierarchy-COMMERCIAL/Envelope/TenantSessionRole')!;
    expect(row.role).toBe('user');
    expect(row.access.use.conditions).toEqual(expect.arrayContaining(['the right encryption context']));
  });
});

test('keys that differ only in a quoted value (the calling service) do not share a matrix', () => {
  const app = new App();
  const stack = new Stack(app, 'V', { env: { account: ACCOUNT, region: REGION } });
  const viaS3 = cmkFor(stack, ComplianceProfile.COMMERCIAL, 'ViaS3');
  const viaSqs = cmkFor(stack, ComplianceProfile.COMMERCIAL, 'ViaSqs', { auditSink: undefined });
  const reader = new iam.ArnPrincipal(arn('Reader'));
  viaS3.grantDecryptWhen(reader, { viaServices: ['s3.us-east-1.amazonaws.com'] });
  viaSqs.grantDecryptWhen(reader, { viaServices: ['sqs.us-east-1.amazonaws.com'] });
  const keys = buildReport(EvidenceLedger.of(stack)).stacks[0].keys;
  const use = (path: string) => keys.find((k) => k.path === path)!.accessMatrix!.rows.find((r) => r.principal === arn('Reader'))!.access.use;
  expect(use('V/ViaS3').conditions).toEqual(['through s3.us-east-1.amazonaws.com']);
  expect(use('V/ViaSqs').conditions).toEqual(['through sqs.us-east-1.amazonaws.com']);
});
