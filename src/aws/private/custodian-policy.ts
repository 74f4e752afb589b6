import { RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, IConstruct } from 'constructs';
import { conditionalGrantErrors } from './conditional-grant-check';
import { checkKeyCustodians, KeyCustodianLists, requireCustodianPrincipals } from './custodian-checks';
import { defaultDeploymentPrincipal } from './deployment-principal';
import { optionalList, requirePrincipal } from './input';
import { pinnedSigningAlgorithms } from './key-crypto';
import { ADMINISTRATOR_DENIED_ACTIONS, administratorActions, buildKeyPolicy, findPolicyViolations } from './key-policy';
import { checkReplicaRegionsResidency } from './residency';
import { checkApprovers } from '../../core/checks';
import { CustodianAssignment, CustodianRole, SeparationOfDuties } from '../../core/custodians';
import { EvidenceLedger } from '../../core/evidence';
import { ComplianceProfile } from '../../core/profile';
import { isTokenValue, shown, ValidationError } from '../../core/validation';
import type { GrantConditions, KeyCustodians } from '../custodians';
import { DualControlGate } from '../dual-control-gate';
import {
  ActionClass, classifyAction, DATA_KEY_PAIR_ACTIONS, DECRYPT_ACTIONS, ENCRYPT_ACTIONS, GENERATE_MAC_ACTIONS,
  KEY_AGREEMENT_ACTIONS, PUBLIC_KEY_ACTIONS, SIGN_ACTIONS, VERIFY_ACTIONS, VERIFY_MAC_ACTIONS,
} from '../key-policy-actions';
import { toConditions } from './grant-conditions';
import { assignments, identify, requireNamedPrincipal } from './principals';
import { SID } from '../key-policy-sids';

export interface CustodianPolicyInput {
  /** Construct path of the key, for messages. */
  readonly subject: string;
  readonly profile: ComplianceProfile;
  readonly custodians: KeyCustodians;
  /** Whether `custodians.importers` applies (BYOK) and must name someone. */
  readonly importersRequired: boolean;
  readonly deploymentPrincipal?: iam.IPrincipal;
  /** What the default deployment principal is, for the error when it cannot be derived. */
  readonly deployerDescription: string;
  readonly keySpec: kms.KeySpec;
  readonly keyUsage: kms.KeyUsage;
  readonly delegateToIam: boolean;
  readonly removalPolicy: RemovalPolicy;
  /**
   * Under dual control: the gate whose executor alone carries out the gated operations.
   * @default - DualControlGate.of(stack)
   */
  readonly dualControlGate?: DualControlGate;
  /**
   * Regions a multi-Region primary may be replicated into; none: no replication.
   * @default - none
   */
  readonly replicaRegions?: string[];
}

/**
 * The separation-of-duties policy of one key: validates the custodians against each other and the profile,
 * builds the key policy, and carries out grants on it. Shared by every AWS key construct whose key policy
 * is the only authority (CustomerManagedKey, ByokImport, keys in external key stores).
 */
export class CustodianPolicy {
  public readonly document: iam.PolicyDocument;
  public readonly dualControl: boolean;
  public readonly delegateToIam: boolean;
  public readonly approverCount: number;
  public readonly hasAuditors: boolean;
  /** Under dual control: the gate that carries out the gated operations. */
  public readonly gate?: DualControlGate;
  /** The deployment principal (for the genesis policy of a dual-control key). */
  public readonly deployer: iam.IPrincipal;
  /** The approvers (named in a dual-control key's genesis policy, so the gate knows who approves its first policy). */
  public readonly approvers: iam.IPrincipal[];
  /**
   * Whether synthesis may skip re-checking the final key policy. Keys whose every statement came through this class
   * (tenant keys, by the thousand) may: each grant was checked as it was made.
   */
  public skipFinalCheck?: () => boolean;
  /** What the policy was built from: a multi-Region primary's replicas build theirs from the same input (ReplicaKey). */
  public readonly input: CustodianPolicyInput;
  private readonly assignments: CustodianAssignment[];
  private readonly baseAssignments: CustodianAssignment[];
  /** The custodian statements, shared (never changed) by copies. */
  private readonly baseStatements: iam.PolicyStatement[];
  private key?: kms.IKey;
  /** Regions replicas may be created in, and who may create them (allowReplication). */
  private readonly replicaRegions: string[] = [];
  private readonly replicatorArns: string[] = [];

