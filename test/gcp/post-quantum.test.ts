/*
 * Issue 19, item 5 (Google): post-quantum keys on Cloud KMS (ML-DSA, SLH-DSA signatures; ML-KEM and X-Wing key
 * encapsulation), the custodians' roles for them, the profile's algorithm rule, and every Google key's crypto record.
 */
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { TerraformStack, Testing } from 'cdktf';
import { gcpApp } from '../../examples/gcp/main';
import { ComplianceProfile, EvidenceLedger, isQuantumVulnerable, KeyAlgorithm as Family, KeyPurpose, nistQuantumSecurityLevel } from '../../src';
import { Access } from '../../src/compliance/access-matrix';
import { buildReport } from '../../src/compliance/report';
import * as gcp from '../../src/gcp';
import { gcpKeyCrypto } from '../../src/gcp/private/key-crypto';
import { ADMINISTRATOR_FORBIDDEN, ROLE_PERMISSIONS } from '../../src/gcp/private/role-permissions';
import { ROLES } from '../../src/gcp/private/roles';
import { bindings, gcpByok, gcpCmk, gcpEkm, gcpStack, LOCATION, m, one, PROJECT, synth } from '../support/gcp';

const COMMERCIAL = ComplianceProfile.COMMERCIAL;
const SOFTWARE = gcp.ProtectionLevel.SOFTWARE;
const A = gcp.KeyAlgorithm;

const cryptoOf = (stack: any, path: string) => EvidenceLedger.of(stack).keys.find((k) => k.path === path)?.crypto;

