/*
 * What a member-account administrator with AdministratorAccess, the golden pattern's deployment roles, the dual-control
 * executor, a break-glass user, a principal of another organisation and an AWS service can do under the synthesized
 * SCPs and RCP, asked of a real IAM evaluator (test/support/org-sim.ts).
 */
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DEPLOYMENT_ACCOUNT, organizationAwsApp, ORGANIZATION_ID as EXAMPLE_ORG_ID } from '../../examples/organization/aws';
import { ComplianceProfile, EvidenceLedger } from '../../src';
import * as aws from '../../src/aws';
import { KEY_ADMINISTRATION_ACTIONS } from '../../src/aws/private/org-policies';
import {
  accountKeyPolicy, Caller, decideInOrg, MEMBER_ACCOUNT, ORG_ID, OrgPolicies, orgPoliciesOf, OTHER_ORG_ID, OUTSIDE_ACCOUNT, REGION, roleSession,
  servicePrincipal,
} from '../support/org-sim';

const KEY = `arn:aws:kms:${REGION}:${MEMBER_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const TRAIL = `arn:aws:cloudtrail:${REGION}:${MEMBER_ACCOUNT}:trail/Payments-Audit-1A2B3C4D`;
const BUCKET = 'arn:aws:s3:::payments-auditbucket1a2b3c4d-abcdefgh';

function policiesFor(profile: ComplianceProfile, extra: Partial<aws.OrganizationGuardrailsProps> = {}): OrgPolicies {
  const stack = new Stack(new App(), 'Org', { env: { account: '000000000000', region: 'us-east-1' } });
  new aws.OrganizationGuardrails(stack, 'Guardrails', { profile, targetIds: ['ou-root-workloads1'], organizationId: ORG_ID, ...extra });
  return orgPoliciesOf(Template.fromStack(stack).toJSON());
}

const policies = policiesFor(ComplianceProfile.PCI_DSS);
const admin = roleSession('AWSReservedSSO_AdministratorAccess_0123456789abcdef');
const pipeline = roleSession(`cdk-hnb659fds-cfn-exec-role-${MEMBER_ACCOUNT}-${REGION}`);
const stackSets = roleSession('stacksets-exec-0123456789abcdef0123456789abcdef');
const executor = roleSession('Payments-GateExecutorRole1A2B3C4D-AbCdEfGh1234');
const breakGlass = roleSession('cloud-kms-break-glass');
// CloudFormation's names for the HYOK key handler's and the tenant offboarding handler's roles (KmsResourceProvider).
const storeKeyHandler = roleSession('PaymentsPci-CloudKmsConstructsStoreKeyProvid-AbCdEf123456');
const offboardingHandler = roleSession('Tenants-CloudKmsConstructsKeyDeletionProv-AbCdEf123456');
const keyPolicy = accountKeyPolicy();
const onKey = (caller = admin, action: string, context: Record<string, string> = {}) =>
  decideInOrg(policies, { caller, action, resource: KEY, resourcePolicy: keyPolicy, context });

describe('a member-account administrator with AdministratorAccess', () => {
  test('is denied creating a key or putting a key policy with the lockout safety check bypassed; the golden pattern still creates its dual-control keys', () => {
    const create = (caller: Caller, bypass: string) => decideInOrg(policies, {
      caller, action: 'kms:CreateKey', resource: '*', context: { 'kms:BypassPolicyLockoutSafetyCheck': bypass },
    });
    const put = (caller: Caller, bypass: string) => decideInOrg(policies, {
      caller, action: 'kms:PutKeyPolicy', resource: KEY, resourcePolicy: keyPolicy, context: { 'kms:BypassPolicyLockoutSafetyCheck': bypass },
    });
    expect(create(admin, 'true')).toBe('ExplicitlyDenied');
    expect(create(breakGlass, 'true')).toBe('ExplicitlyDenied');
    expect(create(admin, 'false')).toBe('Allowed');
    // CloudFormation (AWS::KMS::Key) and the HYOK key handler create dual-control keys so, whose policy leaves
    // PutKeyPolicy to the gate's executor (src/aws/private/custodian-key.ts, src/aws/external-store-key.ts).
    expect(create(pipeline, 'true')).toBe('Allowed');
    expect(create(storeKeyHandler, 'true')).toBe('Allowed');
    // Putting such a policy later is refused to everyone, the pipeline and the executor included.
    for (const caller of [admin, pipeline, executor, breakGlass]) expect(put(caller, 'true')).toBe('ExplicitlyDenied');
    expect(put(executor, 'false')).toBe('Allowed');
  });

  test.each(ComplianceProfile.builtIns().map((p) => [p.name, p] as const))('%s: a deletion window under the profile minimum is denied to everyone, the minimum is not',
    (_name, profile) => {
      const own = policiesFor(profile);
      const min = profile.minDeletionWindowDays;
      const ask = (days: number, caller = pipeline) => decideInOrg(own, {
        caller,
        action: 'kms:ScheduleKeyDeletion',
        resource: KEY,
        resourcePolicy: keyPolicy,
        context: { 'kms:ScheduleKeyDeletionPendingWindowInDays': String(days) },
      });
      if (min > 7) expect(ask(min - 1)).toBe('ExplicitlyDenied');
      expect(ask(7)).toBe(min > 7 ? 'ExplicitlyDenied' : 'Allowed');
      expect(ask(min)).toBe('Allowed');
      expect(ask(30)).toBe('Allowed');
      expect(ask(min, breakGlass)).toBe('Allowed');
    });

  test('cannot lengthen rotation beyond the profile\'s period or turn it off; a stricter profile also refuses KMS\'s default', () => {
    const rotate = (own: OrgPolicies, days?: number, caller = admin) => decideInOrg(own, {
      caller,
      action: 'kms:EnableKeyRotation',
      resource: KEY,
      resourcePolicy: keyPolicy,
      context: days === undefined ? {} : { 'kms:RotationPeriodInDays': String(days) },
    });
    expect(rotate(policies, 366)).toBe('ExplicitlyDenied');
    expect(rotate(policies, 2560, pipeline)).toBe('ExplicitlyDenied');
    expect(rotate(policies, 365)).toBe('Allowed');
    expect(rotate(policies)).toBe('Allowed');
    const strict = policiesFor(ComplianceProfile.custom({ name: 'HALF_YEAR', maxRotationDays: 180 }));
    expect(rotate(strict, 181)).toBe('ExplicitlyDenied');
    expect(rotate(strict)).toBe('ExplicitlyDenied');
    expect(rotate(strict, 180)).toBe('Allowed');
    expect(rotate(strict, 90)).toBe('Allowed');
    expect(onKey(admin, 'kms:DisableKeyRotation')).toBe('ExplicitlyDenied');
    expect(onKey(pipeline, 'kms:DisableKeyRotation')).toBe('Allowed');
  });

  test.each(KEY_ADMINISTRATION_ACTIONS)('is denied %s on a key whose policy lets the account decide', (action) => {
    expect(onKey(admin, action)).toBe('ExplicitlyDenied');
  });

  test('still uses keys and reads their configuration: the guardrails take away administration, not use', () => {
    for (const action of ['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:EnableKeyRotation']) {
      expect([action, onKey(admin, action)]).toEqual([action, 'Allowed']);
    }
  });

  test.each(['cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'cloudtrail:UpdateTrail', 'cloudtrail:PutEventSelectors'])('is denied %s on the audit trail', (action) => {
    expect(decideInOrg(policies, { caller: admin, action, resource: TRAIL })).toBe('ExplicitlyDenied');
    expect(decideInOrg(policies, { caller: pipeline, action, resource: TRAIL })).toBe('Allowed');
  });

  test.each(['s3:PutLifecycleConfiguration', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:PutBucketObjectLockConfiguration'])(
    'is denied %s on the audit bucket, which the pipeline keeps', (action) => {
      expect(decideInOrg(policies, { caller: admin, action, resource: BUCKET })).toBe('ExplicitlyDenied');
      expect(decideInOrg(policies, { caller: pipeline, action, resource: BUCKET })).toBe('Allowed');
      // Another bucket of the account is the administrator's to manage.
      expect(decideInOrg(policies, { caller: admin, action, resource: 'arn:aws:s3:::payments-website' })).toBe('Allowed');
    });

  test('no one bypasses governance retention on audit objects, not even the pipeline or break-glass', () => {
    for (const caller of [admin, pipeline, breakGlass]) {
      expect(decideInOrg(policies, { caller, action: 's3:BypassGovernanceRetention', resource: `${BUCKET}/AWSLogs/x.json.gz` })).toBe('ExplicitlyDenied');
    }
  });

  test('cannot make itself an exempt principal: creating, re-trusting or passing an exempt role is denied', () => {
    const role = (name: string) => `arn:aws:iam::${MEMBER_ACCOUNT}:role/${name}`;
    expect(decideInOrg(policies, { caller: admin, action: 'iam:CreateRole', resource: role('cloud-kms-break-glass') })).toBe('ExplicitlyDenied');
    expect(decideInOrg(policies, { caller: admin, action: 'iam:CreateRole', resource: role('cdk-x-cfn-exec-role-1-us-east-1') })).toBe('ExplicitlyDenied');
    expect(decideInOrg(policies, { caller: admin, action: 'iam:UpdateAssumeRolePolicy', resource: role('Payments-GateExecutorRole1A2B3C4D-x') }))
      .toBe('ExplicitlyDenied');
    expect(decideInOrg(policies, { caller: admin, action: 'iam:AttachRolePolicy', resource: role('cloud-kms-break-glass') })).toBe('ExplicitlyDenied');
    expect(decideInOrg(policies, { caller: admin, action: 'iam:PassRole', resource: role('cdk-hnb659fds-cfn-exec-role-1-us-east-1') }))
      .toBe('ExplicitlyDenied');
    expect(decideInOrg(policies, {
      caller: admin, action: 'lambda:UpdateFunctionCode', resource: `arn:aws:lambda:${REGION}:${MEMBER_ACCOUNT}:function:Payments-GateExecutor1A2B-x`,
    })).toBe('ExplicitlyDenied');
    expect(decideInOrg(policies, {
      caller: admin,
      action: 'lambda:UpdateFunctionConfiguration',
      resource: `arn:aws:lambda:${REGION}:${MEMBER_ACCOUNT}:function:Tenants-CloudKmsConstructsKeyDeletionProv-x`,
    })).toBe('ExplicitlyDenied');
    expect(decideInOrg(policies, { caller: admin, action: 'iam:PassRole', resource: `arn:aws:iam::${MEMBER_ACCOUNT}:role/Tenants-CloudKmsConstructsKeyDeletionProv-x` }))
      .toBe('ExplicitlyDenied');
    // Roles of its own remain the administrator's.
    expect(decideInOrg(policies, { caller: admin, action: 'iam:CreateRole', resource: role('OrdersService') })).toBe('Allowed');
  });
});

test('without the guardrails the same administrator could do every one of those acts: the denials are the policies\'', () => {
  const none: OrgPolicies = { scps: [], rcps: [] };
  const role = `arn:aws:iam::${MEMBER_ACCOUNT}:role/cloud-kms-break-glass`;
  const acts: [string, string, Record<string, string>?][] = [
    ...KEY_ADMINISTRATION_ACTIONS.map((a): [string, string] => [a, KEY]),
    ['kms:PutKeyPolicy', KEY, { 'kms:BypassPolicyLockoutSafetyCheck': 'true' }],
    ['kms:ScheduleKeyDeletion', KEY, { 'kms:ScheduleKeyDeletionPendingWindowInDays': '7' }],
    ['kms:EnableKeyRotation', KEY, { 'kms:RotationPeriodInDays': '2560' }], ['kms:DisableKeyRotation', KEY],
    ['cloudtrail:StopLogging', TRAIL], ['s3:PutBucketPolicy', BUCKET], ['s3:BypassGovernanceRetention', `${BUCKET}/x`],
    ['iam:UpdateAssumeRolePolicy', role], ['s3:GetObject', `${BUCKET}/x`, { 'aws:SecureTransport': 'false' }],
  ];
  for (const [action, resource, context] of acts) {
    const request = { caller: admin, action, resource, context, resourcePolicy: resource === KEY ? keyPolicy : undefined };
    expect([action, decideInOrg(none, request)]).toEqual([action, 'Allowed']);
    expect([action, decideInOrg(policies, request)]).toEqual([action, 'ExplicitlyDenied']);
  }
});

describe('the golden pattern and break-glass', () => {
  test.each(KEY_ADMINISTRATION_ACTIONS)('%s stays allowed to the deployment roles, the executor, the handlers and break-glass', (action) => {
    for (const caller of [pipeline, stackSets, executor, breakGlass, storeKeyHandler, offboardingHandler]) {
      expect([caller.principal, onKey(caller, action)]).toEqual([caller.principal, 'Allowed']);
    }
  });

  test('the deployment roles create the exempt roles, and the CDK deploy role passes the execution role', () => {
    const execRole = `arn:aws:iam::${MEMBER_ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${MEMBER_ACCOUNT}-${REGION}`;
    expect(decideInOrg(policies, { caller: stackSets, action: 'iam:CreateRole', resource: execRole })).toBe('Allowed');
    expect(decideInOrg(policies, { caller: pipeline, action: 'iam:CreateRole', resource: `arn:aws:iam::${MEMBER_ACCOUNT}:role/Payments-GateExecutorRoleAB-x` }))
      .toBe('Allowed');
    const deployRole = roleSession(`cdk-hnb659fds-deploy-role-${MEMBER_ACCOUNT}-${REGION}`);
    expect(decideInOrg(policies, { caller: deployRole, action: 'iam:PassRole', resource: execRole })).toBe('Allowed');
  });

  test('the BYOK ceremony\'s importers, when named, import key material and administer nothing else', () => {
    const importer = roleSession('AWSReservedSSO_KeyImporter_0123456789abcdef');
    expect(onKey(importer, 'kms:ImportKeyMaterial')).toBe('ExplicitlyDenied');
    const withImporters = policiesFor(ComplianceProfile.COMMERCIAL, { keyImporterArnPatterns: ['arn:*:iam::*:role/AWSReservedSSO_KeyImporter_*'] });
    const ask = (caller: Caller, action: string) => decideInOrg(withImporters, { caller, action, resource: KEY, resourcePolicy: keyPolicy });
    expect(ask(importer, 'kms:ImportKeyMaterial')).toBe('Allowed');
    expect(ask(admin, 'kms:ImportKeyMaterial')).toBe('ExplicitlyDenied');
    for (const action of KEY_ADMINISTRATION_ACTIONS.filter((a) => a !== 'kms:ImportKeyMaterial')) {
      expect([action, ask(importer, action)]).toEqual([action, 'ExplicitlyDenied']);
      expect([action, ask(pipeline, action)]).toEqual([action, 'Allowed']);
    }
  });

  test('break-glass cannot touch the audit trail or re-trust itself: its use stays on record', () => {
    expect(decideInOrg(policies, { caller: breakGlass, action: 'cloudtrail:StopLogging', resource: TRAIL })).toBe('ExplicitlyDenied');
    expect(decideInOrg(policies, {
      caller: breakGlass, action: 'iam:UpdateAssumeRolePolicy', resource: `arn:aws:iam::${MEMBER_ACCOUNT}:role/cloud-kms-break-glass`,
    })).toBe('ExplicitlyDenied');
  });

  test('a role of the break-glass name under another path is not break-glass', () => {
    const pathed = { ...breakGlass, context: { ...breakGlass.context, 'aws:PrincipalArn': `arn:aws:iam::${MEMBER_ACCOUNT}:role/team/cloud-kms-break-glass` } };
    expect(onKey(pathed, 'kms:PutKeyPolicy')).toBe('ExplicitlyDenied');
  });
});

describe('the resource control policy', () => {
  const outsider = roleSession('Partner', OUTSIDE_ACCOUNT, OTHER_ORG_ID);
  const openKeyPolicy = accountKeyPolicy(MEMBER_ACCOUNT, [
    { Sid: 'Partner', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OUTSIDE_ACCOUNT}:root` }, Action: 'kms:Decrypt', Resource: '*' },
    { Sid: 'CloudTrail', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: ['kms:GenerateDataKey*', 'kms:Decrypt'], Resource: '*' },
  ]);

  test('denies kms:Decrypt to a principal outside the organisation that the key policy allows', () => {
    expect(decideInOrg(policies, { caller: outsider, action: 'kms:Decrypt', resource: KEY, resourcePolicy: openKeyPolicy })).toBe('ExplicitlyDenied');
    // The key policy alone would allow it: the RCP is what refuses.
    expect(decideInOrg({ scps: [], rcps: [] }, { caller: outsider, action: 'kms:Decrypt', resource: KEY, resourcePolicy: openKeyPolicy })).toBe('Allowed');
    // A principal of the organisation in another account is inside the perimeter.
    const colleague = roleSession('Analytics', '222222222222');
    const colleaguePolicy = accountKeyPolicy(MEMBER_ACCOUNT, [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:root' }, Action: 'kms:Decrypt', Resource: '*' }]);
    expect(decideInOrg(policies, { caller: colleague, action: 'kms:Decrypt', resource: KEY, resourcePolicy: colleaguePolicy })).toBe('Allowed');
  });

  test('lets an AWS service acting for an account of the organisation use the key, not one acting for another organisation', () => {
    const ask = (orgId: string, account: string) => decideInOrg(policies, {
      caller: servicePrincipal('cloudtrail.amazonaws.com', account, orgId), action: 'kms:GenerateDataKey', resource: KEY, resourcePolicy: openKeyPolicy,
    });
    expect(ask(ORG_ID, MEMBER_ACCOUNT)).toBe('Allowed');
    expect(ask(OTHER_ORG_ID, OUTSIDE_ACCOUNT)).toBe('ExplicitlyDenied');
  });

  test('denies a request without TLS to the audit bucket, whoever makes it, and not to other buckets', () => {
    const get = (resource: string, tls: string, caller = pipeline) => decideInOrg(policies, {
      caller, action: 's3:GetObject', resource, context: { 'aws:SecureTransport': tls },
    });
    expect(get(`${BUCKET}/AWSLogs/x.json.gz`, 'false')).toBe('ExplicitlyDenied');
    expect(get(`${BUCKET}/AWSLogs/x.json.gz`, 'false', breakGlass)).toBe('ExplicitlyDenied');
    expect(get(`${BUCKET}/AWSLogs/x.json.gz`, 'true')).toBe('Allowed');
    expect(get('arn:aws:s3:::payments-website/index.html', 'false')).toBe('Allowed');
  });
});

