import { existsSync, readFileSync } from 'fs';
import { dirname, join } from 'path';

/*
 * The IAM policy evaluator, @cloud-copilot/iam-simulate (AGPL-3.0): never a dependency of this package (which is
 * Apache-2.0), loaded only when the user has installed it. This file asks it about one request; it decides nothing itself.
 */

/** The evaluator's package; the name is assembled so neither TypeScript nor a bundler resolves it statically. */
export const EVALUATOR_PACKAGE = ['@cloud-copilot', 'iam-simulate'].join('/');

/** The evaluator as the matrix uses it. */
export interface Evaluator {
  readonly name: string;
  readonly runUnsafeSimulation: (simulation: any, options: any) => string;
}

let evaluator: Evaluator | null | undefined;
let evaluatorOverride: Evaluator | null | undefined;

/**
 * The installed evaluator, or undefined. Loaded from this package's location or the working directory (a user's app).
 * Only a missing evaluator is tolerated; any other load error is raised.
 */
export function loadEvaluator(): Evaluator | undefined {
  if (evaluatorOverride !== undefined) return evaluatorOverride ?? undefined;
  if (evaluator !== undefined) return evaluator ?? undefined;
  evaluator = null;
  for (const paths of [undefined, [process.cwd()]]) {
    let resolved: string;
    try {
      resolved = paths ? require.resolve(EVALUATOR_PACKAGE, { paths }) : require.resolve(EVALUATOR_PACKAGE);
    } catch {
      continue;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(resolved);
    // The package's exports map hides package.json from require: find it next to the entry point.
    let version = 'unknown version';
    for (let dir = dirname(resolved); dir !== dirname(dir); dir = dirname(dir)) {
      const pkg = join(dir, 'package.json');
      if (!existsSync(pkg)) continue;
      const json = JSON.parse(readFileSync(pkg, 'utf8'));
      if (json.name === EVALUATOR_PACKAGE) {
        version = json.version;
        break;
      }
    }
    if (typeof mod.runUnsafeSimulation === 'function') {
      evaluator = { name: `${EVALUATOR_PACKAGE} ${version}`, runUnsafeSimulation: mod.runUnsafeSimulation };
      break;
    }
  }
  return evaluator ?? undefined;
}

/** Replaces the evaluator (null: as if not installed; undefined: back to the installed one). */
export function setEvaluatorOverride(e: Evaluator | null | undefined): void {
  evaluatorOverride = e;
}

/** What the report says where the evaluator is not installed. */
export const NOT_COMPUTED_REASON = `the access matrix was not computed: the IAM policy evaluator ${EVALUATOR_PACKAGE} is not installed. ` +
  `Install it in your app (npm install --save-dev ${EVALUATOR_PACKAGE}; it is AGPL-3.0 licensed, which is why this ` +
  'library does not depend on it) and synthesize again. Until then separation-of-duties and dual-control evidence is ' +
  'derived from the structure of the key policy and marked as not evaluated.';

export type Decision = 'ALLOW' | 'EXPLICIT_DENY' | 'IMPLICIT_DENY';

const MAXIMAL_IDENTITY_POLICY = [{
  name: 'assumed-maximal-identity-policy',
  policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
}];

/*
 * The evaluator compares names case-insensitively with String.prototype.localeCompare(other, undefined, options), and
 * V8 builds a new ICU collator for every such call with options: that was a third of each evaluation. While the
 * evaluator runs, localeCompare takes its collator from a cache instead. ECMA-402 defines localeCompare(that, locales,
 * options) as comparing with `new Intl.Collator(locales, options)`, so a collator built once from the same locale and
 * options compares identically; anything but a string locale and string or boolean option values goes to the original.
 * @see https://tc39.es/ecma402/#sup-String.prototype.localeCompare
 */
const COLLATOR_OPTIONS = ['usage', 'localeMatcher', 'collation', 'numeric', 'caseFirst', 'sensitivity', 'ignorePunctuation'];
const nativeLocaleCompare = String.prototype.localeCompare;
const collators = new Map<string, Intl.Collator>();
/**
 * The evaluator passes one options object for every call: its collator is found by identity, as long as the option
 * values read now are those it was built from (building the key above for every call cost as much again).
 */
const byOptions = new WeakMap<object, { readonly locales: unknown; readonly values: unknown[]; readonly collator: Intl.Collator }>();

function unchanged(values: unknown[], options: any): boolean {
  for (let i = 0; i < COLLATOR_OPTIONS.length; i++) if (options[COLLATOR_OPTIONS[i]] !== values[i]) return false;
  return true;
}

function collatorKey(locales: unknown, options: unknown): string | undefined {
  if (locales !== undefined && typeof locales !== 'string') return undefined;
  if (options === undefined) return JSON.stringify([locales ?? null]);
  if (typeof options !== 'object' || options === null || Object.getPrototypeOf(options) !== Object.prototype) return undefined;
  const values: unknown[] = [locales ?? null];
  for (const k of COLLATOR_OPTIONS) {
    const d = Object.getOwnPropertyDescriptor(options, k);
    if (d && !('value' in d)) return undefined; // an accessor: let the native call read it
    const v = d?.value;
    if (v !== undefined && typeof v !== 'string' && typeof v !== 'boolean') return undefined;
    values.push(v ?? null);
  }
  // Other own properties are options the collator does not read.
  return JSON.stringify(values);
}

function cachedLocaleCompare(this: unknown, that: string, locales?: unknown, options?: unknown): number {
  const known = typeof options === 'object' && options !== null ? byOptions.get(options) : undefined;
  if (known && known.locales === locales && this !== null && this !== undefined && unchanged(known.values, options)) {
    return known.collator.compare(String(this), String(that));
  }
  const key = this === null || this === undefined ? undefined : collatorKey(locales, options);
  if (key === undefined) return nativeLocaleCompare.call(this, that, locales as any, options as any);
  let collator = collators.get(key);
  if (!collator) {
    collator = new Intl.Collator(locales as string | undefined, options as Intl.CollatorOptions | undefined);
    collators.set(key, collator);
  }
  if (typeof options === 'object' && options !== null) {
    byOptions.set(options, { locales, values: COLLATOR_OPTIONS.map((k) => (options as any)[k]), collator });
  }
  return collator.compare(String(this), String(that));
}

/** Runs `f` (synchronous) with the cached localeCompare, restoring the original afterwards. */
export function withCachedCollators<T>(f: () => T): T {
  try {
    // eslint-disable-next-line no-extend-native
    String.prototype.localeCompare = cachedLocaleCompare as typeof nativeLocaleCompare;
  } catch {
    return f(); // frozen intrinsics (node --frozen-intrinsics, a hardened realm): evaluate at the native speed
  }
  try {
    return f();
  } finally {
    // eslint-disable-next-line no-extend-native
    String.prototype.localeCompare = nativeLocaleCompare;
  }
}

/** The evaluator's verdict for one request against a key policy (and, for IAM principals, a maximal identity policy). */
export function simulate(e: Evaluator, keyPolicy: unknown, account: string, region: string, principal: string, action: string,
  context: Record<string, string | string[]>): Decision {
  const isService = !principal.startsWith('arn:');
  const result = withCachedCollators(() => e.runUnsafeSimulation({
    request: {
      principal,
      action,
      resource: { resource: `arn:aws:kms:${region}:${account}:key/00000000-0000-0000-0000-000000000000`, accountId: account },
      contextVariables: context,
    },
    identityPolicies: isService ? [] : MAXIMAL_IDENTITY_POLICY,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    // A pre-validated document: the unsafe entry point otherwise loads the resource policy without a name and fails.
    resourcePolicy: { __validated: true, policyDocument: keyPolicy, metadata: { name: 'KeyPolicy' }, errors: [] },
  }, {}));
  if (result === 'Allowed') return 'ALLOW';
  if (result === 'ExplicitlyDenied') return 'EXPLICIT_DENY';
  if (result === 'ImplicitlyDenied') return 'IMPLICIT_DENY';
  throw new Error(`the IAM policy evaluator returned '${result}' for ${principal} calling ${action}`);
}

/**
 * The request context a real call carries from `principal` (global keys the caller cannot choose), plus `extra`.
 * Service principals are AWS services; everything else is an IAM role or user of the ARN's account.
 */
export function principalContext(principal: string): Record<string, string> {
  if (!principal.startsWith('arn:')) return { 'aws:PrincipalIsAWSService': 'true', 'aws:PrincipalServiceName': principal };
  const account = principal.split(':')[4];
  return { 'aws:PrincipalArn': principal, 'aws:PrincipalAccount': account, 'aws:PrincipalIsAWSService': 'false' };
}
