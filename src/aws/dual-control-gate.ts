import { CustomResource, Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { ValidationError } from '../core/validation';
import { IsCompleteFunction } from './handlers/is-complete-function';
import { OnEventFunction } from './handlers/on-event-function';
import { GATED_KEY_POLICY_TYPE } from './handlers/resource-types';
import { acknowledgeRules } from './private/acknowledge';
import { defaultDeploymentPrincipal } from './private/deployment-principal';
import { literalDuration } from './private/input';
import { operationalLogKey } from './private/log-key';
import { identify } from './private/principals';

/**
 * Properties of a `DualControlGate`.
 */
export interface DualControlGateProps {
  /**
   * The longest a proposal stays open for approval: the executor refuses proposals whose window is longer, and
   * proposals past their expiry.
   * @default Duration.hours(24)
   */
  readonly approvalWindow?: Duration;
}

/** The write actions a custodian may perform on its own items (partition key = its own `aws:userid`). */
const ITEM_WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];
/** The table's policy and settings, which decide who may write what: only the deployment role's. */
const TABLE_ADMINISTRATION = ['dynamodb:PutResourcePolicy', 'dynamodb:DeleteResourcePolicy', 'dynamodb:UpdateTable',
  'dynamodb:DeleteTable', 'dynamodb:UpdateTableReplicaAutoScaling', 'dynamodb:CreateTableReplica', 'dynamodb:DeleteTableReplica',
  'dynamodb:RestoreTableFromBackup', 'dynamodb:UpdateContinuousBackups'];

/** Writes that name several items (or none by key) and so cannot be held to one partition key: the executor's alone. */
const BULK_WRITES = ['dynamodb:BatchWriteItem', 'dynamodb:PartiQLInsert', 'dynamodb:PartiQLUpdate', 'dynamodb:PartiQLDelete'];
const READS = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:DescribeTable'];
/** How long a CloudFormation-driven policy change waits for its approvals. */
const CFN_APPROVAL_WINDOW_SECONDS = 55 * 60;

/**
 * The two-person step of dual control on AWS. IAM cannot require two people for one call, so the operations that could,
 * by one principal, expose or destroy what a key protects (PutKeyPolicy, DisableKey, ScheduleKeyDeletion,
 * CancelKeyDeletion, ReplicateKey, UpdatePrimaryRegion, UpdateAlias, DeleteAlias, ImportKeyMaterial,
 * DeleteImportedKeyMaterial) are allowed, in every dual-control key policy, to one principal only: this gate's executor
 * role (statement `AllowDualControlExecutor`, everyone else explicitly denied). The executor carries out a request only
 * when
 *
 * 1. a custodian of the key (an administrator or approver named in its current policy) proposed it: an item in the
 *    gate's table with the SHA-256 of the exact request;
 * 2. an approver named in the key's current policy, a different IAM principal (role or user unique id) from the
 *    proposer, approved that hash; changes the gate proposes for CloudFormation need two approvers;
 * 3. the proposal is within its approval window and was not carried out before.
 *
 * Who wrote an item is proven by AWS, not claimed: the table's resource policy lets any principal write only items whose
 * partition key is its own `aws:userid` (`dynamodb:LeadingKeys`), and only with MFA (`aws:MultiFactorAuthPresent`);
 * an explicit deny there overrides every identity policy in the account. Everything else (who may propose or approve
 * a key's changes) the executor reads from the key's own policy, which only the gate can change.
 *
 * One gate per stack (`DualControlGate.of(stack)`); every dual-control key in the stack uses it unless given another.
 *
 * What remains trusted: AWS, and whoever can change the executor's code, role or this table's resource policy (by
 * default the stack's deployment role): protect them with an SCP (README).
 */
export class DualControlGate extends Construct {
  /** The gate of the stack of `scope`, created on first use. */
  public static of(scope: IConstruct): DualControlGate {
    const stack = Stack.of(scope);
    const id = 'CloudKmsDualControlGate';
    return (stack.node.tryFindChild(id) as DualControlGate | undefined) ?? new DualControlGate(stack, id);
  }

  /** Proposals, approvals and execution records. */
  public readonly table: dynamodb.TableV2;
  /** The only principal dual-control key policies allow the gated operations. */
  public readonly executorRole: iam.Role;
  /** The executor: invoke it with `{ gate: 'execute', proposal, request }`. */
  public readonly executorFunction: lambda.Function;
  /** Service token of the `Custom::CloudKmsGatedKeyPolicy` provider. */
  public readonly serviceToken: string;
  /** The approval window, in seconds. */
  public readonly approvalWindowSeconds: number;

