/*
 * Issue 19, data residency in the organisation: under a profile that restricts regions, OrganizationGuardrails denies
 * every KMS request to another region, replicas into one, and audit storage created in one, to everyone in a target
 * account (an administrator with AdministratorAccess, the deployment pipeline, break-glass), asked of a real IAM
 * evaluator (test/support/org-sim.ts).
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ComplianceProfile, Control, EvidenceLedger } from '../../src';
import * as aws from '../../src/aws';
import { accountKeyPolicy, Caller, decideInOrg, MEMBER_ACCOUNT, ORG_ID, OrgPolicies, orgPoliciesOf, roleSession } from '../support/org-sim';

const EU = ComplianceProfile.custom({ name: 'EU_PCI', basedOn: ComplianceProfile.PCI_DSS, allowedRegions: ['eu-west-1', 'eu-central-1'] });

function guardrails(profile: ComplianceProfile): { policies: OrgPolicies; stack: Stack; template: any } {
  const stack = new Stack(new App(), 'Org', { env: { account: '000000000000', region: 'us-east-1' } });
  new aws.OrganizationGuardrails(stack, 'Guardrails', { profile, targetIds: ['ou-root-workloads1'], organizationId: ORG_ID });
  const template = Template.fromStack(stack).toJSON();
  return { policies: orgPoliciesOf(template), stack, template };
}

const { policies, stack } = guardrails(EU);
const keyIn = (region: string) => `arn:aws:kms:${region}:${MEMBER_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const admin = roleSession('AWSReservedSSO_AdministratorAccess_0123456789abcdef');
const pipeline = roleSession(`cdk-hnb659fds-cfn-exec-role-${MEMBER_ACCOUNT}-eu-west-1`);
const breakGlass = roleSession('cloud-kms-break-glass');
const everyone: Array<[string, Caller]> = [['an administrator', admin], ['the deployment pipeline', pipeline], ['break-glass', breakGlass]];
// Keys delegate to IAM (the account's default key policy), so AdministratorAccess alone would allow every KMS call.
const ask = (caller: Caller, action: string, resource: string, context: Record<string, string>) =>
  decideInOrg(policies, { caller, action, resource, context, resourcePolicy: resource.startsWith('arn:aws:kms') ? accountKeyPolicy() : undefined });

describe.each(everyone)('%s in a target account', (_who, caller) => {
  test('creates and uses keys in an allowed region, and is denied both in any other', () => {
    for (const action of ['kms:CreateKey', 'kms:Decrypt', 'kms:Encrypt']) {
      const resource = action === 'kms:CreateKey' ? '*' : keyIn('eu-west-1');
      expect(ask(caller, action, resource, { 'aws:RequestedRegion': 'eu-west-1' })).toBe('Allowed');
      expect(ask(caller, action, action === 'kms:CreateKey' ? '*' : keyIn('us-east-1'), { 'aws:RequestedRegion': 'us-east-1' })).toBe('ExplicitlyDenied');
    }
  });

  test('cannot replicate a key from an allowed region into another', () => {
    const replicate = (replica: string) => ask(caller, 'kms:ReplicateKey', keyIn('eu-west-1'), { 'aws:RequestedRegion': 'eu-west-1', 'kms:ReplicaRegion': replica });
    expect(replicate('us-east-1')).toBe('ExplicitlyDenied');
    // Only the pipeline and break-glass may replicate at all (KeyAdministration); inside the list, they still may.
    if (caller !== admin) expect(replicate('eu-central-1')).toBe('Allowed');
  });

  test('cannot create a log group, log delivery, event data store or CloudHSM cluster outside the allowed regions', () => {
    for (const action of ['logs:CreateLogGroup', 'logs:CreateDelivery', 'cloudtrail:CreateEventDataStore', 'cloudhsm:CreateCluster']) {
      expect(ask(caller, action, '*', { 'aws:RequestedRegion': 'ap-southeast-2' })).toBe('ExplicitlyDenied');
      expect(ask(caller, action, '*', { 'aws:RequestedRegion': 'eu-central-1' })).toBe('Allowed');
    }
  });

  test('cannot copy a CloudHSM backup, replicate a bucket or subscribe a log group to a destination in any region', () => {
    const eu = { 'aws:RequestedRegion': 'eu-west-1' };
    expect(ask(caller, 'cloudhsm:CopyBackupToRegion', `arn:aws:cloudhsm:eu-west-1:${MEMBER_ACCOUNT}:backup/backup-1234`, eu)).toBe('ExplicitlyDenied');
    expect(ask(caller, 's3:PutReplicationConfiguration', 'arn:aws:s3:::audit-records-eu', eu)).toBe('ExplicitlyDenied');
    expect(ask(caller, 's3:PutReplicationConfiguration', 'arn:aws:s3:::workload-data', eu)).toBe('ExplicitlyDenied');
    expect(ask(caller, 'logs:PutSubscriptionFilter', `arn:aws:logs:eu-west-1:${MEMBER_ACCOUNT}:log-group:kms-audit`, eu)).toBe('ExplicitlyDenied');
    expect(ask(caller, 'logs:PutDestination', `arn:aws:logs:eu-west-1:${MEMBER_ACCOUNT}:destination:d`, eu)).toBe('ExplicitlyDenied');
    expect(ask(caller, 'logs:PutAccountPolicy', '*', eu)).toBe('ExplicitlyDenied');
  });

  test('creates or redirects a trail or an external key store (whose destination no SCP sees) only as the pipeline', () => {
    const eu = { 'aws:RequestedRegion': 'eu-west-1' };
    const trail = `arn:aws:cloudtrail:eu-west-1:${MEMBER_ACCOUNT}:trail/t`;
    expect(ask(caller, 'cloudtrail:CreateTrail', trail, { 'aws:RequestedRegion': 'ap-southeast-2' })).toBe('ExplicitlyDenied');
    for (const action of ['cloudtrail:CreateTrail', 'cloudtrail:UpdateTrail']) {
      expect(ask(caller, action, trail, eu)).toBe(caller === pipeline ? 'Allowed' : 'ExplicitlyDenied');
    }
    for (const action of ['kms:CreateCustomKeyStore', 'kms:UpdateCustomKeyStore']) {
      expect(ask(caller, action, '*', eu)).toBe(caller === pipeline ? 'Allowed' : 'ExplicitlyDenied');
    }
  });

  test('cannot create a bucket in another region, not even through the global endpoint with a LocationConstraint', () => {
    const bucket = 'arn:aws:s3:::audit-records-eu';
    expect(ask(caller, 's3:CreateBucket', bucket, { 'aws:RequestedRegion': 'eu-west-1', 's3:LocationConstraint': 'eu-west-1' })).toBe('Allowed');
    expect(ask(caller, 's3:CreateBucket', bucket, { 'aws:RequestedRegion': 'eu-west-1', 's3:LocationConstraint': 'EU' })).toBe('Allowed');
    expect(ask(caller, 's3:CreateBucket', bucket, { 'aws:RequestedRegion': 'us-east-1' })).toBe('ExplicitlyDenied');
    expect(ask(caller, 's3:CreateBucket', bucket, { 'aws:RequestedRegion': 'us-west-2', 's3:LocationConstraint': 'us-west-2' })).toBe('ExplicitlyDenied');
    // Through the global endpoint, the LocationConstraint alone decides.
    expect(ask(caller, 's3:CreateBucket', bucket, { 'aws:RequestedRegion': 'us-east-1', 's3:LocationConstraint': 'eu-central-1' })).toBe('Allowed');
    expect(ask(caller, 's3:CreateBucket', bucket, { 'aws:RequestedRegion': 'us-east-1', 's3:LocationConstraint': 'us-west-2' })).toBe('ExplicitlyDenied');
  });
});

test('with us-east-1 allowed, the global endpoint still cannot create a bucket in a region outside the list', () => {
  const us = guardrails(ComplianceProfile.custom({ name: 'US_EAST', basedOn: ComplianceProfile.PCI_DSS, allowedRegions: ['us-east-1'] })).policies;
  const create = (context: Record<string, string>) => decideInOrg(us, { caller: admin, action: 's3:CreateBucket', resource: 'arn:aws:s3:::b', context });
  expect(create({ 'aws:RequestedRegion': 'us-east-1' })).toBe('Allowed');
  expect(create({ 'aws:RequestedRegion': 'us-east-1', 's3:LocationConstraint': 'eu-central-1' })).toBe('ExplicitlyDenied');
});

test('the group is registered as a preventive guardrail for SA-9(5), naming the regions and, as partial, what an SCP cannot judge', () => {
  const g = EvidenceLedger.of(stack).guardrails.find((r) => r.name === 'DataResidency');
  expect(g).toMatchObject({
    enforcement: 'preventive',
    controls: [Control.NIST_SA_9_5],
    description: expect.stringMatching(/a region other than eu-west-1, eu-central-1.*SCPs do not restrict the management account or service-linked roles\.$/),
  });
  expect(g?.partial).toMatch(/cannot see the region of the bucket a trail delivers to, nor where an external key store's proxy is/);
  expect(g?.partial).toMatch(/events:PutTargets is not restricted/);
});

test('a profile without allowedRegions gets no residency statements', () => {
  const { template, stack: s } = guardrails(ComplianceProfile.PCI_DSS);
  expect(JSON.stringify(template)).not.toMatch(/OutsideAllowedRegions/);
  expect(EvidenceLedger.of(s).guardrails.map((r) => r.name)).not.toContain('DataResidency');
});
