import { ComplianceProfile, KeyAlgorithm } from '../../src';
import { KmsRulePack } from '../../src/compliance/pack';
import * as awsRules from '../../src/compliance/rules/aws';
import * as azureRules from '../../src/compliance/rules/azure';
import { AZURE_RULES } from '../../src/compliance/rules/azure';
import * as gcpRules from '../../src/compliance/rules/gcp';
import { GCP_RULES } from '../../src/compliance/rules/gcp';
import { KmsRule, RuleResult } from '../../src/compliance/rules/rule';

// One compliant and one non-compliant case per rule, on the smallest template that shows it, and the not-applicable
// case where the rule has one. The profile is the one that makes the rule bite.
const PCI = ComplianceProfile.PCI_DSS;
const COMMERCIAL = ComplianceProfile.COMMERCIAL;
const FEDRAMP_HIGH = ComplianceProfile.FEDRAMP_HIGH;
const results = (rule: KmsRule, template: any, profile = PCI) => rule.evaluate(template, { profile }).map((f) => f.result);
const C = RuleResult.COMPLIANT;
const N = RuleResult.NON_COMPLIANT;
const NA = RuleResult.NOT_APPLICABLE;

const admin = { 'Fn::GetAtt': ['Admin', 'Arn'] };
const user = 'arn:aws:iam::111111111111:role/App';
const cfn = (key: any, extra: any = {}) => ({ Resources: { Key: { Type: 'AWS::KMS::Key', DeletionPolicy: 'Retain', ...key }, ...extra } });
const policy = (...Statement: any[]) => ({ Properties: { KeyPolicy: { Version: '2012-10-17', Statement } } });

