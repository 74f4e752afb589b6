import { CfnElement, Names, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { oncePerReport } from '../../core/access-policy';
import type { ResolvedAccessPolicy } from '../../core/access-policy';
import { EvidenceLedger } from '../../core/evidence';

/** Stand-ins where a stack is environment-agnostic: the evaluator needs a 12-digit account to tell same from cross account. */
export const UNKNOWN_ACCOUNT = '111122223333';
export const UNKNOWN_REGION = 'us-east-1';

/** What an intrinsic resolves to for the evaluator. */
export interface ConcreteEnvironment {
  readonly account: string;
  readonly region: string;
  readonly partition: string;
  /** Logical id to a readable name (the construct path), for roles referenced with Fn::GetAtt. */
  readonly logicalIds?: ReadonlyMap<string, string>;
}

/**
 * Replaces CloudFormation intrinsics in a resolved policy (pseudo parameters, Fn::Sub, Fn::Join, Fn::GetAtt of a role)
 * with concrete strings, so a policy evaluator sees ARNs. This is substitution, not evaluation: a role referenced as
 * `{"Fn::GetAtt": ["Role1234", "Arn"]}` becomes `arn:aws:iam::<account>:role/Role1234` wherever it appears (principal or
 * condition), so the same reference stays the same principal; anything else becomes a unique placeholder.
 */
export function concretize(value: unknown, env: ConcreteEnvironment): any {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((v) => concretize(v, env));
  if (!value || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) return intrinsic(keys[0], obj[keys[0]], env);
  return Object.fromEntries(keys.map((k) => [k, concretize(obj[k], env)]));
}

function pseudo(name: string, env: ConcreteEnvironment): string | undefined {
  switch (name) {
    case 'AWS::Partition': return env.partition;
    case 'AWS::AccountId': return env.account;
    case 'AWS::Region': return env.region;
    case 'AWS::URLSuffix': return 'amazonaws.com';
    default: return undefined;
  }
}

function getAtt(logicalId: string, attribute: string, env: ConcreteEnvironment): string {
  return attribute === 'Arn' ? `arn:${env.partition}:iam::${env.account}:role/${logicalId}` : `${logicalId}.${attribute}`;
}

function intrinsic(fn: string, arg: unknown, env: ConcreteEnvironment): string {
  switch (fn) {
    case 'Ref':
      // Policies refer by Ref to parameters carrying a principal's ARN (a nested stack's view of a parent's role).
      return pseudo(String(arg), env) ?? `arn:${env.partition}:iam::${env.account}:role/${String(arg)}`;
    case 'Fn::Join': {
      const [sep, parts] = arg as [string, unknown[]];
      return parts.map((p) => String(concretize(p, env))).join(sep);
    }
    case 'Fn::GetAtt': {
      const [id, attr] = Array.isArray(arg) ? arg as string[] : String(arg).split('.');
      return getAtt(id, attr, env);
    }
    case 'Fn::Sub': {
      const [template, vars] = Array.isArray(arg) ? arg as [string, Record<string, unknown>] : [arg as string, {}];
      return template.replace(/\$\{([^}!]+)\}/g, (_whole, name: string) => {
        if (vars && name in vars) return String(concretize(vars[name], env));
        const p = pseudo(name, env);
        if (p !== undefined) return p;
        const dot = name.indexOf('.');
        return dot > 0 ? getAtt(name.slice(0, dot), name.slice(dot + 1), env) : intrinsic('Ref', name, env);
      });
    }
    default:
      return `unresolved-${fn.replace('Fn::', '')}-${JSON.stringify(arg).replace(/[^A-Za-z0-9]/g, '').slice(0, 40)}`;
  }
}

/** The environment of a stack as the evaluator sees it. */
export function environmentOf(stack: Stack): ConcreteEnvironment {
  return {
    account: Token.isUnresolved(stack.account) ? UNKNOWN_ACCOUNT : stack.account,
    region: Token.isUnresolved(stack.region) ? UNKNOWN_REGION : stack.region,
    partition: Token.isUnresolved(stack.partition) ? 'aws' : stack.partition,
  };
}

/** Logical ids of a stack's elements to their construct paths, computed once per stack. */
const LOGICAL_IDS = new WeakMap<Stack, Map<string, string>>();

