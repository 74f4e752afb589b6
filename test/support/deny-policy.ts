/*
 * A small evaluator of Google IAM deny rules, as documented: a rule denies a permission to a principal when the principal
 * matches one of deniedPrincipals, matches none of exceptionPrincipals, and the permission is one of deniedPermissions and
 * not one of exceptionPermissions (rules with a denialCondition are out of scope: ours have none). Deny policies are
 * checked before allow policies, so no role brings a denied permission back.
 * https://cloud.google.com/iam/docs/deny-overview#deny-rules
 * https://cloud.google.com/iam/docs/principal-identifiers (principalSet://goog/public:all is everyone; a group
 * principalSet matches its members)
 */

/** Who asks: a principal identifier in the v2 form, and the groups (emails) it belongs to. */
export interface DenyRequester {
  readonly principal: string;
  readonly groups?: string[];
}

export interface DenyRuleJson {
  readonly denied_principals?: string[];
  readonly exception_principals?: string[];
  readonly denied_permissions?: string[];
  readonly exception_permissions?: string[];
  readonly denial_condition?: unknown;
}

function matches(identifier: string, who: DenyRequester): boolean {
  if (identifier === 'principalSet://goog/public:all') return true;
  if (identifier === who.principal) return true;
  const group = /^principalSet:\/\/goog\/group\/(.+)$/.exec(identifier);
  return !!group && (who.groups ?? []).includes(group[1]);
}

/** Whether one deny rule (as Terraform JSON writes it) denies `permission` to `who`. */
export function ruleDenies(rule: DenyRuleJson, who: DenyRequester, permission: string): boolean {
  if (rule.denial_condition !== undefined) throw new Error('deny rules with a denial condition are not evaluated here');
  const principal = (rule.denied_principals ?? []).some((p) => matches(p, who)) && !(rule.exception_principals ?? []).some((p) => matches(p, who));
  const denied = (rule.denied_permissions ?? []).includes(permission) && !(rule.exception_permissions ?? []).includes(permission);
  return principal && denied;
}

/** Whether any rule of a `google_iam_deny_policy` (Terraform JSON) denies `permission` to `who`. */
export function denyPolicyDenies(policy: { rules: Array<{ deny_rule?: DenyRuleJson | DenyRuleJson[] }> }, who: DenyRequester,
  permission: string): boolean {
  return policy.rules.some((r) => {
    const rule = Array.isArray(r.deny_rule) ? r.deny_rule[0] : r.deny_rule;
    return rule !== undefined && ruleDenies(rule, who, permission);
  });
}
