/*
 * Every public Azure and Google Cloud construct, from a valid fixture (the minimal valid props of test/azure and
 * test/gcp), with the props the suite mutates.
 */
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { Target } from './harness';
import { Slot } from './mutations';
import { ComplianceProfile, FipsLevel, Period, TenantIsolation } from '../../../src';
import * as azure from '../../../src/azure';
import * as gcp from '../../../src/gcp';
import { azureStack, CERTS, ids, LOCATION as AZ_LOCATION, NET, RG, SECURITY_EMAIL, vaultNetwork, hsmNetwork } from '../../support/azure';
import { CERT_DER, gcpStack, LOCATION as GCP_LOCATION, m, PROJECT, SD_SERVICE } from '../../support/gcp';

type Props = Record<string, any>;

/** The custodian slots of a cloud: Entra object ids on Azure, IAM members on Google Cloud. */
const custodianSlots = (cloud: 'azure' | 'gcp', ...names: string[]): Slot[] => [
  { path: 'custodians', kind: 'object' },
  ...names.map((r): Slot => ({ path: `custodians.${r}`, kind: cloud === 'azure' ? 'objectIds' : 'members' })),
];

const azureKeyOptionSlots: Slot[] = [
  { path: 'resourceGroupName', kind: 'name' },
  { path: 'location', kind: 'name' },
  { path: 'profile', kind: 'object' },
  { path: 'auditSink', kind: 'object' },
  { path: 'keyName', kind: 'name' },
  { path: 'keySpec', kind: 'object' },
  { path: 'keyUsage', kind: 'object' },
  { path: 'rotation', kind: 'period' },
  { path: 'expireAfter', kind: 'period' },
  { path: 'notifyBeforeExpiry', kind: 'period' },
  { path: 'acknowledgePurgeProtectionIsPermanent', kind: 'bool' },
  { path: 'vaultName', kind: 'name' },
  { path: 'network', kind: 'object' },
];

const azureKeyOptions = (): Props => ({
  resourceGroupName: RG,
  location: AZ_LOCATION,
  profile: ComplianceProfile.COMMERCIAL,
  acknowledgePurgeProtectionIsPermanent: true,
  network: vaultNetwork(),
  keyName: 'orders',
  rotation: Period.days(365),
  expireAfter: Period.days(730),
  notifyBeforeExpiry: Period.days(30),
  vaultName: 'kv-orders-fuzz',
});

const tf = (cloud: 'azure' | 'gcp', name: string, runs: number, slots: Slot[], props: () => Props,
  build: (scope: Construct, props: Props) => void): Target => ({
  cloud,
  name: `${cloud}.${name}`,
  runs,
  slots,
  setup: () => {
    const stack = cloud === 'azure' ? azureStack('fuzz') : gcpStack('fuzz');
    return { stack, props: props() };
  },
  build: (stack, p) => build(stack as TerraformStack, p),
});

/** A vault whose network is the mutated option object. */
const vaultWith = (s: Construct, network: azure.VaultNetwork) => new azure.KeyVault(s, 'Subject', {
  resourceGroupName: RG, location: AZ_LOCATION, acknowledgePurgeProtectionIsPermanent: true, network,
});

