import { Op, TerraformVariable, Testing, Token } from 'cdktf';
import { KeyRotation } from '../../src/compliance/rules/gcp/key-rotation';
import { RuleResult } from '../../src/compliance/rules/rule';
import { ComplianceProfile, Control, EvidenceLedger, EvidenceStatus, Period } from '../../src/core';
import * as gcp from '../../src/gcp';
import { gcpCmk, gcpSink, gcpStack, one } from '../support/gcp';

type Json = { resource: Record<string, Record<string, any>>; variable?: Record<string, any> };
const synth = (stack: any): Json => JSON.parse(Testing.synth(stack));

describe('a literal Period renders the Terraform it rendered as a Duration', () => {
  test.each<[string, Period, Period, string, string]>([
    ['days', Period.days(90), Period.days(30), '7776000s', '2592000s'],
    ['hours', Period.hours(36), Period.hours(24 * 45), '129600s', '3888000s'],
    ['minutes and seconds', Period.minutes(1440), Period.seconds(86400 * 120), '86400s', '10368000s'],
  ])('%s', (_n, rotation, destroy, rotationPeriod, destroyDuration) => {
    const stack = gcpStack();
    gcpCmk(stack, ComplianceProfile.SOC2, 'K', { rotation, destroyScheduledDuration: destroy });
    expect(one(synth(stack), 'google_kms_crypto_key')).toMatchObject({ rotation_period: rotationPeriod, destroy_scheduled_duration: destroyDuration });
  });

  test('a locked bucket keeps audit records the retention in seconds', () => {
    const stack = gcpStack();
    gcpSink(stack, ComplianceProfile.COMMERCIAL, 'Audit', { retention: Period.days(400) });
    expect(one(synth(stack), 'google_storage_bucket').retention_policy).toEqual({ retention_period: 400 * 86400, is_locked: true });
  });
});

describe('rotation from a TerraformVariable', () => {
  const stack = gcpStack();
  const days = new TerraformVariable(stack, 'rotation_days', { type: 'number', default: 90 });
  gcpCmk(stack, ComplianceProfile.SOC2, 'K', { rotation: Period.days(days.numberValue) });
  const json = synth(stack);

  test('rotation_period is the variable in seconds, as a Terraform expression', () => {
    expect(one(json, 'google_kms_crypto_key').rotation_period).toBe('${(var.rotation_days * 86400)}s');
  });

  test('the variable gets a validation holding it to Cloud KMS and the profile at plan time', () => {
    expect(json.variable!.rotation_days.validation).toEqual([{
      condition: '${(((var.rotation_days >= 1) && (var.rotation_days <= 365)) && (floor(var.rotation_days) == var.rotation_days))}',
      error_message: 'The rotation must be a whole number of days from 1 to 365 (Cloud KMS and profile SOC2: 1 to 365 days).',
    }]);
  });

  test('the rule pack reads the validated bound from the Terraform JSON', () => {
    expect(KeyRotation.evaluate(json, { profile: ComplianceProfile.SOC2 }).map((f) => [f.result, f.message]))
      .toEqual([[RuleResult.NON_COMPLIANT, 'rotates every var.rotation_days days, validated to at most 365, over 90']]);
  });

  test('the rotation evidence names the variable and its bounds', () => {
    const ev = EvidenceLedger.of(stack).evidenceFor(Control.NIST_SC_12, 'test/K')[0];
    expect(ev).toMatchObject({ status: EvidenceStatus.SATISFIED, value: '${(var.rotation_days * 86400)}s' });
    expect(ev.description).toBe('Cloud KMS creates a new primary version every var.rotation_days days, ' +
      'a plan-time value (variable var.rotation_days, validated to 1..365 days)');
  });
});

