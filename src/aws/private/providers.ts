import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeRules, RuleAcknowledgement } from './acknowledge';
import { operationalLogKey } from './log-key';
import { IsCompleteFunction } from '../handlers/is-complete-function';
import { OnEventFunction } from '../handlers/on-event-function';

/** Which custom resources a provider serves. Each kind has its own least-privilege role. */
export enum ProviderKind {
  HSM_CLUSTER = 'HsmCluster',
  KEY_STORE = 'KeyStore',
  STORE_KEY = 'StoreKey',
  KEY_DELETION = 'KeyDeletion',
  REPLICA_CHECK = 'ReplicaCheck',
}

interface KindConfig {
  readonly waits: boolean;
  readonly totalTimeout?: Duration;
  readonly onEventTimeout: Duration;
  readonly statements: (stack: Stack) => iam.PolicyStatement[];
  readonly wildcardReasons: Array<{ readonly id: (stack: Stack) => string; readonly reason: string }>;
}

const ANY = ['*'];

const CONFIG: Record<ProviderKind, KindConfig> = {
  [ProviderKind.HSM_CLUSTER]: {
    waits: true,
    // A cluster and two HSMs take roughly 15 to 40 minutes.
    totalTimeout: Duration.hours(2),
    onEventTimeout: Duration.minutes(5),
    statements: (stack) => [
      new iam.PolicyStatement({ actions: ['cloudhsm:CreateCluster', 'cloudhsm:DescribeClusters'], resources: ANY }),
      new iam.PolicyStatement({
        actions: ['cloudhsm:CreateHsm', 'cloudhsm:DeleteHsm', 'cloudhsm:DeleteCluster', 'cloudhsm:ModifyCluster',
          'cloudhsm:TagResource', 'cloudhsm:UntagResource', 'cloudhsm:ListTags'],
        resources: [stack.formatArn({ service: 'cloudhsm', resource: 'cluster', resourceName: '*' })],
      }),
      // CloudHSM creates the cluster's security group and HSM network interfaces with the caller's rights.
      new iam.PolicyStatement({
        actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeNetworkInterfaceAttribute',
          'ec2:DetachNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:CreateSecurityGroup', 'ec2:AuthorizeSecurityGroupIngress',
          'ec2:AuthorizeSecurityGroupEgress', 'ec2:RevokeSecurityGroupEgress', 'ec2:DescribeSecurityGroups', 'ec2:DeleteSecurityGroup',
          'ec2:CreateTags', 'ec2:DescribeVpcs', 'ec2:DescribeSubnets'],
        resources: ANY,
      }),
      new iam.PolicyStatement({
        actions: ['iam:CreateServiceLinkedRole'],
        resources: ANY,
        conditions: { StringEquals: { 'iam:AWSServiceName': 'cloudhsm.amazonaws.com' } },
      }),
    ],
    wildcardReasons: [
      { id: () => 'AwsSolutions-IAM5[Resource::*]', reason: 'cloudhsm:CreateCluster and DescribeClusters, the EC2 calls CloudHSM makes for its security group and HSM interfaces, and iam:CreateServiceLinkedRole (limited by iam:AWSServiceName) support no resource-level permissions.' },
      { id: (stack) => `AwsSolutions-IAM5[Resource::${flatArn(stack, 'cloudhsm', 'cluster/*')}]`, reason: 'Cluster ids are assigned by CloudHSM at creation, so the handler is scoped to clusters in this account and region.' },
    ],
  },
  [ProviderKind.KEY_STORE]: {
    waits: true,
    totalTimeout: Duration.minutes(30),
    onEventTimeout: Duration.minutes(5),
    statements: () => [
      new iam.PolicyStatement({
        actions: ['kms:CreateCustomKeyStore', 'kms:ConnectCustomKeyStore', 'kms:DisconnectCustomKeyStore', 'kms:UpdateCustomKeyStore',
          'kms:DeleteCustomKeyStore', 'kms:DescribeCustomKeyStores', 'cloudhsm:DescribeClusters'],
        resources: ANY,
      }),
      new iam.PolicyStatement({
        actions: ['iam:CreateServiceLinkedRole'],
        resources: ANY,
        conditions: { StringEquals: { 'iam:AWSServiceName': 'cks.kms.amazonaws.com' } },
      }),
    ],
    wildcardReasons: [
      { id: () => 'AwsSolutions-IAM5[Resource::*]', reason: 'KMS custom key store operations and cloudhsm:DescribeClusters support no resource-level permissions; iam:CreateServiceLinkedRole is limited by iam:AWSServiceName.' },
    ],
  },
  [ProviderKind.STORE_KEY]: {
    waits: false,
    onEventTimeout: Duration.minutes(2),
    statements: (stack) => [
      new iam.PolicyStatement({
        actions: ['kms:CreateKey'],
        resources: ANY,
        // No kms:BypassPolicyLockoutSafetyCheck condition: a dual-control key's policy denies this role PutKeyPolicy
        // (only the dual-control gate's executor holds it), so its creation must skip the lockout check.
        conditions: { StringEquals: { 'kms:KeyOrigin': ['EXTERNAL_KEY_STORE', 'AWS_CLOUDHSM'] } },
      }),
      // Tags at creation need kms:TagResource in IAM; every later call is granted by the key's own policy.
      new iam.PolicyStatement({
        actions: ['kms:TagResource'],
        resources: [stack.formatArn({ service: 'kms', resource: 'key', resourceName: '*' })],
      }),
    ],
    wildcardReasons: [
      { id: () => 'AwsSolutions-IAM5[Resource::*]', reason: 'kms:CreateKey has no resource to scope to; it is limited to keys in custom key stores.' },
      { id: (stack) => `AwsSolutions-IAM5[Resource::${flatArn(stack, 'kms', 'key/*')}]`, reason: 'Tagging at creation is checked before the key id exists; afterwards the key policy alone governs the handler.' },
    ],
  },
  [ProviderKind.KEY_DELETION]: {
    waits: false,
    onEventTimeout: Duration.minutes(2),
    // Only the offboarded key's own policy lets this handler disable it and schedule (or cancel) its deletion.
    statements: () => [],
    wildcardReasons: [],
  },
  [ProviderKind.REPLICA_CHECK]: {
    waits: false,
    onEventTimeout: Duration.minutes(2),
    // Only the gated replica's own policy lets this handler describe the replica and read its policy.
    statements: () => [],
    wildcardReasons: [],
  },
};

