import { ComplianceProfile, Control, CustodianRole, DeploymentModel, EvidenceLedger, EvidenceStatus, FipsLevel, KeyCustody } from '../../src';
import { Period } from '../../src/core';
import * as gcp from '../../src/gcp';
import { profilesAllowing } from '../support/fixtures';
import { bindings, CERT_DER, gcpByok, gcpEkm, gcpStack, LOCATION, m, one, PROJECT, resources, SD_SERVICE, synth } from '../support/gcp';

describe('ByokImport', () => {
  const stack = gcpStack();
  const byok = gcpByok(stack, ComplianceProfile.FEDRAMP_HIGH, 'LedgerKey', { importMethod: gcp.ImportMethod.RSA_OAEP_3072_SHA256_AES_256 });
  const json = synth(stack);
  const k = one(json, 'google_kms_crypto_key');

  test('an HSM key that only ever holds imported versions: import_only, no initial version, no automatic rotation', () => {
    expect(k).toMatchObject({
      import_only: true,
      skip_initial_version_creation: true,
      version_template: { algorithm: 'GOOGLE_SYMMETRIC_ENCRYPTION', protection_level: 'HSM' },
      destroy_scheduled_duration: '2592000s',
      lifecycle: { prevent_destroy: true },
    });
    expect(k.rotation_period).toBeUndefined();
  });

  test('an HSM import job with the chosen wrapping method, in the key ring', () => {
    expect(one(json, 'google_kms_key_ring_import_job')).toMatchObject({
      import_method: 'RSA_OAEP_3072_SHA256_AES_256',
      protection_level: 'HSM',
      key_ring: expect.stringMatching(/google_kms_key_ring\..*\.id/),
      import_job_id: expect.stringMatching(/^import-ledgerkey-[0-9a-f]{8}$/),
    });
  });

  test('importers hold Cloud KMS Importer on the key ring, administrators the key administrator custom role there; users and auditors on the key', () => {
    expect(bindings(json, 'google_kms_key_ring_iam_member').map((b) => [b.role, b.member]).sort()).toEqual([
      [expect.stringMatching(/^\$\{google_project_iam_custom_role\.KmsKeyAdministratorRole[0-9a-f]{8}\.name\}$/), m.admin],
      ['roles/cloudkms.importer', m.importer],
    ]);
    expect(bindings(json, 'google_kms_crypto_key_iam_member').map((b) => [b.role, b.member]).sort()).toEqual([
      ['roles/cloudkms.cryptoKeyEncrypterDecrypter', m.user],
      ['roles/cloudkms.viewer', m.auditor],
    ]);
  });

  test('the job public key and the import command are outputs', () => {
    const outputs = Object.entries(json.output ?? {});
    const pem = outputs.find(([n]) => /ImportJobPublicKey/.test(n))![1];
    expect(pem.value).toMatch(/google_kms_key_ring_import_job\..*\.public_key\[0\]\.pem/);
    expect(pem.description).toContain('--algorithm RSA_OAEP_3072_SHA256_AES_256');
    const command = outputs.find(([n]) => /ImportCommand/.test(n))![1];
    expect(command.value).toMatch(/^cloud-kms byok gcp import --key \$\{google_kms_crypto_key\..*\.id\} --import-job \$\{google_kms_key_ring_import_job\..*\.id\} --algorithm GOOGLE_SYMMETRIC_ENCRYPTION --wrapped-key <file>$/);
  });

  test('evidence: BYOK at Level 3, rotation by re-import, only the importers may import', () => {
    const ledger = EvidenceLedger.of(stack);
    expect(ledger.tryFindKey('test/LedgerKey')).toMatchObject({ model: DeploymentModel.BYOK, fipsLevel: FipsLevel.LEVEL_3 });
    expect(ledger.evidenceFor(Control.NIST_SC_12, 'test/LedgerKey')[0]).toMatchObject({ status: EvidenceStatus.SATISFIED, setting: 'import_only', value: 'every 365 days' });
    expect(ledger.evidenceFor(Control.PCI_3_6_1_3, 'test/LedgerKey').find((e) => e.setting === 'roles/cloudkms.importer')).toMatchObject({ value: m.importer });
    expect(ledger.custodiansOf('test/LedgerKey').map((c) => c.role)).toContain(CustodianRole.IMPORTER);
    expect(byok.keyName).toBe(k.name);
  });
});

test.each(profilesAllowing(DeploymentModel.BYOK).map((p) => [p.name, p]))('%s: ByokImport', (_n, p) => {
  const profile = p as ComplianceProfile;
  const stack = gcpStack();
  gcpByok(stack, profile);
  const json = synth(stack);
  expect(one(json, 'google_kms_crypto_key').import_only).toBe(true);
  expect(Object.keys(resources(json, 'google_privileged_access_manager_entitlement'))).toHaveLength(profile.dualControlRequired ? 1 : 0);
});

