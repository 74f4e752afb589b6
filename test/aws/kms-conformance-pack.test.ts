/*
 * Issue 18, continuous evidence on AWS: KmsConformancePack deploys AWS Config rules per account and region: four AWS
 * managed rules and the Guard custom policy rules generated from the rule pack. The policy text the template carries is
 * run in the real cfn-guard engine against deployed keys' configuration items, so what is tested is what is deployed.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { KmsConformancePack } from '../../src/aws';
import { conformanceTemplateBody, ConformanceRule, MAX_CONFORMANCE_TEMPLATE_BYTES } from '../../src/aws/private/conformance-rules';
import { GUARD_RULES, guardPolicyText, KeyDeletionWindowGuard, KeyRotationGuard } from '../../src/compliance/rules/aws/guard';
import { EvidenceLedger } from '../../src/core/evidence';
import { Enforcement } from '../../src/core/guardrails';
import { AUDIT_LOGGING_CONTROLS, DELETION_CONTROLS, ROTATION_CONTROLS } from '../../src/core/key-evidence';
import { ComplianceProfile } from '../../src/core/profile';
import { runGuard } from '../support/cfn-guard';
import { ACCEPTED_WARNINGS, cfnLint } from '../support/cfn-lint';

function synth(props: Partial<ConstructorParameters<typeof KmsConformancePack>[2]> = {}, env = { account: '111111111111', region: 'eu-west-1' }) {
  const app = new App();
  const stack = new Stack(app, 'Baseline', { env });
  const pack = new KmsConformancePack(stack, 'KmsRules', { profile: ComplianceProfile.PCI_DSS, ...props });
  const template = Template.fromStack(stack);
  const packs = template.findResources('AWS::Config::ConformancePack');
  expect(Object.keys(packs)).toHaveLength(1);
  const body = JSON.parse(Object.values(packs)[0].Properties.TemplateBody);
  return { stack, pack, template, body, rules: Object.values(body.Resources) as any[] };
}

function ci(keyState: string, rotation: unknown): any {
  return {
    resourceType: 'AWS::KMS::Key',
    configuration: { keyManager: 'CUSTOMER', origin: 'AWS_KMS', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', keyState },
    supplementaryConfiguration: { KeyRotationStatus: rotation },
  };
}

describe('KmsConformancePack', () => {
  test('one conformance pack whose template holds only Config rules: the four managed rules and one Guard rule per generator', () => {
    const { template, body, rules } = synth();
    template.hasResourceProperties('AWS::Config::ConformancePack', { ConformancePackName: 'cloud-kms-pci-dss' });
    expect(Object.keys(body)).toEqual(['Resources']);
    expect(rules.every((r) => r.Type === 'AWS::Config::ConfigRule')).toBe(true);
    const managed = rules.filter((r) => r.Properties.Source.Owner === 'AWS').map((r) => r.Properties.Source.SourceIdentifier);
    expect(managed).toEqual(['CMK_BACKING_KEY_ROTATION_ENABLED', 'KMS_CMK_NOT_SCHEDULED_FOR_DELETION', 'CLOUD_TRAIL_ENABLED',
      'CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED']);
    const custom = rules.filter((r) => r.Properties.Source.Owner === 'CUSTOM_POLICY');
    expect(custom).toHaveLength(GUARD_RULES.length);
    for (const r of custom) {
      expect(r.Properties.Scope).toEqual({ ComplianceResourceTypes: ['AWS::KMS::Key'] });
      expect(r.Properties.Source.CustomPolicyDetails.PolicyRuntime).toBe('guard-2.x.x');
      expect(r.Properties.Source.SourceDetails).toEqual([
        { EventSource: 'aws.config', MessageType: 'ConfigurationItemChangeNotification' },
        { EventSource: 'aws.config', MessageType: 'OversizedConfigurationItemChangeNotification' },
      ]);
      expect(r.Properties.Description.length).toBeLessThanOrEqual(256);
    }
    const names = rules.map((r) => r.Properties.ConfigRuleName);
    expect(new Set(names).size).toBe(names.length);
    expect(names.every((n) => n.startsWith('cloud-kms-pci-dss-') && n.length <= 128)).toBe(true);
  });

  test.each(ComplianceProfile.builtIns().map((p) => [p.name, p]))('profile %s: the deployed policy text is the generator\'s, with the profile\'s thresholds', (_n, profile) => {
    const { rules } = synth({ profile });
    const texts = rules.filter((r) => r.Properties.Source.Owner === 'CUSTOM_POLICY').map((r) => r.Properties.Source.CustomPolicyDetails.PolicyText);
    expect(texts).toEqual(GUARD_RULES.map((g) => guardPolicyText(g, profile)));
    expect(texts.join()).toContain(`configuration.pendingDeletionWindowInDays >= ${profile.minDeletionWindowDays}`);
  });

  test('the Guard rules as deployed judge a deployed key: rotation switched off and a scheduled deletion are non-compliant', () => {
    const { rules } = synth();
    const text = (name: string) => rules.find((r) => r.Properties.ConfigRuleName === `cloud-kms-pci-dss-${name}`).Properties.Source.CustomPolicyDetails.PolicyText;
    const rotation = runGuard(text('key-rotation'), { on: ci('Enabled', true), off: ci('Enabled', false) });
    expect([rotation.on.status, rotation.off.status]).toEqual(['PASS', 'FAIL']);
    const deletion = runGuard(text('key-deletion-window'), { kept: ci('Enabled', true), scheduled: ci('PendingDeletion', true) });
    expect([deletion.kept.status, deletion.scheduled.status]).toEqual(['PASS', 'FAIL']);
  });

  test('every rule registers a detective guardrail with the controls of what it mirrors, and says what it cannot see', () => {
    const { stack, pack } = synth({ targets: ['ou-abcd-11111111'] });
    const records = EvidenceLedger.of(stack).guardrails;
    expect(records.map((r) => r.name)).toEqual(pack.configRuleNames);
    expect(records.every((r) => r.enforcement === Enforcement.DETECTIVE && r.cloud === 'aws' && r.profile === 'PCI_DSS')).toBe(true);
    expect(records.every((r) => JSON.stringify(r.targets) === '["ou-abcd-11111111"]' && r.stack === 'Baseline')).toBe(true);
    const byName = (suffix: string) => records.find((r) => r.name === `cloud-kms-pci-dss-${suffix}`)!;
    expect(byName('key-rotation').controls).toEqual(KeyRotationGuard.rule.controls);
    expect(byName('key-rotation').controls).toEqual(ROTATION_CONTROLS);
    expect(byName('key-rotation').mechanism).toBe('AWS Config custom policy rule (Guard)');
    expect(byName('key-rotation').description).toMatch(/partly: the rotation period .* is not in the AWS::KMS::Key configuration item/);
    expect(byName('key-deletion-window').controls).toEqual(KeyDeletionWindowGuard.rule.controls);
    expect(byName('key-deletion-window').description).toMatch(/partly: the deletion window/);
    expect(byName('cmk-not-scheduled-for-deletion').controls).toEqual(DELETION_CONTROLS);
    expect(byName('cloudtrail-enabled').controls).toEqual(AUDIT_LOGGING_CONTROLS);
    expect(byName('cmk-rotation-enabled').mechanism).toBe('AWS Config managed rule');
    expect(records.every((r) => /reports only while AWS Config records/.test(r.description))).toBe(true);
  });

  test('the targets default to the stack\'s account, or say so when it is known only at deployment', () => {
    expect(EvidenceLedger.of(synth().stack).guardrails[0].targets).toEqual(['111111111111']);
    const agnostic = synth({}, {} as any);
    expect(EvidenceLedger.of(agnostic.stack).guardrails[0].targets).toEqual(['the account the stack is deployed to']);
  });

  test('cfn-lint: the stack and the pack\'s own template are clean', () => {
    const { template, body } = synth();
    const matches = cfnLint({ Baseline: template.toJSON(), Pack: { AWSTemplateFormatVersion: '2010-09-09', ...body } })
      .filter((m) => !ACCEPTED_WARNINGS.includes(m.Rule.Id));
    expect(matches).toEqual([]);
  });

  test.each([
    [{ conformancePackName: '1-starts-with-a-digit' }, /conformancePackName must start with a letter .* got 1-starts-with-a-digit/],
    [{ conformancePackName: 'under_score' }, /conformancePackName must start with a letter .* got under_score/],
    [{ conformancePackName: `p${'a'.repeat(110)}` }, /conformancePackName must leave Config rule names within 128 characters, got pa+, which makes 1\d\d/],
    [{ profile: undefined }, /profile must be a ComplianceProfile, got nothing/],
  ])('bad input %o is refused', (props, message) => {
    expect(() => synth(props as any)).toThrow(message);
  });

  test('a pack template over 51,200 bytes is refused at synthesis (Config would refuse it at deploy time)', () => {
    const rule = (i: number): ConformanceRule => ({
      logicalId: `Rule${i}`,
      configRuleName: `r${i}`,
      mechanism: 'm',
      evidence: 'e',
      partial: 'p',
      controls: [],
      resource: { Type: 'AWS::Config::ConfigRule', Properties: { Description: 'x'.repeat(200) } },
    });
    const within = Array.from({ length: 100 }, (_, i) => rule(i));
    expect(Buffer.byteLength(conformanceTemplateBody(within))).toBeLessThanOrEqual(MAX_CONFORMANCE_TEMPLATE_BYTES);
    const over = Array.from({ length: 300 }, (_, i) => rule(i));
    expect(() => conformanceTemplateBody(over)).toThrow(/at most 51200 bytes \(TemplateBody's limit\), got \d{5}/);
  });
});

test('no Config rule is recorded as judging its controls in full: each says what it does not judge, and that nothing is judged without a recorder', () => {
  const stack = new Stack(new App(), 'Pack', { env: { account: '111111111111', region: 'us-east-1' } });
  new KmsConformancePack(stack, 'Rules', { profile: ComplianceProfile.PCI_DSS });
  const records = EvidenceLedger.of(stack).guardrails;
  expect(records.length).toBe(7);
  for (const r of records) expect([r.name, r.partial]).toEqual([r.name, expect.stringContaining('configuration recorder')]);
  expect(records.find((r) => r.name.endsWith('cmk-rotation-enabled'))!.partial).toContain("not that its period is within the profile's");
});
