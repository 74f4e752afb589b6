import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, CfnParameter, CustomResource, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import { ComplianceProfile, Control, EvidenceLedger } from '../../src';
import * as aws from '../../src/aws';
import { CliIo, run } from '../../src/cli/main';
import { KmsRulePack } from '../../src/compliance/pack';
import { KeyDeletionWindow } from '../../src/compliance/rules/aws/key-deletion-window';
import { KeyRotation } from '../../src/compliance/rules/aws/key-rotation';
import { RuleResult } from '../../src/compliance/rules/rule';
import { ACCEPTED_WARNINGS, cfnLint } from '../support/cfn-lint';
import { ACCOUNT, cmkFor, hsmVpc, newStack, people, REGION, templateOf, templatesOf } from '../support/fixtures';

// Finding 6 of issue 13: a compliance-relevant value that is a token is bounded at deploy time or refused.
const SOC2 = ComplianceProfile.SOC2;

function paramKey(over: Partial<{ type: string; minValue: number; maxValue: number; default: number }> = {}, profile = SOC2) {
  const stack = newStack();
  const days = new CfnParameter(stack, 'RotationDays', { type: 'Number', ...over });
  const key = cmkFor(stack, profile, 'OrdersKey', { rotation: Duration.days(days.valueAsNumber) });
  return { stack, key, days };
}

describe('a rotation period from a Number parameter is bounded by CloudFormation before deployment', () => {
  test('MinValue/MaxValue to KMS\'s minimum and the profile\'s maximum, and a rule listing every allowed whole number', () => {
    const { stack } = paramKey();
    const t = templateOf(stack).toJSON();
    expect(t.Parameters.RotationDays).toMatchObject({ Type: 'Number', MinValue: 90, MaxValue: 365 });
    const key = Object.entries(t.Resources).find(([id]) => id.startsWith('OrdersKey'))![1] as any;
    expect(key.Properties).toMatchObject({ EnableKeyRotation: true, RotationPeriodInDays: { Ref: 'RotationDays' } });
    const rules = Object.entries(t.Rules ?? {}).filter(([id]) => id.startsWith('CloudKmsBound')).map(([, r]) => r) as any[];
    expect(rules).toHaveLength(1);
    const [assertion] = rules[0].Assertions;
    const [allowed, value] = assertion.Assert['Fn::Contains'];
    expect(value).toEqual({ Ref: 'RotationDays' });
    expect(allowed).toHaveLength(276);
    expect([allowed[0], allowed[275]]).toEqual(['90', '365']);
    expect(allowed).not.toContain('366');
    expect(assertion.AssertDescription).toBe('RotationDays (rotation of Test/OrdersKey) must be a whole number of days from 90 to 365 (profile SOC2 and KMS)');
  });

  test('the template passes cfn-lint', () => {
    const { stack } = paramKey();
    expect(cfnLint({ Test: templateOf(stack).toJSON() }).filter((m) => !ACCEPTED_WARNINGS.includes(m.Rule.Id))).toEqual([]);
  });

  test('the evidence says it was bounded at deploy time, never an object', () => {
    const { key } = paramKey();
    const [e] = EvidenceLedger.of(key).evidenceFor(Control.NIST_800_57_CRYPTOPERIOD, key.node.path);
    expect(e.value).toBe('a deploy-time value (parameter RotationDays, bounded to 90..365 days)');
    expect(e.description).toMatch(/every 90 to 365 days, chosen at deploy time \(parameter RotationDays\); CloudFormation refuses any other value/);
  });

  test('bounds the parameter already has are kept where they are narrower', () => {
    const { stack } = paramKey({ minValue: 120, maxValue: 200, default: 180 });
    expect(templateOf(stack).toJSON().Parameters.RotationDays).toMatchObject({ MinValue: 120, MaxValue: 200, Default: 180 });
  });

  test('a deletion window from a parameter is bounded to the profile\'s minimum and KMS\'s maximum', () => {
    const stack = newStack();
    const window = new CfnParameter(stack, 'Window', { type: 'Number' });
    const key = cmkFor(stack, ComplianceProfile.PCI_DSS, 'CardKey', { deletionWindow: Duration.days(window.valueAsNumber) });
    expect(templateOf(stack).toJSON().Parameters.Window).toMatchObject({ MinValue: 30, MaxValue: 30 });
    const deletion = EvidenceLedger.of(key).evidenceFor(Control.PCI_3_7_5, key.node.path)[0];
    expect(deletion.value).toBe('a deploy-time value (parameter Window, bounded to 30..30 days), Retain');
  });

  test('a tenant hierarchy\'s keys in nested stacks: the parent\'s parameter is bounded, and the rule pack follows it', () => {
    const app = new App();
    const stack = new Stack(app, 'Tenants', { env: { account: ACCOUNT, region: REGION } });
    const days = new CfnParameter(stack, 'RotationDays', { type: 'Number' });
    const p = people();
    new aws.TenantKeyHierarchy(stack, 'Hierarchy', {
      profile: ComplianceProfile.COMMERCIAL,
      custodians: { administrators: [p.admin], users: [p.user] },
      rotation: Duration.days(days.valueAsNumber),
      tenants: [{ tenantId: 'acme' }],
    });
    const templates = templatesOf(stack);
    expect(templates.Tenants.Parameters.RotationDays).toMatchObject({ MinValue: 90, MaxValue: 365 });
    const shard = Object.entries(templates).find(([name]) => name !== 'Tenants')![1];
    const pack = new KmsRulePack(ComplianceProfile.COMMERCIAL);
    const rotation = pack.check(shard, 'aws', [templates.Tenants]).filter((f) => f.rule === KeyRotation.id);
    expect(rotation.map((f) => f.result)).toEqual([RuleResult.COMPLIANT]);
    expect(rotation[0].message).toBe('rotates every a deploy-time value (parameter RotationDays, bounded to 90..365 days)');
  });
});

