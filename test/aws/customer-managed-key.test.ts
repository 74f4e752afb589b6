import { App, CfnParameter, CliCredentialsStackSynthesizer, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ComplianceProfile, Control, CustodianRole, DeploymentModel, EvidenceLedger, EvidenceStatus } from '../../src';
import * as aws from '../../src/aws';
import {
  ACCOUNT, arn, cmkFor, DEPLOYER, genesisPolicyOf, keyPolicyOf, newStack, people, profilesAllowing, statement, templateOf,
} from '../support/fixtures';
import { decide } from '../support/key-policy-eval';

const READ = ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListGrants', 'kms:ListKeyPolicies',
  'kms:ListKeyRotations', 'kms:ListResourceTags'];
const MANAGEMENT = ['kms:CreateAlias', 'kms:DeleteAlias', 'kms:UpdateAlias', 'kms:EnableKey', 'kms:DisableKey',
  'kms:EnableKeyRotation', 'kms:DisableKeyRotation', 'kms:RotateKeyOnDemand', 'kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion', 'kms:TagResource', 'kms:UntagResource', 'kms:UpdateKeyDescription', 'kms:RevokeGrant',
  'kms:ReplicateKey', 'kms:UpdatePrimaryRegion'];
const CRYPTO = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext', 'kms:GenerateDataKeyPair', 'kms:GenerateDataKeyPairWithoutPlaintext',
  'kms:Sign', 'kms:Verify', 'kms:GenerateMac', 'kms:VerifyMac', 'kms:DeriveSharedSecret', 'kms:GetPublicKey'];
/** Under dual control only the gate's executor may call these (issue 13, finding 2 and 3). */
const GATED = ['kms:CancelKeyDeletion', 'kms:DisableKey', 'kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:ReplicateKey',
  'kms:UpdatePrimaryRegion', 'kms:UpdateAlias', 'kms:DeleteAlias', 'kms:ImportKeyMaterial', 'kms:DeleteImportedKeyMaterial'];
const REPLICATION = ['kms:ReplicateKey', 'kms:UpdatePrimaryRegion'];
/** How one principal reaches cryptographic use without being a user: only the deployment principal (or the gate) holds them. */
const REACH = ['kms:PutKeyPolicy', 'kms:UpdateAlias', 'kms:DeleteAlias', ...REPLICATION];

const ADMIN = arn('KeyAdmin');
const USER = arn('OrdersService');
const AUDITOR = arn('Auditor');
const APPROVER_A = arn('ApproverA');
const APPROVER_B = arn('ApproverB');
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;

function commercialKey(extra: Partial<aws.CustomerManagedKeyProps> = {}) {
  const stack = newStack();
  const key = cmkFor(stack, ComplianceProfile.COMMERCIAL, 'OrdersKey', extra);
  return { stack, key, policy: keyPolicyOf(stack, key) };
}

