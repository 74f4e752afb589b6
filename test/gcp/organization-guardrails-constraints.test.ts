/*
 * Issue 18, item 3: the rule pack's Google rules as organisation guardrails. Every rule has a counterpart (a custom
 * constraint, a predefined constraint, the IAM deny policy) or a written reason why none can exist; and each custom
 * constraint's CEL condition, run by a real CEL engine on the key as Google's API shows it, agrees with the rule run on
 * the Terraform JSON that creates that key.
 */
import { kmsCustomConstraints } from '../../src/compliance/rules/gcp/constraints/custom-constraints';
import { allowedProtectionLevels, minimumDestroyScheduledDays, RULE_COUNTERPARTS } from '../../src/compliance/rules/gcp/constraints/org-policies';
import { RULES } from '../../src/compliance/rules/registry';
import { RuleResult } from '../../src/compliance/rules/result';
import { KmsRule } from '../../src/compliance/rules/rule';
import { ComplianceProfile } from '../../src/core/profile';
import { celDenies, cryptoKeyFromTerraform } from '../support/cel';

const PROFILES = ComplianceProfile.builtIns();
const ruleById = (id: string): KmsRule => {
  const rule = RULES.gcp.find((r) => r.id === id);
  if (!rule) throw new Error(`no rule ${id}`);
  return rule;
};
const tf = (key: Record<string, any>) => ({ resource: { google_kms_crypto_key: { k: { name: 'k', key_ring: 'r', lifecycle: { prevent_destroy: true }, ...key } } } });
const ruleVerdict = (rule: KmsRule, key: Record<string, any>, profile: ComplianceProfile) => rule.evaluate(tf(key), { profile })[0].result;

describe('every Google rule has an organisation-level counterpart or a reason', () => {
  test.each(RULES.gcp.map((r) => [r.id, r]))('%s', (id) => {
    const c = RULE_COUNTERPARTS[id as string];
    expect(c).toBeDefined();
    const hasCounterpart = c.customConstraints.length + c.orgPolicies.length > 0 || c.denyPolicy;
    // A rule with no counterpart, or only a partial one, says what is left uncovered.
    if (!hasCounterpart || c.denyPolicy) expect(c.gap).toMatch(/\w{10}/);
  });

  test.each(PROFILES.map((p) => [p.name, p]))('%s: each generated custom constraint names a rule of the pack that lists it', (_, profile) => {
    for (const spec of kmsCustomConstraints(profile as ComplianceProfile)) {
      expect(RULES.gcp.map((r) => r.id)).toContain(spec.ruleId);
      expect(RULE_COUNTERPARTS[spec.ruleId].customConstraints).toContain(spec.family);
      expect(spec.condition.length).toBeLessThanOrEqual(1000);
      expect(spec.name).toMatch(/^custom\.[a-zA-Z0-9]{1,63}$/);
      expect(spec.name.startsWith(spec.family)).toBe(true);
    }
  });

  test('two profiles never share a constraint name (their conditions differ), one profile always gives the same', () => {
    const names = PROFILES.flatMap((p) => kmsCustomConstraints(p).map((s) => s.name));
    expect(new Set(names).size).toBe(names.length);
    expect(kmsCustomConstraints(ComplianceProfile.PCI_DSS).map((s) => s.name))
      .toEqual(['custom.cloudKmsRotationPeriodPCIDSS', 'custom.cloudKmsDestroyScheduledDurationPCIDSS']);
  });

  test('no counterpart list names a constraint the generator does not make for some profile', () => {
    const generated = new Set(PROFILES.flatMap((p) => kmsCustomConstraints(p).map((s) => s.family)));
    for (const c of Object.values(RULE_COUNTERPARTS)) for (const name of c.customConstraints) expect(generated).toContain(name);
  });
});