test('a CloudHSM cluster\'s HSM count from a parameter is bounded to 2..28 and passed as a reference', () => {
  const stack = newStack();
  const count = new CfnParameter(stack, 'HsmCount', { type: 'Number' });
  const cluster = new aws.CloudHsmCluster(stack, 'Hsm', { vpc: hsmVpc(stack), acknowledgeHourlyCost: true, hsmCount: count.valueAsNumber });
  const t = templateOf(stack).toJSON();
  expect(t.Parameters.HsmCount).toMatchObject({ MinValue: 2, MaxValue: 28 });
  const resource = Object.values(t.Resources).find((r: any) => r.Type === 'Custom::CloudKmsHsmCluster') as any;
  expect(resource.Properties.HsmCount).toEqual({ Ref: 'HsmCount' });
  const [e] = EvidenceLedger.of(cluster).evidenceFor(Control.NIST_SC_12_1, cluster.node.path);
  expect(e.value).toMatch(/^a deploy-time value \(parameter HsmCount, bounded to 2\.\.28 HSMs\), 90, retain/i);
});

describe('a token that cannot be bounded is refused, naming the prop', () => {
  test.each<[string, (s: Stack) => number, RegExp]>([
    ['a resource attribute', (s) => Token.asNumber(new CustomResource(s, 'Days', { serviceToken: 'arn:aws:lambda:us-east-1:111111111111:function:f' }).getAtt('Days')),
      /rotation is a deploy-time value that cannot be bounded before deployment \(not a reference to a CfnParameter of type Number\)/],
    ['a lazy value', () => Lazy.number({ produce: () => 400 }), /rotation is a deploy-time value that cannot be bounded before deployment/],
  ])('%s', (_what, value, message) => {
    const stack = newStack();
    expect(() => cmkFor(stack, SOC2, 'OrdersKey', { rotation: Duration.days(value(stack)) })).toThrow(message);
  });

  test('a parameter whose default or range lies outside the profile', () => {
    expect(() => paramKey({ default: 400 })).toThrow('rotation comes from parameter RotationDays, whose default must be a whole number from 90 to 365 days (profile SOC2 and KMS), got 400');
    expect(() => paramKey({ minValue: 400 })).toThrow(/rotation comes from parameter RotationDays, whose MinValue..MaxValue \(400..-\) leaves no value in 90..365 days/);
  });

  test('a period in hours from a parameter', () => {
    const stack = newStack();
    const hours = new CfnParameter(stack, 'Hours', { type: 'Number' });
    expect(() => cmkFor(stack, SOC2, 'OrdersKey', { rotation: Duration.hours(hours.valueAsNumber) }))
      .toThrow('rotation must be Duration.days(...) when its amount is a deploy-time value, got a token in hours');
  });
});

