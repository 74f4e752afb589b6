/*
 * Issue 19, item 5 (Azure): Azure Key Vault and Managed HSM have no post-quantum keys (RSA, EC and oct AES only), so a
 * post-quantum key spec, or a profile that leaves Azure no family it can make, fails at synthesis saying so; the
 * profile's algorithm rule holds for every Azure key; and every Azure key records its crypto.
 */
import { ComplianceProfile, EvidenceLedger, isQuantumVulnerable, KeyAlgorithm as Family, KeyPurpose } from '../../src';
import * as azure from '../../src/azure';
import { azureKeyCrypto } from '../../src/azure/private/key-crypto';
import { azureByok, azureCmk, azureHsm, azureStack, ids, LOCATION, one, RG, synth, vaultNetwork } from '../support/azure';

const COMMERCIAL = ComplianceProfile.COMMERCIAL;
const cryptoOf = (stack: any, path: string) => EvidenceLedger.of(stack).keys.find((k) => k.path === path)?.crypto;

describe('Azure has no post-quantum keys', () => {
  test.each(['ML_DSA_65', 'PQ_SIGN_ML_DSA_65', 'ML_KEM_768', 'SLH_DSA_SHA2_128S'])('keySpec %s is refused, naming the prop, the value and the reason', (spec) => {
    expect(() => azureCmk(azureStack(), COMMERCIAL, 'K', { keySpec: spec as azure.KeySpec }))
      .toThrow(new RegExp(`^keySpec must be one of .*; Azure Key Vault and Managed HSM have no post-quantum keys\\), got ${spec}$`));
  });

  test('a misspelt classical spec gets the plain message, without the post-quantum remark', () => {
    expect(() => azureCmk(azureStack(), COMMERCIAL, 'K', { keySpec: 'RSA_1024' as azure.KeySpec })).toThrow(/P-256K\), got RSA_1024$/);
  });

  test('a profile of post-quantum families only cannot be met on Azure: every key construct says so', () => {
    const pq = ComplianceProfile.custom({ name: 'PQ_ONLY', basedOn: COMMERCIAL, allowedKeyAlgorithms: [Family.ML_DSA, Family.ML_KEM] });
    const message = /^profile PQ_ONLY allows only ML_DSA, ML_KEM, which Azure cannot make for test\/K[^:]*: Azure Key Vault and Managed HSM keys are RSA, EC, AES; Azure has no post-quantum keys \(ML_DSA, ML_KEM\)$/;
    expect(() => azureCmk(azureStack(), pq, 'K')).toThrow(message);
    expect(() => azureByok(azureStack(), pq, 'K')).toThrow(message);
    expect(() => new azure.ManagedKey(azureStack(), 'K', {
      resourceGroupName: RG, location: LOCATION, acknowledgePurgeProtectionIsPermanent: true, network: vaultNetwork(), profile: pq,
    })).toThrow(message);
  });
});

describe('the profile\'s algorithm rule on Azure keys', () => {
  const ecOnly = ComplianceProfile.custom({ name: 'EC_ONLY', basedOn: COMMERCIAL, allowedKeyAlgorithms: [Family.EC, Family.ML_DSA] });

  test('a family the profile leaves out fails with the prop, the value and the profile', () => {
    expect(() => azureCmk(azureStack(), ecOnly, 'K'))
      .toThrow(/^keySpec RSA_3072 is RSA, which profile EC_ONLY does not allow for test\/K[^ ]* \(allowed: EC, ML_DSA\)$/);
    const stack = azureStack();
    expect(() => azureHsm(stack, ComplianceProfile.custom({ name: 'EC_HSM', basedOn: ComplianceProfile.SOVEREIGN, allowedKeyAlgorithms: [Family.EC] }))
      .addKey('Tenant', { keyName: 'tenant-a' })).toThrow(/keySpec RSA_3072 is RSA, which profile EC_HSM does not allow/);
  });

  test('an allowed family synthesizes', () => {
    const stack = azureStack();
    azureCmk(stack, ecOnly, 'K', { keySpec: azure.KeySpec.EC_P384 });
    expect(one(synth(stack), 'azurerm_key_vault_key')).toMatchObject({ key_type: 'EC-HSM', curve: 'P-384' });
  });
});

