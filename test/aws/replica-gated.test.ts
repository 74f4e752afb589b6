import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ComplianceProfile, Control, EvidenceLedger, EvidenceStatus } from '../../src';
import * as aws from '../../src/aws';
import { checkRequest } from '../../src/aws/handlers/gate-request';
import { checkNotDualControl } from '../../src/aws/private/replica-input';
import { replicationSourceOf } from '../../src/aws/private/replica-source';
import { KmsRulePack } from '../../src/compliance/pack';
import { RuleResult } from '../../src/compliance/rules/rule';
import { ACCEPTED_WARNINGS, cfnLint } from '../support/cfn-lint';
import { ACCOUNT, arn, byokFor, cmkFor, keyPolicyOf, sinkFor, statement } from '../support/fixtures';
import { decide } from '../support/key-policy-eval';

// A dual-control (PCI DSS) multi-Region key: its replica is created by the dual-control gate, never by CloudFormation.
const PRIMARY_REGION = 'eu-west-1';
const REPLICA_REGION = 'eu-central-1';
const PCI_EU = ComplianceProfile.custom({ name: 'PCI_EU', basedOn: ComplianceProfile.PCI_DSS, allowedRegions: [PRIMARY_REGION, REPLICA_REGION] });
const deployerIn = (region: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${region}` });
const PRIMARY_DEPLOYER = deployerIn(PRIMARY_REGION);
const REPLICA_DEPLOYER = deployerIn(REPLICA_REGION);
/** Statements that differ between primary and replica by design: where each may be replicated, and the replica's check. */
const NOT_CUSTODIAN_SIDS = ['DenyReplicationOutsideAllowedRegions', 'AllowReplicaCheckReadOnly'];

function gated(replicaRegion = REPLICA_REGION, profile = PCI_EU) {
  const app = new App();
  const primaryStack = new Stack(app, 'Primary', { env: { account: ACCOUNT, region: PRIMARY_REGION } });
  const replicaStack = new Stack(app, 'Replica', { env: { account: ACCOUNT, region: replicaRegion }, crossRegionReferences: true });
  const key = cmkFor(primaryStack, profile, 'CardKey', { multiRegion: true });
  const replica = () => key.replicateTo(replicaStack, 'CardReplica', { auditSink: sinkFor(replicaStack, profile), aliases: ['app/cards'] });
  return { app, primaryStack, replicaStack, key, replica };
}

function checkOf(replicaStack: Stack): any {
  const checks = Template.fromStack(replicaStack).findResources('Custom::CloudKmsReplicaCheck');
  expect(Object.keys(checks)).toHaveLength(1);
  return Object.values(checks)[0];
}

/** The expected replica policy, with its deployment principal written as the primary's: the one thing that may differ. */
function normalizedExpected(replicaStack: Stack): any[] {
  const text = JSON.stringify(checkOf(replicaStack).Properties.Policy.Statement);
  return JSON.parse(text.split(JSON.stringify(REPLICA_DEPLOYER)).join(JSON.stringify(PRIMARY_DEPLOYER)));
}

/** A role of the primary's stack read across regions (`/cdk/exports/Replica/Primaryeuwest1FnGetAtt<id>Arn<hash>`), as the primary names it. */
function sameRole(st: unknown): any {
  return JSON.parse(JSON.stringify(st).replace(/\{"Fn::GetAtt":\["ExportsReader\w+","\/cdk\/exports\/Replica\/Primaryeuwest1FnGetAtt(\w+?)Arn[0-9A-F]{8}"\]\}/g,
    (_m, id: string) => JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] })));
}

describe('a dual-control primary replicated through the dual-control gate', () => {
  const { app, primaryStack, replicaStack, key, replica: make } = gated();
  const replica = make();
  const assembly = app.synth();

  test('both stacks synthesize; the replica stack creates no AWS::KMS::ReplicaKey but checks the replica', () => {
    expect(assembly.getStackByName('Primary').environment.region).toBe(PRIMARY_REGION);
    expect(assembly.getStackByName('Replica').environment.region).toBe(REPLICA_REGION);
    const template = Template.fromStack(replicaStack);
    template.resourceCountIs('AWS::KMS::ReplicaKey', 0);
    template.resourceCountIs('AWS::KMS::Key', 2); // the audit sink's own keys, single-Region
    template.resourcePropertiesCountIs('AWS::KMS::Key', { MultiRegion: true }, 0);
    expect(replica.gated).toBe(true);
    const check = checkOf(replicaStack);
    expect(check.DeletionPolicy).toBe('Retain');
    // arn:<partition>:kms:<replica region>:<account>:key/<primary key id>, the key id read across regions.
    expect(check.Properties.ReplicaArn).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:kms:${REPLICA_REGION}:${ACCOUNT}:key/`,
        { 'Fn::GetAtt': [expect.stringMatching(/^ExportsReader/), expect.stringMatching(/^\/cdk\/exports\/Replica\/Primaryeuwest1RefCardKey/)] }]],
    });
    expect(check.Properties.PrimaryArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ExportsReader/), expect.stringMatching(/CardKey.*KeyArn/)] });
    // The output's logical id, as the CloudFormation console lists it.
    expect(Object.keys(Template.fromStack(primaryStack).toJSON().Outputs)).toContain('CardKeyReplicaPolicyeucentral1A1645DF4');
    expect(check.Properties.How).toMatch(new RegExp('proposes ReplicateKey of Primary/CardKey into eu-central-1 with the policy in output ' +
      'CardKeyReplicaPolicyeucentral1A1645DF4 of stack Primary to the dual-control gate of Primary'));
  });

  test('it is an IKey whose ARN is read from the check, so the alias and every consumer wait for it', () => {
    const logicalId = replicaStack.getLogicalId(replica.node.defaultChild as CfnElement);
    expect(replicaStack.resolve(replica.keyArn)).toEqual({ 'Fn::GetAtt': [logicalId, 'KeyArn'] });
    Template.fromStack(replicaStack).hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/app/cards', TargetKeyId: { 'Fn::GetAtt': [logicalId, 'KeyArn'] },
    });
  });

  test('the expected replica policy equals the primary\'s custodian statements, Sid by Sid', () => {
    const primary = keyPolicyOf(primaryStack, key);
    const expected = normalizedExpected(replicaStack);
    const custodianSids = primary.Statement.map((s) => s.Sid).filter((sid: string) => !NOT_CUSTODIAN_SIDS.includes(sid));
    expect(custodianSids).toEqual(expect.arrayContaining(['AllowKeyAdministration', 'AllowKeyUse', 'AllowApproversReviewOnly',
      'AllowDualControlExecutor', 'DenyDualControlOperationsExceptExecutor']));
    expect(expected.map((s) => s.Sid).filter((sid: string) => !NOT_CUSTODIAN_SIDS.includes(sid))).toEqual(custodianSids);
    for (const sid of custodianSids) {
      // The executor is the primary's gate's (the caller of ReplicateKey must be allowed PutKeyPolicy on the replica): the
      // same role, read in the replica's region through CDK's cross-region reference.
      expect([sid, sameRole(expected.find((s) => s.Sid === sid))]).toEqual([sid, statement(primary, sid)]);
    }
  });

  test('the approvers see the expected policy: an output of the primary\'s stack, with how the proposal is made', () => {
    const outputs = Template.fromStack(primaryStack).toJSON().Outputs;
    const output = outputs.CardKeyReplicaPolicyeucentral1A1645DF4 ?? Object.values(outputs).find((o: any) => /Expected key policy/.test(o.Description));
    expect(output.Description).toMatch(/proposes \{"keyId":"<primary key ARN>","operation":"ReplicateKey","policy":"<this text>","replicaRegion":"eu-central-1"\} to the dual-control gate of Primary/);
    expect(output.Value).toEqual(primaryStack.resolve(primaryStack.toJsonString(replica.policy)));
    // It is the same policy the check expects: every Sid, in order.
    const sids = [...JSON.stringify(output.Value).matchAll(/\\"Sid\\":\\"(\w+)\\"/g)].map((m) => m[1]);
    expect(sids).toEqual(checkOf(replicaStack).Properties.Policy.Statement.map((s: any) => s.Sid));
    // The gate accepts a ReplicateKey request with it: it keeps the dual-control statements.
    const concrete = JSON.stringify(checkOf(replicaStack).Properties.Policy);
    expect(() => checkRequest({ operation: 'ReplicateKey', keyId: 'arn:aws:kms:eu-west-1:1:key/mrk-1', replicaRegion: REPLICA_REGION, policy: concrete })).not.toThrow();
  });

  test('the replica\'s check role reads the replica and nothing else', () => {
    const synthesized = checkOf(replicaStack).Properties.Policy;
    const check = statement(synthesized, 'AllowReplicaCheckReadOnly');
    expect(check.Action).toEqual(['kms:DescribeKey', 'kms:GetKeyPolicy']);
    // The role's ARN arrives through a cross-region reference: named here as the role it is.
    const checker = arn('ReplicaCheck');
    const policy = JSON.parse(JSON.stringify(synthesized).split(JSON.stringify(check.Principal.AWS)).join(JSON.stringify(checker)));
    expect(decide(policy, checker, 'kms:DescribeKey')).toBe('ALLOW');
    expect(decide(policy, checker, 'kms:GetKeyPolicy')).toBe('ALLOW');
    for (const action of ['kms:Decrypt', 'kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:CreateGrant']) {
      expect([action, decide(policy, checker, action)]).not.toEqual([action, 'ALLOW']);
    }
    // The role is the primary stack's (it must exist before the gate creates the replica), and has no policy of its own.
    const roles = Object.entries(Template.fromStack(primaryStack).findResources('AWS::IAM::Role'))
      .filter(([, r]) => /checks gated replicas/.test(r.Properties.Description));
    expect(roles).toHaveLength(1);
    const [[roleId, role]] = roles;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }]);
    expect(role.Properties.Policies).toBeUndefined();
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(JSON.stringify(check.Principal.AWS)).toContain(`FnGetAtt${roleId}Arn`);
  });

  test('evidence: dual control SATISFIED for the replica, saying that replication goes through the gate and how', () => {
    const record = EvidenceLedger.of(app).keys.find((k) => k.constructName === 'ReplicaKey')!;
    expect(record.regions).toEqual([REPLICA_REGION]);
    expect(record.parent).toBe('Primary/CardKey');
    const entries = EvidenceLedger.of(app).evidenceFor(Control.PCI_3_7_6, replica.node.path);
    // The replica's key policy, evaluated like every dual-control key's, and how the replica came to exist.
    expect(entries.map((e) => [e.setting, e.status])).toEqual([['KeyPolicy', EvidenceStatus.SATISFIED], ['replication (ReplicateKey)', EvidenceStatus.SATISFIED]]);
    const entry = entries[1];
    expect(JSON.stringify(entry)).toMatch(/replicated only through the dual-control gate: no AWS::KMS::ReplicaKey; the primary's policy allows ReplicateKey to the gate's executor alone/);
    expect(JSON.stringify(entry)).toMatch(/kms:ReplicaRegion to eu-central-1 \(regions the profile allows\)/);
    expect(JSON.stringify(entry)).toMatch(/Custom::CloudKmsReplicaCheck fails the deployment unless the replica exists/);
  });
});

