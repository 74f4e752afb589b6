import { Testing } from 'cdktf';
import { ComplianceProfile, Control, CustodianRole, DeploymentModel, EvidenceLedger, EvidenceStatus, FipsLevel } from '../../src';
import { Period } from '../../src/core';
import * as gcp from '../../src/gcp';
import { profilesAllowing } from '../support/fixtures';
import { bindings, gcpCmk, gcpSink, gcpStack, LOCATION, m, one, PROJECT, resources, synth } from '../support/gcp';

const KEY_IAM = 'google_kms_crypto_key_iam_member';
const RING_IAM = 'google_kms_key_ring_iam_member';

describe('CustomerManagedKey under SOC2 (no dual control)', () => {
  const stack = gcpStack();
  const key = gcpCmk(stack, ComplianceProfile.SOC2, 'OrdersKey', { labels: { app: 'orders', env: 'prod' } });
  const json = synth(stack);
  const k = one(json, 'google_kms_crypto_key');

  test('a Cloud HSM symmetric key, rotated every 90 days (CIS 1.10), 30-day destroy schedule, prevent_destroy on key and ring', () => {
    expect(k).toMatchObject({
      purpose: 'ENCRYPT_DECRYPT',
      version_template: { algorithm: 'GOOGLE_SYMMETRIC_ENCRYPTION', protection_level: 'HSM' },
      rotation_period: '7776000s',
      destroy_scheduled_duration: '2592000s',
      labels: { app: 'orders', env: 'prod' },
      lifecycle: { prevent_destroy: true },
    });
    expect(one(json, 'google_kms_key_ring')).toMatchObject({ project: PROJECT, location: LOCATION, lifecycle: { prevent_destroy: true } });
    expect(one(json, 'google_kms_key_ring').name).toMatch(/^ring-orderskey-[0-9a-f]{8}$/);
  });

  test('administrators hold the key administrator custom role on the ring (never Cloud KMS Admin), not the project; nobody else is bound on the ring', () => {
    expect(bindings(json, RING_IAM)).toEqual([
      { key_ring_id: expect.stringMatching(/google_kms_key_ring\..*\.id/), role: expect.stringMatching(/^\$\{google_project_iam_custom_role\.KmsKeyAdministratorRole[0-9a-f]{8}\.name\}$/), member: m.admin },
    ]);
    expect(resources(json, 'google_project_iam_member')).toEqual({});
    expect(resources(json, 'google_privileged_access_manager_entitlement')).toEqual({});
  });

  test('the user may encrypt and decrypt, the auditor view, both on this key alone, with additive bindings', () => {
    expect(bindings(json, KEY_IAM).map((b) => [b.role, b.member]).sort()).toEqual([
      ['roles/cloudkms.cryptoKeyEncrypterDecrypter', m.user],
      ['roles/cloudkms.viewer', m.auditor],
    ]);
    for (const b of bindings(json, KEY_IAM)) expect(b.crypto_key_id).toMatch(/google_kms_crypto_key\..*\.id/);
    // Authoritative IAM resources would clobber bindings made elsewhere.
    for (const type of ['google_kms_crypto_key_iam_policy', 'google_kms_crypto_key_iam_binding', 'google_kms_key_ring_iam_policy', 'google_kms_key_ring_iam_binding']) {
      expect(resources(json, type)).toEqual({});
    }
  });

  test('evidence: rotation, HSM custody, separation of duties, audit', () => {
    const ledger = EvidenceLedger.of(stack);
    expect(ledger.tryFindKey('test/OrdersKey')).toMatchObject({ cloud: 'gcp', model: DeploymentModel.CUSTOMER_MANAGED, fipsLevel: FipsLevel.LEVEL_3 });
    const ev = (c: Control) => ledger.evidenceFor(c, 'test/OrdersKey')[0];
    expect(ev(Control.NIST_SC_12)).toMatchObject({ status: EvidenceStatus.SATISFIED, value: '7776000s' });
    expect(ev(Control.NIST_SC_12_1)).toMatchObject({ status: EvidenceStatus.SATISFIED, value: '2592000s, true' });
    expect(ev(Control.NIST_SC_13)).toMatchObject({ value: 'HSM' });
    expect(ev(Control.NIST_AC_5).status).toBe(EvidenceStatus.SATISFIED);
    expect(ev(Control.PCI_3_7_6).status).toBe(EvidenceStatus.NOT_SATISFIED);
    expect(ev(Control.NIST_AU_2).status).toBe(EvidenceStatus.SATISFIED);
    expect(ledger.custodiansOf('test/OrdersKey').map((c) => c.role).sort())
      .toEqual([CustodianRole.ADMINISTRATOR, CustodianRole.AUDITOR, CustodianRole.DEPLOYER, CustodianRole.USER]);
    expect(key.keyName).toBe(k.name);
  });
});