function logicalIdsOf(stack: Stack): Map<string, string> {
  let map = LOGICAL_IDS.get(stack);
  if (!map) {
    map = new Map();
    for (const c of stack.node.findAll()) {
      if (CfnElement.isCfnElement(c) && Stack.of(c) === stack) {
        const id = stack.resolve(c.logicalId);
        if (typeof id === 'string') map.set(id, c.node.scope?.node.path ?? c.node.path);
      }
    }
    LOGICAL_IDS.set(stack, map);
  }
  return map;
}

/**
 * The construct path behind a logical id. A nested stack sees its parent's role through a parameter named
 * `referenceto<parent stack><logical id>Arn`: that names the role in the parent.
 */
function labelOf(stack: Stack, logicalId: string): string | undefined {
  const m = /^referenceto(.+)Arn$/.exec(logicalId);
  for (let parent = stack.nestedStackParent; parent; parent = parent.nestedStackParent) {
    // Before synthesis a nested stack still holds the parent's own reference; after it, a parameter named after the
    // referenced element's unique id.
    const found = logicalIdsOf(parent).get(logicalId);
    if (found) return found;
    if (m) {
      for (const c of parent.node.findAll()) {
        if (CfnElement.isCfnElement(c) && Names.uniqueId(c) === m[1]) return c.node.scope?.node.path ?? c.node.path;
      }
    }
  }
  return logicalIdsOf(stack).get(logicalId);
}

/** A principal value as the custodian records identify it (see principals.ts: `AWS:<resolved>`). */
function identityOf(kind: string, raw: unknown): string {
  return `${kind}:${typeof raw === 'string' ? raw : JSON.stringify(raw)}`;
}

/**
 * Records where the key's policy can be read at synthesis, for the compliance report's access matrix.
 * `document` returns the policy document (a `PolicyDocument` or its JSON) as the template will hold it.
 */
export function registerAccessPolicy(key: IConstruct, document: () => unknown, purpose?: string): void {
  const stack = Stack.of(key);
  EvidenceLedger.of(key)._registerAccessPolicy({
    subject: key.node.path,
    stack: stack.node.path,
    cloud: 'aws',
    purpose,
    resolve: (cache) => resolveKeyPolicy(stack, document(), cache),
  });
}

interface ResolvedStatement {
  readonly raw: any;
  readonly concrete: any;
}

/**
 * A document's statements, resolved and made concrete. Statements shared by many documents (a tenant hierarchy's
 * custodian statements) are resolved once per stack and report; merging or deduplicating them, as the template may, changes
 * no decision, so the statements are taken one by one.
 */
function resolveStatements(stack: Stack, document: unknown, env: ConcreteEnvironment, cache: Map<unknown, unknown>): ResolvedStatement[] {
  const statements = document instanceof iam.PolicyDocument ? (document as unknown as { statements?: unknown }).statements : undefined;
  if (!Array.isArray(statements) || !statements.every((st) => st instanceof iam.PolicyStatement)) {
    const raw = stack.resolve(document) as { Statement?: any[] } | undefined;
    return (raw?.Statement ?? []).map((st) => ({ raw: st, concrete: concretize(st, env) }));
  }
  const byStack = oncePerReport(cache, 'aws-resolved-statements', stack, () => new Map<iam.PolicyStatement, ResolvedStatement>());
  return (statements as iam.PolicyStatement[]).map((st) => {
    let r = byStack.get(st);
    if (!r) {
      const raw = stack.resolve(st.toStatementJson());
      r = { raw, concrete: concretize(raw, env) };
      byStack.set(st, r);
    }
    return r;
  });
}

function resolveKeyPolicy(stack: Stack, document: unknown, cache: Map<unknown, unknown>): ResolvedAccessPolicy {
  const env = environmentOf(stack);
  const statements = resolveStatements(stack, document, env, cache);
  const principals = new Map<string, { value: string; identity: string; label?: string }>();
  for (const { raw: st } of statements) {
    const p = st.Principal;
    if (!p || p === '*' || typeof p !== 'object') continue;
    for (const [kind, values] of Object.entries(p as Record<string, unknown>)) {
      for (const v of Array.isArray(values) ? values : [values]) {
        const value = String(concretize(v, env));
        if (value === '*' || principals.has(value)) continue;
        let label: string | undefined;
        if (typeof v === 'object' && v !== null) {
          const ref = (v as any)['Fn::GetAtt']?.[0] ?? (v as any).Ref;
          if (typeof ref === 'string') label = labelOf(stack, ref);
        }
        principals.set(value, { value, identity: identityOf(kind, v), label });
      }
    }
  }
  return {
    policy: { Statement: statements.map((st) => st.concrete) },
    account: env.account,
    region: env.region,
    principals: [...principals.values()],
  };
}