describe('key policy: separation of duties (no dual control)', () => {
  const { policy } = commercialKey();

  test('administrators get management and read actions, nothing cryptographic', () => {
    const st = statement(policy, 'AllowKeyAdministration');
    expect(st.Effect).toBe('Allow');
    expect(st.Principal).toEqual({ AWS: ADMIN });
    // Replication, policy changes and alias moves left the administrators (issue 13, finding 3): each lets one of them
    // reach cryptographic use (a replica under a policy of their own, a statement granting themselves Decrypt, a name
    // workloads resolve moved to their key). The deployment principal holds them.
    expect(st.Action).toEqual([...READ, ...MANAGEMENT.filter((a) => !REACH.includes(a))]);
    for (const a of CRYPTO) expect(st.Action).not.toContain(a);
  });

  test('administrators and the deployment role are explicitly denied every cryptographic action and import', () => {
    const st = statement(policy, 'DenyCryptographicUseByAdministrators');
    expect(st.Effect).toBe('Deny');
    expect(st.Principal).toEqual({ AWS: [ADMIN, DEPLOYER] });
    expect([...st.Action].sort()).toEqual([...CRYPTO, 'kms:CreateGrant', 'kms:ImportKeyMaterial', 'kms:GetParametersForImport',
      'kms:DeleteImportedKeyMaterial'].sort());
  });

  test('users get cryptographic actions for a symmetric key and nothing else', () => {
    const st = statement(policy, 'AllowKeyUse');
    expect(st.Principal).toEqual({ AWS: USER });
    expect(st.Action).toEqual(['kms:DescribeKey', 'kms:Encrypt', 'kms:ReEncryptTo', 'kms:GenerateDataKey',
      'kms:GenerateDataKeyWithoutPlaintext', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:GenerateDataKeyPair',
      'kms:GenerateDataKeyPairWithoutPlaintext']);
  });

  test('users are explicitly denied every management and import action', () => {
    const st = statement(policy, 'DenyKeyManagementByUsers');
    expect(st.Effect).toBe('Deny');
    expect(st.Principal).toEqual({ AWS: USER });
    expect(st.Action).toEqual([...MANAGEMENT, 'kms:GetParametersForImport', 'kms:ImportKeyMaterial', 'kms:DeleteImportedKeyMaterial']);
  });

  test('users may create grants only for AWS resources', () => {
    const st = statement(policy, 'AllowGrantsForAwsResources');
    expect(st.Action).toEqual(['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant']);
    expect(st.Condition).toEqual({ Bool: { 'kms:GrantIsForAWSResource': 'true' } });
    const deny = statement(policy, 'DenyGrantsNotForAwsResources');
    expect(deny).toMatchObject({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'kms:CreateGrant',
      // The form AWS Control Tower's CT.KMS.PR.3 requires (test/aws/control-tower.test.ts runs the control itself).
      Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    });
  });

  test('auditors may only read', () => {
    expect(statement(policy, 'AllowAuditorsReadOnly')).toMatchObject({ Effect: 'Allow', Principal: { AWS: AUDITOR }, Action: READ });
    expect(statement(policy, 'DenyAuditorsAnythingButRead')).toMatchObject({ Effect: 'Deny', Principal: { AWS: AUDITOR }, NotAction: READ });
  });

  test('CloudFormation keeps the rights it needs to update the key, including PutKeyPolicy (lockout rule)', () => {
    const st = statement(policy, 'AllowCloudFormationDeployment');
    expect(st.Principal).toEqual({ AWS: DEPLOYER });
    expect(st.Action).toEqual(expect.arrayContaining(['kms:PutKeyPolicy', 'kms:EnableKeyRotation', 'kms:TagResource',
      'kms:UpdateKeyDescription', 'kms:CreateAlias', 'kms:DescribeKey', 'kms:GetKeyPolicy']));
  });

  test('nothing is granted to the account root or to everyone', () => {
    for (const st of policy.Statement.filter((s) => s.Effect === 'Allow')) {
      expect(JSON.stringify(st.Principal)).not.toMatch(/:root|"\*"/);
    }
  });

  test.each([
    [ADMIN, 'kms:Decrypt', {}, 'EXPLICIT_DENY'],
    [ADMIN, 'kms:GenerateDataKey', {}, 'EXPLICIT_DENY'],
    [ADMIN, 'kms:CreateGrant', { 'kms:GrantIsForAWSResource': 'true' }, 'EXPLICIT_DENY'],
    // An administrator who could rewrite the policy could grant themselves Decrypt (issue 13, finding 3).
    [ADMIN, 'kms:PutKeyPolicy', {}, 'IMPLICIT_DENY'],
    [ADMIN, 'kms:UpdateAlias', {}, 'IMPLICIT_DENY'],
    [ADMIN, 'kms:DeleteAlias', {}, 'IMPLICIT_DENY'],
    [ADMIN, 'kms:CreateAlias', {}, 'ALLOW'],
    [ADMIN, 'kms:ScheduleKeyDeletion', {}, 'ALLOW'],
    [USER, 'kms:Decrypt', {}, 'ALLOW'],
    [USER, 'kms:GenerateDataKey', {}, 'ALLOW'],
    [USER, 'kms:PutKeyPolicy', {}, 'EXPLICIT_DENY'],
    [USER, 'kms:ScheduleKeyDeletion', {}, 'EXPLICIT_DENY'],
    [USER, 'kms:CreateGrant', { 'kms:GrantIsForAWSResource': 'true' }, 'ALLOW'],
    [USER, 'kms:CreateGrant', { 'kms:GrantIsForAWSResource': 'false' }, 'EXPLICIT_DENY'],
    [AUDITOR, 'kms:GetKeyPolicy', {}, 'ALLOW'],
    [AUDITOR, 'kms:Decrypt', {}, 'EXPLICIT_DENY'],
    [AUDITOR, 'kms:PutKeyPolicy', {}, 'EXPLICIT_DENY'],
    [ROOT, 'kms:Decrypt', {}, 'IMPLICIT_DENY'],
    [ROOT, 'kms:PutKeyPolicy', {}, 'IMPLICIT_DENY'],
    [DEPLOYER, 'kms:PutKeyPolicy', {}, 'ALLOW'],
    [DEPLOYER, 'kms:UpdateAlias', {}, 'ALLOW'],
    [DEPLOYER, 'kms:Decrypt', {}, 'EXPLICIT_DENY'],
  ])('%s calling %s %j: %s', (principal, action, ctx, expected) => {
    expect(decide(policy, principal, action, ctx as any)).toBe(expected);
  });
});