  constructor(scope: IConstruct, input: CustodianPolicyInput) {
    const { subject, profile } = input;
    this.input = input;
    if (input.delegateToIam && profile.separationOfDutiesRequired) {
      throw new ValidationError(
        `delegateToIam must be false under profile ${profile.name}, which requires separation of duties, got true`);
    }
    const custodians = checkKeyCustodians(subject, input.custodians, input.importersRequired);
    requirePrincipal('deploymentPrincipal', input.deploymentPrincipal);
    requireCustodianPrincipals(scope, custodians);
    const { administrators, auditors, approvers } = custodians;

    const dualControl = profile.dualControlRequired || approvers.length > 0;
    const approverArns = approvers.flatMap((p) => identify(scope, p).arns);
    if (dualControl) checkDualControl(scope, input, approvers);

    const deployer = input.deploymentPrincipal ?? defaultDeploymentPrincipal(scope, subject, input.deployerDescription);
    requireNamedPrincipal(scope, 'deploymentPrincipal', deployer, false);
    this.assignments = custodianAssignments(scope, custodians, deployer);
    SeparationOfDuties.check(this.assignments, subject);
    this.baseAssignments = [...this.assignments];

    if (input.dualControlGate !== undefined && !(input.dualControlGate instanceof DualControlGate)) {
      throw new ValidationError(`dualControlGate must be a DualControlGate, got ${shown(input.dualControlGate)}`);
    }
    const gate = dualControl ? input.dualControlGate ?? DualControlGate.of(scope) : undefined;
    if (gate) gate.registerCustodians([...administrators, ...approvers]);
    this.approvers = approvers;
    checkReplicaRegions(input.replicaRegions);
    checkReplicaRegionsResidency(profile, input.replicaRegions);

    this.baseStatements = buildKeyPolicy({
      ...custodians,
      approverArns,
      deployer,
      deployerArns: identify(scope, deployer).arns,
      executor: gate?.executorRole,
      executorArns: gate ? [gate.executorRole.roleArn] : undefined,
    }, {
      userActions: userActionsFor(input.keySpec, input.keyUsage),
      signingAlgorithms: pinnedSigningAlgorithms(input.keySpec, input.keyUsage),
      dualControl,
      delegateToIam: input.delegateToIam,
      replicaRegions: input.replicaRegions,
    });
    this.gate = gate;
    this.deployer = deployer;
    this.replicaRegions.push(...(input.replicaRegions ?? []));
    this.replicatorArns.push(...identify(scope, deployer).arns);
    this.document = new iam.PolicyDocument({ statements: this.baseStatements });
    this.dualControl = dualControl;
    this.delegateToIam = input.delegateToIam;
    this.approverCount = new Set(approverArns.map((a) => JSON.stringify(Stack.of(scope).resolve(a)))).size;
    this.hasAuditors = auditors.length > 0;
  }

  /**
   * The same custodians for another key, without validating them again: a fresh document that starts with the same
   * (immutable) custodian statements, and its own grants from there. For keys made by the thousand (tenant keys).
   */
  public copy(): CustodianPolicy {
    const copy = Object.create(CustodianPolicy.prototype) as CustodianPolicy;
    Object.assign(copy, {
      document: new iam.PolicyDocument({ statements: this.baseStatements }),
      dualControl: this.dualControl,
      delegateToIam: this.delegateToIam,
      approverCount: this.approverCount,
      hasAuditors: this.hasAuditors,
      gate: this.gate,
      deployer: this.deployer,
      approvers: this.approvers,
      skipFinalCheck: undefined,
      input: this.input,
      assignments: [...this.baseAssignments],
      baseAssignments: this.baseAssignments,
      baseStatements: this.baseStatements,
      key: undefined,
      replicaRegions: [...this.replicaRegions],
      replicatorArns: [...this.replicatorArns],
    });
    return copy;
  }

