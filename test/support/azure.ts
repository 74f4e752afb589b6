import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { ComplianceProfile } from '../../src';
import * as azure from '../../src/azure';
import { ValidationError } from '../../src/core/validation';

/** Entra object ids for the people in the tests. */
export const ids = {
  admin: '11111111-1111-4111-8111-111111111111',
  user: '22222222-2222-4222-8222-222222222222',
  auditor: '33333333-3333-4333-8333-333333333333',
  approverA: '44444444-4444-4444-8444-444444444444',
  approverB: '55555555-5555-4555-8555-555555555555',
  importer: '66666666-6666-4666-8666-666666666666',
  hsmAdmin: '77777777-7777-4777-8777-777777777777',
};

export const RG = 'rg-keys';
export const LOCATION = 'westeurope';
/** The subscription the test stacks deploy to: generated global names (vaults, HSMs, storage accounts) carry it. */
export const SUBSCRIPTION = 'a1b2c3d4-0000-4000-8000-000000000001';

/** The network the test vaults and HSMs are reached through: a private endpoint registered in a hub's private DNS zone. */
export const NET = {
  endpointsSubnet: '/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-keys/subnets/endpoints',
  vaultZone: '/subscriptions/00000000-0000-4000-8000-000000000002/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net',
  hsmZone: '/subscriptions/00000000-0000-4000-8000-000000000002/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.managedhsm.azure.net',
};

export function vaultNetwork(): azure.VaultNetwork {
  return azure.VaultNetwork.privateEndpoint({ subnetId: NET.endpointsSubnet, privateDnsZoneId: NET.vaultZone });
}

export function hsmNetwork(): azure.VaultNetwork {
  return azure.VaultNetwork.privateEndpoint({ subnetId: NET.endpointsSubnet, privateDnsZoneId: NET.hsmZone });
}

export function azureStack(id = 'test'): TerraformStack {
  const stack = new TerraformStack(Testing.app(), id);
  new AzurermProvider(stack, 'azurerm', { features: [{}], subscriptionId: SUBSCRIPTION });
  return stack;
}

export type TfJson = { resource: Record<string, Record<string, any>>; data?: Record<string, Record<string, any>>; output?: Record<string, any> };

export function synth(stack: TerraformStack): TfJson {
  return JSON.parse(Testing.synth(stack));
}

/** Every resource of a type, by name. */
export function resources(json: TfJson, type: string): Record<string, any> {
  return json.resource[type] ?? {};
}

/** The one resource of a type whose name matches. */
export function one(json: TfJson, type: string, name: RegExp = /.*/): any {
  const found = Object.entries(resources(json, type)).filter(([n]) => name.test(n));
  if (found.length !== 1) throw new Error(`expected one ${type} matching ${name}, found ${found.map(([n]) => n).join(', ') || 'none'}`);
  return found[0][1];
}

export const SECURITY_EMAIL = 'key-alerts@example.com';

export function azureSink(stack: TerraformStack, profile: ComplianceProfile, id = 'Audit'): azure.KeyAuditSink {
  return new azure.KeyAuditSink(stack, id, {
    resourceGroupName: RG,
    location: LOCATION,
    profile,
    auditors: [ids.auditor],
    acknowledgeLockedRetention: true,
    notificationEmails: [SECURITY_EMAIL],
  });
}

export function azureCmk(stack: TerraformStack, profile: ComplianceProfile, id = 'OrdersKey', extra: Partial<azure.CustomerManagedKeyProps> = {}) {
  return new azure.CustomerManagedKey(stack, id, {
    resourceGroupName: RG,
    location: LOCATION,
    profile,
    auditSink: 'auditSink' in extra ? extra.auditSink : profile.auditSinkRequired ? azureSink(stack, profile) : undefined,
    acknowledgePurgeProtectionIsPermanent: true,
    network: extra.vault || extra.managedHsm ? undefined : vaultNetwork(),
    custodians: {
      administrators: [ids.admin],
      users: [ids.user],
      auditors: [ids.auditor],
      approvers: profile.dualControlRequired ? [ids.approverA, ids.approverB] : undefined,
    },
    ...extra,
  });
}

export const CERTS = [1, 2, 3].map((n) => `https://custody.vault.azure.net/certificates/sd-${n}/0000000000000000000000000000000${n}`);

export function azureHsm(stack: TerraformStack, profile: ComplianceProfile, id = 'Hsm', extra: Partial<azure.HyokExternalStoreProps> = {}) {
  return new azure.HyokExternalStore(stack, id, {
    resourceGroupName: RG,
    location: LOCATION,
    profile,
    acknowledgeHourlyBilling: true,
    auditSink: 'auditSink' in extra ? extra.auditSink : profile.auditSinkRequired ? azureSink(stack, profile) : undefined,
    securityDomainCertificateIds: CERTS,
    securityDomainQuorum: 2,
    hsmAdministrators: [ids.hsmAdmin],
    custodians: { administrators: [ids.admin], users: [ids.user], auditors: [ids.auditor] },
    network: hsmNetwork(),
    activate: true,
    ...extra,
  });
}

export function azureByok(stack: TerraformStack, profile: ComplianceProfile, id = 'ImportedKey', extra: Partial<azure.ByokImportProps> = {}) {
  return new azure.ByokImport(stack, id, {
    resourceGroupName: RG,
    location: LOCATION,
    profile,
    auditSink: 'auditSink' in extra ? extra.auditSink : profile.auditSinkRequired ? azureSink(stack, profile) : undefined,
    acknowledgePurgeProtectionIsPermanent: true,
    network: extra.vault || extra.managedHsm ? undefined : vaultNetwork(),
    custodians: {
      administrators: [ids.admin],
      users: [ids.user],
      auditors: [ids.auditor],
      importers: [ids.importer],
      approvers: profile.dualControlRequired ? [ids.approverA, ids.approverB] : undefined,
    },
    ...extra,
  });
}

/** The message of the ValidationError `f` throws (`f` runs once: a construct it made stays in the tree). */
export function refusal(f: () => unknown): string {
  let thrown: unknown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(ValidationError);
  return (thrown as Error).message;
}
