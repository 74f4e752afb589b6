import { TerraformStack } from 'cdktf';
import { azureApp } from '../../examples/azure/main';
import { ComplianceProfile, TenantIsolation } from '../../src';
import * as azure from '../../src/azure';
import { BUILT_IN_ROLE_NAMES } from '../../src/azure/private/policy-builtins';
import {
  BUILT_IN_ROLE_PERMISSIONS, DOCUMENTED_CONTROL_ACTIONS, DOCUMENTED_HSM_DATA_ACTIONS, DOCUMENTED_VAULT_KEY_DATA_ACTIONS,
  HSM_BUILT_IN_ROLE_PERMISSIONS, isDocumentedAction,
} from '../../src/azure/private/roles';
import { azureByok, azureCmk, azureHsm, azureSink, azureStack, ids, LOCATION, RG, vaultNetwork } from '../support/azure';
import { azureScenarios } from '../support/azure-scenarios';

/**
 * Built-in roles this library assigns by name outside a vault: the audit sink's readers, and the role the organisation
 * guardrails' deployIfNotExists definitions declare for the policy assignment's identity (BUILT_IN_ROLE_NAMES).
 */
const OTHER_BUILT_INS = ['Log Analytics Reader', 'Storage Blob Data Reader', ...Object.values(BUILT_IN_ROLE_NAMES)];

/** Every role definition and every role a synthesized stack assigns, with what is not documented. */
function undocumented(json: any): string[] {
  const out: string[] = [];
  const r = json.resource ?? {};
  for (const [name, def] of Object.entries<any>(r.azurerm_role_definition ?? {})) {
    for (const p of def.permissions ?? []) {
      for (const a of [...(p.actions ?? []), ...(p.not_actions ?? [])]) {
        if (!isDocumentedAction(a, DOCUMENTED_CONTROL_ACTIONS)) out.push(`${name}: action ${a}`);
      }
      for (const a of [...(p.data_actions ?? []), ...(p.not_data_actions ?? [])]) {
        if (!isDocumentedAction(a, DOCUMENTED_VAULT_KEY_DATA_ACTIONS)) out.push(`${name}: data action ${a}`);
      }
    }
  }
  for (const [name, def] of Object.entries<any>(r.azurerm_key_vault_managed_hardware_security_module_role_definition ?? {})) {
    for (const p of def.permission ?? []) {
      for (const a of [...(p.actions ?? []), ...(p.not_actions ?? [])]) out.push(`${name}: Managed HSM local roles take data actions only, got ${a}`);
      for (const a of [...(p.data_actions ?? []), ...(p.not_data_actions ?? [])]) {
        if (!isDocumentedAction(a, DOCUMENTED_HSM_DATA_ACTIONS)) out.push(`${name}: data action ${a}`);
      }
    }
  }
  for (const [name, a] of Object.entries<any>({ ...r.azurerm_role_assignment, ...r.azurerm_pim_eligible_role_assignment })) {
    const builtIn = a.role_definition_name;
    if (builtIn !== undefined && !BUILT_IN_ROLE_PERMISSIONS[builtIn] && !OTHER_BUILT_INS.includes(builtIn)) {
      out.push(`${name}: built-in role ${a.role_definition_name}`);
    }
  }
  for (const [name, a] of Object.entries<any>(r.azurerm_key_vault_managed_hardware_security_module_role_assignment ?? {})) {
    const id = String(a.role_definition_id);
    if (!id.startsWith('${') && !HSM_BUILT_IN_ROLE_PERMISSIONS[id.split('/').pop()!]) out.push(`${name}: Managed HSM built-in role ${id}`);
  }
  return out;
}