test('dual control (PCI_DSS): administrators only eligible through Privileged Access Manager, one approval, justification, 8 hours, this ring only', () => {
  const stack = gcpStack();
  gcpCmk(stack, ComplianceProfile.PCI_DSS);
  const json = synth(stack);
  expect(bindings(json, RING_IAM).some((b) => b.role === 'roles/cloudkms.admin')).toBe(false);
  const e = one(json, 'google_privileged_access_manager_entitlement');
  expect(e).toMatchObject({
    parent: `projects/${PROJECT}`,
    location: 'global',
    max_request_duration: '28800s',
    eligible_users: [{ principals: [m.admin] }],
    requester_justification_config: { unstructured: {} },
    approval_workflow: {
      manual_approvals: {
        require_approver_justification: true,
        steps: [{ approvals_needed: 1, approvers: { principals: [m.approverA, m.approverB] } }],
      },
    },
  });
  expect(e.privileged_access.gcp_iam_access.role_bindings).toEqual([{
    role: expect.stringMatching(/^\$\{google_project_iam_custom_role\.KmsKeyAdministratorRole[0-9a-f]{8}\.name\}$/),
    condition_expression: expect.stringMatching(/^resource\.name == "\$\{google_kms_key_ring\.(.*)\.id\}" \|\| resource\.name\.startsWith\("\$\{google_kms_key_ring\.\1\.id\}\/"\)$/),
  }]);
  expect(EvidenceLedger.of(stack).evidenceFor(Control.PCI_3_7_6, 'test/OrdersKey')[0].status).toBe(EvidenceStatus.SATISFIED);
});

test.each(profilesAllowing(DeploymentModel.CUSTOMER_MANAGED).map((p) => [p.name, p]))('%s: CustomerManagedKey', (_n, p) => {
  const profile = p as ComplianceProfile;
  const stack = gcpStack();
  gcpCmk(stack, profile);
  const json = synth(stack);
  const k = one(json, 'google_kms_crypto_key');
  expect(k.rotation_period).toBe(`${Math.min(90, profile.maxRotationDays) * 86400}s`);
  expect(k.version_template.protection_level).toBe('HSM');
  expect(Object.keys(resources(json, 'google_privileged_access_manager_entitlement'))).toHaveLength(profile.dualControlRequired ? 1 : 0);
  expect(Object.keys(resources(json, 'google_project_iam_audit_config'))).toHaveLength(profile.auditSinkRequired ? 1 : 0);
});

describe('purposes: users get the role their key needs', () => {
  test.each<[gcp.KeyAlgorithm, string, string[]]>([
    [gcp.KeyAlgorithm.EC_SIGN_P384_SHA384, 'ASYMMETRIC_SIGN', ['roles/cloudkms.signerVerifier']],
    [gcp.KeyAlgorithm.RSA_DECRYPT_OAEP_3072_SHA256, 'ASYMMETRIC_DECRYPT', ['roles/cloudkms.cryptoKeyDecrypter', 'roles/cloudkms.publicKeyViewer']],
    [gcp.KeyAlgorithm.HMAC_SHA256, 'MAC', ['roles/cloudkms.signerVerifier']],
  ])('%s', (algorithm, purpose, roles) => {
    const stack = gcpStack();
    gcpCmk(stack, ComplianceProfile.COMMERCIAL, 'K', { algorithm });
    const json = synth(stack);
    const k = one(json, 'google_kms_crypto_key');
    expect(k.purpose).toBe(purpose);
    // Cloud KMS rotates symmetric keys only: the others carry no rotation period, and the ledger says rotation is manual.
    expect(k.rotation_period).toBeUndefined();
    expect(EvidenceLedger.of(stack).evidenceFor(Control.NIST_SC_12, 'test/K')[0]).toMatchObject({ status: EvidenceStatus.NOT_SATISFIED, value: 'none' });
    expect(bindings(json, KEY_IAM).filter((b) => b.member === m.user).map((b) => b.role).sort()).toEqual(roles);
  });
});

