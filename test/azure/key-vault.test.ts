import { ComplianceProfile, Control, CustodianRole, EvidenceLedger, EvidenceStatus } from '../../src';
import * as azure from '../../src/azure';
import { Period } from '../../src/core';
import { azureCmk, azureSink, azureStack, ids, LOCATION, one, resources, RG, synth, vaultNetwork } from '../support/azure';

const vault = (extra: Partial<azure.KeyVaultProps> = {}) => {
  const stack = azureStack();
  const v = new azure.KeyVault(stack, 'Vault', { resourceGroupName: RG, location: LOCATION, acknowledgePurgeProtectionIsPermanent: true, network: vaultNetwork(), ...extra });
  return { stack, v, json: synth(stack) };
};

describe('secure defaults', () => {
  const { json, v } = vault({ administrators: [ids.admin] });
  const kv = one(json, 'azurerm_key_vault');

  test('RBAC only, purge protection, 90-day soft delete, premium, no public access, firewall default Deny, prevent_destroy', () => {
    expect(kv).toMatchObject({
      rbac_authorization_enabled: true,
      purge_protection_enabled: true,
      soft_delete_retention_days: 90,
      sku_name: 'premium',
      public_network_access_enabled: false,
      network_acls: { default_action: 'Deny', bypass: 'None' },
      resource_group_name: RG,
      location: LOCATION,
      lifecycle: { prevent_destroy: true },
    });
    expect(kv.access_policy).toBeUndefined();
    expect(kv.tenant_id).toMatch(/data.azurerm_client_config.CloudKmsClientConfig.tenant_id/);
    // A vault with the generic id 'Vault' is named after its parent (here the stack), with the subscription in the hash.
    expect(kv.name).toMatch(/^kv-test-[0-9a-f]{8}$/);
    expect(v.dualControl).toBe(false);
  });

  test('the administrator role manages keys but has no cryptographic data actions and cannot change the vault', () => {
    const role = one(json, 'azurerm_role_definition', /KeyAdministratorRole/);
    const perms = role.permissions[0];
    expect(perms.data_actions).toEqual(expect.arrayContaining(['Microsoft.KeyVault/vaults/keys/create/action', 'Microsoft.KeyVault/vaults/keys/rotate/action',
      'Microsoft.KeyVault/vaults/keyrotationpolicies/write', 'Microsoft.KeyVault/vaults/keys/delete']));
    // Attribute updates and recovery use the documented data actions (keys/write is a control-plane action; there is no
    // deletedKeys data action for vaults).
    expect(perms.data_actions).toEqual(expect.arrayContaining(['Microsoft.KeyVault/vaults/keys/update/action', 'Microsoft.KeyVault/vaults/keys/recover/action',
      'Microsoft.KeyVault/vaults/keys/purge/action']));
    expect(perms.data_actions).not.toContain('Microsoft.KeyVault/vaults/keys/write');
    expect(perms.data_actions.filter((a: string) => a.includes('deletedKeys'))).toEqual([]);
    // A backup restores into any vault of the subscription: backup and restore belong to backup operators alone.
    for (const a of ['backup', 'restore']) {
      expect(perms.data_actions).not.toContain(`Microsoft.KeyVault/vaults/keys/${a}/action`);
      expect(perms.not_data_actions).toContain(`Microsoft.KeyVault/vaults/keys/${a}/action`);
    }
    for (const crypto of ['encrypt', 'decrypt', 'wrap', 'unwrap', 'sign', 'verify', 'release', 'import']) {
      expect(perms.data_actions).not.toContain(`Microsoft.KeyVault/vaults/keys/${crypto}/action`);
      expect(perms.not_data_actions).toContain(`Microsoft.KeyVault/vaults/keys/${crypto}/action`);
    }
    expect(perms.actions).not.toContain('Microsoft.KeyVault/vaults/write');
    expect(perms.actions).not.toContain('Microsoft.KeyVault/vaults/*');
    expect(role.assignable_scopes).toEqual([expect.stringMatching(/^\$\{azurerm_key_vault\.Vault_[0-9A-F]+\.id\}$/)]);
    expect(role.scope).toEqual(role.assignable_scopes[0]);
  });

  test('administrators hold that role on the vault, directly (no dual control); the deployment principal a role of its own', () => {
    const assignments = Object.values(resources(json, 'azurerm_role_assignment'));
    expect(assignments).toHaveLength(2);
    const byPrincipal = Object.fromEntries(assignments.map((a: any) => [a.principal_id, a.role_definition_id]));
    expect(byPrincipal[ids.admin]).toMatch(/azurerm_role_definition\.Vault_KeyAdministratorRole_[0-9A-F]+\.role_definition_resource_id/);
    expect(byPrincipal['${data.azurerm_client_config.CloudKmsClientConfig.object_id}'])
      .toMatch(/azurerm_role_definition\.Vault_KeyDeployerRole_[0-9A-F]+\.role_definition_resource_id/);
    expect(resources(json, 'azurerm_pim_eligible_role_assignment')).toEqual({});
  });

  test('the deployment principal creates keys and rotation policies, and updates them; it cannot delete, purge, back up, restore or use them', () => {
    const perms = one(json, 'azurerm_role_definition', /KeyDeployerRole/).permissions[0];
    expect(perms.actions).toEqual(['Microsoft.KeyVault/vaults/read']);
    expect(perms.data_actions.sort()).toEqual(['Microsoft.KeyVault/vaults/keyrotationpolicies/read', 'Microsoft.KeyVault/vaults/keyrotationpolicies/write',
      'Microsoft.KeyVault/vaults/keys/create/action', 'Microsoft.KeyVault/vaults/keys/read', 'Microsoft.KeyVault/vaults/keys/update/action']);
    for (const denied of ['delete', 'purge/action', 'backup/action', 'restore/action', 'decrypt/action', 'unwrap/action', 'sign/action']) {
      expect(perms.not_data_actions).toContain(`Microsoft.KeyVault/vaults/keys/${denied}`);
    }
  });
});

