import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { RoleDefinition } from '@cdktf/provider-azurerm/lib/role-definition';
import { TerraformStack } from 'cdktf';
import { azureApp } from '../../examples/azure/main';
import { ComplianceProfile, Control, EvidenceLedger, EvidenceStatus } from '../../src';
import * as azure from '../../src/azure';
import { buildReport, KeyReport } from '../../src/compliance/report';
import { Access } from '../../src/core/access-policy';
import { azureByok, azureCmk, azureHsm, azureStack, ids } from '../support/azure';

const DEPLOYER = 'the deployment principal';

function keyReport(stack: TerraformStack, path: string): KeyReport {
  const report = buildReport(EvidenceLedger.of(stack));
  const key = report.stacks.flatMap((s) => s.keys).find((k) => k.path === path);
  if (!key) throw new Error(`no key ${path} in the report`);
  return key;
}

function row(key: KeyReport, principal: string) {
  const r = key.accessMatrix!.rows.find((x) => x.principal === principal);
  if (!r) throw new Error(`no row for ${principal}: ${key.accessMatrix!.rows.map((x) => x.principal).join(', ')}`);
  return Object.fromEntries(Object.entries(r.access).map(([cls, c]) => [cls, c.access]));
}

const DENIED_ALL = {
  'use': Access.DENIED,
  'manage': Access.DENIED,
  'change access': Access.DENIED,
  'delete/purge': Access.DENIED,
  'backup/restore': Access.DENIED,
  'audit-read': Access.DENIED,
};

function evidence(stack: TerraformStack, control: Control, subject: string, setting: string) {
  const found = EvidenceLedger.of(stack).evidenceFor(control, subject).filter((e) => e.setting === setting);
  expect(found).toHaveLength(1);
  return found[0];
}

describe('a PCI DSS customer-managed key with administrators under PIM', () => {
  const stack = azureStack();
  azureCmk(stack, ComplianceProfile.PCI_DSS);
  const key = keyReport(stack, 'test/OrdersKey');
  const m = key.accessMatrix!;

  test('is computed from the synthesized role definitions and assignments', () => {
    expect(m).toMatchObject({
      computed: true,
      evaluator: 'cloud-kms-constructs Azure RBAC evaluation of the synthesized role definitions and assignments',
      classes: ['use', 'manage', 'change access', 'delete/purge', 'backup/restore', 'audit-read'],
      userForbiddenClasses: ['manage', 'change access', 'delete/purge', 'backup/restore'],
      derivesFrom: ['role assignments', 'role_management_policy'],
      gateName: 'Privileged Identity Management approval',
      dualControlGate: true,
      aloneReachUse: [],
      singlePersonDualControl: [],
      aloneReachUseTarget: { met: true },
    });
    expect(m.assumptions.join(' ')).toMatch(/outside this app: whoever holds Owner, User Access Administrator or Role Based Access Control Administrator/);
  });

  test('administrators manage and delete only with an approved activation; never use, change access, back up or restore', () => {
    expect(row(key, ids.admin)).toEqual({
      'use': Access.DENIED,
      'manage': Access.JUST_IN_TIME,
      'change access': Access.DENIED,
      'delete/purge': Access.JUST_IN_TIME,
      'backup/restore': Access.DENIED,
      'audit-read': Access.JUST_IN_TIME,
    });
  });

  test('users only use (and read) the key; auditors only read; approvers reach nothing', () => {
    expect(row(key, ids.user)).toEqual({ ...DENIED_ALL, 'use': Access.ALLOWED, 'audit-read': Access.ALLOWED });
    expect(row(key, ids.auditor)).toEqual({ ...DENIED_ALL, 'audit-read': Access.ALLOWED });
    expect(row(key, ids.approverA)).toEqual(DENIED_ALL);
  });

  test('the deployment identity creates keys and rotation policies only: no update, delete, backup, access change or use', () => {
    expect(row(key, DEPLOYER)).toEqual({ ...DENIED_ALL, 'manage': Access.ALLOWED, 'audit-read': Access.ALLOWED });
    const manage = m.rows.find((r) => r.principal === DEPLOYER)!.access.manage.actions;
    expect(manage!.sort()).toEqual(['Microsoft.KeyVault/vaults/keyrotationpolicies/write', 'Microsoft.KeyVault/vaults/keys/create/action']);
    expect(m.rows.find((r) => r.principal === DEPLOYER)!.role).toBe('deployment identity');
  });

  test('separation-of-duties and dual-control evidence is derived from the matrix and replaces the structural record', () => {
    const sod = evidence(stack, Control.NIST_AC_5, 'test/OrdersKey', 'role assignments');
    expect(sod).toMatchObject({ status: EvidenceStatus.SATISFIED, value: 'separation of duties (evaluated)' });
    expect(sod.description).toMatch(/evaluated with cloud-kms-constructs Azure RBAC evaluation/);
    const dual = evidence(stack, Control.PCI_3_7_6, 'test/OrdersKey', 'role_management_policy');
    expect(dual).toMatchObject({ status: EvidenceStatus.SATISFIED, value: 'dual control (evaluated)' });
    expect(dual.description).toMatch(/only Privileged Identity Management approval reaches the operations dual control must hold/);
  });
});

