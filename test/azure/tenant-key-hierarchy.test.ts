import { Testing } from 'cdktf';
import { ComplianceProfile, EvidenceLedger, TenantIsolation } from '../../src';
import * as azure from '../../src/azure';
import { azureSink, azureStack, ids, LOCATION, one, resources, RG, synth, vaultNetwork } from '../support/azure';

const TENANT_USER = '88888888-8888-4888-8888-888888888888';

function hierarchy(stack = azureStack(), extra: Partial<azure.TenantKeyHierarchyProps> = {}) {
  return new azure.TenantKeyHierarchy(stack, 'Tenants', {
    resourceGroupName: RG,
    location: LOCATION,
    acknowledgePurgeProtectionIsPermanent: true,
    network: vaultNetwork(),
    vaultNamePrefix: 'kvtenants',
    custodians: { administrators: [ids.admin], users: [ids.user], auditors: [ids.auditor] },
    ...extra,
  });
}

test('a key per tenant, named and tagged by tenant, HSM-backed with the profile\'s rotation, in vault shards with stable names', () => {
  const stack = azureStack();
  const h = hierarchy(stack, { tenantsPerVault: 2, tenants: ['acme', 'globex', 'initech'].map((tenantId) => ({ tenantId })) });
  const json = synth(stack);
  const keys = Object.values(resources(json, 'azurerm_key_vault_key'));
  expect(keys.map((k) => k.name).sort()).toEqual(['tenant-acme', 'tenant-globex', 'tenant-initech']);
  for (const k of keys) {
    expect(k.key_type).toBe('RSA-HSM');
    expect(k.tags).toEqual({ tenantId: k.name.replace('tenant-', '') });
    expect(k.rotation_policy.automatic.time_after_creation).toBe(`P${ComplianceProfile.COMMERCIAL.maxRotationDays}D`);
    expect(k.lifecycle.prevent_destroy).toBe(true);
  }
  expect(Object.values(resources(json, 'azurerm_key_vault')).map((v) => v.name).sort()).toEqual(['kvtenants-0000', 'kvtenants-0001']);
  expect(h.shardMap).toEqual({ acme: 'kvtenants-0000', globex: 'kvtenants-0000', initech: 'kvtenants-0001' });
  for (const v of Object.values(resources(json, 'azurerm_key_vault'))) {
    expect(v).toMatchObject({ sku_name: 'premium', purge_protection_enabled: true, rbac_authorization_enabled: true, public_network_access_enabled: false });
  }
});

test('tenant users get a role on their tenant\'s key alone; tenant-serving identities on each shard vault', () => {
  const stack = azureStack();
  hierarchy(stack, { tenants: [{ tenantId: 'acme', users: [TENANT_USER] }, { tenantId: 'globex' }] });
  const json = synth(stack);
  const assignments = Object.values(resources(json, 'azurerm_role_assignment'));
  const tenantUser = assignments.filter((a) => a.principal_id === TENANT_USER);
  expect(tenantUser).toHaveLength(1);
  // The shard vault's use-only role: "Key Vault Crypto User" would also update and back up keys.
  expect(tenantUser[0].role_definition_id).toMatch(/azurerm_role_definition\.Tenants_Shard0000_KeyUserRole_[0-9A-F]+\.role_definition_resource_id/);
  expect(tenantUser[0].scope).toMatch(/azurerm_key_vault_key\.Tenants_Shard0000_Tenant-acme_[0-9A-F]+\.resource_versionless_id/);
  const service = assignments.filter((a) => a.principal_id === ids.user);
  expect(service).toHaveLength(1);
  expect(service[0].role_definition_id).toMatch(/azurerm_role_definition\.Tenants_Shard0000_KeyUserRole_[0-9A-F]+\.role_definition_resource_id/);
  expect(service[0].scope).toMatch(/azurerm_key_vault\.Tenants_Shard0000_[0-9A-F]+\.id/);
});