describe('post-quantum Cloud KMS keys', () => {
  test.each([
    [A.PQ_SIGN_ML_DSA_44, 'ASYMMETRIC_SIGN'],
    [A.PQ_SIGN_ML_DSA_65, 'ASYMMETRIC_SIGN'],
    [A.PQ_SIGN_ML_DSA_87, 'ASYMMETRIC_SIGN'],
    [A.PQ_SIGN_ML_DSA_65_EXTERNAL_MU, 'ASYMMETRIC_SIGN'],
    [A.PQ_SIGN_SLH_DSA_SHA2_128S, 'ASYMMETRIC_SIGN'],
    [A.PQ_SIGN_HASH_SLH_DSA_SHA2_128S_SHA256, 'ASYMMETRIC_SIGN'],
    [A.ML_KEM_768, 'KEY_ENCAPSULATION'],
    [A.ML_KEM_1024, 'KEY_ENCAPSULATION'],
    [A.KEM_XWING, 'KEY_ENCAPSULATION'],
  ])('%s: purpose %s, the algorithm and SOFTWARE protection in the version template, no automatic rotation', (algorithm, purpose) => {
    const stack = gcpStack();
    gcpCmk(stack, COMMERCIAL, 'PqKey', { algorithm, protectionLevel: SOFTWARE });
    const key = one(synth(stack), 'google_kms_crypto_key');
    expect(key.purpose).toBe(purpose);
    expect(key.version_template).toEqual({ algorithm, protection_level: 'SOFTWARE' });
    // Cloud KMS rotates only symmetric encryption keys.
    expect(key.rotation_period).toBeUndefined();
    expect(key.lifecycle).toEqual({ prevent_destroy: true });
  });

  test('users of an ML-KEM key get Decapsulator and Public Key Viewer on the key; the administrator gets neither', () => {
    const stack = gcpStack();
    gcpCmk(stack, COMMERCIAL, 'KemKey', { algorithm: A.ML_KEM_768, protectionLevel: SOFTWARE });
    const json = synth(stack);
    const onKey = bindings(json, 'google_kms_crypto_key_iam_member');
    expect(onKey.filter((b) => b.member === m.user).map((b) => b.role).sort()).toEqual([ROLES.DECAPSULATOR, ROLES.PUBLIC_KEY_VIEWER].sort());
    expect(onKey.filter((b) => b.member === m.admin)).toEqual([]);
    // Decapsulation is use: the administrator's matrix row is denied it, the user's allowed exactly it.
    expect(ROLE_PERMISSIONS[ROLES.DECAPSULATOR]).toContain('cloudkms.cryptoKeyVersions.useToDecapsulate');
    expect(ADMINISTRATOR_FORBIDDEN).toContain('cloudkms.cryptoKeyVersions.useToDecapsulate');
    const matrix = buildReport(EvidenceLedger.of(stack)).stacks[0].keys.find((k) => k.path === 'test/KemKey')!.accessMatrix!;
    const row = (p: string) => matrix.rows.find((r) => r.principal.toLowerCase() === p.toLowerCase())!;
    expect(row(m.user).access.use.access).toBe(Access.ALLOWED);
    expect(row(m.user).access.use.actions).toEqual(['cloudkms.cryptoKeyVersions.useToDecapsulate', 'cloudkms.cryptoKeyVersions.viewPublicKey']);
    expect(row(m.admin).access.use.access).toBe(Access.DENIED);
  });

  test('users of an ML-DSA key get Signer/Verifier; grantDecapsulate fits only KEY_ENCAPSULATION keys', () => {
    const stack = gcpStack();
    const sign = gcpCmk(stack, COMMERCIAL, 'SignKey', { algorithm: A.PQ_SIGN_ML_DSA_65, protectionLevel: SOFTWARE });
    const kem = gcpCmk(stack, COMMERCIAL, 'KemKey', { algorithm: A.ML_KEM_1024, protectionLevel: SOFTWARE });
    expect(() => sign.grantDecapsulate('serviceAccount:app@payments-prod.iam.gserviceaccount.com')).toThrow(/roles\/cloudkms.decapsulator does not fit test\/SignKey: its purpose is ASYMMETRIC_SIGN/);
    expect(() => kem.grantSignVerify('serviceAccount:app@payments-prod.iam.gserviceaccount.com')).toThrow(/its purpose is KEY_ENCAPSULATION/);
    kem.grantDecapsulate('serviceAccount:app@payments-prod.iam.gserviceaccount.com');
    expect(() => kem.grantDecapsulate(m.admin)).toThrow(/separation|administrator/i);
    const json = synth(stack);
    const roles = (member: string, key: RegExp) => bindings(json, 'google_kms_crypto_key_iam_member')
      .filter((b) => b.member === member && key.test(b.crypto_key_id)).map((b) => b.role).sort();
    expect(roles(m.user, /SignKey/)).toEqual([ROLES.SIGNER_VERIFIER]);
    expect(roles('serviceAccount:app@payments-prod.iam.gserviceaccount.com', /KemKey/)).toEqual([ROLES.DECAPSULATOR, ROLES.PUBLIC_KEY_VIEWER].sort());
  });

  test('Cloud HSM, Cloud EKM and import are refused for post-quantum algorithms, naming the prop and value', () => {
    expect(() => gcpCmk(gcpStack(), COMMERCIAL, 'K', { algorithm: A.PQ_SIGN_ML_DSA_65 }))
      .toThrow(/algorithm PQ_SIGN_ML_DSA_65 is a post-quantum preview Google documents for SOFTWARE keys only, got protectionLevel HSM for test\/K/);
    expect(() => gcpByok(gcpStack(), COMMERCIAL, 'K', { algorithm: A.ML_KEM_768 }))
      .toThrow(/algorithm ML_KEM_768 cannot be imported by ByokImport \(test\/K\): it imports into Cloud HSM, and Google documents post-quantum keys for SOFTWARE only/);
    expect(() => gcpEkm(gcpStack(), COMMERCIAL, 'S').addKey('K', { externalKeyPath: 'v0/keys/k', algorithm: A.PQ_SIGN_SLH_DSA_SHA2_128S }))
      .toThrow(/algorithm must be symmetric encryption or an EC\/RSA signing algorithm for EXTERNAL_VPC keys/);
  });
});

describe('the profile\'s algorithm rule on Google keys', () => {
  const classicOnly = ComplianceProfile.custom({ name: 'CLASSIC_ONLY', basedOn: COMMERCIAL, allowedKeyAlgorithms: [Family.AES, Family.RSA, Family.EC, Family.HMAC] });
  const pqOnly = ComplianceProfile.custom({ name: 'PQ_SIGNING', basedOn: COMMERCIAL, allowedKeyAlgorithms: [Family.ML_DSA, Family.SLH_DSA] });

  test('a family the profile leaves out fails at synthesis with the prop, the value and the profile', () => {
    expect(() => gcpCmk(gcpStack(), classicOnly, 'K', { algorithm: A.PQ_SIGN_ML_DSA_65, protectionLevel: SOFTWARE }))
      .toThrow(/algorithm PQ_SIGN_ML_DSA_65 is ML_DSA, which profile CLASSIC_ONLY does not allow for test\/K \(allowed: AES, RSA, EC, HMAC\)/);
    expect(() => gcpCmk(gcpStack(), pqOnly, 'K')).toThrow(/algorithm GOOGLE_SYMMETRIC_ENCRYPTION is AES, which profile PQ_SIGNING does not allow/);
    expect(() => new gcp.ManagedKey(gcpStack(), 'K', { project: PROJECT, location: LOCATION, profile: pqOnly }))
      .toThrow(/is AES, which profile PQ_SIGNING does not allow/);
    expect(() => new gcp.AutokeyHandles(gcpStack(), 'A', { project: PROJECT, location: LOCATION, profile: pqOnly, resourceTypes: ['compute.googleapis.com/Disk'] }))
      .toThrow(/profile PQ_SIGNING does not allow AES, but Autokey keys for test\/A are GOOGLE_SYMMETRIC_ENCRYPTION/);
  });

  test('a family the profile allows synthesizes', () => {
    const stack = gcpStack();
    gcpCmk(stack, pqOnly, 'K', { algorithm: A.PQ_SIGN_SLH_DSA_SHA2_128S, protectionLevel: SOFTWARE });
    expect(one(synth(stack), 'google_kms_crypto_key').version_template.algorithm).toBe('PQ_SIGN_SLH_DSA_SHA2_128S');
  });
});

