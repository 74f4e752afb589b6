import { Duration, Fn, Lazy, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { GrantConditions } from './custodians';
import { ENV } from './handlers/envelope-env';
import { EnvelopeFunction } from './handlers/envelope-function';
import { MANAGEMENT_ACTIONS, READ_ACTIONS } from './key-policy-actions';
import { registerAccessPolicy } from './private/access-policy';
import { acknowledgeRules } from './private/acknowledge';
import { defaultDeploymentPrincipal } from './private/deployment-principal';
import { describeSelection, literalDuration, optionalList, optionalProfile, quoted, requireProps, selectSubnets, wholeNumber } from './private/input';
import { denyGrantsNotForAwsResources } from './private/log-key';
import type { TenantKeyHierarchy } from './tenant-key-hierarchy';
import { Control } from '../core/controls';
import { EvidenceLedger, EvidenceStatus } from '../core/evidence';
import { ComplianceProfile } from '../core/profile';
import { isTokenValue, shown, ValidationError } from '../core/validation';

/** The message format suite the function writes (it reads both). */
export enum EnvelopeSuite {
  /** 0x0478: AES-256-GCM, HKDF-SHA512, key commitment. */
  COMMITTING = 0x0478,
  /** 0x0578: as COMMITTING, plus an ECDSA P-384 signature (the AWS Encryption SDK's default; about 2 ms more a message). */
  COMMITTING_SIGNED = 0x0578,
}

/**
 * How a tenant-aware function verifies the caller's token (claim resolution): the signature against the issuer's
 * published keys, and the `iss`, `aud`, `exp` (required) and `nbf` claims.
 */
export interface TokenVerification {
  /** The `iss` every token must carry: an https URL (e.g. `https://cognito-idp.<region>.amazonaws.com/<pool id>`). */
  readonly issuer: string;

  /**
   * Accepted `aud` values. A Cognito ID token's `aud` is the app client id; Cognito access tokens carry no `aud` and are
   * refused (send the ID token).
   */
  readonly audience: string[];

  /**
   * The issuer's JSON Web Key Set: an https URL the function fetches (and caches) the signing keys from.
   * @see https://datatracker.ietf.org/doc/html/rfc7517
   */
  readonly jwksUri: string;
}

/**
 * Where a tenant-aware envelope function learns the caller's tenant. Either way the function proves the caller's
 * identity itself: it never reads identity from the event's `requestContext`, which a direct invoker can forge.
 */
export class TenantResolution {
  /**
   * The tenant tag (the hierarchy's `tenantTagKey`) of the IAM role or user that signed the caller's proof: a signed,
   * unsent `sts:GetCallerIdentity` request (`createCallerProof` in `cloud-kms-constructs/lib/envelope`) that the function
   * forwards to its own region's STS endpoint, as HashiCorp Vault's AWS IAM auth method does. The tag is read with IAM.
   * Session tags are not visible to the function: tag the roles themselves.
   */
  public static principalTag(): TenantResolution {
    return new TenantResolution('principalTag');
  }

  /**
   * A claim of the caller's JWT, whose signature, issuer, audience and lifetime the function verifies itself against
   * the issuer's JWKS (what an API Gateway authorizer passed in is not trusted).
   */
  public static claim(name: string, token: TokenVerification): TenantResolution {
    if (typeof name !== 'string' || !/^[\w:./-]{1,128}$/.test(name)) throw new ValidationError(`claim must be 1 to 128 letters, digits and _:./-, got ${quoted(name)}`);
    if (!token) throw new ValidationError(`token must say how to verify the caller's token for claim '${name}', got none`);
    requireHttpsUrl('token.issuer', token.issuer);
    requireHttpsUrl('token.jwksUri', token.jwksUri);
    if (!Array.isArray(token.audience) || token.audience.length === 0) {
      throw new ValidationError(`token.audience must name at least one audience, got ${JSON.stringify(token.audience ?? null)}`);
    }
    for (const aud of token.audience) {
      if (typeof aud !== 'string' || (!Token.isUnresolved(aud) && !/^[^\s,]{1,256}$/.test(aud))) {
        throw new ValidationError(`token.audience must be non-empty values without spaces or commas, got ${quoted(aud)}`);
      }
    }
    return new TenantResolution('claim', name, token);
  }

  private constructor(public readonly source: string, public readonly claimName?: string, public readonly token?: TokenVerification) {}
}

function requireHttpsUrl(prop: string, value: string): void {
  if (Token.isUnresolved(value)) return;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (typeof value !== 'string' || !url || url.protocol !== 'https:' || !url.hostname || url.username || url.password || /[\s,]/.test(value)) {
    throw new ValidationError(`${prop} must be an https URL, got ${quoted(value)}`);
  }
}

/** Lambda's limit on a function's environment (keys and values together). */
const LAMBDA_ENVIRONMENT_BYTES = 4096;
/** What the other variables take, with room for resolved ARNs. */
const ENVIRONMENT_RESERVE_BYTES = 1200;
/** A key id and its comma. */
const KEY_ID_BYTES = 37;

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
   * Principal-tag resolution: the server id callers sign into their proofs (the `x-cloud-kms-server-id` header), so a
   * proof made for another service is refused here. Give every function its own.
   * @default - `cloud-kms:<this construct's path>`
   */
  readonly callerProofServerId?: string;

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
  /** Tenant mode: the IAM-authorized URL callers invoke (`grantInvoke` grants it, and nothing else). */
  public readonly functionUrl?: lambda.FunctionUrl;
  /** Tenant mode with principal-tag resolution: the server id callers pass to `createCallerProof`. */
  public readonly callerProofServerId?: string;

  constructor(scope: Construct, id: string, props: EnvelopeEncryptionFunctionProps) {
    super(scope, id);
    requireProps(props, 'EnvelopeEncryptionFunction');
    if ((props.key === undefined) === (props.tenants === undefined)) {
      throw new ValidationError(`give exactly one of key and tenants for ${this.node.path}, got ${props.key ? 'both' : 'neither'}`);
    }
    if (props.key !== undefined && (typeof props.key !== 'object' || typeof props.key.keyArn !== 'string' || !props.key.node)) {
      throw new ValidationError(`key must be a KMS key (kms.IKey), got ${shown(props.key)}`);
    }
    if (props.tenants !== undefined && (typeof props.tenants !== 'object' || typeof props.tenants.contextKey !== 'string' || typeof props.tenants.keyFor !== 'function')) {
      throw new ValidationError(`tenants must be a TenantKeyHierarchy, got ${shown(props.tenants)}`);
    }
    if (props.tenantResolution !== undefined && !(props.tenantResolution instanceof TenantResolution)) {
      throw new ValidationError(`tenantResolution must be TenantResolution.principalTag() or TenantResolution.claim(...), got ${shown(props.tenantResolution)}`);
    }
    if (props.logEncryptionKey !== undefined && (typeof props.logEncryptionKey !== 'object' || typeof props.logEncryptionKey.keyArn !== 'string')) {
      throw new ValidationError(`logEncryptionKey must be a KMS key (kms.IKey), got ${shown(props.logEncryptionKey)}`);
    }
    optionalProfile('profile', props.profile);
    if (props.tenantResolution && !props.tenants) {
      throw new ValidationError(`tenantResolution applies only with tenants, for ${this.node.path}`);
    }
    const resolution = props.tenants ? props.tenantResolution ?? TenantResolution.principalTag() : undefined;
    if (props.callerProofServerId !== undefined && resolution?.source !== 'principalTag') {
      throw new ValidationError(`callerProofServerId applies only with tenants and principal-tag resolution, got ${shown(props.callerProofServerId)} for ${this.node.path}`);
    }
    if (resolution?.source === 'principalTag') {
      this.callerProofServerId = props.callerProofServerId ?? `cloud-kms:${this.node.path.replace(/[^\x21-\x7e]/g, '-')}`;
      if (typeof this.callerProofServerId !== 'string'
        || (!Token.isUnresolved(this.callerProofServerId) && !/^[\x21-\x7e]{1,256}$/.test(this.callerProofServerId))) {
        throw new ValidationError(`callerProofServerId must be 1 to 256 printable characters without spaces, got ${quoted(this.callerProofServerId)}`);
      }
    }
    const userKeys = optionalList('requiredContextKeys', props.requiredContextKeys);
    // A list token (a CommaDelimitedList parameter: one '#{Token[..]}' element, which Token.isUnresolved does not see)
    // or a string token: each key becomes a policy condition key (kms:EncryptionContext:<key>) and part of the
    // function's environment, which cannot come from a token.
    if (isTokenValue(userKeys)) {
      throw new ValidationError(`requiredContextKeys must be literal keys (each becomes part of a policy condition key, which cannot come from a token), got ${shown(userKeys.length === 1 ? userKeys[0] : userKeys)}`);
    }
    for (const k of userKeys) {
      if (typeof k !== 'string' || k.trim().length === 0 || k.startsWith('aws-crypto-') || k.includes(',')) {
        throw new ValidationError(`requiredContextKeys must be non-empty, without commas and not start with aws-crypto-, got ${shown(k)}`);
      }
    }
    // The hierarchy's context key joins the list; a key named twice is required once.
    const required = [...userKeys, ...(props.tenants ? [props.tenants.contextKey] : [])]
      .filter((k, i, all) => all.indexOf(k) === i);
    if (required.length === 0) {
      throw new ValidationError(`requiredContextKeys must name at least one encryption-context key for ${this.node.path}, got none`);
    }
    const cacheAge = literalDuration('cacheMaxAge', props.cacheMaxAge) ?? Duration.minutes(5);
    const cacheAgeMs = cacheAge.toMilliseconds({ integral: false });
    if (!Number.isInteger(cacheAgeMs) || cacheAgeMs < 0 || cacheAgeMs > 86_400_000) {
      throw new ValidationError(`cacheMaxAge must be a whole number of milliseconds from 0 to 1 day, got ${cacheAge.toHumanString()}`);
    }
    const cacheMessages = wholeNumber('cacheMaxMessages', props.cacheMaxMessages ?? 1000, 1, 2 ** 32, 'messages');
    const maxRecordBytes = wholeNumber('maxRecordBytes', props.maxRecordBytes ?? 4 * 1024 * 1024, 1, Math.floor(4.4 * 1024 * 1024), 'bytes');
    const concurrency = wholeNumber('reservedConcurrentExecutions', props.reservedConcurrentExecutions ?? 10, 1, 1000, 'executions');
    // Lambda: 128 to 10,240 MB in 1-MB steps, a timeout of 1 to 900 whole seconds.
    // https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html#lambda-CreateFunction-request-MemorySize
    // https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html#lambda-CreateFunction-request-Timeout
    // A token memory size, or a token timeout in seconds (a Number CfnParameter), passes to the function as before
    // issue 16: Lambda itself refuses an out-of-range value at deployment, and nothing here depends on either.
    const memorySize = typeof props.memorySize === 'number' && Token.isUnresolved(props.memorySize)
      ? props.memorySize : wholeNumber('memorySize', props.memorySize ?? 1024, 128, 10240, 'MB');
    const timeout = props.timeout instanceof Duration && props.timeout.isUnresolved() && props.timeout.unitLabel() === 'seconds'
      ? props.timeout : literalDuration('timeout', props.timeout) ?? Duration.seconds(30);
    const timeoutSeconds = timeout.isUnresolved() ? 30 : timeout.toSeconds({ integral: false });
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 900) {
      throw new ValidationError(`timeout must be a whole number of seconds from 1 to 900, got ${timeout.toHumanString()}`);
    }
    if (props.suite !== undefined && !Object.values(EnvelopeSuite).includes(props.suite)) {
      throw new ValidationError(`suite must be one of ${Object.values(EnvelopeSuite).join(', ')}, got ${shown(props.suite)}`);
    }
    if (props.logRetention !== undefined && !Object.values(logs.RetentionDays).includes(props.logRetention)) {
      throw new ValidationError(`logRetention must be a logs.RetentionDays value, got ${shown(props.logRetention)}`);
    }
    if (!props.vpc && props.vpcSubnets !== undefined) {
      throw new ValidationError(`vpcSubnets applies only with vpc, got ${describeSelection(props.vpcSubnets)} and no vpc`);
    }
    if (!props.vpc && props.securityGroups !== undefined) {
      throw new ValidationError(`securityGroups applies only with vpc, got ${describeSecurityGroups(props.securityGroups)} and no vpc`);
    }
    if (props.vpc) selectSubnets('vpcSubnets', props.vpc, props.vpcSubnets);
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
    if (props.tenants && resolution) {
      this.tenantSessionRole = this.tenantSession(props.tenants, policy, resolution);
      keyEnvironment = {
        [ENV.TENANT_SESSION_ROLE_ARN]: this.tenantSessionRole.roleArn,
        [ENV.TENANT_ALIAS_PREFIX]: `alias/${props.tenants.aliasPrefix}/`,
        [ENV.TENANT_TAG_KEY]: props.tenants.tenantTagKey,
        [ENV.TENANT_CONTEXT_KEY]: props.tenants.contextKey,
        [ENV.TENANT_SOURCE]: resolution.source,
        [ENV.TENANT_KEY_IDS]: this.pinnedKeyIds(props.tenants),
        ...(resolution.claimName ? { [ENV.TENANT_CLAIM]: resolution.claimName } : {}),
        ...(this.callerProofServerId ? { [ENV.CALLER_PROOF_SERVER_ID]: this.callerProofServerId } : {}),
        ...(resolution.token ? {
          [ENV.JWT_ISSUER]: resolution.token.issuer,
          [ENV.JWT_AUDIENCE]: resolution.token.audience.join(','),
          [ENV.JWT_JWKS_URI]: resolution.token.jwksUri,
        } : {}),
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
      memorySize,
      timeout,
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
        [ENV.CACHE_MAX_AGE_MS]: String(cacheAgeMs),
        [ENV.CACHE_MAX_MESSAGES]: String(cacheMessages),
        [ENV.MAX_RECORD_BYTES]: String(maxRecordBytes),
      },
    });
    if (props.tenants) {
      // The way in that grantInvoke opens. Identity is proven inside the request (a caller proof or a verified token),
      // because whoever holds plain lambda:InvokeFunction in its own IAM policy can still invoke with any event.
      this.functionUrl = this.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    }
    this.function.node.addDependency(policy);
    this.acknowledge(props.vpc !== undefined, props.tenants !== undefined);
    this.recordEvidence(props.key ?? props.tenants!, required, props.suite ?? EnvelopeSuite.COMMITTING);
    if (props.tenants) this.recordTenantEvidence(props.tenants, resolution!);
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
    const identity = resolution.source === 'claim'
      ? `claim ${resolution.claimName} of a token verified against ${resolution.token!.jwksUri} (iss, aud, exp, nbf)`
      : `principal tag ${tenants.tenantTagKey} of the IAM identity STS reports for the caller's signed GetCallerIdentity request (server id ${this.callerProofServerId})`;
    for (const control of [Control.NIST_AC_6, Control.SOC2_CC6_1, Control.ISO_A_8_24]) {
      ledger.record({
        control,
        status: EvidenceStatus.SATISFIED,
        subject: this.node.path,
        resource: this.tenantSessionRole!.node.path,
        setting: 'tenant isolation',
        value: `tenant from ${identity}; session tag ${tenants.tenantTagKey}; key ids pinned`,
        description: 'the function proves the caller\'s identity itself (the event\'s requestContext is never trusted) and serves each request with the ' +
          'caller\'s tenant key through a role session tagged with that tenant; the key policies require the tag to match the ' +
          `${tenants.contextKey} encryption context; another tenant's message is refused before any key is used; a tenant's alias must name one of ` +
          'the hierarchy\'s own keys, so re-pointing an alias cannot redirect its data. Trusted: whoever can change the function\'s code or ' +
          'configuration, its execution role, or the tenant session role\'s trust policy can read every tenant',
      });
    }
    // Against its own controllers the function enforces nothing: recorded on the hierarchy, so every tenant key's
    // report lists it.
    ledger.acknowledge({
      subject: tenants.node.path,
      resource: this.function.node.path,
      rule: 'cloud-kms:TenantFunctionTrustedParties',
      reason: `partial control: ${this.node.path} isolates tenants from its callers, not from whoever can change its code or configuration ` +
        '(lambda:UpdateFunctionCode, lambda:UpdateFunctionConfiguration, lambda:PublishLayerVersion for its layers), attach policies to its ' +
        'execution role, or change the tenant session role\'s trust policy (iam:UpdateAssumeRolePolicy): each of those can read every tenant\'s ' +
        'data. Limit those rights to the deployment pipeline and watch them in the audit trail',
    });
  }
}

/** CloudWatch retention periods, in days, as RetentionDays offers them. */
const RETENTION_STEPS = [365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

function retentionFor(profile: ComplianceProfile): logs.RetentionDays {
  const days = RETENTION_STEPS.find((d) => d >= profile.auditRetentionDays) ?? 3653;
  return days as logs.RetentionDays;
}

/** Security groups by id, or by construct path where the id is a deploy-time value (a construct is not JSON). */
function describeSecurityGroups(groups: unknown): string {
  if (!Array.isArray(groups)) return shown(groups);
  return `[${groups.map((g) => (g && typeof g === 'object' && typeof g.securityGroupId === 'string' && !Token.isUnresolved(g.securityGroupId)
    ? g.securityGroupId : g && typeof g === 'object' && g.node ? g.node.path : shown(g))).join(', ')}]`;
}
