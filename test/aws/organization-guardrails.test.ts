import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { organizationAwsApp } from '../../examples/organization/aws';
import { ComplianceProfile, EvidenceLedger, Enforcement } from '../../src';
import * as aws from '../../src/aws';
import { resolveGuardrailInput } from '../../src/aws/private/org-input';
import { MAX_POLICY_CHARACTERS, packStatements, scpGroups } from '../../src/aws/private/org-policies';
import { ACCESS_CONTROLS, AUDIT_LOGGING_CONTROLS, DELETION_CONTROLS, ROTATION_CONTROLS } from '../../src/core/key-evidence';
import { ACCEPTED_WARNINGS, cfnLint } from '../support/cfn-lint';
import { controlTower } from '../support/control-tower';
import { nagFindings } from '../support/nag';
import { ORG_ID, orgPoliciesOf, policyValidator } from '../support/org-sim';

const BASE = { profile: ComplianceProfile.PCI_DSS, targetIds: ['ou-ab12-cdef3456'], organizationId: ORG_ID };

function synth(props: Partial<aws.OrganizationGuardrailsProps> = {}) {
  const stack = new Stack(new App(), 'Org', { env: { account: '000000000000', region: 'us-east-1' } });
  const guardrails = new aws.OrganizationGuardrails(stack, 'Guardrails', { ...BASE, ...props } as aws.OrganizationGuardrailsProps);
  return { stack, guardrails, template: Template.fromStack(stack) };
}

describe('policies', () => {
  test('two SCPs (the statements exceed one document\'s 5,120 characters) and one RCP, attached to the targets', () => {
    const { template } = synth({ targetIds: ['r-ab12', 'ou-ab12-cdef3456', '123456789012'] });
    template.resourceCountIs('AWS::Organizations::Policy', 3);
    for (const type of ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY']) {
      template.hasResourceProperties('AWS::Organizations::Policy', { Type: type, TargetIds: ['r-ab12', 'ou-ab12-cdef3456', '123456789012'] });
    }
  });

  test('the deletion window threshold is the profile\'s', () => {
    const custom = ComplianceProfile.custom({ name: 'TWO_WEEKS', minDeletionWindowDays: 14 });
    const scp = orgPoliciesOf(synth({ profile: custom }).template.toJSON()).scps[0] as any;
    const statement = scp.Statement.find((s: any) => s.Sid === 'DenyShortKeyDeletionWindow');
    expect(statement.Condition).toEqual({ NumericLessThan: { 'kms:ScheduleKeyDeletionPendingWindowInDays': '14' } });
  });

  test('every document is valid SCP / RCP grammar and within Organizations\' size limit', () => {
    const { scps, rcps } = orgPoliciesOf(synth().template.toJSON());
    const v = policyValidator();
    for (const scp of scps) {
      expect(v.validateServiceControlPolicy(scp)).toEqual([]);
      expect(JSON.stringify(scp).length).toBeLessThanOrEqual(MAX_POLICY_CHARACTERS);
    }
    for (const rcp of rcps) {
      expect(v.validateResourceControlPolicy(rcp)).toEqual([]);
      expect(JSON.stringify(rcp).length).toBeLessThanOrEqual(MAX_POLICY_CHARACTERS);
    }
    // The validator does refuse what Organizations refuses (an RCP without Principal "*").
    expect(v.validateResourceControlPolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'kms:*', Resource: '*' }] })).not.toEqual([]);
  });

  test('long pattern lists are split over several SCPs, each within the limit, keeping every statement', () => {
    const buckets = Array.from({ length: 45 }, (_, i) => `payments-audit-archive-${String(i).padStart(3, '0')}-*`);
    const { scps } = orgPoliciesOf(synth({ auditBucketNamePatterns: buckets }).template.toJSON());
    expect(scps.length).toBeGreaterThan(1);
    for (const scp of scps) expect(JSON.stringify(scp).length).toBeLessThanOrEqual(MAX_POLICY_CHARACTERS);
    const sids = scps.flatMap((p: any) => p.Statement.map((s: any) => s.Sid));
    expect(sids).toEqual(scpGroups(resolveGuardrailInput(BASE)).flatMap((g) => g.statements.map((s) => s.Sid)));
  });

  test('a statement too large for any document, or more documents than a target takes, fails at synthesis', () => {
    const huge = Array.from({ length: 400 }, (_, i) => `payments-audit-${i}-*`);
    expect(() => synth({ auditBucketNamePatterns: huge })).toThrow(/statement DenyAuditBucketChanges of the service control policy is \d+ characters on its own, over Organizations' limit of 5120/);
    const input = resolveGuardrailInput(BASE);
    const big = scpGroups({ ...input, buckets: Array.from({ length: 90 }, (_, i) => `payments-audit-archive-${i}-*`) });
    const many = [...big, ...big, ...big];
    expect(() => packStatements('scp', many)).toThrow(/the guardrails need \d+ service control policy documents, but a target takes at most 4/);
  });

  test('policy names are unique per construct (Organizations refuses a second policy of the same name)', () => {
    const stack = new Stack(new App(), 'Org');
    const a = new aws.OrganizationGuardrails(stack, 'Prod', BASE);
    const b = new aws.OrganizationGuardrails(stack, 'Dev', BASE);
    const names = [a, b].flatMap((g) => [...g.serviceControlPolicies, ...g.resourceControlPolicies]).map((p) => p.name);
    expect(names).toHaveLength(6);
    expect(new Set(names).size).toBe(6);
  });

  test('the cdk-nag packs and AWS Control Tower\'s guard rules find nothing in the example app', () => {
    const app = organizationAwsApp(mkdtempSync(join(tmpdir(), 'org-aws-')));
    const stack = app.node.findChild('OrganizationGuardrails') as Stack;
    expect(nagFindings(stack)).toEqual([]);
    expect(controlTower({ example: app.synth().getStackByName('OrganizationGuardrails').template })).toEqual([]);
  });

  test('cfn-lint finds nothing in the template, nor in the example app\'s', () => {
    const example = organizationAwsApp(mkdtempSync(join(tmpdir(), 'org-aws-'))).synth().getStackByName('OrganizationGuardrails').template;
    const matches = cfnLint({ organization: synth().template.toJSON(), example });
    expect(matches.filter((m) => !ACCEPTED_WARNINGS.includes(m.Rule.Id)).map((m) => `${m.Level} ${m.Rule.Id} ${m.Message}`)).toEqual([]);
  });
});

