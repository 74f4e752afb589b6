/*
 * Issue 18, continuous evidence: every AWS rule of the pack either has a Guard counterpart that AWS Config runs on the
 * deployed key's configuration item (CI), or says why no CI can show what it judges. The counterparts run in the real
 * cfn-guard engine and must agree with the rule-pack rule on templates and CIs built from the same key settings.
 */
import { GUARD_RULES, guardPolicyText, guardRuleFor, KeyDeletionWindowGuard, KeyRotationGuard, NOT_JUDGED_BY_CONFIG } from '../../src/compliance/rules/aws/guard';
import { KeyDeletionWindow } from '../../src/compliance/rules/aws/key-deletion-window';
import { KeyRotation } from '../../src/compliance/rules/aws/key-rotation';
import { kmsKeys } from '../../src/compliance/rules/aws/policy';
import { RULES } from '../../src/compliance/rules/registry';
import { KmsRule, RuleResult } from '../../src/compliance/rules/rule';
import { ComplianceProfile } from '../../src/core/profile';
import { GuardVerdict, runGuard } from '../support/cfn-guard';
import { byokFor, cmkFor, newStack, templateOf } from '../support/fixtures';

/** One key, as a template declares it and as AWS Config records it once deployed. */
interface KeySettings {
  readonly rotation: boolean;
  readonly keySpec?: string;
  readonly keyUsage?: string;
  readonly origin?: 'AWS_KMS' | 'EXTERNAL';
  /** The window its deletion waits (PendingWindowInDays; on a multi-Region primary pending its replicas' deletion, the CI's window). */
  readonly window?: number;
  readonly multiRegionPrimaryPendingReplicaDeletion?: boolean;
}

function template(s: KeySettings): any {
  return {
    Resources: {
      Key: {
        Type: 'AWS::KMS::Key',
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          EnableKeyRotation: s.rotation,
          ...(s.keySpec ? { KeySpec: s.keySpec } : {}),
          ...(s.keyUsage ? { KeyUsage: s.keyUsage } : {}),
          ...(s.origin ? { Origin: s.origin } : {}),
          ...(s.window ? { PendingWindowInDays: s.window } : {}),
          ...(s.multiRegionPrimaryPendingReplicaDeletion ? { MultiRegion: true } : {}),
          KeyPolicy: { Version: '2012-10-17', Statement: [] },
        },
      },
    },
  };
}

/** The CI's fields as awslabs/aws-config-resource-schema lists them for AWS::KMS::Key. */
function configurationItem(s: KeySettings, overrides: Record<string, unknown> = {}): any {
  const pending = s.multiRegionPrimaryPendingReplicaDeletion === true;
  return {
    version: '1.3',
    accountId: '111111111111',
    awsRegion: 'eu-west-1',
    resourceType: 'AWS::KMS::Key',
    resourceId: '1234abcd-12ab-34cd-56ef-1234567890ab',
    configurationItemStatus: 'OK',
    configuration: {
      keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
      arn: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      keyManager: 'CUSTOMER',
      origin: s.origin ?? 'AWS_KMS',
      keySpec: s.keySpec ?? 'SYMMETRIC_DEFAULT',
      keyUsage: s.keyUsage ?? 'ENCRYPT_DECRYPT',
      enabled: !pending,
      keyState: pending ? 'PendingReplicaDeletion' : 'Enabled',
      multiRegion: pending,
      ...(pending ? { pendingDeletionWindowInDays: s.window ?? 30 } : {}),
      ...overrides,
    },
    supplementaryConfiguration: { KeyRotationStatus: s.rotation },
  };
}

const AS_CONFIG: Record<GuardVerdict['status'], RuleResult> = {
  PASS: RuleResult.COMPLIANT, FAIL: RuleResult.NON_COMPLIANT, SKIP: RuleResult.NOT_APPLICABLE,
};

function rulePack(rule: KmsRule, s: KeySettings, profile: ComplianceProfile): RuleResult {
  const findings = rule.evaluate(template(s), { profile });
  expect(findings).toHaveLength(1);
  return findings[0].result;
}

describe('every AWS rule of the registry has a Guard counterpart or a reason why Config cannot judge it', () => {
  test.each(RULES.aws.map((r) => [r.id]))('%s', (id) => {
    const generator = guardRuleFor(id);
    const reason = NOT_JUDGED_BY_CONFIG[id];
    expect([generator !== undefined, reason !== undefined]).toContainEqual(true);
    expect(generator !== undefined && reason !== undefined).toBe(false);
    if (reason) expect(reason.length).toBeGreaterThan(40);
  });

  test('no generator or reason names a rule the registry lacks, and each generator mirrors its rule\'s controls', () => {
    const ids = RULES.aws.map((r) => r.id);
    expect(Object.keys(NOT_JUDGED_BY_CONFIG).filter((id) => !ids.includes(id))).toEqual([]);
    for (const g of GUARD_RULES) {
      expect(RULES.aws).toContain(g.rule);
      expect(g.name).toMatch(/^[a-z][a-z0-9_]*$/);
    }
    expect(KeyRotationGuard.rule).toBe(KeyRotation);
    expect(KeyDeletionWindowGuard.rule).toBe(KeyDeletionWindow);
  });

  test('the key-policy rules are among the reasons: AWS Config records no key policy', () => {
    for (const id of ['CloudKms-AwsKeyPolicyPrincipals', 'CloudKms-AwsKeySeparationOfDuties', 'CloudKms-AwsKeyDualControl']) {
      expect(NOT_JUDGED_BY_CONFIG[id]).toMatch(/no key policy/);
    }
  });
});

