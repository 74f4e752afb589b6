import { TerraformStack } from 'cdktf';
import { azureByok, azureCmk, azureHsm, azureSink, azureStack, ids, LOCATION, RG, vaultNetwork } from './azure';
import { profilesAllowing } from './fixtures';
import { ComplianceProfile, DeploymentModel, TenantIsolation } from '../../src';
import * as azure from '../../src/azure';

/** One Terraform stack per Azure construct and profile: what the snapshot suite runs over. */
export interface AzureScenario {
  readonly name: string;
  readonly build: () => TerraformStack;
}

export function azureScenarios(): AzureScenario[] {
  const list: AzureScenario[] = [];
  const add = (construct: string, profiles: ComplianceProfile[], build: (stack: TerraformStack, profile: ComplianceProfile) => void) => {
    for (const profile of profiles) {
      list.push({
        name: `azure/${construct}/${profile.name}`,
        build: () => {
          const stack = azureStack(`${construct}-${profile.name.replace(/_/g, '-')}`);
          build(stack, profile);
          return stack;
        },
      });
    }
  };
  add('ManagedKey', profilesAllowing(DeploymentModel.PROVIDER_MANAGED), (stack, profile) => {
    const key = new azure.ManagedKey(stack, 'Key', {
      resourceGroupName: RG,
      location: LOCATION,
      profile,
      acknowledgePurgeProtectionIsPermanent: true,
      network: vaultNetwork(),
      auditSink: profile.auditSinkRequired ? azureSink(stack, profile) : undefined,
    });
    key.grantEncryptDecrypt(ids.user);
  });
  add('CustomerManagedKey', profilesAllowing(DeploymentModel.CUSTOMER_MANAGED), (stack, profile) => {
    azureCmk(stack, profile, 'OrdersKey', { network: azure.VaultNetwork.allowList({ ipRanges: ['203.0.113.0/24'] }) });
  });
  add('ByokImport', profilesAllowing(DeploymentModel.BYOK), (stack, profile) => {
    azureByok(stack, profile, 'ImportedKey', { keyImported: true });
  });
  add('HyokExternalStore', profilesAllowing(DeploymentModel.HYOK), (stack, profile) => {
    azureHsm(stack, profile).addKey('TenantKey');
  });
  add('KeyAuditSink', ComplianceProfile.builtIns(), (stack, profile) => {
    azureSink(stack, profile);
  });
  add('TenantKeyHierarchy', [ComplianceProfile.COMMERCIAL, ComplianceProfile.PCI_DSS], (stack, profile) => {
    new azure.TenantKeyHierarchy(stack, 'Tenants', {
      resourceGroupName: RG,
      location: LOCATION,
      profile,
      auditSink: profile.auditSinkRequired ? azureSink(stack, profile) : undefined,
      acknowledgePurgeProtectionIsPermanent: true,
      network: vaultNetwork(),
      isolation: TenantIsolation.TIERED,
      custodians: {
        administrators: [ids.admin],
        users: [ids.user],
        auditors: [ids.auditor],
        approvers: profile.dualControlRequired ? [ids.approverA, ids.approverB] : undefined,
      },
      tenants: [{ tenantId: 'acme', dedicated: true, users: [ids.importer] }, { tenantId: 'globex', dedicated: true, offboarded: true }, { tenantId: 'initech' }],
      vaultNamePrefix: 'kvtenants',
    });
  });
  return list;
}
