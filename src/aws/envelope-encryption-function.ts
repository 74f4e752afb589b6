import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { GrantConditions } from './custodians';
import { EnvelopeFunction } from './handlers/envelope-function';
import { ENV } from './handlers/envelope-handler';
import { acknowledgeRules } from './private/acknowledge';
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
 * Properties of an `EnvelopeEncryptionFunction`.
 */
export interface EnvelopeEncryptionFunctionProps {
  /** The KMS key: a ManagedKey, CustomerManagedKey, ByokImport, a key in a HyokExternalStore, or any symmetric IKey. */
  readonly key: kms.IKey;

  /**
   * Encryption-context keys every request must carry. The function refuses requests without them, and its KMS grant
   * is conditioned on them, so key-policy and CloudTrail records always show them.
   */
  readonly requiredContextKeys: string[];

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

  constructor(scope: Construct, id: string, props: EnvelopeEncryptionFunctionProps) {
    super(scope, id);
    const required = props.requiredContextKeys ?? [];
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

    const logKey = props.logEncryptionKey ?? this.newLogKey();
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

    const conditions: GrantConditions = { requiredContextKeys: required };
    const conditional = props.key as Partial<ConditionalGrantable>;
    const immutableRole = this.role.withoutPolicyUpdates();
    if (typeof conditional.grantDataKeyUseWhen === 'function') {
      // Our custodian keys: the key policy is the only authority, so the grant goes there.
      conditional.grantDataKeyUseWhen(immutableRole, conditions);
    } else {
      // Keys whose policy delegates to IAM (ManagedKey, imported keys).
      policy.addStatements(new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.key.keyArn],
        conditions: { Null: Object.fromEntries(required.map((k) => [`kms:EncryptionContext:${k}`, 'false'])) },
      }));
    }

    this.function = new EnvelopeFunction(this, 'Function', {
      description: `cloud-kms envelope encryption with ${props.key.node.path}`,
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
        [ENV.KEY_ARN]: props.key.keyArn,
        [ENV.REQUIRED_CONTEXT_KEYS]: required.join(','),
        [ENV.SUITE]: String(props.suite ?? EnvelopeSuite.COMMITTING),
        [ENV.CACHE_MAX_AGE_MS]: String(cacheAge.toMilliseconds()),
        [ENV.CACHE_MAX_MESSAGES]: String(cacheMessages),
        [ENV.MAX_RECORD_BYTES]: String(maxRecordBytes),
      },
    });
    this.function.node.addDependency(policy);
    this.acknowledge(props.vpc !== undefined);
    this.recordEvidence(props.key, required, props.suite ?? EnvelopeSuite.COMMITTING);
  }

  private newLogKey(): kms.Key {
    const key = new kms.Key(this, 'LogKey', {
      enableKeyRotation: true,
      description: 'Encrypts the envelope function\'s logs and dead-letter queue',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stack = Stack.of(this);
    key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` } },
    }));
    return key;
  }

  private acknowledge(inVpc: boolean): void {
    const acks = [
      { id: 'AwsSolutions-SQS3', reason: 'This queue is the function\'s dead-letter queue; a dead-letter queue needs none of its own.' },
      ...(inVpc ? [{ id: 'AwsSolutions-IAM5[Resource::*]', reason: 'Lambda\'s VPC network-interface actions support no resource-level permissions.' }] : []),
      ...(inVpc ? [] : ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].map((pack) => ({
        id: `${pack}-LambdaInsideVPC`,
        reason: 'The function calls only AWS KMS, over TLS with SigV4; running it in a VPC is an option (vpc) for networks that route KMS privately.',
      }))),
    ];
    acknowledgeRules(this, this, acks);
  }

  private recordEvidence(key: kms.IKey, required: string[], suite: EnvelopeSuite): void {
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
}

/** CloudWatch retention periods, in days, as RetentionDays offers them. */
const RETENTION_STEPS = [365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

function retentionFor(profile: ComplianceProfile): logs.RetentionDays {
  const days = RETENTION_STEPS.find((d) => d >= profile.auditRetentionDays) ?? 3653;
  return days as logs.RetentionDays;
}
