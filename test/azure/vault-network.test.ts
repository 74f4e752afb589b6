import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { App, TerraformStack, TerraformVariable } from 'cdktf';
import { compliance, ComplianceProfile, Control, EvidenceLedger, EvidenceStatus } from '../../src';
import * as azure from '../../src/azure';
import {
  azureByok, azureCmk, azureHsm, azureStack, CERTS, hsmNetwork, ids, LOCATION, NET, one, resources, RG, synth, vaultNetwork,
} from '../support/azure';

const VNET_A = '/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-a';
const VNET_B = '/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-b';
const SUBNET_APPS = `${VNET_A}/subnets/apps`;

const newVault = (stack = azureStack(), id = 'Vault', network: azure.VaultNetwork | null = vaultNetwork()) =>
  new azure.KeyVault(stack, id, { resourceGroupName: RG, location: LOCATION, acknowledgePurgeProtectionIsPermanent: true, network: network! });

/** The network evidence of a vault or HSM: which path exists, in words. */
const networkEvidence = (stack: any, subject: string) =>
  EvidenceLedger.of(stack).evidenceFor(Control.NIST_AC_6, subject).find((e) => /network_acls/.test(e.setting))!;

describe('VaultNetwork.privateEndpoint with an existing (hub) DNS zone', () => {
  const stack = azureStack();
  const key = azureCmk(stack, ComplianceProfile.COMMERCIAL, 'OrdersKey');
  const json = synth(stack);

  test('public access off, firewall Deny without bypass', () => {
    expect(one(json, 'azurerm_key_vault')).toMatchObject({
      public_network_access_enabled: false,
      network_acls: { default_action: 'Deny', bypass: 'None' },
    });
  });

  test('a private endpoint to the vault subresource, registered in the privatelink.vaultcore.azure.net zone', () => {
    expect(one(json, 'azurerm_private_endpoint')).toMatchObject({
      subnet_id: NET.endpointsSubnet,
      resource_group_name: RG,
      location: LOCATION,
      private_service_connection: {
        subresource_names: ['vault'],
        is_manual_connection: false,
        private_connection_resource_id: expect.stringMatching(/^\$\{azurerm_key_vault\..*\.id\}$/),
      },
      private_dns_zone_group: { name: 'default', private_dns_zone_ids: [NET.vaultZone] },
    });
    // The zone belongs to the hub: nothing is created for it here.
    expect(resources(json, 'azurerm_private_dns_zone')).toEqual({});
  });

  test('the key waits for the private endpoint (its DNS record), not only for the deployer role', () => {
    expect(one(json, 'azurerm_key_vault_key').depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^azurerm_private_endpoint\./)]));
  });

  test('the evidence names the private path, the subnet and the zone', () => {
    const e = networkEvidence(stack, key.vault!.node.path);
    expect(e.status).toBe(EvidenceStatus.SATISFIED);
    expect(e.description).toMatch(/public network access disabled; the data plane is reachable only through the private endpoint in subnet .*subnets\/endpoints/);
    expect(e.description).toContain(NET.vaultZone);
    expect(e.description).toMatch(/no firewall bypass \(None\)/);
  });
});

test('VaultNetwork.privateEndpoint with linkedVirtualNetworkIds creates one shared zone and one link per network', () => {
  const stack = azureStack();
  const network = azure.VaultNetwork.privateEndpoint({ subnetId: NET.endpointsSubnet, linkedVirtualNetworkIds: [VNET_A, VNET_B] });
  newVault(stack, 'One', network);
  newVault(stack, 'Two', network);
  const json = synth(stack);
  const zone = one(json, 'azurerm_private_dns_zone');
  expect(zone).toEqual(expect.objectContaining({ name: 'privatelink.vaultcore.azure.net', resource_group_name: RG }));
  const links = Object.values(resources(json, 'azurerm_private_dns_zone_virtual_network_link')) as any[];
  expect(links.map((l) => l.virtual_network_id).sort()).toEqual([VNET_A, VNET_B]);
  for (const link of links) {
    expect(link).toMatchObject({ registration_enabled: false, private_dns_zone_name: expect.stringMatching(/azurerm_private_dns_zone\..*\.name/) });
  }
  const endpoints = Object.values(resources(json, 'azurerm_private_endpoint')) as any[];
  expect(endpoints).toHaveLength(2);
  for (const pe of endpoints) {
    expect(pe.private_dns_zone_group.private_dns_zone_ids).toEqual([expect.stringMatching(/^\$\{azurerm_private_dns_zone\..*\.id\}$/)]);
  }
});