/** The ARN pattern as cdk-nag prints it in a finding id (tokens for partition, and for region/account if unknown). */
function flatArn(stack: Stack, service: string, resource: string): string {
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  return `arn:<AWS::Partition>:${service}:${region}:${account}:${resource}`;
}

/** Findings on the Provider framework's own Lambda functions and state machine, and on our handlers. */
const FRAMEWORK_ACKS: RuleAcknowledgement[] = [
  { id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: 'The CDK Provider framework functions use the AWSLambdaBasicExecutionRole managed policy for their logs; they hold no other rights.' },
  { id: 'AwsSolutions-SF1', reason: 'The Provider waiter state machine logs to CloudWatch at ALL level through waiterStateMachineLogOptions where CDK allows.' },
  { id: 'AwsSolutions-SF2', reason: 'X-Ray tracing of the Provider framework waiter adds nothing an auditor needs: every call it makes is in CloudTrail.' },
  ...['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].flatMap((pack) => [
    { id: `${pack}-IAMNoInlinePolicy`, reason: 'The CDK Provider framework attaches its invoke permissions as inline policies to its own roles, and secret-read grants (scoped to the named secrets) land on the handler role the same way.' },
    { id: `${pack}-LambdaInsideVPC`, reason: 'Custom-resource handlers only call AWS APIs (KMS, CloudHSM, Secrets Manager) and are invoked by CloudFormation; they reach no VPC resource.' },
  ]),
  // AWS Control Tower CT.LAMBDA.PR.3, as the CfnGuardValidator plugin names it.
  { id: 'cdk-validator-cfnguard::lambda_inside_vpc_check', reason: 'Custom-resource handlers only call AWS APIs (KMS, CloudHSM, Secrets Manager) and are invoked by CloudFormation; they reach no VPC resource.' },
  ...['NIST.800.53.R5', 'HIPAA.Security'].flatMap((pack) => [
    { id: `${pack}-LambdaConcurrency`, reason: 'Custom-resource handlers run only during deployments, one request at a time per resource.' },
    { id: `${pack}-LambdaDLQ`, reason: 'Custom-resource handlers are invoked synchronously; failures return to CloudFormation, so a dead-letter queue would never receive anything.' },
  ]),
];

