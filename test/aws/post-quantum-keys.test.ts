import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ComplianceProfile, EvidenceLedger, KeyAlgorithm, KeyPurpose, nistQuantumSecurityLevel } from '../../src';
import * as aws from '../../src/aws';
import { ACCEPTED_WARNINGS, cfnLint } from '../support/cfn-lint';
import {
  arn, byokFor, cmkFor, DEPLOYER, keyPolicyOf, newStack, people, sinkFor, statement, templateOf, xksStoreFor,
} from '../support/fixtures';
import { decide } from '../support/key-policy-eval';

const ML_DSA = [
  [kms.KeySpec.ML_DSA_44, 'ML-DSA-44', 2],
  [kms.KeySpec.ML_DSA_65, 'ML-DSA-65', 3],
  [kms.KeySpec.ML_DSA_87, 'ML-DSA-87', 5],
] as const;

const ADMIN = arn('KeyAdmin');
const USER = arn('OrdersService');
const AUDITOR = arn('Auditor');
const SIGNER = arn('ReleaseSigner');

function mlDsaKey(keySpec: kms.KeySpec, extra: Partial<aws.CustomerManagedKeyProps> = {}) {
  const stack = newStack();
  const key = cmkFor(stack, ComplianceProfile.COMMERCIAL, 'SigningKey', { keySpec, ...extra });
  return { stack, key, policy: keyPolicyOf(stack, key) };
}

function keyRecord(key: { node: { path: string } }) {
  const record = EvidenceLedger.of(key as any).tryFindKey(key.node.path);
  if (!record) throw new Error(`no key record for ${key.node.path}`);
  return record;
}

describe.each(ML_DSA)('CustomerManagedKey %s', (keySpec, parameterSet, category) => {
  const { stack, key, policy } = mlDsaKey(keySpec);

  test('synthesizes a SIGN_VERIFY key of the spec, without automatic rotation', () => {
    const props = templateOf(stack).findResources('AWS::KMS::Key');
    const cfnKey = props[stack.getLogicalId(key.node.defaultChild as kms.CfnKey)].Properties;
    expect(cfnKey.KeySpec).toBe(keySpec);
    expect(cfnKey.KeyUsage).toBe('SIGN_VERIFY');
    expect(cfnKey.EnableKeyRotation).toBe(false);
    expect(cfnKey.RotationPeriodInDays).toBeUndefined();
  });

  test('the users sign, verify and read the public key; nothing else cryptographic', () => {
    const st = statement(policy, 'AllowKeyUse');
    expect(st.Principal).toEqual({ AWS: USER });
    expect(st.Action).toEqual(['kms:DescribeKey', 'kms:Sign', 'kms:Verify', 'kms:GetPublicKey']);
  });

  test('the key policy denies Sign and Verify with any algorithm but ML_DSA_SHAKE_256, to every principal', () => {
    const st = statement(policy, 'DenySigningWithOtherAlgorithms');
    expect(st.Effect).toBe('Deny');
    expect(st.Principal).toEqual({ AWS: '*' });
    expect(st.Action).toEqual(['kms:Sign', 'kms:Verify']);
    expect(st.Condition).toEqual({ StringNotEquals: { 'kms:SigningAlgorithm': ['ML_DSA_SHAKE_256'] } });
  });

  test('the crypto record says what the key is', () => {
    const crypto = keyRecord(key).crypto!;
    expect(crypto).toEqual({
      algorithm: KeyAlgorithm.ML_DSA,
      providerSpec: keySpec,
      sizeBits: undefined,
      parameterSet,
      purpose: KeyPurpose.SIGN_VERIFY,
      protectionLevel: 'AWS_KMS',
      operations: ['ML_DSA_SHAKE_256'],
      rotationDays: undefined,
    });
    expect(nistQuantumSecurityLevel(crypto)).toBe(category);
  });

  test('a multi-Region ML-DSA primary synthesizes (KMS supports asymmetric multi-Region signing keys)', () => {
    const { stack: s, key: k } = mlDsaKey(keySpec, { multiRegion: true });
    const cfnKey = Template.fromStack(s).findResources('AWS::KMS::Key')[s.getLogicalId(k.node.defaultChild as kms.CfnKey)].Properties;
    expect(cfnKey.MultiRegion).toBe(true);
    expect(cfnKey.KeySpec).toBe(keySpec);
  });
});

