/*
 * The Azure examples as one cdktf app: a stack per deployment model.
 *   cdktf synth (in this directory), or npm run examples from the repository root.
 */
import { join } from 'path';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { App } from 'cdktf';
import { escalationAlerts, hubNetwork, KeysStack, LOCATION, people, securityAlerts } from './common';
import { compliance, ComplianceProfile, Control } from '../../src';
import * as azure from '../../src/azure';
import { organizationAzure } from '../organization/azure';
import { saasAzure } from '../saas/azure';

/**
 * Provider-managed (COMMERCIAL): a software key in a standard vault, closed to the internet but for one range (where
 * Terraform and the orders service run from).
 */
function providerManaged(app: App): void {
  const stack = new KeysStack(app, 'azure-provider-managed');
  const key = new azure.ManagedKey(stack, 'SessionKey', {
    resourceGroupName: stack.resourceGroupName,
    location: LOCATION,
    profile: ComplianceProfile.COMMERCIAL,
    acknowledgePurgeProtectionIsPermanent: true,
    network: azure.VaultNetwork.allowList({ ipRanges: ['203.0.113.0/24'] }),
  });
  key.grantEncryptDecrypt(people.ordersService);
}

/**
 * Customer-managed under PCI DSS: an HSM key in a premium vault reached only through a private endpoint, whose name
 * resolves in a private DNS zone linked to the network (Terraform runs in it, e.g. on a self-hosted runner),
 * administrators just in time with two approvers (PIM), audit logs write-once for a year. The storage account's
 * identity is granted the key, so trusted Microsoft services may pass the vault firewall.
 */
function customerManaged(app: App): void {
  const stack = new KeysStack(app, 'azure-customer-managed');
  const profile = ComplianceProfile.PCI_DSS;
  const network = new VirtualNetwork(stack, 'Network', {
    name: 'vnet-keys', resourceGroupName: stack.resourceGroupName, location: LOCATION, addressSpace: ['10.20.0.0/16'],
  });
  const endpoints = new Subnet(stack, 'Endpoints', {
    name: 'snet-private-endpoints', resourceGroupName: stack.resourceGroupName, virtualNetworkName: network.name, addressPrefixes: ['10.20.1.0/24'],
  });
  const auditSink = new azure.KeyAuditSink(stack, 'Audit', {
    resourceGroupName: stack.resourceGroupName,
    location: LOCATION,
    profile,
    auditors: [people.auditors],
    acknowledgeLockedRetention: true,
    notificationEmails: securityAlerts,
  });
  const key = new azure.CustomerManagedKey(stack, 'CardDataKey', {
    resourceGroupName: stack.resourceGroupName,
    location: LOCATION,
    profile,
    auditSink,
    acknowledgePurgeProtectionIsPermanent: true,
    network: azure.VaultNetwork.privateEndpoint({ subnetId: endpoints.id, linkedVirtualNetworkIds: [network.id] }),
    keySpec: azure.KeySpec.RSA_3072,
    custodians: {
      administrators: [people.keyAdministrators],
      users: [people.ordersService],
      auditors: [people.auditors],
      approvers: [people.approverA, people.approverB],
    },
  });
  // A storage account's managed identity wraps its account key with this key (customer-managed storage encryption).
  key.grantServiceEncryption(people.storageIdentity);
}

/** Bring your own key under FEDRAMP_HIGH: the target vault, the key-exchange key, importers who may only import. */
function byok(app: App): void {
  const stack = new KeysStack(app, 'azure-byok');
  const profile = ComplianceProfile.FEDRAMP_HIGH;
  const auditSink = new azure.KeyAuditSink(stack, 'Audit', {
    resourceGroupName: stack.resourceGroupName,
    location: LOCATION,
    profile,
    auditors: [people.auditors],
    acknowledgeLockedRetention: true,
    notificationEmails: securityAlerts,
    escalationEmails: escalationAlerts,
  });
  new azure.ByokImport(stack, 'LedgerKey', {
    resourceGroupName: stack.resourceGroupName,
    location: LOCATION,
    profile,
    auditSink,
    acknowledgePurgeProtectionIsPermanent: true,
    // The importers' workstations and Terraform reach the vault from this range.
    network: azure.VaultNetwork.allowList({ ipRanges: ['198.51.100.0/24'] }),
    keyName: 'ledger-byok',
    // Set to true after `cloud-kms byok azure import`, so the users get their role on the imported key.
    keyImported: false,
    custodians: {
      administrators: [people.keyAdministrators],
      users: [people.ordersService],
      auditors: [people.auditors],
      importers: [people.importers],
    },
  });
}

