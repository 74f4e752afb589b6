import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App, Stack } from 'aws-cdk-lib';
import { ComplianceProfile } from '../../src';
import * as aws from '../../src/aws';
import { BASELINE_TAMPERING_ACTIONS, baselineProtectionStatements } from '../../src/aws/private/stackset-protection';

// The organisation policy statements that protect the baseline (for OrganizationGuardrails' SCP), decided by the real
// IAM evaluator against the names the synthesized baseline actually carries in a member account.
const ACCOUNT = '222233334444';
const REGION = 'eu-west-1';
const EXEC_ROLE = 'stacksets-exec-0123456789abcdef0123456789abcdef';
const ADMIN = `arn:aws:iam::${ACCOUNT}:role/AWSReservedSSO_AdministratorAccess_0123456789abcdef`;
const EXECUTOR = `arn:aws:iam::${ACCOUNT}:role/${EXEC_ROLE}`;

function baselineNames() {
  const app = new App();
  const stack = new Stack(app, 'Organization', { env: { account: '111111111111', region: 'us-east-1' } });
  const set = new aws.BaselineStackSet(stack, 'Rollout', {
    baseline: { profile: ComplianceProfile.COMMERCIAL, administratorRoleNames: ['KeyAdmin'], executionRoleName: EXEC_ROLE },
    organizationalUnitIds: ['ou-ab12-cdef3456'],
    regions: [REGION],
  });
  app.synth();
  const resources = Object.values(set.baselineTemplate().Resources) as any[];
  // The member account's values for the template's pseudo parameters.
  const concrete = (v: any): string => (typeof v === 'string' ? v
    : v['Fn::Join'][1].map((x: any) => (typeof x === 'string' ? x : x.Ref === 'AWS::Region' ? REGION : ACCOUNT)).join(v['Fn::Join'][0]));
  const of = (type: string, prop: string) => resources
    .filter((r) => r.Type === type && r.Properties[prop] !== undefined)
    .map((r) => concrete(r.Properties[prop]));
  const rules = of('AWS::Events::Rule', 'Name');
  const roles = of('AWS::IAM::Role', 'RoleName');
  return {
    statements: baselineProtectionStatements(set.baseline.resourcePrefix, set.baseline.executionRoleName),
    rule: rules.find((n) => n.endsWith('key-policy-drift'))!,
    rules,
    fn: of('AWS::Lambda::Function', 'FunctionName')[0],
    alarms: of('AWS::CloudWatch::Alarm', 'AlarmName'),
    role: roles.find((n) => n.includes('key-policy-drift'))!,
    roles,
    policies: of('AWS::IAM::ManagedPolicy', 'ManagedPolicyName'),
    topics: of('AWS::SNS::Topic', 'TopicName'),
    trail: of('AWS::CloudTrail::Trail', 'TrailName')[0],
    logGroup: of('AWS::Logs::LogGroup', 'LogGroupName').find((n) => n.startsWith('/aws/lambda/'))!,
    logGroups: of('AWS::Logs::LogGroup', 'LogGroupName'),
    unnamed: resources.filter((r) => !['AWS::KMS::Key', 'AWS::S3::Bucket', 'AWS::S3::BucketPolicy', 'AWS::SNS::TopicPolicy',
      'AWS::SNS::Subscription', 'AWS::Lambda::Permission', 'AWS::IAM::Policy'].includes(r.Type))
      .filter((r) => !Object.keys(r.Properties).some((k) => /Name$/.test(k) && k !== 'MetricName' && k !== 'LogGroupName'
        && JSON.stringify(r.Properties[k]).includes('cloud-kms-baseline-')))
      .filter((r) => r.Type !== 'AWS::Logs::LogGroup').map((r) => r.Type),
  };
}

const names = baselineNames();

async function decide(principal: string, action: string, resource: string): Promise<string> {
  const res: any = await runSimulation({
    request: { principal, action, resource: { resource, accountId: ACCOUNT }, contextVariables: { 'aws:PrincipalArn': principal } },
    identityPolicies: [{ name: 'AdministratorAccess', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }],
    serviceControlPolicies: [{
      orgIdentifier: 'r-ab12',
      policies: [
        { name: 'FullAWSAccess', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } },
        { name: 'KeyBaseline', policy: { Version: '2012-10-17', Statement: names.statements } },
      ],
    }],
    resourceControlPolicies: [],
  }, {});
  if (res.resultType !== 'single') throw new Error(`simulation failed for ${action} on ${resource}: ${JSON.stringify(res.errors ?? res)}`);
  return res.overallResult;
}