describe('HyokExternalStore through a VPC EKM connection', () => {
  const stack = gcpStack();
  const store = gcpEkm(stack, ComplianceProfile.SOVEREIGN);
  const key = store.addKey('TenantA', { externalKeyPath: 'v0/keys/tenant-a', keyName: 'tenant-a' });
  const json = synth(stack);

  test('the connection: Service Directory service, hostname, server certificate, manual key management, prevent_destroy', () => {
    expect(one(json, 'google_kms_ekm_connection')).toMatchObject({
      project: PROJECT,
      location: LOCATION,
      key_management_mode: 'MANUAL',
      service_resolvers: [{ service_directory_service: SD_SERVICE, hostname: 'ekm.example.com', server_certificates: [{ raw_der: CERT_DER }] }],
      lifecycle: { prevent_destroy: true },
    });
  });

  test('the Cloud KMS service agent may resolve the key manager (Service Directory viewer, PSC authorized service)', () => {
    const agent = bindings(json, 'google_project_iam_member');
    expect(agent.map((b) => b.role).sort()).toEqual(['roles/servicedirectory.pscAuthorizedService', 'roles/servicedirectory.viewer']);
    for (const b of agent) expect(b.member).toMatch(/^serviceAccount:service-\$\{data\.google_project\..*\.number\}@gcp-sa-ekms\.iam\.gserviceaccount\.com$/);
  });

  test('keys: EXTERNAL_VPC backed by the connection, no initial version, one version at the external key path', () => {
    expect(one(json, 'google_kms_crypto_key')).toMatchObject({
      name: 'tenant-a',
      crypto_key_backend: expect.stringMatching(/google_kms_ekm_connection\..*\.id/),
      skip_initial_version_creation: true,
      version_template: { algorithm: 'GOOGLE_SYMMETRIC_ENCRYPTION', protection_level: 'EXTERNAL_VPC' },
      lifecycle: { prevent_destroy: true },
    });
    const version = one(json, 'google_kms_crypto_key_version');
    expect(version).toMatchObject({
      external_protection_level_options: { ekm_connection_key_path: 'v0/keys/tenant-a' },
      lifecycle: { prevent_destroy: true },
    });
    expect(version.depends_on).toHaveLength(2);
    expect(key.keyName).toBe('tenant-a');
  });

  test('dual control and separation as for any ring; users bound on the key', () => {
    expect(one(json, 'google_privileged_access_manager_entitlement').eligible_users).toEqual([{ principals: [m.admin] }]);
    expect(bindings(json, 'google_kms_crypto_key_iam_member').map((b) => [b.role, b.member]).sort()).toEqual([
      ['roles/cloudkms.cryptoKeyEncrypterDecrypter', m.user],
      ['roles/cloudkms.viewer', m.auditor],
    ]);
  });

  test('evidence: customer-external custody at the declared FIPS level; rotation by new versions', () => {
    const ledger = EvidenceLedger.of(stack);
    expect(ledger.containers.find((c) => c.path === 'test/Store')).toMatchObject({ custody: KeyCustody.CUSTOMER_EXTERNAL, fipsLevel: FipsLevel.LEVEL_3 });
    expect(ledger.tryFindKey('test/Store/TenantA')).toMatchObject({ model: DeploymentModel.HYOK, parent: 'test/Store' });
    expect(ledger.evidenceFor(Control.NIST_SC_13, 'test/Store/TenantA')[0]).toMatchObject({ value: 'EXTERNAL_VPC' });
    expect(ledger.evidenceFor(Control.NIST_SC_12, 'test/Store/TenantA')[0]).toMatchObject({ status: EvidenceStatus.SATISFIED, setting: 'crypto key versions' });
  });
});

test('HyokExternalStore over the internet: EXTERNAL keys by URI, no connection', () => {
  const stack = gcpStack();
  const store = gcpEkm(stack, ComplianceProfile.COMMERCIAL, 'Store', {
    backend: gcp.EkmBackend.internet({ externalKeyManagerFipsLevel: FipsLevel.LEVEL_3 }), acknowledgeEkmConnectionIsPermanent: undefined,
  });
  store.addKey('K', { externalKeyUri: 'https://ekm.example.com/v0/keys/k1', algorithm: gcp.KeyAlgorithm.EC_SIGN_P256_SHA256 });
  const json = synth(stack);
  expect(resources(json, 'google_kms_ekm_connection')).toEqual({});
  expect(one(json, 'google_kms_crypto_key')).toMatchObject({ purpose: 'ASYMMETRIC_SIGN', version_template: { protection_level: 'EXTERNAL' } });
  expect(one(json, 'google_kms_crypto_key').crypto_key_backend).toBeUndefined();
  expect(one(json, 'google_kms_crypto_key_version').external_protection_level_options).toEqual({ external_key_uri: 'https://ekm.example.com/v0/keys/k1' });
});

