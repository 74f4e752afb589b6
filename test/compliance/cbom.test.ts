/*
 * Issue 19, item 6: the cryptographic inventory. Every key of the ledger is one `related-crypto-material` asset of a
 * CycloneDX 1.6 CBOM that the CycloneDX library's own schema validator accepts, with its record's facts; a key with no
 * crypto record is listed as an unknown algorithm, never dropped; synthesis writes `cbom.cdx.json` beside the report.
 */
import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { App, Stack } from 'aws-cdk-lib';
import { App as TfApp, TerraformStack } from 'cdktf';
import * as awsLib from '../../src/aws';
import { ComplianceReport } from '../../src/compliance';
import { buildCbom, CBOM_FILE, cbomProperty, CycloneDxJson } from '../../src/compliance/cbom';
import { DeploymentModel } from '../../src/core/deployment-model';
import { EvidenceLedger, KeyRecord } from '../../src/core/evidence';
import { FipsLevel } from '../../src/core/fips';
import { KeyAlgorithm, KeyCryptoRecord, KeyPurpose } from '../../src/core/key-algorithm';
import { ComplianceProfile } from '../../src/core/profile';
import { cycloneDxErrors } from '../support/cyclonedx';
import { cmkFor } from '../support/fixtures';
import { gcpCmk, LOCATION, PROJECT } from '../support/gcp';

const crypto = (algorithm: KeyAlgorithm, purpose: KeyPurpose, extra: Partial<KeyCryptoRecord> = {}): KeyCryptoRecord => ({
  algorithm, purpose, providerSpec: 'SPEC', protectionLevel: 'HSM', operations: [], ...extra,
});

/** Keys registered by hand, as the clouds' recorders will once they record crypto (issue 19, items 5 and 1). */
function ledgerWith(records: Array<Partial<KeyRecord> & { path: string }>): EvidenceLedger {
  const app = new App();
  const stack = new Stack(app, 'Inventory');
  const ledger = EvidenceLedger.of(stack);
  for (const r of records) {
    ledger.registerKey({
      stack: 'Inventory',
      cloud: 'aws',
      constructName: 'CustomerManagedKey',
      model: DeploymentModel.CUSTOMER_MANAGED,
      profile: ComplianceProfile.PCI_DSS,
      fipsLevel: FipsLevel.LEVEL_3,
      ...r,
    });
  }
  return ledger;
}

const RECORDS: Array<Partial<KeyRecord> & { path: string }> = [
  {
    path: 'Inventory/Orders',
    regions: ['us-east-1'],
    crypto: crypto(KeyAlgorithm.AES, KeyPurpose.ENCRYPT_DECRYPT, {
      providerSpec: 'SYMMETRIC_DEFAULT', sizeBits: 256, protectionLevel: 'AWS_KMS', operations: ['SYMMETRIC_DEFAULT'], rotationDays: 365,
    }),
  },
  {
    path: 'Inventory/Signer',
    cloud: 'gcp',
    regions: ['europe-west1'],
    crypto: crypto(KeyAlgorithm.ML_DSA, KeyPurpose.SIGN_VERIFY, { providerSpec: 'PQ_SIGN_ML_DSA_65', parameterSet: 'ML-DSA-65', operations: ['PQ_SIGN_ML_DSA_65'] }),
  },
  {
    path: 'Inventory/Kem',
    cloud: 'gcp',
    crypto: crypto(KeyAlgorithm.ML_KEM, KeyPurpose.KEY_ENCAPSULATION, { providerSpec: 'ML_KEM_768', parameterSet: 'ML-KEM-768' }),
  },
  {
    path: 'Inventory/Rsa',
    cloud: 'azure',
    fipsLevel: FipsLevel.LEVEL_1,
    model: DeploymentModel.PROVIDER_MANAGED,
    crypto: crypto(KeyAlgorithm.RSA, KeyPurpose.SIGN_VERIFY, { providerSpec: 'RSA', sizeBits: 3072, protectionLevel: 'software' }),
  },
  {
    path: 'Inventory/Agreement',
    model: DeploymentModel.BYOK,
    crypto: crypto(KeyAlgorithm.EC, KeyPurpose.KEY_AGREEMENT, { providerSpec: 'ECC_NIST_P256', parameterSet: 'P-256', sizeBits: 256, protectionLevel: 'EXTERNAL' }),
  },
  { path: 'Inventory/External', model: DeploymentModel.HYOK, parent: 'Inventory/Store', regions: ['${Token[AWS.Region.7]}'] },
];

