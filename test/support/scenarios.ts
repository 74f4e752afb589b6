import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { byokFor, CA_PEM, cmkFor, hsmVpc, newStack, people, profilesAllowing, secret, sinkFor, xksStoreFor } from './fixtures';
import { ComplianceProfile, DeploymentModel, TenantIsolation } from '../../src';
import * as aws from '../../src/aws';

/** One stack per construct and profile: what the snapshot, cdk-nag and cfn-lint suites run over. */
export interface Scenario {
  readonly name: string;
  readonly build: () => Stack;
}

const stackName = (construct: string, profile: ComplianceProfile) => `${construct}-${profile.name.replace(/_/g, '-')}`;

export function scenarios(): Scenario[] {
  const list: Scenario[] = [];
  for (const profile of profilesAllowing(DeploymentModel.PROVIDER_MANAGED)) {
    list.push({
      name: `ManagedKey/${profile.name}`,
      build: () => {
        const stack = newStack(stackName('ManagedKey', profile), new App());
        new aws.ManagedKey(stack, 'Key', { profile, auditSink: sinkFor(stack, profile), aliases: ['app/data'] });
        return stack;
      },
    });
  }
  for (const profile of profilesAllowing(DeploymentModel.CUSTOMER_MANAGED)) {
    list.push({
      name: `CustomerManagedKey/${profile.name}`,
      build: () => {
        const stack = newStack(stackName('CustomerManagedKey', profile), new App());
        const key = cmkFor(stack, profile, 'OrdersKey', { aliases: ['orders'] });
        const worker = new iam.Role(stack, 'Worker', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
        key.grantEncryptDecryptWhen(worker, { encryptionContext: { app: 'orders' } });
        return stack;
      },
    });
  }
  for (const profile of profilesAllowing(DeploymentModel.BYOK)) {
    list.push({
      name: `ByokImport/${profile.name}`,
      build: () => {
        const stack = newStack(stackName('ByokImport', profile), new App());
        byokFor(stack, profile, 'ImportedKey', { aliases: ['imported'] });
        return stack;
      },
    });
  }
  for (const profile of profilesAllowing(DeploymentModel.HYOK)) {
    list.push({
      name: `HyokExternalStore/${profile.name}`,
      build: () => {
        const stack = newStack(stackName('HyokExternalStore', profile), new App());
        const store = xksStoreFor(stack, profile);
        store.addKey('TenantKey', { xksKeyId: 'external-key-1', aliases: ['hyok/tenant'] });
        return stack;
      },
    });
  }
  list.push({
    name: 'CloudHsmCluster+HyokExternalStore/FEDRAMP_HIGH',
    build: () => {
      const profile = ComplianceProfile.FEDRAMP_HIGH;
      const stack = newStack('CloudHsm-FEDRAMP-HIGH', new App());
      const cluster = new aws.CloudHsmCluster(stack, 'Hsm', { vpc: hsmVpc(stack), acknowledgeHourlyCost: true });
      const p = people();
      const store = new aws.HyokExternalStore(stack, 'HsmStore', {
        profile,
        auditSink: sinkFor(stack, profile),
        backend: aws.KeyStoreBackend.cloudHsm({ cluster, trustAnchorCertificate: CA_PEM, kmsUserPassword: secret(stack, 'KmsUser') }),
        custodians: { administrators: [p.admin], users: [p.user], auditors: [p.auditor] },
      });
      store.addKey('HsmKey', { aliases: ['hsm/key'] });
      return stack;
    },
  });
  for (const profile of [ComplianceProfile.COMMERCIAL, ComplianceProfile.PCI_DSS]) {
    list.push({
      name: `EnvelopeEncryptionFunction/${profile.name}`,
      build: () => {
        const stack = newStack(stackName('EnvelopeEncryptionFunction', profile), new App());
        const key = cmkFor(stack, profile, 'OrdersKey');
        new aws.EnvelopeEncryptionFunction(stack, 'Envelope', { key, requiredContextKeys: ['tenant'], profile });
        return stack;
      },
    });
  }
  for (const profile of [ComplianceProfile.COMMERCIAL, ComplianceProfile.PCI_DSS]) {
    list.push({
      name: `TenantKeyHierarchy/${profile.name}`,
      build: () => {
        const stack = newStack(stackName('TenantKeyHierarchy', profile), new App());
        const p = people();
        const tenants = new aws.TenantKeyHierarchy(stack, 'Tenants', {
          profile,
          auditSink: profile.auditSinkRequired ? sinkFor(stack, profile) : undefined,
          isolation: TenantIsolation.TIERED,
          custodians: {
            administrators: [p.admin],
            auditors: [p.auditor],
            approvers: profile.dualControlRequired ? [p.approverA, p.approverB] : undefined,
          },
          tenants: [{ tenantId: 'acme', dedicated: true, users: [p.user] }, { tenantId: 'globex', dedicated: true, offboarded: true }, { tenantId: 'initech' }],
        });
        new aws.EnvelopeEncryptionFunction(stack, 'Envelope', { tenants, profile });
        return stack;
      },
    });
  }
  for (const profile of ComplianceProfile.builtIns()) {
    list.push({
      name: `KeyAuditSink/${profile.name}`,
      build: () => {
        const stack = newStack(stackName('KeyAuditSink', profile), new App());
        sinkFor(stack, profile);
        return stack;
      },
    });
  }
  return list;
}