describe('the rule pack and cloud-kms check print what a deploy-time value is bounded to', () => {
  const key = (props: any) => ({ Type: 'AWS::KMS::Key', DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true, ...props } });
  const template = (param: any, props: any) => ({ Parameters: { Days: { Type: 'Number', ...param } }, Resources: { Key: key(props) } });
  const verdict = (rule: any, t: any, profile = SOC2) => rule.evaluate(t, { profile }).map((f: any) => [f.result, f.message]);

  test('rotation', () => {
    expect(verdict(KeyRotation, template({ MinValue: 90, MaxValue: 365 }, { RotationPeriodInDays: { Ref: 'Days' } }))).toEqual([
      [RuleResult.COMPLIANT, 'rotates every a deploy-time value (parameter Days, bounded to 90..365 days)'],
    ]);
    expect(verdict(KeyRotation, template({}, { RotationPeriodInDays: { Ref: 'Days' } }))).toEqual([
      [RuleResult.NON_COMPLIANT, 'rotates every a deploy-time value (parameter Days, unbounded), which may be longer than profile SOC2\'s 365 days'],
    ]);
    expect(verdict(KeyRotation, template({}, { RotationPeriodInDays: { 'Fn::GetAtt': ['X', 'Days'] } }))).toEqual([
      [RuleResult.NON_COMPLIANT, 'rotates every a CloudFormation expression that cannot be checked before deployment, which may be longer than profile SOC2\'s 365 days'],
    ]);
  });

  test('deletion window', () => {
    expect(verdict(KeyDeletionWindow, template({ MinValue: 7, MaxValue: 30 }, { PendingWindowInDays: { Ref: 'Days' } }), ComplianceProfile.COMMERCIAL)).toEqual([
      [RuleResult.COMPLIANT, 'deletion window of a deploy-time value (parameter Days, bounded to 7..30 days), retained'],
    ]);
    const pci = KeyDeletionWindow.evaluate(template({ MinValue: 7 }, { PendingWindowInDays: { Ref: 'Days' } }), { profile: ComplianceProfile.PCI_DSS });
    expect(pci.map((f) => [f.result, f.message])).toEqual([[RuleResult.NON_COMPLIANT,
      'deletion window of a deploy-time value (parameter Days, bounded to 7..unbounded days), which may be shorter than profile PCI_DSS\'s 30 days']]);
  });

  test('cloud-kms check on a synthesized SOC2 key whose rotation is a parameter', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-deploy-time-'));
    const app = new App({ outdir: dir });
    const stack = new Stack(app, 'Orders', { env: { account: ACCOUNT, region: REGION } });
    const days = new CfnParameter(stack, 'RotationDays', { type: 'Number' });
    cmkFor(stack, SOC2, 'OrdersKey', { rotation: Duration.days(days.valueAsNumber) });
    app.synth();
    const out: string[] = [];
    const io: CliIo = {
      stdout: (t) => out.push(t),
      stderr: () => undefined,
      kms: () => { throw new Error('no KMS'); },
      azureKeys: () => { throw new Error('no Azure'); },
      gcpKms: () => { throw new Error('no Google Cloud'); },
      now: () => new Date(),
    };
    expect(await run(['check', join(dir, 'Orders.template.json'), '--profile', 'SOC2'], io)).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/PASS {2}CloudKms-AwsKeyRotation +OrdersKey[0-9A-F]{8} \[SOC2\]: rotates every a deploy-time value \(parameter RotationDays, bounded to 90\.\.365 days\)/);
    expect(text).not.toMatch(/object Object/);
  });
});