test('adding a tenant changes no existing resource', () => {
  const before = synth(hierarchy(azureStack(), { tenantsPerVault: 2, tenants: [{ tenantId: 'acme' }, { tenantId: 'globex' }] }).node.scope as any);
  const afterStack = azureStack();
  hierarchy(afterStack, { tenantsPerVault: 2, tenants: [{ tenantId: 'acme' }, { tenantId: 'globex' }, { tenantId: 'initech' }] });
  const after = synth(afterStack);
  for (const [type, byName] of Object.entries(before.resource)) {
    // The audit sink's Activity Log alert gains the new shard vault in its scopes (an in-place update); nothing else changes.
    if (type === 'azurerm_monitor_activity_log_alert') continue;
    for (const [name, body] of Object.entries(byName)) expect(after.resource[type][name]).toEqual(body);
  }
  const scopes = (json: any) => Object.values(resources(json, 'azurerm_monitor_activity_log_alert')).flatMap((a: any) => a.scopes);
  expect(scopes(after)).toEqual(expect.arrayContaining(scopes(before)));
});

test('an offboarded tenant\'s key leaves the configuration (soft-deleted, then purged); the rest stay', () => {
  const stack = azureStack();
  hierarchy(stack, { tenants: [{ tenantId: 'acme' }, { tenantId: 'globex', offboarded: true, users: [TENANT_USER] }] });
  const json = synth(stack);
  expect(Object.values(resources(json, 'azurerm_key_vault_key')).map((k) => k.name)).toEqual(['tenant-acme']);
  expect(Object.values(resources(json, 'azurerm_role_assignment')).some((a) => a.principal_id === TENANT_USER)).toBe(false);
  const acks = EvidenceLedger.of(stack).acknowledgements().filter((a) => a.rule === 'cloud-kms:TenantOffboarded');
  expect(acks.map((a) => a.reason)).toEqual([expect.stringMatching(/globex is offboarded: its key is deleted: soft-deleted and unpurgeable for 90 days/)]);
});

test('pooled tenants share their pool\'s key in a pool vault', () => {
  const stack = azureStack();
  const h = hierarchy(stack, { isolation: TenantIsolation.TIERED, pools: ['standard'], tenants: [{ tenantId: 'acme', dedicated: true }, { tenantId: 'initech', users: [TENANT_USER] }] });
  const json = synth(stack);
  expect(Object.values(resources(json, 'azurerm_key_vault_key')).map((k) => k.name).sort()).toEqual(['pool-standard', 'tenant-acme']);
  expect(one(json, 'azurerm_key_vault', /Pools/).name).toBe('kvtenants-pool');
  expect(h.keyFor('initech').node.path).toBe('test/Tenants/Pools/Pool-standard');
  expect(() => h.keyFor('nobody')).toThrow(/tenantId must be a tenant of test\/Tenants, got 'nobody'/);
  expect(h.shardMap.initech).toBe('kvtenants-pool');
});

test('bad input is refused early, naming the prop and value', () => {
  expect(() => hierarchy(azureStack(), { tenants: [{ tenantId: 'acme_corp' }] })).toThrow(/tenantId must be 1 to 64 letters, digits or '-'.*got acme_corp/);
  expect(() => hierarchy(azureStack(), { tenants: [{ tenantId: 'acme' }, { tenantId: 'Acme' }] })).toThrow(/unique ignoring case/);
  expect(() => hierarchy(azureStack(), { acknowledgePurgeProtectionIsPermanent: false })).toThrow(/acknowledgePurgeProtectionIsPermanent must be true/);
  expect(() => hierarchy(azureStack(), { vaultNamePrefix: 'kv--x' })).toThrow(/vaultNamePrefix must be/);
  expect(() => hierarchy(azureStack(), { tenants: [{ tenantId: 'acme', users: [ids.admin] }] })).toThrow(/separation of duties|both/i);
  expect(() => hierarchy(azureStack(), { profile: ComplianceProfile.PCI_DSS })).toThrow(/audit sink|auditSink/);
  const stack = azureStack();
  expect(() => hierarchy(stack, { profile: ComplianceProfile.PCI_DSS, auditSink: azureSink(stack, ComplianceProfile.PCI_DSS) })).toThrow(/approvers/);
});

test('warns when tenant-scoped role assignments near the subscription limit', () => {
  const stack = azureStack();
  hierarchy(stack, { roleAssignmentQuota: 5, tenants: ['a', 'b', 'c', 'd'].map((tenantId) => ({ tenantId, users: [TENANT_USER] })) });
  Testing.synth(stack);
  const warnings = stack.node.findAll().flatMap((c) => c.node.metadata).filter((m) => m.type === '@cdktf/warn');
  expect(warnings.map((w) => String(w.data))).toEqual([expect.stringMatching(/4 tenant keys is 80% of the 5 role assignments per subscription quota/)]);
});
