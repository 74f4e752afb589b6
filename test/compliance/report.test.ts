import { existsSync, mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { App as TfApp, TerraformStack } from 'cdktf';
import { compliance, ComplianceProfile, Control } from '../../src';
import * as azure from '../../src/azure';
import { ids, LOCATION, RG, SUBSCRIPTION, vaultNetwork } from '../support/azure';
import { ACCOUNT, cmkFor, newStack, REGION } from '../support/fixtures';

const PCI = ComplianceProfile.PCI_DSS;
const outdir = () => mkdtempSync(join(tmpdir(), 'report-'));

describe('AWS: the report is written into the cloud assembly at synthesis', () => {
  const dir = outdir();
  const app = new App({ outdir: dir });
  const stack = new Stack(app, 'Payments', { env: { account: ACCOUNT, region: REGION } });
  cmkFor(stack, PCI, 'CardholderDataKey');
  app.synth();
  const report = JSON.parse(readFileSync(join(dir, 'compliance-report.json'), 'utf8'));
  const key = report.stacks[0].keys.find((k: any) => k.path === 'Payments/CardholderDataKey');

  test('per key: model, custody, profile, and every control the profile requires, with its evidence', () => {
    expect(key).toMatchObject({ construct: 'CustomerManagedKey', model: 'CUSTOMER_MANAGED', custody: 'SHARED', profile: 'PCI_DSS', cloud: 'aws' });
    expect(key.controls.map((c: any) => c.id)).toEqual(PCI.requiredControls.map((c) => c.id));
    // Every required control is satisfied, PCI DSS 3.7.6 included: the key is behind the dual-control gate.
    expect(key.controls.filter((c: any) => c.status !== 'satisfied').map((c: any) => [c.id, c.status, c.acknowledged])).toEqual([]);
    const rotation = key.controls.find((c: any) => c.id === Control.PCI_3_7_4.id);
    // Every period in days (issue 15, item 6): the value says its unit, the provider's own form is kept beside it.
    expect(rotation.evidence).toEqual([expect.objectContaining({
      resource: 'Payments/CardholderDataKey/Resource',
      setting: 'RotationPeriodInDays',
      value: '365 days',
      providerValue: '365',
      description: 'automatic key rotation every 365 days',
    })]);
    const dual = key.controls.find((c: any) => c.id === Control.PCI_3_7_6.id);
    // Issue 13, finding 2: the evidence, derived from the evaluated policy, says only the gate's executor acts.
    expect(dual.status).toBe('satisfied');
    expect(dual.evidence[0].description).toMatch(/^evaluated with @cloud-copilot\/iam-simulate [\d.]+: only the dual-control gate executor can change the policy, disable or delete the key, replicate it, change its aliases or import material, and the gate requires a second approver/);
    expect(report.summary.unmet).toEqual([]);
  });

  test('the custodians are listed by role, and a Mermaid diagram shows the hierarchy', () => {
    expect(key.custodians.map((c: any) => c.role)).toEqual(expect.arrayContaining(['ADMINISTRATOR', 'USER', 'APPROVER', 'DEPLOYER']));
    expect(key.custodians.find((c: any) => c.role === 'APPROVER')).toEqual({
      role: 'APPROVER', roleName: 'approver', identity: 'arn:aws:iam::111111111111:role/ApproverA', name: 'role/ApproverA',
    });
    // The deployment role the key policy holds as a CloudFormation expression is named by the ARN it resolves to.
    const deployer = key.custodians.find((c: any) => c.role === 'DEPLOYER');
    expect(deployer.identity).toMatch(/^arn:aws:iam::111111111111:role\/cdk-[a-z0-9]+-cfn-exec-role-/);
    expect(deployer.name).toMatch(/^role\/cdk-[a-z0-9]+-cfn-exec-role-/);
    const diagram: string = report.stacks[0].diagram;
    expect(diagram.split('\n')[0]).toBe('flowchart LR');
    expect(diagram).toContain('subgraph provider["provider custody boundary"]');
    expect(diagram).toMatch(/\(\["approver: role\/ApproverA"\]\)/);
    expect(diagram).toMatch(/n\d+\[\/"audit sink: Payments\/Audit"\/\]/);
    expect(diagram).toMatch(/ -\. events \.-> n\d+$/m);
    const md = readFileSync(join(dir, 'compliance-report.md'), 'utf8');
    expect(md).toContain('```mermaid');
    expect(md).toMatch(/\| PCI DSS v4.0 3.7.6 Split knowledge and dual control \| satisfied \| E\d+ \|/);
    expect(md).toMatch(/Custodians: administrators: role\/\w+; .*approvers: role\/ApproverA, role\/ApproverB/);
  });
});

describe('cdktf: a required control only partly satisfied fails synthesis unless acknowledged', () => {
  // AU-6 required without an audit sink: the sink's alert rules exist but notify nobody (no e-mails, no webhook).
  const ALERTED = ComplianceProfile.custom({ name: 'ALERTED', requiredControls: [Control.NIST_AU_6] });
  function azureApp(acknowledge: boolean) {
    const dir = outdir();
    const app = new TfApp({ outdir: dir });
    const stack = new TerraformStack(app, 'cards');
    new AzurermProvider(stack, 'azurerm', { features: [{}], subscriptionId: SUBSCRIPTION });
    const sink = new azure.KeyAuditSink(stack, 'Audit', { resourceGroupName: RG, location: LOCATION, profile: ALERTED, auditors: [ids.auditor], acknowledgeLockedRetention: true });
    if (acknowledge) compliance.ComplianceReport.acknowledgeControl(sink, Control.NIST_AU_6, 'alerts are read on the Azure Monitor alerts page by the on-call team');
    new azure.CustomerManagedKey(stack, 'CardKey', {
      resourceGroupName: RG,
      location: LOCATION,
      profile: ALERTED,
      auditSink: sink,
      acknowledgePurgeProtectionIsPermanent: true,
      network: vaultNetwork(),
      custodians: { administrators: [ids.admin], users: [ids.user] },
    });
    return { app, dir };
  }

  test('unacknowledged: synthesis fails naming the control and the key', () => {
    expect(() => azureApp(false).app.synth()).toThrow(/required control NIST SP 800-53 Rev. 5 AU-6 is partially satisfied for key cards\/CardKey/);
  });

  test('acknowledged: synthesis passes and the report says why', () => {
    const { app, dir } = azureApp(true);
    app.synth();
    const report = JSON.parse(readFileSync(join(dir, 'compliance-report.json'), 'utf8'));
    const control = report.stacks[0].keys[0].controls.find((c: any) => c.id === Control.NIST_AU_6.id);
    expect(control).toMatchObject({ status: 'partially satisfied', acknowledged: 'alerts are read on the Azure Monitor alerts page by the on-call team' });
    expect(report.summary).toMatchObject({ unmet: [], acknowledged: 1 });
    expect(existsSync(join(dir, 'compliance-report.md'))).toBe(true);
  });

  test('an acknowledgement needs a reason', () => {
    const stack = new Stack(new App(), 'S');
    expect(() => compliance.ComplianceReport.acknowledgeControl(stack, Control.NIST_AU_6, 'ok')).toThrow(/reason must explain the exception/);
  });
});

describe('the rule pack as a CDK policy-validation plugin', () => {
  function app(extra: (stack: Stack) => void) {
    const a = new App({ outdir: outdir() });
    const stack = newStack('Keys', a);
    extra(stack);
    Validations.of(a).addPlugins(new compliance.KmsRulesPlugin(PCI));
    return a;
  }

  test('our keys pass it', () => {
    expect(() => app((s) => cmkFor(s, PCI, 'CardKey')).synth()).not.toThrow();
  });

  test('a plain kms.Key (IAM-delegated, rotation off) fails it, by rule', () => {
    const a = app((s) => new kms.Key(s, 'Plain'));
    let message = '';
    try {
      a.synth();
    } catch (e) {
      message = (e as Error).message;
    }
    const report = JSON.parse(readFileSync(join(a.outdir, 'validation-report.json'), 'utf8'));
    const text = JSON.stringify(report) + message;
    expect(text).toContain('CloudKms-AwsKeyRotation');
    expect(text).toContain('CloudKms-AwsKeyPolicyPrincipals');
  });

  test('a finding acknowledged on the resource is suppressed', () => {
    const a = app((s) => {
      cmkFor(s, PCI, 'CardKey');
      const plain = new kms.Key(s, 'Legacy', { enableKeyRotation: true });
      Validations.of(plain).acknowledge(
        { id: 'cloud-kms-rules::CloudKms-AwsKeyPolicyPrincipals', reason: 'legacy key, migrated in Q3' },
        { id: 'cloud-kms-rules::CloudKms-AwsKeySeparationOfDuties', reason: 'legacy key, migrated in Q3' },
        { id: 'cloud-kms-rules::CloudKms-AwsKeyDualControl', reason: 'legacy key, migrated in Q3' },
        { id: 'cloud-kms-rules::CloudKms-AwsKeyDeletionWindow', reason: 'legacy key, migrated in Q3' },
      );
    });
    expect(() => a.synth()).not.toThrow();
  });
});
