import { mkdtempSync, readdirSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, Validations } from 'aws-cdk-lib';
import { ComplianceProfile, Control } from '../../src';
import { KmsRulePack } from '../../src/compliance/pack';
import { registerRule, ruleControls, RULES } from '../../src/compliance/rules/registry';
import { cfnResources, finding, KmsRule, RuleCloud, RuleResult } from '../../src/compliance/rules/rule';
import { KmsRulesPlugin } from '../../src/compliance/validation-plugin';
import { cmkFor, newStack } from '../support/fixtures';

const PCI = ComplianceProfile.PCI_DSS;
const ID = 'CloudKms-AwsThrowawayRegistryTest';

/** A rule that exists only in this test: every KMS key is non-compliant. */
const THROWAWAY: KmsRule = {
  id: ID,
  cloud: 'aws',
  description: 'a rule registered by a test',
  controls: [Control.NIST_AU_6],
  evaluate(template) {
    return cfnResources(template, 'AWS::KMS::Key').map(([id]) => finding(ID, id, false, 'flagged by the throwaway rule'));
  },
};

/** Synthesizes one PCI key with the plugin; returns the plugin's violations and the compliance report's JSON. */
function synth(plugin: KmsRulesPlugin): { violations: any[]; report: any } {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'registry-')) });
  cmkFor(newStack('Keys', app), PCI, 'CardKey');
  Validations.of(app).addPlugins(plugin);
  try {
    app.synth();
  } catch {
    // A failed validation throws after writing validation-report.json (and the compliance report).
  }
  const validation = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8'));
  return {
    violations: validation.pluginReports.flatMap((p: any) => p.violations),
    report: JSON.parse(readFileSync(join(app.outdir, 'compliance-report.json'), 'utf8')),
  };
}

const template = { Resources: { Key: { Type: 'AWS::KMS::Key', DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true } } } };

describe('the rule registry (RULES.<cloud>)', () => {
  test('a rule registered through the registry alone is in the pack\'s findings, the CDK plugin\'s report and the compliance report, and is gone once removed', () => {
    const remove = registerRule(THROWAWAY);
    try {
      expect(RULES.aws).toContain(THROWAWAY);
      expect(ruleControls()[ID]).toEqual([Control.NIST_AU_6.id]);
      // The pack.
      expect(new KmsRulePack(PCI).violations(template)).toContainEqual({ rule: ID, resource: 'Key', result: RuleResult.NON_COMPLIANT, message: 'flagged by the throwaway rule' });
      // The CDK validation plugin: its rule list and its report, with the rule's controls.
      const plugin = new KmsRulesPlugin();
      expect(plugin.ruleIds).toContain(ID);
      const { violations, report } = synth(plugin);
      expect(violations).toContainEqual(expect.objectContaining({
        ruleName: ID,
        description: `flagged by the throwaway rule (profile PCI_DSS; controls: ${Control.NIST_AU_6.id})`,
      }));
      // The compliance report's rule list.
      expect(report.rules).toContainEqual({ id: ID, cloud: 'aws', description: 'a rule registered by a test', controls: [Control.NIST_AU_6.id] });
    } finally {
      remove();
    }
    expect(RULES.aws).not.toContain(THROWAWAY);
    expect(ruleControls()[ID]).toBeUndefined();
    expect(new KmsRulePack(PCI).check(template).map((f) => f.rule)).not.toContain(ID);
    const { violations, report } = synth(new KmsRulesPlugin());
    expect(violations.map((v) => v.ruleName)).not.toContain(ID);
    expect(report.rules.map((r: any) => r.id)).not.toContain(ID);
  });

  test('the compliance report lists the rules of its stacks\' clouds, in the registry\'s order', () => {
    const { report } = synth(new KmsRulesPlugin());
    expect(report.rules.map((r: any) => r.id)).toEqual(RULES.aws.map((r) => r.id));
    expect(report.rules[0]).toEqual({
      id: 'CloudKms-AwsKeyRotation', cloud: 'aws', description: RULES.aws[0].description, controls: RULES.aws[0].controls.map((c) => c.id),
    });
  });

  test('registerRule refuses a second rule under a registered id, and a cloud the pack does not read', () => {
    expect(() => registerRule({ ...THROWAWAY, id: 'CloudKms-AwsKeyRotation' })).toThrow('rule.id must be unique, got CloudKms-AwsKeyRotation, which is registered');
    expect(() => registerRule({ ...THROWAWAY, cloud: 'oci' as RuleCloud })).toThrow('rule.cloud must be aws, azure or gcp, got oci');
    expect(RULES.aws.map((r) => r.id)).not.toContain(ID);
  });

  // Review of issue 17: a rule without controls used to be taken and fail synthesis later, in the plugin or the report.
  test.each<[string, Partial<KmsRule>, string | RegExp]>([
    ['no controls', { controls: undefined }, 'rule.controls must be a list of Controls (e.g. [Control.PCI_3_7_4]), got nothing'],
    ['control ids as strings', { controls: ['PCI-3.7.4'] as unknown as Control[] }, /^rule\.controls must be a list of Controls/],
    ['a blank id', { id: ' ' }, 'rule.id must be a non-empty string, got " "'],
    ['no description', { description: undefined }, 'rule.description must be a non-empty string, got nothing'],
  ])('registerRule refuses a rule with %s, by name, and registers nothing', (_what, change, message) => {
    expect(() => registerRule({ ...THROWAWAY, ...change } as KmsRule)).toThrow(message);
    expect(RULES.aws.map((r) => r.id)).not.toContain(ID);
    expect(() => ruleControls()).not.toThrow();
  });

  test.each(['aws', 'azure', 'gcp'] as RuleCloud[])('every rule file of rules/%s is in its registry list, once, and reads that cloud', (cloud) => {
    const dir = join(__dirname, '../../src/compliance/rules', cloud);
    const inFiles = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'index.ts')
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      .flatMap((f) => Object.values(require(join(dir, f))) as any[])
      .filter((v): v is KmsRule => typeof v?.evaluate === 'function' && typeof v?.id === 'string');
    expect(inFiles.length).toBeGreaterThan(5);
    expect(new Set(RULES[cloud])).toEqual(new Set(inFiles));
    expect(new Set(RULES[cloud].map((r) => r.id)).size).toBe(RULES[cloud].length);
    expect(RULES[cloud].every((r) => r.cloud === cloud)).toBe(true);
  });
});