describe('the way into the pipeline', () => {
  const deployRoleArn = `arn:aws:iam::${MEMBER_ACCOUNT}:role/cdk-hnb659fds-deploy-role-${MEMBER_ACCOUNT}-${REGION}`;
  // cdk bootstrap's deploy role trusts the account itself (and the --trust accounts).
  const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${MEMBER_ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] };
  const stackArn = `arn:aws:cloudformation:${REGION}:${MEMBER_ACCOUNT}:stack/PaymentsPci/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d`;
  const ci = roleSession('payments-pipeline-deployer');
  const deployRole = roleSession(`cdk-hnb659fds-deploy-role-${MEMBER_ACCOUNT}-${REGION}`);

  test('by default an administrator can still assume the deploy role and change stacks: the residual the evidence states', () => {
    expect(decideInOrg(policies, { caller: admin, action: 'sts:AssumeRole', resource: deployRoleArn, resourcePolicy: trust })).toBe('Allowed');
    expect(decideInOrg(policies, { caller: admin, action: 'cloudformation:UpdateStack', resource: stackArn })).toBe('Allowed');
  });

  test('with the deployers named, only they assume the deploy role, and only the pipeline changes stacks', () => {
    const locked = policiesFor(ComplianceProfile.PCI_DSS, { pipelineDeployerArnPatterns: ['arn:*:iam::*:role/payments-pipeline-*'] });
    const assume = (caller = admin) => decideInOrg(locked, { caller, action: 'sts:AssumeRole', resource: deployRoleArn, resourcePolicy: trust });
    expect(assume(admin)).toBe('ExplicitlyDenied');
    expect(assume(breakGlass)).toBe('ExplicitlyDenied');
    expect(assume(ci)).toBe('Allowed');
    for (const action of ['cloudformation:UpdateStack', 'cloudformation:CreateChangeSet', 'cloudformation:ExecuteChangeSet', 'cloudformation:DeleteStack']) {
      expect([action, decideInOrg(locked, { caller: admin, action, resource: stackArn })]).toEqual([action, 'ExplicitlyDenied']);
      expect([action, decideInOrg(locked, { caller: deployRole, action, resource: stackArn })]).toEqual([action, 'Allowed']);
      expect([action, decideInOrg(locked, { caller: stackSets, action, resource: stackArn })]).toEqual([action, 'Allowed']);
    }
    // Nor can the administrator make itself a deployer.
    expect(decideInOrg(locked, { caller: admin, action: 'iam:CreateRole', resource: `arn:aws:iam::${MEMBER_ACCOUNT}:role/payments-pipeline-x` }))
      .toBe('ExplicitlyDenied');
  });
});

