import { ComplianceProfile, Control, CustodianRole, DeploymentModel, EvidenceLedger, EvidenceStatus, KeyCustody } from '../../src';
import * as azure from '../../src/azure';
import { Period } from '../../src/core';
import { azureByok, azureHsm, azureStack, CERTS, ids, one, resources, synth } from '../support/azure';
import { profilesAllowing } from '../support/fixtures';

const CRYPTO = ['encrypt', 'decrypt', 'wrap', 'unwrap', 'sign', 'verify'].map((a) => `Microsoft.KeyVault/managedHsm/keys/${a}/action`);
const HSM_ASSIGNMENT = 'azurerm_key_vault_managed_hardware_security_module_role_assignment';
const HSM_ROLE = 'azurerm_key_vault_managed_hardware_security_module_role_definition';

describe('a Managed HSM whose security domain the customer holds', () => {
  const stack = azureStack();
  const store = azureHsm(stack, ComplianceProfile.SOVEREIGN);
  const key = store.addKey('TenantKey', { keyName: 'tenant-a' });
  const json = synth(stack);
  const hsm = one(json, 'azurerm_key_vault_managed_hardware_security_module');
  const assignments = Object.values(resources(json, HSM_ASSIGNMENT)) as any[];

  test('activated with 3 customer certificates and a quorum of 2 (split knowledge)', () => {
    expect(hsm.security_domain_key_vault_certificate_ids).toEqual(CERTS);
    expect(hsm.security_domain_quorum).toBe(2);
  });

  test('purge protection, 90-day soft delete, no public access, firewall Deny with no bypass, prevent_destroy', () => {
    expect(hsm).toMatchObject({
      sku_name: 'Standard_B1',
      purge_protection_enabled: true,
      soft_delete_retention_days: 90,
      public_network_access_enabled: false,
      network_acls: { default_action: 'Deny', bypass: 'None' },
      lifecycle: { prevent_destroy: true },
    });
  });

  test('admin_object_ids (ForceNew) is fixed at creation: a later change of the deploying identity does not plan a replacement', () => {
    expect(hsm.lifecycle).toEqual({ prevent_destroy: true, ignore_changes: ['admin_object_ids'] });
  });

  test('HSM administrators and the deployment principal are its administrators; key custodians are not', () => {
    expect(hsm.admin_object_ids).toEqual([ids.hsmAdmin, '${data.azurerm_client_config.CloudKmsClientConfig.object_id}']);
    expect(hsm.admin_object_ids).not.toContain(ids.admin);
    expect(hsm.admin_object_ids).not.toContain(ids.user);
  });

  test('the key administrator role manages keys and denies every cryptographic data action', () => {
    const admin = one(json, HSM_ROLE, /KeyAdministratorRole/).permission[0];
    for (const action of CRYPTO) {
      expect(admin.data_actions).not.toContain(action);
      expect(admin.not_data_actions).toContain(action);
    }
    expect(admin.data_actions).toEqual(expect.arrayContaining(['Microsoft.KeyVault/managedHsm/keys/create', 'Microsoft.KeyVault/managedHsm/keys/rotate/action']));
    expect(admin.data_actions.some((a: string) => /export|release|import/.test(a))).toBe(false);
    // Backup and restore belong to backup operators: a key backup restores into another HSM of the security domain.
    for (const a of ['backup', 'restore']) {
      expect(admin.data_actions).not.toContain(`Microsoft.KeyVault/managedHsm/keys/${a}/action`);
      expect(admin.not_data_actions).toContain(`Microsoft.KeyVault/managedHsm/keys/${a}/action`);
    }
  });

  test('the deployment principal holds a local role that creates and updates keys only, and is recorded as a custodian of each key', () => {
    const deployer = one(json, HSM_ROLE, /KeyDeployerRole/).permission[0];
    expect(deployer.data_actions).toEqual(['Microsoft.KeyVault/managedHsm/keys/read/action', 'Microsoft.KeyVault/managedHsm/keys/create',
      'Microsoft.KeyVault/managedHsm/keys/write/action']);
    expect(deployer.not_data_actions).toEqual(expect.arrayContaining([...CRYPTO, 'Microsoft.KeyVault/managedHsm/keys/export/action',
      'Microsoft.KeyVault/managedHsm/keys/backup/action']));
    const of = assignments.filter((a) => a.principal_id === '${data.azurerm_client_config.CloudKmsClientConfig.object_id}');
    expect(of).toEqual([expect.objectContaining({ scope: '/keys', role_definition_id: expect.stringMatching(/KeyDeployerRole/) })]);
    expect(EvidenceLedger.of(stack).custodiansOf('test/Hsm/TenantKey')).toContainEqual(expect.objectContaining({
      role: CustodianRole.DEPLOYER, label: 'the deployment principal',
    }));
  });

  test('backup operators get the only local role with single-key backup and restore', () => {
    const s = azureStack();
    const operator = '88888888-8888-4888-8888-888888888888';
    azureHsm(s, ComplianceProfile.SOVEREIGN, 'Hsm', {
      custodians: { administrators: [ids.admin], users: [ids.user], auditors: [ids.auditor], backupOperators: [operator] },
    });
    const j = synth(s);
    expect(one(j, HSM_ROLE, /KeyBackupOperatorRole/).permission[0].data_actions).toEqual(['Microsoft.KeyVault/managedHsm/keys/read/action',
      'Microsoft.KeyVault/managedHsm/keys/backup/action', 'Microsoft.KeyVault/managedHsm/keys/restore/action']);
    expect((Object.values(resources(j, HSM_ASSIGNMENT)) as any[]).filter((a) => a.principal_id === operator))
      .toEqual([expect.objectContaining({ scope: '/keys', role_definition_id: expect.stringMatching(/KeyBackupOperatorRole/) })]);
    expect(() => azureHsm(azureStack(), ComplianceProfile.SOVEREIGN, 'Hsm', {
      custodians: { administrators: [ids.admin], users: [operator], backupOperators: [operator] },
    })).toThrow(/separation of duties/);
  });

  test('the key user role is cryptographic use only', () => {
    const user = one(json, HSM_ROLE, /KeyUserRole/).permission[0];
    expect(user.data_actions.sort()).toEqual([...CRYPTO, 'Microsoft.KeyVault/managedHsm/keys/read/action'].sort());
    expect(user.not_data_actions).toBeUndefined();
  });

  test('administrators hold the key administrator role, auditors the built-in Crypto Auditor, users the user role on their key only', () => {
    const of = (principal: string) => assignments.filter((a) => a.principal_id === principal);
    expect(of(ids.admin)).toEqual([expect.objectContaining({ scope: '/keys', role_definition_id: expect.stringMatching(/KeyAdministratorRole/) })]);
    expect(of(ids.auditor)).toEqual([expect.objectContaining({
      scope: '/keys', role_definition_id: '/Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/2c18b078-7c48-4d3a-af88-5a3a1b3f82b3',
    })]);
    expect(of(ids.user)).toEqual([expect.objectContaining({ scope: '/keys/tenant-a', role_definition_id: expect.stringMatching(/KeyUserRole/) })]);
    // Role assignment names are GUIDs that stay the same from one synth to the next.
    for (const a of assignments) expect(a.name).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(assignments.map((a) => a.name)).size).toBe(assignments.length);
  });

  test('keys: RSA-HSM 3072, expiry set, rotation policy per profile, created after the deployer can manage keys', () => {
    const k = one(json, 'azurerm_key_vault_managed_hardware_security_module_key');
    expect(k).toMatchObject({
      name: 'tenant-a',
      key_type: 'RSA-HSM',
      key_size: 3072,
      key_opts: ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'],
      expiration_date: '${timeadd(timestamp(), "9480h")}',
      lifecycle: { ignore_changes: ['expiration_date'], prevent_destroy: true },
      depends_on: [expect.stringMatching(/Hsm_DeployerKeyDeployer/), expect.stringMatching(/^azurerm_private_endpoint\.Hsm_PrivateEndpoint/),
        expect.stringMatching(/^azurerm_monitor_diagnostic_setting\.Hsm_AuditDiagnostics_/)],
    });
    expect(one(json, 'azurerm_key_vault_managed_hardware_security_module_key_rotation_policy')).toMatchObject({
      time_after_creation: 'P365D', expire_after: 'P395D',
    });
    expect(key.keyName).toBe('tenant-a');
  });

  test('audit: the HSM sends its audit category group and metrics to the sink', () => {
    expect(one(json, 'azurerm_monitor_diagnostic_setting', /^Hsm_/)).toMatchObject({
      target_resource_id: expect.stringMatching(/azurerm_key_vault_managed_hardware_security_module\..*\.id/),
      enabled_log: [{ category_group: 'audit' }],
      enabled_metric: [{ category: 'AllMetrics' }],
    });
  });

  test('evidence: customer-held custody at FIPS Level 3, split knowledge, HYOK keys', () => {
    const ledger = EvidenceLedger.of(stack);
    const split = ledger.evidenceFor(Control.PCI_3_7_6, 'test/Hsm')[0];
    expect(split).toMatchObject({ status: EvidenceStatus.SATISFIED, value: '3 certificates, quorum 2' });
    expect(ledger.tryFindKey('test/Hsm/TenantKey')).toMatchObject({ cloud: 'azure', model: DeploymentModel.HYOK, parent: 'test/Hsm' });
    expect(ledger.containers.find((c) => c.path === 'test/Hsm')).toMatchObject({ custody: KeyCustody.CUSTOMER_EXTERNAL });
  });
});