/**
 * Hold your own key under SOVEREIGN: a Managed HSM whose security domain is encrypted to three custodians'
 * certificates (any two recover it), with tenant keys inside, reached through a private endpoint registered in the hub's
 * privatelink.managedhsm.azure.net zone. Deployed twice: first with activate: false (HSM and endpoint), then as here.
 */
function hyok(app: App): void {
  const stack = new KeysStack(app, 'azure-hyok');
  const profile = ComplianceProfile.SOVEREIGN;
  const auditSink = new azure.KeyAuditSink(stack, 'Audit', {
    resourceGroupName: stack.resourceGroupName,
    location: LOCATION,
    profile,
    auditors: [people.auditors],
    acknowledgeLockedRetention: true,
    notificationEmails: securityAlerts,
    escalationEmails: escalationAlerts,
  });
  const store = new azure.HyokExternalStore(stack, 'Custody', {
    resourceGroupName: stack.resourceGroupName,
    location: LOCATION,
    profile,
    auditSink,
    acknowledgeHourlyBilling: true,
    // Certificates in a vault the custodians control; each holder keeps the private key offline.
    securityDomainCertificateIds: [1, 2, 3].map((n) => `https://kv-custody-certs.vault.azure.net/certificates/security-domain-${n}/0${n}0000000000000000000000000000${n}`),
    securityDomainQuorum: 2,
    hsmAdministrators: [people.hsmAdministrators],
    custodians: { administrators: [people.keyAdministrators], users: [people.ordersService], auditors: [people.auditors] },
    network: azure.VaultNetwork.privateEndpoint({ subnetId: hubNetwork.endpointsSubnetId, privateDnsZoneId: hubNetwork.managedHsmZoneId }),
    activate: true,
  });
  store.addKey('TenantA', { keyName: 'tenant-a' });
  store.addKey('TenantB', { keyName: 'tenant-b', keySpec: azure.KeySpec.RSA_4096 });
  // "Managed HSM Administrator" manages local role assignments, so its holders (the HSM administrators and, until it is
  // taken out after activation, the deployment identity) could grant themselves a crypto role: the access matrix names
  // both, and separation of duties reads partially satisfied. Accepted, in writing, with the control that narrows it.
  const reason = 'Managed HSM Administrator is held by the two-person HSM administration group under break-glass procedure; the deployment ' +
    'identity is removed from the HSM\'s local role assignments after activation (README: HyokExternalStore, after activation).';
  for (const control of [Control.NIST_AC_5, Control.NIST_AC_6, Control.ISO_A_5_3]) {
    compliance.ComplianceReport.acknowledgeControl(store, control, reason);
  }
  // AU-6 reads partially satisfied: the Managed HSM's local-RBAC and full-backup alerts match operation names Microsoft
  // does not document, so they may never fire. Accepted, with the review that covers it.
  compliance.ComplianceReport.acknowledgeControl(store, Control.NIST_AU_6, 'The HSM\'s local role assignments and definitions ' +
    'are reviewed from the HSM itself (az keyvault role assignment list) at each quarterly access review, since the alert on ' +
    'them rests on operation names Microsoft does not document.');
}


/** The app; `outdir` defaults to what cdktf passes (CDKTF_OUTDIR), else examples/out/azure. */
export function azureApp(outdir?: string): App {
  const app = new App({ outdir: outdir ?? process.env.CDKTF_OUTDIR ?? join(__dirname, '..', 'out', 'azure') });
  providerManaged(app);
  customerManaged(app);
  byok(app);
  hyok(app);
  saasAzure(app);
  organizationAzure(app);
  return app;
}

/* istanbul ignore next: run by cdktf synth */
if (require.main === module) {
  azureApp().synth();
}
