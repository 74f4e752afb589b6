import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import {
  ActionClass, CRYPTOGRAPHIC_ACTIONS, REACH_ACTIONS, DUAL_CONTROL_ACTIONS, IMPORT_ACTIONS, MANAGEMENT_ACTIONS, policyList, policyPrincipals,
  READ_ACTIONS, REPLICATION_ACTIONS, SERVICE_GRANT_ACTIONS, statementClasses,
} from '../key-policy-actions';
import { denyGrantsNotForAwsResources } from './log-key';
import { SID } from '../key-policy-sids';

/**
 * Who holds which role over one key, as the key-policy builder needs it.
 */
export interface KeyPolicyCustodians {
  readonly administrators: iam.IPrincipal[];
  readonly users: iam.IPrincipal[];
  readonly auditors: iam.IPrincipal[];
  readonly approvers: iam.IPrincipal[];
  /** ARNs of the approvers, for `aws:PrincipalArn` conditions. */
  readonly approverArns: string[];
  /** BYOK only: who may import key material. */
  readonly importers: iam.IPrincipal[];
  /** The principal CloudFormation acts as when it creates and updates the key. */
  readonly deployer: iam.IPrincipal;
  readonly deployerArns: string[];
  /** Under dual control: the dual-control gate's executor role, the only principal allowed DUAL_CONTROL_ACTIONS. */
  readonly executor?: iam.IPrincipal;
  readonly executorArns?: string[];
}

export interface KeyPolicyOptions {
  /** Cryptographic actions the key's users get (depends on key spec and usage). */
  readonly userActions: string[];
  /** Destructive actions only for approvers with MFA. */
  readonly dualControl: boolean;
  /** Adds the account-root `kms:*` statement (IAM delegation): separation of duties no longer enforced. */
  readonly delegateToIam: boolean;
  /**
   * Regions a multi-Region primary may be replicated into (`kms:ReplicaRegion`); none: no replication at all.
   * @default - none
   */
  readonly replicaRegions?: string[];
  /**
   * The only signing algorithms Sign and Verify may name (`kms:SigningAlgorithm`), for every principal.
   * @default - any the key spec supports
   */
  readonly signingAlgorithms?: string[];
}

export { SID };

function without(list: string[], remove: string[]): string[] {
  return list.filter((a) => !remove.includes(a));
}

/**
 * What administrators may do: management and read, minus the operations that would let one of them reach cryptographic
 * use (policy changes, replication, alias moves: the deployment principal's, or the gate's under dual control) and,
 * under dual control, the destructive ones.
 */
export function administratorActions(dualControl: boolean): string[] {
  return [...READ_ACTIONS, ...without(MANAGEMENT_ACTIONS, dualControl ? [...DUAL_CONTROL_ACTIONS, ...REACH_ACTIONS] : REACH_ACTIONS)];
}

/** What the deployment principal may do: what administrators may, and (outside dual control) replication. */
export function deploymentActions(dualControl: boolean): string[] {
  return [...READ_ACTIONS, ...(dualControl ? without(MANAGEMENT_ACTIONS, DUAL_CONTROL_ACTIONS) : MANAGEMENT_ACTIONS)];
}

/** What the dual-control executor may do: read the key and carry out approved DUAL_CONTROL_ACTIONS. */
export function executorActions(): string[] {
  return ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:CreateAlias', ...DUAL_CONTROL_ACTIONS];
}

/** What administrators and the deployment principal are explicitly denied. */
export const ADMINISTRATOR_DENIED_ACTIONS = [...CRYPTOGRAPHIC_ACTIONS, ...IMPORT_ACTIONS];

/**
 * Builds the separation-of-duties key policy of a customer-managed key from its custodians.
 * The key policy is the only authority unless `delegateToIam` is set.
 */