const keyAssets = (bom: CycloneDxJson) => (bom.components as CycloneDxJson[]).filter((c) => c.cryptoProperties.assetType === 'related-crypto-material');
const byName = (bom: CycloneDxJson, name: string) => (bom.components as CycloneDxJson[]).find((c) => c.name === name)!;
const algorithmOf = (bom: CycloneDxJson, key: CycloneDxJson) =>
  (bom.components as CycloneDxJson[]).find((c) => c['bom-ref'] === key.cryptoProperties.relatedCryptoMaterialProperties.algorithmRef);

describe('the CBOM of hand-registered key records', () => {
  const ledger = ledgerWith(RECORDS);
  ledger.registerContainer({
    path: 'Inventory/Store',
    stack: 'Inventory',
    cloud: 'aws',
    kind: 'external key store (XKS)',
    custody: DeploymentModel.HYOK.custody,
    fipsLevel: FipsLevel.LEVEL_3,
  });
  const bom = buildCbom([ledger]);

  test('validates against the CycloneDX 1.6 schema with the library\'s own validator', async () => {
    expect(bom.specVersion).toBe('1.6');
    expect(await cycloneDxErrors(bom)).toBeNull();
  });

  test('every key record is one related-crypto-material asset, whatever it records', () => {
    expect(keyAssets(bom).map((c) => c.name).sort()).toEqual(RECORDS.map((r) => r.path).sort());
    expect(keyAssets(bom)).toHaveLength(ledger.keys.length);
  });

  test('an AES key: secret key, size, active, its algorithm with the FIPS certificate, rotation, region, quantum category', () => {
    const key = byName(bom, 'Inventory/Orders');
    expect(key.type).toBe('cryptographic-asset');
    expect(key.cryptoProperties.relatedCryptoMaterialProperties).toMatchObject({ type: 'secret-key', size: 256, state: 'active', securedBy: { mechanism: 'HSM' } });
    expect(cbomProperty(key, 'rotation-days')).toEqual(['365']);
    expect(cbomProperty(key, 'region')).toEqual(['us-east-1']);
    expect(cbomProperty(key, 'custody')).toEqual(['SHARED']);
    expect(cbomProperty(key, 'profile')).toEqual(['PCI_DSS']);
    expect(cbomProperty(key, 'fips-140-level')).toEqual(['LEVEL_3']);
    expect(cbomProperty(key, 'purpose')).toEqual(['ENCRYPT_DECRYPT']);
    expect(cbomProperty(key, 'protection-level')).toEqual(['AWS_KMS']);
    expect(cbomProperty(key, 'quantum-vulnerable')).toEqual(['false']);
    const algorithm = algorithmOf(bom, key)!;
    expect(algorithm.name).toBe('AES-256');
    expect(algorithm.cryptoProperties).toEqual({
      assetType: 'algorithm',
      algorithmProperties: {
        primitive: 'block-cipher',
        parameterSetIdentifier: '256',
        executionEnvironment: 'hardware',
        implementationPlatform: 'unknown',
        certificationLevel: ['fips140-3-l3'],
        cryptoFunctions: ['keygen', 'encrypt', 'decrypt'],
        classicalSecurityLevel: 256,
        nistQuantumSecurityLevel: 5,
      },
    });
    expect(bom.dependencies).toContainEqual({ ref: key['bom-ref'], dependsOn: [algorithm['bom-ref']] });
  });

  test('post-quantum keys: parameter set, signature or KEM, NIST category, not quantum-vulnerable; no FIPS 140-2 certificate claimed', () => {
    const signer = byName(bom, 'Inventory/Signer');
    expect(signer.cryptoProperties.relatedCryptoMaterialProperties.type).toBe('private-key');
    expect(algorithmOf(bom, signer)!.cryptoProperties.algorithmProperties).toMatchObject({
      primitive: 'signature',
      parameterSetIdentifier: '65',
      nistQuantumSecurityLevel: 3,
      classicalSecurityLevel: 192,
      cryptoFunctions: ['keygen', 'sign', 'verify'],
      // Cloud HSM's validation is FIPS 140-2, which cannot cover FIPS 204; Google documents no validated module for it.
      certificationLevel: ['unknown'],
    });
    expect(algorithmOf(bom, signer)!.name).toBe('ML-DSA-65');
    expect(cbomProperty(signer, 'quantum-vulnerable')).toEqual(['false']);
    expect(cbomProperty(signer, 'provider-spec')).toEqual(['PQ_SIGN_ML_DSA_65']);
    const kem = byName(bom, 'Inventory/Kem');
    expect(algorithmOf(bom, kem)!.cryptoProperties.algorithmProperties).toMatchObject({
      primitive: 'kem',
      parameterSetIdentifier: '768',
      nistQuantumSecurityLevel: 3,
      cryptoFunctions: ['keygen', 'encapsulate', 'decapsulate'],
      certificationLevel: ['unknown'],
    });
    expect(cbomProperty(kem, 'region')).toEqual(['not recorded']);
  });

  test('post-quantum certification: AWS ML-DSA keeps FIPS 140-3 Level 3 (documented); Google software ML-DSA, SLH-DSA and X-Wing are unknown', () => {
    const mlDsa = crypto(KeyAlgorithm.ML_DSA, KeyPurpose.SIGN_VERIFY, { providerSpec: 'ML_DSA_65', parameterSet: 'ML-DSA-65', protectionLevel: 'AWS_KMS' });
    const soft = { cloud: 'gcp', fipsLevel: FipsLevel.LEVEL_1 };
    const pq = buildCbom([ledgerWith([
      { path: 'Pq/AwsMlDsa', crypto: mlDsa },
      { path: 'Pq/GcpMlDsa', ...soft, crypto: { ...mlDsa, providerSpec: 'PQ_SIGN_ML_DSA_65', protectionLevel: 'SOFTWARE' } },
      { path: 'Pq/GcpSlhDsa', ...soft, crypto: crypto(KeyAlgorithm.SLH_DSA, KeyPurpose.SIGN_VERIFY, { providerSpec: 'PQ_SIGN_SLH_DSA_SHA2_128S', parameterSet: 'SLH-DSA-SHA2-128s' }) },
      { path: 'Pq/GcpXWing', ...soft, crypto: crypto(KeyAlgorithm.ML_KEM, KeyPurpose.KEY_ENCAPSULATION, { providerSpec: 'KEM_XWING', parameterSet: 'X-Wing' }) },
      { path: 'Pq/GcpAes', ...soft, crypto: crypto(KeyAlgorithm.AES, KeyPurpose.ENCRYPT_DECRYPT, { providerSpec: 'GOOGLE_SYMMETRIC_ENCRYPTION', sizeBits: 256 }) },
    ])]);
    const level = (name: string) => algorithmOf(pq, byName(pq, name))!.cryptoProperties.algorithmProperties.certificationLevel;
    expect(level('Pq/AwsMlDsa')).toEqual(['fips140-3-l3']);
    for (const name of ['Pq/GcpMlDsa', 'Pq/GcpSlhDsa', 'Pq/GcpXWing']) expect([name, level(name)]).toEqual([name, ['unknown']]);
    expect(level('Pq/GcpAes')).toEqual(['fips140-2-l1']);
  });

  test('a key of an AWS CloudHSM key store is secured by the customer\'s CloudHSM, certified by its HSM type; an XKS key is not', () => {
    const aes = crypto(KeyAlgorithm.AES, KeyPurpose.ENCRYPT_DECRYPT, { providerSpec: 'SYMMETRIC_DEFAULT', sizeBits: 256, protectionLevel: 'AWS_CLOUDHSM' });
    const hsm = ledgerWith([
      { path: 'Hsm/New', model: DeploymentModel.HYOK, parent: 'Hsm/StoreNew', crypto: aes },
      { path: 'Hsm/Old', model: DeploymentModel.HYOK, parent: 'Hsm/StoreOld', crypto: aes },
      { path: 'Hsm/Xks', model: DeploymentModel.HYOK, parent: 'Hsm/Xks/Store', crypto: { ...aes, protectionLevel: 'EXTERNAL_KEY_STORE' } },
    ]);
    const container = (path: string, kind: string, extra: object = {}) => hsm.registerContainer({
      path, stack: 'Inventory', cloud: 'aws', kind, custody: DeploymentModel.HYOK.custody, fipsLevel: FipsLevel.LEVEL_3, ...extra,
    });
    container('Hsm/ClusterNew', 'CloudHSM cluster', { hsmType: 'hsm2m.medium' });
    container('Hsm/ClusterOld', 'CloudHSM cluster', { hsmType: 'hsm1.medium' });
    container('Hsm/StoreNew', 'AWS CloudHSM key store', { parent: 'Hsm/ClusterNew' });
    container('Hsm/StoreOld', 'AWS CloudHSM key store', { parent: 'Hsm/ClusterOld' });
    container('Hsm/Xks/Store', 'external key store (XKS)');
    const cbom = buildCbom([hsm]);
    const facts = (name: string) => {
      const key = byName(cbom, name);
      const p = algorithmOf(cbom, key)!.cryptoProperties.algorithmProperties;
      return [key.cryptoProperties.relatedCryptoMaterialProperties.securedBy.mechanism, p.executionEnvironment, p.certificationLevel];
    };
    expect(facts('Hsm/New')).toEqual(['HSM', 'hardware', ['fips140-3-l3']]);
    expect(facts('Hsm/Old')).toEqual(['HSM', 'hardware', ['fips140-2-l3']]);
    expect(facts('Hsm/Xks')).toEqual(['External key manager', 'unknown', ['unknown']]);
  });

  test('classical public-key keys are quantum-vulnerable (category 0); a software key is FIPS 140-2 Level 1, not hardware', () => {
    const rsa = byName(bom, 'Inventory/Rsa');
    expect(cbomProperty(rsa, 'quantum-vulnerable')).toEqual(['true']);
    expect(rsa.cryptoProperties.relatedCryptoMaterialProperties).toMatchObject({ type: 'private-key', size: 3072, securedBy: { mechanism: 'Software' } });
    expect(algorithmOf(bom, rsa)!.cryptoProperties.algorithmProperties).toMatchObject({
      primitive: 'signature',
      parameterSetIdentifier: '3072',
      classicalSecurityLevel: 128,
      nistQuantumSecurityLevel: 0,
      executionEnvironment: 'unknown',
      certificationLevel: ['fips140-2-l1'],
    });
    expect(cbomProperty(rsa, 'rotation-days')).toEqual(['none']);
    const ecdh = byName(bom, 'Inventory/Agreement');
    expect(algorithmOf(bom, ecdh)!.name).toBe('ECDH-P-256');
    expect(algorithmOf(bom, ecdh)!.cryptoProperties.algorithmProperties).toMatchObject({ primitive: 'key-agree', curve: 'P-256', nistQuantumSecurityLevel: 0 });
    expect(algorithmOf(bom, ecdh)!.cryptoProperties.algorithmProperties.parameterSetIdentifier).toBeUndefined();
    // Imported material arrives at the ceremony, after deployment.
    expect(ecdh.cryptoProperties.relatedCryptoMaterialProperties.state).toBe('pre-activation');
    expect(cbomProperty(ecdh, 'custody')).toEqual(['CUSTOMER_IMPORT']);
  });

  test('a key without a crypto record is listed as an unknown algorithm, with no algorithm asset and no made-up facts', () => {
    const key = byName(bom, 'Inventory/External');
    expect(key.cryptoProperties.relatedCryptoMaterialProperties).toEqual({ type: 'unknown', state: 'active', securedBy: { mechanism: 'External key manager' } });
    expect(cbomProperty(key, 'crypto-recorded')).toEqual(['false']);
    expect(cbomProperty(key, 'algorithm')).toEqual(['unknown']);
    expect(cbomProperty(key, 'quantum-vulnerable')).toEqual(['unknown']);
    expect(cbomProperty(key, 'rotation-days')).toEqual(['unknown']);
    expect(cbomProperty(key, 'parent')).toEqual(['Inventory/Store']);
    expect(cbomProperty(key, 'parent-kind')).toEqual(['external key store (XKS)']);
    expect(cbomProperty(key, 'region')).toEqual(["unresolved: the stack's region, set at deployment"]);
    expect(key.description).toMatch(/algorithm unknown/);
    expect(bom.dependencies).toContainEqual({ ref: key['bom-ref'] });
  });

  test('a size or rotation period that is a token is never printed as a number', () => {
    const token = -1.8881545897087626e+289;
    const tokens = buildCbom([ledgerWith([{
      path: 'Inventory/Tokens',
      crypto: crypto(KeyAlgorithm.AES, KeyPurpose.ENCRYPT_DECRYPT, { sizeBits: token, rotationDays: token }),
    }])]);
    const key = byName(tokens, 'Inventory/Tokens');
    expect(key.cryptoProperties.relatedCryptoMaterialProperties.size).toBeUndefined();
    expect(cbomProperty(key, 'rotation-days')).toEqual(['unresolved: set at deployment']);
    expect(algorithmOf(tokens, key)!.name).toBe('AES');
    expect(algorithmOf(tokens, key)!.cryptoProperties.algorithmProperties.parameterSetIdentifier).toBeUndefined();
    // AES whatever its size: not quantum-vulnerable, and no category claimed without the size.
    expect(cbomProperty(key, 'quantum-vulnerable')).toEqual(['false']);
    expect(cbomProperty(key, 'nist-quantum-security-level')).toEqual([]);
    expect(algorithmOf(tokens, key)!.cryptoProperties.algorithmProperties.nistQuantumSecurityLevel).toBeUndefined();
  });

  test('deterministic: the same ledger gives the same document, with a v5 serial number and no timestamp', () => {
    expect(JSON.stringify(buildCbom([ledger]))).toBe(JSON.stringify(bom));
    expect(bom.serialNumber).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(bom.metadata.timestamp).toBeUndefined();
    expect(buildCbom([ledgerWith(RECORDS.slice(1))]).serialNumber).not.toBe(bom.serialNumber);
  });

  test('two apps with a key at the same path: two assets, distinct bom-refs, still valid', async () => {
    const twice = buildCbom([ledger, ledgerWith(RECORDS.slice(0, 1))]);
    const orders = keyAssets(twice).filter((c) => c.name === 'Inventory/Orders');
    expect(orders.map((c) => c['bom-ref'])).toEqual(['key:aws:Inventory/Orders', 'key:aws:Inventory/Orders#2']);
    expect(await cycloneDxErrors(twice)).toBeNull();
  });

  test('the validator rejects a broken CBOM: an unknown certification level, a key asset without its asset type', async () => {
    const broken = JSON.parse(JSON.stringify(bom));
    const algorithm = (broken.components as CycloneDxJson[]).find((c) => c.cryptoProperties.assetType === 'algorithm')!;
    algorithm.cryptoProperties.algorithmProperties.certificationLevel = ['fips140-3-level3'];
    expect(await cycloneDxErrors(broken)).toEqual(expect.arrayContaining([expect.objectContaining({ keyword: 'enum' })]));
    const noType = JSON.parse(JSON.stringify(bom));
    delete keyAssets(noType)[0].cryptoProperties.assetType;
    expect(await cycloneDxErrors(noType)).toEqual(expect.arrayContaining([expect.objectContaining({ keyword: 'required' })]));
  });
});