  /**
   * Checks principals that will hold `role` on keys of this policy against its custodians, before any key exists
   * (a tenant hierarchy's users). Throws on a separation-of-duties conflict.
   */
  public checkSeparation(scope: IConstruct, role: CustodianRole, source: string, principals: iam.IPrincipal[], subject: string): void {
    principals.forEach((p) => requireNamedPrincipal(scope, source, p, role === CustodianRole.USER));
    SeparationOfDuties.check([...this.assignments, ...assignments(scope, role, source, principals)], subject);
  }

  /**
   * Attaches the policy to its key: records the custodians in the evidence ledger and checks the final policy
   * at synthesis.
   */
  public bind(key: kms.IKey): void {
    this.key = key;
    const ledger = EvidenceLedger.of(key);
    this.assignments.forEach((a) => ledger.addCustodian(key.node.path, a));
    key.node.addValidation({ validate: () => (this.skipFinalCheck?.() ? [] : findPolicyViolations(key, this.document, this.delegateToIam)) });
    key.node.addValidation({ validate: () => (this.skipFinalCheck?.() ? [] : conditionalGrantErrors(key, this.document)) });
  }

  /**
   * Lets `replicator` (the deployment principal of a replica's stack: CloudFormation calls ReplicateKey on the primary
   * with the caller's credentials) replicate this multi-Region primary into `region`, and no other region: the region
   * joins the `kms:ReplicaRegion` deny's exceptions and the replicator the replication deny's. Outside dual control only.
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-auth.html
   */
  public allowReplication(scope: IConstruct, region: string, replicator: iam.IPrincipal): void {
    if (this.dualControl) throw new Error('replication under dual control goes through the dual-control gate');
    const statementFor = (sid: string) => {
      const st = this.baseStatements.find((s) => s.sid === sid);
      if (!st) throw new Error(`key policy has no statement ${sid}`);
      return st;
    };
    this.replicaRegions.push(region);
    const arns = identify(scope, replicator).arns;
    this.replicatorArns.push(...arns);
    statementFor(SID.DENY_REPLICA_REGION).addCondition('StringNotEquals', { 'kms:ReplicaRegion': [...this.replicaRegions] });
    statementFor(SID.DENY_REPLICATION).addCondition('ArnNotEquals', { 'aws:PrincipalArn': [...this.replicatorArns] });
    this.document.addStatements(new iam.PolicyStatement({
      sid: `${SID.REPLICATE}${region.replace(/-/g, '')}`,
      principals: [replicator],
      actions: ['kms:DescribeKey', 'kms:ReplicateKey'],
      resources: ['*'],
      // IfExists: a DescribeKey request carries no kms:ReplicaRegion (plain StringEquals would never match it); every
      // ReplicateKey request carries it, so ReplicateKey is allowed into this region only.
      // @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IfExists
      conditions: { StringEqualsIfExists: { 'kms:ReplicaRegion': region } },
    }));
  }

  /**
   * Under dual control: lets the gate's executor (already the only principal allowed ReplicateKey, by
   * `AllowDualControlExecutor` and `DenyDualControlOperationsExceptExecutor`) replicate into `region` too: the region
   * joins the `kms:ReplicaRegion` deny's exceptions. Nobody else gains anything; the executor still replicates only a
   * request two people approved.
   */
  public allowGatedReplication(region: string): void {
    if (!this.dualControl) throw new Error('gated replication is for dual-control keys');
    const deny = this.baseStatements.find((s) => s.sid === SID.DENY_REPLICA_REGION);
    if (!deny) throw new Error(`key policy has no statement ${SID.DENY_REPLICA_REGION}`);
    if (!this.replicaRegions.includes(region)) this.replicaRegions.push(region);
    deny.addCondition('StringNotEquals', { 'kms:ReplicaRegion': [...this.replicaRegions] });
  }

  /** How the policy separates duties, for the evidence ledger; undefined under IAM delegation. */
  public get separationEvidence(): string | undefined {
    if (this.delegateToIam) return undefined;
    return 'key policy names administrators (management only, cryptographic use denied), users (use only, management denied)' +
      `${this.hasAuditors ? ', auditors (read only)' : ''}; no account-root delegation`;
  }