describe('AWS rules (CloudFormation, keys made by custom resources included)', () => {
  test('KeyRotation', () => {
    expect(results(awsRules.KeyRotation, cfn({ Properties: { EnableKeyRotation: true, RotationPeriodInDays: 365 } }))).toEqual([C]);
    expect(results(awsRules.KeyRotation, cfn({ Properties: { EnableKeyRotation: true, RotationPeriodInDays: 730 } }))).toEqual([N]);
    expect(results(awsRules.KeyRotation, cfn({ Properties: {} }))).toEqual([N]);
    expect(results(awsRules.KeyRotation, cfn({ Properties: { Origin: 'EXTERNAL' } }))).toEqual([NA]);
    expect(results(awsRules.KeyRotation, { Resources: { K: { Type: 'Custom::CloudKmsStoreKey', Properties: {} } } })).toEqual([NA]);
  });

  test('KeyDeletionWindow', () => {
    expect(results(AwsKeyDeletion(), cfn({ Properties: { PendingWindowInDays: 30 } }))).toEqual([C]);
    expect(results(AwsKeyDeletion(), cfn({ Properties: { PendingWindowInDays: 7 } }))).toEqual([N]);
    expect(results(AwsKeyDeletion(), cfn({ Properties: {}, DeletionPolicy: 'Delete' }))).toEqual([N]);
  });

  test('KeyPolicyPrincipals', () => {
    expect(results(awsRules.KeyPolicyPrincipals, cfn(policy({ Effect: 'Allow', Principal: { AWS: admin }, Action: 'kms:DescribeKey', Resource: '*' })))).toEqual([C]);
    expect(results(awsRules.KeyPolicyPrincipals, cfn(policy({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*' })))).toEqual([N]);
    expect(results(awsRules.KeyPolicyPrincipals, cfn(policy({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'kms:*', Resource: '*' })))).toEqual([N]);
    // The default key policy's root delegation is fine where separation of duties is not required.
    expect(results(awsRules.KeyPolicyPrincipals, cfn(policy({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'kms:*', Resource: '*' })), COMMERCIAL))
      .toEqual([C]);
  });

  test('KeySeparationOfDuties', () => {
    const separate = cfn(policy(
      { Effect: 'Allow', Principal: { AWS: admin }, Action: ['kms:PutKeyPolicy', 'kms:DisableKey'], Resource: '*' },
      { Effect: 'Allow', Principal: { AWS: user }, Action: ['kms:Decrypt'], Resource: '*' },
    ));
    expect(results(awsRules.KeySeparationOfDuties, separate)).toEqual([C]);
    const both = cfn(policy(
      { Effect: 'Allow', Principal: { AWS: admin }, Action: ['kms:PutKeyPolicy'], Resource: '*' },
      { Effect: 'Allow', Principal: { AWS: admin }, Action: ['kms:Decrypt'], Resource: '*' },
    ));
    expect(results(awsRules.KeySeparationOfDuties, both)).toEqual([N]);
    // A principal that is an intrinsic is named by what it refers to, never printed as an object.
    expect(awsRules.KeySeparationOfDuties.evaluate(both, { profile: PCI })[0].message).toBe('Admin.Arn may both manage and use the key');
    // An explicit deny of use takes the administrator back over the line.
    const denied = cfn(policy(
      { Effect: 'Allow', Principal: { AWS: admin }, Action: ['kms:*'], Resource: '*' },
      { Effect: 'Deny', Principal: { AWS: admin }, Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:CreateGrant'], Resource: '*' },
    ));
    expect(results(awsRules.KeySeparationOfDuties, denied)).toEqual([C]);
    // Custom-resource keys (custom key stores) are covered too.
    expect(results(awsRules.KeySeparationOfDuties, { Resources: { K: { Type: 'Custom::CloudKmsStoreKey', ...both.Resources.Key } } })).toEqual([N]);
  });

  test('KeyConditionalGrants', () => {
    const ctx = { StringEquals: { 'kms:EncryptionContext:tenantId': 'acme' } };
    const conditional = { Effect: 'Allow', Principal: { AWS: { 'Fn::GetAtt': ['ReaderRole', 'Arn'] } }, Action: ['kms:Decrypt'], Resource: '*', Condition: ctx };
    // What bucket.grantRead(fn) adds after key.grantDecryptWhen(fn, ...): the same principal, kms:Decrypt, no condition.
    const plain = { Effect: 'Allow', Principal: { AWS: { 'Fn::GetAtt': ['ReaderRole', 'Arn'] } }, Action: 'kms:Decrypt', Resource: '*' };
    expect(results(awsRules.KeyConditionalGrants, cfn(policy(conditional)))).toEqual([C]);
    expect(results(awsRules.KeyConditionalGrants, cfn(policy(conditional, { ...plain, Principal: { AWS: user } })))).toEqual([C]);
    const defeated = awsRules.KeyConditionalGrants.evaluate(cfn(policy(conditional, plain)), { profile: COMMERCIAL });
    expect(defeated.map((f) => f.result)).toEqual([N]);
    expect(defeated[0].message).toBe('ReaderRole.Arn: statement #1 (no Sid) allows kms:Decrypt only when StringEquals ' +
      'kms:EncryptionContext:tenantId=acme, but statement #2 (no Sid) allows it with no condition');
    expect(results(awsRules.KeyConditionalGrants, cfn(policy(plain)))).toEqual([NA]);
  });

  test('KeyDualControl', () => {
    // Issue 13, finding 2: approvers holding destructive operations with MFA is one person acting alone.
    const GATED = ['kms:CancelKeyDeletion', 'kms:DisableKey', 'kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:ReplicateKey',
      'kms:UpdatePrimaryRegion', 'kms:UpdateAlias', 'kms:DeleteAlias', 'kms:ImportKeyMaterial', 'kms:DeleteImportedKeyMaterial'];
    const executor = { 'Fn::GetAtt': ['Executor', 'Arn'] };
    const gate = [
      { Sid: 'AllowDualControlExecutor', Effect: 'Allow', Principal: { AWS: executor }, Action: GATED, Resource: '*' },
      {
        Sid: 'DenyDualControlOperationsExceptExecutor',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: GATED,
        Resource: '*',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': [executor] } },
      },
    ];
    const administrators = { Sid: 'AllowKeyAdministration', Effect: 'Allow', Principal: { AWS: 'arn:administrators' }, Action: ['kms:EnableKeyRotation'], Resource: '*' };
    expect(results(awsRules.KeyDualControl, cfn(policy(administrators, ...gate)))).toEqual([C]);
    // A service key (no custodians): only deletion and disabling are checked.
    expect(results(awsRules.KeyDualControl, cfn(policy({ Effect: 'Allow', Principal: { AWS: 'arn:d' }, Action: ['kms:EnableKeyRotation'], Resource: '*' })))).toEqual([C]);
    const mfa = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };
    const approvers = cfn(policy({ Effect: 'Allow', Principal: { AWS: ['arn:a', 'arn:b'] }, Action: ['kms:ScheduleKeyDeletion'], Resource: '*', Condition: mfa }));
    expect(results(awsRules.KeyDualControl, approvers)).toEqual([N]);
    expect(results(awsRules.KeyDualControl, cfn(policy(administrators, ...gate, { Effect: 'Allow', Principal: { AWS: 'arn:deployer' }, Action: ['kms:PutKeyPolicy'], Resource: '*' })))).toEqual([N]);
    expect(results(awsRules.KeyDualControl, cfn(policy(administrators, gate[0])))).toEqual([N]);
    expect(results(awsRules.KeyDualControl, approvers, COMMERCIAL)).toEqual([NA]);
    // The gate's policy resource is what a dual-control key's policy is; the key carries only its genesis policy.
    const gated = {
      Resources: {
        Key: { Type: 'AWS::KMS::Key', DeletionPolicy: 'Retain', Properties: { KeyPolicy: { Statement: [] } } },
        KeyGatedPolicy: { Type: 'Custom::CloudKmsGatedKeyPolicy', Properties: { KeyId: { Ref: 'Key' }, Policy: { Statement: [administrators, ...gate] } } },
      },
    };
    expect(results(awsRules.KeyDualControl, gated)).toEqual([C]);
  });

  test('AuditTrail', () => {
    const bucket = { Type: 'AWS::S3::Bucket', Properties: { ObjectLockEnabled: true } };
    const trail = (validation: boolean) => ({ Type: 'AWS::CloudTrail::Trail', Properties: { EnableLogFileValidation: validation, IsLogging: true } });
    expect(results(awsRules.AuditTrail, cfn({}, { Trail: trail(true), Bucket: bucket }))).toEqual([C]);
    expect(results(awsRules.AuditTrail, cfn({}, { Trail: trail(false), Bucket: bucket }))).toEqual([N]);
    expect(results(awsRules.AuditTrail, cfn({}, { Trail: trail(true), Bucket: { Type: 'AWS::S3::Bucket', Properties: {} } }))).toEqual([N]);
    expect(results(awsRules.AuditTrail, cfn({}))).toEqual([N]);
    // A nested stack's keys: the parent's trail covers them.
    expect(awsRules.AuditTrail.evaluate(cfn({}), { profile: PCI, siblings: [{ Resources: { Trail: trail(true) } }] }).map((f) => f.result))
      .toEqual([NA]);
    expect(results(awsRules.AuditTrail, cfn({}), COMMERCIAL)).toEqual([NA]);
  });

  test('NoKeyMaterialInOutputs', () => {
    expect(results(awsRules.NoKeyMaterialInOutputs, { Outputs: { KeyArn: { Value: { 'Fn::GetAtt': ['Key', 'Arn'] } } } })).toEqual([C]);
    expect(results(awsRules.NoKeyMaterialInOutputs, { Outputs: { Leak: { Value: Buffer.alloc(32, 7).toString('base64') } } })).toEqual([N]);
    expect(results(awsRules.NoKeyMaterialInOutputs, { Outputs: { Pem: { Value: '-----BEGIN PRIVATE KEY-----\nabc' } } })).toEqual([N]);
    expect(results(awsRules.NoKeyMaterialInOutputs, { Parameters: { Secret: { Type: 'String', Default: 'AKIAABCDEFGHIJKLMNOP' } } })).toEqual([N]);
    expect(results(awsRules.NoKeyMaterialInOutputs, {})).toEqual([NA]);
  });
});

function AwsKeyDeletion() {
  return awsRules.KeyDeletionWindow;
}

const tf = (resource: any, extra: any = {}) => ({ resource, ...extra });

describe('Azure rules (Terraform JSON)', () => {
  const vaultSettings = {
    purge_protection_enabled: true, soft_delete_retention_days: 90, public_network_access_enabled: false, rbac_authorization_enabled: true,
  };
  const vault = (over: any = {}) => ({ azurerm_key_vault: { v: { ...vaultSettings, ...over } } });

  test('VaultDeletionProtection', () => {
    expect(results(azureRules.VaultDeletionProtection, tf(vault()))).toEqual([C]);
    expect(results(azureRules.VaultDeletionProtection, tf(vault({ purge_protection_enabled: false })))).toEqual([N]);
    expect(results(azureRules.VaultDeletionProtection, tf(vault({ soft_delete_retention_days: 7 })))).toEqual([N]);
  });

  test('VaultNetwork', () => {
    expect(results(azureRules.VaultNetwork, tf(vault()))).toEqual([C]);
    expect(results(azureRules.VaultNetwork, tf(vault({ public_network_access_enabled: true })))).toEqual([N]);
    expect(results(azureRules.VaultNetwork, tf(vault({ public_network_access_enabled: true, network_acls: { default_action: 'Deny' } })))).toEqual([C]);
    expect(results(azureRules.VaultNetwork, tf(vault({ rbac_authorization_enabled: false })))).toEqual([N]);
  });

  test('KeyRotation', () => {
    const key = (rotation?: any) => tf({ azurerm_key_vault_key: { k: { key_type: 'RSA-HSM', rotation_policy: rotation } } });
    expect(results(azureRules.KeyRotation, key({ automatic: { time_after_creation: 'P365D' } }))).toEqual([C]);
    expect(results(azureRules.KeyRotation, key({ automatic: { time_after_creation: 'P730D' } }))).toEqual([N]);
    expect(results(azureRules.KeyRotation, key())).toEqual([N]);
    const hsmKey = { azurerm_key_vault_managed_hardware_security_module_key: { h: { key_type: 'RSA-HSM' } } };
    const hsmPolicy = {
      azurerm_key_vault_managed_hardware_security_module_key_rotation_policy: {
        p: { managed_hsm_key_id: '${azurerm_key_vault_managed_hardware_security_module_key.h.id}', time_after_creation: 'P90D' },
      },
    };
    expect(results(azureRules.KeyRotation, tf({ ...hsmKey, ...hsmPolicy }))).toEqual([C]);
    expect(results(azureRules.KeyRotation, tf(hsmKey))).toEqual([N]);
  });

  test('KeyRotation from a Terraform variable counts only with the validation that bounds it', () => {
    const key = { azurerm_key_vault_key: { k: { key_type: 'RSA-HSM', rotation_policy: { automatic: { time_after_creation: 'P${var.rot}D' } } } } };
    const variable = (max: number, condition = `\${(((var.rot >= 7) && (var.rot <= ${max})) && (floor(var.rot) == var.rot))}`) =>
      ({ rot: { type: 'number', validation: [{ condition, error_message: 'The rotation must be a whole number of days.' }] } });
    expect(results(azureRules.KeyRotation, { ...tf(key), variable: variable(365) })).toEqual([C]);
    expect(azureRules.KeyRotation.evaluate({ ...tf(key), variable: variable(365) }, { profile: PCI })[0].message).toBe('rotates every var.rot days, validated to at most 365');
    expect(results(azureRules.KeyRotation, { ...tf(key), variable: variable(730) })).toEqual([N]);
    // Terraform accepts any value: no validation, or one that does not bound the variable.
    expect(results(azureRules.KeyRotation, { ...tf(key), variable: { rot: { type: 'number' } } })).toEqual([N]);
    expect(results(azureRules.KeyRotation, { ...tf(key), variable: variable(365, '${(var.rot <= 365) || true}') })).toEqual([N]);
  });

  test('KeyHsm', () => {
    expect(results(azureRules.KeyHsm, tf({ azurerm_key_vault_key: { k: { key_type: 'RSA-HSM' } } }), FEDRAMP_HIGH)).toEqual([C]);
    expect(results(azureRules.KeyHsm, tf({ azurerm_key_vault_key: { k: { key_type: 'RSA' } } }), FEDRAMP_HIGH)).toEqual([N]);
    expect(results(azureRules.KeyHsm, tf({ azurerm_key_vault_key: { k: { key_type: 'RSA' } } }), COMMERCIAL)).toEqual([NA]);
  });

  test('KeyAlgorithmAllowed: Key Vault and Managed HSM keys of a family the profile allows; Azure has no post-quantum key type', () => {
    const ecOnly = ComplianceProfile.custom({ name: 'EC_ONLY', basedOn: COMMERCIAL, allowedKeyAlgorithms: [KeyAlgorithm.EC, KeyAlgorithm.ML_DSA] });
    const keys = tf({
      azurerm_key_vault_key: { ec: { key_type: 'EC-HSM' }, rsa: { key_type: 'RSA-HSM' } },
      azurerm_key_vault_managed_hardware_security_module_key: { aes: { key_type: 'oct-HSM' }, pq: { key_type: 'ML-DSA' } },
    });
    expect(results(azureRules.KeyAlgorithmAllowed, keys, ecOnly)).toEqual([C, N, N, N]);
    expect(azureRules.KeyAlgorithmAllowed.evaluate(keys, { profile: ecOnly })[3].message).toBe('key type ML-DSA is not one this rule can show the profile allows');
    expect(results(azureRules.KeyAlgorithmAllowed, keys, COMMERCIAL)).toEqual([NA]);
    expect(AZURE_RULES).toContain(azureRules.KeyAlgorithmAllowed);
  });

  test('RoleSeparation', () => {
    const a = (principal: string, role: string, scope = '${azurerm_key_vault.v.id}') => ({ principal_id: principal, role_definition_name: role, scope });
    const officerAndUser = { a: a('p1', 'Key Vault Crypto Officer'), b: a('p2', 'Key Vault Crypto User') };
    expect(results(azureRules.RoleSeparation, tf({ azurerm_role_assignment: officerAndUser }))).toEqual([C, C]);
    expect(results(azureRules.RoleSeparation, tf({ azurerm_role_assignment: { a: a('p1', 'Key Vault Crypto Officer'), b: a('P1', 'Key Vault Crypto User') } }))).toEqual([C, N]);
    expect(results(azureRules.RoleSeparation, tf({ azurerm_role_assignment: { a: a('p1', 'Key Vault Crypto User', '/subscriptions/0000') } }))).toEqual([N]);
  });

  test('DualControl', () => {
    const pim = (approval: boolean) => ({
      azurerm_role_management_policy: {
        p: {
          scope: '${azurerm_key_vault.v.id}',
          activation_rules: {
            require_approval: approval, require_multifactor_authentication: true, approval_stage: { primary_approver: [{ object_id: 'a' }, { object_id: 'b' }] },
          },
        },
      },
    });
    expect(results(azureRules.DualControl, tf({ ...vault(), ...pim(true) }))).toEqual([C]);
    expect(results(azureRules.DualControl, tf({ ...vault(), ...pim(false) }))).toEqual([N]);
    expect(results(azureRules.DualControl, tf(vault()))).toEqual([N]);
    expect(results(azureRules.DualControl, tf(vault()), COMMERCIAL)).toEqual([NA]);
  });

  test('AuditDiagnostics', () => {
    const diag = { azurerm_monitor_diagnostic_setting: { d: { target_resource_id: '${azurerm_key_vault.v.id}', enabled_log: [{ category_group: 'audit' }] } } };
    const lock = (locked: boolean) => ({ azurerm_storage_container_immutability_policy: { i: { locked, immutability_period_in_days: 365 } } });
    expect(results(azureRules.AuditDiagnostics, tf({ ...vault(), ...diag, ...lock(true) }))).toEqual([C]);
    // PCI DSS requires write-once audit storage.
    expect(results(azureRules.AuditDiagnostics, tf({ ...vault(), ...diag, ...lock(false) }))).toEqual([N]);
    expect(results(azureRules.AuditDiagnostics, tf({ ...vault(), ...diag }), ComplianceProfile.HIPAA)).toEqual(
      [ComplianceProfile.HIPAA.immutableAuditRequired ? N : C]);
    expect(results(azureRules.AuditDiagnostics, tf(vault()))).toEqual([N]);
    expect(results(azureRules.AuditDiagnostics, tf(vault()), COMMERCIAL)).toEqual([NA]);
  });

  test('NoKeyMaterialInOutputs', () => {
    expect(results(azureRules.NoKeyMaterialInOutputs, tf({}, { output: { kek: { value: '${azurerm_key_vault_key.k.id}' } } }))).toEqual([C]);
    expect(results(azureRules.NoKeyMaterialInOutputs, tf({}, { output: { kek: { value: 'a'.repeat(20) + '0123456789abcdef'.repeat(4) } } }))).toEqual([N]);
  });
});

describe('Google Cloud rules (Terraform JSON)', () => {
  const key = (over: any = {}) => tf({
    google_kms_crypto_key: {
      k: {
        purpose: 'ENCRYPT_DECRYPT',
        rotation_period: '7776000s',
        destroy_scheduled_duration: '2592000s',
        lifecycle: { prevent_destroy: true },
        version_template: { protection_level: 'HSM' },
        ...over,
      },
    },
  });

  test('KeyRotation', () => {
    expect(results(gcpRules.KeyRotation, key())).toEqual([C]);
    expect(results(gcpRules.KeyRotation, key({ rotation_period: '31536000s' }))).toEqual([N]);
    expect(results(gcpRules.KeyRotation, key({ rotation_period: undefined }))).toEqual([N]);
    expect(results(gcpRules.KeyRotation, key({ import_only: true }))).toEqual([NA]);
  });

  test('KeyRotation from a Terraform variable counts only with the validation that bounds it', () => {
    const validated = (name: string, max: number) => ({
      [name]: { type: 'number', validation: [{ condition: `\${(((var.${name} >= 1) && (var.${name} <= ${max})) && (floor(var.${name}) == var.${name}))}`, error_message: 'X.' }] },
    });
    expect(results(gcpRules.KeyRotation, { ...key({ rotation_period: '${(var.d * 86400)}s' }), variable: validated('d', 90) })).toEqual([C]);
    expect(results(gcpRules.KeyRotation, { ...key({ rotation_period: '${(var.h * 3600)}s' }), variable: validated('h', 2160) })).toEqual([C]);
    expect(results(gcpRules.KeyRotation, { ...key({ rotation_period: '${(var.d * 86400)}s' }), variable: validated('d', 91) })).toEqual([N]);
    expect(results(gcpRules.KeyRotation, key({ rotation_period: '${(var.d * 86400)}s' }))).toEqual([N]);
  });

  test('KeyDestruction', () => {
    expect(results(gcpRules.KeyDestruction, key())).toEqual([C]);
    expect(results(gcpRules.KeyDestruction, key({ destroy_scheduled_duration: '86400s' }))).toEqual([N]);
    expect(results(gcpRules.KeyDestruction, key({ lifecycle: {} }))).toEqual([N]);
  });

  test('KmsIam', () => {
    const m = (role: string, member: string) => ({ role, member, crypto_key_id: '${google_kms_crypto_key.k.id}' });
    // Decapsulation (ML-KEM keys) is use: an administrator who also decapsulates is flagged.
    expect(results(gcpRules.KmsIam, tf({
      google_kms_key_ring_iam_member: { a: m('roles/cloudkms.admin', 'user:a@x.com') },
      google_kms_crypto_key_iam_member: { b: m('roles/cloudkms.decapsulator', 'user:a@x.com') },
    }))).toEqual([N, C]);
    expect(results(gcpRules.KmsIam, tf({ google_kms_crypto_key_iam_member: { a: m('roles/cloudkms.cryptoKeyEncrypterDecrypter', 'serviceAccount:app@p.iam.gserviceaccount.com') } }))).toEqual([C]);
    expect(results(gcpRules.KmsIam, tf({ google_kms_crypto_key_iam_member: { a: m('roles/cloudkms.cryptoKeyEncrypterDecrypter', 'allUsers') } }))).toEqual([N]);
    expect(results(gcpRules.KmsIam, tf({
      google_kms_key_ring_iam_member: { a: m('roles/cloudkms.admin', 'user:a@x.com') },
      google_kms_crypto_key_iam_member: { b: m('roles/cloudkms.cryptoKeyEncrypterDecrypter', 'user:A@x.com') },
    }))).toEqual([N, C]); // key grant, then ring grant
    // The library's key administrator custom role administers too.
    expect(results(gcpRules.KmsIam, tf({
      google_kms_key_ring_iam_member: { a: m('${google_project_iam_custom_role.KmsKeyAdministratorRole0a1b2c3d.name}', 'user:a@x.com') },
      google_kms_crypto_key_iam_member: { b: m('roles/cloudkms.cryptoKeyEncrypter', 'user:a@x.com') },
    }))).toEqual([N, C]);
  });

  test('KeyHsm', () => {
    expect(results(gcpRules.KeyHsm, key(), FEDRAMP_HIGH)).toEqual([C]);
    expect(results(gcpRules.KeyHsm, key({ version_template: { protection_level: 'SOFTWARE' } }), FEDRAMP_HIGH)).toEqual([N]);
    expect(results(gcpRules.KeyHsm, key(), COMMERCIAL)).toEqual([NA]);
  });

  test('KeyAlgorithmAllowed: crypto keys of a family the profile allows, the default purpose\'s algorithm included', () => {
    const pqSigning = ComplianceProfile.custom({ name: 'PQ_SIGNING', basedOn: COMMERCIAL, allowedKeyAlgorithms: [KeyAlgorithm.ML_DSA, KeyAlgorithm.SLH_DSA] });
    const alg = (algorithm: string, purpose = 'ASYMMETRIC_SIGN') => key({ purpose, version_template: { algorithm, protection_level: 'SOFTWARE' } });
    expect(results(gcpRules.KeyAlgorithmAllowed, alg('PQ_SIGN_ML_DSA_65'), pqSigning)).toEqual([C]);
    expect(results(gcpRules.KeyAlgorithmAllowed, alg('PQ_SIGN_HASH_SLH_DSA_SHA2_128S_SHA256'), pqSigning)).toEqual([C]);
    expect(results(gcpRules.KeyAlgorithmAllowed, alg('EC_SIGN_P256_SHA256'), pqSigning)).toEqual([N]);
    expect(results(gcpRules.KeyAlgorithmAllowed, alg('ML_KEM_768', 'KEY_ENCAPSULATION'), pqSigning)).toEqual([N]);
    // No template: ENCRYPT_DECRYPT keys are GOOGLE_SYMMETRIC_ENCRYPTION (AES).
    expect(results(gcpRules.KeyAlgorithmAllowed, key({ version_template: undefined }), pqSigning)).toEqual([N]);
    expect(results(gcpRules.KeyAlgorithmAllowed, alg('${var.alg}'), pqSigning)).toEqual([N]);
    expect(results(gcpRules.KeyAlgorithmAllowed, alg('PQ_SIGN_ML_DSA_65'), COMMERCIAL)).toEqual([NA]);
    expect(GCP_RULES).toContain(gcpRules.KeyAlgorithmAllowed);
  });

  test('AuditLogs', () => {
    const audit = (types: string[]) => ({ google_project_iam_audit_config: { a: { service: 'cloudkms.googleapis.com', audit_log_config: types.map((log_type) => ({ log_type })) } } });
    const sink = {
      google_logging_project_sink: { s: { filter: 'protoPayload.serviceName="cloudkms.googleapis.com"' } },
      google_storage_bucket: { b: { retention_policy: { is_locked: true, retention_period: 31536000 } } },
    };
    const keys = key().resource;
    expect(results(gcpRules.AuditLogs, tf({ ...keys, ...audit(['DATA_READ', 'DATA_WRITE']), ...sink }))).toEqual([C]);
    const unlocked = { ...sink, google_storage_bucket: { b: { retention_policy: { is_locked: false } } } };
    expect(results(gcpRules.AuditLogs, tf({ ...keys, ...audit(['DATA_READ', 'DATA_WRITE']), ...unlocked }))).toEqual([N]);
    expect(results(gcpRules.AuditLogs, tf({ ...keys, ...audit(['ADMIN_READ']), ...sink }))).toEqual([N]);
    expect(results(gcpRules.AuditLogs, tf({ ...keys, ...audit(['DATA_READ', 'DATA_WRITE']) }))).toEqual([N]);
    expect(results(gcpRules.AuditLogs, key(), COMMERCIAL)).toEqual([NA]);
    // One stack per project manages the (authoritative) audit config; a sink in another stack of the assembly counts it
    // only for the same project.
    const projectSink = { ...sink, google_logging_project_sink: { s: { project: 'p1', filter: 'protoPayload.serviceName="cloudkms.googleapis.com"' } } };
    const manager = (project: string) => tf({
      google_project_iam_audit_config: {
        a: {
          project,
          service: 'cloudkms.googleapis.com',
          audit_log_config: ['DATA_READ', 'DATA_WRITE'].map((log_type) => ({ log_type })),
        },
      },
    });
    const withSiblings = (siblings: any[]) =>
      gcpRules.AuditLogs.evaluate(tf({ ...keys, ...projectSink }), { profile: PCI, siblings }).map((f) => f.result);
    expect(withSiblings([manager('p1')])).toEqual([C]);
    expect(withSiblings([manager('p2')])).toEqual([N]);
    expect(withSiblings([])).toEqual([N]);
  });

  test('DualControl', () => {
    const ring = { google_kms_key_ring: { r: { name: 'r' } } };
    const pam = { google_privileged_access_manager_entitlement: { e: { approval_workflow: { manual_approvals: { steps: [] } } } } };
    expect(results(gcpRules.DualControl, tf({ ...ring, ...pam }))).toEqual([C]);
    expect(results(gcpRules.DualControl, tf({ ...ring, ...pam, google_kms_key_ring_iam_member: { a: { role: 'roles/cloudkms.admin', member: 'user:a@x.com' } } }))).toEqual([N]);
    expect(results(gcpRules.DualControl, tf({ ...ring, ...pam, google_kms_key_ring_iam_member: { a: { role: 'projects/p/roles/cloudKmsKeyAdministrator_0a1b2c3d', member: 'user:a@x.com' } } }))).toEqual([N]);
    expect(results(gcpRules.DualControl, tf(ring))).toEqual([N]);
    expect(results(gcpRules.DualControl, tf(ring), COMMERCIAL)).toEqual([NA]);
  });

  test('NoKeyMaterialInOutputs', () => {
    expect(results(gcpRules.NoKeyMaterialInOutputs, tf({}, { output: { job: { value: '${google_kms_key_ring_import_job.j.id}' } } }))).toEqual([C]);
    expect(results(gcpRules.NoKeyMaterialInOutputs, tf({}, { variable: { wrapped: { default: Buffer.alloc(48, 1).toString('base64') } } }))).toEqual([N]);
  });
});

test('the pack knows each template\'s cloud and maps every rule to controls', () => {
  const pack = new KmsRulePack(PCI);
  expect(new Set(pack.check(cfn({ Properties: { EnableKeyRotation: true } })).map((f) => f.rule.split('-')[1].slice(0, 3)))).toEqual(new Set(['Aws']));
  expect(() => pack.check({ resource: { null_resource: {} } })).toThrow(/neither a CloudFormation template nor Terraform JSON/);
  expect(pack.violations(cfn({ Properties: {} })).map((f) => f.rule)).toContain('CloudKms-AwsKeyRotation');
});