export const AZURE_TARGETS: Target[] = [
  tf('azure', 'KeyAuditSink', 12, [
    { path: 'resourceGroupName', kind: 'name' },
    { path: 'location', kind: 'name' },
    { path: 'profile', kind: 'object' },
    { path: 'retention', kind: 'period' },
    { path: 'immutable', kind: 'bool' },
    { path: 'acknowledgeLockedRetention', kind: 'bool' },
    { path: 'auditors', kind: 'objectIds' },
    { path: 'workspaceName', kind: 'name' },
    { path: 'storageAccountName', kind: 'name' },
    { path: 'notificationEmails', kind: 'emails' },
    { path: 'alertWebhookUrl', kind: 'string' },
    { path: 'escalationEmails', kind: 'emails' },
    { path: 'failedAuthorizationBurstThreshold', kind: 'int' },
  ], () => ({
    resourceGroupName: RG,
    location: AZ_LOCATION,
    profile: ComplianceProfile.COMMERCIAL,
    retention: Period.days(400),
    auditors: [ids.auditor],
    acknowledgeLockedRetention: true,
    notificationEmails: [SECURITY_EMAIL],
    escalationEmails: ['key-oncall@example.com'],
    workspaceName: 'law-kms-audit',
    alertWebhookUrl: 'https://hooks.example.com/kms',
    failedAuthorizationBurstThreshold: 10,
  }), (s, p) => new azure.KeyAuditSink(s, 'Subject', p as azure.KeyAuditSinkProps)),

  tf('azure', 'KeyVault', 12, [
    { path: 'resourceGroupName', kind: 'name' },
    { path: 'location', kind: 'name' },
    { path: 'acknowledgePurgeProtectionIsPermanent', kind: 'bool' },
    { path: 'name', kind: 'name' },
    { path: 'sku', kind: 'object' },
    { path: 'tenantId', kind: 'string' },
    { path: 'softDeleteRetention', kind: 'period' },
    { path: 'profile', kind: 'object' },
    { path: 'auditOptOutReason', kind: 'string' },
    { path: 'network', kind: 'object' },
    { path: 'administrators', kind: 'objectIds' },
    { path: 'approvers', kind: 'objectIds' },
    { path: 'deploymentPrincipalId', kind: 'string' },
    { path: 'backupOperators', kind: 'objectIds' },
  ], () => ({
    resourceGroupName: RG,
    location: AZ_LOCATION,
    acknowledgePurgeProtectionIsPermanent: true,
    network: vaultNetwork(),
    name: 'kv-fuzz-vault',
    softDeleteRetention: Period.days(90),
    administrators: [ids.admin],
    backupOperators: [ids.importer],
  }), (s, p) => new azure.KeyVault(s, 'Subject', p as azure.KeyVaultProps)),

  tf('azure', 'VaultNetwork.privateEndpoint', 6, [
    { path: 'subnetId', kind: 'string' },
    { path: 'privateDnsZoneId', kind: 'string' },
    { path: 'resourceGroupName', kind: 'name' },
    { path: 'location', kind: 'name' },
    { path: 'allowTrustedServices', kind: 'bool' },
  ], () => ({ subnetId: NET.endpointsSubnet, privateDnsZoneId: NET.vaultZone }),
  (s, p) => vaultWith(s, azure.VaultNetwork.privateEndpoint(p as azure.VaultPrivateEndpointOptions))),

  // privateDnsZoneId and linkedVirtualNetworkIds exclude each other: each has its own fixture, so that setting the
  // absent one is not counted as a failure to name a value.
  tf('azure', 'VaultNetwork.privateEndpoint linked', 4, [
    { path: 'subnetId', kind: 'string' },
    { path: 'linkedVirtualNetworkIds', kind: 'strings' },
  ], () => ({ subnetId: NET.endpointsSubnet, linkedVirtualNetworkIds: [NET.endpointsSubnet.replace(/\/subnets\/endpoints$/, '')] }),
  (s, p) => vaultWith(s, azure.VaultNetwork.privateEndpoint(p as azure.VaultPrivateEndpointOptions))),

  tf('azure', 'VaultNetwork.allowList', 6, [
    { path: 'ipRanges', kind: 'strings' },
    { path: 'subnetIds', kind: 'strings' },
    { path: 'allowTrustedServices', kind: 'bool' },
  ], () => ({ ipRanges: ['203.0.113.0/24'] }),
  (s, p) => vaultWith(s, azure.VaultNetwork.allowList(p as azure.VaultAllowListOptions))),

  tf('azure', 'CustomerManagedKey', 15, [
    ...azureKeyOptionSlots,
    ...custodianSlots('azure', 'administrators', 'users', 'auditors', 'approvers', 'backupOperators'),
    { path: 'userRole', kind: 'object' },
  ], () => ({
    ...azureKeyOptions(),
    custodians: { administrators: [ids.admin], users: [ids.user], auditors: [ids.auditor] },
  }), (s, p) => new azure.CustomerManagedKey(s, 'Subject', p as azure.CustomerManagedKeyProps)),

  tf('azure', 'ManagedKey', 10, [
    ...azureKeyOptionSlots,
    { path: 'users', kind: 'objectIds' },
  ], () => ({ ...azureKeyOptions(), users: [ids.user] }),
  (s, p) => new azure.ManagedKey(s, 'Subject', p as azure.ManagedKeyProps)),

  tf('azure', 'ByokImport', 12, [
    ...azureKeyOptionSlots,
    ...custodianSlots('azure', 'administrators', 'users', 'auditors', 'importers'),
    { path: 'keyImported', kind: 'bool' },
    { path: 'kekName', kind: 'name' },
    { path: 'kekSize', kind: 'object' },
  ], () => ({
    ...azureKeyOptions(),
    custodians: { administrators: [ids.admin], users: [ids.user], auditors: [ids.auditor], importers: [ids.importer] },
    kekName: 'orders-kek',
  }), (s, p) => new azure.ByokImport(s, 'Subject', p as azure.ByokImportProps)),

  tf('azure', 'HyokExternalStore', 12, [
    { path: 'resourceGroupName', kind: 'name' },
    { path: 'location', kind: 'name' },
    { path: 'acknowledgeHourlyBilling', kind: 'bool' },
    { path: 'securityDomainCertificateIds', kind: 'strings' },
    { path: 'securityDomainQuorum', kind: 'int' },
    { path: 'hsmAdministrators', kind: 'objectIds' },
    ...custodianSlots('azure', 'administrators', 'users', 'auditors'),
    { path: 'network', kind: 'object' },
    { path: 'activate', kind: 'bool' },
    { path: 'profile', kind: 'object' },
    { path: 'auditOptOutReason', kind: 'string' },
    { path: 'name', kind: 'name' },
    { path: 'softDeleteRetention', kind: 'period' },
    { path: 'deploymentPrincipalId', kind: 'string' },
  ], () => ({
    resourceGroupName: RG,
    location: AZ_LOCATION,
    profile: ComplianceProfile.COMMERCIAL,
    acknowledgeHourlyBilling: true,
    securityDomainCertificateIds: CERTS,
    securityDomainQuorum: 2,
    hsmAdministrators: [ids.hsmAdmin],
    custodians: { administrators: [ids.admin], users: [ids.user], auditors: [ids.auditor] },
    network: hsmNetwork(),
    activate: true,
    name: 'hsm-fuzz',
    softDeleteRetention: Period.days(90),
  }), (s, p) => new azure.HyokExternalStore(s, 'Subject', p as azure.HyokExternalStoreProps)),

  tf('azure', 'HyokExternalStore.addKey', 8, [
    { path: 'keyName', kind: 'name' },
    { path: 'keySpec', kind: 'object' },
    { path: 'keyUsage', kind: 'object' },
    { path: 'rotation', kind: 'period' },
    { path: 'expireAfter', kind: 'period' },
    ...custodianSlots('azure', 'administrators', 'users'),
  ], () => ({ keyName: 'tenant-key', rotation: Period.days(365), expireAfter: Period.days(730) }),
  (s, p) => {
    const store = new azure.HyokExternalStore(s, 'Store', {
      resourceGroupName: RG,
      location: AZ_LOCATION,
      acknowledgeHourlyBilling: true,
      securityDomainCertificateIds: CERTS,
      securityDomainQuorum: 2,
      hsmAdministrators: [ids.hsmAdmin],
      custodians: { administrators: [ids.admin], users: [ids.user] },
      network: hsmNetwork(),
      activate: true,
    });
    store.addKey('Subject', p as azure.ManagedHsmKeyOptions);
  }),

  tf('azure', 'TenantKeyHierarchy', 14, [
    { path: 'resourceGroupName', kind: 'name' },
    { path: 'location', kind: 'name' },
    ...custodianSlots('azure', 'administrators', 'users', 'auditors'),
    { path: 'profile', kind: 'object' },
    { path: 'keySpec', kind: 'object' },
    { path: 'rotation', kind: 'period' },
    { path: 'expireAfter', kind: 'period' },
    { path: 'notifyBeforeExpiry', kind: 'period' },
    { path: 'acknowledgePurgeProtectionIsPermanent', kind: 'bool' },
    { path: 'isolation', kind: 'object' },
    { path: 'tenants', kind: 'object' },
    { path: 'tenants.0.tenantId', kind: 'name' },
    { path: 'tenants.1.pool', kind: 'name' },
    { path: 'tenants.0.users', kind: 'objectIds' },
    { path: 'pools', kind: 'strings' },
    { path: 'tenantsPerVault', kind: 'int' },
    { path: 'vaultNamePrefix', kind: 'name' },
    { path: 'roleAssignmentQuota', kind: 'int' },
    { path: 'network', kind: 'object' },
  ], () => ({
    resourceGroupName: RG,
    location: AZ_LOCATION,
    acknowledgePurgeProtectionIsPermanent: true,
    network: vaultNetwork(),
    vaultNamePrefix: 'kvtenants',
    custodians: { administrators: [ids.admin], users: [ids.user], auditors: [ids.auditor] },
    isolation: TenantIsolation.TIERED,
    tenants: [{ tenantId: 'acme', dedicated: true, users: ['88888888-8888-4888-8888-888888888888'] }, { tenantId: 'initech', pool: 'standard' }],
    pools: ['standard'],
    tenantsPerVault: 20,
    rotation: Period.days(365),
  }), (s, p) => new azure.TenantKeyHierarchy(s, 'Subject', p as azure.TenantKeyHierarchyProps)),
];

