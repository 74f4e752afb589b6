import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { GrantConditions } from './custodians';
import { EnvelopeFunction } from './handlers/envelope-function';
import { ENV } from './handlers/envelope-handler';
import { registerAccessPolicy } from './private/access-policy';
import { acknowledgeRules } from './private/acknowledge';
import { MANAGEMENT_ACTIONS, READ_ACTIONS } from './private/actions';
import { defaultDeploymentPrincipal } from './private/custodian-policy';
import type { TenantKeyHierarchy } from './tenant-key-hierarchy';
import { Control } from '../core/controls';
import { EvidenceLedger, EvidenceStatus } from '../core/evidence';
import { ComplianceProfile } from '../core/profile';
import { requireRange, ValidationError } from '../core/validation';

/** The message format suite the function writes (it reads both). */
export enum EnvelopeSuite {
  /** 0x0478: AES-256-GCM, HKDF-SHA512, key commitment. */
  COMMITTING = 0x0478,
  /** 0x0578: as COMMITTING, plus an ECDSA P-384 signature (the AWS Encryption SDK's default; about 2 ms more a message). */
  COMMITTING_SIGNED = 0x0578,
}

/**
 * Where a tenant-aware envelope function learns the caller's tenant.
 */
export class TenantResolution {
  /**
   * The tenant tag (the hierarchy's `tenantTagKey`) of the caller's IAM role or user, read with IAM from the caller
   * identity that an IAM-authorized function URL (created for this mode) or API Gateway route passes in. Session tags
   * are not visible to the function: tag the roles themselves.
   */
  public static principalTag(): TenantResolution {
    return new TenantResolution('principalTag');
  }

  /**
   * A claim of the caller's token, as an API Gateway JWT, Cognito or Lambda authorizer passes it in
   * (`requestContext.authorizer.jwt.claims`, `.claims` or `.lambda`).
   */
  public static claim(name: string): TenantResolution {
    if (!/^[\w:./-]{1,128}$/.test(name)) throw new ValidationError(`claim must be 1 to 128 letters, digits and _:./-, got '${name}'`);
    return new TenantResolution('claim', name);
  }

  private constructor(public readonly source: string, public readonly claimName?: string) {}
}

/**
 * Properties of an `EnvelopeEncryptionFunction`.
 */
export interface EnvelopeEncryptionFunctionProps {
  /**
   * The KMS key: a ManagedKey, CustomerManagedKey, ByokImport, a key in a HyokExternalStore, or any symmetric IKey.
   * Give either `key` or `tenants`.
   * @default - none: `tenants` is required
   */
  readonly key?: kms.IKey;

  /**
   * Serve the tenants of a hierarchy: each request uses its caller's tenant's key (or pool key, with the tenant in the
   * context), through a role session tagged with that tenant, so the key policies' ABAC conditions apply; a message of
   * another tenant is refused before any key is asked. Give either `key` or `tenants`.
   * @default - none: `key` is required
   */
  readonly tenants?: TenantKeyHierarchy;

  /**
   * How a tenant-aware function learns the caller's tenant.
   * @default TenantResolution.principalTag()
   */
  readonly tenantResolution?: TenantResolution;

  /**
   * Encryption-context keys every request must carry. The function refuses requests without them, and its KMS grant
   * is conditioned on them, so key-policy and CloudTrail records always show them. A tenant-aware function always adds
   * the hierarchy's context key.
   * @default - none beyond the tenant context key (required when `key` is given)
   */
  readonly requiredContextKeys?: string[];

  /**
   * The compliance profile the function's logs follow.
   * @default ComplianceProfile.COMMERCIAL
   */
  readonly profile?: ComplianceProfile;

  /** @default EnvelopeSuite.COMMITTING */
  readonly suite?: EnvelopeSuite;

  /**
   * How long a data key is reused for messages with the same context (0 turns the cache off).
   * @default Duration.minutes(5)
   */
  readonly cacheMaxAge?: Duration;

  /**
   * Messages per cached data key (at most 2^32).
   * @default 1000
   */
  readonly cacheMaxMessages?: number;

  /**
   * Largest plaintext per record, in bytes; the 6 MB response limit caps it further for base64.
   * @default 4194304 (4 MiB)
   */
  readonly maxRecordBytes?: number;

  /** @default 10 */
  readonly reservedConcurrentExecutions?: number;

  /** @default 1024 (crypto work scales with the CPU share that memory buys) */
  readonly memorySize?: number;

  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;

  /**
   * Run inside this VPC (KMS through its interface endpoint or NAT).
   * @default - not in a VPC
   */
  readonly vpc?: ec2.IVpc;