describe('evidence', () => {
  test('one preventive record per statement group, with its policy, controls, targets and profile', () => {
    const { stack, guardrails } = synth();
    const records = EvidenceLedger.of(stack).guardrails;
    expect(records.map((r) => r.name)).toEqual(['KeyPolicyLockout', 'KeyDeletionWindow', 'KeyRotation', 'KeyAdministration', 'ExemptPrincipals', 'HandlerAssets',
      'AuditTrail', 'AuditBucket', 'KeyIdentityPerimeter', 'AuditBucketTransport']);
    const scpPaths = guardrails.serviceControlPolicies.map((p) => p.node.path);
    const rcpPaths = guardrails.resourceControlPolicies.map((p) => p.node.path);
    expect(scpPaths).toHaveLength(2);
    for (const r of records) {
      expect(r).toMatchObject({ cloud: 'aws', enforcement: Enforcement.PREVENTIVE, stack: 'Org', targets: BASE.targetIds, profile: 'PCI_DSS' });
      const scp = r.mechanism === 'AWS Organizations service control policy';
      expect(scp ? scpPaths : rcpPaths).toContain(r.path);
      // The limits are said in every record.
      expect(r.description).toContain(scp ? 'SCPs do not restrict the management account or service-linked roles'
        : 'RCPs do not restrict the management account\'s resources, AWS managed keys or service-linked roles');
    }
    const byName = Object.fromEntries(records.map((r) => [r.name, r]));
    expect(byName.KeyDeletionWindow.controls).toEqual(DELETION_CONTROLS);
    expect(byName.KeyDeletionWindow.description).toContain('under 30 days');
    expect(byName.KeyAdministration.controls).toEqual(ACCESS_CONTROLS);
    expect(byName.KeyRotation.controls).toEqual(ROTATION_CONTROLS);
    expect(byName.KeyRotation.description).toContain('over 365 days');
    expect(byName.KeyIdentityPerimeter.controls).toEqual(ACCESS_CONTROLS);
    expect(byName.AuditTrail.controls).toEqual(expect.arrayContaining(AUDIT_LOGGING_CONTROLS));
    // What the exemption rests on is said, not rounded up.
    expect(byName.ExemptPrincipals.description).toContain('only as strong as those trust policies');
    expect(byName.KeyIdentityPerimeter.description).toContain('kms:RetireGrant is outside RCPs');
  });

  test('named deployers add the PipelineEntry record, and the exemption no longer rests on the deploy role\'s trust', () => {
    const { stack } = synth({ pipelineDeployerArnPatterns: ['arn:*:iam::*:role/payments-pipeline-*'] });
    const byName = Object.fromEntries(EvidenceLedger.of(stack).guardrails.map((r) => [r.name, r]));
    expect(byName.PipelineEntry).toMatchObject({ enforcement: Enforcement.PREVENTIVE, controls: ACCESS_CONTROLS });
    expect(byName.ExemptPrincipals.description).toContain('Only arn:*:iam::*:role/payments-pipeline-* can assume the deploy roles');
    expect(byName.ExemptPrincipals.description).not.toContain('only as strong as those trust policies');
  });
});