test('a variable in hours is validated in hours and rendered in seconds', () => {
  const stack = gcpStack();
  const hours = new TerraformVariable(stack, 'h', { type: 'number' });
  gcpCmk(stack, ComplianceProfile.HIPAA, 'K', { rotation: Period.hours(hours.numberValue) });
  const json = synth(stack);
  expect(one(json, 'google_kms_crypto_key').rotation_period).toBe('${(var.h * 3600)}s');
  expect(json.variable!.h.validation[0].condition).toBe('${(((var.h >= 24) && (var.h <= 8760)) && (floor(var.h) == var.h))}');
});

test('a key Cloud KMS cannot rotate gets the same validation on its custodians\' schedule', () => {
  const stack = gcpStack();
  const days = new TerraformVariable(stack, 'd', { type: 'number' });
  gcpCmk(stack, ComplianceProfile.SOC2, 'K', { algorithm: gcp.KeyAlgorithm.EC_SIGN_P256_SHA256, rotation: Period.days(days.numberValue) });
  const json = synth(stack);
  expect(one(json, 'google_kms_crypto_key').rotation_period).toBeUndefined();
  expect(json.variable!.d.validation).toHaveLength(1);
  expect(EvidenceLedger.of(stack).evidenceFor(Control.NIST_SC_12, 'test/K')[0].description)
    .toContain('add a version every var.d days, a plan-time value (variable var.d, validated to 1..365 days)');
});

describe('tokens that cannot be bounded before deployment are refused naming the prop', () => {
  test.each<[string, (stack: any) => unknown, string | RegExp]>([
    ['a rotation that is an expression of a variable', (stack) => {
      const v = new TerraformVariable(stack, 'x', { type: 'number' });
      return gcpCmk(stack, ComplianceProfile.SOC2, 'K', { rotation: Period.days(Token.asNumber(Op.add(v.numberValue, 1))) });
    }, /^rotation is a token that cannot be bounded before deployment \(\(var\.x \+ 1\) is not a TerraformVariable of test\)/],
    ['a variable whose default is below a day', (stack) => {
      const v = new TerraformVariable(stack, 'x', { type: 'number', default: 12 });
      return gcpCmk(stack, ComplianceProfile.SOC2, 'K', { rotation: Period.hours(v.numberValue) });
    }, 'rotation comes from var.x, whose default must be a whole number from 24 to 8760 hours (Cloud KMS and profile SOC2: 1 to 365 days), got 12'],
    ['a destroy schedule from a variable', (stack) => {
      const v = new TerraformVariable(stack, 'x', { type: 'number' });
      return gcpCmk(stack, ComplianceProfile.SOC2, 'K', { destroyScheduledDuration: Period.days(v.numberValue) });
    }, /^destroyScheduledDuration must be a literal period, got a token \(var\.x\)/],
    ['an audit retention from a variable', (stack) => {
      const v = new TerraformVariable(stack, 'x', { type: 'number' });
      return gcpSink(stack, ComplianceProfile.COMMERCIAL, 'Audit', { retention: Period.days(v.numberValue) });
    }, /^retention must be a literal period, got a token \(var\.x\)/],
  ])('%s', (_n, make, message) => {
    expect(() => make(gcpStack())).toThrow(message);
  });
});

describe('bad literal periods are still refused naming the prop', () => {
  test.each<[string, Partial<gcp.CustomerManagedKeyProps>, string | RegExp]>([
    ['negative rotation', { rotation: Period.days(-1) }, 'rotation must be between 1 and 36500 days, got -1'],
    ['rotation above the profile', { rotation: Period.days(400) }, 'rotation must be at most 365 days under profile SOC2, got 400 days'],
    ['a fractional second', { rotation: Period.seconds(86400.5) }, 'rotation must be a whole number of seconds, got 1 day 0.5 seconds'],
    ['a destroy schedule of 12 hours', { destroyScheduledDuration: Period.hours(12) }, 'destroyScheduledDuration must be between 1 and 120 days, got 0.5'],
  ])('%s', (_n, props, message) => {
    expect(() => gcpCmk(gcpStack(), ComplianceProfile.SOC2, 'K', props)).toThrow(message);
  });
});