const PROFILES = ComplianceProfile.builtIns();

describe.each(PROFILES.map((p) => [p.name, p]))('profile %s: the rule pack and the generated Guard agree', (_name, profile) => {
  test('rotation: symmetric keys on and off, and the keys KMS cannot rotate (imported, asymmetric, HMAC)', () => {
    const cases: Record<string, KeySettings> = {
      rotating: { rotation: true },
      notRotating: { rotation: false },
      imported: { rotation: false, origin: 'EXTERNAL' },
      asymmetric: { rotation: false, keySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY' },
      hmac: { rotation: false, keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC' },
    };
    const items = Object.fromEntries(Object.entries(cases).map(([n, s]) => [n, configurationItem(s)]));
    const verdicts = runGuard(guardPolicyText(KeyRotationGuard, profile), items);
    const guard = Object.fromEntries(Object.entries(verdicts).map(([n, v]) => [n, AS_CONFIG[v.status]]));
    const pack = Object.fromEntries(Object.entries(cases).map(([n, s]) => [n, rulePack(KeyRotation, s, profile)]));
    expect(guard).toEqual(pack);
    // The matrix holds each state, so agreement is not agreement on one answer.
    expect(new Set(Object.values(pack))).toEqual(new Set([RuleResult.COMPLIANT, RuleResult.NON_COMPLIANT, RuleResult.NOT_APPLICABLE]));
    expect(verdicts.notRotating.messages.join()).toContain(`profile ${profile.name} requires rotation at least every ${profile.maxRotationDays} days`);
  });

  test('deletion window: a multi-Region primary waiting for its replicas, at, below and above the profile\'s minimum', () => {
    const min = profile.minDeletionWindowDays;
    const windows = [...new Set([7, Math.max(7, min - 1), min, 30])];
    const cases = Object.fromEntries(windows.map((w) => [`window${w}`, { rotation: true, window: w, multiRegionPrimaryPendingReplicaDeletion: true }]));
    const items = Object.fromEntries(Object.entries(cases).map(([n, s]) => [n, configurationItem(s)]));
    const verdicts = runGuard(guardPolicyText(KeyDeletionWindowGuard, profile), items);
    for (const [n, s] of Object.entries(cases)) {
      expect([n, AS_CONFIG[verdicts[n].status]]).toEqual([n, rulePack(KeyDeletionWindow, s, profile)]);
      expect([n, verdicts[n].status]).toEqual([n, s.window! >= min ? 'PASS' : 'FAIL']);
    }
  });
});

describe('what the configuration item shows and the template does not (and the reverse)', () => {
  const profile = ComplianceProfile.PCI_DSS;

  test('a key someone scheduled for deletion is non-compliant, whatever window they chose; an enabled one is compliant', () => {
    const verdicts = runGuard(guardPolicyText(KeyDeletionWindowGuard, profile), {
      scheduled: configurationItem({ rotation: true }, { keyState: 'PendingDeletion', enabled: false, deletionDate: '2026-12-30T11:00:00.000Z' }),
      enabled: configurationItem({ rotation: true }),
      disabled: configurationItem({ rotation: true }, { keyState: 'Disabled', enabled: false }),
      awsManaged: configurationItem({ rotation: true }, { keyManager: 'AWS', keyState: 'PendingDeletion' }),
    });
    expect(verdicts.scheduled.status).toBe('FAIL');
    expect(verdicts.scheduled.messages.join()).toMatch(/scheduled for deletion/);
    expect(verdicts.enabled.status).toBe('PASS');
    expect(verdicts.disabled.status).toBe('PASS');
    expect(verdicts.awsManaged.status).toBe('SKIP');
  });

  test('keys in a custom key store (CloudHSM, external) are not applicable to rotation, as the rule pack\'s store keys are', () => {
    const verdicts = runGuard(guardPolicyText(KeyRotationGuard, profile), {
      cloudHsm: configurationItem({ rotation: false }, { origin: 'AWS_CLOUDHSM', customKeyStoreId: 'cks-1234567890abcdef0' }),
      xks: configurationItem({ rotation: false }, { origin: 'EXTERNAL_KEY_STORE', customKeyStoreId: 'cks-1234567890abcdef1' }),
    });
    expect([verdicts.cloudHsm.status, verdicts.xks.status]).toEqual(['SKIP', 'SKIP']);
    const storeKey = { Resources: { Key: { Type: 'Custom::CloudKmsStoreKey', Properties: { KeyPolicy: { Statement: [] } } } } };
    expect(KeyRotation.evaluate(storeKey, { profile }).map((f) => f.result)).toEqual([RuleResult.NOT_APPLICABLE]);
  });

  test('rotation status as a string (the ConfigurationItem API\'s map of strings) and a CI recorded before keySpec existed', () => {
    const old = (rotation: unknown) => {
      const ci = configurationItem({ rotation: true });
      delete ci.configuration.keySpec;
      delete ci.configuration.keyUsage;
      ci.supplementaryConfiguration.KeyRotationStatus = rotation;
      return ci;
    };
    const verdicts = runGuard(guardPolicyText(KeyRotationGuard, profile), {
      onAsString: old('true'), offAsString: old('false'), missing: old(undefined),
    });
    expect(verdicts.onAsString.status).toBe('PASS');
    expect(verdicts.offAsString.status).toBe('FAIL');
    // No rotation status recorded is no evidence of rotation.
    expect(verdicts.missing.status).toBe('FAIL');
  });

  test('the rotation period is not in the CI: a profile with a shorter cryptoperiod than the key\'s is caught at synthesis only', () => {
    const strict = ComplianceProfile.custom({ name: 'guard-strict-rotation', basedOn: ComplianceProfile.PCI_DSS, maxRotationDays: 180 });
    const settings: KeySettings = { rotation: true };
    expect(rulePack(KeyRotation, settings, strict)).toBe(RuleResult.NON_COMPLIANT);
    expect(runGuard(guardPolicyText(KeyRotationGuard, strict), { key: configurationItem(settings) }).key.status).toBe('PASS');
    expect(KeyRotationGuard.notInConfigurationItem).toMatch(/rotation period/);
  });

  test('a policy text over Config\'s 10,000 characters is refused at synthesis', () => {
    const long = ComplianceProfile.custom({ name: `p${'x'.repeat(5000)}`, basedOn: ComplianceProfile.PCI_DSS });
    expect(() => guardPolicyText(KeyDeletionWindowGuard, long)).toThrow(/at most 10000 characters \(AWS Config's PolicyText limit\), got \d+/);
  });
});

/** What AWS Config records for a key a template declared, once CloudFormation created it and before anyone touched it. */
function deployedConfigurationItem(resource: any): any {
  const p = resource.Properties ?? {};
  return configurationItem({
    // KMS refuses automatic rotation where it cannot rotate (imported, asymmetric, HMAC keys): the status stays false.
    rotation: p.EnableKeyRotation === true && (p.Origin ?? 'AWS_KMS') === 'AWS_KMS' && (p.KeySpec ?? 'SYMMETRIC_DEFAULT') === 'SYMMETRIC_DEFAULT',
    keySpec: p.KeySpec,
    keyUsage: p.KeyUsage,
    origin: p.Origin,
  });
}

describe.each([ComplianceProfile.COMMERCIAL, ComplianceProfile.PCI_DSS].map((p) => [p.name, p]))('profile %s: keys our constructs synthesize', (_n, profile) => {
  test('the rule pack on the template and the Guard rules on the deployed keys\' configuration items agree, key by key', () => {
    const stack = newStack();
    const key = cmkFor(stack, profile);
    byokFor(stack, profile, 'ImportedKey', { auditSink: key.auditSink });
    const synthesized = templateOf(stack).toJSON();
    const keys = kmsKeys(synthesized).filter(([, , r]) => r.Type === 'AWS::KMS::Key');
    expect(keys.length).toBeGreaterThanOrEqual(2);
    const items = Object.fromEntries(keys.map(([id, , r]) => [id, deployedConfigurationItem(r)]));
    for (const generator of GUARD_RULES) {
      const verdicts = runGuard(guardPolicyText(generator, profile), items);
      const pack = Object.fromEntries(generator.rule.evaluate(synthesized, { profile }).map((f) => [f.resource, f.result]));
      for (const [id] of keys) expect([generator.rule.id, id, AS_CONFIG[verdicts[id].status]]).toEqual([generator.rule.id, id, pack[id]]);
    }
    // The imported key is not applicable to rotation on both sides; the generated keys rotate on both sides.
    const results = Object.values(runGuard(guardPolicyText(KeyRotationGuard, profile), items)).map((v) => v.status);
    expect(results).toEqual(expect.arrayContaining(['PASS', 'SKIP']));
  });

  test('someone who switches rotation off or schedules deletion after deployment is found by Config, not by the template', () => {
    const stack = newStack();
    cmkFor(stack, profile);
    const synthesized = templateOf(stack).toJSON();
    const [[id, , resource]] = kmsKeys(synthesized).filter(([, , r]) => r.Type === 'AWS::KMS::Key' && r.Properties?.Origin === undefined);
    expect(KeyRotation.evaluate(synthesized, { profile }).find((f) => f.resource === id)!.result).toBe(RuleResult.COMPLIANT);
    const tampered = deployedConfigurationItem(resource);
    tampered.supplementaryConfiguration.KeyRotationStatus = false;
    tampered.configuration.keyState = 'PendingDeletion';
    expect(runGuard(guardPolicyText(KeyRotationGuard, profile), { key: tampered }).key.status).toBe('FAIL');
    expect(runGuard(guardPolicyText(KeyDeletionWindowGuard, profile), { key: tampered }).key.status).toBe('FAIL');
  });
});