  /** How dual control is enforced, for the evidence ledger; undefined when it is off. */
  public get dualControlEvidence(): string | undefined {
    if (!this.dualControl) return undefined;
    return 'two people: PutKeyPolicy, DisableKey, ScheduleKeyDeletion, CancelKeyDeletion, ReplicateKey, UpdatePrimaryRegion, ' +
      'UpdateAlias, DeleteAlias, ImportKeyMaterial and DeleteImportedKeyMaterial are allowed only to the dual-control gate\'s executor ' +
      '(everyone else explicitly denied, the deployment principal included), which carries out a request only when one custodian ' +
      `proposed its exact hash and one of the ${this.approverCount} named approvers, a different principal, approved it with MFA ` +
      'within the approval window (CloudFormation-driven policy changes: two approvers); the gate\'s table lets each principal ' +
      'write only items keyed by its own aws:userid, with MFA. Trusted: AWS, and whoever can change the executor\'s code or role';
  }

  /**
   * Grants the actions in the key policy, after checking the principal against separation of duties
   * (cryptographic actions make a user, management actions an administrator, import actions an importer).
   * Cross-account or cross-region principals also get an identity-policy statement, as KMS requires.
   */
  public grant(grantee: iam.IGrantable, actions: string[], conditions?: GrantConditions): iam.Grant {
    const key = this.boundKey();
    const principal = grantee.grantPrincipal;
    requireNamedPrincipal(key, 'grantee', principal, true);
    const classes = new Set(actions.flatMap(classifyAction));
    if (classes.has(ActionClass.CRYPTOGRAPHIC)) this.addAssignment(CustodianRole.USER, principal);
    if (classes.has(ActionClass.MANAGEMENT)) this.addAssignment(CustodianRole.ADMINISTRATOR, principal);
    if (classes.has(ActionClass.IMPORT)) this.addAssignment(CustodianRole.IMPORTER, principal);
    return this.writeGrant(grantee, actions, conditions ? toConditions(conditions) : undefined);
  }

  /** Makes the principal an administrator: management actions and an explicit deny on every cryptographic one. */
  public grantAdmin(grantee: iam.IGrantable): iam.Grant {
    const key = this.boundKey();
    const principal = grantee.grantPrincipal;
    requireNamedPrincipal(key, 'grantee', principal, false);
    this.addAssignment(CustodianRole.ADMINISTRATOR, principal);
    key.addToResourcePolicy(new iam.PolicyStatement({
      effect: iam.Effect.DENY, principals: [principal], actions: ADMINISTRATOR_DENIED_ACTIONS, resources: ['*'],
    }));
    return this.writeGrant(grantee, administratorActions(this.dualControl), undefined);
  }

  private boundKey(): kms.IKey {
    if (!this.key) throw new Error('CustodianPolicy used before bind()');
    return this.key;
  }

  private addAssignment(role: CustodianRole, principal: iam.IPrincipal): void {
    const key = this.boundKey();
    const added = assignments(key, role, 'grantee', [principal]);
    SeparationOfDuties.check([...this.assignments, ...added], key.node.path);
    this.assignments.push(...added);
    const ledger = EvidenceLedger.of(key);
    added.forEach((a) => ledger.addCustodian(key.node.path, a));
  }

  private writeGrant(grantee: iam.IGrantable, actions: string[], conditions?: { [op: string]: { [key: string]: unknown } }): iam.Grant {
    const key = this.boundKey();
    requireGranteeNotDownstream(key, grantee);
    const principal = grantee.grantPrincipal;
    const keyStack = Stack.of(key);
    const granteeStack = Construct.isConstruct(grantee) ? Stack.of(grantee) : undefined;
    const principalAccount = principal.principalAccount;
    const crossAccount = principalAccount !== undefined && !Token.isUnresolved(principalAccount)
      && !Token.isUnresolved(keyStack.account) && principalAccount !== keyStack.account;
    const crossRegion = granteeStack !== undefined && !Token.isUnresolved(granteeStack.region)
      && !Token.isUnresolved(keyStack.region) && granteeStack.region !== keyStack.region;
    if (crossAccount || crossRegion) {
      // KMS needs both the key policy and the caller's own policy across accounts.
      return iam.Grant.addToPrincipalAndResource({
        grantee, actions, resourceArns: ['*'], resource: key, resourceSelfArns: ['*'], conditions,
      });
    }
    return iam.Grant.addStatementToResourcePolicy({
      grantee,
      actions,
      resourceArns: [key.keyArn],
      resource: key,
      statement: new iam.PolicyStatement({ principals: [principal], actions, resources: ['*'], conditions }),
    });
  }
}