export function buildKeyPolicy(c: KeyPolicyCustodians, o: KeyPolicyOptions): iam.PolicyStatement[] {
  const doc: iam.PolicyStatement[] = [];
  const statement: AddStatement = (props) => doc.push(new iam.PolicyStatement({ resources: ['*'], ...props }));
  const steps: PolicyStep[] = [managementStatements, replicationStatements, userStatements, auditorStatements, importerStatements,
    dualControlStatements, grantStatements];
  for (const step of steps) step(statement, c, o);
  return doc;
}

type AddStatement = (props: iam.PolicyStatementProps) => void;
type PolicyStep = (statement: AddStatement, c: KeyPolicyCustodians, o: KeyPolicyOptions) => void;

/** Administrators and the deployment principal manage the key and are denied its use. */
function managementStatements(statement: AddStatement, c: KeyPolicyCustodians, o: KeyPolicyOptions): void {
  if (o.delegateToIam) {
    statement({ sid: SID.DELEGATE_TO_IAM, principals: [new iam.AccountRootPrincipal()], actions: ['kms:*'] });
  }

  statement({ sid: SID.ADMINISTER, principals: c.administrators, actions: administratorActions(o.dualControl) });

  // Under dual control the deployment principal keeps no PutKeyPolicy: whoever runs `cdk deploy` could otherwise ship
  // a policy that grants them Decrypt. KMS's lockout check (CreateKey and PutKeyPolicy refuse a policy that does not
  // let the caller call PutKeyPolicy again) is therefore bypassed at creation, on purpose: the executor keeps
  // PutKeyPolicy, so the key stays manageable, by two people. See CustodianKeyBase and DualControlGate.
  // @see https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html#KMS-CreateKey-request-BypassPolicyLockoutSafetyCheck
  // @see https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#prevent-unmanageable-key
  // Replication leaves the administrators: a replica is a key with a policy of its creator's choosing that decrypts
  // the primary's ciphertexts. Outside dual control only the deployment principal replicates (the replica's policy is
  // then the template's, AWS::KMS::ReplicaKey).
  statement({ sid: SID.DEPLOY, principals: [c.deployer], actions: deploymentActions(o.dualControl) });

  statement({
    sid: SID.DENY_ADMIN_USE,
    effect: iam.Effect.DENY,
    principals: [...c.administrators, c.deployer],
    actions: ADMINISTRATOR_DENIED_ACTIONS,
  });
}

/** Replication: only to the named regions, and outside dual control only by the deployment principal. */
function replicationStatements(statement: AddStatement, c: KeyPolicyCustodians, o: KeyPolicyOptions): void {
  const regions = o.replicaRegions ?? [];
  if (regions.length > 0) {
    statement({
      sid: SID.DENY_REPLICA_REGION,
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:ReplicateKey'],
      // kms:ReplicaRegion only exists on ReplicateKey requests.
      // @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-replica-region
      conditions: { StringNotEquals: { 'kms:ReplicaRegion': regions } },
    });
  } else {
    statement({ sid: SID.DENY_REPLICA_REGION, effect: iam.Effect.DENY, principals: [new iam.AnyPrincipal()], actions: ['kms:ReplicateKey'] });
  }
  if (!o.dualControl) {
    statement({
      sid: SID.DENY_REPLICATION,
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: REPLICATION_ACTIONS,
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': c.deployerArns } },
    });
  }
}

/** Users use the key (and let AWS services use it for them) and are denied its management. */
function userStatements(statement: AddStatement, c: KeyPolicyCustodians, o: KeyPolicyOptions): void {
  if (c.users.length > 0) {
    statement({ sid: SID.USE, principals: c.users, actions: o.userActions });
    statement({
      sid: SID.SERVICE_GRANTS,
      principals: c.users,
      actions: SERVICE_GRANT_ACTIONS,
      conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    });
    statement({ sid: SID.DENY_USER_ADMIN, effect: iam.Effect.DENY, principals: c.users, actions: [...MANAGEMENT_ACTIONS, ...IMPORT_ACTIONS] });
  }
  if (o.signingAlgorithms) {
    // A deny for everyone, not a condition on the users' statement: it also binds principals granted Sign later.
    // kms:SigningAlgorithm is in every Sign and Verify request (the parameter is required).
    // @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-signing-algorithm
    statement({
      sid: SID.DENY_OTHER_SIGNING_ALGORITHMS,
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:Sign', 'kms:Verify'],
      conditions: { StringNotEquals: { 'kms:SigningAlgorithm': o.signingAlgorithms } },
    });
  }
}

