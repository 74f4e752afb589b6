import { App, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ComplianceProfile, EvidenceLedger } from '../../src';
import * as aws from '../../src/aws';
import { KmsRulePack } from '../../src/compliance/pack';
import { RuleResult } from '../../src/compliance/rules/rule';
import { ACCEPTED_WARNINGS, cfnLint } from '../support/cfn-lint';
import { ACCOUNT, arn, byokFor, cmkFor, DEPLOYER, keyPolicyOf, REGION, sinkFor, statement } from '../support/fixtures';
import { decide } from '../support/key-policy-eval';

const REPLICA_REGION = 'eu-west-1';
const REPLICA_DEPLOYER = { 'Fn::Sub': `arn:\${AWS::Partition}:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REPLICA_REGION}` };
const ADMIN = arn('KeyAdmin');
const REPLICATION_SIDS = ['DenyReplicationOutsideAllowedRegions', 'DenyReplicationExceptDeployment'];

function pair(opts: { replicaRegion?: string; crossRegionReferences?: boolean; replicaAccount?: string } = {}) {
  const app = new App();
  const primaryStack = new Stack(app, 'Primary', { env: { account: ACCOUNT, region: REGION } });
  const replicaStack = new Stack(app, 'Replica', {
    env: { account: opts.replicaAccount ?? ACCOUNT, region: opts.replicaRegion ?? REPLICA_REGION },
    crossRegionReferences: opts.crossRegionReferences ?? true,
  });
  return { app, primaryStack, replicaStack };
}

function replicated(profile: ComplianceProfile, options: Partial<aws.ReplicaKeyOptions> = {}) {
  const { primaryStack, replicaStack } = pair();
  const key = cmkFor(primaryStack, profile, 'OrdersKey', { multiRegion: true });
  const sink = profile.auditSinkRequired ? sinkFor(replicaStack, profile) : undefined;
  const replica = key.replicateTo(replicaStack, 'OrdersReplica', { auditSink: sink, ...options });
  return { primaryStack, replicaStack, key, replica };
}

function replicaPolicyOf(replicaStack: Stack, replica: aws.ReplicaKey): { Statement: any[] } {
  return replicaStack.resolve((replica.node.defaultChild as any).keyPolicy);
}

/** The replica's statements with its deployment principal written as the primary's: the one thing that may differ. */
function normalized(policy: { Statement: any[] }): any[] {
  const text = JSON.stringify(policy.Statement).split(JSON.stringify(REPLICA_DEPLOYER)).join(JSON.stringify(DEPLOYER));
  return JSON.parse(text);
}

describe('ReplicaKey: AWS::KMS::ReplicaKey in a stack of another region', () => {
  const { replicaStack, key, replica } = replicated(ComplianceProfile.HIPAA);
  const template = Template.fromStack(replicaStack);

  test('the replica names the primary through a CDK cross-region reference, waits the primary\'s window and is retained', () => {
    const resources = template.findResources('AWS::KMS::ReplicaKey');
    expect(Object.keys(resources)).toHaveLength(1);
    const [res] = Object.values(resources) as any[];
    expect(res.DeletionPolicy).toBe('Retain');
    expect(res.UpdateReplacePolicy).toBe('Retain');
    expect(res.Properties.PendingWindowInDays).toBe(30);
    expect(res.Properties.Enabled).toBe(true);
    // CDK writes the primary's ARN to an SSM parameter in this region (the primary's stack); this stack reads it back.
    expect(res.Properties.PrimaryKeyArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ExportsReader/), expect.stringMatching(/^\/cdk\/exports\/Replica\/Primaryuseast1FnGetAttOrdersKey/)] });
    // The only multi-Region key is the primary: the sink's own keys in this stack are single-Region.
    expect(template.findResources('AWS::KMS::Key', { Properties: { MultiRegion: true } })).toEqual({});
  });

  test('it is an IKey: key id and ARN are the replica\'s attributes, grants land in its policy', () => {
    expect(replicaStack.resolve(replica.keyArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^OrdersReplica/), 'Arn'] });
    expect(replicaStack.resolve(replica.keyId)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^OrdersReplica/), 'KeyId'] });
    const primary = (key.node.defaultChild as any).multiRegion;
    expect(primary).toBe(true);
    // Grants on the replica land in the replica's policy, not the primary's.
    const worker = new iam.ArnPrincipal(arn('ReportsWorker'));
    replica.grantDecrypt(worker);
    const replicaPolicy = replicaStack.resolve((replica.node.defaultChild as any).keyPolicy);
    expect(JSON.stringify(replicaPolicy)).toContain(arn('ReportsWorker'));
  });

  test('a replica region outside the profile is refused at synthesis', () => {
    const profile = ComplianceProfile.custom({ name: 'EU_ONLY', basedOn: ComplianceProfile.COMMERCIAL, allowedRegions: ['us-east-1', 'eu-west-1'] });
    const { primaryStack, replicaStack: apSouth } = pair({ replicaRegion: 'ap-south-1' });
    const primary = cmkFor(primaryStack, profile, 'OrdersKey', { multiRegion: true });
    expect(() => primary.replicateTo(apSouth, 'R')).toThrow(/replica's region \(env.region of stack Replica\) must be one profile EU_ONLY allows \(us-east-1, eu-west-1\), got ap-south-1/);
    const { primaryStack: ok, replicaStack: euWest } = pair();
    expect(() => cmkFor(ok, profile, 'OrdersKey', { multiRegion: true }).replicateTo(euWest, 'R')).not.toThrow();
  });
});

