import { ComplianceProfile, Control, EvidenceLedger, EvidenceStatus } from '../../src';
import { Period } from '../../src/core';
import * as gcp from '../../src/gcp';
import { bindings, gcpSink, gcpStack, m, one, PROJECT, resources, synth } from '../support/gcp';

describe('a Cloud Storage sink under HIPAA (six years, locked)', () => {
  const stack = gcpStack();
  const sink = gcpSink(stack, ComplianceProfile.HIPAA);
  const json = synth(stack);

  test('Data Access audit logs are on for Cloud KMS: ADMIN_READ, DATA_READ, DATA_WRITE', () => {
    expect(one(json, 'google_project_iam_audit_config')).toEqual({
      project: PROJECT,
      service: 'cloudkms.googleapis.com',
      audit_log_config: [{ log_type: 'ADMIN_READ' }, { log_type: 'DATA_READ' }, { log_type: 'DATA_WRITE' }],
    });
  });

  test('the sink takes every Cloud KMS audit entry, with its own writer identity', () => {
    expect(one(json, 'google_logging_project_sink')).toMatchObject({
      project: PROJECT,
      destination: expect.stringMatching(/^storage\.googleapis\.com\/\$\{google_storage_bucket\..*\.name\}$/),
      filter: 'logName:"cloudaudit.googleapis.com" AND protoPayload.serviceName="cloudkms.googleapis.com"',
      unique_writer_identity: true,
    });
  });

  test('the bucket: locked retention for six years, uniform access, public access prevented, never force-destroyed', () => {
    expect(one(json, 'google_storage_bucket')).toMatchObject({
      retention_policy: { retention_period: 2190 * 86400, is_locked: true },
      uniform_bucket_level_access: true,
      public_access_prevention: 'enforced',
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
    expect(sink).toMatchObject({ immutable: true, retentionDays: 2190, project: PROJECT });
  });

  test('the writer identity may only create objects; auditors may only read them', () => {
    expect(bindings(json, 'google_storage_bucket_iam_member').map((b) => [b.role, b.member]).sort()).toEqual([
      ['roles/storage.objectCreator', expect.stringMatching(/google_logging_project_sink\..*\.writer_identity/)],
      ['roles/storage.objectViewer', m.auditor],
    ]);
  });

  test('evidence: write-once, kept six years, Data Access logged', () => {
    const ledger = EvidenceLedger.of(stack);
    expect(ledger.tryFindAuditSink('test/Audit')).toMatchObject({ cloud: 'gcp', immutable: true, retentionDays: 2190 });
    expect(ledger.evidenceFor(Control.NIST_AU_9_4, 'test/Audit')[0]).toMatchObject({ status: EvidenceStatus.SATISFIED, setting: 'retention_policy.is_locked' });
    expect(ledger.evidenceFor(Control.NIST_AU_11, 'test/Audit')[0].status).toBe(EvidenceStatus.SATISFIED);
    expect(ledger.evidenceFor(Control.NIST_AU_2, 'test/Audit')[0]).toMatchObject({ value: 'ADMIN_READ, DATA_READ, DATA_WRITE' });
  });
});

test('a log bucket destination: locked retention in days; auditors get view access to that bucket only', () => {
  const stack = gcpStack();
  gcpSink(stack, ComplianceProfile.PCI_DSS, 'Audit', { destination: gcp.AuditDestination.LOG_BUCKET, location: 'europe-west1' });
  const json = synth(stack);
  expect(resources(json, 'google_storage_bucket')).toEqual({});
  expect(one(json, 'google_logging_project_bucket_config')).toMatchObject({ retention_days: 365, locked: true, location: 'europe-west1', project: PROJECT });
  expect(one(json, 'google_logging_project_sink').destination).toMatch(/^logging\.googleapis\.com\/\$\{google_logging_project_bucket_config\..*\.id\}$/);
  expect(one(json, 'google_project_iam_member')).toMatchObject({
    role: 'roles/logging.viewAccessor',
    member: m.auditor,
    condition: { expression: expect.stringMatching(/^resource\.name == "\$\{google_logging_project_bucket_config\..*\.id\}\/views\/_AllLogs"$/) },
  });
});

test.each(ComplianceProfile.builtIns().map((p) => [p.name, p]))('%s: retention and lock follow the profile', (_n, p) => {
  const profile = p as ComplianceProfile;
  const stack = gcpStack();
  gcpSink(stack, profile);
  expect(one(synth(stack), 'google_storage_bucket').retention_policy).toEqual({ retention_period: profile.auditRetentionDays * 86400, is_locked: true });
});

test('unlocked (COMMERCIAL): the evidence says records are not write-once', () => {
  const stack = gcpStack();
  gcpSink(stack, ComplianceProfile.COMMERCIAL, 'Audit', { immutable: false, acknowledgeLockedRetention: undefined });
  expect(one(synth(stack), 'google_storage_bucket').retention_policy.is_locked).toBe(false);
  expect(EvidenceLedger.of(stack).evidenceFor(Control.NIST_AU_9_4, 'test/Audit')[0].status).toBe(EvidenceStatus.NOT_SATISFIED);
});

describe('bad input', () => {
  test.each<[string, ComplianceProfile, Partial<gcp.KeyAuditSinkProps>, string | RegExp]>([
    ['retention below the profile', ComplianceProfile.PCI_DSS, { retention: Period.days(30) }, 'retention must be at least 365 days under profile PCI_DSS, got 30 days'],
    ['retention in hours', ComplianceProfile.COMMERCIAL, { retention: Period.hours(2500) }, /retention must be a whole number of days/],
    ['a log bucket beyond 3650 days', ComplianceProfile.COMMERCIAL, { destination: gcp.AuditDestination.LOG_BUCKET, retention: Period.days(4000) },
      'retention must be between 1 and 3650 days, got 4000'],
    ['unlocked under HIPAA', ComplianceProfile.HIPAA, { immutable: false }, 'immutable must be true under profile HIPAA, got false'],
    ['a lock without acknowledgement', ComplianceProfile.SOC2, { acknowledgeLockedRetention: false }, /acknowledgeLockedRetention must be true: a locked retention policy .* got false/],
    ['a bucket name Google rejects', ComplianceProfile.SOC2, { bucketName: 'Audit_Logs' }, /bucketName must be 3 to 63 lower-case letters.* got Audit_Logs/],
    ['a bucket name starting with goog', ComplianceProfile.SOC2, { bucketName: 'google-audit' }, 'bucketName must not start with "goog", got google-audit'],
    ['a public auditor', ComplianceProfile.SOC2, { auditors: ['allUsers'] }, 'auditors must not name allUsers: keys are never public (CIS Google Cloud 1.9)'],
  ])('%s', (_what, profile, extra, message) => {
    expect(() => gcpSink(gcpStack(), profile, 'Audit', extra)).toThrow(message);
  });
});