test.each(profilesAllowing(DeploymentModel.HYOK).map((p) => [p.name, p]))('%s: HyokExternalStore', (_n, p) => {
  const stack = gcpStack();
  gcpEkm(stack, p as ComplianceProfile).addKey('K', { externalKeyPath: 'v0/keys/k' });
  expect(one(synth(stack), 'google_kms_crypto_key').version_template.protection_level).toBe('EXTERNAL_VPC');
});

describe('bad input', () => {
  test.each<[string, () => unknown, string | RegExp]>([
    ['an EKM connection without the acknowledgement', () => gcpEkm(gcpStack(), ComplianceProfile.SOC2, 'S', { acknowledgeEkmConnectionIsPermanent: false }),
      'acknowledgeEkmConnectionIsPermanent must be true: an EKM connection cannot be deleted once created, got false'],
    ['a multi-region location', () => gcpEkm(gcpStack(), ComplianceProfile.SOC2, 'S', { location: 'eu' }), 'location must be a region for Cloud EKM (e.g. europe-west1), got eu'],
    ['a PEM certificate', () => gcpEkm(gcpStack(), ComplianceProfile.SOC2, 'S', {
      backend: gcp.EkmBackend.vpc({ serviceDirectoryService: SD_SERVICE, hostname: 'h', serverCertificates: ['-----BEGIN CERTIFICATE-----'], externalKeyManagerFipsLevel: FipsLevel.LEVEL_3 }),
    }), 'serverCertificates must be DER certificates in base64 (no PEM header), got -----BEGIN CERTIFICATE-----'],
    ['a Service Directory name that is not one', () => gcpEkm(gcpStack(), ComplianceProfile.SOC2, 'S', {
      backend: gcp.EkmBackend.vpc({ serviceDirectoryService: 'key-manager', hostname: 'h', serverCertificates: [CERT_DER], externalKeyManagerFipsLevel: FipsLevel.LEVEL_3 }),
    }), /serviceDirectoryService must be a Service Directory service name .* got key-manager/],
    ['a key manager below the profile FIPS level', () => gcpEkm(gcpStack(), ComplianceProfile.SOVEREIGN, 'S', {
      backend: gcp.EkmBackend.internet({ externalKeyManagerFipsLevel: FipsLevel.LEVEL_1 }),
    }).addKey('K', { externalKeyUri: 'https://ekm.example.com/k' }), /profile SOVEREIGN requires FIPS 140 Level 3 or higher/],
    ['a VPC key without its path', () => gcpEkm(gcpStack(), ComplianceProfile.SOC2).addKey('K'), 'externalKeyPath is required for an EXTERNAL_VPC key (test/Store/K), got nothing'],
    ['an internet key with a plain http URI', () => gcpEkm(gcpStack(), ComplianceProfile.SOC2, 'S', {
      backend: gcp.EkmBackend.internet({ externalKeyManagerFipsLevel: FipsLevel.LEVEL_3 }),
    }).addKey('K', { externalKeyUri: 'http://ekm.example.com/k' }), 'externalKeyUri must be an https URI, got http://ekm.example.com/k'],
    ['an EKM key that decrypts asymmetrically', () => gcpEkm(gcpStack(), ComplianceProfile.SOC2).addKey('K', {
      externalKeyPath: 'p', algorithm: gcp.KeyAlgorithm.RSA_DECRYPT_OAEP_3072_SHA256,
    }), /algorithm must be symmetric encryption or an EC\/RSA signing algorithm for EXTERNAL_VPC keys/],
    ['BYOK without importers', () => gcpByok(gcpStack(), ComplianceProfile.SOC2, 'K', { custodians: { administrators: [m.admin], importers: [] } }),
      'custodians.importers must name at least one IAM member for test/K, got none'],
    ['an importer who is a user', () => gcpByok(gcpStack(), ComplianceProfile.SOC2, 'K', { custodians: { administrators: [m.admin], users: [m.user], importers: [m.user] } }),
      /cannot be both a user and an importer/],
    ['BYOK under SOVEREIGN', () => gcpByok(gcpStack(), ComplianceProfile.SOVEREIGN), /profile SOVEREIGN does not allow the BYOK model/],
    ['an import job id Google rejects', () => gcpByok(gcpStack(), ComplianceProfile.SOC2, 'K', { importJobId: 'job 1' }),
      'importJobId must be 1 to 63 letters, digits, hyphens and underscores, got job 1'],
    ['a destroy schedule shorter than a day', () => gcpByok(gcpStack(), ComplianceProfile.SOC2, 'K', { destroyScheduledDuration: Period.hours(1) }),
      /destroyScheduledDuration must be between 1 and 120 days/],
  ])('%s', (_what, build, message) => {
    expect(build).toThrow(message);
  });
});
