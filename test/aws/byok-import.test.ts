import { App, Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ComplianceProfile, Control, CustodianRole, DeploymentModel, EvidenceLedger, EvidenceStatus } from '../../src';
import * as aws from '../../src/aws';
import { arn, byokFor, keyPolicyOf, newStack, people, profilesAllowing, sinkFor, statement, templateOf } from '../support/fixtures';
import { decide } from '../support/key-policy-eval';
import { nagFindings } from '../support/nag';

const IMPORTER = arn('KeyImporter');
const IMPORT = ['kms:GetParametersForImport', 'kms:ImportKeyMaterial', 'kms:DeleteImportedKeyMaterial'];

describe('a BYOK key under PCI DSS', () => {
  const stack = newStack();
  const key = byokFor(stack, ComplianceProfile.PCI_DSS, 'ImportedKey', { aliases: ['pci/imported'] });
  const t = templateOf(stack);
  const policy = keyPolicyOf(stack, key);

  test('the key has Origin EXTERNAL, no material, no automatic rotation, a 30-day window and is retained', () => {
    t.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({
        Origin: 'EXTERNAL',
        KeySpec: 'SYMMETRIC_DEFAULT',
        KeyUsage: 'ENCRYPT_DECRYPT',
        EnableKeyRotation: false,
        PendingWindowInDays: 30,
        RotationPeriodInDays: Match.absent(),
        Tags: Match.arrayWith([
          { Key: 'cloud-kms:key-material-expiry', Value: '2030-06-01T00:00:00.000Z' },
          { Key: 'cloud-kms:wrapping-algorithm', Value: 'RSAES_OAEP_SHA_256' },
        ]),
      }),
      DeletionPolicy: 'Retain',
    });
    t.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/pci/imported' });
  });

  test('importers may only fetch the import parameters, with MFA: import and deletion of material go through the gate', () => {
    // Issue 13, finding 2: under dual control ImportKeyMaterial and DeleteImportedKeyMaterial are the gate executor's alone.
    expect(statement(policy, 'AllowKeyMaterialImport')).toMatchObject({
      Principal: { AWS: IMPORTER },
      Action: ['kms:DescribeKey', 'kms:ListResourceTags', 'kms:GetParametersForImport'],
      Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
    });
    expect(statement(policy, 'DenyImportersAnythingButImport')).toMatchObject({
      Effect: 'Deny', Principal: { AWS: IMPORTER }, NotAction: ['kms:DescribeKey', 'kms:ListResourceTags', 'kms:GetParametersForImport'],
    });
    expect(statement(policy, 'DenyImportWithoutMfa')).toMatchObject({
      Effect: 'Deny', Action: IMPORT, Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
    });
  });

  test.each([
    [IMPORTER, 'kms:ImportKeyMaterial', { 'aws:MultiFactorAuthPresent': 'true' }, 'EXPLICIT_DENY'],
    [IMPORTER, 'kms:GetParametersForImport', { 'aws:MultiFactorAuthPresent': 'true' }, 'ALLOW'],
    [IMPORTER, 'kms:ImportKeyMaterial', { 'aws:MultiFactorAuthPresent': 'false' }, 'EXPLICIT_DENY'],
    [IMPORTER, 'kms:ImportKeyMaterial', {}, 'EXPLICIT_DENY'],
    [IMPORTER, 'kms:Decrypt', { 'aws:MultiFactorAuthPresent': 'true' }, 'EXPLICIT_DENY'],
    [IMPORTER, 'kms:PutKeyPolicy', { 'aws:MultiFactorAuthPresent': 'true', 'aws:PrincipalArn': IMPORTER }, 'EXPLICIT_DENY'],
    [arn('KeyAdmin'), 'kms:ImportKeyMaterial', { 'aws:MultiFactorAuthPresent': 'true' }, 'EXPLICIT_DENY'],
    [arn('OrdersService'), 'kms:ImportKeyMaterial', { 'aws:MultiFactorAuthPresent': 'true' }, 'EXPLICIT_DENY'],
    [arn('OrdersService'), 'kms:Decrypt', {}, 'ALLOW'],
    [arn('Auditor'), 'kms:GetParametersForImport', {}, 'EXPLICIT_DENY'],
  ])('%s calling %s %j: %s', (principal, action, ctx, expected) => {
    expect(decide(policy, principal, action, ctx as any)).toBe(expected);
  });

  test('the rest of the policy is the customer-managed separation of duties, with dual control', () => {
    expect(() => statement(policy, 'DenyCryptographicUseByAdministrators')).not.toThrow();
    expect(() => statement(policy, 'AllowDualControlExecutor')).not.toThrow();
    expect(key.dualControl).toBe(true);
  });

  test('reminders: rotation on the profile schedule, and an alarm 30 days before the material expires, to the audit topic', () => {
    const topic = Object.keys(t.findResources('AWS::SNS::Topic'))[0];
    const rules = Object.values(t.findResources('AWS::Events::Rule')).map((r: any) => r.Properties);
    const rotation = rules.find((r) => r.ScheduleExpression === 'rate(365 days)');
    expect(rotation.Targets[0].Arn).toEqual({ Ref: topic });
    expect(JSON.stringify(rotation.Targets[0].Input)).toContain('Rotate the imported key material of Test/ImportedKey');
    const keyId = Object.keys(t.findResources('AWS::KMS::Key')).find((k) => k.startsWith('ImportedKey'));
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/KMS',
      MetricName: 'SecondsUntilKeyMaterialExpiration',
      Dimensions: [{ Name: 'KeyId', Value: { Ref: keyId } }],
      Statistic: 'Minimum',
      Threshold: 30 * 24 * 3600,
      ComparisonOperator: 'LessThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topic }],
    });
  });

  test('the key id is an output for the import ceremony, and nothing else about the key is', () => {
    const outputs = t.findOutputs('*');
    expect(Object.values(outputs).map((o: any) => o.Value)).toEqual([{ Ref: Object.keys(t.findResources('AWS::KMS::Key')).find((k) => k.startsWith('ImportedKey')) }]);
  });

  test('evidence: BYOK custody, no material in IaC, named importers, rotation by re-import', () => {
    const ledger = EvidenceLedger.of(stack);
    expect(ledger.tryFindKey('Test/ImportedKey')).toMatchObject({ model: DeploymentModel.BYOK, constructName: 'ByokImport' });
    const ev = (c: Control) => ledger.evidenceFor(c, 'Test/ImportedKey');
    expect(ev(Control.NIST_SC_13)[0]).toMatchObject({ setting: 'Origin', value: 'EXTERNAL' });
    expect(ev(Control.NIST_SC_12).map((e) => e.setting)).toEqual(expect.arrayContaining(['Origin, KeyMaterial', 'rotation reminder, KeyMaterialExpiry']));
    expect(ev(Control.NIST_SC_12).every((e) => e.status === EvidenceStatus.SATISFIED)).toBe(true);
    expect(ev(Control.PCI_3_6_1_3)).toEqual(expect.arrayContaining([expect.objectContaining({ setting: 'KeyPolicy.AllowKeyMaterialImport', description: 'only the named importers may import or delete key material, with MFA' })]));
    expect(ledger.custodiansOf('Test/ImportedKey').filter((c) => c.role === CustodianRole.IMPORTER)).toHaveLength(1);
  });

  test('cdk-nag and Control Tower: only the rotation findings are acknowledged, on this key, with the reason', () => {
    expect(nagFindings(stack)).toEqual([]);
    const acks = EvidenceLedger.of(stack).acknowledgements('Test/ImportedKey').map((a) => a.rule);
    expect(acks.sort()).toEqual(['AwsSolutions-KMS5', 'NIST.800.53.R5-KMSBackingKeyRotationEnabled', 'PCI.DSS.321-KMSBackingKeyRotationEnabled',
      // AWS Control Tower CT.KMS.PR.1 (test/aws/control-tower.test.ts runs the control).
      'cdk-validator-cfnguard::kms_key_rotation_enabled_check'].sort());
  });
});

