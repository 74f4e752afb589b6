import { DefaultStackSynthesizer, Duration, Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { IKeyAuditSink } from './key-audit-sink';
import { checkApprovers } from '../core/checks';
import { CustodianAssignment, CustodianRole, SeparationOfDuties } from '../core/custodians';
import { DeploymentModel } from '../core/deployment-model';
import { EvidenceLedger } from '../core/evidence';
import { ComplianceProfile } from '../core/profile';
import { ValidationError } from '../core/validation';
import {
  ActionClass, classifyAction, DATA_KEY_PAIR_ACTIONS, DECRYPT_ACTIONS, ENCRYPT_ACTIONS, GENERATE_MAC_ACTIONS,
  KEY_AGREEMENT_ACTIONS, PUBLIC_KEY_ACTIONS, SIGN_ACTIONS, VERIFY_ACTIONS, VERIFY_MAC_ACTIONS,
} from './private/actions';
import { recordKeyEvidence } from './private/key-evidence';
import {
  ADMINISTRATOR_DENIED_ACTIONS, administratorActions, buildKeyPolicy, findPolicyViolations,
} from './private/key-policy';
import { applyUnresolvedSettings, lifecycleProps, normalizeAlias, resolveKeySettings } from './private/key-settings';
import { assignments, identify, requireNamedPrincipal } from './private/principals';

/**
 * Who holds which role over a key. Every principal must be a named IAM role or user:
 * the account root and wildcards are rejected, because they would hand the role to every IAM identity.
 */
export interface KeyCustodians {
  /**
   * Manage the key (policy, rotation, aliases, tags, lifecycle). Explicitly denied every cryptographic action.
   */
  readonly administrators: iam.IPrincipal[];

  /**
   * Use the key for the cryptographic operations its spec allows. Explicitly denied every management action.
   * More users can be added later with the grant methods.
   * @default - none yet
   */
  readonly users?: iam.IPrincipal[];

  /**
   * Read key metadata, policy, grants and rotation status only; everything else explicitly denied.
   * @default - none
   */
  readonly auditors?: iam.IPrincipal[];

  /**
   * Under a profile that requires dual control: the only principals that may schedule or cancel deletion,
   * disable the key or change its policy, each with MFA. At least two.
   * @default - none (required when the profile requires dual control)
   */
  readonly approvers?: iam.IPrincipal[];
}

/**
 * Conditions for a conditional grant.
 */
export interface GrantConditions {
  /**
   * Encryption-context pairs every request must carry (`kms:EncryptionContext:<key>` equals the value).
   * @default - no encryption-context condition
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context
   */
  readonly encryptionContext?: { [key: string]: string };

  /**
   * AWS services the request must come through (`kms:ViaService`), e.g. `s3.us-east-1.amazonaws.com`.
   * @default - any caller path
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
   */
  readonly viaServices?: string[];
}

/**
 * Properties of a `CustomerManagedKey`.
 */
export interface CustomerManagedKeyProps {
  /** Who administers, uses, audits and (under dual control) approves destructive operations on the key. */
  readonly custodians: KeyCustodians;

  /**
   * The compliance profile the key must satisfy.
   * @default ComplianceProfile.COMMERCIAL
   */
  readonly profile?: ComplianceProfile;

  /**
   * Where key events are recorded and alarmed. Required by profiles that require an audit sink.
   * @default - none
   */
  readonly auditSink?: IKeyAuditSink;

  /**
   * Automatic rotation period (symmetric encryption keys only): 90 to 2560 days and within the profile's limit.
   * @default - the profile's longest rotation period
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html
   */
  readonly rotation?: Duration;

  /**
   * Waiting period before a key scheduled for deletion is deleted: 7 to 30 days, at least the profile's minimum.
   * @default Duration.days(30)
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html#deleting-keys-scheduling-key-deletion
   */
  readonly deletionWindow?: Duration;

  /**
   * Key spec.
   * @default KeySpec.SYMMETRIC_DEFAULT
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-choose-key-spec.html
   */
  readonly keySpec?: kms.KeySpec;

  /**
   * Key usage.
   * @default - ENCRYPT_DECRYPT for symmetric and RSA keys, GENERATE_VERIFY_MAC for HMAC keys, SIGN_VERIFY for the rest
   */
  readonly keyUsage?: kms.KeyUsage;

  /**
   * Create a multi-Region primary key.
   * @default false
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html
   */
  readonly multiRegion?: boolean;

  /**
   * Aliases for the key; `alias/` is added when missing. `alias/aws/` is reserved.
   * @default - none
   */
  readonly aliases?: string[];

  /**
   * Key description.
   * @default - the deployment model, profile and construct path
   */
  readonly description?: string;

  /**
   * What happens to the key when it leaves the stack. Under dual control only RETAIN is allowed.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * The principal CloudFormation uses to create and update the key. KMS refuses a key policy that would lock
   * this principal out (the policy lockout safety check), and CloudFormation needs it for later updates.
   * @default - the CloudFormation execution role of the stack's DefaultStackSynthesizer
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-bypass-policy-lockout-safety-check
   */
  readonly deploymentPrincipal?: iam.IPrincipal;

  /**
   * Add the default `kms:*` statement for the account root, so IAM policies also govern the key.
   * This gives up separation of duties: the evidence ledger records it as not enforced, and profiles
   * that require separation of duties refuse it.
   * @default false
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam
   */
  readonly delegateToIam?: boolean;
}

/**
 * A customer-managed KMS key whose key policy is the only authority, built from named custodians:
 * administrators manage but cannot use it, users use but cannot manage it, auditors only read,
 * and under dual control two or more approvers with MFA hold the destructive operations.
 *
 * It is a `kms.Key`, so it plugs into every CDK construct that takes an `IKey`. Grants are written
 * into the key policy (same-account principals need no IAM policy), and each grantee is checked
 * against the separation-of-duties rules.
 */
export class CustomerManagedKey extends kms.Key {
  /** The deployment model: CUSTOMER_MANAGED. */
  public readonly model: DeploymentModel;
  /** The compliance profile the key satisfies. */
  public readonly profile: ComplianceProfile;
  /** The audit sink, if any. */
  public readonly auditSink?: IKeyAuditSink;
  /** Whether destructive operations are held by approvers with MFA. */
  public readonly dualControl: boolean;
  /** Whether the account root holds `kms:*` (IAM delegation; separation of duties not enforced). */
  public readonly delegateToIam: boolean;

  private readonly custodianAssignments: CustodianAssignment[];

  constructor(scope: Construct, id: string, props: CustomerManagedKeyProps) {
    const subject = `${scope.node.path}/${id}`;
    const spec = props.keySpec ?? kms.KeySpec.SYMMETRIC_DEFAULT;
    const usage = props.keyUsage ?? defaultUsage(spec);
    const settings = resolveKeySettings(scope, id, props, DeploymentModel.CUSTOMER_MANAGED, spec, usage);
    const profile = settings.profile;
    const delegate = props.delegateToIam ?? false;
    if (delegate && profile.separationOfDutiesRequired) {
      throw new ValidationError(
        `delegateToIam must be false under profile ${profile.name}, which requires separation of duties, got true`);
    }
    const c = props.custodians;
    if (!c || !c.administrators || c.administrators.length === 0) {
      throw new ValidationError(`custodians.administrators must name at least one principal for ${subject}, got none`);
    }
    const users = c.users ?? [];
    const auditors = c.auditors ?? [];
    const approvers = c.approvers ?? [];
    c.administrators.forEach((p) => requireNamedPrincipal(scope, 'custodians.administrators', p, false));
    users.forEach((p) => requireNamedPrincipal(scope, 'custodians.users', p, true));
    auditors.forEach((p) => requireNamedPrincipal(scope, 'custodians.auditors', p, false));
    approvers.forEach((p) => requireNamedPrincipal(scope, 'custodians.approvers', p, false));

    const dualControl = profile.dualControlRequired || approvers.length > 0;
    const approverArns = approvers.flatMap((p) => identify(scope, p).arns);
    if (dualControl) {
      checkApprovers(profile, approvers.flatMap((p) => identify(scope, p).identities), 'custodians.approvers', subject);
      if (settings.removalPolicy !== RemovalPolicy.RETAIN) {
        throw new ValidationError(
          `removalPolicy must be RETAIN under dual control for ${subject} (deletion is for the approvers), got ${settings.removalPolicy}`);
      }
    }

    const deployer = props.deploymentPrincipal ?? defaultDeploymentPrincipal(scope, subject);
    requireNamedPrincipal(scope, 'deploymentPrincipal', deployer, false);

    const all: CustodianAssignment[] = [
      ...assignments(scope, CustodianRole.ADMINISTRATOR, 'custodians.administrators', c.administrators),
      ...assignments(scope, CustodianRole.USER, 'custodians.users', users),
      ...assignments(scope, CustodianRole.AUDITOR, 'custodians.auditors', auditors),
      ...assignments(scope, CustodianRole.APPROVER, 'custodians.approvers', approvers),
      ...assignments(scope, CustodianRole.DEPLOYER, 'deploymentPrincipal', [deployer]),
    ];
    SeparationOfDuties.check(all, subject);

    const policy = buildKeyPolicy({
      administrators: c.administrators,
      users,
      auditors,
      approvers,
      approverArns,
      deployer,
      deployerArns: identify(scope, deployer).arns,
    }, { userActions: userActionsFor(spec, usage), dualControl, delegateToIam: delegate });

    super(scope, id, {
      description: props.description ?? `${DeploymentModel.CUSTOMER_MANAGED.title} under profile ${profile.name} (${subject})`,
      keySpec: spec,
      keyUsage: usage,
      multiRegion: props.multiRegion,
      policy,
      ...lifecycleProps(settings),
    });
    applyUnresolvedSettings(this, settings);

    this.model = DeploymentModel.CUSTOMER_MANAGED;
    this.profile = profile;
    this.auditSink = props.auditSink;
    this.dualControl = dualControl;
    this.delegateToIam = delegate;
    this.custodianAssignments = all;

    for (const alias of settings.aliases) {
      super.addAlias(alias);
    }

    const ledger = EvidenceLedger.of(this);
    all.forEach((a) => ledger.addCustodian(this.node.path, a));
    recordKeyEvidence(this, {
      constructName: 'CustomerManagedKey',
      model: this.model,
      settings,
      auditSink: props.auditSink,
      separation: delegate ? undefined
        : 'key policy names administrators (management only, cryptographic use denied), users (use only, management denied)' +
          `${auditors.length > 0 ? ', auditors (read only)' : ''}; no account-root delegation`,
      dualControl: dualControl
        ? `ScheduleKeyDeletion, CancelKeyDeletion, DisableKey and PutKeyPolicy limited to ${new Set(approverArns).size} named ` +
          'approvers with MFA (PutKeyPolicy also to the CloudFormation deployment role)'
        : undefined,
    });

    this.node.addValidation({
      validate: () => this.policy ? findPolicyViolations(this, this.policy, this.delegateToIam) : [],
    });
  }

  /** Adds an alias (`alias/` is added when missing; `alias/aws/` is reserved). */
  public addAlias(aliasName: string): kms.Alias {
    return super.addAlias(normalizeAlias(aliasName));
  }

  /**
   * CDK's generic grant collection, used by other constructs. The key policy does not delegate to IAM, so
   * these grants must land in the key policy too (trustAccountIdentities false); the synthesis-time policy
   * check still applies to them. Prefer the grant methods, which also check separation of duties early.
   */
  public get grants(): kms.KeyGrants {
    return kms.KeyGrants.fromKey(this, false);
  }

  /**
   * Grants the actions to the principal in the key policy, after checking the principal against the
   * separation-of-duties rules (a grantee of cryptographic actions becomes a user, of management actions
   * an administrator). Cross-account principals also get an identity-policy statement.
   */
  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return this.grantInKeyPolicy(grantee, actions);
  }

  public grantDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this.grantInKeyPolicy(grantee, DECRYPT_ACTIONS);
  }

  public grantEncrypt(grantee: iam.IGrantable): iam.Grant {
    return this.grantInKeyPolicy(grantee, ENCRYPT_ACTIONS);
  }

  public grantEncryptDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this.grantInKeyPolicy(grantee, [...ENCRYPT_ACTIONS, ...DECRYPT_ACTIONS]);
  }

  public grantSign(grantee: iam.IGrantable): iam.Grant {
    return this.grantInKeyPolicy(grantee, SIGN_ACTIONS);
  }

  public grantVerify(grantee: iam.IGrantable): iam.Grant {
    return this.grantInKeyPolicy(grantee, VERIFY_ACTIONS);
  }

  public grantSignVerify(grantee: iam.IGrantable): iam.Grant {
    return this.grantInKeyPolicy(grantee, [...SIGN_ACTIONS, ...VERIFY_ACTIONS]);
  }

  public grantGenerateMac(grantee: iam.IGrantable): iam.Grant {
    return this.grantInKeyPolicy(grantee, GENERATE_MAC_ACTIONS);
  }

  public grantVerifyMac(grantee: iam.IGrantable): iam.Grant {
    return this.grantInKeyPolicy(grantee, VERIFY_MAC_ACTIONS);
  }

  /**
   * Makes the principal a key administrator: management actions (without the dual-control ones when dual
   * control is on), never cryptographic use.
   */
  public grantAdmin(grantee: iam.IGrantable): iam.Grant {
    const principal = grantee.grantPrincipal;
    requireNamedPrincipal(this, 'grantee', principal, false);
    this.addAssignments(CustodianRole.ADMINISTRATOR, 'grantee', principal);
    this.addToResourcePolicy(new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      principals: [principal],
      actions: ADMINISTRATOR_DENIED_ACTIONS,
      resources: ['*'],
    }));
    return this.grantInKeyPolicy(grantee, administratorActions(this.dualControl), undefined, true);
  }

  /** Grants encrypt and decrypt only when the request meets the conditions (encryption context, calling service). */
  public grantEncryptDecryptWhen(grantee: iam.IGrantable, conditions: GrantConditions): iam.Grant {
    return this.grantInKeyPolicy(grantee, [...ENCRYPT_ACTIONS, ...DECRYPT_ACTIONS], conditions);
  }

  /** Grants encrypt only when the request meets the conditions (encryption context, calling service). */
  public grantEncryptWhen(grantee: iam.IGrantable, conditions: GrantConditions): iam.Grant {
    return this.grantInKeyPolicy(grantee, ENCRYPT_ACTIONS, conditions);
  }

  /** Grants decrypt only when the request meets the conditions (encryption context, calling service). */
  public grantDecryptWhen(grantee: iam.IGrantable, conditions: GrantConditions): iam.Grant {
    return this.grantInKeyPolicy(grantee, DECRYPT_ACTIONS, conditions);
  }

  private addAssignments(role: CustodianRole, source: string, principal: iam.IPrincipal): void {
    const added = assignments(this, role, source, [principal]);
    SeparationOfDuties.check([...this.custodianAssignments, ...added], this.node.path);
    this.custodianAssignments.push(...added);
    const ledger = EvidenceLedger.of(this);
    added.forEach((a) => ledger.addCustodian(this.node.path, a));
  }

  private grantInKeyPolicy(grantee: iam.IGrantable, actions: string[], conditions?: GrantConditions, roleRecorded = false): iam.Grant {
    const principal = grantee.grantPrincipal;
    const classes = new Set(actions.flatMap(classifyAction));
    if (!roleRecorded) {
      requireNamedPrincipal(this, 'grantee', principal, true);
      if (classes.has(ActionClass.CRYPTOGRAPHIC)) {
        this.addAssignments(CustodianRole.USER, 'grantee', principal);
      }
      if (classes.has(ActionClass.MANAGEMENT)) {
        this.addAssignments(CustodianRole.ADMINISTRATOR, 'grantee', principal);
      }
      if (classes.has(ActionClass.IMPORT)) {
        this.addAssignments(CustodianRole.IMPORTER, 'grantee', principal);
      }
    }
    const condition = conditions ? toConditions(conditions) : undefined;
    this.requireGranteeNotDownstream(grantee);

    const keyStack = Stack.of(this);
    const granteeStack = Construct.isConstruct(grantee) ? Stack.of(grantee) : undefined;
    const principalAccount = principal.principalAccount;
    const crossAccount = principalAccount !== undefined && !Token.isUnresolved(principalAccount)
      && !Token.isUnresolved(keyStack.account) && principalAccount !== keyStack.account;
    const crossRegion = granteeStack !== undefined && !Token.isUnresolved(granteeStack.region)
      && !Token.isUnresolved(keyStack.region) && granteeStack.region !== keyStack.region;

    if (crossAccount || crossRegion) {
      // KMS needs both the key policy and the caller's own policy across accounts.
      return iam.Grant.addToPrincipalAndResource({
        grantee,
        actions,
        resourceArns: ['*'],
        resource: this,
        resourceSelfArns: ['*'],
        conditions: condition,
      });
    }
    return iam.Grant.addStatementToResourcePolicy({
      grantee,
      actions,
      resourceArns: [this.keyArn],
      resource: this,
      statement: new iam.PolicyStatement({ principals: [principal], actions, resources: ['*'], conditions: condition }),
    });
  }

  /**
   * A key policy can only name principals that exist when it is written. If the grantee lives in a stack
   * that deploys after this key's stack, CDK's default falls back to the account root, which would hand the
   * key to IAM; we refuse instead.
   */
  private requireGranteeNotDownstream(grantee: iam.IGrantable): void {
    if (!Construct.isConstruct(grantee)) return;
    const keyStack = Stack.of(this);
    const granteeStack = Stack.of(grantee);
    if (granteeStack !== keyStack && granteeStack.dependencies.includes(keyStack)) {
      throw new ValidationError(
        `grantee ${grantee.node.path} is in stack ${granteeStack.stackName}, which deploys after the key's stack ` +
        `${keyStack.stackName}; a key policy can only name principals that already exist. Define the principal in ` +
        'the key stack or an earlier stack, or pass an ArnPrincipal of an existing role');
    }
  }
}