const gcpKeyOptionSlots: Slot[] = [
  { path: 'project', kind: 'name' },
  { path: 'location', kind: 'name' },
  { path: 'profile', kind: 'object' },
  { path: 'auditSink', kind: 'object' },
  { path: 'keyRingName', kind: 'name' },
  { path: 'keyName', kind: 'name' },
  { path: 'algorithm', kind: 'object' },
  { path: 'rotation', kind: 'period' },
  { path: 'destroyScheduledDuration', kind: 'period' },
  { path: 'labels', kind: 'object' },
  { path: 'deploymentPrincipal', kind: 'string' },
];

const gcpKeyOptions = (): Props => ({
  project: PROJECT,
  location: GCP_LOCATION,
  profile: ComplianceProfile.COMMERCIAL,
  keyRingName: 'orders',
  keyName: 'orders-key',
  rotation: Period.days(90),
  destroyScheduledDuration: Period.days(30),
  labels: { team: 'orders' },
  deploymentPrincipal: 'serviceAccount:deployer@payments-prod.iam.gserviceaccount.com',
});

const ekmVpc = (): Props => ({
  serviceDirectoryService: SD_SERVICE, hostname: 'ekm.example.com', serverCertificates: [CERT_DER], externalKeyManagerFipsLevel: FipsLevel.LEVEL_3,
});

