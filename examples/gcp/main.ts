/*
 * The Google Cloud examples as one cdktf app: a stack per deployment model.
 *   cdktf synth (in this directory), or npm run examples from the repository root.
 */
import { join } from 'path';
import { App } from 'cdktf';
import { KeysStack, LOCATION, people, PROJECT } from './common';
import { ComplianceProfile, FipsLevel } from '../../src';
import * as gcp from '../../src/gcp';
import { organizationGcp } from '../organization/gcp';
import { saasGcp } from '../saas/gcp';

/** Provider-managed (COMMERCIAL): a software key rotated every 90 days, and Autokey keys for disks and buckets. */
function providerManaged(app: App): void {
  const stack = new KeysStack(app, 'gcp-provider-managed');
  new gcp.ManagedKey(stack, 'SessionKey', { project: PROJECT, location: LOCATION, users: [people.ordersService] });
  new gcp.AutokeyHandles(stack, 'Autokey', {
    project: PROJECT,
    location: LOCATION,
    folder: 'folders/123456789012',
    keyProject: 'acme-kms-keys',
    resourceTypes: ['compute.googleapis.com/Disk', 'storage.googleapis.com/Bucket'],
  });
}

/**
 * Customer-managed under PCI DSS: Cloud HSM keys in one ring, administrators just in time with two approvers
 * (Privileged Access Manager), Data Access logs into a locked bucket for a year.
 */
function customerManaged(app: App): void {
  const stack = new KeysStack(app, 'gcp-customer-managed');
  const profile = ComplianceProfile.PCI_DSS;
  const auditSink = new gcp.KeyAuditSink(stack, 'Audit', {
    project: PROJECT,
    location: 'EU',
    profile,
    auditors: [people.auditors],
    acknowledgeLockedRetention: true,
    notificationEmails: [people.securityAlerts],
    escalationEmails: [people.securityOnCall],
    // The one sink of this app that turns on Data Access logs for Cloud KMS in acme-payments-prod; the other stacks of
    // the project set manageDataAccessLogs: false (the audit config is authoritative per service and project).
    manageDataAccessLogs: true,
  });
  const ring = new gcp.KeyRing(stack, 'CardData', {
    project: PROJECT, location: LOCATION, name: 'card-data', profile, auditSink, approvers: [people.approverA, people.approverB],
  });
  new gcp.CustomerManagedKey(stack, 'CardholderDataKey', {
    project: PROJECT,
    location: LOCATION,
    profile,
    auditSink,
    keyRing: ring,
    keyName: 'cardholder-data',
    labels: { pci: 'in-scope' },
    custodians: { administrators: [people.keyAdministrators], users: [people.ordersService], auditors: [people.auditors] },
  });
  // A second key in the same ring: its administrators are the ring's, checked against this key's users.
  const tokens = new gcp.CustomerManagedKey(stack, 'TokenizationKey', {
    project: PROJECT,
    location: LOCATION,
    profile,
    auditSink,
    keyRing: ring,
    keyName: 'tokenization',
    custodians: { administrators: [people.keyAdministrators], auditors: [people.auditors] },
  });
  tokens.grantEncrypt(people.ordersService);
  tokens.grantDecrypt(people.detokenizationService);
}

/** Bring your own key under FEDRAMP_HIGH: an HSM import job and an import-only key. */
function byok(app: App): void {
  const stack = new KeysStack(app, 'gcp-byok');
  const profile = ComplianceProfile.FEDRAMP_HIGH;
  const auditSink = new gcp.KeyAuditSink(stack, 'Audit', {
    project: PROJECT,
    location: 'EU',
    profile,
    auditors: [people.auditors],
    acknowledgeLockedRetention: true,
    notificationEmails: [people.securityAlerts],
    escalationEmails: [people.securityOnCall],
    manageDataAccessLogs: false,
  });
  new gcp.ByokImport(stack, 'LedgerKey', {
    project: PROJECT,
    location: LOCATION,
    profile,
    auditSink,
    keyName: 'ledger-byok',
    custodians: {
      administrators: [people.keyAdministrators], users: [people.ordersService], auditors: [people.auditors], importers: [people.importers],
    },
  });
}