function toConditions(c: GrantConditions): { [op: string]: { [key: string]: unknown } } {
  const out: { [op: string]: { [key: string]: unknown } } = {};
  const ctx = c.encryptionContext ?? {};
  const keys = Object.keys(ctx);
  if (keys.length === 0 && (c.viaServices ?? []).length === 0) {
    throw new ValidationError('conditions must set encryptionContext or viaServices, got neither');
  }
  for (const k of keys) {
    if (!Token.isUnresolved(k) && (k.length === 0 || k.startsWith('aws-crypto-'))) {
      throw new ValidationError(`encryptionContext key must be non-empty and must not use the reserved prefix aws-crypto-, got '${k}'`);
    }
  }
  if (keys.length > 0) {
    out.StringEquals = Object.fromEntries(keys.map((k) => [`kms:EncryptionContext:${k}`, ctx[k]]));
  }
  if ((c.viaServices ?? []).length > 0) {
    out.StringEquals = { ...(out.StringEquals ?? {}), 'kms:ViaService': c.viaServices };
  }
  return out;
}

function defaultUsage(spec: kms.KeySpec): kms.KeyUsage {
  if (spec === kms.KeySpec.SYMMETRIC_DEFAULT || spec.startsWith('RSA_') || spec === kms.KeySpec.SM2) {
    return kms.KeyUsage.ENCRYPT_DECRYPT;
  }
  if (spec.startsWith('HMAC_')) return kms.KeyUsage.GENERATE_VERIFY_MAC;
  return kms.KeyUsage.SIGN_VERIFY;
}

