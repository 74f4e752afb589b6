import { Duration, Fn, Lazy, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { GrantConditions } from './custodians';
import { EnvelopeEncryptionFunctionProps, EnvelopeSuite, TenantResolution } from './envelope-encryption-function-props';
import { ENV } from './handlers/envelope-env';
import { EnvelopeFunction } from './handlers/envelope-function';
import { MANAGEMENT_ACTIONS, READ_ACTIONS } from './key-policy-actions';
import { registerAccessPolicy } from './private/access-policy';
import { acknowledgeRules } from './private/acknowledge';
import { defaultDeploymentPrincipal } from './private/deployment-principal';
import { recordEnvelopeFunctionEvidence, recordEnvelopeTenantEvidence } from './private/envelope-function-evidence';
import { EnvelopeFunctionInput, resolveEnvelopeFunctionInput, retentionFor } from './private/envelope-function-input';
import { localKeyArn } from './private/envelope-function-key';
import { ValidationError } from '../core/validation';
import { denyGrantsNotForAwsResources } from './private/log-key';
import { recordServiceKey } from './private/service-key';
import type { TenantKeyHierarchy } from './tenant-key-hierarchy';

export * from './envelope-encryption-function-props';

/** Lambda's limit on a function's environment (keys and values together). */
const LAMBDA_ENVIRONMENT_BYTES = 4096;
/** What the other variables take, with room for resolved ARNs. */
const ENVIRONMENT_RESERVE_BYTES = 1200;
/** A key id and its comma. */
const KEY_ID_BYTES = 37;

/** What a key that writes grants into its own policy offers (our custodian keys). */
interface ConditionalGrantable {
  grantDataKeyUseWhen(grantee: iam.IGrantable, conditions: GrantConditions): iam.Grant;
}

/**
 * A deployable envelope-encryption service for one KMS key: a Lambda running the library's envelope core (AWS
 * Encryption SDK message format, data-key cache), with encrypt, decrypt and batch operations on base64 payloads.
 * It may only GenerateDataKey and Decrypt, and only with the required encryption-context keys. Reserved concurrency,
 * a dead-letter queue for async invocations, optional VPC, and an encrypted log group with retention.
 */
export class EnvelopeEncryptionFunction extends Construct {
  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly logGroup: logs.LogGroup;
  /** Tenant mode: the role each tenant's KMS calls run as, in a session tagged with the tenant. */
  public readonly tenantSessionRole?: iam.Role;
  /** Tenant mode: the IAM-authorized URL callers invoke (`grantInvoke` grants it, and nothing else). */
  public readonly functionUrl?: lambda.FunctionUrl;
  /** Tenant mode with principal-tag resolution: the server id callers pass to `createCallerProof`. */
  public readonly callerProofServerId?: string;

  constructor(scope: Construct, id: string, props: EnvelopeEncryptionFunctionProps) {
    super(scope, id);
    const input = resolveEnvelopeFunctionInput(this, props);
    if (input.callerProofServerId !== undefined) this.callerProofServerId = input.callerProofServerId;
    const { resolution, required } = input;

    const ownLogKey = props.logEncryptionKey ? undefined : this.newLogKey();
    if (ownLogKey) recordServiceKey(ownLogKey, 'EnvelopeEncryptionFunction', input.profile);
    const logKey = props.logEncryptionKey ?? ownLogKey!;
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? retentionFor(input.profile),
      encryptionKey: logKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: logKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'cloud-kms envelope encryption function: its logs, its DLQ, and GenerateDataKey/Decrypt with the required context',
    });
    const policy = this.createPolicy(logKey, ownLogKey, props.vpc !== undefined);

    const immutableRole = this.role.withoutPolicyUpdates();
    let keyEnvironment: Record<string, string>;
    let description: string;
    if (props.tenants && resolution) {
      this.tenantSessionRole = this.tenantSession(props.tenants, policy, resolution);
      keyEnvironment = this.tenantEnvironment(props.tenants, resolution, this.tenantSessionRole);
      description = `cloud-kms envelope encryption for the tenants of ${props.tenants.node.path}`;
    } else {
      const keyArn = localKeyArn(this, props.key!);
      this.grantKeyUse(props.key!, keyArn, immutableRole, policy, required);
      keyEnvironment = { [ENV.KEY_ARN]: keyArn };
      description = `cloud-kms envelope encryption with ${props.key!.node.path}`;
    }

    this.function = this.createFunction(props, input, immutableRole, keyEnvironment, description);
    if (props.tenants) {
      // The way in that grantInvoke opens. Identity is proven inside the request (a caller proof or a verified token),
      // because whoever holds plain lambda:InvokeFunction in its own IAM policy can still invoke with any event.
      this.functionUrl = this.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    }
    this.function.node.addDependency(policy);
    this.acknowledge(props.vpc !== undefined, props.tenants !== undefined);
    recordEnvelopeFunctionEvidence(this, props.key ?? props.tenants!, required, props.suite ?? EnvelopeSuite.COMMITTING);
    if (props.tenants) recordEnvelopeTenantEvidence(this, props.tenants, resolution!);
  }

  /**
   * Lets a principal call the function. In tenant mode only through its URL: `lambda:InvokeFunctionUrl`, and
   * `lambda:InvokeFunction` only with `lambda:InvokedViaFunctionUrl` (URLs need both since October 2025), never a
   * plain direct invoke.
   * @see https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
   */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    if (this.functionUrl) return this.function.grantInvokeUrl(grantee);
    return this.function.grantInvoke(grantee);
  }

  /** The role's own policy: its logs, its dead-letter queue (and the queue's key), and VPC networking. */
  private createPolicy(logKey: kms.IKey, ownLogKey: kms.Key | undefined, inVpc: boolean): iam.ManagedPolicy {
    const policy = new iam.ManagedPolicy(this, 'Policy', { roles: [this.role] });
    // The function sends to its KMS-encrypted dead-letter queue: our log key says so in its own policy.
    ownLogKey?.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowFunctionDeadLetterQueue',
      principals: [new iam.ArnPrincipal(this.role.roleArn)],
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: ['*'],
      conditions: { StringEquals: { 'kms:ViaService': `sqs.${Stack.of(this).region}.amazonaws.com` } },
    }));
    policy.addStatements(
      new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] }),
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
      new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [logKey.keyArn], conditions: { StringEquals: { 'kms:ViaService': `sqs.${Stack.of(this).region}.amazonaws.com` } } }),
    );
    if (inVpc) {
      policy.addStatements(new iam.PolicyStatement({
        actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
        resources: ['*'],
      }));
    }
    return policy;
  }

  /** Tenant mode: where the function finds each tenant's key and how it learns the caller's tenant. */
  private tenantEnvironment(tenants: TenantKeyHierarchy, resolution: TenantResolution, session: iam.Role): Record<string, string> {
    return {
      [ENV.TENANT_SESSION_ROLE_ARN]: session.roleArn,
      [ENV.TENANT_ALIAS_PREFIX]: `alias/${tenants.aliasPrefix}/`,
      [ENV.TENANT_TAG_KEY]: tenants.tenantTagKey,
      [ENV.TENANT_CONTEXT_KEY]: tenants.contextKey,
      [ENV.TENANT_SOURCE]: resolution.source,
      [ENV.TENANT_KEY_IDS]: this.pinnedKeyIds(tenants),
      ...(resolution.claimName ? { [ENV.TENANT_CLAIM]: resolution.claimName } : {}),
      ...(this.callerProofServerId ? { [ENV.CALLER_PROOF_SERVER_ID]: this.callerProofServerId } : {}),
      ...(resolution.token ? {
        [ENV.JWT_ISSUER]: resolution.token.issuer,
        [ENV.JWT_AUDIENCE]: resolution.token.audience.join(','),
        [ENV.JWT_JWKS_URI]: resolution.token.jwksUri,
      } : {}),
    };
  }

  private createFunction(props: EnvelopeEncryptionFunctionProps, input: EnvelopeFunctionInput, role: iam.IRole,
    keyEnvironment: Record<string, string>, description: string): lambda.Function {
    return new EnvelopeFunction(this, 'Function', {
      description,
      role,
      memorySize: input.memorySize,
      timeout: input.timeout,
      reservedConcurrentExecutions: input.concurrency,
      deadLetterQueue: this.deadLetterQueue,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      vpc: props.vpc,
      vpcSubnets: props.vpc ? props.vpcSubnets : undefined,
      securityGroups: props.vpc ? props.securityGroups : undefined,
      environment: {
        ...keyEnvironment,
        [ENV.REQUIRED_CONTEXT_KEYS]: input.required.join(','),
        [ENV.SUITE]: String(props.suite ?? EnvelopeSuite.COMMITTING),
        [ENV.CACHE_MAX_AGE_MS]: String(input.cacheAgeMs),
        [ENV.CACHE_MAX_MESSAGES]: String(input.cacheMessages),
        [ENV.MAX_RECORD_BYTES]: String(input.maxRecordBytes),
      },
    });
  }

  /**
   * The ids of every key of the hierarchy (tenant keys and pool keys), resolved when the template is written so that
   * tenants added later are included. The function uses a key only if its tenant's alias names one of them.
   */
  private pinnedKeyIds(tenants: TenantKeyHierarchy): string {
    const keys = () => {
      const all = [...tenants.tenantIds.map((t) => tenants.keyFor(t)), ...Object.keys(tenants.poolKeyArns).map((p) => tenants.poolKey(p))];
      return all.filter((k, i) => all.indexOf(k) === i);
    };
    this.node.addValidation({
      validate: () => {
        const count = keys().length;
        const max = Math.floor((LAMBDA_ENVIRONMENT_BYTES - ENVIRONMENT_RESERVE_BYTES) / KEY_ID_BYTES);
        return count > max ? [`tenants has ${count} keys, but ${this.node.path} pins at most ${max} key ids in Lambda's ${LAMBDA_ENVIRONMENT_BYTES}-byte environment: ` +
          'serve the tenants with one function per hierarchy of at most that many keys (POOLED and TIERED isolation need fewer keys)'] : [];
      },
    });
    // No keys yet (a hierarchy without tenants): nothing is pinned, so every tenant is refused.
    return Lazy.string({ produce: () => (keys().length === 0 ? '' : Fn.join(',', keys().map((k) => k.keyId))) });
  }

  /** `keyArn`: the key's ARN, or for a multi-Region key of another region its replica's here (localKeyArn). */
  private grantKeyUse(key: kms.IKey, keyArn: string, role: iam.IRole, policy: iam.ManagedPolicy, required: string[]): void {
    const conditions: GrantConditions = { requiredContextKeys: required };
    const conditional = key as Partial<ConditionalGrantable>;
    if (typeof conditional.grantDataKeyUseWhen === 'function') {
      if (keyArn !== key.keyArn) {
        throw new ValidationError(`key ${key.node.path} is the multi-Region key ${key.keyArn}, but ${this.node.path} runs in ${Stack.of(this).region}: `
          + 'give the replica in this region, whose key policy can grant the function');
      }
      // Our custodian keys: the key policy is the only authority, so the grant goes there.
      conditional.grantDataKeyUseWhen(role, conditions);
    } else {
      // Keys whose policy delegates to IAM (ManagedKey, imported keys).
      policy.addStatements(new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [keyArn],
        conditions: { Null: Object.fromEntries(required.map((k) => [`kms:EncryptionContext:${k}`, 'false'])) },
      }));
    }
  }

  /**
   * The role every tenant's KMS calls run as: only this function may assume it, only with the tenant tag as its one
   * session tag, and the hierarchy's key policies let it use a key only for the tenant in that tag.
   */
  private tenantSession(tenants: TenantKeyHierarchy, policy: iam.ManagedPolicy, resolution: TenantResolution): iam.Role {
    const tag = tenants.tenantTagKey;
    const session = new iam.Role(this, 'TenantSessionRole', {
      assumedBy: new iam.SessionTagsPrincipal(new iam.ArnPrincipal(this.role.roleArn)).withConditions({
        'StringLike': { [`aws:RequestTag/${tag}`]: '?*' },
        'ForAllValues:StringEquals': { 'aws:TagKeys': [tag] },
      }),
      description: `cloud-kms envelope function tenant sessions for ${tenants.node.path}: key use only for the tenant in the session tag`,
      maxSessionDuration: Duration.hours(1),
    });
    tenants.grantTenantDataKeyUse(session);
    policy.addStatements(new iam.PolicyStatement({ actions: ['sts:AssumeRole', 'sts:TagSession'], resources: [session.roleArn] }));
    if (resolution.source === 'principalTag') {
      const stack = Stack.of(this);
      policy.addStatements(new iam.PolicyStatement({
        actions: ['iam:ListRoleTags', 'iam:ListUserTags'],
        resources: [`arn:${stack.partition}:iam::${stack.account}:role/*`, `arn:${stack.partition}:iam::${stack.account}:user/*`],
      }));
    }
    return session;
  }

  /**
   * The key of the function's logs and dead-letter queue: CloudFormation may manage it (never delete or disable it),
   * CloudWatch Logs and the function (through SQS) may use it; no account-root delegation, so it passes the same
   * separation-of-duties rules as the data keys.
   */
  private newLogKey(): kms.Key {
    const deployer = defaultDeploymentPrincipal(this, this.node.path, 'the principal CloudFormation deploys the function with, or give logEncryptionKey');
    const key = new kms.Key(this, 'LogKey', {
      enableKeyRotation: true,
      description: 'Encrypts the envelope function\'s logs and dead-letter queue',
      removalPolicy: RemovalPolicy.RETAIN,
      policy: new iam.PolicyDocument({
        statements: [new iam.PolicyStatement({
          sid: 'AllowCloudFormationDeployment',
          principals: [deployer],
          actions: [...READ_ACTIONS, ...MANAGEMENT_ACTIONS.filter((a) => !['kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:CancelKeyDeletion'].includes(a))],
          resources: ['*'],
        }), denyGrantsNotForAwsResources()],
      }),
    });
    const stack = Stack.of(this);
    key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` } },
    }));
    registerAccessPolicy(key, () => (key.node.defaultChild as kms.CfnKey).keyPolicy, 'encrypts the envelope function\'s logs and dead-letter queue');
    return key;
  }

  private acknowledge(inVpc: boolean, tenants: boolean): void {
    const stack = Stack.of(this);
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    const acks = [
      ...(tenants ? ['role/*', 'user/*'].map((r) => ({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::${account}:${r}]`,
        reason: 'The function reads the tenant tag of whichever role or user signed the caller\'s proof (iam:ListRoleTags, iam:ListUserTags only); callers are not known at deployment.',
      })) : []),
      { id: 'AwsSolutions-SQS3', reason: 'This queue is the function\'s dead-letter queue; a dead-letter queue needs none of its own.' },
      ...(inVpc ? [{ id: 'AwsSolutions-IAM5[Resource::*]', reason: 'Lambda\'s VPC network-interface actions support no resource-level permissions.' }] : []),
      // 'cdk-validator-cfnguard::lambda_inside_vpc_check' is AWS Control Tower's CT.LAMBDA.PR.3.
      ...(inVpc ? [] : [...['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].map((pack) => `${pack}-LambdaInsideVPC`),
        'cdk-validator-cfnguard::lambda_inside_vpc_check'].map((id) => ({
        id,
        reason: 'The function calls only AWS KMS, over TLS with SigV4; running it in a VPC is an option (vpc) for networks that route KMS privately.',
      }))),
    ];
    acknowledgeRules(this, this, acks);
  }
}