test('an allow list opens the firewall only to it', () => {
  const { json } = vault({
    network: azure.VaultNetwork.allowList({
      ipRanges: ['203.0.113.0/24'],
      subnetIds: ['/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v/subnets/a'],
    }),
  });
  expect(one(json, 'azurerm_key_vault')).toMatchObject({
    public_network_access_enabled: true,
    network_acls: { default_action: 'Deny', bypass: 'None', ip_rules: ['203.0.113.0/24'], virtual_network_subnet_ids: [expect.stringContaining('subnets/a')] },
  });
  expect(resources(json, 'azurerm_private_endpoint')).toEqual({});
});

test('dual control: administrators are only eligible, activation needs an approver, MFA and a justification', () => {
  const stack = azureStack();
  const sink = azureSink(stack, ComplianceProfile.PCI_DSS);
  new azure.KeyVault(stack, 'Vault', {
    resourceGroupName: RG,
    location: LOCATION,
    acknowledgePurgeProtectionIsPermanent: true,
    network: vaultNetwork(),
    profile: ComplianceProfile.PCI_DSS,
    auditSink: sink,
    administrators: [ids.admin],
    approvers: [ids.approverA, ids.approverB],
  });
  const json = synth(stack);
  expect(one(json, 'azurerm_role_management_policy')).toMatchObject({
    activation_rules: {
      maximum_duration: 'PT8H',
      require_approval: true,
      require_multifactor_authentication: true,
      require_justification: true,
      approval_stage: { primary_approver: [{ object_id: ids.approverA, type: 'User' }, { object_id: ids.approverB, type: 'User' }] },
    },
  });
  expect(one(json, 'azurerm_pim_eligible_role_assignment')).toMatchObject({ principal_id: ids.admin });
  expect(Object.values(resources(json, 'azurerm_role_assignment')).map((a: any) => a.principal_id)).not.toContain(ids.admin);
  const ledger = EvidenceLedger.of(stack);
  expect(ledger.evidenceFor(Control.PCI_3_7_6, 'test/Vault')[0].status).toBe(EvidenceStatus.SATISFIED);
});

