import { ComplianceProfile, EvidenceLedger, TenantIsolation } from '../../src';
import * as gcp from '../../src/gcp';
import { gcpSink, gcpStack, LOCATION, m, PROJECT, resources, synth } from '../support/gcp';

const TENANT_USER = 'serviceAccount:acme-app@payments-prod.iam.gserviceaccount.com';

function hierarchy(stack = gcpStack(), extra: Partial<gcp.TenantKeyHierarchyProps> = {}) {
  return new gcp.TenantKeyHierarchy(stack, 'Tenants', {
    project: PROJECT,
    location: LOCATION,
    keyRingPrefix: 'tenants',
    custodians: { administrators: [m.admin], users: [m.user], auditors: [m.auditor] },
    ...extra,
  });
}

test('a key per tenant, named and labelled by tenant, HSM with the profile\'s rotation, in key-ring shards with stable names', () => {
  const stack = gcpStack();
  const h = hierarchy(stack, { tenantsPerKeyRing: 2, tenants: ['acme', 'globex', 'initech'].map((tenantId) => ({ tenantId })) });
  const json = synth(stack);
  const keys = Object.values(resources(json, 'google_kms_crypto_key'));
  expect(keys.map((k) => k.name).sort()).toEqual(['tenant-acme', 'tenant-globex', 'tenant-initech']);
  for (const k of keys) {
    expect(k.labels).toEqual({ tenant_id: k.name.replace('tenant-', '') });
    expect(k.version_template.protection_level).toBe('HSM');
    // CIS Google Cloud 1.10: at most 90 days, shorter than COMMERCIAL's limit.
    expect(k.rotation_period).toBe(`${90 * 86400}s`);
    expect(k.lifecycle.prevent_destroy).toBe(true);
  }
  expect(Object.values(resources(json, 'google_kms_key_ring')).map((r) => r.name).sort()).toEqual(['tenants-0000', 'tenants-0001']);
  expect(h.shardMap).toEqual({ acme: 'tenants-0000', globex: 'tenants-0000', initech: 'tenants-0001' });
});

test('tenant members get use on their tenant\'s key alone; tenant-serving members on each shard ring', () => {
  const stack = gcpStack();
  hierarchy(stack, { tenants: [{ tenantId: 'acme', users: [TENANT_USER] }, { tenantId: 'globex' }] });
  const json = synth(stack);
  const keyBindings = Object.values(resources(json, 'google_kms_crypto_key_iam_member'));
  expect(keyBindings).toEqual([expect.objectContaining({ member: TENANT_USER, role: 'roles/cloudkms.cryptoKeyEncrypterDecrypter' })]);
  expect(keyBindings[0].crypto_key_id).toMatch(/google_kms_crypto_key\.Tenants_Shard0000_Tenant-acme_[0-9A-F]+\.id/);
  const ringBindings = Object.values(resources(json, 'google_kms_key_ring_iam_member'));
  expect(ringBindings.filter((b) => b.member === m.user).map((b) => b.role)).toEqual(['roles/cloudkms.cryptoKeyEncrypterDecrypter']);
  // One custom role for the stack's project, bound on both rings.
  expect(new Set(ringBindings.filter((b) => b.member === m.admin).map((b) => b.role)))
    .toEqual(new Set([expect.stringMatching(/^\$\{google_project_iam_custom_role\.KmsKeyAdministratorRole[0-9a-f]{8}\.name\}$/)]));
  expect(Object.keys(resources(json, 'google_project_iam_custom_role'))).toHaveLength(1);
  expect(ringBindings.filter((b) => b.member === m.auditor).map((b) => b.role)).toEqual(['roles/cloudkms.viewer']);
});

test('adding a tenant changes no existing resource', () => {
  const beforeStack = gcpStack();
  hierarchy(beforeStack, { tenantsPerKeyRing: 2, tenants: [{ tenantId: 'acme' }, { tenantId: 'globex' }] });
  const before = synth(beforeStack);
  const afterStack = gcpStack();
  hierarchy(afterStack, { tenantsPerKeyRing: 2, tenants: [{ tenantId: 'acme' }, { tenantId: 'globex' }, { tenantId: 'initech' }] });
  const after = synth(afterStack);
  for (const [type, byName] of Object.entries(before.resource)) {
    for (const [name, body] of Object.entries(byName)) expect(after.resource[type][name]).toEqual(body);
  }
});

test('an offboarded tenant\'s key leaves the configuration, so its versions are destroyed after the scheduled duration', () => {
  const stack = gcpStack();
  hierarchy(stack, { tenants: [{ tenantId: 'acme' }, { tenantId: 'globex', offboarded: true }] });
  const json = synth(stack);
  expect(Object.values(resources(json, 'google_kms_crypto_key')).map((k) => k.name)).toEqual(['tenant-acme']);
  const acks = EvidenceLedger.of(stack).acknowledgements().filter((a) => a.rule === 'cloud-kms:TenantOffboarded');
  expect(acks.map((a) => a.reason)).toEqual([expect.stringMatching(/globex is offboarded: its key versions are destroyed and deleted after 30 days/)]);
});

test('pooled tenants share their pool\'s key in a pool ring', () => {
  const stack = gcpStack();
  const h = hierarchy(stack, { isolation: TenantIsolation.POOLED, pools: ['standard', 'premium'], tenants: [{ tenantId: 'acme' }, { tenantId: 'hooli', pool: 'premium' }] });
  const json = synth(stack);
  expect(Object.values(resources(json, 'google_kms_crypto_key')).map((k) => k.name).sort()).toEqual(['pool-premium', 'pool-standard']);
  expect(h.keyFor('hooli').node.path).toBe('test/Tenants/Pools/Pool-premium');
  expect(h.shardMap).toEqual({ acme: 'tenants-pools', hooli: 'tenants-pools' });
});

test('bad input is refused early, naming the prop and value', () => {
  expect(() => hierarchy(gcpStack(), { tenants: [{ tenantId: 'Acme' }] })).toThrow(/tenantId must be 1 to 56 lower-case.*got Acme/);
  expect(() => hierarchy(gcpStack(), { tenants: [{ tenantId: 'acme' }, { tenantId: 'acme' }] })).toThrow(/got 'acme' twice/);
  expect(() => hierarchy(gcpStack(), { tenants: [{ tenantId: 'acme', users: [m.admin] }] })).toThrow(/separation of duties|both/i);
  expect(() => hierarchy(gcpStack(), { tenants: [{ tenantId: 'acme', users: ['allUsers'] }] })).toThrow(/never public/);
  expect(() => hierarchy(gcpStack(), { profile: ComplianceProfile.PCI_DSS })).toThrow(/audit sink|auditSink/);
  const stack = gcpStack();
  expect(() => hierarchy(stack, { profile: ComplianceProfile.PCI_DSS, auditSink: gcpSink(stack, ComplianceProfile.PCI_DSS) })).toThrow(/approvers/);
});