describe('the replica\'s key policy is the primary\'s, from the same builder', () => {
  test.each([ComplianceProfile.COMMERCIAL, ComplianceProfile.HIPAA, ComplianceProfile.FEDRAMP_MODERATE])('%s: every custodian statement equal, Sid by Sid', (profile) => {
    const { primaryStack, replicaStack, key, replica } = replicated(profile);
    const primary = keyPolicyOf(primaryStack, key);
    const copy = normalized(replicaPolicyOf(replicaStack, replica));
    const custodianSids = primary.Statement.map((s) => s.Sid)
      .filter((sid: string) => !REPLICATION_SIDS.includes(sid) && !sid.startsWith('AllowReplicaCreation'));
    expect(custodianSids.length).toBeGreaterThanOrEqual(6);
    expect(copy.map((s) => s.Sid)).toEqual([...custodianSids.slice(0, 3), ...REPLICATION_SIDS, ...custodianSids.slice(3)]);
    for (const sid of custodianSids) {
      expect([sid, copy.find((s) => s.Sid === sid)]).toEqual([sid, statement(primary, sid)]);
    }
  });

  test('a grant on the primary stays on the primary; a grant on the replica is checked for separation of duties the same way', () => {
    const { replica } = replicated(ComplianceProfile.COMMERCIAL);
    expect(() => replica.grantDecrypt(new iam.ArnPrincipal(ADMIN))).toThrow(/separation of duties|both/i);
  });
});

describe('replication permissions (kms:ReplicaRegion), decided by the IAM evaluator', () => {
  const { primaryStack, replicaStack, key, replica } = replicated(ComplianceProfile.HIPAA);
  const primary = keyPolicyOf(primaryStack, key);

  test('the replica stack\'s deployment role may replicate the primary into the replica region only', () => {
    expect(decide(primary, REPLICA_DEPLOYER, 'kms:ReplicateKey', { 'kms:ReplicaRegion': REPLICA_REGION })).toBe('ALLOW');
    expect(decide(primary, REPLICA_DEPLOYER, 'kms:ReplicateKey', { 'kms:ReplicaRegion': 'ap-south-1' })).not.toBe('ALLOW');
    expect(decide(primary, REPLICA_DEPLOYER, 'kms:UpdatePrimaryRegion')).not.toBe('ALLOW');
    expect(decide(primary, REPLICA_DEPLOYER, 'kms:Decrypt')).not.toBe('ALLOW');
    expect(decide(primary, REPLICA_DEPLOYER, 'kms:PutKeyPolicy')).not.toBe('ALLOW');
  });

  test('administrators cannot replicate, into any region', () => {
    for (const region of [REPLICA_REGION, 'ap-south-1']) {
      expect(decide(primary, ADMIN, 'kms:ReplicateKey', { 'kms:ReplicaRegion': region })).not.toBe('ALLOW');
    }
  });

  test('nobody replicates the replica, and only its own deployment role promotes it', () => {
    const policy = replicaPolicyOf(replicaStack, replica);
    expect(decide(policy, REPLICA_DEPLOYER, 'kms:ReplicateKey', { 'kms:ReplicaRegion': REGION })).not.toBe('ALLOW');
    expect(decide(policy, ADMIN, 'kms:UpdatePrimaryRegion')).not.toBe('ALLOW');
    expect(decide(policy, REPLICA_DEPLOYER, 'kms:UpdatePrimaryRegion')).toBe('ALLOW');
    expect(decide(policy, arn('OrdersService'), 'kms:Decrypt')).toBe('ALLOW');
    expect(decide(policy, ADMIN, 'kms:Decrypt')).not.toBe('ALLOW');
  });

  test('under dual control neither an administrator nor the deployment role can replicate the primary', () => {
    const { primaryStack: stack } = pair();
    const pci = cmkFor(stack, ComplianceProfile.PCI_DSS, 'CardKey', { multiRegion: true, replicaRegions: [REPLICA_REGION] });
    const policy = keyPolicyOf(stack, pci);
    for (const who of [ADMIN, DEPLOYER, REPLICA_DEPLOYER, arn('ApproverA')]) {
      expect(decide(policy, who, 'kms:ReplicateKey', { 'kms:ReplicaRegion': REPLICA_REGION, 'aws:MultiFactorAuthPresent': 'true' })).not.toBe('ALLOW');
    }
  });
});

