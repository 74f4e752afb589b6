import { App, NestedStack, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ComplianceProfile, DeploymentModel, FipsLevel } from '../../src';
import * as aws from '../../src/aws';

export const ACCOUNT = '111111111111';
export const REGION = 'us-east-1';

export function newStack(id = 'Test', app = new App()): Stack {
  const stack = new Stack(app, id, { env: { account: ACCOUNT, region: REGION } });
  return stack;
}

export const arn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

/** Named principals as ARNs, so templates show them literally. */
export function people() {
  return {
    admin: new iam.ArnPrincipal(arn('KeyAdmin')),
    user: new iam.ArnPrincipal(arn('OrdersService')),
    auditor: new iam.ArnPrincipal(arn('Auditor')),
    approverA: new iam.ArnPrincipal(arn('ApproverA')),
    approverB: new iam.ArnPrincipal(arn('ApproverB')),
    importer: new iam.ArnPrincipal(arn('KeyImporter')),
  };
}

/** The CloudFormation execution role the default synthesizer deploys with, as it appears in the key policy. */
export const DEPLOYER = { 'Fn::Sub': `arn:\${AWS::Partition}:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}` };

export function sinkFor(stack: Stack, profile: ComplianceProfile, id = 'Audit'): aws.KeyAuditSink {
  const p = people();
  return new aws.KeyAuditSink(stack, id, {
    profile,
    custodians: {
      administrators: [p.admin],
      auditors: [p.auditor],
      approvers: profile.dualControlRequired ? [p.approverA, p.approverB] : undefined,
    },
  });
}

/** A CustomerManagedKey with everything a profile requires. */
export function cmkFor(stack: Stack, profile: ComplianceProfile, id = 'OrdersKey', extra: Partial<aws.CustomerManagedKeyProps> = {}) {
  const p = people();
  return new aws.CustomerManagedKey(stack, id, {
    profile,
    auditSink: 'auditSink' in extra ? extra.auditSink : profile.auditSinkRequired ? sinkFor(stack, profile) : undefined,
    custodians: {
      administrators: [p.admin],
      users: [p.user],
      auditors: [p.auditor],
      approvers: profile.dualControlRequired ? [p.approverA, p.approverB] : undefined,
    },
    ...extra,
  });
}

/** A ByokImport with everything a profile requires. */
export function byokFor(stack: Stack, profile: ComplianceProfile, id = 'ImportedKey', extra: Partial<aws.ByokImportProps> = {}) {
  const p = people();
  return new aws.ByokImport(stack, id, {
    profile,
    keyMaterialExpiry: aws.KeyMaterialExpiry.expiresAt(new Date('2030-06-01T00:00:00Z')),
    auditSink: 'auditSink' in extra ? extra.auditSink : profile.auditSinkRequired ? sinkFor(stack, profile) : undefined,
    custodians: {
      administrators: [p.admin],
      users: [p.user],
      auditors: [p.auditor],
      importers: [p.importer],
      approvers: profile.dualControlRequired ? [p.approverA, p.approverB] : undefined,
    },
    ...extra,
  });
}

/** A VPC with private isolated subnets in two zones, as a CloudHSM cluster needs. */
export function hsmVpc(stack: Stack): ec2.Vpc {
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: [`${REGION}a`, `${REGION}b`],
    natGateways: 0,
    subnetConfiguration: [{ name: 'hsm', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
  });
  // The VPC stands in for the customer's own network, whose flow logs and default security group are theirs.
  const reason = 'Test VPC standing in for the customer network; its flow logs and default security group are the customer\'s.';
  Validations.of(vpc).acknowledge(
    { id: 'AwsSolutions-VPC7', reason },
    ...['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].flatMap((pack) => [
      { id: `${pack}-VPCFlowLogsEnabled`, reason }, { id: `${pack}-VPCDefaultSecurityGroupClosed`, reason },
    ]),
  );
  return vpc;
}

export const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUExample\n-----END CERTIFICATE-----';

/** A secret by ARN, as custodians create them outside the stack. */
export function secret(stack: Stack, id: string): secretsmanager.ISecret {
  const existing = stack.node.tryFindChild(id) as secretsmanager.ISecret | undefined;
  return existing ?? secretsmanager.Secret.fromSecretCompleteArn(stack, id, `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${id}-AbCdEf`);
}

/** An XKS HyokExternalStore with everything a profile requires. */
export function xksStoreFor(stack: Stack, profile: ComplianceProfile, id = 'Store', extra: Partial<aws.HyokExternalStoreProps> = {}) {
  const p = people();
  return new aws.HyokExternalStore(stack, id, {
    profile,
    backend: aws.KeyStoreBackend.xksPublicEndpoint({
      uriEndpoint: 'https://xks.example.com',
      uriPath: '/example/kms/xks/v1',
      credential: secret(stack, 'XksCredential'),
      externalKeyManagerFipsLevel: FipsLevel.LEVEL_3,
    }),
    auditSink: 'auditSink' in extra ? extra.auditSink : profile.auditSinkRequired ? sinkFor(stack, profile) : undefined,
    custodians: {
      administrators: [p.admin],
      users: [p.user],
      auditors: [p.auditor],
      approvers: profile.dualControlRequired ? [p.approverA, p.approverB] : undefined,
    },
    ...extra,
  });
}

export const profilesAllowing = (model: DeploymentModel) => ComplianceProfile.builtIns().filter((p) => p.allows(model));

/**
 * The key's custodian policy: the AWS::KMS::Key's KeyPolicy, or under dual control the policy the gate installs
 * (Custom::CloudKmsGatedKeyPolicy; the key itself then carries its fixed genesis policy, see genesisPolicyOf).
 */
export function keyPolicyOf(stack: Stack, key: { node: { defaultChild?: unknown; tryFindChild?: (id: string) => any } }): { Statement: any[] } {
  const gated = key.node.tryFindChild?.('GatedPolicy');
  if (gated) return stack.resolve((gated.node.defaultChild as any)._cfnProperties.Policy);
  return genesisPolicyOf(stack, key);
}

/** The KeyPolicy CloudFormation creates the key with. */
export function genesisPolicyOf(stack: Stack, key: { node: { defaultChild?: unknown } }): { Statement: any[] } {
  const cfn = key.node.defaultChild as any;
  return stack.resolve(cfn.keyPolicy);
}

export function statement(policy: { Statement: any[] }, sid: string): any {
  const st = policy.Statement.find((s) => s.Sid === sid);
  if (!st) throw new Error(`no statement ${sid} in ${policy.Statement.map((s) => s.Sid).join(', ')}`);
  return st;
}

export function templateOf(stack: Stack): Template {
  return Template.fromStack(stack);
}

/** The stack's template and those of its nested stacks (tenant shards), by construct path. */
export function templatesOf(stack: Stack): Record<string, any> {
  const out: Record<string, any> = { [stack.node.path]: Template.fromStack(stack).toJSON() };
  for (const c of stack.node.findAll()) {
    if (c instanceof NestedStack) out[c.node.path] = Template.fromStack(c).toJSON();
  }
  return out;
}