describe('bad input fails early, naming the prop and the value', () => {
  test.each([
    ['targetIds', { targetIds: ['ou-bad'] }, /targetIds\[0\] must be a root id \(r-\.\.\.\), an organizational unit id .*, got ou-bad/],
    ['targetIds', { targetIds: [] }, /targetIds must name at least one root, organizational unit or account, got \[\]/],
    ['targetIds', { targetIds: ['12345678901'] }, /targetIds\[0\] must be .*, got 12345678901/],
    ['targetIds', { targetIds: ['123456789012', '123456789012'] }, /targetIds lists 123456789012 twice/],
    ['targetIds', { targetIds: undefined }, /targetIds is required, got nothing/],
    ['organizationId', { organizationId: 'org-123' }, /organizationId must be an organization id: 'o-' and 10 to 32 lower-case letters or digits, got org-123/],
    ['organizationId', { organizationId: Token.asString({ Ref: 'OrgId' }) }, /organizationId must be a literal string .*, got a token/],
    ['breakGlassRoleName', { breakGlassRoleName: 'break*glass' }, /breakGlassRoleName must be an IAM role name .*, got break\*glass/],
    ['pipelineRoleArnPatterns', { pipelineRoleArnPatterns: ['cdk-*-cfn-exec-role-*'] }, /pipelineRoleArnPatterns\[0\] must be a role ARN pattern .*, got cdk-\*-cfn-exec-role-\*/],
    ['pipelineRoleArnPatterns', { pipelineRoleArnPatterns: [] }, /pipelineRoleArnPatterns must name at least one pattern/],
    ['dualControlExecutorRoleArnPatterns', { dualControlExecutorRoleArnPatterns: ['arn:aws:iam::*:user/x'] }, /dualControlExecutorRoleArnPatterns\[0\] must be a role ARN pattern/],
    ['auditBucketNamePatterns', { auditBucketNamePatterns: ['Audit_Bucket'] }, /auditBucketNamePatterns\[0\] must be an S3 bucket name pattern .*, got Audit_Bucket/],
    ['auditTrailNamePatterns', { auditTrailNamePatterns: ['trail/x'] }, /auditTrailNamePatterns\[0\] must be a CloudTrail trail name pattern .*, got trail\/x/],
    ['profile', { profile: 'PCI_DSS' as any }, /profile must be a ComplianceProfile/],
    ['profile', { profile: ComplianceProfile.custom({ name: 'MONTHLY', maxRotationDays: 30 }) }, /profile.maxRotationDays must be between 90 and 36500 days, got 30/],
  ])('%s: %j', (_prop, props, message) => {
    expect(() => synth(props as Partial<aws.OrganizationGuardrailsProps>)).toThrow(message);
  });
});

test('without the pipeline\'s own identities, every SCP group that exempts the deployment roles is recorded as enforcing its controls only in part; with them, none is', () => {
  const records = (extra: Record<string, unknown>) => {
    const stack = new Stack(new App(), 'Org', { env: { account: '000000000000', region: 'us-east-1' } });
    new aws.OrganizationGuardrails(stack, 'G', { profile: ComplianceProfile.PCI_DSS, targetIds: ['ou-root-workloads1'], organizationId: 'o-exampleorg1', ...extra });
    return EvidenceLedger.of(stack).guardrails;
  };
  const open = records({});
  expect(open.find((g) => g.name === 'KeyAdministration')!.partial).toContain('without pipelineDeployerArnPatterns');
  expect(open.find((g) => g.name === 'KeyDeletionWindow')!.partial).toBeUndefined();
  expect(open.find((g) => g.name === 'KeyIdentityPerimeter')!.partial).toBeUndefined();
  const closed = records({ pipelineDeployerArnPatterns: ['arn:aws:iam::345678901234:role/pipeline-deployer'] });
  expect(closed.filter((g) => g.partial !== undefined).map((g) => g.name)).toEqual([]);
});