describe('who may replicate the primary, decided by the IAM evaluator', () => {
  const { primaryStack, key, replica } = gated();
  replica();
  const policy = keyPolicyOf(primaryStack, key);
  const executor = statement(policy, 'AllowDualControlExecutor').Principal.AWS;
  const MFA = { 'aws:MultiFactorAuthPresent': 'true' };

  test('only the gate\'s executor replicates, and only into the replica region the profile allows', () => {
    expect(decide(policy, executor, 'kms:ReplicateKey', { 'kms:ReplicaRegion': REPLICA_REGION })).toBe('ALLOW');
    for (const region of ['ap-south-1', 'us-east-1', PRIMARY_REGION]) {
      expect([region, decide(policy, executor, 'kms:ReplicateKey', { 'kms:ReplicaRegion': region })]).toEqual([region, 'EXPLICIT_DENY']);
    }
    expect(statement(policy, 'DenyReplicationOutsideAllowedRegions').Condition).toEqual({ StringNotEquals: { 'kms:ReplicaRegion': [REPLICA_REGION] } });
  });

  test('the deployment roles, an administrator and an approver alone cannot replicate into any region', () => {
    for (const who of [PRIMARY_DEPLOYER, REPLICA_DEPLOYER, arn('KeyAdmin'), arn('ApproverA'), arn('ApproverB'), arn('OrdersService')]) {
      for (const region of [REPLICA_REGION, 'ap-south-1']) {
        expect([who, region, decide(policy, who, 'kms:ReplicateKey', { 'kms:ReplicaRegion': region, ...MFA })]).not.toEqual([who, region, 'ALLOW']);
      }
      expect(decide(policy, who, 'kms:UpdatePrimaryRegion', MFA)).not.toBe('ALLOW');
    }
    // No AllowReplicaCreation statement: CloudFormation never replicates a dual-control key.
    expect(policy.Statement.some((s) => String(s.Sid).startsWith('AllowReplicaCreation'))).toBe(false);
  });
});