describe('a hand-made role that breaks separation of duties turns the evidence to not satisfied', () => {
  function tampered(grant: (stack: TerraformStack, key: azure.CustomerManagedKey) => void) {
    const stack = azureStack();
    const key = azureCmk(stack, ComplianceProfile.PCI_DSS);
    grant(stack, key);
    return { stack, report: keyReport(stack, 'test/OrdersKey') };
  }

  test('a custom administrator role with keys/decrypt/action, assigned to an administrator on the vault', () => {
    const { stack, report } = tampered((s, key) => {
      const role = new RoleDefinition(s, 'BadAdmin', {
        name: 'bad admin',
        scope: key.vault!.vaultId,
        assignableScopes: [key.vault!.vaultId],
        permissions: [{ actions: [], dataActions: ['Microsoft.KeyVault/vaults/keys/*'], notDataActions: ['Microsoft.KeyVault/vaults/keys/encrypt/action'] }],
      });
      new RoleAssignment(s, 'BadAdminAssignment', { scope: key.vault!.vaultId, roleDefinitionId: role.roleDefinitionResourceId, principalId: ids.admin });
    });
    // The wildcard reaches decrypt; notDataActions removes only encrypt.
    expect(row(report, ids.admin).use).toBe(Access.ALLOWED);
    expect(report.accessMatrix!.rows.find((r) => r.principal === ids.admin)!.access.use.actions).toContain('Microsoft.KeyVault/vaults/keys/decrypt/action');
    const sod = evidence(stack, Control.NIST_AC_5, 'test/OrdersKey', 'role assignments');
    expect(sod.status).toBe(EvidenceStatus.NOT_SATISFIED);
    expect(sod.description).toContain(`${ids.admin} (administrator) can use the key (${Access.ALLOWED})`);
  });

  test('"Key Vault Crypto Officer" assigned to an administrator on the key', () => {
    const { stack, report } = tampered((s, key) => {
      new RoleAssignment(s, 'Officer', { scope: key.key!.resourceVersionlessId, roleDefinitionName: 'Key Vault Crypto Officer', principalId: ids.admin });
    });
    expect(row(report, ids.admin)).toMatchObject({ 'use': Access.ALLOWED, 'backup/restore': Access.ALLOWED, 'delete/purge': Access.ALLOWED });
    expect(evidence(stack, Control.NIST_AC_5, 'test/OrdersKey', 'role assignments').status).toBe(EvidenceStatus.NOT_SATISFIED);
    // Standing delete and backup: dual control no longer holds either.
    expect(evidence(stack, Control.PCI_3_7_6, 'test/OrdersKey', 'role_management_policy').status).toBe(EvidenceStatus.PARTIALLY_SATISFIED);
  });

  test('"Key Vault Data Access Administrator" for someone outside the custodians is a path to use, named in the report', () => {
    const outsider = '99999999-9999-4999-8999-999999999999';
    const { stack, report } = tampered((s, key) => {
      new RoleAssignment(s, 'Access', { scope: key.vault!.vaultId, roleDefinitionName: 'Key Vault Data Access Administrator', principalId: outsider });
    });
    expect(report.accessMatrix!.aloneReachUse).toEqual([{ role: 'other principal named in an assignment', principal: outsider, via: ['change access (allowed)'] }]);
    const sod = evidence(stack, Control.NIST_AC_5, 'test/OrdersKey', 'role assignments');
    expect(sod.status).toBe(EvidenceStatus.PARTIALLY_SATISFIED);
    expect(sod.description).toContain(outsider);
  });
});

test('a PCI DSS ByokImport: importers import only with an approved activation, so dual control holds', () => {
  const stack = azureStack();
  azureByok(stack, ComplianceProfile.PCI_DSS, 'Byok');
  const key = keyReport(stack, 'test/Byok');
  expect(row(key, ids.importer)).toMatchObject({ 'use': Access.DENIED, 'manage': Access.JUST_IN_TIME, 'backup/restore': Access.DENIED });
  expect(key.accessMatrix!.singlePersonDualControl).toEqual([]);
  expect(evidence(stack, Control.PCI_3_7_6, 'test/Byok', 'role_management_policy').status).toBe(EvidenceStatus.SATISFIED);
});

