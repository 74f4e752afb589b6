import { TerraformOutput } from 'cdktf';
import { ComplianceProfile, Control, CustodianRole, DeploymentModel, EvidenceLedger, EvidenceStatus } from '../../src';
import * as azure from '../../src/azure';
import { azureByok, azureHsm, azureStack, ids, LOCATION, one, resources, RG, synth, vaultNetwork } from '../support/azure';
import { profilesAllowing } from '../support/fixtures';

const template = (json: any) => JSON.parse(one(json, 'azurerm_resource_group_template_deployment').template_content);
const parameters = (json: any) => JSON.parse(one(json, 'azurerm_resource_group_template_deployment').parameters_content);

describe('ByokImport into a premium Key Vault', () => {
  const stack = azureStack();
  const byok = azureByok(stack, ComplianceProfile.PCI_DSS, 'ImportedKey', { kekSize: azure.KekSize.RSA_3072 });
  const json = synth(stack);

  test('the key-exchange key is an RSA-HSM key whose only operation is import, made by an ARM template deployment', () => {
    const t = template(json);
    expect(t.resources).toEqual([expect.objectContaining({
      type: 'Microsoft.KeyVault/vaults/keys',
      properties: { kty: 'RSA-HSM', keySize: "[parameters('kekSize')]", keyOps: ['import'], attributes: { enabled: true, exportable: false } },
    })]);
    expect(t.parameters.kekSize.allowedValues).toEqual([2048, 3072, 4096]);
    expect(parameters(json)).toEqual({
      containerName: { value: one(json, 'azurerm_key_vault').name },
      kekName: { value: byok.kekName },
      kekSize: { value: 3072 },
    });
    const deployment = one(json, 'azurerm_resource_group_template_deployment');
    expect(deployment).toMatchObject({ deployment_mode: 'Incremental', resource_group_name: expect.stringMatching(/azurerm_key_vault\..*\.resource_group_name/) });
    // Created only after the deployment principal may create keys in the vault.
    expect(deployment.depends_on).toEqual([expect.stringMatching(/azurerm_role_assignment\..*DeploymentPrincipalAccess/),
      expect.stringMatching(/^azurerm_monitor_diagnostic_setting\.ImportedKey_Vault_AuditDiagnostics_/)]);
  });

  test('the KEK id and the import command are Terraform outputs for the CLI', () => {
    const output = (name: RegExp) => Object.entries(json.output ?? {}).find(([n]) => name.test(n))![1] as any;
    expect(output(/KekId/).value).toMatch(/jsondecode\(azurerm_resource_group_template_deployment\..*\.output_content\), "kekId"/);
    expect(output(/KekId/).description).toContain('cloud-kms byok azure kek --kek-id');
    expect(output(/ImportCommand/).value).toMatch(new RegExp(
      `^cloud-kms byok azure import --vault-url \\$\\{azurerm_key_vault\\..*\\.vault_uri\\} --key-name ${byok.keyName} --byok <file> --expires-in-days 395$`));
    expect(template(json).outputs.kekId.value).toContain('keyUriWithVersion');
  });

  test('the target is a premium vault with purge protection and RBAC', () => {
    expect(one(json, 'azurerm_key_vault')).toMatchObject({ sku_name: 'premium', purge_protection_enabled: true, rbac_authorization_enabled: true });
    expect(byok.vault).toBeDefined();
    expect(byok.managedHsm).toBeUndefined();
  });

  test('importers get a custom role that can only read keys and import, on this vault', () => {
    const role = one(json, 'azurerm_role_definition', /ImporterRole/);
    expect(role.permissions).toEqual([{
      actions: [],
      data_actions: ['Microsoft.KeyVault/vaults/keys/read', 'Microsoft.KeyVault/vaults/keys/import/action'],
    }]);
    expect(role.assignable_scopes).toEqual([expect.stringMatching(/azurerm_key_vault\..*\.id/)]);
    // PCI DSS: importing material is held by dual control, so importers are eligible only and activate with an approver.
    expect(Object.keys(resources(json, 'azurerm_role_assignment')).filter((n) => /Importer/.test(n))).toEqual([]);
    const importer = one(json, 'azurerm_pim_eligible_role_assignment', /Importer/);
    expect(importer).toMatchObject({ principal_id: ids.importer, role_definition_id: expect.stringMatching(/ImporterRole.*role_definition_resource_id/) });
    expect(one(json, 'azurerm_role_management_policy', /Importer/)).toMatchObject({
      role_definition_id: expect.stringMatching(/ImporterRole/),
      activation_rules: {
        require_approval: true,
        require_multifactor_authentication: true,
        approval_stage: { primary_approver: [{ object_id: ids.approverA, type: 'User' }, { object_id: ids.approverB, type: 'User' }] },
      },
    });
  });

  test('without dual control importers hold the role directly', () => {
    const s = azureStack();
    azureByok(s, ComplianceProfile.SOC2, 'ImportedKey');
    const j = synth(s);
    expect(one(j, 'azurerm_role_assignment', /Importer/)).toMatchObject({ principal_id: ids.importer });
    expect(Object.keys(resources(j, 'azurerm_pim_eligible_role_assignment'))).toEqual([]);
  });

  test('before the import no user has a role, and nothing looks the key up', () => {
    const assignments = Object.values(resources(json, 'azurerm_role_assignment')) as any[];
    expect(assignments.some((a) => a.principal_id === ids.user)).toBe(false);
    expect(json.data?.azurerm_key_vault_key).toBeUndefined();
    expect(byok.importedKeyId).toBeUndefined();
  });

  test('evidence: BYOK key, rotation by re-import, importers only may import', () => {
    const ledger = EvidenceLedger.of(stack);
    expect(ledger.tryFindKey('test/ImportedKey')).toMatchObject({ cloud: 'azure', model: DeploymentModel.BYOK });
    const ev = (c: Control) => ledger.evidenceFor(c, 'test/ImportedKey');
    expect(ev(Control.NIST_SC_12)[0]).toMatchObject({ setting: 'import', value: 'every 365 days' });
    expect(ev(Control.PCI_3_6_1_3).find((e) => e.setting === 'importer role data actions')).toMatchObject({
      status: EvidenceStatus.SATISFIED, value: 'Microsoft.KeyVault/vaults/keys/read, Microsoft.KeyVault/vaults/keys/import/action',
    });
    expect(ledger.custodiansOf('test/ImportedKey').map((c) => c.role)).toContain(CustodianRole.IMPORTER);
  });
});

