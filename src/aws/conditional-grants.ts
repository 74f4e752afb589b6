/*
 * Conditional grants that another statement makes moot. An Allow is a union: if a principal may decrypt only with
 * an encryption context in one statement, and without it in another (typically added by a CDK grant such as
 * `bucket.grantRead(fn)`, which calls `key.grantDecrypt(fn)`), the condition restrains nothing. This reads a finished
 * key policy (as synthesized, so the rule pack reads templates with the same code) and reports each such pair.
 * Outside private/: the compliance rule pack reads synthesized key policies with the same vocabulary the constructs
 * write them with. Not exported from the package (src/aws/index.ts leaves it out): an internal contract.
 */
import { CRYPTOGRAPHIC_ACTIONS, policyList, policyPrincipals } from './key-policy-actions';

/** One statement of a pair, as the policy has it. */
export interface GrantStatementRef {
  /** Position in the policy, from 1. */
  readonly index: number;
  readonly sid?: string;
  /** The statement's conditions, as written (undefined: none). */
  readonly condition?: Record<string, Record<string, unknown>>;
}

/** A conditional Allow of cryptographic actions and a weaker Allow of some of them to the same principal. */
export interface DefeatedCondition {
  /** The principal as `kind:value` (values that are intrinsics as their JSON). */
  readonly principal: string;
  readonly conditional: GrantStatementRef;
  readonly weaker: GrantStatementRef;
  /** The cryptographic actions the weaker statement also allows. */
  readonly actions: string[];
}

type Statement = { Sid?: string; Effect?: string; Principal?: unknown; Action?: unknown; NotAction?: unknown; Condition?: any };

/**
 * Every conditional Allow of a cryptographic action whose principal (or everyone) gets some of the same actions from
 * another Allow with no conditions, or with a subset of them (each no stricter). Denies are not weighed: a deny that
 * restores the condition is rare and easy to misjudge, so such a policy is reported too.
 */
export function findDefeatedConditions(policy: { Statement?: unknown } | undefined): DefeatedCondition[] {
  const sts = (Array.isArray(policy?.Statement) ? policy!.Statement : policy?.Statement ? [policy.Statement] : []) as Statement[];
  const allows = sts.map((st, i) => ({ st, index: i + 1 })).filter(({ st }) => st.Effect === 'Allow');
  // By principal, so a pool key with thousands of per-tenant statements is not compared pair by pair.
  const byPrincipal = new Map<string, typeof allows>();
  const toEveryone: typeof allows = [];
  for (const a of allows) {
    for (const p of policyPrincipals(a.st.Principal)) {
      if (p === '*' || p === 'AWS:*') {
        if (!toEveryone.includes(a)) toEveryone.push(a);
        continue;
      }
      const list = byPrincipal.get(p) ?? [];
      if (!list.includes(a)) list.push(a);
      byPrincipal.set(p, list);
    }
  }
  const found: DefeatedCondition[] = [];
  for (const c of allows) {
    if (!hasConditions(c.st.Condition) || c.st.Action === undefined) continue;
    const crypto = cryptographicActions(c.st.Action);
    if (crypto.length === 0) continue;
    for (const principal of policyPrincipals(c.st.Principal)) {
      for (const o of [...(byPrincipal.get(principal) ?? []), ...toEveryone]) {
        if (o === c || !weaker(o.st.Condition, c.st.Condition)) continue;
        const covered = crypto.filter((a) => covers(o.st, a));
        if (covered.length === 0) continue;
        found.push({
          principal,
          conditional: { index: c.index, sid: c.st.Sid, condition: c.st.Condition },
          weaker: { index: o.index, sid: o.st.Sid, condition: hasConditions(o.st.Condition) ? o.st.Condition : undefined },
          actions: covered,
        });
      }
    }
  }
  return found;
}

/** The concrete cryptographic actions a statement's Action names (wildcards expanded). */
function cryptographicActions(action: unknown): string[] {
  const listed = policyList(action);
  return CRYPTOGRAPHIC_ACTIONS.filter((a) => listed.some((l) => matches(l, a)));
}

function covers(st: Statement, action: string): boolean {
  if (st.NotAction !== undefined) return !policyList(st.NotAction).some((l) => matches(l, action));
  return policyList(st.Action).some((l) => matches(l, action));
}

function matches(pattern: string, action: string): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*')) return pattern.toLowerCase() === action.toLowerCase();
  return new RegExp('^' + pattern.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$', 'i').test(action);
}

function hasConditions(c: unknown): boolean {
  return !!c && typeof c === 'object' && Object.values(c as object).some((v) => v && typeof v === 'object' && Object.keys(v).length > 0);
}

/** Condition entries as `operator|key` to the set of values (each value as JSON, intrinsics included). */
function entries(c: unknown): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  if (!c || typeof c !== 'object') return out;
  for (const [op, block] of Object.entries(c as Record<string, unknown>)) {
    if (!block || typeof block !== 'object') continue;
    for (const [key, v] of Object.entries(block as Record<string, unknown>)) {
      out.set(`${op}|${key}`, new Set((Array.isArray(v) ? v : [v]).map((x) => JSON.stringify(x))));
    }
  }
  return out;
}

/**
 * Whether `other` restrains no more than `base`: each of its conditions is also in `base` (same operator and key)
 * with values `base` narrows to, and it is not the same set of conditions (two identical grants keep the condition).
 */
function weaker(other: unknown, base: unknown): boolean {
  const o = entries(other);
  const b = entries(base);
  let same = o.size === b.size;
  for (const [k, values] of o) {
    const bv = b.get(k);
    if (!bv || ![...bv].every((v) => values.has(v))) return false;
    if (bv.size !== values.size) same = false;
  }
  return !same;
}

/** A condition block in one line, for messages: `StringEquals kms:EncryptionContext:tenant=acme`. */
export function describeCondition(c: Record<string, Record<string, unknown>> | undefined, name: (v: unknown) => string = defaultName): string {
  if (!c) return 'no condition';
  return Object.entries(c).flatMap(([op, block]) => Object.entries(block ?? {}).map(([k, v]) =>
    `${op} ${k}=${(Array.isArray(v) ? v : [v]).map(name).join('|')}`)).join(', ');
}

/** Names an intrinsic by what it refers to, never as an object. */
export function defaultName(v: unknown): string {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  const o = v as any;
  if (o?.Ref) return `Ref ${o.Ref}`;
  if (Array.isArray(o?.['Fn::GetAtt'])) return `${o['Fn::GetAtt'][0]}.${o['Fn::GetAtt'][1]}`;
  if (o?.['Fn::Sub'] !== undefined) return String(Array.isArray(o['Fn::Sub']) ? o['Fn::Sub'][0] : o['Fn::Sub']);
  return 'a CloudFormation expression';
}

/** A statement for messages: its Sid, or its position. */
export function describeStatement(s: GrantStatementRef): string {
  return s.sid ? `statement ${s.sid}` : `statement #${s.index} (no Sid)`;
}

/** A principal (`kind:value`) for messages, without raw JSON. */
export function describePrincipal(p: string, name: (v: unknown) => string = defaultName): string {
  if (p === '*') return 'every principal (*)';
  const i = p.indexOf(':');
  const kind = p.slice(0, i);
  const value = p.slice(i + 1);
  let shown = value;
  if (value.startsWith('{')) {
    try {
      shown = name(JSON.parse(value));
    } catch {
      shown = value;
    }
  }
  return kind === 'AWS' ? shown : `${kind} ${shown}`;
}