test('dual control: the deployment principal cannot update (or disable) a deployed key; that takes an approved administrator', () => {
  const stack = azureStack();
  new azure.KeyVault(stack, 'Vault', {
    resourceGroupName: RG,
    location: LOCATION,
    acknowledgePurgeProtectionIsPermanent: true,
    network: vaultNetwork(),
    profile: ComplianceProfile.PCI_DSS,
    auditSink: azureSink(stack, ComplianceProfile.PCI_DSS),
    administrators: [ids.admin],
    approvers: [ids.approverA, ids.approverB],
  });
  const perms = one(synth(stack), 'azurerm_role_definition', /KeyDeployerRole/).permissions[0];
  expect(perms.data_actions).not.toContain('Microsoft.KeyVault/vaults/keys/update/action');
  expect(perms.not_data_actions).toContain('Microsoft.KeyVault/vaults/keys/update/action');
  expect(perms.data_actions).toContain('Microsoft.KeyVault/vaults/keys/create/action');
});

describe('backup operators', () => {
  const operator = '88888888-8888-4888-8888-888888888888';

  test('hold the only role with backup and restore, on the vault; under dual control only eligible, with an approver\'s consent', () => {
    const stack = azureStack();
    new azure.KeyVault(stack, 'Vault', {
      resourceGroupName: RG,
      location: LOCATION,
      acknowledgePurgeProtectionIsPermanent: true,
      network: vaultNetwork(),
      profile: ComplianceProfile.PCI_DSS,
      auditSink: azureSink(stack, ComplianceProfile.PCI_DSS),
      administrators: [ids.admin],
      approvers: [ids.approverA, ids.approverB],
      backupOperators: [operator],
    });
    const json = synth(stack);
    const role = one(json, 'azurerm_role_definition', /KeyBackupOperatorRole/);
    expect(role.permissions[0].data_actions).toEqual(['Microsoft.KeyVault/vaults/keys/read', 'Microsoft.KeyVault/vaults/keys/backup/action',
      'Microsoft.KeyVault/vaults/keys/restore/action']);
    expect(role.assignable_scopes).toEqual([expect.stringMatching(/azurerm_key_vault\.Vault_[0-9A-F]+\.id/)]);
    const withBackup = Object.entries(resources(json, 'azurerm_role_definition'))
      .filter(([, d]: [string, any]) => d.permissions[0].data_actions.includes('Microsoft.KeyVault/vaults/keys/backup/action')).map(([n]) => n);
    expect(withBackup).toEqual([expect.stringMatching(/KeyBackupOperatorRole/)]);
    expect(one(json, 'azurerm_pim_eligible_role_assignment', /EligibleBackupOperator/)).toMatchObject({
      principal_id: operator, role_definition_id: expect.stringMatching(/KeyBackupOperatorRole/),
    });
    expect(one(json, 'azurerm_role_management_policy', /BackupOperatorActivationPolicy/)).toMatchObject({
      role_definition_id: expect.stringMatching(/KeyBackupOperatorRole/),
      activation_rules: { require_approval: true, require_multifactor_authentication: true },
    });
    expect(Object.values(resources(json, 'azurerm_role_assignment')).map((a: any) => a.principal_id)).not.toContain(operator);
    expect(EvidenceLedger.of(stack).custodiansOf('test/Vault')).toContainEqual(expect.objectContaining({ role: CustodianRole.BACKUP_OPERATOR, identity: operator }));
  });

  test('are nobody else: a backup operator who is also a key user, administrator or approver is refused', () => {
    const stack = azureStack();
    expect(() => azureCmk(stack, ComplianceProfile.COMMERCIAL, 'A', {
      custodians: { administrators: [ids.admin], users: [operator], backupOperators: [operator] },
    })).toThrow(/custodians\.backupOperators and custodians\.users overlap.*cannot be both a user and a backup operator|cannot be both a backup operator and a user/);
    expect(() => new azure.KeyVault(azureStack(), 'V', {
      resourceGroupName: RG,
      location: LOCATION,
      acknowledgePurgeProtectionIsPermanent: true,
      network: vaultNetwork(),
      administrators: [operator],
      backupOperators: [operator],
    })).toThrow(/separation of duties/);
    const shared = new azure.KeyVault(azureStack('shared'), 'V', {
      resourceGroupName: RG, location: LOCATION, acknowledgePurgeProtectionIsPermanent: true, network: vaultNetwork(), backupOperators: [operator],
    });
    expect(() => azureCmk(shared.node.scope as any, ComplianceProfile.COMMERCIAL, 'K', { vault: shared, custodians: { administrators: [ids.admin], users: [operator] } }))
      .toThrow(/separation of duties/);
  });
});

