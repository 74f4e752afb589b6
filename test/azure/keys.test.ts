import { ComplianceProfile, Control, CustodianRole, DeploymentModel, EvidenceLedger, EvidenceStatus, FipsLevel } from '../../src';
import * as azure from '../../src/azure';
import { Period } from '../../src/core';
import { azureCmk, azureHsm, azureSink, azureStack, ids, LOCATION, one, resources, RG, synth, vaultNetwork } from '../support/azure';
import { profilesAllowing } from '../support/fixtures';

describe('CustomerManagedKey in its own premium vault', () => {
  const stack = azureStack();
  const key = azureCmk(stack, ComplianceProfile.PCI_DSS);
  const json = synth(stack);
  const k = one(json, 'azurerm_key_vault_key');

  test('an HSM-protected RSA 3072 key for encryption and wrapping', () => {
    expect(k).toMatchObject({
      key_type: 'RSA-HSM',
      key_size: 3072,
      key_opts: ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'],
      key_vault_id: expect.stringMatching(/azurerm_key_vault\..*\.id/),
    });
    expect(one(json, 'azurerm_key_vault')).toMatchObject({ sku_name: 'premium', purge_protection_enabled: true, rbac_authorization_enabled: true });
  });

  test('rotation policy within the profile: rotate at 365 days, expire at 395, notify 30 days before; expiry always set', () => {
    expect(k.rotation_policy).toEqual({ automatic: { time_after_creation: 'P365D' }, expire_after: 'P395D', notify_before_expiry: 'P30D' });
    expect(k.expiration_date).toBe('${timeadd(timestamp(), "9480h")}');
    expect(k.lifecycle).toEqual({ ignore_changes: ['expiration_date'], prevent_destroy: true });
    // Key creation is a data-plane call: it waits for the deployer's role and for the private endpoint (its DNS record).
    expect(k.depends_on).toEqual([expect.stringMatching(/azurerm_role_assignment\..*DeploymentPrincipalAccess/),
      expect.stringMatching(/^azurerm_private_endpoint\./), expect.stringMatching(/^azurerm_monitor_diagnostic_setting\.OrdersKey_Vault_AuditDiagnostics_/)]);
  });

  test('users and auditors are assigned on the key alone; administrators only through PIM on the vault', () => {
    const assignments = Object.values(resources(json, 'azurerm_role_assignment')) as any[];
    const onKey = assignments.filter((a) => /azurerm_key_vault_key\..*\.resource_versionless_id/.test(a.scope));
    // Users hold the vault's use-only custom role ("Key Vault Crypto User" would also let them update and back up the key).
    expect(onKey.map((a) => [a.role_definition_name ?? a.role_definition_id, a.principal_id]).sort((a, b) => a[1].localeCompare(b[1]))).toEqual([
      [expect.stringMatching(/azurerm_role_definition\..*KeyUserRole.*\.role_definition_resource_id/), ids.user], ['Key Vault Reader', ids.auditor],
    ]);
    const userRole = one(json, 'azurerm_role_definition', /KeyUserRole/);
    expect(userRole.permissions).toEqual([{
      actions: [],
      data_actions: [
        'Microsoft.KeyVault/vaults/keys/read', 'Microsoft.KeyVault/vaults/keys/encrypt/action', 'Microsoft.KeyVault/vaults/keys/decrypt/action',
        'Microsoft.KeyVault/vaults/keys/wrap/action', 'Microsoft.KeyVault/vaults/keys/unwrap/action', 'Microsoft.KeyVault/vaults/keys/sign/action',
        'Microsoft.KeyVault/vaults/keys/verify/action',
      ],
    }]);
    expect(assignments.some((a) => a.principal_id === ids.admin)).toBe(false);
    expect(one(json, 'azurerm_pim_eligible_role_assignment')).toMatchObject({ principal_id: ids.admin });
    expect(key.profile).toBe(ComplianceProfile.PCI_DSS);
  });

  test('evidence: rotation, HSM custody, separation of duties, dual control, audit', () => {
    const ledger = EvidenceLedger.of(stack);
    expect(ledger.tryFindKey('test/OrdersKey')).toMatchObject({ cloud: 'azure', model: DeploymentModel.CUSTOMER_MANAGED, parent: 'test/OrdersKey/Vault' });
    const ev = (c: Control) => ledger.evidenceFor(c, 'test/OrdersKey')[0];
    expect(ev(Control.NIST_SC_12)).toMatchObject({ status: EvidenceStatus.SATISFIED, value: 'P365D, P395D' });
    expect(ev(Control.NIST_SC_13)).toMatchObject({ value: 'RSA-HSM' });
    expect(ev(Control.NIST_AC_5).status).toBe(EvidenceStatus.SATISFIED);
    expect(ev(Control.PCI_3_7_6).status).toBe(EvidenceStatus.SATISFIED);
    expect(ev(Control.NIST_AU_2).status).toBe(EvidenceStatus.SATISFIED);
    // The deployment principal reaches the key through its vault role: it is one of the key's custodians.
    expect(ledger.custodiansOf('test/OrdersKey').map((c) => c.role).sort())
      .toEqual([CustodianRole.ADMINISTRATOR, CustodianRole.AUDITOR, CustodianRole.DEPLOYER, CustodianRole.USER]);
  });
});