describe('crypto records of Azure keys', () => {
  test('customer-managed, BYOK, managed, Managed HSM and tenant keys all record theirs', () => {
    const stack = azureStack();
    azureCmk(stack, COMMERCIAL, 'Cmk');
    azureCmk(stack, COMMERCIAL, 'Signer', { keySpec: azure.KeySpec.EC_P256K });
    azureByok(stack, COMMERCIAL, 'Byok', { keySpec: azure.KeySpec.RSA_4096 });
    new azure.ManagedKey(stack, 'Managed', { resourceGroupName: RG, location: LOCATION, acknowledgePurgeProtectionIsPermanent: true, network: vaultNetwork() });
    azureHsm(azureStack('hsm'), ComplianceProfile.SOVEREIGN);
    const hsmStack = azureStack('hsm2');
    azureHsm(hsmStack, ComplianceProfile.SOVEREIGN).addKey('Tenant', { keyName: 'tenant-a', keySpec: azure.KeySpec.EC_P521 });
    new azure.TenantKeyHierarchy(stack, 'Tenants', {
      resourceGroupName: RG,
      location: LOCATION,
      acknowledgePurgeProtectionIsPermanent: true,
      network: vaultNetwork(),
      vaultNamePrefix: 'kvtenants',
      tenants: [{ tenantId: 'acme' }],
      custodians: { administrators: [ids.admin], users: [ids.user], auditors: [ids.auditor] },
    });
    const keys = [...EvidenceLedger.of(stack).keys, ...EvidenceLedger.of(hsmStack).keys];
    expect(keys.length).toBeGreaterThanOrEqual(5);
    expect(keys.filter((k) => k.crypto === undefined).map((k) => k.path)).toEqual([]);
    expect(cryptoOf(stack, 'test/Cmk')).toEqual({
      algorithm: Family.RSA,
      providerSpec: 'RSA-HSM 3072',
      sizeBits: 3072,
      purpose: KeyPurpose.ENCRYPT_DECRYPT,
      protectionLevel: 'RSA-HSM',
      operations: ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'],
      rotationDays: COMMERCIAL.maxRotationDays,
    });
    expect(cryptoOf(stack, 'test/Signer')).toMatchObject({ algorithm: Family.EC, parameterSet: 'secp256k1', sizeBits: 256, purpose: KeyPurpose.SIGN_VERIFY, operations: ['sign', 'verify'] });
    // Re-imported keys do not rotate automatically.
    expect(cryptoOf(stack, 'test/Byok')).toMatchObject({ algorithm: Family.RSA, sizeBits: 4096 });
    expect(cryptoOf(stack, 'test/Byok')!.rotationDays).toBeUndefined();
    const tenant = EvidenceLedger.of(hsmStack).keys.find((k) => k.path.endsWith('Tenant'))!.crypto!;
    expect(tenant).toMatchObject({ algorithm: Family.EC, parameterSet: 'P-521', sizeBits: 521, protectionLevel: 'EC-HSM' });
    expect(keys.every((k) => isQuantumVulnerable(k.crypto!))).toBe(true);
  });

  test('oct-HSM (AES) keys map to AES with their size; an unknown key type is refused', () => {
    const aes = azureKeyCrypto({ keyType: 'oct-HSM', keySize: 256, keyUsage: azure.KeyUsage.ENCRYPT_DECRYPT, keyOpts: ['wrapKey', 'unwrapKey'] });
    expect(aes).toEqual({
      algorithm: Family.AES, providerSpec: 'oct-HSM 256', sizeBits: 256, purpose: KeyPurpose.ENCRYPT_DECRYPT, protectionLevel: 'oct-HSM', operations: ['wrapKey', 'unwrapKey'],
    });
    expect(isQuantumVulnerable(aes)).toBe(false);
    expect(() => azureKeyCrypto({ keyType: 'ML-DSA', keyUsage: azure.KeyUsage.SIGN_VERIFY, keyOpts: [] })).toThrow(/key_type must be RSA, EC or oct/);
  });
});
