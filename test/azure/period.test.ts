import { Op, TerraformVariable, Testing, Token } from 'cdktf';
import * as azure from '../../src/azure';
import { KeyRotation } from '../../src/compliance/rules/azure/key-rotation';
import { RuleResult } from '../../src/compliance/rules/rule';
import { ComplianceProfile, Control, EvidenceLedger, EvidenceStatus, Period } from '../../src/core';
import { azureCmk, azureHsm, azureStack, LOCATION, one, RG, vaultNetwork } from '../support/azure';

type Json = { resource: Record<string, Record<string, any>>; variable?: Record<string, any> };
const synth = (stack: any): Json => JSON.parse(Testing.synth(stack));

describe('a literal Period renders the Terraform it rendered as a Duration', () => {
  test('rotation, expiry and notice as ISO 8601 days; the first version expiry as timeadd hours', () => {
    const stack = azureStack();
    azureCmk(stack, ComplianceProfile.COMMERCIAL, 'K', { rotation: Period.days(90), expireAfter: Period.days(120), notifyBeforeExpiry: Period.days(14) });
    const k = one(synth(stack), 'azurerm_key_vault_key');
    expect(k.rotation_policy).toEqual({ automatic: { time_after_creation: 'P90D' }, expire_after: 'P120D', notify_before_expiry: 'P14D' });
    expect(k.expiration_date).toBe('${timeadd(timestamp(), "2880h")}');
  });

  test('whole days given in hours are the same days', () => {
    const stack = azureStack();
    azureCmk(stack, ComplianceProfile.COMMERCIAL, 'K', { rotation: Period.hours(90 * 24) });
    expect(one(synth(stack), 'azurerm_key_vault_key').rotation_policy.automatic.time_after_creation).toBe('P90D');
  });

  test('soft-delete retention and audit retention', () => {
    const stack = azureStack();
    new azure.KeyVault(stack, 'V', {
      resourceGroupName: RG,
      location: LOCATION,
      network: vaultNetwork(),
      acknowledgePurgeProtectionIsPermanent: true,
      softDeleteRetention: Period.days(30),
    });
    new azure.KeyAuditSink(stack, 'Audit', { resourceGroupName: RG, location: LOCATION, immutable: false, retention: Period.days(180) });
    const json = synth(stack);
    expect(one(json, 'azurerm_key_vault').soft_delete_retention_days).toBe(30);
    expect(one(json, 'azurerm_log_analytics_workspace', /^Audit_/).retention_in_days).toBe(180);
  });
});

describe('rotation from a TerraformVariable', () => {
  const stack = azureStack();
  const days = new TerraformVariable(stack, 'rotation_days', { type: 'number', default: 180 });
  azureCmk(stack, ComplianceProfile.HIPAA, 'K', { rotation: Period.days(days.numberValue) });
  const json = synth(stack);
  const k = one(json, 'azurerm_key_vault_key');

  test('the rotation policy and the first expiry are Terraform expressions of the variable', () => {
    expect(k.rotation_policy).toEqual({
      automatic: { time_after_creation: 'P${var.rotation_days}D' },
      expire_after: 'P${(var.rotation_days + 30)}D',
      notify_before_expiry: 'P30D',
    });
    expect(k.expiration_date).toBe('${timeadd(timestamp(), "${((var.rotation_days + 30) * 24)}h")}');
  });

  test('the variable gets a validation holding it to Key Vault and the profile at plan time', () => {
    expect(json.variable!.rotation_days.validation).toEqual([{
      condition: '${(((var.rotation_days >= 7) && (var.rotation_days <= 365)) && (floor(var.rotation_days) == var.rotation_days))}',
      error_message: 'The rotation must be a whole number of days from 7 to 365 (Key Vault and profile HIPAA).',
    }]);
  });

  test('the rule pack reads the validated bound from the Terraform JSON', () => {
    expect(KeyRotation.evaluate(json, { profile: ComplianceProfile.HIPAA }).map((f) => [f.result, f.message]))
      .toEqual([[RuleResult.COMPLIANT, 'rotates every var.rotation_days days, validated to at most 365']]);
  });

  test('the rotation evidence names the variable and its bounds', () => {
    const ev = EvidenceLedger.of(stack).evidenceFor(Control.NIST_SC_12, 'test/K')[0];
    expect(ev).toMatchObject({ status: EvidenceStatus.SATISFIED, value: 'P${var.rotation_days}D, P${(var.rotation_days + 30)}D' });
    expect(ev.description).toContain('a plan-time value (variable var.rotation_days, validated to 7..365 days)');
  });
});

test('a literal expireAfter narrows the validated range of a variable rotation; a Managed HSM key is bounded the same way', () => {
  const stack = azureStack();
  const days = new TerraformVariable(stack, 'rot', { type: 'number' });
  const hsm = azureHsm(stack, ComplianceProfile.COMMERCIAL);
  hsm.addKey('K', { rotation: Period.days(days.numberValue), expireAfter: Period.days(100) });
  const json = synth(stack);
  expect(one(json, 'azurerm_key_vault_managed_hardware_security_module_key_rotation_policy')).toMatchObject({
    time_after_creation: 'P${var.rot}D', expire_after: 'P100D',
  });
  expect(json.variable!.rot.validation[0].condition).toBe('${(((var.rot >= 7) && (var.rot <= 93)) && (floor(var.rot) == var.rot))}');
  expect(json.variable!.rot.validation[0].error_message).toContain('at least 7 days shorter than expireAfter, 100 days');
});

