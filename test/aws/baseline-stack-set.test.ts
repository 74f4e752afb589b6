import { App, CfnOutput, CfnParameter, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { ComplianceProfile, EvidenceLedger } from '../../src';
import * as aws from '../../src/aws';
import { DRIFT_HANDLER_SOURCE } from '../../src/aws/private/drift-handler';
import { Enforcement } from '../../src/core/guardrails';
import { ACCESS_CONTROLS, AUDIT_LOGGING_CONTROLS } from '../../src/core/key-evidence';
import { ACCEPTED_WARNINGS, cfnLint } from '../support/cfn-lint';

const EXEC_ROLE = 'stacksets-exec-0123456789abcdef0123456789abcdef';
const OU = 'ou-ab12-cdef3456';
const BASELINE: aws.KeyBaselineStackProps = {
  profile: ComplianceProfile.COMMERCIAL,
  administratorRoleNames: ['KeyAdmin'],
  auditorRoleNames: ['Auditor'],
  executionRoleName: EXEC_ROLE,
};

function rollout(props: Partial<aws.BaselineStackSetProps> = {}) {
  const app = new App();
  const stack = new Stack(app, 'Organization', { env: { account: '111111111111', region: 'us-east-1' } });
  const set = new aws.BaselineStackSet(stack, 'Rollout', { baseline: BASELINE, organizationalUnitIds: [OU], regions: ['eu-west-1', 'us-east-1'], ...props });
  return { app, stack, set };
}

const stackSetOf = (t: Template) => Object.values(t.findResources('AWS::CloudFormation::StackSet'))[0] as any;

describe('the rollout of the COMMERCIAL baseline', () => {
  const { stack, set } = rollout();
  const t = Template.fromStack(stack);
  const props = stackSetOf(t).Properties;
  const body = JSON.parse(props.TemplateBody);
  const resources = Object.values(body.Resources) as any[];
  const ofType = (type: string) => resources.filter((r) => r.Type === type);

  test('is a service-managed StackSet that deploys automatically to the OU, in every region, keeping stacks of departing accounts', () => {
    expect(props).toMatchObject({
      PermissionModel: 'SERVICE_MANAGED',
      CallAs: 'SELF',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: true },
      StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: [OU] }, Regions: ['eu-west-1', 'us-east-1'] }],
      OperationPreferences: { RegionConcurrencyType: 'PARALLEL', MaxConcurrentPercentage: 25, FailureTolerancePercentage: 10, ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE' },
      ManagedExecution: { Active: true },
      StackSetName: set.stackSetName,
    });
    expect(props.TemplateURL).toBeUndefined();
    expect(props.Parameters).toBeUndefined();
  });

  test('acknowledges named IAM resources, which the baseline has (the drift detector\'s role)', () => {
    expect(props.Capabilities).toEqual(['CAPABILITY_NAMED_IAM']);
  });

  test('its TemplateBody is the baseline: the audit sink (trail, write-once bucket, key, topic) and the drift alarm', () => {
    expect(ofType('AWS::CloudTrail::Trail')).toHaveLength(1);
    expect(ofType('AWS::CloudTrail::Trail')[0].Properties).toMatchObject({ IsMultiRegionTrail: true, EnableLogFileValidation: true });
    // One multi-region trail per region's instance: its name carries the region, or the shadow copies would collide.
    expect(ofType('AWS::CloudTrail::Trail')[0].Properties.TrailName).toEqual({ 'Fn::Join': ['', ['cloud-kms-baseline-trail-', { Ref: 'AWS::Region' }]] });
    expect(ofType('AWS::S3::Bucket')[0].Properties.ObjectLockConfiguration.Rule.DefaultRetention.Mode).toBe('COMPLIANCE');
    expect(ofType('AWS::KMS::Key')).toHaveLength(1);
    expect(ofType('AWS::SNS::Topic')).toHaveLength(1);
    const drift = ofType('AWS::Events::Rule').find((r) => r.Properties.Targets[0].Arn['Fn::GetAtt']?.[0].startsWith('KeyPolicyDriftHandler'));
    expect(drift.Properties.Name).toBe('cloud-kms-baseline-key-policy-drift');
    expect(JSON.stringify(drift.Properties.EventPattern)).toContain('PutKeyPolicy');
    expect(ofType('AWS::Lambda::Function').map((f) => f.Properties.Code)).toEqual([{ ZipFile: DRIFT_HANDLER_SOURCE }]);
    expect(ofType('AWS::CloudWatch::Alarm').map((a) => a.Properties.AlarmName).filter(Boolean))
      .toEqual(['cloud-kms-baseline-grant-revocation-burst-alarm', 'cloud-kms-baseline-key-policy-drift',
        'cloud-kms-baseline-key-policy-drift-detector-failure']);
  });

  test('the baseline refers to no asset and no bootstrap resource, and needs no parameter', () => {
    expect(props.TemplateBody).not.toMatch(/"S3Bucket"|"S3Key"|"ImageUri"|cdk-[a-z0-9]+-assets|BootstrapVersion|stackset-baseline-refuses-assets/);
    expect(body.Parameters).toBeUndefined();
    expect(body.Rules).toBeUndefined();
    expect(body.Outputs).toBeUndefined();
    expect(Buffer.byteLength(props.TemplateBody)).toBeLessThanOrEqual(51_200);
  });

  test('is account-agnostic: the sink key names each member account\'s own execution role as deployer and its own admin role', () => {
    const policy = JSON.stringify(ofType('AWS::KMS::Key')[0].Properties.KeyPolicy);
    expect(policy).toContain(`:role/${EXEC_ROLE}`);
    expect(policy).toContain(':role/KeyAdmin');
    expect(policy).toContain('AWS::AccountId');
    expect(policy).not.toContain('111111111111');
  });

  test('the drift detector expects the execution role\'s CloudFormation writes, and the CDK execution role\'s', () => {
    const env = ofType('AWS::Lambda::Function')[0].Properties.Environment.Variables;
    // The execution role by its exact name: a wildcard would also admit a look-alike role an administrator creates.
    expect(JSON.parse(env.DEPLOYMENT_ROLE_NAMES)).toEqual([EXEC_ROLE, 'cdk-*-cfn-exec-role-*']);
  });

  test('records what it rolls out: itself and the baseline\'s guardrails, targeted at each OU and region', () => {
    const guardrails = EvidenceLedger.of(stack).guardrails;
    const targets = [`${OU}/eu-west-1`, `${OU}/us-east-1`];
    expect(guardrails.find((g) => g.name === set.stackSetName)).toMatchObject({
      enforcement: Enforcement.DETECTIVE, controls: AUDIT_LOGGING_CONTROLS, targets, stack: stack.node.path, profile: 'COMMERCIAL',
    });
    const drift = guardrails.find((g) => g.name === 'cloud-kms-baseline-key-policy-drift')!;
    expect(drift).toMatchObject({ enforcement: Enforcement.DETECTIVE, controls: ACCESS_CONTROLS, targets, stack: stack.node.path });
    expect(drift.mechanism).toMatch(new RegExp(`rolled out by StackSet ${set.stackSetName}`));
  });

  test('cfn-lint is clean on the outer template and on the baseline', () => {
    const matches = cfnLint({ outer: t.toJSON(), baseline: body });
    expect(matches.filter((m) => !ACCEPTED_WARNINGS.includes(m.Rule.Id)).map((m) => `${m.Filename}: ${m.Level} ${m.Rule.Id} ${m.Message}`)).toEqual([]);
  });
});

