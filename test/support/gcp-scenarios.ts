import { TerraformStack } from 'cdktf';
import { profilesAllowing } from './fixtures';
import { gcpByok, gcpCmk, gcpEkm, gcpSink, gcpStack, LOCATION, m, PROJECT } from './gcp';
import { ComplianceProfile, DeploymentModel, TenantIsolation } from '../../src';
import * as gcp from '../../src/gcp';

/** One Terraform stack per Google Cloud construct and profile: what the snapshot suite runs over. */
export interface GcpScenario {
  readonly name: string;
  readonly build: () => TerraformStack;
}

export function gcpScenarios(): GcpScenario[] {
  const list: GcpScenario[] = [];
  const add = (construct: string, profiles: ComplianceProfile[], build: (stack: TerraformStack, profile: ComplianceProfile) => void) => {
    for (const profile of profiles) {
      list.push({
        name: `gcp/${construct}/${profile.name}`,
        build: () => {
          const stack = gcpStack(`${construct}-${profile.name.replace(/_/g, '-')}`);
          build(stack, profile);
          return stack;
        },
      });
    }
  };
  add('ManagedKey', profilesAllowing(DeploymentModel.PROVIDER_MANAGED), (stack, profile) => {
    new gcp.ManagedKey(stack, 'Key', {
      project: PROJECT,
      location: LOCATION,
      profile,
      users: [m.user],
      auditSink: profile.auditSinkRequired ? gcpSink(stack, profile) : undefined,
    });
    new gcp.AutokeyHandles(stack, 'Autokey', { project: PROJECT, location: LOCATION, profile, resourceTypes: ['storage.googleapis.com/Bucket'] });
  });
  add('CustomerManagedKey', profilesAllowing(DeploymentModel.CUSTOMER_MANAGED), (stack, profile) => {
    gcpCmk(stack, profile, 'OrdersKey', { labels: { app: 'orders' } });
  });
  add('ByokImport', profilesAllowing(DeploymentModel.BYOK), (stack, profile) => {
    gcpByok(stack, profile);
  });
  add('HyokExternalStore', profilesAllowing(DeploymentModel.HYOK), (stack, profile) => {
    gcpEkm(stack, profile).addKey('TenantKey', { externalKeyPath: 'v0/keys/tenant' });
  });
  add('KeyAuditSink', ComplianceProfile.builtIns(), (stack, profile) => {
    gcpSink(stack, profile);
  });
  add('TenantKeyHierarchy', [ComplianceProfile.COMMERCIAL, ComplianceProfile.PCI_DSS], (stack, profile) => {
    new gcp.TenantKeyHierarchy(stack, 'Tenants', {
      project: PROJECT,
      location: LOCATION,
      profile,
      auditSink: profile.auditSinkRequired ? gcpSink(stack, profile) : undefined,
      isolation: TenantIsolation.TIERED,
      custodians: {
        administrators: [m.admin],
        users: [m.user],
        auditors: [m.auditor],
        approvers: profile.dualControlRequired ? [m.approverA, m.approverB] : undefined,
      },
      tenants: [{ tenantId: 'acme', dedicated: true, users: [m.importer] }, { tenantId: 'globex', dedicated: true, offboarded: true }, { tenantId: 'initech' }],
      keyRingPrefix: 'tenants',
    });
  });
  return list;
}