describe('one privatelink zone per stack and service: Azure links a network to only one zone of a name', () => {
  const inGroup = (stack: any, id: string, resourceGroupName: string, network: azure.VaultNetwork) =>
    new azure.KeyVault(stack, id, { resourceGroupName, location: LOCATION, acknowledgePurgeProtectionIsPermanent: true, network });

  test('vaults in two resource groups linking the same networks share one zone (the first vault\'s group) and one link per network', () => {
    const stack = azureStack();
    const network = () => azure.VaultNetwork.privateEndpoint({ subnetId: NET.endpointsSubnet, linkedVirtualNetworkIds: [VNET_A, VNET_B] });
    inGroup(stack, 'A', 'rg-a', network());
    inGroup(stack, 'B', 'rg-b', network());
    const json = synth(stack);
    expect(one(json, 'azurerm_private_dns_zone')).toMatchObject({ name: 'privatelink.vaultcore.azure.net', resource_group_name: 'rg-a' });
    const links = Object.values(resources(json, 'azurerm_private_dns_zone_virtual_network_link')) as any[];
    expect(links.map((l) => l.virtual_network_id).sort()).toEqual([VNET_A, VNET_B]);
    const endpoints = Object.values(resources(json, 'azurerm_private_endpoint')) as any[];
    expect(endpoints.map((pe) => pe.resource_group_name).sort()).toEqual(['rg-a', 'rg-b']);
    expect(new Set(endpoints.map((pe) => pe.private_dns_zone_group.private_dns_zone_ids[0])).size).toBe(1);
    // The second vault's evidence names the zone where it is, not its own resource group.
    expect(networkEvidence(stack, 'test/B').description).toContain('privatelink.vaultcore.azure.net created in resource group rg-a');
  });

  test('a network id differing only in case is linked once', () => {
    const stack = azureStack();
    inGroup(stack, 'A', RG, azure.VaultNetwork.privateEndpoint({ subnetId: NET.endpointsSubnet, linkedVirtualNetworkIds: [VNET_A] }));
    inGroup(stack, 'B', RG, azure.VaultNetwork.privateEndpoint({ subnetId: NET.endpointsSubnet, linkedVirtualNetworkIds: [VNET_A.toUpperCase()] }));
    expect(Object.keys(resources(synth(stack), 'azurerm_private_dns_zone_virtual_network_link'))).toHaveLength(1);
  });

  test('a Key Vault zone and a Managed HSM zone may both link the same network (different names)', () => {
    const stack = azureStack();
    inGroup(stack, 'A', RG, azure.VaultNetwork.privateEndpoint({ subnetId: NET.endpointsSubnet, linkedVirtualNetworkIds: [VNET_A] }));
    azureHsm(stack, ComplianceProfile.COMMERCIAL, 'Hsm', {
      network: azure.VaultNetwork.privateEndpoint({ subnetId: NET.endpointsSubnet, linkedVirtualNetworkIds: [VNET_A] }),
    });
    const zones = Object.values(resources(synth(stack), 'azurerm_private_dns_zone')) as any[];
    expect(zones.map((z) => z.name).sort()).toEqual(['privatelink.managedhsm.azure.net', 'privatelink.vaultcore.azure.net']);
  });

  test('two stacks of one app linking the same network to their own zones are refused, naming the prop and the network', () => {
    const first = azureStack('first');
    const app = first.node.scope!;
    inGroup(first, 'A', 'rg-a', azure.VaultNetwork.privateEndpoint({ subnetId: NET.endpointsSubnet, linkedVirtualNetworkIds: [VNET_A] }));
    const second = new TerraformStack(app as any, 'second');
    new AzurermProvider(second, 'azurerm', { features: [{}], subscriptionId: '00000000-0000-4000-8000-000000000001' });
    expect(() => inGroup(second, 'B', 'rg-b', azure.VaultNetwork.privateEndpoint({ subnetId: NET.endpointsSubnet, linkedVirtualNetworkIds: [VNET_A] })))
      .toThrow(`network linkedVirtualNetworkIds of second/B links virtual network ${VNET_A} to a second privatelink.vaultcore.azure.net zone: ` +
        'first/CloudKmsPrivateDns-vault-');
    expect(() => inGroup(second, 'C', 'rg-b', azure.VaultNetwork.privateEndpoint({ subnetId: NET.endpointsSubnet, linkedVirtualNetworkIds: [VNET_A] })))
      .toThrow(/\(created for first\/A\) is already linked to it.*give one of them privateDnsZoneId \(the other zone's id\) instead of linkedVirtualNetworkIds/);
  });
});

test('the evidence stays readable when the subnet and networks are Terraform references', () => {
  const stack = azureStack();
  const vnet = new VirtualNetwork(stack, 'Net', { name: 'vnet', resourceGroupName: RG, location: LOCATION, addressSpace: ['10.0.0.0/16'] });
  const subnet = new Subnet(stack, 'Endpoints', { name: 'pe', resourceGroupName: RG, virtualNetworkName: vnet.name, addressPrefixes: ['10.0.1.0/24'] });
  newVault(stack, 'Vault', azure.VaultNetwork.privateEndpoint({ subnetId: subnet.id, linkedVirtualNetworkIds: [vnet.id] }));
  const e = networkEvidence(stack, 'test/Vault');
  expect(e.description).not.toMatch(/TfToken|\$\{/);
  expect(e.description).toContain('private endpoint in subnet (known at deploy time)');
  expect(e.description).toContain(`privatelink.vaultcore.azure.net created in resource group ${RG}, linked to 1 virtual network`);
  expect(one(synth(stack), 'azurerm_private_dns_zone_virtual_network_link').virtual_network_id).toMatch(/azurerm_virtual_network\.Net/);
});

test('VaultNetwork.allowList: public access on, firewall Deny with exactly the list, no endpoint', () => {
  const stack = azureStack();
  const v = newVault(stack, 'Vault', azure.VaultNetwork.allowList({ ipRanges: ['203.0.113.7', '198.51.100.0/24'], subnetIds: [SUBNET_APPS] }));
  const json = synth(stack);
  expect(one(json, 'azurerm_key_vault')).toMatchObject({
    public_network_access_enabled: true,
    network_acls: { default_action: 'Deny', bypass: 'None', ip_rules: ['203.0.113.7', '198.51.100.0/24'], virtual_network_subnet_ids: [SUBNET_APPS] },
  });
  expect(resources(json, 'azurerm_private_endpoint')).toEqual({});
  expect(v.networkMode).toBe(azure.VaultNetworkMode.ALLOW_LIST);
  expect(networkEvidence(stack, 'test/Vault').description).toMatch(/firewall default Deny: only 2 IP ranges \(203\.0\.113\.7, 198\.51\.100\.0\/24\) and 1 subnet/);
});

describe('allow-list evidence says SATISFIED only for narrow, checked, public ranges', () => {
  const evidenceFor = (ipRanges: string[]) => {
    const stack = azureStack();
    newVault(stack, 'Vault', azure.VaultNetwork.allowList({ ipRanges }));
    return [Control.NIST_AC_6, Control.PCI_3_6_1].map((c) => EvidenceLedger.of(stack).evidenceFor(c, 'test/Vault').find((e) => /network_acls/.test(e.setting))!);
  };

  test('all of IPv4 in two halves is refused: the halves span private, loopback and reserved blocks', () => {
    expect(() => evidenceFor(['0.0.0.0/1', '128.0.0.0/1']))
      .toThrow('network ipRanges must be public addresses a client can reach Key Vault from: 0.0.0.0/1 spans 0.0.0.0/8 ("this network", RFC 1122)');
    expect(() => evidenceFor(['128.0.0.0/1'])).toThrow(/128\.0\.0\.0\/1 spans 172\.16\.0\.0\/12 \(private, RFC 1918\).*got 128\.0\.0\.0\/1 for test\/Vault/);
    expect(() => evidenceFor(['0.0.0.0/0'])).toThrow(/0\.0\.0\.0\/0 spans 0\.0\.0\.0\/8/);
    expect(() => evidenceFor(['8.0.0.0/5'])).toThrow(/8\.0\.0\.0\/5 spans 10\.0\.0\.0\/8 \(private, RFC 1918\)/);
  });

  test.each([
    ['0.0.0.0/8', '0.1.2.3', '"this network", RFC 1122'],
    ['127.0.0.0/8', '127.0.0.1', 'loopback, RFC 1122'],
    ['169.254.0.0/16', '169.254.169.254/32', 'link-local, RFC 3927'],
    ['100.64.0.0/10', '100.64.0.0/10', 'shared address space for carrier-grade NAT, RFC 6598'],
    ['224.0.0.0/4', '239.1.0.0/16', 'multicast, RFC 5771'],
    ['240.0.0.0/4', '255.255.255.255', 'reserved, RFC 1112'],
  ])('a range within %s is refused (%s)', (block, range, what) => {
    expect(() => evidenceFor([range])).toThrow(`network ipRanges must be public addresses a client can reach Key Vault from: ${range} is within ${block} (${what})`);
  });

  test('a range broader than /16 is recorded PARTIALLY_SATISFIED, naming the range', () => {
    for (const e of evidenceFor(['203.0.113.7', '8.0.0.0/7'])) {
      expect(e.status).toBe(EvidenceStatus.PARTIALLY_SATISFIED);
      expect(e.description).toContain('partially: 8.0.0.0/7 admits 33554432 addresses (broader than /16)');
    }
  });

  test('a /16 and narrower public ranges are SATISFIED', () => {
    for (const e of evidenceFor(['203.0.113.7', '20.50.0.0/16'])) expect(e.status).toBe(EvidenceStatus.SATISFIED);
  });

  test('under PCI DSS a partial allow list fails synthesis until narrowed or acknowledged', () => {
    const build = (acknowledge: boolean) => {
      const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'netfix-')) });
      const stack = new TerraformStack(app, 'pci');
      new AzurermProvider(stack, 'azurerm', { features: [{}], subscriptionId: '00000000-0000-4000-8000-000000000001' });
      const key = azureCmk(stack, ComplianceProfile.PCI_DSS, 'OrdersKey', { network: azure.VaultNetwork.allowList({ ipRanges: ['8.0.0.0/7'] }) });
      if (acknowledge) {
        for (const control of [Control.NIST_AC_6, Control.PCI_3_6_1]) {
          compliance.ComplianceReport.acknowledgeControl(key, control, 'the runner pool egresses from the whole /7; narrowed in change 123');
        }
      }
      return () => app.synth();
    };
    expect(build(false)).toThrow(/required control PCI DSS v4\.0 3\.6\.1 is partially satisfied for key pci\/OrdersKey/);
    expect(build(true)).not.toThrow();
  });

  test('a range known only at deploy time is PARTIALLY_SATISFIED, "not checked at synthesis"', () => {
    const stack = azureStack();
    const ip = new TerraformVariable(stack, 'runner_ip', { type: 'string' });
    newVault(stack, 'Vault', azure.VaultNetwork.allowList({ ipRanges: ['203.0.113.7', ip.stringValue] }));
    const e = networkEvidence(stack, 'test/Vault');
    expect(e.status).toBe(EvidenceStatus.PARTIALLY_SATISFIED);
    expect(e.description).toContain('partially: 1 IP range is known only at deploy time and not checked at synthesis');
  });
});