/** Hold your own key under SOVEREIGN: Cloud EKM through a VPC; the key material stays in the customer's key manager. */
function hyok(app: App): void {
  const stack = new KeysStack(app, 'gcp-hyok');
  const profile = ComplianceProfile.SOVEREIGN;
  const auditSink = new gcp.KeyAuditSink(stack, 'Audit', {
    project: PROJECT,
    location: LOCATION,
    profile,
    destination: gcp.AuditDestination.LOG_BUCKET,
    auditors: [people.auditors],
    acknowledgeLockedRetention: true,
    notificationEmails: [people.securityAlerts],
    escalationEmails: [people.securityOnCall],
    manageDataAccessLogs: false,
  });
  const store = new gcp.HyokExternalStore(stack, 'ExternalKeyManager', {
    project: PROJECT,
    location: LOCATION,
    profile,
    auditSink,
    acknowledgeEkmConnectionIsPermanent: true,
    backend: gcp.EkmBackend.vpc({
      serviceDirectoryService: `projects/${PROJECT}/locations/${LOCATION}/namespaces/ekm/services/key-manager`,
      hostname: 'ekm.acme.example',
      // The key manager's TLS certificate, DER in base64 (placeholder).
      serverCertificates: ['MIIBszCCAVmgAwIBAgIUPlaceholderCertificateDerBase64=='],
      externalKeyManagerFipsLevel: FipsLevel.LEVEL_3,
    }),
    custodians: {
      administrators: [people.keyAdministrators],
      users: [people.ordersService],
      auditors: [people.auditors],
      approvers: [people.approverA, people.approverB],
    },
  });
  store.addKey('CitizenRecords', { keyName: 'citizen-records', externalKeyPath: 'v0/keys/citizen-records' });
}

/**
 * Post-quantum keys (COMMERCIAL): an ML-DSA-65 key that signs releases and an ML-KEM-768 key whose private half
 * decapsulates the shared secrets senders make with its public key. Google documents both as previews for SOFTWARE
 * keys (FIPS 140 Level 1), so a profile requiring Level 2 or 3 refuses them.
 */
function postQuantum(app: App): void {
  const stack = new KeysStack(app, 'gcp-post-quantum');
  const profile = ComplianceProfile.COMMERCIAL;
  const ring = new gcp.KeyRing(stack, 'PostQuantum', { project: PROJECT, location: LOCATION, name: 'post-quantum', profile });
  const custodians = { administrators: [people.keyAdministrators], auditors: [people.auditors] };
  const signing = new gcp.CustomerManagedKey(stack, 'ReleaseSigningKey', {
    project: PROJECT,
    location: LOCATION,
    profile,
    keyRing: ring,
    keyName: 'release-signing',
    custodians,
    algorithm: gcp.KeyAlgorithm.PQ_SIGN_ML_DSA_65,
    protectionLevel: gcp.ProtectionLevel.SOFTWARE,
  });
  signing.grantSignVerify(people.ordersService);
  const kem = new gcp.CustomerManagedKey(stack, 'SessionKemKey', {
    project: PROJECT,
    location: LOCATION,
    profile,
    keyRing: ring,
    keyName: 'session-kem',
    custodians,
    algorithm: gcp.KeyAlgorithm.ML_KEM_768,
    protectionLevel: gcp.ProtectionLevel.SOFTWARE,
  });
  kem.grantDecapsulate(people.ordersService);
}

/** The app; `outdir` defaults to what cdktf passes (CDKTF_OUTDIR), else examples/out/gcp. */
export function gcpApp(outdir?: string): App {
  const app = new App({ outdir: outdir ?? process.env.CDKTF_OUTDIR ?? join(__dirname, '..', 'out', 'gcp') });
  providerManaged(app);
  customerManaged(app);
  byok(app);
  hyok(app);
  postQuantum(app);
  saasGcp(app);
  organizationGcp(app);
  return app;
}

/* istanbul ignore next: run by cdktf synth */
if (require.main === module) {
  gcpApp().synth();
}