/**
 * A key policy can only name principals that exist when it is written. If the grantee lives in a stack that
 * deploys after the key's stack, CDK's default falls back to the account root, which would hand the key to
 * IAM; we refuse instead.
 */
function requireGranteeNotDownstream(key: IConstruct, grantee: iam.IGrantable): void {
  if (!Construct.isConstruct(grantee)) return;
  const keyStack = Stack.of(key);
  const granteeStack = Stack.of(grantee);
  if (granteeStack !== keyStack && granteeStack.dependencies.includes(keyStack)) {
    throw new ValidationError(
      `grantee ${grantee.node.path} is in stack ${granteeStack.stackName}, which deploys after the key's stack ` +
      `${keyStack.stackName}; a key policy can only name principals that already exist. Define the principal in ` +
      'the key stack or an earlier stack, or pass an ArnPrincipal of an existing role');
  }
}

/** The key usage to use when none is given. */
export function defaultUsage(spec: kms.KeySpec): kms.KeyUsage {
  if (spec === kms.KeySpec.SYMMETRIC_DEFAULT || spec.startsWith('RSA_') || spec === kms.KeySpec.SM2) {
    return kms.KeyUsage.ENCRYPT_DECRYPT;
  }
  if (spec.startsWith('HMAC_')) return kms.KeyUsage.GENERATE_VERIFY_MAC;
  return kms.KeyUsage.SIGN_VERIFY;
}

/** What the key's users may do, by key spec and usage. */
export function userActionsFor(spec: kms.KeySpec, usage: kms.KeyUsage): string[] {
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
      throw new ValidationError(`keyUsage must be one of ENCRYPT_DECRYPT, SIGN_VERIFY, GENERATE_VERIFY_MAC, KEY_AGREEMENT, got ${shown(usage)}`);
  }
}

/** Dual control needs the profile's approvers, and a retained key: deletion is for the approvers. */
function checkDualControl(scope: IConstruct, input: CustodianPolicyInput, approvers: iam.IPrincipal[]): void {
  checkApprovers(input.profile, approvers.flatMap((p) => identify(scope, p).identities), 'custodians.approvers', input.subject);
  if (input.removalPolicy !== RemovalPolicy.RETAIN) {
    throw new ValidationError(
      `removalPolicy must be RETAIN under dual control for ${input.subject} (deletion is for the approvers), got ${shown(input.removalPolicy)}`);
  }
}

function custodianAssignments(scope: IConstruct, c: KeyCustodianLists, deployer: iam.IPrincipal): CustodianAssignment[] {
  return [
    ...assignments(scope, CustodianRole.ADMINISTRATOR, 'custodians.administrators', c.administrators),
    ...assignments(scope, CustodianRole.USER, 'custodians.users', c.users),
    ...assignments(scope, CustodianRole.AUDITOR, 'custodians.auditors', c.auditors),
    ...assignments(scope, CustodianRole.APPROVER, 'custodians.approvers', c.approvers),
    ...assignments(scope, CustodianRole.IMPORTER, 'custodians.importers', c.importers),
    ...assignments(scope, CustodianRole.DEPLOYER, 'deploymentPrincipal', [deployer]),
  ];
}

function checkReplicaRegions(regions: string[] | undefined): void {
  // A CommaDelimitedList parameter's list token ('#{Token[..]}' in a one-element array) is not an unresolved string
  // to Token.isUnresolved: isTokenValue recognises it. It goes into the kms:ReplicaRegion condition as a list.
  for (const r of optionalList('replicaRegions', regions)) {
    if (!isTokenValue(r) && (typeof r !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(r))) {
      throw new ValidationError(`replicaRegions must name AWS regions such as eu-west-1, got ${shown(r)}`);
    }
  }
}
