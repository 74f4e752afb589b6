import { ComplianceProfile, isQuantumVulnerable, KeyAlgorithm, KeyCryptoRecord, KeyPurpose, nistQuantumSecurityLevel } from '../../src/core';
import { profileFromRecord, profileRecord } from '../../src/core/profile-record';

const crypto = (algorithm: KeyAlgorithm, extra: Partial<KeyCryptoRecord> = {}): KeyCryptoRecord => ({
  algorithm, providerSpec: 'X', purpose: KeyPurpose.SIGN_VERIFY, protectionLevel: 'HSM', operations: [], ...extra,
});

describe('NIST quantum security category', () => {
  test.each([
    [KeyAlgorithm.ML_DSA, 'ML-DSA-44', 2], [KeyAlgorithm.ML_DSA, 'ML-DSA-65', 3], [KeyAlgorithm.ML_DSA, 'ML-DSA-87', 5],
    [KeyAlgorithm.ML_KEM, 'ML-KEM-768', 3], [KeyAlgorithm.ML_KEM, 'ML-KEM-1024', 5],
    [KeyAlgorithm.SLH_DSA, 'SLH-DSA-SHA2-128s', 1], [KeyAlgorithm.SLH_DSA, 'SLH-DSA-SHAKE-256f', 5],
    [KeyAlgorithm.EC, 'P-384', 0], [KeyAlgorithm.EDDSA, 'Ed25519', 0], [KeyAlgorithm.ML_DSA, 'ML-DSA-99', 0],
  ])('%s %s is category %d', (algorithm, parameterSet, level) => {
    expect(nistQuantumSecurityLevel(crypto(algorithm, { parameterSet }))).toBe(level);
  });

  test('symmetric keys keep the category of AES of the same length; RSA is broken', () => {
    expect(nistQuantumSecurityLevel(crypto(KeyAlgorithm.AES, { sizeBits: 256 }))).toBe(5);
    expect(nistQuantumSecurityLevel(crypto(KeyAlgorithm.AES, { sizeBits: 128 }))).toBe(1);
    expect(nistQuantumSecurityLevel(crypto(KeyAlgorithm.HMAC, { sizeBits: 224 }))).toBe(3);
    expect(isQuantumVulnerable(crypto(KeyAlgorithm.RSA, { sizeBits: 4096 }))).toBe(true);
    expect(isQuantumVulnerable(crypto(KeyAlgorithm.AES, { sizeBits: 256 }))).toBe(false);
  });
});

describe('residency and algorithms in the profile', () => {
  test('built-ins allow every region; FedRAMP and SOVEREIGN refuse SM2, the others allow it', () => {
    for (const p of ComplianceProfile.builtIns()) {
      expect(p.allowsRegion('ap-southeast-2')).toBe(true);
      expect(p.restrictsRegions).toBe(false);
      expect(p.allowsKeyAlgorithm(KeyAlgorithm.ML_DSA)).toBe(true);
      expect(p.allowsKeyAlgorithm(KeyAlgorithm.SM2)).toBe(!/FEDRAMP|SOVEREIGN/.test(p.name));
    }
  });

  test('a custom profile compares regions without case or spaces, and inherits from basedOn', () => {
    const eu = ComplianceProfile.custom({ name: 'EU', basedOn: ComplianceProfile.PCI_DSS, allowedRegions: ['eu-west-1', 'West Europe', 'europe'] });
    expect(eu.allowedRegions).toEqual(['eu-west-1', 'westeurope', 'europe']);
    expect(eu.allowsRegion('WestEurope')).toBe(true);
    expect(eu.allowsRegion('us-east-1')).toBe(false);
    expect(eu.restrictsRegions).toBe(true);
    const child = ComplianceProfile.custom({ name: 'EU2', basedOn: eu });
    expect(child.allowedRegions).toEqual(eu.allowedRegions);
  });

  test('bad regions and an empty algorithm list are refused, naming the prop and the value', () => {
    expect(() => ComplianceProfile.custom({ name: 'X', allowedRegions: ['eu west 1!'] })).toThrow(/allowedRegions of profile X .* got 'eu west 1!'/);
    expect(() => ComplianceProfile.custom({ name: 'X', allowedRegions: [''] })).toThrow(/allowedRegions/);
    expect(() => ComplianceProfile.custom({ name: 'X', allowedKeyAlgorithms: [] })).toThrow(/allowedKeyAlgorithms of profile X must name at least one/);
  });

  test('the profile record carries regions and algorithms to `cloud-kms check`', () => {
    const p = ComplianceProfile.custom({ name: 'PQ_EU', allowedRegions: ['eu-central-1'], allowedKeyAlgorithms: [KeyAlgorithm.ML_DSA, KeyAlgorithm.AES] });
    const back = profileFromRecord(JSON.parse(JSON.stringify(profileRecord(p))))!;
    expect(back.allowedRegions).toEqual(['eu-central-1']);
    expect(back.allowedKeyAlgorithms).toEqual([KeyAlgorithm.ML_DSA, KeyAlgorithm.AES]);
    expect(back.allowsKeyAlgorithm(KeyAlgorithm.RSA)).toBe(false);
  });
});