/** What the key's users may do, by key spec and usage. */
function userActionsFor(spec: kms.KeySpec, usage: kms.KeyUsage): string[] {
  switch (usage) {
    case kms.KeyUsage.ENCRYPT_DECRYPT:
      return spec === kms.KeySpec.SYMMETRIC_DEFAULT
        ? ['kms:DescribeKey', ...ENCRYPT_ACTIONS, ...DECRYPT_ACTIONS, ...DATA_KEY_PAIR_ACTIONS]
        : ['kms:DescribeKey', 'kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', ...PUBLIC_KEY_ACTIONS];
    case kms.KeyUsage.SIGN_VERIFY:
      return ['kms:DescribeKey', ...SIGN_ACTIONS, ...VERIFY_ACTIONS, ...PUBLIC_KEY_ACTIONS];
    case kms.KeyUsage.GENERATE_VERIFY_MAC:
      return ['kms:DescribeKey', ...GENERATE_MAC_ACTIONS, ...VERIFY_MAC_ACTIONS];
    case kms.KeyUsage.KEY_AGREEMENT:
      return ['kms:DescribeKey', ...KEY_AGREEMENT_ACTIONS, ...PUBLIC_KEY_ACTIONS];
    default:
      throw new ValidationError(`keyUsage must be one of ENCRYPT_DECRYPT, SIGN_VERIFY, GENERATE_VERIFY_MAC, KEY_AGREEMENT, got ${usage}`);
  }
}

/**
 * CloudFormation's execution role under the default synthesizer. Other synthesizers deploy with credentials
 * we cannot know at synthesis, so the caller must name the principal.
 */
function defaultDeploymentPrincipal(scope: Construct, subject: string): iam.IPrincipal {
  const synthesizer = Stack.of(scope).synthesizer;
  if (synthesizer instanceof DefaultStackSynthesizer) {
    // The synthesizer leaves CloudFormation placeholders such as ${AWS::Partition} for the CLI to fill in.
    const arn = synthesizer.cloudFormationExecutionRoleArn;
    return new iam.ArnPrincipal(arn.includes('${') ? Fn.sub(arn) : arn);
  }
  throw new ValidationError(
    `deploymentPrincipal is required for ${subject} because the stack uses ${synthesizer.constructor.name}, ` +
    'not DefaultStackSynthesizer: name the principal CloudFormation deploys the key with');
}