describe('trusted Microsoft services pass the firewall only when a key is granted to a service', () => {
  test('grantServiceEncryption turns the bypass to AzureServices, and the evidence names the grant', () => {
    const stack = azureStack();
    const key = azureCmk(stack, ComplianceProfile.COMMERCIAL, 'DiskKey');
    expect(key.vault!.networkBypass).toBe('None');
    key.grantServiceEncryption(ids.importer);
    expect(one(synth(stack), 'azurerm_key_vault').network_acls).toMatchObject({ default_action: 'Deny', bypass: 'AzureServices' });
    expect(networkEvidence(stack, key.vault!.node.path).description)
      .toContain(`trusted Microsoft services bypass the firewall (AzureServices) for: service encryption by ${ids.importer} with test/DiskKey`);
  });

  test('grantEncryptDecrypt does not', () => {
    const stack = azureStack();
    azureCmk(stack, ComplianceProfile.COMMERCIAL, 'AppKey').grantEncryptDecrypt(ids.importer);
    expect(one(synth(stack), 'azurerm_key_vault').network_acls.bypass).toBe('None');
  });

  test('users with the service-encryption role do, on a shared vault and in an allow-listed vault too', () => {
    const stack = azureStack();
    const vault = newVault(stack, 'Shared', azure.VaultNetwork.allowList({ ipRanges: ['203.0.113.0/24'] }));
    azureCmk(stack, ComplianceProfile.COMMERCIAL, 'StorageKey', { vault, userRole: azure.KeyUserRole.SERVICE_ENCRYPTION_USER });
    expect(one(synth(stack), 'azurerm_key_vault').network_acls).toMatchObject({ bypass: 'AzureServices', ip_rules: ['203.0.113.0/24'] });
  });

  test('a ByokImport whose users are services does', () => {
    const stack = azureStack();
    azureByok(stack, ComplianceProfile.COMMERCIAL, 'Imported', { keyImported: true, userRole: azure.KeyUserRole.SERVICE_ENCRYPTION_USER });
    const json = synth(stack);
    expect(one(json, 'azurerm_key_vault').network_acls.bypass).toBe('AzureServices');
    // Looking the imported key up is a data-plane read: it waits for the endpoint too.
    expect(Object.values(json.data!.azurerm_key_vault_key)[0].depends_on).toEqual([expect.stringMatching(/^azurerm_private_endpoint\./)]);
  });

  test('or when asked for with allowTrustedServices', () => {
    const stack = azureStack();
    newVault(stack, 'Vault', azure.VaultNetwork.privateEndpoint({ subnetId: NET.endpointsSubnet, privateDnsZoneId: NET.vaultZone, allowTrustedServices: true }));
    expect(one(synth(stack), 'azurerm_key_vault').network_acls.bypass).toBe('AzureServices');
    expect(networkEvidence(stack, 'test/Vault').description).toMatch(/AzureServices\) for: allowTrustedServices/);
  });
});

