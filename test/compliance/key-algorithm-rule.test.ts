/*
 * CloudKms-AwsKeyAlgorithm: a template's KeySpec against its key's profile (allowedKeyAlgorithms), and its Guard
 * counterpart on the deployed key's configuration item, in the real cfn-guard engine.
 */
import * as kms from 'aws-cdk-lib/aws-kms';
import { ComplianceProfile, Control, KeyAlgorithm } from '../../src';
import { checkByKeyProfile } from '../../src/compliance/key-profiles';
import { guardPolicyText, KeyAlgorithmGuard } from '../../src/compliance/rules/aws/guard';
import { KeyAlgorithmAllowed } from '../../src/compliance/rules/aws/key-algorithm';
import { RULES } from '../../src/compliance/rules/registry';
import { RuleResult } from '../../src/compliance/rules/rule';
import { runGuard } from '../support/cfn-guard';
import { cmkFor, newStack, templateOf } from '../support/fixtures';

const C = RuleResult.COMPLIANT;
const N = RuleResult.NON_COMPLIANT;
const AES_ONLY = ComplianceProfile.custom({ name: 'AES_ONLY', basedOn: ComplianceProfile.COMMERCIAL, allowedKeyAlgorithms: [KeyAlgorithm.AES] });
const PQ_SIGNING = ComplianceProfile.custom({
  name: 'PQ_SIGNING', basedOn: ComplianceProfile.COMMERCIAL, allowedKeyAlgorithms: [KeyAlgorithm.AES, KeyAlgorithm.ML_DSA],
});
const NO_KMS_SPEC = ComplianceProfile.custom({ name: 'KEM_ONLY', basedOn: ComplianceProfile.COMMERCIAL, allowedKeyAlgorithms: [KeyAlgorithm.ML_KEM] });

const key = (props: any, type = 'AWS::KMS::Key') => ({ Resources: { Key: { Type: type, Properties: props } } });
const results = (template: any, profile: ComplianceProfile) => KeyAlgorithmAllowed.evaluate(template, { profile }).map((f) => f.result);

describe('the rule on templates', () => {
  test('a spec of an allowed family is compliant; one of a refused family is not, naming spec, family and profile', () => {
    expect(results(key({ KeySpec: 'ML_DSA_65', KeyUsage: 'SIGN_VERIFY' }), PQ_SIGNING)).toEqual([C]);
    expect(results(key({ KeySpec: 'ML_DSA_65', KeyUsage: 'SIGN_VERIFY' }), AES_ONLY)).toEqual([N]);
    const [f] = KeyAlgorithmAllowed.evaluate(key({ KeySpec: 'ML_DSA_65' }), { profile: AES_ONLY });
    expect(f.message).toBe('KeySpec ML_DSA_65 (ML_DSA) is not allowed by profile AES_ONLY, which allows AES');
  });

  test('no KeySpec is SYMMETRIC_DEFAULT (AES); keys in custom key stores are AES', () => {
    expect(results(key({}), AES_ONLY)).toEqual([C]);
    expect(results(key({}), NO_KMS_SPEC)).toEqual([N]);
    expect(results(key({}, 'Custom::CloudKmsStoreKey'), PQ_SIGNING)).toEqual([C]);
    expect(results(key({}, 'Custom::CloudKmsStoreKey'), NO_KMS_SPEC)).toEqual([N]);
  });

  test('SM2 under the FedRAMP profiles and SOVEREIGN is non-compliant, under COMMERCIAL compliant', () => {
    for (const p of [ComplianceProfile.FEDRAMP_MODERATE, ComplianceProfile.FEDRAMP_HIGH, ComplianceProfile.SOVEREIGN]) {
      expect(results(key({ KeySpec: 'SM2' }), p)).toEqual([N]);
    }
    expect(results(key({ KeySpec: 'SM2' }), ComplianceProfile.COMMERCIAL)).toEqual([C]);
  });

  test('a spec chosen at deploy time cannot be shown to be allowed: non-compliant, never rounded up', () => {
    expect(results(key({ KeySpec: { Ref: 'Spec' } }), ComplianceProfile.COMMERCIAL)).toEqual([N]);
  });

  test('it is in the AWS registry, mapped to SC-13, SC-12 and ISO A.8.24 (the list the key-algorithm rules of every cloud share)', () => {
    expect(RULES.aws).toContain(KeyAlgorithmAllowed);
    expect(KeyAlgorithmAllowed.controls).toEqual([Control.NIST_SC_13, Control.NIST_SC_12, Control.ISO_A_8_24]);
  });

  test('the pack judges each key by the profile its metadata carries', () => {
    const stack = newStack();
    cmkFor(stack, PQ_SIGNING, 'Signing', { keySpec: kms.KeySpec.ML_DSA_87 });
    const template = templateOf(stack).toJSON();
    const ours = checkByKeyProfile(template).findings.filter((f) => f.rule === KeyAlgorithmAllowed.id);
    expect(ours.map((f) => [f.result, f.profile])).toEqual([[C, 'PQ_SIGNING']]);
    // The same template judged under a profile that refuses ML-DSA (as `cloud-kms check --profile` would).
    expect(results(template, AES_ONLY)).toEqual([N]);
  });
});

describe('the Guard counterpart agrees with the rule on configuration items', () => {
  const ci = (keySpec: string | undefined, extra: Record<string, unknown> = {}) => ({
    version: '1.3',
    resourceType: 'AWS::KMS::Key',
    configuration: { keyManager: 'CUSTOMER', origin: 'AWS_KMS', ...(keySpec ? { keySpec } : {}), ...extra },
  });
  const AS_RULE = { PASS: C, FAIL: N, SKIP: RuleResult.NOT_APPLICABLE } as const;

  test.each([AES_ONLY, PQ_SIGNING, NO_KMS_SPEC, ComplianceProfile.FEDRAMP_HIGH, ComplianceProfile.COMMERCIAL].map((p) => [p.name, p]))(
    'profile %s', (_name, profile) => {
      const specs = ['SYMMETRIC_DEFAULT', 'ML_DSA_44', 'ML_DSA_87', 'SM2', 'RSA_3072', 'HMAC_256'];
      const items = Object.fromEntries([...specs.map((s) => [s, ci(s)]), ['noKeySpec', ci(undefined)]]);
      const verdicts = runGuard(guardPolicyText(KeyAlgorithmGuard, profile), items);
      for (const s of specs) {
        expect([s, AS_RULE[verdicts[s].status]]).toEqual([s, results(key({ KeySpec: s }), profile)[0]]);
      }
      expect(AS_RULE[verdicts.noKeySpec.status]).toBe(results(key({}), profile)[0]);
    });

  test('AWS managed keys are skipped; a refused spec fails with the rule\'s message', () => {
    const verdicts = runGuard(guardPolicyText(KeyAlgorithmGuard, AES_ONLY), {
      awsManaged: ci('SYMMETRIC_DEFAULT', { keyManager: 'AWS' }),
      mlDsa: ci('ML_DSA_65'),
    });
    expect(verdicts.awsManaged.status).toBe('SKIP');
    expect(verdicts.mlDsa.status).toBe('FAIL');
    expect(verdicts.mlDsa.messages.join()).toContain('CloudKms-AwsKeyAlgorithm: the key spec is of an algorithm family profile AES_ONLY does not allow');
  });
});