describe('who can sign with an ML-DSA key (the real IAM evaluator on the synthesized key policy)', () => {
  const { key, policy: before } = mlDsaKey(kms.KeySpec.ML_DSA_65);
  key.grantSign(new iam.ArnPrincipal(SIGNER));
  const policy = Stack.of(key).resolve((key.node.defaultChild as kms.CfnKey).keyPolicy);
  const raw = { 'kms:MessageType': 'RAW' };
  const mu = { 'kms:MessageType': 'EXTERNAL_MU' };

  test('the grant went into the same policy', () => {
    expect(policy.Statement.length).toBeGreaterThan(before.Statement.length);
  });

  test.each([
    [USER, 'kms:Sign', { 'kms:SigningAlgorithm': 'ML_DSA_SHAKE_256', ...raw }, 'ALLOW'],
    [USER, 'kms:Sign', { 'kms:SigningAlgorithm': 'ML_DSA_SHAKE_256', ...mu }, 'ALLOW'],
    [USER, 'kms:Verify', { 'kms:SigningAlgorithm': 'ML_DSA_SHAKE_256', ...raw }, 'ALLOW'],
    [USER, 'kms:GetPublicKey', {}, 'ALLOW'],
    // Another algorithm is denied outright, whatever KMS would say of it.
    [USER, 'kms:Sign', { 'kms:SigningAlgorithm': 'ECDSA_SHA_256', ...raw }, 'EXPLICIT_DENY'],
    [USER, 'kms:Sign', { 'kms:SigningAlgorithm': 'RSASSA_PSS_SHA_256', ...raw }, 'EXPLICIT_DENY'],
    [USER, 'kms:Verify', { 'kms:SigningAlgorithm': 'ED25519_SHA_512', ...raw }, 'EXPLICIT_DENY'],
    [USER, 'kms:Decrypt', {}, 'IMPLICIT_DENY'],
    // A principal granted Sign later is bound by the same deny.
    [SIGNER, 'kms:Sign', { 'kms:SigningAlgorithm': 'ML_DSA_SHAKE_256', ...raw }, 'ALLOW'],
    [SIGNER, 'kms:Sign', { 'kms:SigningAlgorithm': 'ECDSA_SHA_384', ...raw }, 'EXPLICIT_DENY'],
    // Administrators, auditors and the deployment principal never sign.
    [ADMIN, 'kms:Sign', { 'kms:SigningAlgorithm': 'ML_DSA_SHAKE_256', ...raw }, 'EXPLICIT_DENY'],
    [ADMIN, 'kms:GetPublicKey', {}, 'EXPLICIT_DENY'],
    [AUDITOR, 'kms:Sign', { 'kms:SigningAlgorithm': 'ML_DSA_SHAKE_256', ...raw }, 'EXPLICIT_DENY'],
    [AUDITOR, 'kms:Verify', { 'kms:SigningAlgorithm': 'ML_DSA_SHAKE_256', ...raw }, 'EXPLICIT_DENY'],
    [DEPLOYER, 'kms:Sign', { 'kms:SigningAlgorithm': 'ML_DSA_SHAKE_256', ...raw }, 'EXPLICIT_DENY'],
    [`arn:aws:iam::${'111122223333'}:root`, 'kms:Sign', { 'kms:SigningAlgorithm': 'ML_DSA_SHAKE_256', ...raw }, 'IMPLICIT_DENY'],
  ])('%s calling %s %j: %s', (principal, action, ctx, expected) => {
    expect(decide(policy, principal, action, ctx as any)).toBe(expected);
  });

  test('RSA and ECC signing keys keep their policy: no algorithm statement (their templates are unchanged)', () => {
    for (const keySpec of [kms.KeySpec.ECC_NIST_P256, kms.KeySpec.RSA_3072]) {
      const { policy: p } = mlDsaKey(keySpec, { keyUsage: kms.KeyUsage.SIGN_VERIFY });
      expect(p.Statement.map((s: any) => s.Sid)).not.toContain('DenySigningWithOtherAlgorithms');
    }
  });
});