test('the example organisation\'s payment guardrails cover the trail and bucket names its payment stacks use', () => {
  const app = organizationAwsApp(mkdtempSync(join(tmpdir(), 'org-aws-')));
  const template = Template.fromStack(app.node.findChild('OrganizationGuardrails') as Stack).toJSON();
  const payments = orgPoliciesOf({ Resources: Object.fromEntries(Object.entries(template.Resources).filter(([id]) => id.startsWith('Payments'))) });
  const trail = `arn:aws:cloudtrail:${REGION}:${MEMBER_ACCOUNT}:trail/payments-kms-audit`;
  expect(decideInOrg(payments, { caller: admin, action: 'cloudtrail:StopLogging', resource: trail })).toBe('ExplicitlyDenied');
  expect(decideInOrg(payments, { caller: admin, action: 's3:PutBucketPolicy', resource: 'arn:aws:s3:::paymentspci-auditbucket1a2b3c4d-x1y2' }))
    .toBe('ExplicitlyDenied');
  expect(decideInOrg(payments, { caller: admin, action: 'cloudtrail:StopLogging', resource: trail.replace('payments-kms-audit', 'team-trail') }))
    .toBe('Allowed');
});

describe('with the key baseline protected (baseline: the BaselineStackSet the guardrails pair with)', () => {
  const withBaseline = policiesFor(ComplianceProfile.HIPAA, {
    baseline: { resourcePrefix: 'cloud-kms-baseline', executionRoleName: 'stacksets-exec-0123456789abcdef0123456789abcdef' },
  });
  const ask = (caller: Caller, action: string, resource: string) => decideInOrg(withBaseline, { caller, action, resource });
  const detector = `arn:aws:lambda:${REGION}:${MEMBER_ACCOUNT}:function:cloud-kms-baseline-key-policy-drift`;
  const alarm = `arn:aws:cloudwatch:${REGION}:${MEMBER_ACCOUNT}:alarm:cloud-kms-baseline-key-policy-drift`;

  test('an administrator can neither stop AWS Config recording nor delete or rewrite a conformance pack; the execution role, the pipeline and break-glass can', () => {
    for (const action of ['config:StopConfigurationRecorder', 'config:DeleteConfigurationRecorder', 'config:PutConfigurationRecorder',
      'config:DeleteDeliveryChannel', 'config:DeleteConformancePack', 'config:PutConformancePack']) {
      expect([action, ask(admin, action, '*')]).toEqual([action, 'ExplicitlyDenied']);
      for (const caller of [stackSets, pipeline, breakGlass]) expect([action, ask(caller, action, '*')]).toEqual([action, 'Allowed']);
    }
  });

  test('an administrator cannot change the drift detector or silence its alarm; the execution role can, and the pipeline (another role) cannot', () => {
    expect(ask(admin, 'lambda:UpdateFunctionCode', detector)).toBe('ExplicitlyDenied');
    expect(ask(admin, 'cloudwatch:SetAlarmState', alarm)).toBe('ExplicitlyDenied');
    expect(ask(pipeline, 'lambda:DeleteFunction', detector)).toBe('ExplicitlyDenied');
    expect(ask(stackSets, 'lambda:UpdateFunctionCode', detector)).toBe('Allowed');
    // Outside the prefix the administrator keeps their rights.
    expect(ask(admin, 'lambda:UpdateFunctionCode', `arn:aws:lambda:${REGION}:${MEMBER_ACCOUNT}:function:orders-api`)).toBe('Allowed');
  });

  test('without baseline, none of this is refused (the evidence then names no baseline guardrail)', () => {
    expect(decideInOrg(policies, { caller: admin, action: 'config:StopConfigurationRecorder', resource: '*' })).toBe('Allowed');
    const stack = new Stack(new App(), 'Org', { env: { account: '000000000000', region: 'us-east-1' } });
    new aws.OrganizationGuardrails(stack, 'G', { profile: ComplianceProfile.HIPAA, targetIds: ['ou-root-workloads1'], organizationId: ORG_ID });
    const names = (s: Stack) => EvidenceLedger.of(s).guardrails.map((g) => g.name);
    expect(names(stack)).not.toContain('KeyBaseline');
    const protectedStack = new Stack(new App(), 'Org', { env: { account: '000000000000', region: 'us-east-1' } });
    new aws.OrganizationGuardrails(protectedStack, 'G', {
      profile: ComplianceProfile.HIPAA,
      targetIds: ['ou-root-workloads1'],
      organizationId: ORG_ID,
      baseline: { resourcePrefix: 'cloud-kms-baseline', executionRoleName: 'stacksets-exec-abc' },
    });
    expect(names(protectedStack)).toContain('KeyBaseline');
  });

  test.each([
    [{ resourcePrefix: 'cloud kms', executionRoleName: 'stacksets-exec-abc' }, /baseline\.resourcePrefix must be a resource name prefix .*got cloud kms$/],
    [{ resourcePrefix: 'cloud-kms-baseline', executionRoleName: 'stacksets-exec-*' }, /baseline\.executionRoleName must be an IAM role name .*got stacksets-exec-\*$/],
  ])('a bad baseline is refused, naming the prop: %j', (baseline, message) => {
    expect(() => policiesFor(ComplianceProfile.HIPAA, { baseline })).toThrow(message);
  });
});