test('after the import (keyImported), users get their role on the imported key alone, by its versionless id', () => {
  const stack = azureStack();
  const byok = azureByok(stack, ComplianceProfile.SOC2, 'ImportedKey', { keyImported: true, keyName: 'orders-byok' });
  new TerraformOutput(stack, 'ImportedKeyId', { value: byok.importedKeyId });
  const json = synth(stack);
  const lookup = json.data!.azurerm_key_vault_key;
  expect(Object.values(lookup)).toEqual([expect.objectContaining({ name: 'orders-byok', key_vault_id: expect.stringMatching(/azurerm_key_vault\./) })]);
  const user = one(json, 'azurerm_role_assignment', /User/);
  expect(user).toMatchObject({
    principal_id: ids.user,
    role_definition_id: expect.stringMatching(/azurerm_role_definition\..*KeyUserRole.*\.role_definition_resource_id/),
    scope: expect.stringMatching(/data\.azurerm_key_vault_key\..*\.resource_versionless_id/),
  });
  expect(json.output!.ImportedKeyId.value).toMatch(/^\$\{data\.azurerm_key_vault_key\..*\.versionless_id\}$/);
});

describe('ByokImport into a Managed HSM', () => {
  const stack = azureStack();
  const hsm = azureHsm(stack, ComplianceProfile.FEDRAMP_HIGH);
  const byok = azureByok(stack, ComplianceProfile.FEDRAMP_HIGH, 'ImportedKey', { managedHsm: hsm, keyName: 'tenant-byok', kekName: 'tenant-kek', keyImported: true, auditSink: undefined });
  const json = synth(stack);
  const hsmAssignments = Object.values(resources(json, 'azurerm_key_vault_managed_hardware_security_module_role_assignment')) as any[];

  test('the KEK is a Managed HSM key with only the import operation; no Key Vault is created', () => {
    expect(template(json).resources[0]).toMatchObject({ type: 'Microsoft.KeyVault/managedHSMs/keys', properties: { kty: 'RSA-HSM', keyOps: ['import'] } });
    expect(parameters(json).containerName.value).toMatch(/azurerm_key_vault_managed_hardware_security_module\..*\.name/);
    expect(one(json, 'azurerm_resource_group_template_deployment').depends_on).toEqual([expect.stringMatching(/Hsm_DeployerKeyDeployer/),
      expect.stringMatching(/^azurerm_monitor_diagnostic_setting\.Hsm_AuditDiagnostics_/)]);
    expect(resources(json, 'azurerm_key_vault')).toEqual({});
    expect(byok.managedHsm).toBe(hsm);
  });

  test('importers may read the KEK and import the one key name, nothing else', () => {
    const role = one(json, 'azurerm_key_vault_managed_hardware_security_module_role_definition', /ImportedKey_ImporterRole/);
    expect(role.permission).toEqual([{ data_actions: ['Microsoft.KeyVault/managedHsm/keys/read/action', 'Microsoft.KeyVault/managedHsm/keys/import/action'] }]);
    const importer = hsmAssignments.filter((a) => a.principal_id === ids.importer).map((a) => a.scope).sort();
    expect(importer).toEqual(['/keys/tenant-byok', '/keys/tenant-kek']);
  });

  test('users get the crypto-only role on the imported key; the auditor the built-in auditor role on it', () => {
    expect(hsmAssignments.filter((a) => a.principal_id === ids.user)).toEqual([expect.objectContaining({
      scope: '/keys/tenant-byok', role_definition_id: expect.stringMatching(/Hsm_KeyUserRole/),
    })]);
    expect(hsmAssignments.filter((a) => a.principal_id === ids.auditor).map((a) => a.scope)).toContain('/keys/tenant-byok');
    expect(Object.values(json.data!.azurerm_key_vault_managed_hardware_security_module_key)).toEqual([
      expect.objectContaining({ name: 'tenant-byok' }),
    ]);
  });

  test('approvers are a Key Vault concept and are refused', () => {
    const s = azureStack();
    const store = azureHsm(s, ComplianceProfile.COMMERCIAL);
    expect(() => azureByok(s, ComplianceProfile.COMMERCIAL, 'K', {
      managedHsm: store,
      custodians: { administrators: [ids.admin], importers: [ids.importer], approvers: [ids.approverA, ids.approverB] },
    })).toThrow(/custodians.approvers apply to Key Vault administration/);
  });
});