describe('refused at synthesis', () => {
  test('a replica region outside the profile', () => {
    const { replica } = gated('us-east-1');
    // The replica stack's audit sink is refused first, by the same residency check every construct runs.
    expect(replica).toThrow(/env.region of stack Replica \(where .* is\) must be one of profile PCI_EU's allowedRegions \[eu-west-1, eu-central-1\], got 'us-east-1'/);
  });

  test('options the gate\'s ReplicateKey request cannot carry', () => {
    const { replicaStack, key } = gated();
    expect(() => key.replicateTo(replicaStack, 'A', { auditSink: sinkFor(replicaStack, PCI_EU), description: 'cards' }))
      .toThrow(/description is not supported for Replica\/A: the dual-control gate creates the replica/);
    expect(() => key.replicateTo(replicaStack, 'B', { auditSink: sinkFor(replicaStack, PCI_EU, 'Audit2'), enabled: false }))
      .toThrow(/enabled must be true \(or unset\) for Replica\/B/);
  });

  test('the CloudFormation path (AWS::KMS::ReplicaKey) still refuses a dual-control primary', () => {
    const { key } = gated();
    expect(() => checkNotDualControl(replicationSourceOf(key)!, 'Replica/R'))
      .toThrow(/is under dual control \(profile PCI_EU\), so CloudFormation cannot create its replica Replica\/R/);
  });

  test('a grant on the gated replica is checked for separation of duties like the primary\'s', () => {
    const { replica } = gated();
    expect(() => replica().grantDecrypt(new iam.ArnPrincipal(arn('KeyAdmin')))).toThrow(/separation of duties|both/i);
  });
});

describe('the envelope function takes a gated replica under the same residency profile (final review of issue 19)', () => {
  test('a function in the replica\'s stack gets its data keys from the replica there', () => {
    const { replicaStack, replica } = gated();
    const r = replica();
    expect(() => new aws.EnvelopeEncryptionFunction(replicaStack, 'Envelope', { key: r, requiredContextKeys: ['tenant'], profile: PCI_EU }))
      .not.toThrow();
    const fnEnv = Object.values(Template.fromStack(replicaStack).findResources('AWS::Lambda::Function'))
      .map((f: any) => f.Properties.Environment?.Variables ?? {}).find((v: any) => v.ENVELOPE_KEY_ARN !== undefined) as any;
    expect(JSON.stringify(fnEnv.ENVELOPE_KEY_ARN)).toContain('CardReplica');
  });
});

describe('the gated stacks against cfn-lint and the rule pack; a gated ByokImport replica', () => {
  test('both stacks lint clean and the rule pack finds nothing non-compliant', () => {
    const { primaryStack, replicaStack, replica } = gated();
    replica();
    const stacks = [primaryStack, replicaStack];
    const templates = stacks.map((s) => Template.fromStack(s).toJSON());
    const matches = cfnLint(Object.fromEntries(templates.map((t, i) => [`Gated${i}`, t])));
    expect(matches.filter((m) => !ACCEPTED_WARNINGS.includes(m.Rule.Id)).map((m) => `${m.Level} ${m.Rule.Id} ${m.Message}`)).toEqual([]);
    const pack = new KmsRulePack(PCI_EU);
    // Each template is judged in its stack's region, as `cloud-kms check` reads it from the cloud assembly's manifest.
    const findings = templates.flatMap((t, i) => pack.check(t, undefined, templates.filter((x) => x !== t), stacks[i].region));
    expect(findings.filter((f) => f.result !== RuleResult.NOT_APPLICABLE).length).toBeGreaterThan(0);
    expect(findings.filter((f) => f.result === RuleResult.NON_COMPLIANT).map((f) => `${f.rule} ${f.resource}: ${f.message}`)).toEqual([]);
  });

  test('CloudKms-AwsNoKeyMaterialInOutputs ignores long logical ids in Ref/Fn::GetAtt, still flags material beside them', () => {
    const rule = new KmsRulePack(PCI_EU);
    const logicalId = 'CloudKmsDualControlGateExecutorRole04E470AA';
    const output = (value: unknown) => ({ Resources: {}, Outputs: { Policy: { Value: value } } });
    const verdict = (t: any) => rule.check(t).filter((f) => f.rule === 'CloudKms-AwsNoKeyMaterialInOutputs').map((f) => f.result);
    expect(verdict(output({ 'Fn::Join': ['', ['{"AWS":"', { 'Fn::GetAtt': [logicalId, 'Arn'] }, '", "x":"', { Ref: logicalId }, '"}']] })))
      .toEqual([RuleResult.COMPLIANT]);
    const material = 'q83vEjRWeJASNFZ4kBI0VniQEjRWeJASNFZ4kBI0Vng=';
    expect(verdict(output({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId, 'Arn'] }, material]] }))).toEqual([RuleResult.NON_COMPLIANT]);
  });

  test('a ByokImport primary under dual control: gated replica, its ARN output for the import, the importers in its policy', () => {
    const app = new App();
    const primaryStack = new Stack(app, 'Primary', { env: { account: ACCOUNT, region: PRIMARY_REGION } });
    const replicaStack = new Stack(app, 'Replica', { env: { account: ACCOUNT, region: REPLICA_REGION }, crossRegionReferences: true });
    const key = byokFor(primaryStack, PCI_EU, 'Imported', { multiRegion: true });
    const replica = key.replicateTo(replicaStack, 'ImportedReplica', { auditSink: sinkFor(replicaStack, PCI_EU) });
    expect(replica.gated).toBe(true);
    const template = Template.fromStack(replicaStack);
    template.resourceCountIs('AWS::KMS::ReplicaKey', 0);
    const outputs = template.toJSON().Outputs;
    const id = Object.keys(outputs).find((k) => k.startsWith('ImportedReplicaKeyArnForImport'))!;
    expect(outputs[id].Value).toEqual(replicaStack.resolve(replica.keyArn));
    const policy = checkOf(replicaStack).Properties.Policy;
    expect(JSON.stringify(statement(policy, 'AllowKeyMaterialImport').Principal)).toContain(arn('KeyImporter'));
  });
});

test('one replica stack holds gated replicas of primaries in two stacks: one check provider per primary stack\'s check role', () => {
  const app = new App();
  const replicaStack = new Stack(app, 'Replica', { env: { account: ACCOUNT, region: REPLICA_REGION }, crossRegionReferences: true });
  const sink = sinkFor(replicaStack, PCI_EU);
  const replicas = ['PrimaryA', 'PrimaryB'].map((name) => {
    const stack = new Stack(app, name, { env: { account: ACCOUNT, region: PRIMARY_REGION } });
    return cmkFor(stack, PCI_EU, 'CardKey', { multiRegion: true }).replicateTo(replicaStack, `${name}Replica`, { auditSink: sink });
  });
  app.synth();
  const checks = Object.values(Template.fromStack(replicaStack).findResources('Custom::CloudKmsReplicaCheck')) as any[];
  expect(checks).toHaveLength(2);
  expect(new Set(checks.map((c) => JSON.stringify(c.Properties.ServiceToken))).size).toBe(2);
  expect(replicas.map((r) => r.gated)).toEqual([true, true]);
});