describe('combinations KMS refuses fail at synthesis, naming the prop', () => {
  test.each([
    [kms.KeySpec.ML_DSA_65, kms.KeyUsage.ENCRYPT_DECRYPT, /keyUsage must be SIGN_VERIFY for keySpec ML_DSA_65 \(KMS offers no other\), got ENCRYPT_DECRYPT/],
    [kms.KeySpec.ML_DSA_44, kms.KeyUsage.KEY_AGREEMENT, /keyUsage must be SIGN_VERIFY for keySpec ML_DSA_44 \(KMS offers no other\), got KEY_AGREEMENT/],
    [kms.KeySpec.ML_DSA_87, kms.KeyUsage.GENERATE_VERIFY_MAC, /keyUsage must be SIGN_VERIFY for keySpec ML_DSA_87 \(KMS offers no other\), got GENERATE_VERIFY_MAC/],
    // aws-cdk-lib lets these two through to a CreateKey that fails at deploy time.
    [kms.KeySpec.ECC_NIST_EDWARDS25519, kms.KeyUsage.ENCRYPT_DECRYPT, /keyUsage must be SIGN_VERIFY for keySpec ECC_NIST_EDWARDS25519 \(KMS offers no other\), got ENCRYPT_DECRYPT/],
    [kms.KeySpec.ECC_NIST_EDWARDS25519, kms.KeyUsage.KEY_AGREEMENT, /keyUsage must be SIGN_VERIFY for keySpec ECC_NIST_EDWARDS25519/],
    [kms.KeySpec.ECC_SECG_P256K1, kms.KeyUsage.KEY_AGREEMENT, /keyUsage must be SIGN_VERIFY for keySpec ECC_SECG_P256K1/],
    [kms.KeySpec.RSA_2048, kms.KeyUsage.KEY_AGREEMENT, /keyUsage must be ENCRYPT_DECRYPT or SIGN_VERIFY for keySpec RSA_2048/],
    [kms.KeySpec.HMAC_256, kms.KeyUsage.ENCRYPT_DECRYPT, /keyUsage must be GENERATE_VERIFY_MAC for keySpec HMAC_256/],
  ])('%s with %s', (keySpec, keyUsage, message) => {
    expect(() => cmkFor(newStack(), ComplianceProfile.COMMERCIAL, 'K', { keySpec, keyUsage })).toThrow(message);
  });

  test('rotation on an ML-DSA key is refused: KMS rotates only symmetric encryption keys', () => {
    expect(() => cmkFor(newStack(), ComplianceProfile.COMMERCIAL, 'K', { keySpec: kms.KeySpec.ML_DSA_65, rotation: Duration.days(365) }))
      .toThrow(/rotation is only supported for symmetric encryption keys, got keySpec ML_DSA_65 with keyUsage SIGN_VERIFY/);
  });

  test.each([kms.KeySpec.ML_DSA_44, kms.KeySpec.ML_DSA_65, kms.KeySpec.ML_DSA_87, kms.KeySpec.ECC_NIST_EDWARDS25519])(
    'ByokImport refuses %s, whose key material KMS does not import, citing the import requirements', (keySpec) => {
      expect(() => byokFor(newStack(), ComplianceProfile.COMMERCIAL, 'Imported', { keySpec }))
        .toThrow(new RegExp(`keySpec must be a spec ByokImport can import .* got ${keySpec}: the KMS import requirements describe no .*` +
          'importing-keys-conceptual.html#importing-keys-material-requirements'));
    });
});