  private custodianStatement?: iam.PolicyStatement;
  private readonly tableAdministrators = new Set<string>();
  private readonly tableAdministratorKeys = new Set<string>();
  private readonly custodianArns = new Set<string>();

  constructor(scope: Construct, id: string, props: DualControlGateProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    this.approvalWindowSeconds = checkApprovalWindow(props);
    this.table = this.createTable();
    this.executorRole = new iam.Role(this, 'ExecutorRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'cloud-kms-constructs dual-control gate executor: the only principal dual-control key policies allow gated operations',
    });
    const logGroup = this.createExecutorLogs(stack);
    const environment = {
      GATE_TABLE_NAME: this.table.tableName,
      GATE_EXECUTOR_ROLE_ARN: this.executorRole.roleArn,
      GATE_MAX_WINDOW_SECONDS: String(this.approvalWindowSeconds),
      // These functions run as the executor: they serve the gate and nothing else (handlers/on-event.lambda.ts).
      GATE_ONLY: '1',
    };
    this.executorFunction = new OnEventFunction(this, 'Executor', {
      role: this.executorRole,
      timeout: Duration.minutes(1),
      logGroup,
      memorySize: 256,
      environment,
      description: 'cloud-kms-constructs dual-control gate executor',
    });
    this.serviceToken = this.createProvider(logGroup, environment);
    this.protectTable();
    this.acknowledgeFindings(stack);
  }

  /**
   * Lets the custodians of a dual-control key propose and approve through this gate: read the table, write their own
   * items (with MFA), and invoke the executor. Who may approve which key is read from the key's policy, not from here.
   */
  public registerCustodians(principals: iam.IPrincipal[]): void {
    const stack = Stack.of(this);
    const fresh = principals.filter((p) => {
      const key = JSON.stringify(stack.resolve(p.policyFragment.principalJson));
      if (this.custodianArns.has(key)) return false;
      this.custodianArns.add(key);
      return true;
    });
    if (fresh.length === 0) return;
    if (!this.custodianStatement) {
      this.custodianStatement = new iam.PolicyStatement({
        sid: 'AllowCustodiansOwnItemsWithMfa',
        principals: fresh,
        actions: [...READS, ...ITEM_WRITES],
        resources: ['*'],
        conditions: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
      });
      this.table.addToResourcePolicy(this.custodianStatement);
    } else {
      this.custodianStatement.addPrincipals(...fresh);
    }
    for (const p of fresh) {
      // Invoking the executor proves nothing and needs nothing: it only checks the table and the key policy.
      this.executorFunction.grantInvoke(p);
    }
  }

  /**
   * Lets the principal (the deployment role: CloudFormation keeps the table as the template says) change the table's
   * policy and settings; everyone else is denied. Dual-control keys register their deployment principal.
   */
  public allowTableAdministration(principal: iam.IPrincipal): void {
    for (const arn of identify(this, principal).arns) {
      // Keys of one stack share the deployment role: one entry each, however its ARN was spelled.
      const key = JSON.stringify(Stack.of(this).resolve(arn));
      if (!this.tableAdministratorKeys.has(key)) {
        this.tableAdministratorKeys.add(key);
        this.tableAdministrators.add(arn);
      }
    }
  }

  /**
   * Puts a key's policy under the gate for CloudFormation: every policy, the key's first included, is proposed on
   * deployment and carried out when two approvers named in the key's current policy have approved it (within the hour
   * the Provider framework waits). Used by the dual-control keys; returns the custom resource.
   */
  public manageKeyPolicy(scope: Construct, id: string, keyId: string, keyArn: string, policy: iam.PolicyDocument): CustomResource {
    return new CustomResource(scope, id, {
      serviceToken: this.serviceToken,
      resourceType: GATED_KEY_POLICY_TYPE,
      removalPolicy: RemovalPolicy.RETAIN,
      // Five minutes inside the framework's one-hour timeout, so the deployment fails with the gate's own message
      // ("not approved in time") rather than the framework's generic timeout.
      properties: {
        KeyId: keyId,
        KeyArn: keyArn,
        Policy: policy,
        ApprovalWindowSeconds: String(Math.min(this.approvalWindowSeconds, CFN_APPROVAL_WINDOW_SECONDS)),
      },
    });
  }

  /** Proposals, approvals and execution records. */
  private createTable(): dynamodb.TableV2 {
    return new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      // The AWS managed key aws/dynamodb: a KMS key only DynamoDB in this account can use, with no key policy of ours to
      // weaken. The table holds proposals and hashes, no secret; a customer-managed key here would itself need a
      // custodian policy outside dual control, which the rule pack rightly refuses under dual-control profiles.
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      globalSecondaryIndexes: [{
        indexName: 'ByProposal',
        partitionKey: { name: 'proposal', type: dynamodb.AttributeType.STRING },
        sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      }],
    });
  }

  /**
   * The executor's log group and its own policy (logs, the table, custodians' unique ids, CreateKey for ReplicateKey).
   * The log group uses the same per-stack key as the custom-resource providers' logs (AWS Control Tower's
   * CT.CLOUDWATCH.PR.3): only CloudWatch Logs of this account may use it.
   */
  private createExecutorLogs(stack: Stack): logs.LogGroup {
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
      encryptionKey: operationalLogKey(this),
    });
    new iam.ManagedPolicy(this, 'ExecutorPolicy', {
      roles: [this.executorRole],
      statements: [
        new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
        new iam.PolicyStatement({
          actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
          resources: [this.table.tableArn, `${this.table.tableArn}/index/ByProposal`],
        }),
        // Unique ids of the custodians a key policy names (a recreated role with the same name is someone else).
        new iam.PolicyStatement({
          actions: ['iam:GetRole', 'iam:GetUser'],
          resources: [stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: '*' }),
            stack.formatArn({ service: 'iam', region: '', resource: 'user', resourceName: '*' })],
        }),
        // ReplicateKey also needs kms:CreateKey in the replica's region, from an IAM policy.
        // @see https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-auth.html
        new iam.PolicyStatement({ actions: ['kms:CreateKey'], resources: ['*'], conditions: { Bool: { 'kms:MultiRegion': 'true' } } }),
      ],
    });
    return logGroup;
  }

  /** The CloudFormation provider of gated key policies: the executor, and the waiter that polls for approval. */
  private createProvider(logGroup: logs.ILogGroup, environment: Record<string, string>): string {
    const isComplete = new IsCompleteFunction(this, 'IsComplete', {
      role: this.executorRole,
      timeout: Duration.minutes(1),
      logGroup,
      memorySize: 256,
      environment,
      description: 'cloud-kms-constructs dual-control gate: waits for approval of a key policy change',
    });
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.executorFunction,
      isCompleteHandler: isComplete,
      queryInterval: Duration.minutes(1),
      // The Provider framework's maximum: a CloudFormation-driven policy change fails with a clear message if two
      // approvers have not approved it within the hour.
      totalTimeout: Duration.hours(1),
      logGroup,
      waiterStateMachineLogOptions: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    return provider.serviceToken;
  }

  /**
   * The table's resource policy: everyone writes only their own items, with MFA; bulk writes and the table's own
   * administration are the executor's and the deployment role's alone.
   */
  private protectTable(): void {
    // The partition key of every item written must be the writer's own aws:userid.
    // @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
    this.table.addToResourcePolicy(denyEveryone('DenyWritesToOthersItems', ITEM_WRITES, {
      'ForAnyValue:StringNotEquals': { 'dynamodb:LeadingKeys': ['${aws:userid}'] },
      'ArnNotEquals': { 'aws:PrincipalArn': this.executorRole.roleArn },
    }));
    this.table.addToResourcePolicy(denyEveryone('DenyWritesWithoutMfa', ITEM_WRITES, {
      BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' },
      ArnNotEquals: { 'aws:PrincipalArn': this.executorRole.roleArn },
    }));
    this.table.addToResourcePolicy(denyEveryone('DenyBulkWritesExceptExecutor', BULK_WRITES, {
      ArnNotEquals: { 'aws:PrincipalArn': this.executorRole.roleArn },
    }));

    // The table's own policy and settings: whoever could replace the policy (or delete and recreate the table) could
    // write approvals under someone else's aws:userid. Only CloudFormation's deployment role (which keeps the policy as
    // the template says) may; everyone else, administrators with dynamodb:* included, is denied.
    // @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/rbac-iam-actions.html
    this.table.addToResourcePolicy(denyEveryone('DenyTableAdministrationExceptDeployment', TABLE_ADMINISTRATION, {
      ArnNotEquals: {
        'aws:PrincipalArn': Lazy.list({
          produce: () => {
            // No CloudFormation-managed key registered its deployment role (e.g. only HYOK store keys use this gate):
            // the stack's own deployment role.
            if (this.tableAdministrators.size === 0) {
              this.allowTableAdministration(defaultDeploymentPrincipal(this, this.node.path, 'the role CloudFormation deploys the gate with'));
            }
            return [...this.tableAdministrators];
          },
        }),
      },
    }));
  }

  private acknowledgeFindings(stack: Stack): void {
    acknowledgeRules(this, this, [
      { id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: 'The CDK Provider framework functions use the AWSLambdaBasicExecutionRole managed policy for their logs; they hold no other rights.' },
      { id: 'AwsSolutions-SF1', reason: 'The Provider waiter state machine logs to CloudWatch at ALL level through waiterStateMachineLogOptions.' },
      { id: 'AwsSolutions-SF2', reason: 'X-Ray tracing of the Provider framework waiter adds nothing an auditor needs: every call it makes is in CloudTrail.' },
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'kms:CreateKey (for ReplicateKey, limited to multi-Region keys) has no resource to scope to.' },
      { id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::${flat(stack.account, '<AWS::AccountId>')}:role/*]`, reason: 'The executor resolves the unique id of whichever role a key policy names as custodian.' },
      { id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::${flat(stack.account, '<AWS::AccountId>')}:user/*]`, reason: 'The executor resolves the unique id of whichever user a key policy names as custodian.' },
      ...['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].flatMap((pack) => [
        { id: `${pack}-IAMNoInlinePolicy`, reason: 'The CDK Provider framework attaches its invoke permissions as inline policies to its own roles.' },
        { id: `${pack}-LambdaInsideVPC`, reason: 'The gate only calls AWS APIs (DynamoDB, KMS, IAM); it reaches no VPC resource.' },
      ]),
      // AWS Control Tower CT.LAMBDA.PR.3, as the CfnGuardValidator plugin names it.
      { id: 'cdk-validator-cfnguard::lambda_inside_vpc_check', reason: 'The gate only calls AWS APIs (DynamoDB, KMS, IAM) and is invoked by custodians and CloudFormation; it reaches no VPC resource.' },
      ...['NIST.800.53.R5', 'HIPAA.Security'].flatMap((pack) => [
        { id: `${pack}-LambdaConcurrency`, reason: 'The gate runs once per approved change or deployment.' },
        { id: `${pack}-LambdaDLQ`, reason: 'The gate is invoked synchronously; failures return to the caller or CloudFormation.' },
      ]),
    ]);
    const functions = this.node.findAll().filter((c): c is lambda.CfnFunction => c instanceof lambda.CfnFunction);
    acknowledgeRules(this, this, functions.map((f) => ({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(f)}.Arn>:*]`,
      reason: 'The CDK Provider framework invokes the versions of the function it drives (lambda:InvokeFunction on <function arn>:*).',
    })));
  }
}

/** The approval window, checked: 5 minutes to 7 days, in whole seconds. */
function checkApprovalWindow(props: DualControlGateProps): number {
  const window = literalDuration('approvalWindow', (props ?? {}).approvalWindow) ?? Duration.hours(24);
  const windowSeconds = window.toSeconds({ integral: false });
  if (windowSeconds < 300 || windowSeconds > 7 * 86400) {
    throw new ValidationError(`approvalWindow must be between 5 minutes and 7 days, got ${window.toHumanString()}`);
  }
  if (!Number.isInteger(windowSeconds)) {
    throw new ValidationError(`approvalWindow must be a whole number of seconds, got ${window.toHumanString()}`);
  }
  return windowSeconds;
}

/** A statement of the table's resource policy that denies `actions` to every principal unless `conditions` exempt it. */
function denyEveryone(sid: string, actions: string[], conditions: Record<string, unknown>): iam.PolicyStatement {
  return new iam.PolicyStatement({ sid, effect: iam.Effect.DENY, principals: [new iam.AnyPrincipal()], actions, resources: ['*'], conditions });
}

function flat(value: string, token: string): string {
  return value.startsWith('${Token') ? token : value;
}
