/*
 * Every public AWS construct, from a valid fixture (the minimal valid props of test/aws), with the props the suite
 * mutates. Dependencies (a VPC, a key, a secret) are made in the case's stack; the mutated props are the construct's.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Target } from './harness';
import { AnyStack, Slot } from './mutations';
import { ComplianceProfile, FipsLevel, TenantIsolation } from '../../../src';
import * as aws from '../../../src/aws';
import { arn, CA_PEM, hsmVpc, newStack, people, secret, sinkFor } from '../../support/fixtures';

const custodianSlots = (...roles: string[]): Slot[] => [
  { path: 'custodians', kind: 'object' },
  ...roles.map((r) => ({ path: `custodians.${r}`, kind: 'awsPrincipals' as const })),
];

function stackIn(app?: App): Stack {
  return newStack('Fuzz', app);
}

const keySlots: Slot[] = [
  { path: 'profile', kind: 'object' },
  { path: 'auditSink', kind: 'object' },
  { path: 'rotation', kind: 'duration' },
  { path: 'deletionWindow', kind: 'duration' },
  { path: 'aliases', kind: 'aliases' },
  { path: 'description', kind: 'string' },
  { path: 'removalPolicy', kind: 'object' },
];

export const AWS_TARGETS: Target[] = [
  {
    cloud: 'aws',
    name: 'aws.ManagedKey',
    runs: 8,
    slots: keySlots,
    setup: (app) => ({
      stack: stackIn(app),
      props: { profile: ComplianceProfile.COMMERCIAL, rotation: Duration.days(365), deletionWindow: Duration.days(30), aliases: ['orders'], description: 'orders key' },
    }),
    build: (stack, props) => new aws.ManagedKey(stack as Stack, 'Subject', props as aws.ManagedKeyProps),
  },
  {
    cloud: 'aws',
    name: 'aws.CustomerManagedKey',
    runs: 12,
    slots: [
      ...keySlots,
      ...custodianSlots('administrators', 'users', 'auditors', 'approvers'),
      { path: 'deploymentPrincipal', kind: 'awsPrincipal' },
      { path: 'multiRegion', kind: 'bool' },
      { path: 'replicaRegions', kind: 'strings' },
      { path: 'keySpec', kind: 'object' },
      { path: 'keyUsage', kind: 'object' },
      { path: 'delegateToIam', kind: 'bool' },
    ],
    setup: (app) => {
      const p = people();
      return {
        stack: stackIn(app),
        props: {
          profile: ComplianceProfile.COMMERCIAL,
          custodians: { administrators: [p.admin], users: [p.user], auditors: [p.auditor] },
          rotation: Duration.days(365),
          deletionWindow: Duration.days(30),
          aliases: ['orders'],
          description: 'orders key',
          deploymentPrincipal: new iam.ArnPrincipal(arn('Deployer')),
        },
      };
    },
    build: (stack, props) => new aws.CustomerManagedKey(stack as Stack, 'Subject', props as aws.CustomerManagedKeyProps),
  },
  {
    cloud: 'aws',
    name: 'aws.ByokImport',
    runs: 10,
    slots: [
      ...keySlots.filter((s) => s.path !== 'rotation'),
      { path: 'rotationReminder', kind: 'duration' },
      ...custodianSlots('administrators', 'users', 'auditors', 'importers'),
      { path: 'keyMaterialExpiry', kind: 'object' },
      { path: 'deploymentPrincipal', kind: 'awsPrincipal' },
      { path: 'wrappingAlgorithm', kind: 'object' },
      { path: 'keySpec', kind: 'object' },
      { path: 'multiRegion', kind: 'bool' },
    ],
    setup: (app) => {
      const p = people();
      return {
        stack: stackIn(app),
        props: {
          profile: ComplianceProfile.COMMERCIAL,
          keyMaterialExpiry: aws.KeyMaterialExpiry.expiresAt(new Date('2030-06-01T00:00:00Z')),
          custodians: { administrators: [p.admin], users: [p.user], auditors: [p.auditor], importers: [p.importer] },
          rotationReminder: Duration.days(365),
          deletionWindow: Duration.days(30),
          aliases: ['imported'],
          description: 'imported key',
        },
      };
    },
    build: (stack, props) => new aws.ByokImport(stack as Stack, 'Subject', props as aws.ByokImportProps),
  },
  {
    cloud: 'aws',
    name: 'aws.KeyAuditSink',
    runs: 8,
    slots: [
      { path: 'profile', kind: 'object' },
      ...custodianSlots('administrators', 'auditors'),
      { path: 'retention', kind: 'duration' },
      { path: 'immutable', kind: 'bool' },
      { path: 'notificationEmails', kind: 'emails' },
      { path: 'trailName', kind: 'name' },
      { path: 'deploymentPrincipal', kind: 'awsPrincipal' },
      { path: 'grantRevocationBurstThreshold', kind: 'int' },
    ],
    setup: (app) => {
      const p = people();
      return {
        stack: stackIn(app),
        props: {
          profile: ComplianceProfile.COMMERCIAL,
          custodians: { administrators: [p.admin], auditors: [p.auditor] },
          retention: Duration.days(400),
          notificationEmails: ['soc@example.com'],
          trailName: 'kms-audit',
          grantRevocationBurstThreshold: 10,
        },
      };
    },
    build: (stack, props) => new aws.KeyAuditSink(stack as Stack, 'Subject', props as aws.KeyAuditSinkProps),
  },
  {
    cloud: 'aws',
    name: 'aws.CloudHsmCluster',
    runs: 8,
    slots: [
      { path: 'vpc', kind: 'object' },
      { path: 'acknowledgeHourlyCost', kind: 'bool' },
      { path: 'vpcSubnets', kind: 'object' },
      { path: 'hsmType', kind: 'object' },
      { path: 'hsmCount', kind: 'int' },
      { path: 'backupRetention', kind: 'duration' },
      { path: 'removalPolicy', kind: 'object' },
    ],
    setup: (app) => {
      const stack = stackIn(app);
      return {
        stack,
        props: {
          vpc: hsmVpc(stack),
          acknowledgeHourlyCost: true,
          hsmCount: 2,
          backupRetention: Duration.days(90),
          vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        },
      };
    },
    build: (stack, props) => new aws.CloudHsmCluster(stack as Stack, 'Subject', props as aws.CloudHsmClusterProps),
  },
  {
    cloud: 'aws',
    name: 'aws.HyokExternalStore',
    runs: 10,
    slots: [
      { path: 'profile', kind: 'object' },
      { path: 'backend', kind: 'object' },
      ...custodianSlots('administrators', 'users', 'auditors', 'approvers'),
      { path: 'customKeyStoreName', kind: 'name' },
      { path: 'connect', kind: 'bool' },
      { path: 'removalPolicy', kind: 'object' },
    ],
    setup: (app) => {
      const stack = stackIn(app);
      const p = people();
      return {
        stack,
        props: {
          profile: ComplianceProfile.SOVEREIGN,
          backend: aws.KeyStoreBackend.xksPublicEndpoint({
            uriEndpoint: 'https://xks.example.com',
            uriPath: '/example/kms/xks/v1',
            credential: secret(stack, 'XksCredential'),
            externalKeyManagerFipsLevel: FipsLevel.LEVEL_3,
          }),
          auditSink: sinkFor(stack, ComplianceProfile.SOVEREIGN),
          custodians: { administrators: [p.admin], users: [p.user], auditors: [p.auditor], approvers: [p.approverA, p.approverB] },
          customKeyStoreName: 'xks-store',
        },
      };
    },
    build: (stack, props) => new aws.HyokExternalStore(stack as Stack, 'Subject', props as aws.HyokExternalStoreProps),
  },
  {
    cloud: 'aws',
    name: 'aws.HyokExternalStore.cloudHsm',
    runs: 5,
    slots: [
      { path: 'trustAnchorCertificate', kind: 'string' },
      { path: 'kmsUserPassword', kind: 'object' },
      { path: 'cluster', kind: 'object' },
    ],
    setup: (app) => {
      const stack = stackIn(app);
      const cluster = new aws.CloudHsmCluster(stack, 'Hsm', { vpc: hsmVpc(stack), acknowledgeHourlyCost: true });
      return { stack, props: { cluster, trustAnchorCertificate: CA_PEM, kmsUserPassword: secret(stack, 'KmsUser') } };
    },
    build: (stack, props) => {
      const p = people();
      new aws.HyokExternalStore(stack as Stack, 'Subject', {
        profile: ComplianceProfile.COMMERCIAL,
        backend: aws.KeyStoreBackend.cloudHsm(props as aws.CloudHsmKeyStoreOptions),
        custodians: { administrators: [p.admin], users: [p.user] },
      });
    },
  },
  {
    cloud: 'aws',
    name: 'aws.HyokExternalStore.addKey',
    runs: 6,
    slots: [
      { path: 'xksKeyId', kind: 'string' },
      ...custodianSlots('administrators', 'users'),
      { path: 'aliases', kind: 'aliases' },
      { path: 'description', kind: 'string' },
      { path: 'deletionWindow', kind: 'duration' },
      { path: 'rotationReminder', kind: 'duration' },
    ],
    setup: (app) => {
      const stack = stackIn(app);
      return { stack, props: { xksKeyId: 'external-1', aliases: ['tenant-key'], description: 'external key', deletionWindow: Duration.days(30) } };
    },
    build: (stack, props) => {
      const p = people();
      const store = new aws.HyokExternalStore(stack as Stack, 'Store', {
        profile: ComplianceProfile.COMMERCIAL,
        backend: aws.KeyStoreBackend.xksPublicEndpoint({
          uriEndpoint: 'https://xks.example.com',
          uriPath: '/example/kms/xks/v1',
          credential: secret(stack as Stack, 'XksCredential'),
          externalKeyManagerFipsLevel: FipsLevel.LEVEL_3,
        }),
        custodians: { administrators: [p.admin], users: [p.user] },
      });
      store.addKey('Subject', props as aws.ExternalStoreKeyOptions);
    },
  },
  {
    cloud: 'aws',
    name: 'aws.EnvelopeEncryptionFunction',
    runs: 10,
    slots: [
      { path: 'key', kind: 'object' },
      { path: 'requiredContextKeys', kind: 'strings' },
      { path: 'profile', kind: 'object' },
      { path: 'suite', kind: 'object' },
      { path: 'cacheMaxAge', kind: 'duration' },
      { path: 'cacheMaxMessages', kind: 'int' },
      { path: 'maxRecordBytes', kind: 'int' },
      { path: 'reservedConcurrentExecutions', kind: 'int' },
      { path: 'memorySize', kind: 'int' },
      { path: 'timeout', kind: 'duration' },
      { path: 'callerProofServerId', kind: 'string' },
      { path: 'vpcSubnets', kind: 'object' },
      { path: 'logRetention', kind: 'object' },
    ],
    setup: (app) => {
      const stack = stackIn(app);
      const key = new aws.ManagedKey(stack, 'Key', { profile: ComplianceProfile.COMMERCIAL });
      return {
        stack,
        props: {
          key,
          requiredContextKeys: ['tenant', 'purpose'],
          cacheMaxAge: Duration.minutes(5),
          cacheMaxMessages: 1000,
          maxRecordBytes: 65536,
          reservedConcurrentExecutions: 10,
          memorySize: 512,
          timeout: Duration.seconds(30),
        },
      };
    },
    build: (stack, props) => new aws.EnvelopeEncryptionFunction(stack as Stack, 'Subject', props as aws.EnvelopeEncryptionFunctionProps),
  },
  {
    cloud: 'aws',
    name: 'aws.TenantKeyHierarchy',
    runs: 12,
    slots: [
      { path: 'profile', kind: 'object' },
      ...custodianSlots('administrators', 'users', 'auditors'),
      { path: 'rotation', kind: 'duration' },
      { path: 'deletionWindow', kind: 'duration' },
      { path: 'deploymentPrincipal', kind: 'awsPrincipal' },
      { path: 'isolation', kind: 'object' },
      { path: 'tenants', kind: 'object' },
      { path: 'tenants.0.tenantId', kind: 'name' },
      { path: 'tenants.1.pool', kind: 'name' },
      { path: 'pools', kind: 'strings' },
      { path: 'aliasPrefix', kind: 'name' },
      { path: 'tenantTagKey', kind: 'name' },
      { path: 'contextKey', kind: 'name' },
      { path: 'tenantsPerShard', kind: 'int' },
      { path: 'keyQuota', kind: 'int' },
    ],
    setup: (app) => {
      const p = people();
      return {
        stack: stackIn(app),
        props: {
          profile: ComplianceProfile.COMMERCIAL,
          custodians: { administrators: [p.admin], users: [new iam.ArnPrincipal(arn('TenantService'))], auditors: [p.auditor] },
          rotation: Duration.days(365),
          deletionWindow: Duration.days(30),
          isolation: TenantIsolation.TIERED,
          tenants: [{ tenantId: 'acme', dedicated: true }, { tenantId: 'initech', pool: 'standard' }],
          pools: ['standard'],
          aliasPrefix: 'saas/tenants',
          tenantsPerShard: 50,
        },
      };
    },
    build: (stack, props) => new aws.TenantKeyHierarchy(stack as Stack, 'Subject', props as aws.TenantKeyHierarchyProps),
  },
  {
    cloud: 'aws',
    name: 'aws.DualControlGate',
    runs: 5,
    slots: [{ path: 'approvalWindow', kind: 'duration' }],
    setup: (app) => ({ stack: stackIn(app), props: { approvalWindow: Duration.hours(4) } }),
    build: (stack, props) => new aws.DualControlGate(stack as Stack, 'Subject', props as aws.DualControlGateProps),
  },
];

export type { AnyStack };
