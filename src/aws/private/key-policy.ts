import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import {
  ActionClass, CRYPTOGRAPHIC_ACTIONS, DUAL_CONTROL_ACTIONS, IMPORT_ACTIONS, MANAGEMENT_ACTIONS, policyList, policyPrincipals,
  READ_ACTIONS, SERVICE_GRANT_ACTIONS, statementClasses,
} from './actions';

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
}

export interface KeyPolicyOptions {
  /** Cryptographic actions the key's users get (depends on key spec and usage). */
  readonly userActions: string[];
  /** Destructive actions only for approvers with MFA. */
  readonly dualControl: boolean;
  /** Adds the account-root `kms:*` statement (IAM delegation): separation of duties no longer enforced. */
  readonly delegateToIam: boolean;
}

/** Statement ids, so tests and auditors can find each rule. */
export const SID = {
  DELEGATE_TO_IAM: 'EnableIamUserPermissions',
  ADMINISTER: 'AllowKeyAdministration',
  DEPLOY: 'AllowCloudFormationDeployment',
  DENY_ADMIN_USE: 'DenyCryptographicUseByAdministrators',
  USE: 'AllowKeyUse',
  SERVICE_GRANTS: 'AllowGrantsForAwsResources',
  DENY_USER_ADMIN: 'DenyKeyManagementByUsers',
  AUDIT: 'AllowAuditorsReadOnly',
  DENY_AUDITOR: 'DenyAuditorsAnythingButRead',
  APPROVE: 'AllowApproversDestructiveOperationsWithMfa',
  DENY_APPROVER_NO_MFA: 'DenyApproverOperationsWithoutMfa',
  DENY_UNAPPROVED: 'DenyDestructiveOperationsExceptApprovers',
  DENY_UNAPPROVED_POLICY: 'DenyPolicyChangesExceptApproversAndDeployment',
  DENY_NON_SERVICE_GRANTS: 'DenyGrantsNotForAwsResources',
  IMPORT: 'AllowKeyMaterialImport',
  DENY_IMPORTER: 'DenyImportersAnythingButImport',
  DENY_IMPORT_NO_MFA: 'DenyImportWithoutMfa',
} as const;

function without(list: string[], remove: string[]): string[] {
  return list.filter((a) => !remove.includes(a));
}

/** What administrators may do: management and read, minus the destructive operations under dual control. */
export function administratorActions(dualControl: boolean): string[] {
  return [...READ_ACTIONS, ...(dualControl ? without(MANAGEMENT_ACTIONS, DUAL_CONTROL_ACTIONS) : MANAGEMENT_ACTIONS)];
}

/** What administrators and the deployment principal are explicitly denied. */
export const ADMINISTRATOR_DENIED_ACTIONS = [...CRYPTOGRAPHIC_ACTIONS, ...IMPORT_ACTIONS];

/**
 * Builds the separation-of-duties key policy of a customer-managed key from its custodians.
 * The key policy is the only authority unless `delegateToIam` is set.
 */
export function buildKeyPolicy(c: KeyPolicyCustodians, o: KeyPolicyOptions): iam.PolicyStatement[] {
  const doc: iam.PolicyStatement[] = [];
  const statement = (props: iam.PolicyStatementProps) => doc.push(new iam.PolicyStatement({ resources: ['*'], ...props }));

  if (o.delegateToIam) {
    statement({ sid: SID.DELEGATE_TO_IAM, principals: [new iam.AccountRootPrincipal()], actions: ['kms:*'] });
  }

  statement({ sid: SID.ADMINISTER, principals: c.administrators, actions: administratorActions(o.dualControl) });

  // CloudFormation must keep PutKeyPolicy (the KMS lockout rule) even under dual control; destructive
  // operations stay with the approvers.
  const deployActions = [...READ_ACTIONS,
    ...(o.dualControl ? [...without(MANAGEMENT_ACTIONS, DUAL_CONTROL_ACTIONS), 'kms:PutKeyPolicy'] : MANAGEMENT_ACTIONS)];
  statement({ sid: SID.DEPLOY, principals: [c.deployer], actions: deployActions });

  statement({
    sid: SID.DENY_ADMIN_USE,
    effect: iam.Effect.DENY,
    principals: [...c.administrators, c.deployer],
    actions: ADMINISTRATOR_DENIED_ACTIONS,
  });

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

  if (c.auditors.length > 0) {
    statement({ sid: SID.AUDIT, principals: c.auditors, actions: READ_ACTIONS });
    statement({ sid: SID.DENY_AUDITOR, effect: iam.Effect.DENY, principals: c.auditors, notActions: READ_ACTIONS });
  }

  if (c.importers.length > 0) {
    // ListResourceTags lets the cloud-kms CLI read the expiry and wrapping algorithm the construct chose.
    const importActions = ['kms:DescribeKey', 'kms:ListResourceTags', ...IMPORT_ACTIONS];
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

  if (o.dualControl) {
    statement({
      sid: SID.APPROVE,
      principals: c.approvers,
      actions: ['kms:DescribeKey', ...DUAL_CONTROL_ACTIONS],
      conditions: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
    });
    statement({
      sid: SID.DENY_APPROVER_NO_MFA,
      effect: iam.Effect.DENY,
      principals: c.approvers,
      actions: DUAL_CONTROL_ACTIONS,
      conditions: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
    });
    statement({
      sid: SID.DENY_UNAPPROVED,
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: without(DUAL_CONTROL_ACTIONS, ['kms:PutKeyPolicy']),
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': c.approverArns } },
    });
    statement({
      sid: SID.DENY_UNAPPROVED_POLICY,
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:PutKeyPolicy'],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': [...c.approverArns, ...c.deployerArns] } },
    });
  }

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

  return doc;
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