/** Auditors only read. */
function auditorStatements(statement: AddStatement, c: KeyPolicyCustodians): void {
  if (c.auditors.length > 0) {
    statement({ sid: SID.AUDIT, principals: c.auditors, actions: READ_ACTIONS });
    statement({ sid: SID.DENY_AUDITOR, effect: iam.Effect.DENY, principals: c.auditors, notActions: READ_ACTIONS });
  }
}

/** Importers only bring in key material (with MFA under dual control). */
function importerStatements(statement: AddStatement, c: KeyPolicyCustodians, o: KeyPolicyOptions): void {
  if (c.importers.length > 0) {
    // ListResourceTags lets the cloud-kms CLI read the expiry and wrapping algorithm the construct chose. Under dual
    // control importers fetch the wrapping key and import token themselves, and propose ImportKeyMaterial to the gate.
    const importActions = ['kms:DescribeKey', 'kms:ListResourceTags',
      ...(o.dualControl ? without(IMPORT_ACTIONS, DUAL_CONTROL_ACTIONS) : IMPORT_ACTIONS)];
    statement({
      sid: SID.IMPORT,
      principals: c.importers,
      actions: importActions,
      conditions: o.dualControl ? { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } : undefined,
    });
    statement({ sid: SID.DENY_IMPORTER, effect: iam.Effect.DENY, principals: c.importers, notActions: importActions });
    if (o.dualControl) {
      statement({
        sid: SID.DENY_IMPORT_NO_MFA,
        effect: iam.Effect.DENY,
        principals: c.importers,
        actions: IMPORT_ACTIONS,
        conditions: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
      });
    }
  }
}

/** Under dual control, the gate's executor alone carries out the destructive operations. */
function dualControlStatements(statement: AddStatement, c: KeyPolicyCustodians, o: KeyPolicyOptions): void {
  if (o.dualControl) {
    if (!c.executor || !c.executorArns || c.executorArns.length === 0) {
      throw new Error('dual control needs the dual-control gate executor');
    }
    if (c.approvers.length > 0) {
      statement({ sid: SID.APPROVE, principals: c.approvers, actions: READ_ACTIONS });
    }
    statement({ sid: SID.EXECUTOR, principals: [c.executor], actions: executorActions() });
    statement({ sid: SID.DENY_EXECUTOR_USE, effect: iam.Effect.DENY, principals: [c.executor], actions: CRYPTOGRAPHIC_ACTIONS });
    // An explicit deny by ARN, not just the absence of an allow: the account's IAM policies, a grant or a later
    // statement cannot hand these operations to anyone else.
    statement({
      sid: SID.DENY_UNAPPROVED,
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: DUAL_CONTROL_ACTIONS,
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': c.executorArns } },
    });
  }
}

/** Grants only for AWS resources. */
function grantStatements(statement: AddStatement): void {
  // Grants only for AWS resources, or made by an AWS service itself: the form AWS Control Tower's CT.KMS.PR.3 requires.
  // BoolIfExists also denies a request that carries neither key, where plain Bool would not match and let it through.
  // https://docs.aws.amazon.com/controltower/latest/controlreference/kms-rules.html
  statement({
    sid: SID.DENY_NON_SERVICE_GRANTS,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  });
}

/** Marks the policy a dual-control key is created with (kept equal to the handler's GATE_SIDS.GENESIS). */
export const GENESIS_SID = 'CloudKmsDualControlGenesis';

