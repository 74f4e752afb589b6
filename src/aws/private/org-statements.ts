/** The statement shape of OrganizationGuardrails' policies, shared by the files that build its statement groups. */

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Deny';
  readonly Principal?: '*';
  readonly Action: string[];
  readonly Resource: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

/** A set of statements that together enforce one guardrail, as the evidence names it. */
export interface StatementGroup {
  readonly name: string;
  readonly kind: 'scp' | 'rcp';
  readonly statements: PolicyStatement[];
}

export const unique = (xs: string[]) => [...new Set(xs)];
export const notExempt = (principals: string[]) => ({ ArnNotLike: { 'aws:PrincipalArn': unique(principals) } });

export function deny(Sid: string, Action: string[], Resource: string | string[], Condition?: PolicyStatement['Condition']): PolicyStatement {
  return Condition ? { Sid, Effect: 'Deny', Action, Resource, Condition } : { Sid, Effect: 'Deny', Action, Resource };
}