describe('the profile\'s algorithm rule on every AWS key construct', () => {
  const AES_ONLY = ComplianceProfile.custom({ name: 'AES_ONLY', basedOn: ComplianceProfile.COMMERCIAL, allowedKeyAlgorithms: [KeyAlgorithm.AES] });
  const NO_AES = ComplianceProfile.custom({ name: 'PQ_ONLY', basedOn: ComplianceProfile.COMMERCIAL, allowedKeyAlgorithms: [KeyAlgorithm.ML_DSA] });

  test('CustomerManagedKey: an ML-DSA key under a profile that allows only AES', () => {
    expect(() => cmkFor(newStack(), AES_ONLY, 'K', { keySpec: kms.KeySpec.ML_DSA_65 }))
      .toThrow(/keySpec ML_DSA_65 \(ML_DSA\) is not allowed by profile AES_ONLY for Test\/K, which allows AES/);
  });

  test('CustomerManagedKey: the same key under a profile that allows ML-DSA synthesizes', () => {
    expect(() => cmkFor(newStack(), NO_AES, 'K', { keySpec: kms.KeySpec.ML_DSA_65 })).not.toThrow();
  });

  test.each([ComplianceProfile.FEDRAMP_MODERATE])('CustomerManagedKey: SM2 under %s (FIPS-approved algorithms only)', (profile) => {
    expect(() => cmkFor(newStack(), profile, 'K', { keySpec: kms.KeySpec.SM2 }))
      .toThrow(new RegExp(`keySpec SM2 \\(SM2\\) is not allowed by profile ${profile.name} for Test/K`));
  });

  test.each([ComplianceProfile.FEDRAMP_HIGH])('ByokImport: SM2 material under %s', (profile) => {
    expect(() => byokFor(newStack(), profile, 'K', { keySpec: kms.KeySpec.SM2 }))
      .toThrow(new RegExp(`keySpec SM2 \\(SM2\\) is not allowed by profile ${profile.name} for Test/K`));
  });

  test('ManagedKey (AWS managed keys are SYMMETRIC_DEFAULT): refused by a profile without AES', () => {
    expect(() => new aws.ManagedKey(newStack(), 'K', { profile: NO_AES }))
      .toThrow(/keySpec SYMMETRIC_DEFAULT \(AES\) is not allowed by profile PQ_ONLY for Test\/K, which allows ML_DSA/);
  });

  test('TenantKeyHierarchy: refused by a profile without AES', () => {
    const p = people();
    expect(() => new aws.TenantKeyHierarchy(newStack(), 'Tenants', {
      profile: NO_AES, custodians: { administrators: [p.admin], users: [p.user] },
    })).toThrow(/keySpec SYMMETRIC_DEFAULT \(AES\) is not allowed by profile PQ_ONLY for Test\/Tenants/);
  });

  test('HyokExternalStore keys: refused by a profile without AES (custom key stores hold symmetric keys only)', () => {
    // Based on COMMERCIAL, which needs no audit sink: a sink's own key is an AES key, which this profile would refuse too.
    const profile = ComplianceProfile.custom({ name: 'HYOK_PQ_ONLY', basedOn: ComplianceProfile.COMMERCIAL, allowedKeyAlgorithms: [KeyAlgorithm.ML_DSA] });
    // The store is refused first: its health check's logs are encrypted with the library's own AES key (a service key,
    // held to the same rule), so no key of the store can be made under this profile.
    expect(() => xksStoreFor(newStack(), profile))
      .toThrow(/keySpec SYMMETRIC_DEFAULT \(AES\) is not allowed by profile HYOK_PQ_ONLY for the library's own key Test\/CloudKmsConstructsLogKey/);
  });
});

describe('every AWS key records its crypto in the evidence', () => {
  test('ManagedKey: AES-256, KMS-generated, rotated automatically', () => {
    const key = new aws.ManagedKey(newStack(), 'K', { rotation: Duration.days(180) });
    expect(keyRecord(key).crypto).toEqual({
      algorithm: KeyAlgorithm.AES,
      providerSpec: 'SYMMETRIC_DEFAULT',
      sizeBits: 256,
      parameterSet: undefined,
      purpose: KeyPurpose.ENCRYPT_DECRYPT,
      protectionLevel: 'AWS_KMS',
      operations: ['SYMMETRIC_DEFAULT'],
      rotationDays: 180,
    });
  });

  test('CustomerManagedKey: HMAC, ECC key agreement and RSA signing', () => {
    const stack = newStack();
    const hmac = cmkFor(stack, ComplianceProfile.COMMERCIAL, 'Mac', { keySpec: kms.KeySpec.HMAC_384 });
    const ecdh = cmkFor(stack, ComplianceProfile.COMMERCIAL, 'Agree', { keySpec: kms.KeySpec.ECC_NIST_P384, keyUsage: kms.KeyUsage.KEY_AGREEMENT });
    const rsa = cmkFor(stack, ComplianceProfile.COMMERCIAL, 'Sign', { keySpec: kms.KeySpec.RSA_4096, keyUsage: kms.KeyUsage.SIGN_VERIFY });
    expect(keyRecord(hmac).crypto).toMatchObject({ algorithm: KeyAlgorithm.HMAC, sizeBits: 384, purpose: KeyPurpose.GENERATE_VERIFY_MAC, operations: ['HMAC_SHA_384'] });
    expect(keyRecord(ecdh).crypto).toMatchObject({ algorithm: KeyAlgorithm.EC, sizeBits: 384, parameterSet: 'P-384', purpose: KeyPurpose.KEY_AGREEMENT, operations: ['ECDH'] });
    expect(keyRecord(rsa).crypto).toMatchObject({ algorithm: KeyAlgorithm.RSA, sizeBits: 4096, purpose: KeyPurpose.SIGN_VERIFY });
    expect(keyRecord(rsa).crypto!.operations).toEqual(['RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512',
      'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512']);
    for (const k of [hmac, ecdh, rsa]) expect(keyRecord(k).crypto!.rotationDays).toBeUndefined();
  });

  test('ByokImport: protection level EXTERNAL, no automatic rotation', () => {
    const key = byokFor(newStack(), ComplianceProfile.COMMERCIAL, 'Imported', { keySpec: kms.KeySpec.RSA_3072, keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT });
    expect(keyRecord(key).crypto).toEqual({
      algorithm: KeyAlgorithm.RSA,
      providerSpec: 'RSA_3072',
      sizeBits: 3072,
      parameterSet: undefined,
      purpose: KeyPurpose.ENCRYPT_DECRYPT,
      protectionLevel: 'EXTERNAL',
      operations: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'],
      rotationDays: undefined,
    });
  });

  test('an external key store key: AES, protection level EXTERNAL_KEY_STORE', () => {
    const stack = newStack();
    const key = xksStoreFor(stack, ComplianceProfile.SOVEREIGN).addKey('TenantKey', { xksKeyId: 'external-key-1' });
    expect(keyRecord(key).crypto).toMatchObject({
      algorithm: KeyAlgorithm.AES, providerSpec: 'SYMMETRIC_DEFAULT', protectionLevel: 'EXTERNAL_KEY_STORE', rotationDays: undefined,
    });
  });

  test('a tenant key: AES, KMS-generated, rotated within the profile', () => {
    const stack = newStack();
    const p = people();
    const h = new aws.TenantKeyHierarchy(stack, 'Tenants', {
      custodians: { administrators: [p.admin], users: [p.user] }, tenants: [{ tenantId: 'acme' }],
    });
    const key = h.keyFor('acme');
    expect(keyRecord(key).crypto).toMatchObject({
      algorithm: KeyAlgorithm.AES, providerSpec: 'SYMMETRIC_DEFAULT', protectionLevel: 'AWS_KMS', rotationDays: 365,
    });
  });
});

test('cfn-lint finds nothing in a stack of ML-DSA keys with an audit sink', () => {
  const stack = newStack();
  const sink = sinkFor(stack, ComplianceProfile.COMMERCIAL);
  for (const [keySpec] of ML_DSA) {
    cmkFor(stack, ComplianceProfile.COMMERCIAL, `Key${keySpec}`, { keySpec, auditSink: sink, multiRegion: keySpec === kms.KeySpec.ML_DSA_87 });
  }
  const matches = cfnLint({ pq: templateOf(stack).toJSON() });
  expect(matches.filter((m) => !ACCEPTED_WARNINGS.includes(m.Rule.Id)).map((m) => `${m.Level} ${m.Rule.Id} ${m.Message}`)).toEqual([]);
});

test('under dual control (PCI DSS) the policy the gate installs carries the same algorithm deny, and the approvers cannot sign', () => {
  const stack = newStack();
  const key = cmkFor(stack, ComplianceProfile.PCI_DSS, 'SigningKey', { keySpec: kms.KeySpec.ML_DSA_87 });
  expect(key.dualControl).toBe(true);
  const policy = keyPolicyOf(stack, key);
  expect(statement(policy, 'DenySigningWithOtherAlgorithms').Condition).toEqual({ StringNotEquals: { 'kms:SigningAlgorithm': ['ML_DSA_SHAKE_256'] } });
  const sign = (algorithm: string) => ({ 'kms:SigningAlgorithm': algorithm, 'kms:MessageType': 'RAW', 'aws:MultiFactorAuthPresent': 'true' });
  expect(decide(policy, USER, 'kms:Sign', sign('ML_DSA_SHAKE_256'))).toBe('ALLOW');
  expect(decide(policy, USER, 'kms:Sign', sign('ECDSA_SHA_512'))).toBe('EXPLICIT_DENY');
  expect(decide(policy, arn('ApproverA'), 'kms:Sign', sign('ML_DSA_SHAKE_256'))).not.toBe('ALLOW');
});