function scenarios(): [string, TerraformStack][] {
  const out: [string, TerraformStack][] = [];
  const add = (name: string, build: (s: TerraformStack) => void) => {
    const s = azureStack(name);
    build(s);
    out.push([name, s]);
  };
  for (const profile of [ComplianceProfile.COMMERCIAL, ComplianceProfile.HIPAA, ComplianceProfile.PCI_DSS, ComplianceProfile.FEDRAMP_MODERATE]) {
    add(`cmk-${profile.name}`, (s) => {
      const key = azureCmk(s, profile, 'Key', {
        custodians: {
          administrators: [ids.admin],
          users: [ids.user],
          auditors: [ids.auditor],
          backupOperators: ['88888888-8888-4888-8888-888888888888'],
          approvers: profile.dualControlRequired ? [ids.approverA, ids.approverB] : undefined,
        },
      });
      key.grantServiceEncryption('99999999-9999-4999-8999-999999999999');
    });
  }
  add('managed-key', (s) => new azure.ManagedKey(s, 'Key', { resourceGroupName: RG, location: LOCATION, acknowledgePurgeProtectionIsPermanent: true, network: vaultNetwork(), users: [ids.user] }));
  add('byok-vault', (s) => azureByok(s, ComplianceProfile.PCI_DSS, 'Byok', { keyImported: true }));
  add('hsm', (s) => {
    const store = azureHsm(s, ComplianceProfile.PCI_DSS, 'Hsm', {
      custodians: { administrators: [ids.admin], users: [ids.user], auditors: [ids.auditor], backupOperators: ['88888888-8888-4888-8888-888888888888'] },
    });
    store.addKey('A', { keyName: 'a' }).grantEncryptDecrypt('99999999-9999-4999-8999-999999999999');
    azureCmk(s, ComplianceProfile.PCI_DSS, 'InHsm', { managedHsm: store, auditSink: store.auditSink, custodians: { administrators: [ids.admin], users: [ids.user] } })
      .grantServiceEncryption('99999999-9999-4999-8999-999999999999');
    azureByok(s, ComplianceProfile.PCI_DSS, 'Byok', {
      managedHsm: store,
      keyImported: true,
      auditSink: store.auditSink,
      custodians: { administrators: [ids.admin], users: [ids.user], auditors: [ids.auditor], importers: [ids.importer] },
    });
  });
  add('tenants', (s) => new azure.TenantKeyHierarchy(s, 'Tenants', {
    resourceGroupName: RG,
    location: LOCATION,
    profile: ComplianceProfile.HIPAA,
    auditSink: azureSink(s, ComplianceProfile.HIPAA),
    acknowledgePurgeProtectionIsPermanent: true,
    network: vaultNetwork(),
    isolation: TenantIsolation.TIERED,
    pools: ['p'],
    custodians: { administrators: [ids.admin], users: [ids.user], auditors: [ids.auditor] },
    tenants: [{ tenantId: 'acme', dedicated: true, users: ['99999999-9999-4999-8999-999999999999'] }, { tenantId: 'globex', pool: 'p' }],
  }));
  return out;
}

test('the documented tables hold Microsoft\'s names, and none of the names the administrator role used to carry', () => {
  for (const a of ['keys/update/action', 'keys/recover/action', 'keys/purge/action', 'keys/backup/action', 'keyrotationpolicies/write']) {
    expect(isDocumentedAction(`Microsoft.KeyVault/vaults/${a}`, DOCUMENTED_VAULT_KEY_DATA_ACTIONS)).toBe(true);
  }
  // keys/write is a control-plane action (create-if-absent through Resource Manager), not a data action; vaults have no
  // deletedKeys data actions (Managed HSM has).
  for (const a of ['keys/write', 'deletedKeys/read', 'deletedKeys/recover/action', 'deletedKeys/delete']) {
    expect(isDocumentedAction(`Microsoft.KeyVault/vaults/${a}`, DOCUMENTED_VAULT_KEY_DATA_ACTIONS)).toBe(false);
  }
  expect(isDocumentedAction('Microsoft.KeyVault/managedHsm/keys/deletedKeys/recover/action', DOCUMENTED_HSM_DATA_ACTIONS)).toBe(true);
  expect(undocumented({ resource: { azurerm_role_definition: { r: { permissions: [{ data_actions: ['Microsoft.KeyVault/vaults/keys/write'] }] } } } }))
    .toEqual(['r: data action Microsoft.KeyVault/vaults/keys/write']);
});

test.each(scenarios())('%s: every generated role uses only documented actions and every assigned built-in role is in the table', (_name, stack) => {
  expect(undocumented(stack.toTerraform())).toEqual([]);
});

test.each(azureScenarios().map((s) => [s.name, s] as const))('snapshot scenario %s: every generated role uses only documented actions', (_name, scenario) => {
  expect(undocumented(scenario.build().toTerraform())).toEqual([]);
});

test('every Azure example: every generated role uses only documented actions', () => {
  const app = azureApp('/tmp/azroles-examples-unused');
  const stacks = app.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack);
  expect(stacks.length).toBeGreaterThanOrEqual(5);
  for (const stack of stacks) expect([stack.node.path, undocumented(stack.toTerraform())]).toEqual([stack.node.path, []]);
});