/** Key settings of the Terraform JSON, each judged by the rule and by the constraint. */
const ROTATION_CASES: Array<[string, Record<string, any>]> = [
  ['rotates every 30 days', { rotation_period: '2592000s' }],
  ['rotates every 90 days', { rotation_period: '7776000s' }],
  ['rotates every 91 days', { rotation_period: '7862400s' }],
  ['rotates every 365 days', { rotation_period: '31536000s' }],
  ['no rotation period', {}],
  ['HSM, 60 days', { rotation_period: '5184000s', version_template: [{ protection_level: 'HSM', algorithm: 'GOOGLE_SYMMETRIC_ENCRYPTION' }] }],
  ['HSM, no rotation', { version_template: [{ protection_level: 'HSM', algorithm: 'GOOGLE_SYMMETRIC_ENCRYPTION' }] }],
  ['asymmetric signing, no rotation', { purpose: 'ASYMMETRIC_SIGN', version_template: [{ algorithm: 'EC_SIGN_P256_SHA256' }] }],
  ['import-only, no rotation', { import_only: true }],
];

const DESTROY_CASES: Array<[string, Record<string, any>]> = [
  ['1-day destroy window', { destroy_scheduled_duration: '86400s' }],
  ['7-day destroy window', { destroy_scheduled_duration: '604800s' }],
  ['29-day destroy window', { destroy_scheduled_duration: '2505600s' }],
  ['30-day destroy window', { destroy_scheduled_duration: '2592000s' }],
  ['120-day destroy window', { destroy_scheduled_duration: '10368000s' }],
  ['API default window', {}],
];

const HSM_CASES: Array<[string, Record<string, any>]> = [
  ['SOFTWARE', { version_template: [{ protection_level: 'SOFTWARE', algorithm: 'GOOGLE_SYMMETRIC_ENCRYPTION' }] }],
  ['no version template (SOFTWARE)', {}],
  ['HSM', { version_template: [{ protection_level: 'HSM', algorithm: 'GOOGLE_SYMMETRIC_ENCRYPTION' }] }],
  ['EXTERNAL', { version_template: [{ protection_level: 'EXTERNAL', algorithm: 'GOOGLE_SYMMETRIC_ENCRYPTION' }] }],
  ['EXTERNAL_VPC', { version_template: [{ protection_level: 'EXTERNAL_VPC', algorithm: 'GOOGLE_SYMMETRIC_ENCRYPTION' }] }],
];

/** The rule's NON_COMPLIANT is the constraint's refusal; COMPLIANT and NOT_APPLICABLE are both let through. */
function expectAgreement(ruleId: string, profile: ComplianceProfile, key: Record<string, any>) {
  const spec = kmsCustomConstraints(profile).find((s) => s.ruleId === ruleId);
  if (!spec) throw new Error(`no constraint for ${ruleId} under ${profile.name}`);
  const verdict = ruleVerdict(ruleById(ruleId), key, profile);
  expect({ denied: celDenies(spec.condition, cryptoKeyFromTerraform(key)) }).toEqual({ denied: verdict === RuleResult.NON_COMPLIANT });
  return verdict;
}