test('the rotation acknowledgement is for EXTERNAL-origin keys only: a CMK without rotation would still be flagged', () => {
  const stack = newStack();
  const cmk = new aws.CustomerManagedKey(stack, 'Cmk', { custodians: { administrators: [people().admin] } });
  (cmk.node.defaultChild as kms.CfnKey).enableKeyRotation = false;
  expect(nagFindings(stack).some((f) => f.startsWith('AwsSolutions-KMS5'))).toBe(true);
});

test.each(profilesAllowing(DeploymentModel.BYOK).map((p) => [p.name, p]))('%s accepts ByokImport', (_n, profile) => {
  const stack = newStack();
  const key = byokFor(stack, profile as ComplianceProfile);
  expect(key.profile).toBe(profile);
  expect(nagFindings(stack)).toEqual([]);
});

test('SOVEREIGN refuses BYOK', () => {
  expect(() => byokFor(newStack(), ComplianceProfile.SOVEREIGN)).toThrow(
    'profile SOVEREIGN does not allow the BYOK model (ByokImport) for Test/ImportedKey; allowed: HYOK');
});

test('asymmetric material uses RSA-AES key wrap', () => {
  const stack = newStack();
  const key = byokFor(stack, ComplianceProfile.COMMERCIAL, 'Signing', {
    keySpec: kms.KeySpec.ECC_NIST_P256,
    keyMaterialExpiry: aws.KeyMaterialExpiry.doesNotExpire(),
  });
  expect(key.wrappingAlgorithm).toBe(aws.ImportWrappingAlgorithm.RSA_AES_KEY_WRAP_SHA_256);
  templateOf(stack).hasResourceProperties('AWS::KMS::Key', {
    KeySpec: 'ECC_NIST_P256',
    KeyUsage: 'SIGN_VERIFY',
    Origin: 'EXTERNAL',
    Tags: Match.arrayWith([{ Key: 'cloud-kms:key-material-expiry', Value: 'none' }]),
  });
});