test('a delegated administrator, and stacks removed with the account when asked', () => {
  const { stack } = rollout({
    callAs: aws.StackSetCallAs.DELEGATED_ADMIN, retainStacksOnAccountRemoval: false, maxConcurrentPercentage: 100, failureTolerancePercentage: 0,
  });
  expect(stackSetOf(Template.fromStack(stack)).Properties).toMatchObject({
    CallAs: 'DELEGATED_ADMIN',
    AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
    OperationPreferences: { MaxConcurrentPercentage: 100, FailureTolerancePercentage: 0 },
  });
});

describe('refuses at synthesis what a StackSet cannot deploy', () => {
  test.each([
    ['a file asset', (b: Stack) => new s3assets.Asset(b, 'Asset', { path: __filename }), /holds a file asset .*no CDK bootstrap bucket/],
    ['a parameter without a default', (b: Stack) => new CfnParameter(b, 'Tier', { type: 'String' }), /parameter Tier has no default/],
    ['an export', (b: Stack) => new CfnOutput(b, 'Out', { value: 'x', exportName: 'KeyBaselineOut' }), /output Out is exported/],
    ['a fixed bucket name', (b: Stack) => new s3.Bucket(b, 'Fixed', { bucketName: 'org-key-baseline' }), /bucket .* has a fixed name org-key-baseline: bucket names are global/],
    ['a fixed IAM role name in two regions', (b: Stack) => new iam.Role(b, 'Named', { roleName: 'KeyBaselineReader', assumedBy: new iam.AccountRootPrincipal() }),
      /AWS::IAM::Role .* fixed name KeyBaselineReader in 2 regions/],
    ['a fixed multi-region trail name in two regions', (b: Stack) => new cloudtrail.CfnTrail(b, 'OrgTrail', {
      isLogging: true, s3BucketName: 'org-trail-bucket', isMultiRegionTrail: true, trailName: 'org-trail',
    }), /multi-region trail OrgTrail has the same name in 2 regions/],
    ['a body over 51,200 bytes', (b: Stack) => {
      for (let i = 0; i < 30; i++) new ssm.StringParameter(b, `Filler${i}`, { stringValue: 'x'.repeat(2000) });
    }, /template is \d+ bytes, over the 51200 bytes TemplateBody allows/],
  ])('%s', (_what, add, error) => {
    const { app, set } = rollout();
    add(set.baseline);
    expect(() => app.synth()).toThrow(error);
  });

  test('a fixed IAM role name under the baseline prefix is fine in a single region', () => {
    const { app, set } = rollout({ regions: ['eu-west-1'] });
    new iam.Role(set.baseline, 'Named', { roleName: 'cloud-kms-baseline-reader', assumedBy: new iam.AccountRootPrincipal() });
    expect(() => app.synth()).not.toThrow();
  });

  test('a resource named outside the baseline prefix, left to CloudFormation\'s naming or of a type no statement covers is refused', () => {
    const { app, set } = rollout({ regions: ['eu-west-1'] });
    new iam.Role(set.baseline, 'Named', { roleName: 'KeyBaselineReader', assumedBy: new iam.AccountRootPrincipal() });
    new iam.Role(set.baseline, 'Unnamed', { assumedBy: new iam.AccountRootPrincipal() });
    new CfnResource(set.baseline, 'Queue', { type: 'AWS::SQS::Queue' });
    expect(() => app.synth()).toThrow(new RegExp([
      'AWS::IAM::Role Named[0-9A-F]{8} has the name KeyBaselineReader, not one starting with cloud-kms-baseline-',
      'AWS::IAM::Role Unnamed[0-9A-F]{8} has the name null',
      'Queue is of type AWS::SQS::Queue, which the organisation policy protecting the baseline does not cover',
    ].join('[^]*')));
  });

  test.each([
    ['a dual-control profile', { profile: ComplianceProfile.PCI_DSS, approverRoleNames: ['ApproverA', 'ApproverB'] }],
    ['approvers under a profile without dual control', { approverRoleNames: ['ApproverA', 'ApproverB'] }],
  ])('%s: the dual-control gate is a custom resource with a bundled handler, refused before anything is built', (_what, baseline) => {
    expect(() => rollout({ baseline: { ...BASELINE, ...baseline } })).toThrow(/cannot hold dual control .*bundled Lambda asset/);
  });
});