describe('rule and CEL condition agree (CEL run by @bufbuild/cel on the key as the API shows it)', () => {
  const rotationProfiles = [ComplianceProfile.PCI_DSS, ComplianceProfile.custom({ name: 'SHORT_ROTATION', maxRotationDays: 30 })];
  test.each(rotationProfiles.flatMap((p) => ROTATION_CASES.map(([name, key]) => [p.name, name, p, key])))(
    'rotation, %s: %s', (_p, _n, profile, key) => {
      expectAgreement('CloudKms-GcpKeyRotation', profile as ComplianceProfile, key as Record<string, any>);
    });

  test('the cases reach both verdicts of the rotation rule', () => {
    const verdicts = ROTATION_CASES.map(([, key]) => ruleVerdict(ruleById('CloudKms-GcpKeyRotation'), key, ComplianceProfile.PCI_DSS));
    expect(new Set(verdicts)).toEqual(new Set([RuleResult.COMPLIANT, RuleResult.NON_COMPLIANT, RuleResult.NOT_APPLICABLE]));
  });

  const destroyProfiles = [ComplianceProfile.COMMERCIAL, ComplianceProfile.PCI_DSS, ComplianceProfile.custom({ name: 'LONG_WINDOW', minDeletionWindowDays: 60 })];
  test.each(destroyProfiles.flatMap((p) => DESTROY_CASES.map(([name, key]) => [p.name, name, p, key])))(
    'destroy window, %s: %s', (_p, _n, profile, key) => {
      expectAgreement('CloudKms-GcpKeyDestruction', profile as ComplianceProfile, key as Record<string, any>);
    });

  test('a profile asking for more than the API default refuses a key that leaves the window out', () => {
    const long = ComplianceProfile.custom({ name: 'LONG_WINDOW', minDeletionWindowDays: 60 });
    expect(expectAgreement('CloudKms-GcpKeyDestruction', long, {})).toBe(RuleResult.NON_COMPLIANT);
    expect(expectAgreement('CloudKms-GcpKeyDestruction', ComplianceProfile.PCI_DSS, {})).toBe(RuleResult.COMPLIANT);
  });

  test.each(HSM_CASES.map(([name, key]) => [name, key]))('protection level under FEDRAMP_HIGH: %s', (_n, key) => {
    expectAgreement('CloudKms-GcpKeyHsm', ComplianceProfile.FEDRAMP_HIGH, key as Record<string, any>);
  });

  test('the HSM constraint exists only where the profile requires FIPS 140 Level 3, as the rule applies', () => {
    for (const profile of PROFILES) {
      const made = kmsCustomConstraints(profile).some((s) => s.ruleId === 'CloudKms-GcpKeyHsm');
      const applies = ruleVerdict(ruleById('CloudKms-GcpKeyHsm'), {}, profile) !== RuleResult.NOT_APPLICABLE;
      expect({ profile: profile.name, made }).toEqual({ profile: profile.name, made: applies });
    }
  });

  test('known divergence, written down in RULE_COUNTERPARTS: a key created without a first version is judged by the constraint', () => {
    const key = { skip_initial_version_creation: true };
    expect(ruleVerdict(ruleById('CloudKms-GcpKeyRotation'), key, ComplianceProfile.PCI_DSS)).toBe(RuleResult.NOT_APPLICABLE);
    const [rotation] = kmsCustomConstraints(ComplianceProfile.PCI_DSS);
    expect(celDenies(rotation.condition, cryptoKeyFromTerraform(key))).toBe(true);
    expect(RULE_COUNTERPARTS['CloudKms-GcpKeyRotation'].gap).toMatch(/skip_initial_version_creation/);
  });
});

describe('predefined constraint values from the profile', () => {
  test.each([
    ['COMMERCIAL', ['SOFTWARE', 'HSM', 'EXTERNAL', 'EXTERNAL_VPC']],
    ['SOC2', ['SOFTWARE', 'HSM', 'EXTERNAL', 'EXTERNAL_VPC']],
    ['PCI_DSS', ['HSM', 'EXTERNAL', 'EXTERNAL_VPC']],
    ['FEDRAMP_HIGH', ['HSM', 'EXTERNAL', 'EXTERNAL_VPC']],
    ['SOVEREIGN', ['EXTERNAL', 'EXTERNAL_VPC']],
  ])('%s allows %j', (name, levels) => {
    expect(allowedProtectionLevels(PROFILES.find((p) => p.name === name)!)).toEqual(levels);
  });

  test.each([[7, 7], [10, 15], [30, 30], [31, 60], [120, 120]])('a %d-day window is enforced as in:%dd (never shorter)', (window, days) => {
    expect(minimumDestroyScheduledDays(ComplianceProfile.custom({ name: 'W', minDeletionWindowDays: window }))).toBe(days);
  });

  test('a window longer than the constraint can hold is refused early', () => {
    expect(() => minimumDestroyScheduledDays(ComplianceProfile.custom({ name: 'W', minDeletionWindowDays: 180 })))
      .toThrow(/180-day deletion window, but cloudkms.minimumDestroyScheduledDuration goes up to 120 days/);
  });
});