test('grants: encrypter and decrypter separately; a grant that does not fit the purpose, or goes to an administrator, is refused', () => {
  const stack = gcpStack();
  const key = gcpCmk(stack, ComplianceProfile.COMMERCIAL, 'K', { custodians: { administrators: [m.admin] } });
  key.grantEncrypt('serviceAccount:writer@p.iam.gserviceaccount.com');
  key.grantDecrypt('serviceAccount:reader@p.iam.gserviceaccount.com');
  const rows = bindings(synth(stack), KEY_IAM).map((b) => [b.role, b.member]).sort();
  expect(rows).toEqual([
    ['roles/cloudkms.cryptoKeyDecrypter', 'serviceAccount:reader@p.iam.gserviceaccount.com'],
    ['roles/cloudkms.cryptoKeyEncrypter', 'serviceAccount:writer@p.iam.gserviceaccount.com'],
  ]);
  expect(() => key.grantSignVerify(m.user)).toThrow('roles/cloudkms.signerVerifier does not fit test/K: its purpose is ENCRYPT_DECRYPT, the role needs ASYMMETRIC_SIGN or MAC');
  expect(() => key.grantEncryptDecrypt(m.admin)).toThrow(/cannot be both an administrator and a user/);
});

test('keys share a ring: its administrators administer every key, and a key user who administers the ring is refused', () => {
  const stack = gcpStack();
  const ring = new gcp.KeyRing(stack, 'Ring', { project: PROJECT, location: LOCATION, name: 'payments', administrators: [m.admin] });
  gcpCmk(stack, ComplianceProfile.COMMERCIAL, 'A', { keyRing: ring, custodians: { administrators: [m.admin], users: [m.user] } });
  gcpCmk(stack, ComplianceProfile.COMMERCIAL, 'B', { keyRing: ring, custodians: { administrators: [m.admin] } });
  const json = synth(stack);
  expect(Object.keys(resources(json, 'google_kms_key_ring'))).toHaveLength(1);
  expect(bindings(json, RING_IAM)).toHaveLength(1);
  expect(() => gcpCmk(stack, ComplianceProfile.COMMERCIAL, 'C', { keyRing: ring, custodians: { administrators: ['group:other@example.com'], users: [m.admin] } }))
    .toThrow(/cannot be both an administrator and a user/);
});

describe('ManagedKey', () => {
  test('a SOFTWARE key with automatic rotation where the profile accepts software keys; users bound on the key', () => {
    const stack = gcpStack();
    new gcp.ManagedKey(stack, 'SessionKey', { project: PROJECT, location: LOCATION, users: [m.user] });
    const json = synth(stack);
    expect(one(json, 'google_kms_crypto_key')).toMatchObject({ version_template: { protection_level: 'SOFTWARE' }, rotation_period: '7776000s' });
    expect(bindings(json, KEY_IAM)).toEqual([expect.objectContaining({ role: 'roles/cloudkms.cryptoKeyEncrypterDecrypter', member: m.user })]);
    expect(resources(json, RING_IAM)).toEqual({});
    const ev = EvidenceLedger.of(stack).evidenceFor(Control.NIST_AC_5, 'test/SessionKey')[0];
    expect(ev.status).toBe(EvidenceStatus.NOT_SATISFIED);
  });

  test('a profile that needs Level 2 gets a Cloud HSM key', () => {
    const stack = gcpStack();
    new gcp.ManagedKey(stack, 'K', { project: PROJECT, location: LOCATION, profile: ComplianceProfile.custom({ name: 'L2_PM', minimumFipsLevel: FipsLevel.LEVEL_2 }) });
    expect(one(synth(stack), 'google_kms_crypto_key').version_template.protection_level).toBe('HSM');
  });
});