describe('key policy: dual control', () => {
  const stack = newStack();
  const key = cmkFor(stack, ComplianceProfile.PCI_DSS);
  const policy = keyPolicyOf(stack, key);
  const mfa = { 'aws:MultiFactorAuthPresent': 'true' };
  const noMfa = { 'aws:MultiFactorAuthPresent': 'false' };

  const EXECUTOR = stack.resolve((aws.DualControlGate.of(stack).executorRole.node.defaultChild as any).attrArn);
  const asExecutor = { 'aws:PrincipalArn': EXECUTOR };

  test('administrators lose the gated operations', () => {
    const st = statement(policy, 'AllowKeyAdministration');
    for (const a of GATED) expect(st.Action).not.toContain(a);
  });

  test('approvers only read: they approve through the gate, not KMS (issue 13, finding 2)', () => {
    expect(statement(policy, 'AllowApproversReviewOnly')).toMatchObject({ Principal: { AWS: [APPROVER_A, APPROVER_B] }, Action: READ });
    expect(() => statement(policy, 'AllowApproversDestructiveOperationsWithMfa')).toThrow(/no statement/);
  });

  test('the deployment principal keeps no PutKeyPolicy (issue 13, finding 2)', () => {
    const st = statement(policy, 'AllowCloudFormationDeployment');
    for (const a of GATED) expect(st.Action).not.toContain(a);
  });

  test('only the gate executor holds the gated operations; everyone else is denied them by principal ARN', () => {
    expect(statement(policy, 'AllowDualControlExecutor')).toMatchObject({ Effect: 'Allow', Principal: { AWS: EXECUTOR } });
    expect(statement(policy, 'AllowDualControlExecutor').Action).toEqual(expect.arrayContaining(GATED));
    expect(statement(policy, 'DenyDualControlOperationsExceptExecutor')).toMatchObject({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: GATED,
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': [EXECUTOR] } },
    });
  });

  test.each([
    [ADMIN, 'kms:ScheduleKeyDeletion', { ...mfa, 'aws:PrincipalArn': ADMIN }, 'EXPLICIT_DENY'],
    [ADMIN, 'kms:PutKeyPolicy', { ...mfa, 'aws:PrincipalArn': ADMIN }, 'EXPLICIT_DENY'],
    [ADMIN, 'kms:UpdateAlias', { ...mfa, 'aws:PrincipalArn': ADMIN }, 'EXPLICIT_DENY'],
    [ADMIN, 'kms:ReplicateKey', { ...mfa, 'aws:PrincipalArn': ADMIN, 'kms:ReplicaRegion': 'eu-west-1' }, 'EXPLICIT_DENY'],
    [ADMIN, 'kms:EnableKeyRotation', { 'aws:PrincipalArn': ADMIN }, 'ALLOW'],
    [APPROVER_A, 'kms:ScheduleKeyDeletion', { ...mfa, 'aws:PrincipalArn': APPROVER_A }, 'EXPLICIT_DENY'],
    [APPROVER_B, 'kms:PutKeyPolicy', { ...mfa, 'aws:PrincipalArn': APPROVER_B }, 'EXPLICIT_DENY'],
    [APPROVER_A, 'kms:DisableKey', { ...noMfa, 'aws:PrincipalArn': APPROVER_A }, 'EXPLICIT_DENY'],
    [APPROVER_A, 'kms:GetKeyPolicy', { ...mfa, 'aws:PrincipalArn': APPROVER_A }, 'ALLOW'],
    [APPROVER_A, 'kms:Decrypt', { ...mfa, 'aws:PrincipalArn': APPROVER_A }, 'IMPLICIT_DENY'],
    [DEPLOYER, 'kms:PutKeyPolicy', { 'aws:PrincipalArn': DEPLOYER as any }, 'EXPLICIT_DENY'],
    [DEPLOYER, 'kms:ScheduleKeyDeletion', { 'aws:PrincipalArn': DEPLOYER as any }, 'EXPLICIT_DENY'],
    [DEPLOYER, 'kms:EnableKeyRotation', { 'aws:PrincipalArn': DEPLOYER as any }, 'ALLOW'],
    [USER, 'kms:DisableKey', { ...mfa, 'aws:PrincipalArn': USER }, 'EXPLICIT_DENY'],
  ])('%s calling %s %j: %s', (principal, action, ctx, expected) => {
    expect(decide(policy, principal, action, ctx as any)).toBe(expected);
  });

  test.each(GATED.filter((a) => a !== 'kms:ReplicateKey'))('the executor may call %s and nothing cryptographic', (action) => {
    expect(decide(policy, EXECUTOR, action, asExecutor)).toBe('ALLOW');
    expect(decide(policy, EXECUTOR, 'kms:Decrypt', asExecutor)).toBe('EXPLICIT_DENY');
  });

  test('no replica region allowed by default: not even the executor replicates', () => {
    expect(decide(policy, EXECUTOR, 'kms:ReplicateKey', { ...asExecutor, 'kms:ReplicaRegion': 'eu-west-1' })).toBe('EXPLICIT_DENY');
  });

  test('CloudFormation creates the key with a fixed genesis policy (no use by anyone) and bypasses the lockout check', () => {
    const genesis = genesisPolicyOf(stack, key);
    // The approvers are named in it too (read only): the gate takes who approves the first custodian policy from here.
    expect(genesis.Statement.map((st) => st.Sid)).toEqual(['CloudKmsDualControlGenesis', 'AllowApproversReviewOnly',
      'AllowCloudFormationDeployment', 'DenyDualControlOperationsExceptExecutor', 'DenyAllUseUntilCustodianPolicy',
      'DenyGrantsNotForAwsResources']);
    expect(statement(genesis, 'AllowApproversReviewOnly')).toMatchObject({ Principal: { AWS: [APPROVER_A, APPROVER_B] }, Action: ['kms:DescribeKey', 'kms:GetKeyPolicy'] });
    expect(decide(genesis, DEPLOYER, 'kms:PutKeyPolicy', { 'aws:PrincipalArn': DEPLOYER as any })).toBe('EXPLICIT_DENY');
    expect(decide(genesis, USER, 'kms:Decrypt', {})).toBe('EXPLICIT_DENY');
    templateOf(stack).hasResourceProperties('AWS::KMS::Key', { BypassPolicyLockoutSafetyCheck: true });
    templateOf(stack).hasResourceProperties('Custom::CloudKmsGatedKeyPolicy', { KeyId: { Ref: Match.anyValue() }, Policy: Match.anyValue() });
  });

  test('a dual-control key must be retained', () => {
    expect(() => cmkFor(newStack(), ComplianceProfile.PCI_DSS, 'K', { removalPolicy: RemovalPolicy.DESTROY })).toThrow(
      'removalPolicy must be RETAIN under dual control for Test/K (deletion is for the approvers), got destroy');
  });

  test('naming approvers turns dual control on under any profile', () => {
    const s = newStack();
    const who = people();
    const k = new aws.CustomerManagedKey(s, 'K', { custodians: { administrators: [who.admin], approvers: [who.approverA, who.approverB] } });
    expect(k.dualControl).toBe(true);
    expect(() => statement(keyPolicyOf(s, k), 'AllowDualControlExecutor')).not.toThrow();
  });
});