test.each(profilesAllowing(DeploymentModel.CUSTOMER_MANAGED).map((p) => [p.name, p]))('%s: CustomerManagedKey rotation follows the profile', (_n, profile) => {
  const stack = azureStack();
  azureCmk(stack, profile as ComplianceProfile);
  const k = one(synth(stack), 'azurerm_key_vault_key');
  expect(k.rotation_policy.automatic.time_after_creation).toBe(`P${(profile as ComplianceProfile).maxRotationDays}D`);
  expect(k.key_type).toBe('RSA-HSM');
});

test('keys share a vault, and grants are checked against everyone in it', () => {
  const stack = azureStack();
  const vault = new azure.KeyVault(stack, 'Shared', { resourceGroupName: RG, location: LOCATION, acknowledgePurgeProtectionIsPermanent: true, network: vaultNetwork() });
  const a = azureCmk(stack, ComplianceProfile.COMMERCIAL, 'A', { vault, keySpec: azure.KeySpec.EC_P384 });
  azureCmk(stack, ComplianceProfile.COMMERCIAL, 'B', { vault });
  const json = synth(stack);
  expect(Object.keys(resources(json, 'azurerm_key_vault'))).toHaveLength(1);
  expect(Object.values(resources(json, 'azurerm_key_vault_key')).map((k: any) => [k.key_type, k.curve ?? k.key_size, k.key_opts])).toEqual(
    expect.arrayContaining([['EC-HSM', 'P-384', ['sign', 'verify']], ['RSA-HSM', 3072, ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey']]]));
  a.grantServiceEncryption('88888888-8888-4888-8888-888888888888');
  expect(Object.values(resources(synth(stack), 'azurerm_role_assignment')).some((r: any) => r.role_definition_name === 'Key Vault Crypto Service Encryption User')).toBe(true);
  expect(() => a.grantEncryptDecrypt(ids.admin)).toThrow(/cannot be both an administrator and a user/);
});

test('a key in a Managed HSM: local key and rotation policy, crypto-only role on the key', () => {
  const stack = azureStack();
  const hsm = azureHsm(stack, ComplianceProfile.COMMERCIAL);
  const key = azureCmk(stack, ComplianceProfile.COMMERCIAL, 'InHsm', { managedHsm: hsm });
  const json = synth(stack);
  expect(resources(json, 'azurerm_key_vault_key')).toEqual({});
  expect(one(json, 'azurerm_key_vault_managed_hardware_security_module_key')).toMatchObject({ key_type: 'RSA-HSM', key_size: 3072, name: key.keyName });
  expect(one(json, 'azurerm_key_vault_managed_hardware_security_module_key_rotation_policy')).toMatchObject({ time_after_creation: 'P365D', expire_after: 'P395D' });
  const userAssignment = Object.values(resources(json, 'azurerm_key_vault_managed_hardware_security_module_role_assignment'))
    .find((a: any) => a.principal_id === ids.user) as any;
  expect(userAssignment.scope).toBe(`/keys/${key.keyName}`);
  expect(userAssignment.role_definition_id).toMatch(/KeyUserRole.*resource_manager_id/);
  expect(EvidenceLedger.of(stack).tryFindKey('test/InHsm')).toMatchObject({ model: DeploymentModel.CUSTOMER_MANAGED, parent: 'test/Hsm' });
});

describe('ManagedKey', () => {
  test('a software key in a standard vault where the profile accepts software keys', () => {
    const stack = azureStack();
    new azure.ManagedKey(stack, 'AppKey', { resourceGroupName: RG, location: LOCATION, acknowledgePurgeProtectionIsPermanent: true, network: vaultNetwork(), users: [ids.user] });
    const json = synth(stack);
    expect(one(json, 'azurerm_key_vault')).toMatchObject({ sku_name: 'standard', purge_protection_enabled: true });
    expect(one(json, 'azurerm_key_vault_key')).toMatchObject({
      key_type: 'RSA',
      key_size: 3072,
      rotation_policy: { automatic: { time_after_creation: 'P365D' }, expire_after: 'P395D', notify_before_expiry: 'P30D' },
    });
    const ev = EvidenceLedger.of(stack).evidenceFor(Control.NIST_AC_5, 'test/AppKey')[0];
    expect(ev.status).toBe(EvidenceStatus.NOT_SATISFIED);
  });

  test('a profile that needs HSM keys gets a premium vault and an HSM key', () => {
    const stack = azureStack();
    new azure.ManagedKey(stack, 'AppKey', {
      resourceGroupName: RG,
      location: LOCATION,
      acknowledgePurgeProtectionIsPermanent: true,
      network: vaultNetwork(),
      profile: ComplianceProfile.custom({ name: 'L2_PM', minimumFipsLevel: FipsLevel.LEVEL_2 }),
    });
    const json = synth(stack);
    expect(one(json, 'azurerm_key_vault').sku_name).toBe('premium');
    expect(one(json, 'azurerm_key_vault_key').key_type).toBe('RSA-HSM');
  });

  test.each(ComplianceProfile.builtIns().filter((p) => !p.allows(DeploymentModel.PROVIDER_MANAGED)).map((p) => [p.name, p]))(
    '%s refuses it', (name, profile) => {
      expect(() => new azure.ManagedKey(azureStack(), 'K', {
        resourceGroupName: RG,
        location: LOCATION,
        acknowledgePurgeProtectionIsPermanent: true,
        network: vaultNetwork(),
        profile: profile as ComplianceProfile,
        auditSink: undefined,
      })).toThrow(`profile ${name} does not allow the PROVIDER_MANAGED model`);
    });
});

describe('bad input', () => {
  test.each<[string, () => unknown, string | RegExp]>([
    ['overlapping custodians', () => azureCmk(azureStack(), ComplianceProfile.COMMERCIAL, 'K', { custodians: { administrators: [ids.admin], users: [ids.admin] } }),
      /custodians.users and custodians.administrators overlap on test\/K: .* cannot be both an administrator and a user/],
    ['an HSM key type in a standard vault', () => {
      const s = azureStack();
      const vault = new azure.KeyVault(s, 'V', { resourceGroupName: RG, location: LOCATION, acknowledgePurgeProtectionIsPermanent: true, network: vaultNetwork(), sku: azure.VaultSku.STANDARD });
      return azureCmk(s, ComplianceProfile.COMMERCIAL, 'K', { vault });
    }, 'vault test/V is a standard vault; HSM-protected keys (RSA-HSM, EC-HSM) need VaultSku.PREMIUM'],
    ['an EC key for encryption', () => azureCmk(azureStack(), ComplianceProfile.COMMERCIAL, 'K', { keySpec: azure.KeySpec.EC_P256, keyUsage: azure.KeyUsage.ENCRYPT_DECRYPT }),
      'keyUsage ENCRYPT_DECRYPT needs an RSA key; Azure EC keys only sign and verify, got keySpec EC_P256'],
    ['a key size Azure does not take', () => azureCmk(azureStack(), ComplianceProfile.COMMERCIAL, 'K', { keySpec: 'RSA_1024' as any }),
      /keySpec must be one of RSA_2048, RSA_3072, RSA_4096, EC_P256, EC_P384, EC_P521, EC_P256K .* got RSA_1024/],
    ['rotation above the profile', () => azureCmk(azureStack(), ComplianceProfile.HIPAA, 'K', { rotation: Period.days(400) }),
      'rotation must be at most 365 days under profile HIPAA, got 400 days'],
    ['rotation under 7 days', () => azureCmk(azureStack(), ComplianceProfile.COMMERCIAL, 'K', { rotation: Period.days(3) }),
      'rotation must be between 7 and 36500 days, got 3'],
    ['rotation in hours', () => azureCmk(azureStack(), ComplianceProfile.COMMERCIAL, 'K', { rotation: Period.hours(36) }),
      /rotation must be a whole number of days \(an ISO 8601 PnD duration\)/],
    ['expiry too close to rotation', () => azureCmk(azureStack(), ComplianceProfile.COMMERCIAL, 'K', { rotation: Period.days(90), expireAfter: Period.days(92) }),
      'expireAfter must be at least 7 days longer than rotation (90 days) so a new version exists before the old one expires, got 92 days'],
    ['expiry under 28 days', () => azureCmk(azureStack(), ComplianceProfile.COMMERCIAL, 'K', { rotation: Period.days(7), expireAfter: Period.days(20) }),
      'expireAfter must be between 28 and 36500 days, got 20'],
    ['a notice longer than the expiry', () => azureCmk(azureStack(), ComplianceProfile.COMMERCIAL, 'K', { notifyBeforeExpiry: Period.days(400) }),
      'notifyBeforeExpiry must be shorter than expireAfter (395 days), got 400 days'],
    ['FEDRAMP_HIGH with a customer-managed key', () => azureCmk(azureStack(), ComplianceProfile.FEDRAMP_HIGH, 'K'),
      /profile FEDRAMP_HIGH does not allow the CUSTOMER_MANAGED model/],
    ['SOVEREIGN with a customer-managed key', () => azureCmk(azureStack(), ComplianceProfile.SOVEREIGN, 'K'),
      /profile SOVEREIGN does not allow the CUSTOMER_MANAGED model \(CustomerManagedKey\) for test\/K; allowed: HYOK/],
    ['a bad key name', () => azureCmk(azureStack(), ComplianceProfile.COMMERCIAL, 'K', { keyName: 'orders_key' }),
      'keyName must be 1 to 127 letters, digits and hyphens, got orders_key'],
    ['approvers on a shared vault key', () => {
      const s = azureStack();
      const vault = new azure.KeyVault(s, 'V', { resourceGroupName: RG, location: LOCATION, acknowledgePurgeProtectionIsPermanent: true, network: vaultNetwork() });
      return azureCmk(s, ComplianceProfile.COMMERCIAL, 'K', { vault, custodians: { administrators: [ids.admin], approvers: [ids.approverA, ids.approverB] } });
    }, /custodians.approvers belong to the vault when it is shared/],
  ])('%s', (_what, build, message) => {
    expect(build).toThrow(message);
  });

  test('a dual-control profile with a vault that has no approvers', () => {
    const s = azureStack();
    const sink = azureSink(s, ComplianceProfile.PCI_DSS);
    expect(() => new azure.KeyVault(s, 'V', {
      resourceGroupName: RG,
      location: LOCATION,
      acknowledgePurgeProtectionIsPermanent: true,
      network: vaultNetwork(),
      profile: ComplianceProfile.PCI_DSS,
      auditSink: sink,
    })).toThrow(/approvers must name at least 2 distinct approvers for dual control on test\/V \(profile PCI_DSS\), got 0/);
  });
});