describe('AutokeyHandles', () => {
  test('turns Autokey on for a folder and asks for a key per resource type', () => {
    const stack = gcpStack();
    new gcp.AutokeyHandles(stack, 'Autokey', {
      project: PROJECT,
      location: LOCATION,
      folder: 'folders/123456',
      keyProject: 'kms-keys',
      resourceTypes: ['compute.googleapis.com/Disk', 'storage.googleapis.com/Bucket'],
    });
    const json = synth(stack);
    expect(one(json, 'google_kms_autokey_config')).toEqual({ folder: 'folders/123456', key_project: 'projects/kms-keys' });
    const handles = bindings(json, 'google_kms_key_handle');
    expect(handles.map((h) => h.resource_type_selector)).toEqual(['compute.googleapis.com/Disk', 'storage.googleapis.com/Bucket']);
    for (const h of handles) expect(h).toMatchObject({ project: PROJECT, location: LOCATION, depends_on: [expect.stringMatching(/google_kms_autokey_config/)] });
    expect(EvidenceLedger.of(stack).keys.filter((k) => k.constructName === 'AutokeyHandles')).toHaveLength(2);
  });

  test.each<[string, Partial<gcp.AutokeyHandlesProps>, string | RegExp]>([
    ['a profile that rotates more often than yearly', { profile: ComplianceProfile.custom({ name: 'Q', maxRotationDays: 90 }) },
      'profile Q requires rotation within 90 days, but Autokey keys rotate every 365 days (test/A)'],
    ['a folder without a key project', { folder: 'folders/1' }, 'folder and keyProject go together (Autokey needs both), got folder folders/1 and keyProject nothing'],
    ['a resource type that is not one', { resourceTypes: ['Disk'] }, 'resourceTypes must be resource types such as compute.googleapis.com/Disk, got Disk'],
    ['no resource types', { resourceTypes: [] }, 'resourceTypes must name at least one resource type for test/A, got none'],
  ])('%s', (_what, extra, message) => {
    expect(() => new gcp.AutokeyHandles(gcpStack(), 'A', {
      project: PROJECT, location: LOCATION, resourceTypes: ['compute.googleapis.com/Disk'], ...extra,
    })).toThrow(message);
  });
});