test.each(profilesAllowing(DeploymentModel.BYOK).map((p) => [p.name, p]))('%s: ByokImport synthesizes with everything the profile requires', (_n, p) => {
  const profile = p as ComplianceProfile;
  const stack = azureStack();
  azureByok(stack, profile);
  const json = synth(stack);
  expect(one(json, 'azurerm_key_vault').sku_name).toBe('premium');
  // Audited under every profile: the given sink, else the stack's default one.
  expect(Object.values(resources(json, 'azurerm_monitor_diagnostic_setting')).filter((d: any) => d.name === 'cloud-kms-audit')).toHaveLength(1);
  // Under dual control the administrator and the importer are both eligible only.
  expect(Object.keys(resources(json, 'azurerm_pim_eligible_role_assignment'))).toHaveLength(profile.dualControlRequired ? 2 : 0);
});

describe('bad input', () => {
  test.each<[string, () => unknown, string | RegExp]>([
    ['no importers', () => azureByok(azureStack(), ComplianceProfile.SOC2, 'K', {
      custodians: { administrators: [ids.admin], users: [ids.user], auditors: [ids.auditor], importers: [] },
    }), 'custodians.importers must name at least one object id for test/K, got none'],
    ['an importer who is also a user', () => azureByok(azureStack(), ComplianceProfile.SOC2, 'K', {
      custodians: { administrators: [ids.admin], users: [ids.user], importers: [ids.user] },
    }), 'custodians.importers and custodians.users overlap on test/K: 22222222-2222-4222-8222-222222222222 cannot be both a user and an importer'],
    ['a KEK size Azure does not accept', () => azureByok(azureStack(), ComplianceProfile.SOC2, 'K', { kekSize: 1024 as azure.KekSize }),
      'kekSize must be 2048, 3072 or 4096, got 1024'],
    ['a key name Azure rejects', () => azureByok(azureStack(), ComplianceProfile.SOC2, 'K', { keyName: 'orders_key' }), /keyName must be 1 to 127 letters, digits and hyphens, got orders_key/],
    ['a standard vault', () => {
      const s = azureStack();
      const vault = new azure.KeyVault(s, 'Std', { resourceGroupName: RG, location: LOCATION, sku: azure.VaultSku.STANDARD, acknowledgePurgeProtectionIsPermanent: true, network: vaultNetwork() });
      return azureByok(s, ComplianceProfile.COMMERCIAL, 'K', { vault });
    }, /vault test\/Std is a standard vault; BYOK needs HSM-protected keys/],
    ['a profile without BYOK', () => azureByok(azureStack(), ComplianceProfile.SOVEREIGN, 'K'), 'profile SOVEREIGN does not allow the BYOK model'],
    ['both a vault and a Managed HSM', () => {
      const s = azureStack();
      const vault = new azure.KeyVault(s, 'V', { resourceGroupName: RG, location: LOCATION, acknowledgePurgeProtectionIsPermanent: true, network: vaultNetwork() });
      return azureByok(s, ComplianceProfile.COMMERCIAL, 'K', { vault, managedHsm: azureHsm(s, ComplianceProfile.COMMERCIAL) });
    }, 'give either vault or managedHsm for test/K, not both'],
  ])('%s', (_name, build, message) => {
    expect(build).toThrow(message);
  });
});