describe('rotation, deletion window, removal', () => {
  test.each(profilesAllowing(DeploymentModel.CUSTOMER_MANAGED).map((p) => [p.name, p]))('%s: defaults', (_name, profile) => {
    const stack = newStack();
    cmkFor(stack, profile as ComplianceProfile);
    const t = templateOf(stack);
    t.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({
        EnableKeyRotation: true,
        RotationPeriodInDays: (profile as ComplianceProfile).maxRotationDays,
        PendingWindowInDays: 30,
        KeySpec: 'SYMMETRIC_DEFAULT',
        KeyUsage: 'ENCRYPT_DECRYPT',
        Description: Match.stringLikeRegexp('Customer-managed key'),
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('rotation and window can be tightened', () => {
    const { stack } = commercialKey({ rotation: Duration.days(90), deletionWindow: Duration.days(14) });
    templateOf(stack).hasResourceProperties('AWS::KMS::Key', {
      Description: Match.stringLikeRegexp('OrdersKey'), RotationPeriodInDays: 90, PendingWindowInDays: 14,
    });
  });

  test('parameter values are passed through, bounded by the parameters (see deploy-time-bounds.test.ts)', () => {
    const stack = newStack();
    const days = new CfnParameter(stack, 'Days', { type: 'Number' }).valueAsNumber;
    const window = new CfnParameter(stack, 'Window', { type: 'Number' }).valueAsNumber;
    cmkFor(stack, ComplianceProfile.COMMERCIAL, 'K', { rotation: Duration.days(days), deletionWindow: Duration.days(window) });
    templateOf(stack).hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true, RotationPeriodInDays: { Ref: 'Days' }, PendingWindowInDays: { Ref: 'Window' },
    });
    templateOf(stack).templateMatches({ Parameters: { Days: { MinValue: 90, MaxValue: 365 }, Window: { MinValue: 7, MaxValue: 30 } } });
  });

  test('multi-region primary', () => {
    const { stack, policy } = commercialKey({ multiRegion: true });
    templateOf(stack).hasResourceProperties('AWS::KMS::Key', { MultiRegion: true });
    // Only the deployment principal replicates (the replica's policy is then the template's), and only into allowed
    // regions: none by default (issue 13, finding 3).
    expect(statement(policy, 'AllowKeyAdministration').Action).not.toEqual(expect.arrayContaining(['kms:ReplicateKey']));
    expect(decide(policy, ADMIN, 'kms:ReplicateKey', { 'aws:PrincipalArn': ADMIN, 'kms:ReplicaRegion': 'eu-west-1' })).not.toBe('ALLOW');
    expect(decide(policy, ADMIN, 'kms:UpdatePrimaryRegion', { 'aws:PrincipalArn': ADMIN })).toBe('EXPLICIT_DENY');
    expect(decide(policy, DEPLOYER, 'kms:ReplicateKey', { 'aws:PrincipalArn': DEPLOYER as any, 'kms:ReplicaRegion': 'eu-west-1' })).toBe('EXPLICIT_DENY');
    expect(decide(policy, DEPLOYER, 'kms:UpdatePrimaryRegion', { 'aws:PrincipalArn': DEPLOYER as any })).toBe('ALLOW');
  });
});

describe('key specs', () => {
  test.each([
    [kms.KeySpec.RSA_3072, undefined, 'ENCRYPT_DECRYPT', ['kms:Encrypt', 'kms:Decrypt', 'kms:GetPublicKey']],
    [kms.KeySpec.RSA_2048, kms.KeyUsage.SIGN_VERIFY, 'SIGN_VERIFY', ['kms:Sign', 'kms:Verify', 'kms:GetPublicKey']],
    [kms.KeySpec.ECC_NIST_P384, undefined, 'SIGN_VERIFY', ['kms:Sign', 'kms:Verify']],
    [kms.KeySpec.ECC_NIST_P256, kms.KeyUsage.KEY_AGREEMENT, 'KEY_AGREEMENT', ['kms:DeriveSharedSecret', 'kms:GetPublicKey']],
    [kms.KeySpec.HMAC_256, undefined, 'GENERATE_VERIFY_MAC', ['kms:GenerateMac', 'kms:VerifyMac']],
  ])('%s (%s) is usable as %s and not rotated automatically', (keySpec, keyUsage, usage, actions) => {
    const { stack, key, policy } = commercialKey({ keySpec, keyUsage });
    templateOf(stack).hasResourceProperties('AWS::KMS::Key', {
      KeySpec: keySpec, KeyUsage: usage, EnableKeyRotation: false, RotationPeriodInDays: Match.absent(),
    });
    expect(statement(policy, 'AllowKeyUse').Action).toEqual(expect.arrayContaining(['kms:DescribeKey', ...actions]));
    expect(statement(policy, 'AllowKeyUse').Action).not.toContain('kms:GenerateDataKey');
    const rotation = EvidenceLedger.of(key).evidenceFor(Control.NIST_SC_12, key.node.path);
    expect(rotation[0].status).toBe(EvidenceStatus.NOT_SATISFIED);
    Annotations.fromStack(stack).hasWarning('/Test/OrdersKey', Match.stringLikeRegexp('KMS cannot rotate asymmetric or HMAC keys'));
  });

  test('rotation is refused for keys KMS cannot rotate', () => {
    expect(() => commercialKey({ keySpec: kms.KeySpec.RSA_2048, rotation: Duration.days(365) })).toThrow(
      'rotation is only supported for symmetric encryption keys, got keySpec RSA_2048 with keyUsage ENCRYPT_DECRYPT');
  });

  test('an invalid spec and usage pair is refused before kms.Key, naming keyUsage and the usages KMS offers', () => {
    expect(() => commercialKey({ keySpec: kms.KeySpec.HMAC_256, keyUsage: kms.KeyUsage.SIGN_VERIFY })).toThrow(
      /keyUsage must be GENERATE_VERIFY_MAC for keySpec HMAC_256 \(KMS offers no other\), got SIGN_VERIFY/);
  });
});

describe('aliases', () => {
  test('prefix added, one alias resource each', () => {
    const { stack, key } = commercialKey({ aliases: ['orders', 'alias/team/orders'] });
    key.addAlias('more');
    const t = templateOf(stack);
    t.resourceCountIs('AWS::KMS::Alias', 3);
    t.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/orders' });
    t.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/team/orders' });
    t.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/more' });
  });

  test('reserved and malformed aliases are refused', () => {
    expect(() => commercialKey({ aliases: ['alias/aws/orders'] })).toThrow(
      'aliases must not start with the reserved prefix alias/aws/, got alias/aws/orders');
    const { key } = commercialKey();
    expect(() => key.addAlias('aws/s3')).toThrow('alias must not start with the reserved prefix alias/aws/, got aws/s3');
    expect(() => key.addAlias('orders key')).toThrow(/alias must be at most 256 characters .* got orders key/);
  });
});

describe('bad input', () => {
  const p = people();
  test.each<[string, () => unknown, string | RegExp]>([
    ['overlapping custodians', () => commercialKey({ custodians: { administrators: [p.admin], users: [p.user, new iam.ArnPrincipal(ADMIN)] } }),
      `custodians.users and custodians.administrators overlap on Test/OrdersKey: ${ADMIN} cannot be both an administrator and a user (separation of duties)`],
    ['an auditor who is also a user', () => commercialKey({ custodians: { administrators: [p.admin], users: [p.user], auditors: [p.user] } }),
      /custodians.auditors and custodians.users overlap on Test\/OrdersKey/],
    ['rotation below the KMS range', () => commercialKey({ rotation: Duration.days(30) }), 'rotation must be between 90 and 2560 days, got 30'],
    ['rotation above the profile maximum', () => cmkFor(newStack(), ComplianceProfile.PCI_DSS, 'K', { rotation: Duration.days(400) }),
      'rotation must be at most 365 days under profile PCI_DSS, got 400 days'],
    ['rotation in hours', () => commercialKey({ rotation: Duration.hours(2200) }), /rotation must be a whole number of days, got/],
    ['deletion window out of range', () => commercialKey({ deletionWindow: Duration.days(45) }), 'deletionWindow must be between 7 and 30 days, got 45'],
    ['deletion window below the profile minimum', () => cmkFor(newStack(), ComplianceProfile.HIPAA, 'K', { deletionWindow: Duration.days(7) }),
      'deletionWindow must be at least 30 days under profile HIPAA, got 7 days'],
    ['a profile that forbids the model', () => cmkFor(newStack(), ComplianceProfile.FEDRAMP_HIGH, 'K', { auditSink: undefined }),
      'profile FEDRAMP_HIGH does not allow the CUSTOMER_MANAGED model (CustomerManagedKey) for Test/K; allowed: BYOK, HYOK'],
    ['dual control with one approver', () => cmkFor(newStack(), ComplianceProfile.PCI_DSS, 'K', { custodians: { administrators: [p.admin], approvers: [p.approverA] } }),
      'custodians.approvers must name at least 2 distinct approvers for dual control on Test/K (profile PCI_DSS), got 1'],
    ['dual control with the same approver twice', () => cmkFor(newStack(), ComplianceProfile.PCI_DSS, 'K', { custodians: { administrators: [p.admin], approvers: [p.approverA, new iam.ArnPrincipal(APPROVER_A)] } }),
      /custodians.approvers lists arn:aws:iam::111111111111:role\/ApproverA twice/],
    ['missing audit sink', () => cmkFor(newStack(), ComplianceProfile.SOC2, 'K', { auditSink: undefined }),
      'auditSink is required under profile SOC2 for Test/K, got undefined'],
    ['no administrators', () => commercialKey({ custodians: { administrators: [] } }),
      'custodians.administrators must name at least one principal for Test/OrdersKey, got none'],
    ['the account root as administrator', () => commercialKey({ custodians: { administrators: [new iam.AccountRootPrincipal()] } }),
      /custodians.administrators must name IAM roles or users, got the account principal .*use delegateToIam/],
    ['a wildcard user', () => commercialKey({ custodians: { administrators: [p.admin], users: [new iam.AnyPrincipal()] } }),
      /custodians.users must name IAM roles or users, got the wildcard principal/],
    ['a service as administrator', () => commercialKey({ custodians: { administrators: [new iam.ServicePrincipal('lambda.amazonaws.com')] } }),
      /custodians.administrators must name IAM roles or users, got Service principal/],
    ['IAM delegation under a separation-of-duties profile', () => cmkFor(newStack(), ComplianceProfile.SOC2, 'K', { delegateToIam: true }),
      'delegateToIam must be false under profile SOC2, which requires separation of duties, got true'],
  ])('%s', (_what, build, message) => {
    expect(build).toThrow(message);
  });

  test('a stack without the default synthesizer must name the deployment principal', () => {
    const app = new App();
    const stack = new Stack(app, 'Cli', { synthesizer: new CliCredentialsStackSynthesizer() });
    expect(() => new aws.CustomerManagedKey(stack, 'K', { custodians: { administrators: [p.admin] } })).toThrow(
      'deploymentPrincipal is required for Cli/K because the stack uses CliCredentialsStackSynthesizer, not DefaultStackSynthesizer: ' +
      'name the principal CloudFormation deploys the key with');
    const key = new aws.CustomerManagedKey(stack, 'K2', {
      custodians: { administrators: [p.admin] }, deploymentPrincipal: new iam.ArnPrincipal(arn('Pipeline')),
    });
    expect(statement(keyPolicyOf(stack, key), 'AllowCloudFormationDeployment').Principal).toEqual({ AWS: arn('Pipeline') });
  });
});

describe('grants', () => {
  test('a grant names the grantee in the key policy and writes no IAM policy', () => {
    const { stack, key } = commercialKey();
    const role = new iam.Role(stack, 'Worker', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    key.grantEncryptDecrypt(role);
    const t = templateOf(stack);
    t.resourceCountIs('AWS::IAM::Policy', 0);
    const st = keyPolicyOf(stack, key).Statement.find((s) => JSON.stringify(s.Principal).includes('Worker'));
    expect(st).toMatchObject({
      Effect: 'Allow',
      Resource: '*',
      Action: ['kms:Encrypt', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:Decrypt', 'kms:ReEncryptFrom'],
    });
    expect(EvidenceLedger.of(key).custodiansOf(key.node.path)).toEqual(expect.arrayContaining([
      expect.objectContaining({ role: CustodianRole.USER, label: 'Test/Worker' }),
    ]));
  });

  test('granting use to an administrator is a separation-of-duties error', () => {
    const { key } = commercialKey();
    expect(() => key.grantDecrypt(new iam.ArnPrincipal(ADMIN))).toThrow(
      `grantee and custodians.administrators overlap on Test/OrdersKey: ${ADMIN} cannot be both an administrator and a user (separation of duties)`);
  });

  test('grantAdmin makes an administrator with the crypto deny, who then cannot be granted use', () => {
    const { stack, key } = commercialKey();
    const ops = new iam.ArnPrincipal(arn('Ops'));
    key.grantAdmin(ops);
    const policy = keyPolicyOf(stack, key);
    expect(decide(policy, arn('Ops'), 'kms:EnableKeyRotation')).toBe('ALLOW');
    expect(decide(policy, arn('Ops'), 'kms:Decrypt')).toBe('EXPLICIT_DENY');
    expect(() => key.grantEncrypt(ops)).toThrow(/cannot be both an administrator and a user/);
  });

  test('grants can require an encryption context and a calling service', () => {
    const { stack, key } = commercialKey();
    key.grantDecryptWhen(new iam.ArnPrincipal(arn('Reader')), {
      encryptionContext: { tenantId: 'acme', purpose: 'orders' }, viaServices: ['s3.us-east-1.amazonaws.com'],
    });
    const policy = keyPolicyOf(stack, key);
    const st = policy.Statement.find((s) => JSON.stringify(s.Principal).includes('Reader'));
    expect(st.Condition).toEqual({
      StringEquals: {
        'kms:EncryptionContext:tenantId': 'acme', 'kms:EncryptionContext:purpose': 'orders', 'kms:ViaService': ['s3.us-east-1.amazonaws.com'],
      },
    });
    const ctx = { 'kms:EncryptionContext:tenantId': 'acme', 'kms:EncryptionContext:purpose': 'orders', 'kms:ViaService': 's3.us-east-1.amazonaws.com' };
    expect(decide(policy, arn('Reader'), 'kms:Decrypt', ctx)).toBe('ALLOW');
    expect(decide(policy, arn('Reader'), 'kms:Decrypt', { ...ctx, 'kms:EncryptionContext:tenantId': 'other' })).toBe('IMPLICIT_DENY');
    expect(decide(policy, arn('Reader'), 'kms:Encrypt', ctx)).toBe('IMPLICIT_DENY');
  });

  test.each<[string, aws.GrantConditions, string | RegExp]>([
    ['no condition', {}, 'conditions must set encryptionContext, viaServices, requiredContextKeys or principalTags, got none'],
    ['a reserved context key', { encryptionContext: { 'aws-crypto-public-key': 'x' } },
      "encryptionContext key must be non-empty and must not use the reserved prefix aws-crypto-, got 'aws-crypto-public-key'"],
  ])('conditional grant with %s is refused', (_what, conditions, message) => {
    const { key } = commercialKey();
    expect(() => key.grantEncryptDecryptWhen(new iam.ArnPrincipal(arn('Reader')), conditions)).toThrow(message);
  });

  test('a cross-account grantee gets both the key policy and its own policy', () => {
    const { stack, key } = commercialKey();
    const app = stack.node.root as App;
    const other = new Stack(app, 'Other', { env: { account: '222222222222', region: 'us-east-1' } });
    const role = new iam.Role(other, 'Remote', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'RemoteReader' });
    key.grantDecrypt(role);
    const st = keyPolicyOf(stack, key).Statement.find((s) => JSON.stringify(s.Principal).includes('222222222222'));
    expect(st).toMatchObject({ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:ReEncryptFrom'] });
    templateOf(other).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: ['kms:Decrypt', 'kms:ReEncryptFrom'], Resource: '*' })] },
    });
  });

  test('CDK\'s generic key.grants also land in the key policy, because IAM alone grants nothing here', () => {
    const { stack, key } = commercialKey();
    key.grants.decrypt(new iam.ArnPrincipal(arn('Generic')));
    expect(decide(keyPolicyOf(stack, key), arn('Generic'), 'kms:Decrypt')).toBe('ALLOW');
  });

  test('a grantee in a stack that deploys after the key is refused, not widened to the account', () => {
    const { stack, key } = commercialKey();
    const later = new Stack(stack.node.root as App, 'Later', { env: { account: ACCOUNT, region: 'us-east-1' } });
    later.addStackDependency(stack);
    const role = new iam.Role(later, 'App', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => key.grantDecrypt(role)).toThrow(/grantee Later\/App is in stack Later, which deploys after the key's stack Test/);
  });
});