describe('crypto records of Google keys', () => {
  test('ML-DSA-65, SLH-DSA, ML-KEM-1024 and X-Wing: family, parameter set, purpose, protection level, quantum category', () => {
    const stack = gcpStack();
    gcpCmk(stack, COMMERCIAL, 'Dsa', { algorithm: A.PQ_SIGN_ML_DSA_65, protectionLevel: SOFTWARE });
    gcpCmk(stack, COMMERCIAL, 'Slh', { algorithm: A.PQ_SIGN_HASH_SLH_DSA_SHA2_128S_SHA256, protectionLevel: SOFTWARE });
    gcpCmk(stack, COMMERCIAL, 'Kem', { algorithm: A.ML_KEM_1024, protectionLevel: SOFTWARE });
    gcpCmk(stack, COMMERCIAL, 'Xwing', { algorithm: A.KEM_XWING, protectionLevel: SOFTWARE });
    expect(cryptoOf(stack, 'test/Dsa')).toEqual({
      algorithm: Family.ML_DSA,
      providerSpec: 'PQ_SIGN_ML_DSA_65',
      parameterSet: 'ML-DSA-65',
      purpose: KeyPurpose.SIGN_VERIFY,
      protectionLevel: 'SOFTWARE',
      operations: ['PQ_SIGN_ML_DSA_65'],
    });
    expect(cryptoOf(stack, 'test/Slh')).toMatchObject({ algorithm: Family.SLH_DSA, parameterSet: 'SLH-DSA-SHA2-128s', purpose: KeyPurpose.SIGN_VERIFY });
    expect(cryptoOf(stack, 'test/Kem')).toMatchObject({ algorithm: Family.ML_KEM, parameterSet: 'ML-KEM-1024', purpose: KeyPurpose.KEY_ENCAPSULATION });
    expect(nistQuantumSecurityLevel(cryptoOf(stack, 'test/Dsa')!)).toBe(3);
    expect(nistQuantumSecurityLevel(cryptoOf(stack, 'test/Slh')!)).toBe(1);
    expect(nistQuantumSecurityLevel(cryptoOf(stack, 'test/Kem')!)).toBe(5);
    expect(nistQuantumSecurityLevel(cryptoOf(stack, 'test/Xwing')!)).toBe(3);
  });

  test('every Google key construct records crypto: CMK, BYOK, ManagedKey, EKM, tenant keys and Autokey', () => {
    const stack = gcpStack();
    gcpCmk(stack, COMMERCIAL, 'Cmk');
    gcpByok(stack, COMMERCIAL, 'Byok', { algorithm: A.EC_SIGN_P384_SHA384 });
    new gcp.ManagedKey(stack, 'Managed', { project: PROJECT, location: LOCATION, algorithm: A.HMAC_SHA512 });
    gcpEkm(stack, COMMERCIAL, 'Store').addKey('Ext', { externalKeyPath: 'v0/keys/ext' });
    new gcp.AutokeyHandles(stack, 'Auto', { project: PROJECT, location: LOCATION, resourceTypes: ['compute.googleapis.com/Disk'] });
    new gcp.TenantKeyHierarchy(stack, 'Tenants', {
      project: PROJECT,
      location: LOCATION,
      keyRingPrefix: 'tenants',
      tenants: [{ tenantId: 'acme' }],
      custodians: { administrators: [m.admin], users: [m.user], auditors: [m.auditor] },
    });
    const records = EvidenceLedger.of(stack).keys.map((k) => [k.path, k.crypto]);
    expect(records.filter(([, c]) => c === undefined)).toEqual([]);
    expect(cryptoOf(stack, 'test/Cmk')).toEqual({
      algorithm: Family.AES,
      providerSpec: 'GOOGLE_SYMMETRIC_ENCRYPTION',
      sizeBits: 256,
      purpose: KeyPurpose.ENCRYPT_DECRYPT,
      protectionLevel: 'HSM',
      operations: ['GOOGLE_SYMMETRIC_ENCRYPTION'],
      rotationDays: 90,
    });
    expect(cryptoOf(stack, 'test/Byok')).toMatchObject({ algorithm: Family.EC, sizeBits: 384, parameterSet: 'P-384', protectionLevel: 'HSM' });
    expect(cryptoOf(stack, 'test/Byok')!.rotationDays).toBeUndefined();
    expect(cryptoOf(stack, 'test/Managed')).toMatchObject({ algorithm: Family.HMAC, sizeBits: 512, purpose: KeyPurpose.GENERATE_VERIFY_MAC });
    const ext = EvidenceLedger.of(stack).keys.find((k) => k.path.startsWith('test/Store/') && k.path.endsWith('Ext'))!.crypto!;
    expect(ext).toMatchObject({ algorithm: Family.AES, providerSpec: 'EXTERNAL_SYMMETRIC_ENCRYPTION', protectionLevel: 'EXTERNAL_VPC' });
    const tenant = EvidenceLedger.of(stack).keys.find((k) => k.path.startsWith('test/Tenants/'))!.crypto!;
    expect(tenant).toMatchObject({ algorithm: Family.AES, providerSpec: 'GOOGLE_SYMMETRIC_ENCRYPTION', protectionLevel: 'HSM' });
    const auto = EvidenceLedger.of(stack).keys.find((k) => k.path.startsWith('test/Auto/'))!.crypto!;
    expect(auto).toMatchObject({ algorithm: Family.AES, sizeBits: 256, protectionLevel: 'HSM', rotationDays: 365 });
    expect(isQuantumVulnerable(cryptoOf(stack, 'test/Byok')!)).toBe(true);
    expect(isQuantumVulnerable(cryptoOf(stack, 'test/Cmk')!)).toBe(false);
  });

  test('every algorithm maps to a record whose purpose matches the Cloud KMS purpose', () => {
    const purposes: Record<string, KeyPurpose> = {
      ENCRYPT_DECRYPT: KeyPurpose.ENCRYPT_DECRYPT,
      ASYMMETRIC_DECRYPT: KeyPurpose.ENCRYPT_DECRYPT,
      ASYMMETRIC_SIGN: KeyPurpose.SIGN_VERIFY,
      MAC: KeyPurpose.GENERATE_VERIFY_MAC,
      KEY_ENCAPSULATION: KeyPurpose.KEY_ENCAPSULATION,
    };
    for (const alg of Object.values(A)) {
      const c = gcpKeyCrypto(alg, SOFTWARE);
      expect([alg, c.purpose]).toEqual([alg, purposes[gcp.purposeOf(alg)]]);
      expect([alg, c.sizeBits !== undefined || c.parameterSet !== undefined]).toEqual([alg, true]);
    }
  });
});

