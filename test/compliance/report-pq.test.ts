/*
 * Issue 19, item 6: the report's "Post-quantum readiness" section, from the same key records as the CBOM. Per cloud:
 * how many keys are quantum-vulnerable, post-quantum or symmetric; the vulnerable ones in the order to migrate them
 * (key establishment before signing), with what the cloud offers instead; and the keys that recorded no cryptography.
 */
import { App, Stack } from 'aws-cdk-lib';
import { buildReport, mergePostQuantum, renderMarkdown } from '../../src/compliance/report';
import { renderHtml } from '../../src/compliance/report-html';
import { DeploymentModel } from '../../src/core/deployment-model';
import { EvidenceLedger, KeyRecord } from '../../src/core/evidence';
import { FipsLevel } from '../../src/core/fips';
import { KeyAlgorithm, KeyCryptoRecord, KeyPurpose } from '../../src/core/key-algorithm';
import { ComplianceProfile } from '../../src/core/profile';

const crypto = (algorithm: KeyAlgorithm, purpose: KeyPurpose, extra: Partial<KeyCryptoRecord> = {}): KeyCryptoRecord => ({
  algorithm, purpose, providerSpec: 'SPEC', protectionLevel: 'HSM', operations: [], ...extra,
});

function ledgerWith(records: Array<Partial<KeyRecord> & { path: string }>): EvidenceLedger {
  const stack = new Stack(new App(), 'Keys');
  const ledger = EvidenceLedger.of(stack);
  for (const r of records) {
    ledger.registerKey({
      stack: 'Keys',
      cloud: 'aws',
      constructName: 'CustomerManagedKey',
      model: DeploymentModel.CUSTOMER_MANAGED,
      profile: ComplianceProfile.COMMERCIAL,
      fipsLevel: FipsLevel.LEVEL_3,
      ...r,
    });
  }
  return ledger;
}

const ledger = ledgerWith([
  { path: 'Keys/Data', crypto: crypto(KeyAlgorithm.AES, KeyPurpose.ENCRYPT_DECRYPT, { sizeBits: 256, providerSpec: 'SYMMETRIC_DEFAULT' }) },
  { path: 'Keys/Mac', crypto: crypto(KeyAlgorithm.HMAC, KeyPurpose.GENERATE_VERIFY_MAC, { providerSpec: 'HMAC_256' }) },
  { path: 'Keys/Signer', crypto: crypto(KeyAlgorithm.EC, KeyPurpose.SIGN_VERIFY, { providerSpec: 'ECC_NIST_P256', parameterSet: 'P-256' }) },
  { path: 'Keys/Wrap', crypto: crypto(KeyAlgorithm.RSA, KeyPurpose.ENCRYPT_DECRYPT, { providerSpec: 'RSA_3072', sizeBits: 3072 }) },
  { path: 'Keys/PqSigner', crypto: crypto(KeyAlgorithm.ML_DSA, KeyPurpose.SIGN_VERIFY, { providerSpec: 'ML_DSA_65', parameterSet: 'ML-DSA-65' }) },
  { path: 'Keys/Legacy' },
  { path: 'Keys/Gcp', cloud: 'gcp', crypto: crypto(KeyAlgorithm.EC, KeyPurpose.KEY_AGREEMENT, { providerSpec: 'EC_SIGN_P256', parameterSet: 'P-256' }) },
  { path: 'Keys/Kem', cloud: 'gcp', crypto: crypto(KeyAlgorithm.ML_KEM, KeyPurpose.KEY_ENCAPSULATION, { parameterSet: 'ML-KEM-768' }) },
  { path: 'Keys/Azure', cloud: 'azure', crypto: crypto(KeyAlgorithm.RSA, KeyPurpose.SIGN_VERIFY, { providerSpec: 'RSA-HSM', sizeBits: 2048 }) },
]);
const report = buildReport(ledger);
const cloud = (name: string) => report.postQuantum!.clouds.find((c) => c.cloud === name)!;

describe('post-quantum readiness', () => {
  test('per cloud: vulnerable, post-quantum, symmetric and unrecorded keys add up to the keys', () => {
    expect(cloud('aws')).toMatchObject({ keys: 6, quantumVulnerable: 2, postQuantum: 1, symmetric: 2, noCryptoRecord: ['Keys/Legacy'] });
    expect(cloud('gcp')).toMatchObject({ keys: 2, quantumVulnerable: 1, postQuantum: 1, symmetric: 0, noCryptoRecord: [] });
    expect(cloud('azure')).toMatchObject({ keys: 1, quantumVulnerable: 1, postQuantum: 0, symmetric: 0 });
    for (const c of report.postQuantum!.clouds) {
      expect(c.quantumVulnerable + c.postQuantum + c.symmetric + c.noCryptoRecord.length).toBe(c.keys);
    }
  });

  test('migrate first: key establishment (RSA wrapping, ECDH) before signing, with what the cloud offers instead', () => {
    expect(cloud('aws').migrateFirst.map((m) => [m.path, m.use, m.algorithm])).toEqual([
      ['Keys/Wrap', 'key establishment', 'RSA-3072'],
      ['Keys/Signer', 'signing', 'ECDSA-P-256'],
    ]);
    expect(cloud('aws').migrateFirst[0].replacement).toMatch(/no ML-KEM key spec/);
    expect(cloud('aws').migrateFirst[1].replacement).toMatch(/ML_DSA_65/);
    expect(cloud('gcp').migrateFirst).toEqual([expect.objectContaining({ path: 'Keys/Gcp', use: 'key establishment', replacement: expect.stringMatching(/ML-KEM/) })]);
    expect(cloud('azure').migrateFirst[0].replacement).toMatch(/^none in Azure/);
  });

  test('the Markdown and HTML pages carry the section, its counts and the keys to migrate', () => {
    const md = renderMarkdown(report);
    expect(md).toContain('## Post-quantum readiness');
    expect(md).toContain('| aws | 6 | 2 | 1 | 2 | 1 |');
    expect(md).toMatch(/\| aws \| Keys\/Wrap \| RSA-3072 \| RSA_3072 \| key establishment \| none in AWS KMS/);
    expect(md).toMatch(/Keys with no crypto record \(not judged\):\n\n\| cloud \| key \|\n\|---\|---\|\n\| aws \| Keys\/Legacy \|/);
    const html = renderHtml(report, undefined);
    expect(html).toContain('<section id="post-quantum"><h2>Post-quantum readiness</h2>');
    expect(html).toContain('<td>Keys/Legacy</td>');
  });

  test('a report with no keys has no section; the examples merge the sections of several apps per cloud', () => {
    expect(renderMarkdown(buildReport(ledgerWith([])))).not.toContain('Post-quantum readiness');
    const other = buildReport(ledgerWith([{ path: 'Keys/More', crypto: crypto(KeyAlgorithm.RSA, KeyPurpose.KEY_AGREEMENT, { sizeBits: 4096 }) }]));
    const merged = mergePostQuantum([report, other]);
    expect(merged.clouds.find((c) => c.cloud === 'aws')).toMatchObject({ keys: 7, quantumVulnerable: 3 });
    expect(merged.clouds.find((c) => c.cloud === 'aws')!.migrateFirst.map((m) => m.path)).toEqual(['Keys/Wrap', 'Keys/More', 'Keys/Signer']);
  });
});