test('one variable shared by many keys gets one validation', () => {
  const stack = azureStack();
  const days = new TerraformVariable(stack, 'rot', { type: 'number' });
  for (const id of ['A', 'B', 'C']) azureCmk(stack, ComplianceProfile.COMMERCIAL, id, { rotation: Period.days(days.numberValue) });
  expect(synth(stack).variable!.rot.validation).toHaveLength(1);
});

describe('tokens that cannot be bounded before deployment are refused naming the prop', () => {
  test.each<[string, (stack: any) => unknown, string | RegExp]>([
    ['a rotation that is not a variable', (stack) => {
      const v = new TerraformVariable(stack, 'x', { type: 'number' });
      return azureCmk(stack, ComplianceProfile.COMMERCIAL, 'K', { rotation: Period.days(Token.asNumber(Op.mul(v.numberValue, 2))) });
    }, 'rotation is a token that cannot be bounded before deployment ((var.x * 2) is not a TerraformVariable of test): pass a literal, ' +
      'or the numberValue of a TerraformVariable, which test/K validates to 7..365 days'],
    ['a variable rotation in hours', (stack) => {
      const v = new TerraformVariable(stack, 'x', { type: 'number' });
      return azureCmk(stack, ComplianceProfile.COMMERCIAL, 'K', { rotation: Period.hours(v.numberValue) });
    }, 'rotation must be Period.days(...) when its amount is a token (Key Vault takes whole days), got a token in hours'],
    ['a variable of type string', (stack) => {
      const v = new TerraformVariable(stack, 'x', { type: 'string' });
      return azureCmk(stack, ComplianceProfile.COMMERCIAL, 'K', { rotation: Period.days(v.numberValue) });
    }, 'rotation must come from a TerraformVariable of type number, got var.x of type string'],
    ['a variable whose default breaks the profile', (stack) => {
      const v = new TerraformVariable(stack, 'x', { type: 'number', default: 400 });
      return azureCmk(stack, ComplianceProfile.HIPAA, 'K', { rotation: Period.days(v.numberValue) });
    }, 'rotation comes from var.x, whose default must be a whole number from 7 to 365 days (Key Vault and profile HIPAA), got 400'],
    ['an expireAfter from a variable', (stack) => {
      const v = new TerraformVariable(stack, 'x', { type: 'number' });
      return azureCmk(stack, ComplianceProfile.COMMERCIAL, 'K', { expireAfter: Period.days(v.numberValue) });
    }, /^expireAfter must be a literal period, got a token \(var\.x\)/],
    ['a notice from a variable', (stack) => {
      const v = new TerraformVariable(stack, 'x', { type: 'number' });
      return azureCmk(stack, ComplianceProfile.COMMERCIAL, 'K', { notifyBeforeExpiry: Period.days(v.numberValue) });
    }, /^notifyBeforeExpiry must be a literal period, got a token \(var\.x\)/],
    ['a soft-delete retention from a variable', (stack) => {
      const v = new TerraformVariable(stack, 'x', { type: 'number' });
      return new azure.KeyVault(stack, 'V', {
        resourceGroupName: RG,
        location: LOCATION,
        network: vaultNetwork(),
        acknowledgePurgeProtectionIsPermanent: true,
        softDeleteRetention: Period.days(v.numberValue),
      });
    }, /^softDeleteRetention must be a literal period, got a token \(var\.x\)/],
    ['an audit retention from a variable', (stack) => {
      const v = new TerraformVariable(stack, 'x', { type: 'number' });
      return new azure.KeyAuditSink(stack, 'Audit', { resourceGroupName: RG, location: LOCATION, immutable: false, retention: Period.days(v.numberValue) });
    }, /^retention must be a literal period, got a token \(var\.x\)/],
  ])('%s', (_n, make, message) => {
    expect(() => make(azureStack())).toThrow(message);
  });
});

describe('bad literal periods are still refused naming the prop', () => {
  test.each<[string, Partial<azure.CustomerManagedKeyProps>, string | RegExp]>([
    ['negative rotation', { rotation: Period.days(-1) }, 'rotation must be between 7 and 36500 days, got -1'],
    ['rotation of a day and a half', { rotation: Period.hours(36) }, 'rotation must be a whole number of days (an ISO 8601 PnD duration), got 1 day 12 hours'],
    ['an expiry in minutes', { expireAfter: Period.minutes(90) }, 'expireAfter must be a whole number of days (an ISO 8601 PnD duration), got 1 hour 30 minutes'],
  ])('%s', (_n, props, message) => {
    expect(() => azureCmk(azureStack(), ComplianceProfile.COMMERCIAL, 'K', props)).toThrow(message);
  });
});