describe('Managed HSM', () => {
  test('a private endpoint to the managedhsm subresource in the privatelink.managedhsm.azure.net zone; public access off', () => {
    const stack = azureStack();
    const store = azureHsm(stack, ComplianceProfile.COMMERCIAL);
    const json = synth(stack);
    expect(one(json, 'azurerm_key_vault_managed_hardware_security_module')).toMatchObject({
      public_network_access_enabled: false,
      network_acls: { default_action: 'Deny', bypass: 'None' },
    });
    expect(one(json, 'azurerm_private_endpoint')).toMatchObject({
      subnet_id: NET.endpointsSubnet,
      private_service_connection: {
        subresource_names: ['managedhsm'],
        private_connection_resource_id: expect.stringMatching(/^\$\{azurerm_key_vault_managed_hardware_security_module\..*\.id\}$/),
      },
      private_dns_zone_group: { private_dns_zone_ids: [NET.hsmZone] },
    });
    expect(store.privateEndpoint).toBeDefined();
    const e = networkEvidence(stack, 'test/Hsm');
    expect(e.description).toMatch(/reachable only through the private endpoint/);
    expect(e.description).toContain(NET.hsmZone);
  });

  test('a zone created here for an HSM is privatelink.managedhsm.azure.net', () => {
    const stack = azureStack();
    azureHsm(stack, ComplianceProfile.COMMERCIAL, 'Hsm', {
      network: azure.VaultNetwork.privateEndpoint({ subnetId: NET.endpointsSubnet, linkedVirtualNetworkIds: [VNET_A] }),
    });
    expect(one(synth(stack), 'azurerm_private_dns_zone').name).toBe('privatelink.managedhsm.azure.net');
  });

  test('a CustomerManagedKey in the HSM granted to a service opens the HSM firewall to trusted services', () => {
    const stack = azureStack();
    const store = azureHsm(stack, ComplianceProfile.COMMERCIAL);
    const cmk = azureCmk(stack, ComplianceProfile.COMMERCIAL, 'Cmk', { managedHsm: store });
    expect(store.networkBypass).toBe('None');
    cmk.grantServiceEncryption(ids.importer);
    expect(one(synth(stack), 'azurerm_key_vault_managed_hardware_security_module').network_acls).toEqual({ default_action: 'Deny', bypass: 'AzureServices' });
    expect(networkEvidence(stack, 'test/Hsm').description).toContain(`service encryption by ${ids.importer}`);
  });

  test('activate: false deploys the HSM and its endpoint only; the security domain, roles and keys wait for activate: true', () => {
    const stack = azureStack();
    const store = azureHsm(stack, ComplianceProfile.COMMERCIAL, 'Hsm', { activate: false });
    const json = synth(stack);
    const hsm = one(json, 'azurerm_key_vault_managed_hardware_security_module');
    expect(hsm.security_domain_key_vault_certificate_ids).toBeUndefined();
    expect(hsm.security_domain_quorum).toBeUndefined();
    expect(one(json, 'azurerm_private_endpoint').private_service_connection.subresource_names).toEqual(['managedhsm']);
    expect(resources(json, 'azurerm_key_vault_managed_hardware_security_module_role_definition')).toEqual({});
    expect(resources(json, 'azurerm_key_vault_managed_hardware_security_module_role_assignment')).toEqual({});
    expect(() => store.addKey('K')).toThrow(/activate must be true to create addKey\('K'\) in Managed HSM test\/Hsm/);
    expect(EvidenceLedger.of(stack).evidenceFor(Control.PCI_3_6_1_2, 'test/Hsm')[0].status).toBe(EvidenceStatus.NOT_SATISFIED);

    const active = synth(azureHsm(azureStack(), ComplianceProfile.COMMERCIAL, 'Hsm', { activate: true }).node.scope as any);
    expect(one(active, 'azurerm_key_vault_managed_hardware_security_module')).toMatchObject({
      security_domain_key_vault_certificate_ids: CERTS, security_domain_quorum: 2,
    });
  });
});