describe('synthesis writes cbom.cdx.json beside the compliance report', () => {
  test('an AWS app: one asset per key of the ledger, valid CycloneDX 1.6', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cbom-aws-'));
    const app = new App({ outdir: dir });
    const stack = new Stack(app, 'Payments', { env: { account: '111111111111', region: 'us-east-1' } });
    const key = cmkFor(stack, ComplianceProfile.PCI_DSS, 'CardKey');
    new awsLib.EnvelopeEncryptionFunction(stack, 'Envelope', { key, requiredContextKeys: ['tenant'], profile: ComplianceProfile.PCI_DSS });
    app.synth();
    const bom = JSON.parse(readFileSync(join(dir, CBOM_FILE), 'utf8'));
    const keys = EvidenceLedger.of(app).keys;
    const serviceKeys = EvidenceLedger.of(app).serviceKeys;
    expect(keys.length).toBeGreaterThanOrEqual(1);
    // The library's own log keys are listed too, marked as such, and are not key records of the report.
    expect(serviceKeys.map((k) => k.path)).toContain('Payments/Envelope/LogKey');
    expect(keyAssets(bom).map((c) => c.name).sort()).toEqual([...keys, ...serviceKeys].map((k) => k.path).sort());
    for (const k of serviceKeys) {
      const asset = byName(bom, k.path);
      expect(cbomProperty(asset, 'service-key')).toEqual(['true']);
      expect(asset.cryptoProperties.relatedCryptoMaterialProperties).toMatchObject({ type: 'secret-key', size: 256, securedBy: { mechanism: 'HSM' } });
      expect(cbomProperty(asset, 'provider-spec')).toEqual(['SYMMETRIC_DEFAULT']);
    }
    for (const k of keys) expect(cbomProperty(byName(bom, k.path), 'service-key')).toEqual([]);
    const report = JSON.parse(readFileSync(join(dir, 'compliance-report.json'), 'utf8'));
    expect(report.summary.keys).toBe(keys.length);
    expect(keyAssets(bom)).toHaveLength(keys.length + serviceKeys.length);
    // Until the AWS keys record their cryptography (issue 19, item 5), the report's post-quantum section says it cannot judge them.
    expect(report.postQuantum.clouds).toEqual([expect.objectContaining({ cloud: 'aws', keys: keys.length })]);
    const aws = report.postQuantum.clouds[0];
    expect(aws.quantumVulnerable + aws.postQuantum + aws.symmetric + aws.noCryptoRecord.length).toBe(keys.length);
    expect(await cycloneDxErrors(bom)).toBeNull();
  });

  test('ComplianceReport.writeCbomTo writes the same inventory on demand, and names a bad outdir or scope', () => {
    const ledger = ledgerWith(RECORDS);
    const dir = mkdtempSync(join(tmpdir(), 'cbom-to-'));
    const stack = new Stack(new App(), 'Inventory');
    const own = EvidenceLedger.of(stack);
    for (const k of ledger.keys) own.registerKey(k);
    expect(ComplianceReport.writeCbomTo(stack, dir)).toBe(join(dir, CBOM_FILE));
    expect(JSON.parse(readFileSync(join(dir, CBOM_FILE), 'utf8'))).toEqual(buildCbom([own]));
    expect(() => ComplianceReport.writeCbomTo(stack, '  ')).toThrow(/^outdir must be a directory path, got/);
    expect(() => ComplianceReport.writeCbomTo(undefined as any, dir)).toThrow(/^scope must be a construct, got/);
  });

  test('a cdktf (Google) app: the same file in its output directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cbom-gcp-'));
    const app = new TfApp({ outdir: dir });
    const stack = new TerraformStack(app, 'orders');
    new GoogleProvider(stack, 'google', { project: PROJECT, region: LOCATION });
    gcpCmk(stack, ComplianceProfile.PCI_DSS);
    app.synth();
    const bom = JSON.parse(readFileSync(join(dir, CBOM_FILE), 'utf8'));
    expect(keyAssets(bom).map((c) => c.name)).toEqual(EvidenceLedger.of(app).keys.map((k) => k.path));
    expect(cbomProperty(keyAssets(bom)[0], 'cloud')).toEqual(['gcp']);
    expect(await cycloneDxErrors(bom)).toBeNull();
  });
});
