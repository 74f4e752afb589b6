/*
 * SaaS tenant isolation on Azure: a TIERED hierarchy of HSM keys sharded across premium vaults. Azure RBAC cannot
 * condition key use on an encryption context, so pooled tenants are isolated by the envelope function; tenant
 * identities get a role on their own key only. Part of the Azure example app (examples/out/azure).
 */
import { App } from 'cdktf';
import { ComplianceProfile, TenantIsolation, azure } from '../../src';
import { hubNetwork, KeysStack, LOCATION, people, securityAlerts } from '../azure/common';

export function saasAzure(app: App): void {
  const stack = new KeysStack(app, 'azure-saas-tenants');
  const profile = ComplianceProfile.HIPAA;
  const auditSink = new azure.KeyAuditSink(stack, 'Audit', {
    resourceGroupName: stack.resourceGroupName,
    location: LOCATION,
    profile,
    auditors: [people.auditors],
    acknowledgeLockedRetention: true,
    notificationEmails: securityAlerts,
  });
  new azure.TenantKeyHierarchy(stack, 'Tenants', {
    resourceGroupName: stack.resourceGroupName,
    location: LOCATION,
    profile,
    auditSink,
    acknowledgePurgeProtectionIsPermanent: true,
    // Every shard vault gets its own private endpoint; all register in the hub's privatelink.vaultcore.azure.net zone.
    network: azure.VaultNetwork.privateEndpoint({ subnetId: hubNetwork.endpointsSubnetId, privateDnsZoneId: hubNetwork.vaultZoneId }),
    isolation: TenantIsolation.TIERED,
    pools: ['standard', 'premium'],
    vaultNamePrefix: 'kvacmesaas',
    custodians: { administrators: [people.keyAdministrators], users: [people.ordersService], auditors: [people.auditors] },
    tenants: [
      { tenantId: 'acme-health', dedicated: true, users: [people.storageIdentity] },
      { tenantId: 'globex-clinics', dedicated: true },
      { tenantId: 'initech-dental', pool: 'standard' },
      { tenantId: 'hooli-labs', pool: 'premium' },
      { tenantId: 'umbrella-care', dedicated: true, offboarded: true },
    ],
  });
}