test('the vault sends its audit logs to the sink', () => {
  const stack = azureStack();
  const sink = azureSink(stack, ComplianceProfile.COMMERCIAL);
  new azure.KeyVault(stack, 'Vault', { resourceGroupName: RG, location: LOCATION, acknowledgePurgeProtectionIsPermanent: true, network: vaultNetwork(), auditSink: sink });
  expect(one(synth(stack), 'azurerm_monitor_diagnostic_setting', /^Vault_/)).toMatchObject({
    target_resource_id: expect.stringMatching(/azurerm_key_vault\..*\.id/),
    enabled_log: [{ category_group: 'audit' }],
    enabled_metric: [{ category: 'AllMetrics' }],
    log_analytics_workspace_id: expect.stringMatching(/azurerm_log_analytics_workspace/),
    storage_account_id: expect.stringMatching(/azurerm_storage_account/),
  });
});

describe('bad input', () => {
  test.each<[string, Partial<azure.KeyVaultProps>, string | RegExp]>([
    ['no purge-protection acknowledgement', { acknowledgePurgeProtectionIsPermanent: false }, /acknowledgePurgeProtectionIsPermanent must be true: purge protection can never be turned off/],
    ['a short name', { name: 'kv' }, 'name must be 3 to 24 letters, digits and hyphens, starting with a letter and ending with a letter or digit, got kv'],
    ['a long name', { name: 'a'.repeat(25) }, /name must be 3 to 24 letters/],
    ['an underscore', { name: 'kv_orders' }, /name must be 3 to 24 letters, digits and hyphens.*got kv_orders/],
    ['consecutive hyphens', { name: 'kv--orders' }, 'name must not contain consecutive hyphens, got kv--orders'],
    ['soft delete 5 days', { softDeleteRetention: Period.days(5) }, 'softDeleteRetention must be between 7 and 90 days, got 5'],
    ['soft delete 120 days', { softDeleteRetention: Period.days(120) }, 'softDeleteRetention must be between 7 and 90 days, got 120'],
    ['soft delete below the profile minimum', { profile: ComplianceProfile.custom({ name: 'X', minDeletionWindowDays: 30 }), softDeleteRetention: Period.days(14) },
      'softDeleteRetention must be at least 30 days under profile X, got 14 days'],
    ['a profile that needs an audit sink', { profile: ComplianceProfile.SOC2 }, 'auditSink is required under profile SOC2 for test/Vault, got undefined'],
    ['one approver', { approvers: [ids.approverA] }, 'approvers must name at least 2 distinct approvers for dual control on test/Vault (profile COMMERCIAL), got 1'],
    ['an administrator who approves', { administrators: [ids.admin], approvers: [ids.admin, ids.approverA] },
      /overlap on test\/Vault: .* cannot be both an approver and an administrator/],
    ['an object id that is not a GUID', { administrators: ['alice@example.com'] }, 'administrators must hold Microsoft Entra object ids (GUIDs), got alice@example.com'],
  ])('%s', (_what, extra, message) => {
    expect(() => vault(extra)).toThrow(message);
  });
});