test('an assignment at a literal subscription or resource-group scope is counted as covering the vault, and said so', () => {
  const stack = azureStack();
  azureCmk(stack, ComplianceProfile.PCI_DSS);
  const outsider = '99999999-9999-4999-8999-999999999999';
  const scope = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-keys';
  new RoleAssignment(stack, 'Wide', { scope, roleDefinitionName: 'Key Vault Administrator', principalId: outsider });
  const key = keyReport(stack, 'test/OrdersKey');
  expect(row(key, outsider)).toMatchObject({ 'use': Access.ALLOWED, 'delete/purge': Access.ALLOWED, 'backup/restore': Access.ALLOWED });
  expect(key.accessMatrix!.assumptions).toContain(`assignments at the literal scope ${scope} are assumed to cover the vault`);
  expect(evidence(stack, Control.NIST_AC_5, 'test/OrdersKey', 'role assignments').status).toBe(EvidenceStatus.PARTIALLY_SATISFIED);
});

test('Managed HSM: the deployment identity and the HSM administrators can grant local roles; the evidence says so, partially satisfied', () => {
  const stack = azureStack();
  azureHsm(stack, ComplianceProfile.SOVEREIGN).addKey('TenantKey', { keyName: 'tenant-a' });
  const key = keyReport(stack, 'test/Hsm/TenantKey');
  const m = key.accessMatrix!;
  expect(row(key, ids.admin)).toMatchObject({ 'use': Access.DENIED, 'manage': Access.ALLOWED, 'change access': Access.DENIED, 'backup/restore': Access.DENIED });
  expect(row(key, ids.user)).toEqual({ ...DENIED_ALL, 'use': Access.ALLOWED, 'audit-read': Access.ALLOWED });
  expect(row(key, ids.auditor)).toEqual({ ...DENIED_ALL, 'audit-read': Access.ALLOWED });
  // admin_object_ids: "Managed HSM Administrator" (role management, full backup and restore).
  expect(row(key, DEPLOYER)).toMatchObject({ 'use': Access.DENIED, 'change access': Access.ALLOWED, 'delete/purge': Access.DENIED });
  expect(row(key, ids.hsmAdmin)).toMatchObject({ 'use': Access.DENIED, 'change access': Access.ALLOWED });
  expect(m.aloneReachUse.map((p) => p.role).sort()).toEqual(['Managed HSM administrator', 'deployment identity']);
  expect(m.aloneReachUseTarget).toEqual({ expected: 'nobody outside an approved Privileged Identity Management activation', met: false });
  // Local RBAC has no just-in-time activation: key administrators delete, and the deployment identity updates, alone.
  const dual = evidence(stack, Control.PCI_3_7_6, 'test/Hsm/TenantKey', 'role_management_policy');
  expect(dual.status).toBe(EvidenceStatus.PARTIALLY_SATISFIED);
  expect(dual.description).toMatch(/no Privileged Identity Management approval; one principal alone can perform operations dual control must hold: .*delete\/purge \(allowed\)/);
  const sod = evidence(stack, Control.NIST_AC_5, 'test/Hsm/TenantKey', 'role assignments');
  expect(sod.status).toBe(EvidenceStatus.PARTIALLY_SATISFIED);
  expect(sod.description).toMatch(/the deployment principal \(deployment identity\): change access \(allowed\)/);
  // The deployment identity is a recorded custodian of the key.
  expect(key.custodians).toContainEqual({ role: 'DEPLOYER', roleName: 'deployment identity', identity: DEPLOYER, name: DEPLOYER });
});

describe('every Azure example', () => {
  const app = azureApp('/tmp/azroles-examples-unused');
  const keys = buildReport(EvidenceLedger.of(app)).stacks.filter((s) => s.cloud === 'azure').flatMap((s) => s.keys);

  test('has a computed access matrix for each key', () => {
    expect(keys.length).toBeGreaterThan(5);
    for (const k of keys) expect(k.accessMatrix?.computed).toBe(true);
  });

  test('no key administrator holds a permission that reaches key material or grants one; the deployment identity cannot use, delete or back up', () => {
    for (const k of keys) {
      for (const r of k.accessMatrix!.rows) {
        const roles = r.role.split(' and ');
        if (roles.includes('administrator')) {
          expect([k.path, r.principal, r.access.use.access, r.access['change access'].access, r.access['backup/restore'].access])
            .toEqual([k.path, r.principal, Access.DENIED, Access.DENIED, Access.DENIED]);
        }
        if (roles.includes('deployment identity')) {
          expect([k.path, r.access.use.access, r.access['delete/purge'].access]).toEqual([k.path, Access.DENIED, Access.DENIED]);
          // No single-key backup or restore. In a Managed HSM it is in admin_object_ids until taken out after activation
          // ("Managed HSM Administrator": whole-HSM backup and restore, role assignments): the matrix names that path.
          const backup = r.access['backup/restore'].actions ?? [];
          expect(backup.filter((a) => /\/keys\/(backup|restore)\/action$/.test(a))).toEqual([]);
          if (backup.length > 0 || r.access['change access'].access !== Access.DENIED) {
            expect(k.accessMatrix!.aloneReachUse.find((p) => p.role === r.role)?.via).toEqual(['change access (allowed)', 'backup/restore (allowed)']);
          }
        }
      }
    }
  });
});
