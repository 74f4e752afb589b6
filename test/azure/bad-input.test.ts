import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { ComplianceProfile, TenantIsolation } from '../../src';
import * as azure from '../../src/azure';
import { Period } from '../../src/core';
import { azureByok, azureCmk, azureHsm, azureStack, CERTS, ids, LOCATION, NET, RG, vaultNetwork } from '../support/azure';

/*
 * Issue 16: bad props on the Azure constructs get our own early ValidationError naming the prop the caller wrote and
 * the value (tokens shown as tokens), never a TypeError, a construct id collision or a broken Terraform JSON.
 */

/** The error `make` throws; the test fails when it throws none or anything but a ValidationError. */
function errorOf(make: () => unknown): Error {
  try {
    make();
  } catch (e) {
    expect((e as Error).name).toBe('ValidationError');
    return e as Error;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

/** Synthesizes and checks the Terraform JSON holds nothing broken. */
function cleanSynth(stack: TerraformStack): any {
  const text = Testing.synth(stack);
  expect(text).not.toMatch(/null|NaN|undefined|\[object Object\]|\$\{Token\[|TfToken\[/);
  return JSON.parse(text);
}

const COMMERCIAL = ComplianceProfile.COMMERCIAL;
/** Object ids with letters, so that their upper-case forms differ from them. */
const LOWER_USER = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
const UPPER_USER = LOWER_USER.toUpperCase();
const LOWER_AUDITOR = 'abcdef01-2345-4678-89ab-cdef01234567';
const tenants = (extra: Partial<azure.TenantKeyHierarchyProps> = {}, stack = azureStack()) => new azure.TenantKeyHierarchy(stack, 'Tenants', {
  resourceGroupName: RG,
  location: LOCATION,
  acknowledgePurgeProtectionIsPermanent: true,
  network: vaultNetwork(),
  vaultNamePrefix: 'kvtenants',
  custodians: { administrators: [ids.admin], users: [ids.user], auditors: [ids.auditor] },
  ...extra,
});
const managedKey = (extra: Partial<azure.ManagedKeyProps> = {}, stack = azureStack()) => new azure.ManagedKey(stack, 'Key', {
  resourceGroupName: RG, location: LOCATION, acknowledgePurgeProtectionIsPermanent: true, network: vaultNetwork(), ...extra,
});

describe('construct id collisions become errors naming the prop', () => {
  test('CustomerManagedKey users differing only in case are refused by name', () => {
    expect(errorOf(() => azureCmk(azureStack(), COMMERCIAL, 'K', { custodians: { administrators: [ids.admin], users: [LOWER_USER, UPPER_USER] } })).message)
      .toBe(`custodians.users lists ${LOWER_USER} and ${UPPER_USER}, which name the same principal (object ids compare case-insensitively)`);
  });

  test('CustomerManagedKey: the same auditor twice is refused', () => {
    expect(errorOf(() => azureCmk(azureStack(), COMMERCIAL, 'K', { custodians: { administrators: [ids.admin], auditors: [ids.auditor, ids.auditor] } })).message)
      .toBe(`custodians.auditors lists ${ids.auditor} twice`);
  });

  test('ByokImport importers and auditors listed twice are refused', () => {
    const c = { administrators: [ids.admin], importers: [ids.importer] };
    expect(errorOf(() => azureByok(azureStack(), COMMERCIAL, 'B', { custodians: { ...c, auditors: [LOWER_AUDITOR, LOWER_AUDITOR.toUpperCase()] } })).message)
      .toMatch(/^custodians\.auditors lists .* which name the same principal/);
    expect(errorOf(() => azureByok(azureStack(), COMMERCIAL, 'B', { custodians: { ...c, importers: [ids.importer, ids.importer] } })).message)
      .toBe(`custodians.importers lists ${ids.importer} twice`);
  });

  test('ManagedKey users differing only in case are refused', () => {
    expect(errorOf(() => managedKey({ users: [LOWER_USER, UPPER_USER] })).message).toMatch(/^users lists .* which name the same principal/);
  });

  test('TenantKeyHierarchy custodian users and auditors listed twice are refused', () => {
    expect(errorOf(() => tenants({ custodians: { administrators: [ids.admin], users: [LOWER_USER, UPPER_USER] } })).message).toMatch(/^custodians\.users lists /);
    expect(errorOf(() => tenants({ custodians: { administrators: [ids.admin], auditors: [ids.auditor, ids.auditor] } })).message).toBe(`custodians.auditors lists ${ids.auditor} twice`);
  });

  test("TenantKeyHierarchy: a tenant's users listing one id twice are refused", () => {
    expect(errorOf(() => tenants({ tenants: [{ tenantId: 'acme', users: [LOWER_USER, UPPER_USER] }] })).message).toMatch(/^tenants\[acme\]\.users lists /);
  });

  test('pooled tenants served by one identity share one role assignment on the pool key (Azure refuses a second)', () => {
    const stack = azureStack();
    tenants({ isolation: TenantIsolation.POOLED, custodians: { administrators: [ids.admin] }, tenants: [{ tenantId: 'a', users: [ids.user] }, { tenantId: 'b', users: [ids.user] }] }, stack);
    const json = cleanSynth(stack);
    const onKey = Object.values(json.resource.azurerm_role_assignment).filter((a: any) => /azurerm_key_vault_key\./.test(a.scope) && a.principal_id === ids.user);
    expect(onKey).toHaveLength(1);
  });

  test('KeyAuditSink auditors listed twice are refused', () => {
    expect(errorOf(() => new azure.KeyAuditSink(azureStack(), 'Audit', {
      resourceGroupName: RG, location: LOCATION, immutable: false, auditors: [LOWER_AUDITOR, LOWER_AUDITOR.toUpperCase()],
    })).message).toMatch(/^auditors lists .* which name the same principal/);
  });

  test('KeyVault administrators and backup operators listed twice are refused', () => {
    const vault = (extra: Partial<azure.KeyVaultProps>) => () => new azure.KeyVault(azureStack(), 'Vault', {
      resourceGroupName: RG, location: LOCATION, acknowledgePurgeProtectionIsPermanent: true, network: vaultNetwork(), ...extra,
    });
    expect(errorOf(vault({ administrators: [ids.admin, ids.admin] })).message).toBe(`administrators lists ${ids.admin} twice`);
    expect(errorOf(vault({ backupOperators: [LOWER_USER, UPPER_USER] })).message).toMatch(/^backupOperators lists /);
  });

  test('granting the same id twice (in either case) keeps one role assignment instead of colliding', () => {
    const stack = azureStack();
    const key = managedKey({ users: [LOWER_USER] }, stack);
    key.grantEncryptDecrypt(UPPER_USER);
    const json = cleanSynth(stack);
    const onKey = Object.values(json.resource.azurerm_role_assignment).filter((a: any) => /azurerm_key_vault_key\./.test(a.scope));
    expect(onKey).toHaveLength(1);
  });

  test('a Managed HSM security domain certificate listed twice is refused (one holder would count twice towards the quorum)', () => {
    const cert = 'https://custody.vault.azure.net/certificates/sd-1/01';
    expect(errorOf(() => azureHsm(azureStack(), COMMERCIAL, 'Hsm', { securityDomainCertificateIds: [cert, cert, 'https://custody.vault.azure.net/certificates/sd-2/02'] })).message)
      .toBe(`securityDomainCertificateIds lists ${cert} twice`);
  });
});

describe('errors name the prop the caller wrote', () => {
  test("vaultName 'has space' is reported as vaultName, not the inner KeyVault's name", () => {
    expect(errorOf(() => azureCmk(azureStack(), COMMERCIAL, 'K', { vaultName: 'has space' })).message)
      .toBe('vaultName must be 3 to 24 letters, digits and hyphens, starting with a letter and ending with a letter or digit, got has space');
    expect(errorOf(() => managedKey({ vaultName: 'kv--orders' })).message).toBe('vaultName must not contain consecutive hyphens, got kv--orders');
    expect(errorOf(() => azureByok(azureStack(), COMMERCIAL, 'B', { vaultName: ' ' })).message).toBe('vaultName must be a non-empty string, got " "');
  });

  test('one approver handed to the vault a key creates is reported as custodians.approvers, not the vault\'s approvers', () => {
    for (const make of [
      () => azureCmk(azureStack(), COMMERCIAL, 'K', { custodians: { administrators: [ids.admin], approvers: [ids.approverA] } }),
      () => azureByok(azureStack(), COMMERCIAL, 'B', { custodians: { administrators: [ids.admin], importers: [ids.importer], approvers: [ids.approverA] } }),
      () => tenants({ custodians: { administrators: [ids.admin], approvers: [ids.approverA] } }),
    ]) {
      expect(errorOf(make).message).toMatch(/^custodians\.approvers must name at least 2 distinct approvers for dual control on test\/\w+ \(profile COMMERCIAL\), got 1$/);
    }
  });

  test('tenantsPerVault: 0 is reported as tenantsPerVault, not tenantsPerShard', () => {
    expect(errorOf(() => tenants({ tenantsPerVault: 0 })).message).toBe('tenantsPerVault must be a whole number of at least 1, got 0');
  });

  test.each([NaN, Infinity, 2.5, -1])('tenantsPerVault and roleAssignmentQuota %p are refused by name', (n) => {
    expect(errorOf(() => tenants({ tenantsPerVault: n })).message).toBe(`tenantsPerVault must be a whole number of at least 1, got ${n}`);
    expect(errorOf(() => tenants({ roleAssignmentQuota: n })).message).toBe(`roleAssignmentQuota must be a whole number of at least 1, got ${n}`);
  });

  test('token values are shown as tokens, never as encoded numbers', () => {
    const stack = azureStack();
    const v = new TerraformVariable(stack, 'n', { type: 'number' });
    const perVault = errorOf(() => tenants({ tenantsPerVault: v.numberValue }, stack)).message;
    expect(perVault).toBe('tenantsPerVault must be a whole number of at least 1, got an unresolved token');
    const quorum = errorOf(() => azureHsm(azureStack(), COMMERCIAL, 'Hsm', { securityDomainQuorum: v.numberValue })).message;
    expect(quorum).toBe('securityDomainQuorum must be between 2 and 3 certificate holders, got an unresolved token');
    const burst = errorOf(() => new azure.KeyAuditSink(azureStack(), 'Audit', {
      resourceGroupName: RG, location: LOCATION, immutable: false, failedAuthorizationBurstThreshold: v.numberValue,
    })).message;
    expect(burst).toBe('failedAuthorizationBurstThreshold must be a whole number between 1 and 100000, got an unresolved token');
    for (const m of [perVault, quorum, burst]) expect(m).not.toMatch(/e\+\d/);
  });

  test('a fractional securityDomainQuorum or softDeleteRetention is refused by name', () => {
    expect(errorOf(() => azureHsm(azureStack(), COMMERCIAL, 'Hsm', { securityDomainQuorum: 2.5 })).message)
      .toBe('securityDomainQuorum must be a whole number of certificate holders, got 2.5');
    expect(errorOf(() => new azure.KeyVault(azureStack(), 'Vault', {
      resourceGroupName: RG,
      location: LOCATION,
      acknowledgePurgeProtectionIsPermanent: true,
      network: vaultNetwork(),
      softDeleteRetention: Period.hours(24 * 90 - 12),
    })).message).toMatch(/^softDeleteRetention must be a whole number of days/);
  });
});

describe('required props are checked up front (plain JavaScript callers can omit them)', () => {
  const js = (props: object | undefined) => props as any;
  const cmkProps = { resourceGroupName: RG, location: LOCATION, acknowledgePurgeProtectionIsPermanent: true, network: vaultNetwork() };
  test.each<[string, () => unknown, RegExp]>([
    ['CustomerManagedKey without custodians', () => new azure.CustomerManagedKey(azureStack(), 'K', js(cmkProps)), /^custodians is required, got nothing$/],
    ['CustomerManagedKey without resourceGroupName', () => new azure.CustomerManagedKey(azureStack(), 'K', js({ ...cmkProps, resourceGroupName: undefined, custodians: { administrators: [ids.admin] } })), /^resourceGroupName is required, got nothing$/],
    ['CustomerManagedKey without location', () => new azure.CustomerManagedKey(azureStack(), 'K', js({ ...cmkProps, location: undefined, custodians: { administrators: [ids.admin] } })), /^location is required, got nothing$/],
    ['CustomerManagedKey with administrators as a string', () => new azure.CustomerManagedKey(azureStack(), 'K', js({ ...cmkProps, custodians: { administrators: ids.admin } })), /^custodians\.administrators must be a list, got 1111/],
    ['ManagedKey without props', () => new azure.ManagedKey(azureStack(), 'K', js(undefined)), /^props is required/],
    ['KeyVault without props', () => new azure.KeyVault(azureStack(), 'V', js(undefined)), /^props is required/],
    ['KeyVault without resourceGroupName', () => new azure.KeyVault(azureStack(), 'V', js({ ...cmkProps, resourceGroupName: undefined })), /^resourceGroupName is required/],
    ['ByokImport without custodians', () => new azure.ByokImport(azureStack(), 'B', js(cmkProps)), /^custodians is required/],
    ['TenantKeyHierarchy without custodians', () => new azure.TenantKeyHierarchy(azureStack(), 'T', js(cmkProps)), /^custodians is required/],
    ['HyokExternalStore without custodians', () => azureHsm(azureStack(), COMMERCIAL, 'Hsm', js({ custodians: undefined })), /^custodians is required/],
    ['HyokExternalStore without location', () => azureHsm(azureStack(), COMMERCIAL, 'Hsm', js({ location: undefined })), /^location is required/],
    ['KeyAuditSink without resourceGroupName', () => new azure.KeyAuditSink(azureStack(), 'A', js({ location: LOCATION, immutable: false })), /^resourceGroupName is required/],
  ])('%s', (_name, make, message) => {
    expect(errorOf(make).message).toMatch(message);
  });
});

describe('ids and names are checked by format', () => {
  test.each([
    ['tenantId', { tenantId: 'contoso.onmicrosoft.com' }],
    ['deploymentPrincipalId', { deploymentPrincipalId: 'terraform' }],
  ])('KeyVault %s that is not a GUID is refused', (prop, extra) => {
    expect(errorOf(() => new azure.KeyVault(azureStack(), 'Vault', {
      resourceGroupName: RG, location: LOCATION, acknowledgePurgeProtectionIsPermanent: true, network: vaultNetwork(), ...extra,
    })).message).toMatch(new RegExp(`^${prop} must hold Microsoft Entra object ids \\(GUIDs\\), got `));
  });

  test('an object id that is not a string is refused, not a TypeError', () => {
    expect(errorOf(() => azureCmk(azureStack(), COMMERCIAL, 'K', { custodians: { administrators: [ids.admin], users: [42 as any] } })).message)
      .toBe('custodians.users must hold Microsoft Entra object ids (GUIDs), got 42');
  });

  test.each(['', 'rg.', 'rg/keys', 'r'.repeat(91)])('resourceGroupName %p is refused', (resourceGroupName) => {
    expect(errorOf(() => azureCmk(azureStack(), COMMERCIAL, 'K', { resourceGroupName })).message).toMatch(/^resourceGroupName must be/);
  });

  test.each(['', 'west-europe', 'westeurope/', ' westeurope'])('location %p is refused', (location) => {
    expect(errorOf(() => azureCmk(azureStack(), COMMERCIAL, 'K', { location })).message).toMatch(/^location must be/);
  });

  test('keyName is checked before the vault exists', () => {
    expect(errorOf(() => azureCmk(azureStack(), COMMERCIAL, 'K', { keyName: 'orders_key' })).message).toMatch(/^keyName must be 1 to 127 letters, digits and hyphens, got orders_key$/);
  });

  test('display-name regions and resource groups with parentheses and periods are accepted', () => {
    const stack = azureStack();
    azureCmk(stack, COMMERCIAL, 'K', { location: 'West Europe', resourceGroupName: 'rg-keys.(prod)_1' });
    cleanSynth(stack);
  });

  test('the userRole enum is checked', () => {
    expect(errorOf(() => azureCmk(azureStack(), COMMERCIAL, 'K', { userRole: 'OWNER' as any })).message).toMatch(/^userRole must be one of CRYPTO_USER, SERVICE_ENCRYPTION_USER, got OWNER$/);
  });
});

describe('beyond the reproducers: network, key usage', () => {
  test.each<[string, () => unknown, RegExp]>([
    ['a subnetId that is not a subnet resource id', () => azure.VaultNetwork.privateEndpoint({ subnetId: 'endpoints', privateDnsZoneId: 'z' }), /^subnetId must be an Azure resource id \/subscriptions\/<id>\/.*got endpoints$/],
    ['a linked virtual network that is not one', () => azure.VaultNetwork.privateEndpoint({
      subnetId: '/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v/subnets/a',
      linkedVirtualNetworkIds: ['vnet-keys'],
    }), /^linkedVirtualNetworkIds must be an Azure resource id .*got vnet-keys$/],
    ['allow-list subnetIds that are not subnet ids', () => azure.VaultNetwork.allowList({ subnetIds: [''] }), /^subnetIds must be a non-empty string, got ""$/],
    ['ipRanges that is not a list', () => azure.VaultNetwork.allowList({ ipRanges: '203.0.113.7' as any }), /^ipRanges must be a list, got 203\.0\.113\.7$/],
    ['a keyUsage that is not one', () => azureCmk(azureStack(), COMMERCIAL, 'K', { keyUsage: 'WRAP' as any }), /^keyUsage must be one of ENCRYPT_DECRYPT, SIGN_VERIFY, got WRAP$/],
    ['a keySpec that is not one', () => azureCmk(azureStack(), COMMERCIAL, 'K', { keySpec: 'RSA_1024' as any }), /^keySpec must be one of .* got RSA_1024$/],
    ['a sku that is not one', () => new azure.KeyVault(azureStack(), 'V', {
      resourceGroupName: RG, location: LOCATION, acknowledgePurgeProtectionIsPermanent: true, network: vaultNetwork(), sku: 'gold' as any,
    }), /^sku must be one of standard, premium, got gold$/],
    ['a webhook that is not a string', () => new azure.KeyAuditSink(azureStack(), 'A', { resourceGroupName: RG, location: LOCATION, immutable: false, alertWebhookUrl: 42 as any }),
      /^alertWebhookUrl must be an https:\/\/ URL, got 42$/],
  ])('%s', (_name, make, message) => {
    expect(errorOf(make).message).toMatch(message);
  });
});

describe('class-typed props and names given the wrong type (plain JavaScript callers)', () => {
  test.each<[string, object, RegExp]>([
    ['rotation as a number', { rotation: 90 }, /^rotation must be a Period such as Period\.days\(90\), got 90$/],
    ['expireAfter as a string', { expireAfter: 'P90D' }, /^expireAfter must be a Period .* got P90D$/],
    ['notifyBeforeExpiry as an object', { notifyBeforeExpiry: {} }, /^notifyBeforeExpiry must be a Period .* got \{\}$/],
    ['profile as a string', { profile: 'SOC2' }, /^profile must be a ComplianceProfile .* got SOC2$/],
    ['auditSink as a string', { auditSink: 'audit' }, /^auditSink must be a KeyAuditSink, got audit$/],
    ['network as an object', { network: { subnetId: 'x' } }, /^network must be VaultNetwork\.privateEndpoint\(\.\.\.\) or VaultNetwork\.allowList\(\.\.\.\), got \{"subnetId":"x"\}$/],
    ['keyName as NaN (it would read "NaN")', { keyName: NaN }, /^keyName must be a non-empty string, got NaN$/],
  ])('CustomerManagedKey: %s', (_name, extra, message) => {
    expect(errorOf(() => azureCmk(azureStack(), COMMERCIAL, 'K', extra as any)).message).toMatch(message);
  });

  test('ByokImport kekName NaN is refused instead of synthesizing a null name', () => {
    expect(errorOf(() => azureByok(azureStack(), COMMERCIAL, 'B', { kekName: NaN as any })).message).toBe('kekName must be 1 to 127 letters, digits and hyphens, got NaN');
  });

  test('KeyVault softDeleteRetention as a number is refused', () => {
    expect(errorOf(() => new azure.KeyVault(azureStack(), 'V', {
      resourceGroupName: RG, location: LOCATION, acknowledgePurgeProtectionIsPermanent: true, network: vaultNetwork(), softDeleteRetention: 90 as any,
    })).message).toMatch(/^softDeleteRetention must be a Period/);
  });
});

test('TenantKeyHierarchy: token pool names and tenant ids are refused, shown as tokens', () => {
  const stack = azureStack();
  const v = new TerraformVariable(stack, 'pool', { type: 'string' });
  expect(errorOf(() => tenants({ isolation: TenantIsolation.POOLED, pools: [v.stringValue] }, stack)).message)
    .toMatch(/^pools must be literal strings \(they become key names and construct ids\), got a token \(\$\{TfToken\[TOKEN\.\d+\]\}\)$/);
  expect(errorOf(() => tenants({ tenants: [{ tenantId: v.stringValue }] }, azureStack())).message).toMatch(/^tenantId must be literal strings .* got a token/);
});


describe('fuzz round 2: values shown as shown(), options checked like props', () => {
  test('ByokImport custodians {} names the missing administrators', () => {
    expect(errorOf(() => azureByok(azureStack(), COMMERCIAL, 'B', { custodians: {} as any })).message)
      .toBe('custodians.administrators is required, got nothing');
  });

  test('HyokExternalStore securityDomainCertificateIds as a token list is refused as a token, not counted as 1', () => {
    const stack = azureStack();
    const certs = new TerraformVariable(stack, 'certs', { type: 'list(string)' }).listValue;
    expect(errorOf(() => azureHsm(stack, COMMERCIAL, 'Hsm', { securityDomainCertificateIds: certs })).message)
      .toBe('securityDomainCertificateIds must be a literal list of 3 to 10 certificate ids (the quorum is checked against it), got an unresolved token');
  });

  test('HyokExternalStore: a token certificate in a literal list is still accepted (guard for the check above)', () => {
    const stack = azureStack();
    const cert = new TerraformVariable(stack, 'cert', { type: 'string' }).stringValue;
    azureHsm(stack, COMMERCIAL, 'Hsm', { securityDomainCertificateIds: [cert, CERTS[1], CERTS[2]] });
  });

  test.each<[string, object, RegExp]>([
    ['expireAfter as a number', { expireAfter: 730 }, /^expireAfter must be a Period such as Period\.days\(90\), got 730$/],
    ['rotation as a string', { rotation: 'P1Y' }, /^rotation must be a Period .* got P1Y$/],
    ['custodians as a string', { custodians: 'x' }, /^custodians must be an object of object id lists, got x$/],
    ['a padded custodians.users element (no administrators given)', { custodians: { users: [` ${ids.user} `] } }, /^custodians\.users must hold Microsoft Entra object ids \(GUIDs\), got " [0-9a-f-]+ "$/],
  ])('HyokExternalStore.addKey: %s is refused, not a TypeError', (_name, options, message) => {
    const store = azureHsm(azureStack(), COMMERCIAL);
    expect(errorOf(() => store.addKey('K', options as any)).message).toMatch(message);
  });

  test('VaultNetwork.allowList: a padded ip range is shown quoted', () => {
    const stack = azureStack();
    expect(errorOf(() => {
      azureCmk(stack, COMMERCIAL, 'K', { network: azure.VaultNetwork.allowList({ ipRanges: [' 203.0.113.0/24 '] }) });
      Testing.synth(stack);
    }).message).toMatch(/^network ipRanges must be IPv4 addresses or CIDR ranges \(Key Vault takes no IPv6\), got " 203\.0\.113\.0\/24 " for /);
  });

  test('VaultNetwork.privateEndpoint: a padded privateDnsZoneId is shown quoted', () => {
    const stack = azureStack();
    expect(errorOf(() => {
      azureCmk(stack, COMMERCIAL, 'K', { network: azure.VaultNetwork.privateEndpoint({ subnetId: NET.endpointsSubnet, privateDnsZoneId: ' x ' }) });
      Testing.synth(stack);
    }).message).toMatch(/^network privateDnsZoneId must be the id of a privatelink\.vaultcore\.azure\.net private DNS zone for Key Vault .*, got " x "$/);
  });

  test.each<[string, object, string]>([
    ['an empty subnetId is shown as ""', { subnetId: '', privateDnsZoneId: NET.vaultZone }, 'subnetId must be a non-empty string, got ""'],
    ['a missing subnetId is required', { privateDnsZoneId: NET.vaultZone }, 'subnetId is required, got nothing'],
  ])('VaultNetwork.privateEndpoint: %s', (_name, options, message) => {
    expect(errorOf(() => azure.VaultNetwork.privateEndpoint(options as any)).message).toBe(message);
  });

  test('HyokExternalStore.addKey: custodians without administrators is accepted (the store\'s administer every key)', () => {
    const stack = azureStack();
    azureHsm(stack, COMMERCIAL).addKey('K', { custodians: { users: [LOWER_USER] } as any });
    const json = cleanSynth(stack);
    const assignments = json.resource.azurerm_key_vault_managed_hardware_security_module_role_assignment;
    const principals = Object.values(assignments).map((r: any) => r.principal_id);
    expect(principals).toContain(LOWER_USER);
  });

  test('ByokImport custodians without importers names them as required', () => {
    expect(errorOf(() => azureByok(azureStack(), COMMERCIAL, 'B', { custodians: { administrators: [ids.admin] } })).message)
      .toBe('custodians.importers is required, got nothing');
  });

  test('HyokExternalStore: one token certificate is counted and shown as a token', () => {
    const stack = azureStack();
    const cert = new TerraformVariable(stack, 'cert', { type: 'string' }).stringValue;
    expect(errorOf(() => azureHsm(stack, COMMERCIAL, 'Hsm', { securityDomainCertificateIds: [cert] })).message)
      .toMatch(/^securityDomainCertificateIds must name 3 to 10 certificates, got 1 \(a token \(\$\{TfToken\[TOKEN\.\d+\]\}\)\)$/);
  });

  test('VaultNetwork.privateEndpoint: an empty linkedVirtualNetworkIds is named as empty', () => {
    expect(errorOf(() => azure.VaultNetwork.privateEndpoint({ subnetId: NET.endpointsSubnet, linkedVirtualNetworkIds: [] })).message)
      .toMatch(/^VaultNetwork\.privateEndpoint needs privateDnsZoneId .* got neither \(linkedVirtualNetworkIds is empty\): /);
  });

  test('TenantKeyHierarchy isolation as an object is refused by name and shown, not "[object Object]"', () => {
    expect(errorOf(() => tenants({ isolation: {} as any })).message).toBe('isolation must be one of DEDICATED, POOLED, TIERED, got {}');
  });

  test('a rotation variable whose default is a padded string shows it quoted', () => {
    const stack = azureStack();
    const v = new TerraformVariable(stack, 'x', { type: 'number', default: ' 90 ' });
    expect(errorOf(() => azureCmk(stack, COMMERCIAL, 'K', { rotation: Period.days(v.numberValue) })).message)
      .toMatch(/^rotation comes from var\.x, whose default must be a whole number from 7 to \d+ days .*, got " 90 "$/);
  });

  test('HyokExternalStore auditOptOutReason as an object is shown, not "[object Object]"', () => {
    expect(errorOf(() => azureHsm(azureStack(), COMMERCIAL, 'Hsm', { auditSink: undefined, auditOptOutReason: { why: 'x' } as any })).message)
      .toBe('auditOptOutReason must give a reason of at least 10 characters that the compliance report shows, got {"why":"x"}');
  });

  test('CustomerManagedKey: a single token in custodians.approvers is shown as a token, not only counted', () => {
    const stack = azureStack();
    const approver = new TerraformVariable(stack, 'approver', { type: 'string' }).stringValue;
    expect(errorOf(() => azureCmk(stack, COMMERCIAL, 'K', { custodians: { administrators: [ids.admin], approvers: [approver] } })).message)
      .toMatch(/^custodians\.approvers must name at least 2 distinct approvers for dual control on test\/K \(profile COMMERCIAL\), got 1: a token \(\$\{TfToken\[TOKEN\.\d+\]\}\)$/);
  });

  test('KeyVault: a single token approver is shown as a token', () => {
    const stack = azureStack();
    const approver = new TerraformVariable(stack, 'approver', { type: 'string' }).stringValue;
    expect(errorOf(() => new azure.KeyVault(stack, 'V', {
      resourceGroupName: RG, location: LOCATION, acknowledgePurgeProtectionIsPermanent: true, network: vaultNetwork(), approvers: [approver],
    })).message).toMatch(/^approvers must name at least 2 distinct approvers .* got 1: a token \(/);
  });
});