/*
 * The security review's findings (rev1), asked of the example organisation's synthesized guardrails: what a member
 * account administrator could do before, refused now, each with the golden path that must still work.
 */
describe('the example organisation closes the review\'s holes', () => {
  const app = organizationAwsApp(mkdtempSync(join(tmpdir(), 'org-aws-')));
  const template = Template.fromStack(app.node.findChild('OrganizationGuardrails') as Stack).toJSON();
  const policiesOf = (prefix: string) => orgPoliciesOf({
    Resources: Object.fromEntries(Object.entries(template.Resources as Record<string, any>).filter(([id]) => id.startsWith(prefix))),
  });
  const payments = policiesOf('Payments');
  const health = policiesOf('Health');
  // Sessions in the example organisation (the RCP admits only its principals).
  const inExample = (c: Caller): Caller => ({ ...c, context: { ...c.context, 'aws:PrincipalOrgID': EXAMPLE_ORG_ID }, inOrganization: true });
  const exAdmin = inExample(admin);
  const exPipeline = inExample(pipeline);
  const exStackSets = inExample(stackSets);
  const exExecutor = inExample(executor);
  const exHandler = inExample(roleSession('PaymentsPci-CloudKmsConstructsKeyDeletionProv-AbCdEf123456'));
  const deployer = inExample(roleSession('payments-pipeline-deployer', DEPLOYMENT_ACCOUNT));
  const filePublisher = inExample(roleSession(`cdk-hnb659fds-file-publishing-role-${MEMBER_ACCOUNT}-${REGION}`));
  const ALIAS = `arn:aws:kms:${REGION}:${MEMBER_ACCOUNT}:alias/payments-data`;
  const onExampleKey = (caller: Caller, action: string, resource = KEY, context: Record<string, string> = {}) =>
    decideInOrg(payments, { caller, action, resource, resourcePolicy: accountKeyPolicy(), context });

  test('KMS acts the project itself treats as key administration are denied to the administrator, and left to the gate\'s executor and handlers', () => {
    expect(onExampleKey(exAdmin, 'kms:Decrypt')).toBe('Allowed');
    for (const action of ['kms:CancelKeyDeletion', 'kms:EnableKey', 'kms:UpdateAlias', 'kms:DeleteAlias']) {
      expect([action, onExampleKey(exAdmin, action)]).toEqual([action, 'ExplicitlyDenied']);
      expect([action, onExampleKey(exExecutor, action)]).toEqual([action, 'Allowed']);
    }
    // Redirecting a workload alias is refused on the alias too (UpdateAlias is authorized on the alias and both keys).
    expect(onExampleKey(exAdmin, 'kms:UpdateAlias', ALIAS)).toBe('ExplicitlyDenied');
    // The tenant key-deletion handler re-onboards a key: it cancels the deletion and enables the key.
    expect(onExampleKey(exHandler, 'kms:CancelKeyDeletion')).toBe('Allowed');
    expect(onExampleKey(exHandler, 'kms:EnableKey')).toBe('Allowed');
  });

  test('direct grants and revocations are denied to the administrator; those an AWS service makes for a resource are not', () => {
    for (const action of ['kms:CreateGrant', 'kms:RevokeGrant']) {
      expect([action, onExampleKey(exAdmin, action)]).toEqual([action, 'ExplicitlyDenied']);
      expect([action, onExampleKey(exAdmin, action, KEY, { 'kms:GrantIsForAWSResource': 'false' })]).toEqual([action, 'ExplicitlyDenied']);
      expect([action, onExampleKey(exAdmin, action, KEY, { 'kms:GrantIsForAWSResource': 'true' })]).toEqual([action, 'Allowed']);
    }
  });

  test('the executor function cannot be throttled to zero, exposed or rerouted by the administrator; the pipeline still deploys it', () => {
    const fn = `arn:aws:lambda:${REGION}:${MEMBER_ACCOUNT}:function:Payments-GateExecutor1A2B3C4D-AbCdEfGh1234`;
    for (const action of ['lambda:PutFunctionConcurrency', 'lambda:DeleteFunctionConcurrency', 'lambda:AddPermission', 'lambda:RemovePermission',
      'lambda:PutFunctionEventInvokeConfig', 'lambda:UpdateFunctionEventInvokeConfig', 'lambda:DeleteFunctionEventInvokeConfig']) {
      expect([action, decideInOrg(payments, { caller: exAdmin, action, resource: fn })]).toEqual([action, 'ExplicitlyDenied']);
      expect([action, decideInOrg(payments, { caller: exPipeline, action, resource: fn })]).toEqual([action, 'Allowed']);
    }
    // The narrowed patterns leave another stack's executor-like function to its account.
    expect(decideInOrg(payments, { caller: exAdmin, action: 'lambda:UpdateFunctionCode', resource: fn.replace('Payments-', 'Orders-') })).toBe('Allowed');
  });

  test('the code the pipeline deploys next cannot be overwritten in the bootstrap asset stores, except by the publishing roles', () => {
    const asset = `arn:aws:s3:::cdk-hnb659fds-assets-${MEMBER_ACCOUNT}-${REGION}/0123abcd.zip`;
    const image = `arn:aws:ecr:${REGION}:${MEMBER_ACCOUNT}:repository/cdk-hnb659fds-container-assets-${MEMBER_ACCOUNT}-${REGION}`;
    for (const action of ['s3:PutObject', 's3:DeleteObject']) {
      expect([action, decideInOrg(payments, { caller: exAdmin, action, resource: asset })]).toEqual([action, 'ExplicitlyDenied']);
      expect([action, decideInOrg(payments, { caller: filePublisher, action, resource: asset })]).toEqual([action, 'Allowed']);
    }
    expect(decideInOrg(payments, { caller: exAdmin, action: 'ecr:PutImage', resource: image })).toBe('ExplicitlyDenied');
    // Only the named deployer may become the publishing role; the administrator may neither become nor change it.
    const role = `arn:aws:iam::${MEMBER_ACCOUNT}:role/cdk-hnb659fds-file-publishing-role-${MEMBER_ACCOUNT}-${REGION}`;
    expect(decideInOrg(payments, { caller: exAdmin, action: 'sts:AssumeRole', resource: role })).toBe('ExplicitlyDenied');
    expect(decideInOrg(payments, { caller: exAdmin, action: 'iam:UpdateAssumeRolePolicy', resource: role })).toBe('ExplicitlyDenied');
    // The bootstrap trust policy admits the deployment account (cdk bootstrap --trust).
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${DEPLOYMENT_ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] };
    expect(decideInOrg(payments, { caller: deployer, action: 'sts:AssumeRole', resource: role, resourcePolicy: trust })).toBe('Allowed');
    expect(decideInOrg(payments, { caller: exAdmin, action: 'sts:AssumeRole', resource: role, resourcePolicy: trust })).toBe('ExplicitlyDenied');
  });

  test('the audit bucket cannot be opened by ACL, ownership, public access block or replication; the pipeline still configures it', () => {
    const bucket = 'arn:aws:s3:::paymentspci-auditbucket1a2b3c4d-x1y2';
    for (const action of ['s3:PutBucketOwnershipControls', 's3:PutBucketAcl', 's3:PutBucketPublicAccessBlock', 's3:PutReplicationConfiguration']) {
      expect([action, decideInOrg(payments, { caller: exAdmin, action, resource: bucket })]).toEqual([action, 'ExplicitlyDenied']);
      expect([action, decideInOrg(payments, { caller: exPipeline, action, resource: bucket })]).toEqual([action, 'Allowed']);
    }
  });

  test('AWS Config recording cannot be narrowed, redirected or its results deleted by the administrator; the execution role can', () => {
    const recorder = `arn:aws:config:${REGION}:${MEMBER_ACCOUNT}:config-rule/config-rule-abcdef`;
    for (const action of ['config:DisassociateResourceTypes', 'config:AssociateResourceTypes', 'config:PutDeliveryChannel',
      'config:DeleteEvaluationResults', 'config:PutServiceLinkedConfigurationRecorder', 'config:DeleteServiceLinkedConfigurationRecorder']) {
      expect([action, decideInOrg(health, { caller: exAdmin, action, resource: '*' })]).toEqual([action, 'ExplicitlyDenied']);
      expect([action, decideInOrg(health, { caller: exStackSets, action, resource: '*' })]).toEqual([action, 'Allowed']);
    }
    expect(decideInOrg(health, { caller: exAdmin, action: 'config:DeleteEvaluationResults', resource: recorder })).toBe('ExplicitlyDenied');
  });

  test('the audit sink the baseline deploys is named under the prefix and out of the administrator\'s reach; the execution role keeps it', () => {
    const body = template.Resources.HealthBaselineA077BC00.Properties.TemplateBody;
    const baseline = JSON.parse(typeof body === 'string' ? body : JSON.stringify(body));
    const nameOf = (type: string, prop: string, logicalIdStart: string) => {
      const [, r] = Object.entries(baseline.Resources as Record<string, any>).find(([id, x]) => x.Type === type && id.startsWith(logicalIdStart))!;
      const v = r.Properties[prop];
      return typeof v === 'string' ? v : v['Fn::Join'][1].map((x: any) => (typeof x === 'string' ? x : REGION)).join('');
    };
    const topic = nameOf('AWS::SNS::Topic', 'TopicName', 'AuditSinkAlarmTopic');
    const rule = nameOf('AWS::Events::Rule', 'Name', 'AuditSinkKeyEscalationRule');
    const role = nameOf('AWS::IAM::Role', 'RoleName', 'AuditSinkTrailDeliveryRole');
    const trailLogs = nameOf('AWS::Logs::LogGroup', 'LogGroupName', 'AuditSinkLogGroup');
    expect([topic, rule, role]).toEqual(['cloud-kms-baseline-alarm-topic', 'cloud-kms-baseline-key-escalation-rule',
      `cloud-kms-baseline-trail-delivery-role-${REGION}`]);
    const cases: Array<[string, string]> = [
      ['sns:DeleteTopic', `arn:aws:sns:${REGION}:${MEMBER_ACCOUNT}:${topic}`],
      ['sns:SetTopicAttributes', `arn:aws:sns:${REGION}:${MEMBER_ACCOUNT}:${topic}`],
      ['sns:Unsubscribe', `arn:aws:sns:${REGION}:${MEMBER_ACCOUNT}:${topic}`],
      ['events:DisableRule', `arn:aws:events:${REGION}:${MEMBER_ACCOUNT}:rule/${rule}`],
      ['events:RemoveTargets', `arn:aws:events:${REGION}:${MEMBER_ACCOUNT}:rule/${rule}`],
      ['iam:DetachRolePolicy', `arn:aws:iam::${MEMBER_ACCOUNT}:role/${role}`],
      ['iam:DeleteRole', `arn:aws:iam::${MEMBER_ACCOUNT}:role/${role}`],
      ['logs:DeleteMetricFilter', `arn:aws:logs:${REGION}:${MEMBER_ACCOUNT}:log-group:${trailLogs}`],
      ['logs:AssociateKmsKey', `arn:aws:logs:${REGION}:${MEMBER_ACCOUNT}:log-group:/aws/lambda/cloud-kms-baseline-key-policy-drift`],
    ];
    for (const [action, resource] of cases) {
      expect([action, decideInOrg(health, { caller: exAdmin, action, resource })]).toEqual([action, 'ExplicitlyDenied']);
      expect([action, decideInOrg(health, { caller: exStackSets, action, resource })]).toEqual([action, 'Allowed']);
    }
  });
});
