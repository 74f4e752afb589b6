import { ComplianceProfile, Control } from '../../src';
import * as azureRules from '../../src/compliance/rules/azure';
import * as gcpRules from '../../src/compliance/rules/gcp';
import { RULES } from '../../src/compliance/rules/registry';
import { KmsRule, RuleResult } from '../../src/compliance/rules/rule';
import { azureCmk, azureStack, synth as azureSynth } from '../support/azure';
import { gcpCmk, gcpSink, gcpStack, synth as gcpSynth } from '../support/gcp';

const C = RuleResult.COMPLIANT;
const N = RuleResult.NON_COMPLIANT;
const NA = RuleResult.NOT_APPLICABLE;
const inRegions = (...allowedRegions: string[]) =>
  ComplianceProfile.custom({ name: `in-${allowedRegions.join('-')}`, basedOn: ComplianceProfile.COMMERCIAL, allowedRegions });
const results = (rule: KmsRule, json: any, profile: ComplianceProfile) => rule.evaluate(json, { profile }).map((f) => f.result);
const tf = (resource: any) => ({ resource });

describe('the residency rules are registered and evidence NIST SA-9(5)', () => {
  test.each([['azure', azureRules.Residency], ['gcp', gcpRules.Residency]] as const)('%s', (cloud, rule) => {
    expect(RULES[cloud]).toContain(rule);
    expect(rule.controls).toContain(Control.NIST_SA_9_5);
  });
});

describe('Azure residency rule', () => {
  const EU = inRegions('westeurope', 'northeurope');

  test('a vault is compliant only when its region and its pair are allowed', () => {
    expect(results(azureRules.Residency, tf({ azurerm_key_vault: { v: { location: 'westeurope' } } }), EU)).toEqual([C]);
    expect(results(azureRules.Residency, tf({ azurerm_key_vault: { v: { location: 'westeurope' } } }), inRegions('westeurope'))).toEqual([N]);
    expect(results(azureRules.Residency, tf({ azurerm_key_vault: { v: { location: 'eastus' } } }), EU)).toEqual([N]);
    expect(results(azureRules.Residency, tf({ azurerm_key_vault: { v: { location: '${var.where}' } } }), EU)).toEqual([N]);
  });

  test('a GRS storage account counts its pair; an LRS one only its region', () => {
    const account = (type: string) => tf({ azurerm_storage_account: { s: { location: 'westeurope', account_replication_type: type } } });
    expect(results(azureRules.Residency, account('GRS'), inRegions('westeurope'))).toEqual([N]);
    expect(results(azureRules.Residency, account('RAGRS'), inRegions('westeurope'))).toEqual([N]);
    expect(results(azureRules.Residency, account('LRS'), inRegions('westeurope'))).toEqual([C]);
    expect(results(azureRules.Residency, account('GRS'), EU)).toEqual([C]);
  });

  test('not applicable without allowedRegions, or without anything placed', () => {
    expect(results(azureRules.Residency, tf({ azurerm_key_vault: { v: { location: 'eastus' } } }), ComplianceProfile.PCI_DSS)).toEqual([NA]);
    expect(results(azureRules.Residency, tf({}), EU)).toEqual([NA]);
  });

  test('flags a synthesized stack whose vault location was edited by hand', () => {
    const stack = azureStack();
    azureCmk(stack, EU, 'Key');
    const json = azureSynth(stack);
    expect(results(azureRules.Residency, json, EU).every((r) => r === C)).toBe(true);
    const vault = Object.values(json.resource.azurerm_key_vault)[0];
    vault.location = 'eastus';
    const findings = azureRules.Residency.evaluate(json, { profile: EU });
    expect(findings.filter((f) => f.result === N)).toEqual([expect.objectContaining({ message: 'data in eastus, westus; outside allowedRegions: eastus, westus' })]);
  });
});

describe('Google residency rule', () => {
  const EU = inRegions('europe-west1', 'eu');

  test('a location is compliant only when the profile names it; global never', () => {
    expect(results(gcpRules.Residency, tf({ google_kms_key_ring: { r: { location: 'europe-west1' } } }), EU)).toEqual([C]);
    expect(results(gcpRules.Residency, tf({ google_kms_key_ring: { r: { location: 'europe' } } }), EU)).toEqual([N]);
    expect(results(gcpRules.Residency, tf({ google_kms_key_ring: { r: { location: 'global' } } }), inRegions('global'))).toEqual([N]);
    expect(results(gcpRules.Residency, tf({ google_kms_key_ring: { r: { location: '${var.where}' } } }), EU)).toEqual([N]);
  });

  test('not applicable without allowedRegions', () => {
    expect(results(gcpRules.Residency, tf({ google_kms_key_ring: { r: { location: 'global' } } }), ComplianceProfile.PCI_DSS)).toEqual([NA]);
  });

  test('flags a synthesized stack whose key ring or audit bucket location was edited by hand', () => {
    const stack = gcpStack();
    gcpCmk(stack, EU, 'Key', { auditSink: gcpSink(stack, EU, 'Audit', { location: 'EU' }) });
    const json = gcpSynth(stack);
    expect(results(gcpRules.Residency, json, EU).every((r) => r === C)).toBe(true);
    Object.values(json.resource.google_kms_key_ring)[0].location = 'us-central1';
    Object.values(json.resource.google_storage_bucket)[0].location = 'US';
    const bad = gcpRules.Residency.evaluate(json, { profile: EU }).filter((f) => f.result === N).map((f) => f.message).sort();
    expect(bad).toEqual(['location us is outside allowedRegions', 'location us-central1 is outside allowedRegions']);
  });
});