describe('the final key policy is checked at synthesis', () => {
  test('a statement added by hand that lets an administrator decrypt fails synthesis', () => {
    const { stack, key } = commercialKey();
    key.addToResourcePolicy(new iam.PolicyStatement({ principals: [new iam.ArnPrincipal(ADMIN)], actions: ['kms:Decrypt'], resources: ['*'] }));
    expect(() => (stack.node.root as App).synth()).toThrow(new RegExp(`key policy lets ${ADMIN} both manage and use the key`));
  });

  test('a hand-written account-root statement fails synthesis unless delegateToIam is set', () => {
    const { stack, key } = commercialKey();
    key.addToResourcePolicy(new iam.PolicyStatement({ principals: [new iam.AccountRootPrincipal()], actions: ['kms:*'], resources: ['*'] }));
    expect(() => (stack.node.root as App).synth()).toThrow(/grants kms:\* to the account root; that delegates the key to IAM policies/);
  });

  test('delegateToIam adds the root statement and records separation of duties as not enforced', () => {
    const { stack, key, policy } = commercialKey({ delegateToIam: true });
    const root = statement(policy, 'EnableIamUserPermissions');
    expect(root.Action).toBe('kms:*');
    expect(JSON.stringify(root.Principal)).toContain(`:iam::${ACCOUNT}:root`);
    expect(() => (stack.node.root as App).synth()).not.toThrow();
    const ac5 = EvidenceLedger.of(key).evidenceFor(Control.NIST_AC_5, key.node.path)[0];
    expect(ac5.status).toBe(EvidenceStatus.NOT_SATISFIED);
    expect(ac5.description).toMatch(/separation of duties not enforced/);
    // Explicit denies still bind the named custodians.
    expect(decide(policy, ADMIN, 'kms:Decrypt')).toBe('EXPLICIT_DENY');
  });
});

