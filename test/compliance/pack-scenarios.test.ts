import { ComplianceProfile } from '../../src';
import { KmsRulePack } from '../../src/compliance/pack';
import { RuleResult } from '../../src/compliance/rules/rule';
import { synth as azureSynth } from '../support/azure';
import { azureScenarios } from '../support/azure-scenarios';
import { templatesOf } from '../support/fixtures';
import { synth as gcpSynth } from '../support/gcp';
import { gcpScenarios } from '../support/gcp-scenarios';
import { scenarios } from '../support/scenarios';

// The whole pack over every construct and profile the snapshot suites build: what our constructs make must pass our
// own rules. (npm run examples runs it over every example app too.)
const profileOf = (name: string) => ComplianceProfile.builtIns().find((p) => name.endsWith(`/${p.name}`)) ?? ComplianceProfile.COMMERCIAL;
const violations = (pack: KmsRulePack, templates: any[], cloud: string) => templates.flatMap((t, i) =>
  pack.check(t, cloud, templates.filter((_, j) => j !== i)).filter((f) => f.result === RuleResult.NON_COMPLIANT).map((f) => `${f.rule} ${f.resource}: ${f.message}`));

test.each(scenarios().map((s) => [s.name, s]))('AWS %s passes the rule pack', (name, scenario) => {
  const templates = Object.values(templatesOf((scenario as any).build()));
  expect(violations(new KmsRulePack(profileOf(name as string)), templates, 'aws')).toEqual([]);
});

test.each([...azureScenarios(), ...gcpScenarios()].map((s) => [s.name, s]))('%s passes the rule pack', (name, scenario) => {
  const json = (name as string).startsWith('azure') ? azureSynth((scenario as any).build()) : gcpSynth((scenario as any).build());
  expect(violations(new KmsRulePack(profileOf(name as string)), [json], (name as string).split('/')[0])).toEqual([]);
});