describe('bad input', () => {
  test.each([
    ['organizationalUnitIds: []', { organizationalUnitIds: [] }, /organizationalUnitIds must name at least one/],
    ['organizationalUnitIds: [111111111111]', { organizationalUnitIds: ['111111111111'] }, /organizationalUnitIds must be organizational unit ids .*, got 111111111111/],
    ['regions: []', { regions: [] }, /regions must name at least one region/],
    ['regions: [Ireland]', { regions: ['Ireland'] }, /regions must be AWS region names .*, got Ireland/],
    ['regions: [eu-west-1, eu-west-1]', { regions: ['eu-west-1', 'eu-west-1'] }, /regions must not repeat a region/],
    ['stackSetName: 1-baseline', { stackSetName: '1-baseline' }, /stackSetName must start with a letter .*, got 1-baseline/],
    ['maxConcurrentPercentage: 0', { maxConcurrentPercentage: 0 }, /maxConcurrentPercentage must be a whole number between 1 and 100, got 0/],
    ['failureTolerancePercentage: 101', { failureTolerancePercentage: 101 }, /failureTolerancePercentage must be a whole number between 0 and 100, got 101/],
    ['baseline.executionRoleName: stacksets exec', { baseline: { ...BASELINE, executionRoleName: 'stacksets exec' } }, /executionRoleName must be an IAM role name, got stacksets exec/],
    ['baseline.administratorRoleNames: []', { baseline: { ...BASELINE, administratorRoleNames: [] } }, /administratorRoleNames must name at least one role/],
    ['baseline.auditorRoleNames: [arn:aws:iam::1:role/x]', { baseline: { ...BASELINE, auditorRoleNames: ['arn:aws:iam::1:role/x'] } }, /auditorRoleNames must be IAM role names/],
  ])('%s', (_what, props, error) => {
    expect(() => rollout(props as Partial<aws.BaselineStackSetProps>)).toThrow(error);
  });
});