describe('evidence ledger', () => {
  test('a PCI key records rotation, window, HSM custody, separation of duties, dual control and its audit sink', () => {
    const stack = newStack();
    const key = cmkFor(stack, ComplianceProfile.PCI_DSS);
    const ledger = EvidenceLedger.of(stack);
    expect(ledger.tryFindKey('Test/OrdersKey')).toMatchObject({
      cloud: 'aws',
      constructName: 'CustomerManagedKey',
      model: DeploymentModel.CUSTOMER_MANAGED,
      profile: ComplianceProfile.PCI_DSS,
      auditSink: 'Test/Audit',
      stack: 'Test',
    });
    const sc12 = ledger.evidenceFor(Control.NIST_SC_12, key.node.path)[0];
    expect(sc12).toMatchObject({
      status: EvidenceStatus.SATISFIED,
      resource: 'Test/OrdersKey/Resource',
      setting: 'RotationPeriodInDays',
      value: '365',
      description: 'automatic key rotation every 365 days',
    });
    const status = (c: Control) => ledger.evidenceFor(c, key.node.path).map((e) => e.status);
    expect(status(Control.PCI_3_7_6)).toEqual([EvidenceStatus.SATISFIED]);
    expect(status(Control.NIST_AC_5)).toEqual([EvidenceStatus.SATISFIED]);
    expect(status(Control.NIST_SC_12_1)).toEqual([EvidenceStatus.SATISFIED]);
    expect(status(Control.NIST_SC_13)).toEqual([EvidenceStatus.SATISFIED]);
    expect(status(Control.NIST_AU_2)).toEqual([EvidenceStatus.SATISFIED]);
    expect(ledger.custodiansOf(key.node.path).map((c) => c.role).sort()).toEqual(
      ['ADMINISTRATOR', 'APPROVER', 'APPROVER', 'AUDITOR', 'DEPLOYER', 'USER']);
  });

  test('a key without dual control or audit sink records both as not satisfied', () => {
    const { key } = commercialKey();
    const ledger = EvidenceLedger.of(key);
    expect(ledger.evidenceFor(Control.PCI_3_7_6, key.node.path)[0].status).toBe(EvidenceStatus.NOT_SATISFIED);
    expect(ledger.evidenceFor(Control.NIST_AU_2, key.node.path)[0].status).toBe(EvidenceStatus.NOT_SATISFIED);
  });
});

test('it is a kms.Key: fromKeyArn and the IKey contract come with it', () => {
  const stack = newStack();
  const imported = aws.CustomerManagedKey.fromKeyArn(stack, 'Imported', `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`);
  expect(imported.keyId).toBe('1234abcd-12ab-34cd-56ef-1234567890ab');
  const key = cmkFor(stack, ComplianceProfile.COMMERCIAL);
  expect(key).toBeInstanceOf(kms.Key);
  expect(key.profile).toBe(ComplianceProfile.COMMERCIAL);
  expect(key.model).toBe(DeploymentModel.CUSTOMER_MANAGED);
});