/**
 * The Provider framework for one kind of custom resource, one per stack, with its own role.
 */
export class KmsResourceProvider extends Construct {
  /** The provider for `kind` in the stack of `scope`, created on first use. */
  public static of(scope: IConstruct, kind: ProviderKind, role?: iam.IRole): KmsResourceProvider {
    const stack = Stack.of(scope);
    // One provider per handler role: a role of another stack gets its own (named after that stack).
    const suffix = role && Stack.of(role) !== stack ? Stack.of(role).node.id.replace(/[^A-Za-z0-9]/g, '') : '';
    const id = `CloudKmsConstructs${kind}Provider${suffix}`;
    const existing = stack.node.tryFindChild(id) as KmsResourceProvider | undefined;
    if (existing && role && existing.handlerRole !== role) throw new Error(`one ${kind} provider per stack and handler role, got another role ${role.node.path}`);
    return existing ?? new KmsResourceProvider(stack, id, kind, role);
  }

  public readonly provider: cr.Provider;
  /** The role the handlers run as: the principal KMS sees for the keys and stores they create. */
  public readonly handlerRole: iam.IRole;
  public readonly serviceToken: string;

  /**
   * @param role the handlers' role when it must exist before this stack does (a gated replica's policy names the role
   * that checks it, and KMS accepts only existing principals in a policy); by default a role of this provider's own
   */
  private constructor(scope: Construct, id: string, kind: ProviderKind, role?: iam.IRole) {
    super(scope, id);
    const config = CONFIG[kind];
    const stack = Stack.of(this);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
      encryptionKey: operationalLogKey(this),
    });

    this.handlerRole = role ?? new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `cloud-kms-constructs ${kind} custom-resource handler`,
    });
    new iam.ManagedPolicy(this, 'HandlerPolicy', {
      roles: [this.handlerRole],
      statements: [
        new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
        ...config.statements(stack),
      ],
    });

    const onEvent = new OnEventFunction(this, 'OnEvent', {
      role: this.handlerRole,
      timeout: config.onEventTimeout,
      logGroup,
      memorySize: 256,
      description: `cloud-kms-constructs ${kind} onEvent`,
    });
    const isComplete = config.waits ? new IsCompleteFunction(this, 'IsComplete', {
      role: this.handlerRole,
      timeout: Duration.minutes(1),
      logGroup,
      memorySize: 256,
      description: `cloud-kms-constructs ${kind} isComplete`,
    }) : undefined;

    this.provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: config.waits ? Duration.seconds(30) : undefined,
      totalTimeout: config.totalTimeout,
      logGroup,
      waiterStateMachineLogOptions: config.waits ? { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false } : undefined,
    });
    this.serviceToken = this.provider.serviceToken;

    acknowledgeRules(this, this, [...FRAMEWORK_ACKS, ...config.wildcardReasons.map((w) => ({ ...w, id: w.id(stack) }))]);
    // The framework may invoke every version of each function it drives: one finding per function ARN.
    const functions = this.node.findAll().filter((c): c is lambda.CfnFunction => c instanceof lambda.CfnFunction);
    acknowledgeRules(this, this, functions.map((f) => ({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(f)}.Arn>:*]`,
      reason: 'The CDK Provider framework invokes the versions of the function it drives (lambda:InvokeFunction on <function arn>:*).',
    })));
  }
}
