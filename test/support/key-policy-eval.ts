/*
 * A small evaluator for the key policies our constructs write, so tests can assert behaviour
 * ("an administrator cannot decrypt") and not only the shape of statements. It understands the
 * features those policies use and throws on anything else, so it never passes by ignorance.
 */

export interface RequestContext {
  /** Condition keys and their values, e.g. `aws:MultiFactorAuthPresent: 'true'`. */
  readonly [key: string]: string | undefined;
}

export type Decision = 'ALLOW' | 'EXPLICIT_DENY' | 'IMPLICIT_DENY';

function list(v: unknown): unknown[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function wildcard(pattern: string, value: string): boolean {
  return new RegExp('^' + pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$').test(value);
}

function principalMatches(statementPrincipal: any, principal: unknown): boolean {
  if (statementPrincipal === '*') return true;
  for (const [, values] of Object.entries(statementPrincipal ?? {})) {
    for (const v of list(values)) {
      if (v === '*' || same(v, principal)) return true;
    }
  }
  return false;
}

function actionMatches(st: any, action: string): boolean {
  if (st.Action !== undefined) return list(st.Action).some((a) => wildcard(a as string, action));
  if (st.NotAction !== undefined) return !list(st.NotAction).some((a) => wildcard(a as string, action));
  throw new Error(`statement ${st.Sid} has neither Action nor NotAction`);
}

function conditionsHold(condition: any, ctx: RequestContext): boolean {
  for (const [op, tests] of Object.entries(condition ?? {})) {
    for (const [key, expected] of Object.entries(tests as Record<string, unknown>)) {
      const actual = ctx[key];
      // Policy variables (${aws:PrincipalTag/x}) take the request's value; a missing one matches nothing.
      const wanted = list(expected).map((w) => (typeof w === 'string' ? substitute(w, ctx) : w));
      switch (op) {
        case 'Null':
          if (wanted.some((w) => w === 'true') !== (actual === undefined)) return false;
          break;
        case 'Bool':
        case 'StringEquals':
        case 'ArnEquals':
          if (actual === undefined || !wanted.some((w) => same(w, actual))) return false;
          break;
        case 'BoolIfExists':
          if (actual !== undefined && !wanted.some((w) => same(w, actual))) return false;
          break;
        case 'ArnNotEquals':
        case 'StringNotEquals':
          if (actual !== undefined && wanted.some((w) => same(w, actual))) return false;
          break;
        case 'ArnLike':
        case 'StringLike':
          if (actual === undefined || !wanted.some((w) => typeof w === 'string' && wildcard(w, actual))) return false;
          break;
        default:
          throw new Error(`condition operator ${op} is not understood by the test evaluator`);
      }
    }
  }
  return true;
}

function substitute(value: string, ctx: RequestContext): unknown {
  const m = /^\$\{([^}]+)\}$/.exec(value);
  if (!m) {
    if (value.includes('${')) throw new Error(`policy variable inside a longer string is not understood by the test evaluator: ${value}`);
    return value;
  }
  return ctx[m[1]] ?? Symbol('missing policy variable');
}

/**
 * What KMS would decide for `principal` (the resolved ARN value as it appears in the template) calling `action`,
 * from the key policy alone (no IAM policies: our keys do not delegate to IAM).
 */
export function decide(policy: { Statement: any[] }, principal: unknown, action: string, ctx: RequestContext = {}): Decision {
  let allowed = false;
  for (const st of policy.Statement) {
    if (!principalMatches(st.Principal, principal) || !actionMatches(st, action) || !conditionsHold(st.Condition, ctx)) continue;
    if (st.Effect === 'Deny') return 'EXPLICIT_DENY';
    allowed = true;
  }
  return allowed ? 'ALLOW' : 'IMPLICIT_DENY';
}