const IAM_POLICY_ACTIONS = ['iam:CreatePolicyVersion', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeletePolicy'];

/** Every baseline resource the action applies to, as its ARN in the member account. */
function resourcesFor(action: string): string[] {
  const service = action.split(':')[0];
  switch (service) {
    case 'events': return names.rules.map((n) => `arn:aws:events:${REGION}:${ACCOUNT}:rule/${n}`);
    case 'lambda': return [`arn:aws:lambda:${REGION}:${ACCOUNT}:function:${names.fn}`];
    case 'cloudwatch': return names.alarms.map((n) => `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${n}`);
    case 'logs': return names.logGroups.map((n) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${n}`);
    case 'iam': return IAM_POLICY_ACTIONS.includes(action) ? names.policies.map((n) => `arn:aws:iam::${ACCOUNT}:policy/${n}`)
      : names.roles.map((n) => `arn:aws:iam::${ACCOUNT}:role/${n}`);
    case 'cloudtrail': return [`arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${names.trail}`];
    case 'sns': return names.topics.map((n) => `arn:aws:sns:${REGION}:${ACCOUNT}:${n}`);
    default: throw new Error(`no resource for ${action}`);
  }
}

test('the statements cover the names the baseline deploys (drift and audit sink rules, function, alarms, roles, log groups, trail, topic)', () => {
  expect(names.rule).toBe('cloud-kms-baseline-key-policy-drift');
  expect(names.rules).toHaveLength(7);
  expect(names.alarms).toHaveLength(3);
  expect(names.role).toBe(`cloud-kms-baseline-key-policy-drift-${REGION}`);
  expect(names.roles).toContain(`cloud-kms-baseline-trail-delivery-role-${REGION}`);
  expect(names.policies).toEqual([`cloud-kms-baseline-trail-delivery-policy-${REGION}`]);
  expect(names.topics).toEqual(['cloud-kms-baseline-alarm-topic']);
  expect(names.trail).toBe(`cloud-kms-baseline-trail-${REGION}`);
  expect(names.logGroups).toHaveLength(2);
  // Every other resource carries the prefix in its name (the metric filter, the conformance pack).
  expect(names.unnamed).toEqual([]);
});

describe('a member-account administrator with AdministratorAccess cannot switch the drift alarm, the audit sink\'s alarms or the trail off', () => {
  test.each(BASELINE_TAMPERING_ACTIONS)('%s: denied to the administrator on every baseline resource it applies to, allowed to the StackSet execution role',
    async (action) => {
      for (const resource of resourcesFor(action)) {
        expect([resource, await decide(ADMIN, action, resource)]).toEqual([resource, 'ExplicitlyDenied']);
        expect([resource, await decide(EXECUTOR, action, resource)]).toEqual([resource, 'Allowed']);
      }
    });

  test.each(names.alarms)('SetAlarmState on %s (resetting the alarm after a change) is denied', async (alarm) => {
    expect(await decide(ADMIN, 'cloudwatch:SetAlarmState', `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${alarm}`)).toBe('ExplicitlyDenied');
  });

  test('a look-alike StackSet execution role cannot be created, so the detector\'s trust in the name holds', async () => {
    expect(await decide(ADMIN, 'iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/stacksets-exec-evil`)).toBe('ExplicitlyDenied');
    expect(await decide(ADMIN, 'iam:UpdateAssumeRolePolicy', `arn:aws:iam::${ACCOUNT}:role/${EXEC_ROLE}`)).toBe('ExplicitlyDenied');
  });

  test('the account\'s own resources outside the baseline prefix stay the administrator\'s', async () => {
    expect(await decide(ADMIN, 'lambda:UpdateFunctionCode', `arn:aws:lambda:${REGION}:${ACCOUNT}:function:orders-api`)).toBe('Allowed');
    expect(await decide(ADMIN, 'events:DeleteRule', `arn:aws:events:${REGION}:${ACCOUNT}:rule/orders-nightly`)).toBe('Allowed');
  });
});