  /** @default - the VPC's private subnets */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /** @default - a security group with egress only */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * Retention of the function's logs.
   * @default - the shortest CloudWatch retention that covers the profile's audit retention (at least a year)
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Key for the function's logs and dead-letter queue.
   * @default - a new key with rotation, usable by CloudWatch Logs and SQS only
   */
  readonly logEncryptionKey?: kms.IKey;
}

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
  /** Tenant mode with principal-tag resolution: the IAM-authorized URL callers invoke. */
  public readonly functionUrl?: lambda.FunctionUrl;

  constructor(scope: Construct, id: string, props: EnvelopeEncryptionFunctionProps) {
    super(scope, id);
    if ((props.key === undefined) === (props.tenants === undefined)) {
      throw new ValidationError(`give exactly one of key and tenants for ${this.node.path}, got ${props.key ? 'both' : 'neither'}`);
    }
    if (props.tenantResolution && !props.tenants) {
      throw new ValidationError(`tenantResolution applies only with tenants, for ${this.node.path}`);
    }
    const required = [...(props.requiredContextKeys ?? []), ...(props.tenants ? [props.tenants.contextKey] : [])]
      .filter((k, i, all) => all.indexOf(k) === i);
    if (required.length === 0) {
      throw new ValidationError(`requiredContextKeys must name at least one encryption-context key for ${this.node.path}, got none`);
    }
    for (const k of required) {
      if (k.length === 0 || k.startsWith('aws-crypto-') || k.includes(',')) {
        throw new ValidationError(`requiredContextKeys must be non-empty, without commas and not start with aws-crypto-, got '${k}'`);
      }
    }
    const cacheAge = props.cacheMaxAge ?? Duration.minutes(5);
    const cacheMessages = props.cacheMaxMessages ?? 1000;
    requireRange('cacheMaxMessages', cacheMessages, 1, 2 ** 32, 'messages');
    const maxRecordBytes = props.maxRecordBytes ?? 4 * 1024 * 1024;
    requireRange('maxRecordBytes', maxRecordBytes, 1, 4.4 * 1024 * 1024, 'bytes');
    const concurrency = props.reservedConcurrentExecutions ?? 10;
    requireRange('reservedConcurrentExecutions', concurrency, 1, 1000, 'executions');
    const profile = props.profile ?? ComplianceProfile.COMMERCIAL;

    const ownLogKey = props.logEncryptionKey ? undefined : this.newLogKey();
    const logKey = props.logEncryptionKey ?? ownLogKey!;
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? retentionFor(profile),
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
    if (props.vpc) {
      policy.addStatements(new iam.PolicyStatement({
        actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
        resources: ['*'],
      }));
    }

    const immutableRole = this.role.withoutPolicyUpdates();
    let keyEnvironment: Record<string, string>;
    let description: string;
    if (props.tenants) {
      const resolution = props.tenantResolution ?? TenantResolution.principalTag();
      this.tenantSessionRole = this.tenantSession(props.tenants, policy, resolution);
      keyEnvironment = {
        [ENV.TENANT_SESSION_ROLE_ARN]: this.tenantSessionRole.roleArn,
        [ENV.TENANT_ALIAS_PREFIX]: `alias/${props.tenants.aliasPrefix}/`,
        [ENV.TENANT_TAG_KEY]: props.tenants.tenantTagKey,
        [ENV.TENANT_CONTEXT_KEY]: props.tenants.contextKey,
        [ENV.TENANT_SOURCE]: resolution.source,
        ...(resolution.claimName ? { [ENV.TENANT_CLAIM]: resolution.claimName } : {}),
      };
      description = `cloud-kms envelope encryption for the tenants of ${props.tenants.node.path}`;
    } else {
      this.grantKeyUse(props.key!, immutableRole, policy, required);
      keyEnvironment = { [ENV.KEY_ARN]: props.key!.keyArn };
      description = `cloud-kms envelope encryption with ${props.key!.node.path}`;
    }

    this.function = new EnvelopeFunction(this, 'Function', {
      description,
      role: immutableRole,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(30),
      reservedConcurrentExecutions: concurrency,
      deadLetterQueue: this.deadLetterQueue,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      vpc: props.vpc,
      vpcSubnets: props.vpc ? props.vpcSubnets : undefined,
      securityGroups: props.vpc ? props.securityGroups : undefined,
      environment: {
        ...keyEnvironment,
        [ENV.REQUIRED_CONTEXT_KEYS]: required.join(','),
        [ENV.SUITE]: String(props.suite ?? EnvelopeSuite.COMMITTING),
        [ENV.CACHE_MAX_AGE_MS]: String(cacheAge.toMilliseconds()),
        [ENV.CACHE_MAX_MESSAGES]: String(cacheMessages),
        [ENV.MAX_RECORD_BYTES]: String(maxRecordBytes),
      },
    });
    if (props.tenants && (props.tenantResolution ?? TenantResolution.principalTag()).source === 'principalTag') {
      // Callers must reach the function with IAM authorization, so their identity (and its tags) comes with the request.
      this.functionUrl = this.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    }
    this.function.node.addDependency(policy);
    this.acknowledge(props.vpc !== undefined, props.tenants !== undefined);
    this.recordEvidence(props.key ?? props.tenants!, required, props.suite ?? EnvelopeSuite.COMMITTING);
    if (props.tenants) this.recordTenantEvidence(props.tenants, props.tenantResolution ?? TenantResolution.principalTag());
  }

  /** Lets a principal call the function (and its URL, in tenant mode with principal-tag resolution). */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    if (this.functionUrl) this.function.grantInvokeUrl(grantee);
    return this.function.grantInvoke(grantee);
  }

  private grantKeyUse(key: kms.IKey, role: iam.IRole, policy: iam.ManagedPolicy, required: string[]): void {
    const conditions: GrantConditions = { requiredContextKeys: required };
    const conditional = key as Partial<ConditionalGrantable>;
    if (typeof conditional.grantDataKeyUseWhen === 'function') {
      // Our custodian keys: the key policy is the only authority, so the grant goes there.
      conditional.grantDataKeyUseWhen(role, conditions);
    } else {
      // Keys whose policy delegates to IAM (ManagedKey, imported keys).
      policy.addStatements(new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [key.keyArn],
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
        })],
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
        reason: 'The function reads the tenant tag of whichever role or user calls it (iam:ListRoleTags, iam:ListUserTags only); callers are not known at deployment.',
      })) : []),
      { id: 'AwsSolutions-SQS3', reason: 'This queue is the function\'s dead-letter queue; a dead-letter queue needs none of its own.' },
      ...(inVpc ? [{ id: 'AwsSolutions-IAM5[Resource::*]', reason: 'Lambda\'s VPC network-interface actions support no resource-level permissions.' }] : []),
      ...(inVpc ? [] : ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].map((pack) => ({
        id: `${pack}-LambdaInsideVPC`,
        reason: 'The function calls only AWS KMS, over TLS with SigV4; running it in a VPC is an option (vpc) for networks that route KMS privately.',
      }))),
    ];
    acknowledgeRules(this, this, acks);
  }

  private recordEvidence(key: IConstruct, required: string[], suite: EnvelopeSuite): void {
    const ledger = EvidenceLedger.of(this);
    const record = (controls: Control[], setting: string, value: string, description: string, resource = this.role.node.path) => {
      for (const control of controls) {
        ledger.record({ control, status: EvidenceStatus.SATISFIED, subject: this.node.path, resource, setting, value, description });
      }
    };
    record([Control.NIST_AC_6, Control.PCI_3_6_1, Control.SOC2_CC6_1], 'kms actions and conditions',
      `kms:GenerateDataKey, kms:Decrypt on ${key.node.path}; context keys ${required.join(', ')} required`,
      'the envelope function may only make and open data keys of this one key, and only for requests that name the required context');
    record([Control.NIST_SC_13, Control.HIPAA_164_312_A_2_IV], 'message format', `AWS Encryption SDK v2, suite 0x${suite.toString(16).padStart(4, '0')}`,
      'AES-256-GCM with HKDF-SHA512 per-message keys and key commitment', this.function.node.path);
    record([Control.NIST_AU_2], 'log group', 'structured, encrypted',
      'one structured log line per invocation (operation, record count, error codes, duration), never payloads or context values', this.logGroup.node.path);
  }

  private recordTenantEvidence(tenants: TenantKeyHierarchy, resolution: TenantResolution): void {
    const ledger = EvidenceLedger.of(this);
    for (const control of [Control.NIST_AC_6, Control.SOC2_CC6_1, Control.ISO_A_8_24]) {
      ledger.record({
        control,
        status: EvidenceStatus.SATISFIED,
        subject: this.node.path,
        resource: this.tenantSessionRole!.node.path,
        setting: 'tenant isolation',
        value: `tenant from ${resolution.source === 'claim' ? `claim ${resolution.claimName}` : `principal tag ${tenants.tenantTagKey}`}; session tag ${tenants.tenantTagKey}`,
        description: 'each request is served with the caller\'s tenant key through a role session tagged with that tenant; the key policies require the tag to ' +
          `match the ${tenants.contextKey} encryption context; another tenant's message is refused before any key is used`,
      });
    }
  }
}

/** CloudWatch retention periods, in days, as RetentionDays offers them. */
const RETENTION_STEPS = [365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

function retentionFor(profile: ComplianceProfile): logs.RetentionDays {
  const days = RETENTION_STEPS.find((d) => d >= profile.auditRetentionDays) ?? 3653;
  return days as logs.RetentionDays;
}