describe('every data-plane resource of the HSM waits for its private endpoint and DNS zone links', () => {
  const PE = /^azurerm_private_endpoint\./;
  const LINK = /^azurerm_private_dns_zone_virtual_network_link\./;
  const VNET = '/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-keys';
  const stack = azureStack();
  const store = azureHsm(stack, ComplianceProfile.COMMERCIAL, 'Hsm', {
    network: azure.VaultNetwork.privateEndpoint({ subnetId: `${VNET}/subnets/endpoints`, linkedVirtualNetworkIds: [VNET] }),
  });
  store.addKey('K', { keyName: 'k' }).grantEncryptDecrypt(ids.importer);
  azureByok(stack, ComplianceProfile.COMMERCIAL, 'Imported', { managedHsm: store, keyName: 'imported', keyImported: true });
  const json = synth(stack);
  const waitsForNetwork = (r: any) => {
    expect(r.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(PE), expect.stringMatching(LINK)]));
  };

  test('keys (besides the deployer\'s role assignment)', () => {
    const keys = Object.values(resources(json, 'azurerm_key_vault_managed_hardware_security_module_key')) as any[];
    expect(keys).toHaveLength(1);
    waitsForNetwork(keys[0]);
    expect(keys[0].depends_on).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^${HSM_ASSIGNMENT}\\.`))]));
  });

  test('local role definitions (the importer role included)', () => {
    const roles = Object.entries(resources(json, HSM_ROLE)) as [string, any][];
    expect(roles.map(([id]) => id).join(' ')).toMatch(/ImporterRole/);
    expect(roles.length).toBeGreaterThanOrEqual(4);
    for (const [, role] of roles) waitsForNetwork(role);
  });

  test('local role assignments (store-wide, per key, and the import\'s)', () => {
    const all = Object.entries(resources(json, HSM_ASSIGNMENT)) as [string, any][];
    expect(all.map(([id]) => id).join(' ')).toMatch(/Imported.*Importer/);
    expect(all.length).toBeGreaterThanOrEqual(5);
    for (const [, assignment] of all) waitsForNetwork(assignment);
  });

  test('reading the imported key', () => {
    waitsForNetwork(one({ resource: json.data } as any, 'azurerm_key_vault_managed_hardware_security_module_key'));
  });
});

test('grantEncryptDecrypt adds a crypto-only assignment on the key, and refuses an administrator', () => {
  const stack = azureStack();
  const store = azureHsm(stack, ComplianceProfile.COMMERCIAL);
  const key = store.addKey('K', { keyName: 'k1', custodians: { administrators: [ids.admin] } });
  key.grantEncryptDecrypt(ids.approverA);
  const json = synth(stack);
  const granted = (Object.values(resources(json, HSM_ASSIGNMENT)) as any[]).filter((a) => a.principal_id === ids.approverA);
  expect(granted).toEqual([expect.objectContaining({ scope: '/keys/k1', role_definition_id: expect.stringMatching(/KeyUserRole/) })]);
  expect(() => key.grantEncryptDecrypt(ids.admin)).toThrow(/cannot be both an administrator and a user/);
  expect(() => key.grantEncryptDecrypt(ids.hsmAdmin)).toThrow(/cannot be both an administrator and a user/);
});

test('a CustomerManagedKey can live in the Managed HSM', () => {
  const stack = azureStack();
  const store = azureHsm(stack, ComplianceProfile.COMMERCIAL);
  const cmk = new azure.CustomerManagedKey(stack, 'Cmk', {
    resourceGroupName: 'rg',
    location: 'westeurope',
    managedHsm: store,
    keyName: 'cmk-in-hsm',
    custodians: { administrators: [ids.admin], users: [ids.user] },
  });
  expect(one(synth(stack), 'azurerm_key_vault_managed_hardware_security_module_key').name).toBe('cmk-in-hsm');
  expect(cmk.hsmKey).toBeDefined();
});

test.each(profilesAllowing(DeploymentModel.HYOK).map((p) => [p.name, p]))('%s: HyokExternalStore with a key', (_n, p) => {
  const profile = p as ComplianceProfile;
  const stack = azureStack();
  azureHsm(stack, profile).addKey('K');
  const json = synth(stack);
  expect(one(json, 'azurerm_key_vault_managed_hardware_security_module').purge_protection_enabled).toBe(true);
  expect(one(json, 'azurerm_key_vault_managed_hardware_security_module_key_rotation_policy').time_after_creation).toBe(`P${profile.maxRotationDays}D`);
  // Audited under every profile: the given sink, else the stack's default one.
  expect(Object.values(resources(json, 'azurerm_monitor_diagnostic_setting')).filter((d: any) => d.name === 'cloud-kms-audit')).toHaveLength(1);
});

describe('bad input', () => {
  test.each<[string, Partial<azure.HyokExternalStoreProps>, string | RegExp]>([
    ['no billing acknowledgement', { acknowledgeHourlyBilling: false }, /acknowledgeHourlyBilling must be true: a Managed HSM bills by the hour .* got false/],
    ['two certificates', { securityDomainCertificateIds: CERTS.slice(0, 2) }, 'securityDomainCertificateIds must name 3 to 10 certificates, got 2'],
    ['eleven certificates', { securityDomainCertificateIds: Array.from({ length: 11 }, (_, i) => `${CERTS[0]}${i}`) },
      'securityDomainCertificateIds must name 3 to 10 certificates, got 11'],
    ['a quorum of one', { securityDomainQuorum: 1 }, /securityDomainQuorum must be between 2 and 3 certificate holders, got 1/],
    ['a quorum above the certificates', { securityDomainQuorum: 4 }, /securityDomainQuorum must be between 2 and 3 certificate holders, got 4/],
    ['no HSM administrators', { hsmAdministrators: [] }, 'hsmAdministrators must name at least one object id for test/Hsm, got none'],
    ['an HSM administrator who is a key user', { hsmAdministrators: [ids.user] }, /22222222-2222-4222-8222-222222222222 cannot be both an administrator and a user/],
    ['a name Azure rejects', { name: 'hsm_1' }, 'name must be 3 to 24 letters, digits and hyphens, starting with a letter and ending with a letter or digit, got hsm_1'],
    ['soft delete of 5 days', { softDeleteRetention: Period.days(5) }, /softDeleteRetention must be between 7 and 90/],
    ['an object id that is not a GUID', { hsmAdministrators: ['alice@example.com'] }, 'hsmAdministrators must hold Microsoft Entra object ids (GUIDs), got alice@example.com'],
    ['no audit sink where the profile needs one', { profile: ComplianceProfile.SOVEREIGN, auditSink: undefined }, 'auditSink is required under profile SOVEREIGN for test/Hsm, got undefined'],
  ])('%s', (_name, extra, message) => {
    expect(() => azureHsm(azureStack(), (extra.profile as ComplianceProfile) ?? ComplianceProfile.COMMERCIAL, 'Hsm', extra)).toThrow(message);
  });

  test('a key size the HSM does not accept', () => {
    const store = azureHsm(azureStack(), ComplianceProfile.COMMERCIAL);
    expect(() => store.addKey('K', { keySpec: 'RSA_1024' as azure.KeySpec })).toThrow(/keySpec/);
  });
});