test('every construct that creates a vault passes the network on', () => {
  const stack = azureStack();
  new azure.ManagedKey(stack, 'Managed', { resourceGroupName: RG, location: LOCATION, acknowledgePurgeProtectionIsPermanent: true, network: vaultNetwork() });
  azureCmk(stack, ComplianceProfile.COMMERCIAL, 'Cmk');
  azureByok(stack, ComplianceProfile.COMMERCIAL, 'Byok');
  new azure.TenantKeyHierarchy(stack, 'Tenants', {
    resourceGroupName: RG,
    location: LOCATION,
    acknowledgePurgeProtectionIsPermanent: true,
    network: vaultNetwork(),
    custodians: { administrators: [ids.admin] },
    tenantsPerVault: 1,
    tenants: [{ tenantId: 'acme' }, { tenantId: 'globex' }],
    vaultNamePrefix: 'kvtenants',
  });
  const json = synth(stack);
  const vaults = Object.keys(resources(json, 'azurerm_key_vault'));
  expect(vaults).toHaveLength(5);
  const endpoints = Object.values(resources(json, 'azurerm_private_endpoint')) as any[];
  const targets = endpoints.map((pe) => /azurerm_key_vault\.([^.]+)\.id/.exec(pe.private_service_connection.private_connection_resource_id)![1]).sort();
  expect(targets).toEqual([...vaults].sort());
  for (const pe of endpoints) expect(pe.private_dns_zone_group.private_dns_zone_ids).toEqual([NET.vaultZone]);
});