/**
 * The policy CloudFormation creates a dual-control key with: it depends only on the deployment principal and the
 * executor, so it never changes, and CloudFormation never calls PutKeyPolicy (which would be refused: the deployment
 * principal holds no PutKeyPolicy). Nobody can use the key under it. The custodian policy is then installed by the
 * gate's custom resource (Custom::CloudKmsGatedKeyPolicy), through proposal and two approvals like every later change.
 */
export function buildGenesisPolicy(deployer: iam.IPrincipal, executor: iam.IPrincipal, executorArns: string[],
  approvers: iam.IPrincipal[]): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({ sid: GENESIS_SID, principals: [executor], actions: [...READ_ACTIONS, ...executorActions()], resources: ['*'] }),
      // The first custodian policy is approved like any later one, by two of these approvers: the gate reads who
      // approves from the key's current policy, and a policy handed to the gate (by CloudFormation or anyone able to
      // invoke it) could name anyone.
      new iam.PolicyStatement({ sid: SID.APPROVE, principals: approvers, actions: ['kms:DescribeKey', 'kms:GetKeyPolicy'], resources: ['*'] }),
      new iam.PolicyStatement({ sid: SID.DEPLOY, principals: [deployer], actions: deploymentActions(true), resources: ['*'] }),
      new iam.PolicyStatement({
        sid: SID.DENY_UNAPPROVED,
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: DUAL_CONTROL_ACTIONS,
        resources: ['*'],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': executorArns } },
      }),
      new iam.PolicyStatement({
        sid: 'DenyAllUseUntilCustodianPolicy',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: CRYPTOGRAPHIC_ACTIONS,
        resources: ['*'],
      }),
      // The same grant deny as every custodian policy (AWS Control Tower's CT.KMS.PR.3): the genesis policy is what
      // CloudFormation deploys, and what the key carries until the gate installs the custodian policy.
      denyGrantsNotForAwsResources(),
    ],
  });
}

/**
 * Reads the final key policy (after every grant and addToResourcePolicy) and reports any principal
 * that may both manage (or import into) and use the key, any account-root or wildcard allow, when
 * IAM delegation was not chosen.
 */
export function findPolicyViolations(scope: IConstruct, policy: iam.PolicyDocument, delegateToIam: boolean): string[] {
  const json = Stack.of(scope).resolve(policy.toJSON()) as { Statement?: any[] } | undefined;
  const errors: string[] = [];
  const classesByPrincipal = new Map<string, Set<ActionClass>>();
  for (const st of json?.Statement ?? []) {
    if (st.Effect !== 'Allow') continue;
    const actions = policyList(st.Action);
    const classes = statementClasses(st);
    const principals = policyPrincipals(st.Principal);
    for (const p of principals) {
      const wildcard = p === 'AWS:*' || p === '*';
      if (wildcard && st.Condition === undefined) {
        errors.push(`key policy statement ${st.Sid ?? ''} allows ${actions.join(', ')} to every principal ("*") without a condition`);
      }
      const beyondRead = [...classes].some((c) => c !== ActionClass.READ);
      if (!delegateToIam && p.startsWith('AWS:') && p.includes(':root') && beyondRead) {
        errors.push(`key policy statement ${st.Sid ?? ''} grants ${actions.join(', ')} to the account root; ` +
          'that delegates the key to IAM policies: set delegateToIam to do that on purpose');
      }
      const set = classesByPrincipal.get(p) ?? new Set<ActionClass>();
      classes.forEach((c) => set.add(c));
      classesByPrincipal.set(p, set);
    }
  }
  if (!delegateToIam) {
    for (const [p, classes] of classesByPrincipal) {
      if (classes.has(ActionClass.CRYPTOGRAPHIC) && (classes.has(ActionClass.MANAGEMENT) || classes.has(ActionClass.IMPORT))) {
        errors.push(`key policy lets ${p.replace(/^AWS:/, '')} both ${classes.has(ActionClass.MANAGEMENT) ? 'manage' : 'import into'} ` +
          'and use the key (separation of duties)');
      }
    }
  }
  return errors;
}