export const GCP_TARGETS: Target[] = [
  tf('gcp', 'KeyAuditSink', 12, [
    { path: 'project', kind: 'name' },
    { path: 'location', kind: 'name' },
    { path: 'profile', kind: 'object' },
    { path: 'retention', kind: 'period' },
    { path: 'destination', kind: 'object' },
    { path: 'immutable', kind: 'bool' },
    { path: 'acknowledgeLockedRetention', kind: 'bool' },
    { path: 'auditors', kind: 'members' },
    { path: 'bucketName', kind: 'name' },
    { path: 'notificationEmails', kind: 'emails' },
    { path: 'notificationChannels', kind: 'strings' },
    { path: 'escalationEmails', kind: 'emails' },
    { path: 'escalationChannels', kind: 'strings' },
    { path: 'manageDataAccessLogs', kind: 'bool' },
  ], () => ({
    project: PROJECT,
    location: 'EU',
    profile: ComplianceProfile.COMMERCIAL,
    auditors: [m.auditor],
    retention: Period.days(400),
    acknowledgeLockedRetention: true,
    bucketName: 'payments-prod-kms-audit',
    notificationEmails: [m.securityTeam],
    escalationEmails: [m.securityOnCall],
  }), (s, p) => new gcp.KeyAuditSink(s, 'Subject', p as gcp.KeyAuditSinkProps)),

  tf('gcp', 'KeyRing', 8, [
    { path: 'project', kind: 'name' },
    { path: 'location', kind: 'name' },
    { path: 'name', kind: 'name' },
    { path: 'profile', kind: 'object' },
    { path: 'administrators', kind: 'members' },
    { path: 'approvers', kind: 'members' },
    { path: 'deploymentPrincipal', kind: 'string' },
  ], () => ({ project: PROJECT, location: GCP_LOCATION, name: 'payments', administrators: [m.admin] }),
  (s, p) => new gcp.KeyRing(s, 'Subject', p as gcp.KeyRingProps)),

  tf('gcp', 'CustomerManagedKey', 15, [
    ...gcpKeyOptionSlots,
    ...custodianSlots('gcp', 'administrators', 'users', 'auditors', 'approvers'),
    { path: 'protectionLevel', kind: 'object' },
  ], () => ({ ...gcpKeyOptions(), custodians: { administrators: [m.admin], users: [m.user], auditors: [m.auditor] } }),
  (s, p) => new gcp.CustomerManagedKey(s, 'Subject', p as gcp.CustomerManagedKeyProps)),

  tf('gcp', 'ManagedKey', 10, [
    ...gcpKeyOptionSlots,
    { path: 'users', kind: 'members' },
  ], () => ({ ...gcpKeyOptions(), users: [m.user] }),
  (s, p) => new gcp.ManagedKey(s, 'Subject', p as gcp.ManagedKeyProps)),

  tf('gcp', 'AutokeyHandles', 8, [
    { path: 'project', kind: 'name' },
    { path: 'location', kind: 'name' },
    { path: 'resourceTypes', kind: 'strings' },
    { path: 'folder', kind: 'string' },
    { path: 'keyProject', kind: 'name' },
    { path: 'profile', kind: 'object' },
  ], () => ({
    project: PROJECT, location: GCP_LOCATION, folder: 'folders/123456', keyProject: 'kms-keys', resourceTypes: ['compute.googleapis.com/Disk', 'storage.googleapis.com/Bucket'],
  }), (s, p) => new gcp.AutokeyHandles(s, 'Subject', p as gcp.AutokeyHandlesProps)),

  tf('gcp', 'ByokImport', 12, [
    ...gcpKeyOptionSlots,
    ...custodianSlots('gcp', 'administrators', 'users', 'auditors', 'importers'),
    { path: 'importMethod', kind: 'object' },
    { path: 'importJobId', kind: 'name' },
  ], () => ({
    ...gcpKeyOptions(),
    custodians: { administrators: [m.admin], users: [m.user], auditors: [m.auditor], importers: [m.importer] },
    importJobId: 'orders-import',
  }), (s, p) => new gcp.ByokImport(s, 'Subject', p as gcp.ByokImportProps)),

  tf('gcp', 'HyokExternalStore', 12, [
    { path: 'project', kind: 'name' },
    { path: 'location', kind: 'name' },
    { path: 'backend', kind: 'object' },
    ...custodianSlots('gcp', 'administrators', 'users', 'auditors'),
    { path: 'acknowledgeEkmConnectionIsPermanent', kind: 'bool' },
    { path: 'profile', kind: 'object' },
    { path: 'connectionName', kind: 'name' },
    { path: 'keyRingName', kind: 'name' },
    { path: 'deploymentPrincipal', kind: 'string' },
  ], () => ({
    project: PROJECT,
    location: GCP_LOCATION,
    profile: ComplianceProfile.COMMERCIAL,
    acknowledgeEkmConnectionIsPermanent: true,
    backend: gcp.EkmBackend.vpc(ekmVpc() as gcp.EkmVpcOptions),
    custodians: { administrators: [m.admin], users: [m.user], auditors: [m.auditor] },
    connectionName: 'ekm-conn',
    keyRingName: 'ekm-ring',
  }), (s, p) => new gcp.HyokExternalStore(s, 'Subject', p as gcp.HyokExternalStoreProps)),

  tf('gcp', 'EkmBackend.vpc', 8, [
    { path: 'serviceDirectoryService', kind: 'string' },
    { path: 'hostname', kind: 'name' },
    { path: 'serverCertificates', kind: 'strings' },
    { path: 'externalKeyManagerFipsLevel', kind: 'object' },
    { path: 'endpointFilter', kind: 'string' },
    { path: 'serviceDirectoryProject', kind: 'name' },
  ], ekmVpc, (s, p) => new gcp.HyokExternalStore(s, 'Subject', {
    project: PROJECT,
    location: GCP_LOCATION,
    acknowledgeEkmConnectionIsPermanent: true,
    backend: gcp.EkmBackend.vpc(p as gcp.EkmVpcOptions),
    custodians: { administrators: [m.admin], users: [m.user] },
  })),

  tf('gcp', 'HyokExternalStore.addKey', 8, [
    { path: 'externalKeyPath', kind: 'string' },
    { path: 'keyName', kind: 'name' },
    { path: 'algorithm', kind: 'object' },
    { path: 'rotation', kind: 'period' },
    { path: 'destroyScheduledDuration', kind: 'period' },
    { path: 'labels', kind: 'object' },
    ...custodianSlots('gcp', 'administrators', 'users'),
  ], () => ({ externalKeyPath: 'v0/keys/orders', keyName: 'orders-ext', destroyScheduledDuration: Period.days(30) }),
  (s, p) => {
    const store = new gcp.HyokExternalStore(s, 'Store', {
      project: PROJECT,
      location: GCP_LOCATION,
      acknowledgeEkmConnectionIsPermanent: true,
      backend: gcp.EkmBackend.vpc(ekmVpc() as gcp.EkmVpcOptions),
      custodians: { administrators: [m.admin], users: [m.user] },
    });
    store.addKey('Subject', p as gcp.ExternalKeyOptions);
  }),

  tf('gcp', 'TenantKeyHierarchy', 14, [
    { path: 'project', kind: 'name' },
    { path: 'location', kind: 'name' },
    ...custodianSlots('gcp', 'administrators', 'users', 'auditors'),
    { path: 'profile', kind: 'object' },
    { path: 'protectionLevel', kind: 'object' },
    { path: 'rotation', kind: 'period' },
    { path: 'destroyScheduledDuration', kind: 'period' },
    { path: 'isolation', kind: 'object' },
    { path: 'tenants', kind: 'object' },
    { path: 'tenants.0.tenantId', kind: 'name' },
    { path: 'tenants.1.pool', kind: 'name' },
    { path: 'tenants.0.users', kind: 'members' },
    { path: 'pools', kind: 'strings' },
    { path: 'tenantsPerKeyRing', kind: 'int' },
    { path: 'keyRingPrefix', kind: 'name' },
    { path: 'deploymentPrincipal', kind: 'string' },
  ], () => ({
    project: PROJECT,
    location: GCP_LOCATION,
    keyRingPrefix: 'tenants',
    custodians: { administrators: [m.admin], users: [m.user], auditors: [m.auditor] },
    isolation: TenantIsolation.TIERED,
    tenants: [{ tenantId: 'acme', dedicated: true, users: ['serviceAccount:acme@payments-prod.iam.gserviceaccount.com'] }, { tenantId: 'initech', pool: 'standard' }],
    pools: ['standard'],
    tenantsPerKeyRing: 20,
    rotation: Period.days(90),
  }), (s, p) => new gcp.TenantKeyHierarchy(s, 'Subject', p as gcp.TenantKeyHierarchyProps)),
];