describe('the Google example app', () => {
  test('gcp-post-quantum holds an ML-DSA-65 signing key and an ML-KEM-768 key, SOFTWARE, with their users\' roles and crypto records', () => {
    const app = gcpApp(mkdtempSync(join(tmpdir(), 'gcp-pq-')));
    const json = JSON.parse(Testing.synth(app.node.findChild('gcp-post-quantum') as TerraformStack));
    const keys = Object.values<any>(json.resource.google_kms_crypto_key).map((k) => [k.name, k.purpose, k.version_template]);
    expect(keys).toEqual([
      ['release-signing', 'ASYMMETRIC_SIGN', { algorithm: 'PQ_SIGN_ML_DSA_65', protection_level: 'SOFTWARE' }],
      ['session-kem', 'KEY_ENCAPSULATION', { algorithm: 'ML_KEM_768', protection_level: 'SOFTWARE' }],
    ]);
    const roles = Object.values<any>(json.resource.google_kms_crypto_key_iam_member).filter((b) => b.member.startsWith('serviceAccount:orders@'))
      .map((b) => b.role).sort();
    expect(roles).toEqual([ROLES.DECAPSULATOR, ROLES.PUBLIC_KEY_VIEWER, ROLES.SIGNER_VERIFIER].sort());
    const records = EvidenceLedger.of(app).keys.filter((k) => k.path.startsWith('gcp-post-quantum/')).map((k) => k.crypto?.parameterSet);
    expect(records.sort()).toEqual(['ML-DSA-65', 'ML-KEM-768']);
  });
});