test('without an audit sink there are no reminders', () => {
  const stack = newStack();
  byokFor(stack, ComplianceProfile.COMMERCIAL);
  templateOf(stack).resourceCountIs('AWS::Events::Rule', 0);
  templateOf(stack).resourceCountIs('AWS::CloudWatch::Alarm', 0);
});

describe('bad input', () => {
  const p = people();
  test.each<[string, () => unknown, string | RegExp]>([
    ['no importers', () => byokFor(newStack(), ComplianceProfile.COMMERCIAL, 'K', { custodians: { administrators: [p.admin] } }),
      'custodians.importers must name at least one principal for Test/K, got none'],
    ['an importer who is also a user', () => byokFor(newStack(), ComplianceProfile.COMMERCIAL, 'K', { custodians: { administrators: [p.admin], users: [p.user], importers: [p.user] } }),
      /custodians.importers and custodians.users overlap on Test\/K: .* cannot be both a user and an importer/],
    ['an importer who administers', () => byokFor(newStack(), ComplianceProfile.COMMERCIAL, 'K', { custodians: { administrators: [p.admin], importers: [p.admin] } }),
      /cannot be both an administrator and an importer/],
    ['expiry in the past', () => byokFor(newStack(), ComplianceProfile.COMMERCIAL, 'K', { keyMaterialExpiry: aws.KeyMaterialExpiry.expiresAt(new Date('2020-01-01T00:00:00Z')) }),
      /keyMaterialExpiry must be far enough in the future for its warning \(30 days ahead\)/],
    ['OAEP for an asymmetric key', () => byokFor(newStack(), ComplianceProfile.COMMERCIAL, 'K', { keySpec: kms.KeySpec.RSA_2048, wrappingAlgorithm: aws.ImportWrappingAlgorithm.RSAES_OAEP_SHA_256 }),
      'wrappingAlgorithm must be RSA_AES_KEY_WRAP_SHA_256 for asymmetric keySpec RSA_2048 (a private key is too large for RSA-OAEP), got RSAES_OAEP_SHA_256'],
    ['a key spec KMS cannot import', () => byokFor(newStack(), ComplianceProfile.COMMERCIAL, 'K', { keySpec: kms.KeySpec.ML_DSA_65 }),
      'keySpec must be a spec ByokImport can import (symmetric, HMAC, RSA, ECC_NIST_P*, ECC_SECG_P256K1 or SM2) for Test/K, got ML_DSA_65'],
    ['a reminder longer than the profile allows', () => byokFor(newStack(), ComplianceProfile.PCI_DSS, 'K', { rotationReminder: Duration.days(400) }),
      'rotationReminder must be between 1 and 365 days, got 400'],
    ['importers on a customer-managed key', () => new aws.CustomerManagedKey(newStack(), 'K', { custodians: { administrators: [p.admin], importers: [p.importer] } }),
      'custodians.importers applies only to keys with imported material (ByokImport), got 1 for Test/K'],
  ])('%s', (_what, build, message) => {
    expect(build).toThrow(message);
  });

  test('granting import to a user is a separation-of-duties error', () => {
    const key = byokFor(newStack(), ComplianceProfile.COMMERCIAL);
    expect(() => key.grant(new iam.ArnPrincipal(arn('OrdersService')), 'kms:ImportKeyMaterial')).toThrow(/cannot be both a user and an importer/);
  });
});

test('a sink in the same app takes the reminders', () => {
  const app = new App();
  const stack = newStack('Keys', app);
  const sink = sinkFor(stack, ComplianceProfile.COMMERCIAL);
  const key = byokFor(stack, ComplianceProfile.COMMERCIAL, 'K', { auditSink: sink, rotationReminder: Duration.days(90) });
  expect(key.rotationReminderDays).toBe(90);
  templateOf(stack).hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(90 days)' });
});