describe('configurations Terraform could not deploy are refused at synthesis, naming the props', () => {
  test.each<[string, () => unknown, string | RegExp]>([
    ['a vault without a network', () => newVault(azureStack(), 'Vault', null),
      /network is required for test\/Vault: VaultNetwork.privateEndpoint\(\{ subnetId, privateDnsZoneId \}\).*or VaultNetwork.allowList\(\{ ipRanges \}\)/],
    ['a CustomerManagedKey creating its vault without a network', () => azureCmk(azureStack(), ComplianceProfile.COMMERCIAL, 'K', { network: undefined }),
      /network is required for test\/K\/Vault/],
    ['a TenantKeyHierarchy without a network', () => new azure.TenantKeyHierarchy(azureStack(), 'T', {
      resourceGroupName: RG,
      location: LOCATION,
      acknowledgePurgeProtectionIsPermanent: true,
      custodians: { administrators: [ids.admin] },
      network: undefined as any,
    }), /network is required for test\/T: every shard vault is reached through VaultNetwork.privateEndpoint/],
    ['a private endpoint without a DNS zone',
      () => azure.VaultNetwork.privateEndpoint({ subnetId: NET.endpointsSubnet }),
      /VaultNetwork.privateEndpoint needs privateDnsZoneId \(an existing privatelink zone\) or linkedVirtualNetworkIds .*got neither/],
    ['a private endpoint with a zone and networks to link',
      () => azure.VaultNetwork.privateEndpoint({ subnetId: NET.endpointsSubnet, privateDnsZoneId: NET.vaultZone, linkedVirtualNetworkIds: [VNET_A] }),
      /takes privateDnsZoneId \(an existing zone\) or linkedVirtualNetworkIds \(a zone created here\), not both/],
    ['a private endpoint without a subnet', () => azure.VaultNetwork.privateEndpoint({ subnetId: '', privateDnsZoneId: NET.vaultZone }),
      /^subnetId must be a non-empty string, got ""$/],
    ['a vault registered in the Managed HSM zone', () => newVault(azureStack(), 'Vault', hsmNetwork()),
      `network privateDnsZoneId must be the id of a privatelink.vaultcore.azure.net private DNS zone for Key Vault test/Vault, got ${NET.hsmZone}`],
    ['an HSM registered in the vault zone', () => azureHsm(azureStack(), ComplianceProfile.COMMERCIAL, 'Hsm', { network: vaultNetwork() }),
      /network privateDnsZoneId must be the id of a privatelink.managedhsm.azure.net private DNS zone for Managed HSM test\/Hsm/],
    ['an empty allow list', () => azure.VaultNetwork.allowList({}), /VaultNetwork.allowList needs ipRanges or subnetIds, got neither/],
    ['a private range in the allow list', () => newVault(azureStack(), 'Vault', azure.VaultNetwork.allowList({ ipRanges: ['10.1.0.0/16'] })),
      /network ipRanges must be public addresses: Key Vault refuses private \(RFC 1918\) ranges.*got 10\.1\.0\.0\/16 for test\/Vault/],
    ['an IPv6 range in the allow list', () => newVault(azureStack(), 'Vault', azure.VaultNetwork.allowList({ ipRanges: ['2001:db8::/32'] })),
      /network ipRanges must be IPv4 addresses or CIDR ranges.*got 2001:db8::\/32/],
    ['an allow list for a Managed HSM', () => azureHsm(azureStack(), ComplianceProfile.COMMERCIAL, 'Hsm', {
      network: azure.VaultNetwork.allowList({ ipRanges: ['203.0.113.0/24'] }),
    }), /network must be VaultNetwork.privateEndpoint for Managed HSM test\/Hsm: azurerm sets no IP or virtual network rules on a Managed HSM/],
    ['a Managed HSM without a network', () => azureHsm(azureStack(), ComplianceProfile.COMMERCIAL, 'Hsm', { network: undefined }),
      /network is required for Managed HSM test\/Hsm/],
    ['a Managed HSM without activate', () => azureHsm(azureStack(), ComplianceProfile.COMMERCIAL, 'Hsm', { activate: undefined }),
      /activate must be false for the first deployment of test\/Hsm .* and true from the second on/],
    ['a network next to a shared vault', () => {
      const s = azureStack();
      return azureCmk(s, ComplianceProfile.COMMERCIAL, 'K', { vault: newVault(s, 'V'), network: vaultNetwork() });
    }, 'network applies only to a vault test/K creates; test/V was given and has its own network'],
  ])('%s', (_what, build, message) => {
    expect(build).toThrow(message);
  });
});