describe('bad input', () => {
  test.each<[string, () => unknown, string | RegExp]>([
    ['a key name Google rejects', () => gcpCmk(gcpStack(), ComplianceProfile.SOC2, 'K', { keyName: 'orders key' }),
      'keyName must be 1 to 63 letters, digits, hyphens and underscores, got orders key'],
    ['a key ring name Google rejects', () => gcpCmk(gcpStack(), ComplianceProfile.SOC2, 'K', { keyRingName: 'r'.repeat(64) }), /^keyRingName must be 1 to 63 letters/],
    ['rotation under a day', () => gcpCmk(gcpStack(), ComplianceProfile.SOC2, 'K', { rotation: Period.hours(12) }), 'rotation must be between 1 and 36500 days, got 0.5'],
    ['rotation above the profile', () => gcpCmk(gcpStack(), ComplianceProfile.SOC2, 'K', { rotation: Period.days(400) }), /rotation must be at most 365 days under profile SOC2, got 400/],
    ['a destroy schedule of 121 days', () => gcpCmk(gcpStack(), ComplianceProfile.SOC2, 'K', { destroyScheduledDuration: Period.days(121) }),
      'destroyScheduledDuration must be between 1 and 120 days, got 121'],
    ['a destroy schedule of 12 hours', () => gcpCmk(gcpStack(), ComplianceProfile.SOC2, 'K', { destroyScheduledDuration: Period.hours(12) }),
      'destroyScheduledDuration must be between 1 and 120 days, got 0.5'],
    ['a SOFTWARE key under PCI_DSS', () => gcpCmk(gcpStack(), ComplianceProfile.PCI_DSS, 'K', { protectionLevel: gcp.ProtectionLevel.SOFTWARE }),
      /profile PCI_DSS requires FIPS 140 Level 2 or higher, .*SOFTWARE protection level/],
    ['an EXTERNAL protection level on a CMK', () => gcpCmk(gcpStack(), ComplianceProfile.SOC2, 'K', { protectionLevel: gcp.ProtectionLevel.EXTERNAL }),
      'protectionLevel must be HSM or SOFTWARE for a CustomerManagedKey (external keys: HyokExternalStore), got EXTERNAL'],
    ['FEDRAMP_HIGH with a customer-managed key', () => gcpCmk(gcpStack(), ComplianceProfile.FEDRAMP_HIGH), /profile FEDRAMP_HIGH does not allow the CUSTOMER_MANAGED model/],
    ['SOVEREIGN with a customer-managed key', () => gcpCmk(gcpStack(), ComplianceProfile.SOVEREIGN), /profile SOVEREIGN does not allow the CUSTOMER_MANAGED model/],
    ['the same member as administrator and user (CIS 1.11)', () => gcpCmk(gcpStack(), ComplianceProfile.SOC2, 'K', { custodians: { administrators: [m.admin], users: [m.admin] } }),
      /group:kms-admins@example.com cannot be both an administrator and a user/],
    ['allUsers (CIS 1.9)', () => gcpCmk(gcpStack(), ComplianceProfile.SOC2, 'K', { custodians: { administrators: [m.admin], users: ['allUsers'] } }),
      'custodians.users must not name allUsers: keys are never public (CIS Google Cloud 1.9)'],
    ['allAuthenticatedUsers (CIS 1.9)', () => gcpCmk(gcpStack(), ComplianceProfile.SOC2, 'K', { custodians: { administrators: [m.admin], auditors: ['allAuthenticatedUsers'] } }),
      'custodians.auditors must not name allAuthenticatedUsers: keys are never public (CIS Google Cloud 1.9)'],
    ['a member without a type', () => gcpCmk(gcpStack(), ComplianceProfile.SOC2, 'K', { custodians: { administrators: ['alice@example.com'] } }),
      /custodians.administrators must hold IAM members .* such as user:alice@example.com .* got alice@example.com$/],
    ['a label Google rejects', () => gcpCmk(gcpStack(), ComplianceProfile.SOC2, 'K', { labels: { Team: 'x' } }), /labels key must be a lower-case letter .* got Team/],
    ['no audit sink under HIPAA', () => gcpCmk(gcpStack(), ComplianceProfile.HIPAA, 'K', { auditSink: undefined }), 'auditSink is required under profile HIPAA for test/K, got undefined'],
    ['an audit sink of another project', () => {
      const s = gcpStack();
      return gcpCmk(s, ComplianceProfile.HIPAA, 'K', { auditSink: gcpSink(s, ComplianceProfile.HIPAA, 'Audit', { project: 'other-project' }) });
    }, 'auditSink collects the Cloud KMS audit logs of project other-project, but test/K is in project payments-prod'],
    ['one approver under PCI_DSS', () => gcpCmk(gcpStack(), ComplianceProfile.PCI_DSS, 'K', {
      custodians: { administrators: [m.admin], approvers: [m.approverA] },
    }), /approvers must name at least 2/],
    ['an approver who administers', () => gcpCmk(gcpStack(), ComplianceProfile.PCI_DSS, 'K', {
      custodians: { administrators: [m.admin], approvers: [m.approverA, m.admin] },
    }), /cannot be both an administrator and an approver/],
    ['no administrators', () => gcpCmk(gcpStack(), ComplianceProfile.SOC2, 'K', { custodians: { administrators: [] } }),
      'custodians.administrators must name at least one IAM member for test/K, got none'],
  ])('%s', (_what, build, message) => {
    expect(build).toThrow(message);
  });

  test('a dual-control ring nobody may administer fails validation at synthesis', () => {
    const stack = gcpStack();
    new gcp.KeyRing(stack, 'Ring', {
      project: PROJECT,
      location: LOCATION,
      profile: ComplianceProfile.PCI_DSS,
      approvers: [m.approverA, m.approverB],
      auditSink: gcpSink(stack, ComplianceProfile.PCI_DSS),
    });
    expect(() => Testing.synth(stack, true)).toThrow(/dual control but no administrator is eligible/);
  });
});