describe('bad input is refused with the prop and the value', () => {
  test('a primary that is not multi-Region', () => {
    const { primaryStack, replicaStack } = pair();
    const key = cmkFor(primaryStack, ComplianceProfile.COMMERCIAL);
    expect(() => key.replicateTo(replicaStack, 'R')).toThrow(/must be a multi-Region key \(multiRegion: true\) to be replicated, got multiRegion: false/);
  });

  test('the primary\'s own region', () => {
    const { primaryStack, replicaStack } = pair({ replicaRegion: REGION });
    const key = cmkFor(primaryStack, ComplianceProfile.COMMERCIAL, 'K', { multiRegion: true });
    expect(() => key.replicateTo(replicaStack, 'R')).toThrow(/must be in another region than the primary's \(us-east-1\), got env.region us-east-1/);
  });

  test('another account', () => {
    const { primaryStack, replicaStack } = pair({ replicaAccount: '222222222222' });
    const key = cmkFor(primaryStack, ComplianceProfile.COMMERCIAL, 'K', { multiRegion: true });
    expect(() => key.replicateTo(replicaStack, 'R')).toThrow(/must be in the primary's account 111111111111 .*got env.account 222222222222/);
  });

  test('an environment-agnostic stack', () => {
    const { app, primaryStack } = pair();
    const agnostic = new Stack(app, 'Agnostic');
    const key = cmkFor(primaryStack, ComplianceProfile.COMMERCIAL, 'K', { multiRegion: true });
    expect(() => key.replicateTo(agnostic, 'R')).toThrow(/stack Agnostic must set env.account and env.region/);
  });

  test('a replica stack without cross-region references', () => {
    const { primaryStack, replicaStack } = pair({ crossRegionReferences: false });
    const key = cmkFor(primaryStack, ComplianceProfile.COMMERCIAL, 'K', { multiRegion: true });
    expect(() => key.replicateTo(replicaStack, 'R')).toThrow(/must set crossRegionReferences: true/);
  });

  test('a missing audit sink where the profile requires one, and a sink of another region', () => {
    const { primaryStack, replicaStack } = pair();
    const key = cmkFor(primaryStack, ComplianceProfile.HIPAA, 'K', { multiRegion: true });
    expect(() => key.replicateTo(replicaStack, 'R')).toThrow(/auditSink is required under profile HIPAA/);
    expect(() => key.replicateTo(replicaStack, 'R2', { auditSink: key.auditSink })).toThrow(/auditSink must be in the replica's region eu-west-1 .*got Primary\/Audit in us-east-1/);
  });

  test('a dual-control primary: replication goes through the gate, never AWS::KMS::ReplicaKey (test/aws/replica-gated.test.ts)', () => {
    const { primaryStack, replicaStack } = pair();
    const key = cmkFor(primaryStack, ComplianceProfile.PCI_DSS, 'K', { multiRegion: true });
    const replica = key.replicateTo(replicaStack, 'R', { auditSink: sinkFor(replicaStack, ComplianceProfile.PCI_DSS) });
    expect(replica.gated).toBe(true);
    Template.fromStack(replicaStack).resourceCountIs('AWS::KMS::ReplicaKey', 0);
    Template.fromStack(replicaStack).resourceCountIs('Custom::CloudKmsReplicaCheck', 1);
  });

  test('a primary that is not one of this library\'s keys', () => {
    const { replicaStack } = pair();
    expect(() => new aws.ReplicaKey(replicaStack, 'R', { primary: {} as any })).toThrow(/primary must be a CustomerManagedKey or ByokImport/);
  });
});

describe('evidence and BYOK', () => {
  test('the replica registers as a key: ReplicaKey, its primary as parent, its region, the primary\'s facts', () => {
    const { key, replica } = replicated(ComplianceProfile.HIPAA);
    const record = EvidenceLedger.of(replica).tryFindKey(replica.node.path)!;
    expect(record.constructName).toBe('ReplicaKey');
    expect(record.parent).toBe(key.node.path);
    expect(record.regions).toEqual([REPLICA_REGION]);
    expect(record.profile.name).toBe('HIPAA');
    expect(record.auditSink).toBe('Replica/Audit');
  });

  test('a ByokImport replica carries the ceremony tags and its ARN for the import; the importers may import into it', () => {
    const { primaryStack, replicaStack } = pair();
    const key = byokFor(primaryStack, ComplianceProfile.COMMERCIAL, 'Imported', { multiRegion: true });
    const replica = key.replicateTo(replicaStack, 'ImportedReplica');
    const template = Template.fromStack(replicaStack);
    template.hasResourceProperties('AWS::KMS::ReplicaKey', {
      Tags: Match.arrayWith([
        { Key: 'cloud-kms:key-material-expiry', Value: '2030-06-01T00:00:00.000Z' },
      ]),
    });
    expect(Object.keys(template.toJSON().Outputs).some((k) => k.startsWith('ImportedReplicaKeyArnForImport'))).toBe(true);
    const policy = replicaPolicyOf(replicaStack, replica);
    expect(decide(policy, arn('KeyImporter'), 'kms:ImportKeyMaterial')).toBe('ALLOW');
    expect(decide(policy, arn('KeyImporter'), 'kms:Decrypt')).not.toBe('ALLOW');
    const record = EvidenceLedger.of(replica).tryFindKey(replica.node.path)!;
    expect(record.constructName).toBe('ReplicaKey');
  });
});

describe('cfn-lint', () => {
  test('both stacks (primary with its cross-region export, replica with ReplicaKey) lint clean', () => {
    const { primaryStack, replicaStack } = replicated(ComplianceProfile.HIPAA);
    const { primaryStack: byokPrimary, replicaStack: byokReplica } = pair();
    byokFor(byokPrimary, ComplianceProfile.COMMERCIAL, 'Imported', { multiRegion: true }).replicateTo(byokReplica, 'ImportedReplica');
    const templates = Object.fromEntries([primaryStack, replicaStack, byokPrimary, byokReplica]
      .map((s, i) => [`${s.stackName}${i}`, Template.fromStack(s).toJSON()]));
    expect(Object.values(templates).some((t: any) => Object.values(t.Resources).some((r: any) => r.Type === 'AWS::KMS::ReplicaKey'))).toBe(true);
    const matches = cfnLint(templates);
    expect(matches.filter((m) => !ACCEPTED_WARNINGS.includes(m.Rule.Id)).map((m) => `${m.Level} ${m.Rule.Id} ${m.Message}`)).toEqual([]);
  });
});

describe('the rule pack', () => {
  test('finds nothing non-compliant in the primary (with its replication statement) or the replica stack', () => {
    const { primaryStack, replicaStack } = replicated(ComplianceProfile.HIPAA);
    const pack = new KmsRulePack(ComplianceProfile.HIPAA);
    const templates = [primaryStack, replicaStack].map((s) => Template.fromStack(s).toJSON());
    const findings = templates.flatMap((t) => pack.check(t, undefined, templates.filter((x) => x !== t)));
    expect(findings.filter((f) => f.result !== RuleResult.NOT_APPLICABLE).length).toBeGreaterThan(0);
    expect(findings.filter((f) => f.result === RuleResult.NON_COMPLIANT).map((f) => `${f.rule} ${f.resource}: ${f.message}`)).toEqual([]);
  });
});

describe('several replicas, and replicaRegions against the profile', () => {
  test('each replica stack\'s deployment role replicates into its own region only', () => {
    const app = new App();
    const primaryStack = new Stack(app, 'Primary', { env: { account: ACCOUNT, region: REGION } });
    const regions = ['eu-west-1', 'ap-southeast-2'];
    const stacks = regions.map((region, i) => new Stack(app, `Replica${i}`, { env: { account: ACCOUNT, region }, crossRegionReferences: true }));
    const key = cmkFor(primaryStack, ComplianceProfile.COMMERCIAL, 'OrdersKey', { multiRegion: true });
    stacks.forEach((s, i) => key.replicateTo(s, `R${i}`));
    const policy = keyPolicyOf(primaryStack, key);
    const deployer = (region: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${region}` });
    expect(decide(policy, deployer('eu-west-1'), 'kms:ReplicateKey', { 'kms:ReplicaRegion': 'eu-west-1' })).toBe('ALLOW');
    expect(decide(policy, deployer('ap-southeast-2'), 'kms:ReplicateKey', { 'kms:ReplicaRegion': 'ap-southeast-2' })).toBe('ALLOW');
    expect(decide(policy, deployer('eu-west-1'), 'kms:ReplicateKey', { 'kms:ReplicaRegion': 'ap-southeast-2' })).not.toBe('ALLOW');
    expect(decide(policy, deployer('ap-southeast-2'), 'kms:ReplicateKey', { 'kms:ReplicaRegion': 'eu-west-1' })).not.toBe('ALLOW');
    expect(decide(policy, DEPLOYER, 'kms:ReplicateKey', { 'kms:ReplicaRegion': 'sa-east-1' })).not.toBe('ALLOW');
    // The statement's DescribeKey: a DescribeKey request carries no kms:ReplicaRegion (final review of issue 19).
    expect(decide(policy, deployer('eu-west-1'), 'kms:DescribeKey')).toBe('ALLOW');
    expect(statement(policy, 'AllowReplicaCreationeuwest1').Condition).toEqual({ StringEqualsIfExists: { 'kms:ReplicaRegion': 'eu-west-1' } });
    expect(statement(policy, 'DenyReplicationOutsideAllowedRegions').Condition).toEqual({ StringNotEquals: { 'kms:ReplicaRegion': regions } });
  });

  test('replicaRegions outside the profile\'s allowedRegions are refused', () => {
    const profile = ComplianceProfile.custom({ name: 'EU_ONLY', basedOn: ComplianceProfile.COMMERCIAL, allowedRegions: ['eu-west-1', 'eu-central-1'] });
    const primaryStack = new Stack(new App(), 'Primary', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    expect(() => cmkFor(primaryStack, profile, 'K', { multiRegion: true, replicaRegions: ['us-west-2'] }))
      .toThrow("replicaRegions must be one of profile EU_ONLY's allowedRegions [eu-west-1, eu-central-1], got 'us-west-2'");
    expect(() => cmkFor(primaryStack, profile, 'K2', { multiRegion: true, replicaRegions: ['eu-central-1'] })).not.toThrow();
  });
});

describe('rotation evidence', () => {
  test('the replica rotates with the primary: its period, or a deploy-time period judged by its bound, never by the token', () => {
    const { replica } = replicated(ComplianceProfile.HIPAA);
    const fact = EvidenceLedger.of(replica).evidence(replica.node.path).find((e) => e.setting.includes('shared property'))!;
    expect(fact.value).toBe('365');
    expect(fact.status).toBe('SATISFIED');

    const { primaryStack, replicaStack } = pair();
    const days = new CfnParameter(primaryStack, 'RotationDays', { type: 'Number', minValue: 90, maxValue: 3000 });
    const key = cmkFor(primaryStack, ComplianceProfile.COMMERCIAL, 'K', { multiRegion: true, rotation: Duration.days(days.valueAsNumber) });
    const r = key.replicateTo(replicaStack, 'R');
    const bounded = EvidenceLedger.of(r).evidence(r.node.path).find((e) => e.setting.includes('shared property'))!;
    expect(bounded.value).toMatch(/a deploy-time value \(parameter RotationDays, bounded to 90\.\.\d+ days\)/);
  });
});
