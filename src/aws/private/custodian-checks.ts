/*
 * The AWS custodian preconditions, on core `checkCustodians`: the roles a key's custodians prop takes, what one member is
 * on AWS (an IAM principal: a named role, user or, for users, a service), and the rules each construct applies.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { principalList } from './input';
import { requireDistinctPrincipals, requireNamedPrincipal } from './principals';
import { checkCustodians, CustodianRules } from '../../core/custodian-checks';
import { requireDefined, ValidationError } from '../../core/validation';

/** The role lists of a key's custodians, absent lists empty. */
export interface KeyCustodianLists {
  readonly administrators: iam.IPrincipal[];
  readonly users: iam.IPrincipal[];
  readonly auditors: iam.IPrincipal[];
  readonly approvers: iam.IPrincipal[];
  readonly importers: iam.IPrincipal[];
}

/** Every role list of a key's custodians, in the order they are checked. */
const KEY_ROLES = ['administrators', 'users', 'auditors', 'approvers', 'importers'] as const;

/** What one AWS custodians prop is, in messages. */
const AWS_CUSTODIANS = { member: 'principal', shape: 'an object with administrators' };

const principals = (prop: string, value: unknown) => principalList(prop, value as iam.IPrincipal[] | undefined);

/**
 * Checks the custodians of one key (administrators required; importers required on keys with imported material and
 * refused on the rest) and returns its role lists. Whether each principal may hold its role is checked after, with
 * `requireCustodianPrincipals`.
 */
export function checkKeyCustodians(subject: string, custodians: unknown, importersRequired: boolean): KeyCustodianLists {
  const rules: CustodianRules = {
    ...AWS_CUSTODIANS,
    subject,
    roles: KEY_ROLES,
    list: principals,
    importers: importersRequired ? 'required' : 'forbidden',
    importersFor: 'keys with imported material (ByokImport)',
  };
  const lists = checkCustodians(custodians, rules);
  return {
    administrators: lists.administrators as iam.IPrincipal[],
    users: lists.users as iam.IPrincipal[],
    auditors: lists.auditors as iam.IPrincipal[],
    approvers: lists.approvers as iam.IPrincipal[],
    importers: lists.importers as iam.IPrincipal[],
  };
}

/** Each custodian is a named principal (services only as users), listed once in its role. */
export function requireCustodianPrincipals(scope: IConstruct, lists: KeyCustodianLists): void {
  for (const role of KEY_ROLES) {
    lists[role].forEach((p) => requireNamedPrincipal(scope, `custodians.${role}`, p, role === 'users'));
  }
  for (const role of KEY_ROLES) requireDistinctPrincipals(scope, `custodians.${role}`, lists[role]);
}

/**
 * The shape and principals of a custodians prop, checked where the construct receives it (a store or sink that
 * hands them on later would otherwise fail inside another construct, under another prop's name).
 *
 * @param prop the prop's name; `custodians`, as core names it in messages
 * @param lists the role lists the construct reads, `administrators` first
 */
export function requireCustodians(scope: IConstruct, prop: 'custodians', custodians: unknown, lists: readonly string[]): void {
  checkCustodians(custodians, {
    ...AWS_CUSTODIANS,
    subject: scope.node.path,
    roles: lists,
    // Administrators are checked as a list among the others, in the list order, with this message (no subject: the
    // construct that receives them is the one that failed).
    administratorsRequired: false,
    importers: 'unchecked',
    list: (name, value) => {
      if (name === `${prop}.administrators`) requireDefined(name, value);
      const list = principals(name, value);
      if (name === `${prop}.administrators` && list.length === 0) {
        throw new ValidationError(`${name} must name at least one principal, got none`);
      }
      list.forEach((p) => requireNamedPrincipal(scope, name, p, name === `${prop}.users`));
      requireDistinctPrincipals(scope, name, list);
      return list;
    },
  });
}
