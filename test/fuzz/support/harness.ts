/*
 * The robustness property: a valid fixture with one to three props mutated either synthesizes to valid output, or
 * throws the library's own ValidationError naming the prop the user wrote and the value received.
 *
 * Environment:
 *   FUZZ_SEED=<n>     the seed (default below); a failure prints the seed and the path that replays it
 *   FUZZ_PATH=<path>  with FUZZ_SEED, replays exactly the failing case fast-check printed
 *   FUZZ_RUNS=<n>     cases per construct (default: each target's own, sized for about a minute in the build)
 *   FUZZ_COLLECT=1    exploration: never stop at a failure, print every distinct failure class at the end
 *
 * The oracle, precisely:
 * - Valid output. AWS: `app.synth()` succeeds; no template (nested stacks included) holds `null`, the text
 *   `undefined`, `NaN`, `Infinity`, `[object Object]`, unresolved token text (`${Token[`, `#{Token[`) or an encoded
 *   token number (-1.888e+289 and kin); every Nth case's templates go to one batched cfn-lint run per file (support/aws-suite.ts).
 *   Terraform: `Testing.synth(stack, true)` (validations on) succeeds and the JSON holds none of the same (cdktf's
 *   `${TfToken[`, `&{TfToken[` too): cdktf drops `undefined` attributes, so a `null` is a NaN/Infinity or a
 *   value the construct failed to compute.
 * - A clear error: an instance of src/core/validation.ts `ValidationError` (aws-cdk-lib has a class of the same
 *   name: the name alone does not count), or a synthesis-time "Validation failed" from a `node.addValidation` check,
 *   whose message names, for at least one mutation of the case:
 *     the prop: the full dotted path without list indexes (`custodians.auditors`), its last segment
 *       (`auditors`) or its first (`custodians`: the prop the user wrote), as a whole word;
 *     the value: one of the variant's renderings (mutations.ts): `shown(value)` or the value quoted, a Duration or
 *       Period as "30 days", an AWS principal by its ARN, a token as "token"/"deploy-time value", an omitted prop
 *       as "required"/"nothing"/"none"/"neither"/"undefined", a list also by its length ("got 1"); for an omitted
 *       prop naming the prop suffices (its value is absence, or the default the message reports).
 * - Anything else fails: a TypeError, a constructs id collision, an aws-cdk-lib or cdktf error, a ValidationError
 *   naming the wrong prop or not the value, invalid output.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App } from 'aws-cdk-lib';
import { TerraformStack, Testing } from 'cdktf';
import * as fc from 'fast-check';
import { AnyStack, Cloud, getPath, make, Made, Mutation, OMIT, setPath, Slot, variantsOf } from './mutations';
import { isTokenValue, ValidationError } from '../../../src/core/validation';

export const DEFAULT_SEED = 16016;
export const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : DEFAULT_SEED;
export const REPLAY_PATH = process.env.FUZZ_PATH;
export const COLLECT = process.env.FUZZ_COLLECT === '1';

/** Cases per construct: FUZZ_RUNS, else the target's default. */
export function runsFor(defaultRuns: number): number {
  const n = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(n) && n > 0 ? n : defaultRuns;
}

/** A construct under test: how to set up a stack with a valid fixture, which props to mutate, how to build it. */
export interface Target {
  readonly cloud: Cloud;
  /** `aws.CustomerManagedKey` */
  readonly name: string;
  readonly slots: readonly Slot[];
  /** A fresh stack (in `app` for AWS) and the fixture's valid props; dependencies are created in the stack. */
  readonly setup: (app?: App) => { stack: AnyStack; props: Record<string, any> };
  readonly build: (stack: AnyStack, props: Record<string, any>) => void;
  /** Default cases per run. */
  readonly runs: number;
}

export type OutcomeKind = 'valid' | 'clear-error' | 'failure';

export interface Outcome {
  readonly kind: OutcomeKind;
  /** For a failure: why, with the error's class and first stack frames. */
  readonly reason?: string;
  /** For a valid AWS case: the synthesized templates, by file name. */
  readonly templates?: Record<string, unknown>;
}

const WORDLIKE = 'A-Za-z0-9_';

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The names an error may call the prop at `path` (see the header). */
export function propNames(path: string): string[] {
  const segs = path.split('.').filter((s) => !/^\d+$/.test(s));
  return [...new Set([segs.join('.'), segs[segs.length - 1], segs[0]])];
}

export function namesProp(message: string, path: string): boolean {
  return propNames(path).some((n) => new RegExp(`(?<![${WORDLIKE}])${escapeRe(n)}(?![${WORDLIKE}])`).test(message));
}

/**
 * An object given for a prop without a field it requires: the error names that field under the mutated prop's path
 * and says nothing was given (`custodians: {}` -> "custodians.administrators is required, got nothing"). The value
 * shown is the field's, which is more precise than the object's.
 */
export function namesMissingField(message: string, path: string): boolean {
  const full = path.split('.').filter((s) => !/^\d+$/.test(s)).join('.');
  return new RegExp(`(?<![${WORDLIKE}])${escapeRe(full)}\\.[A-Za-z]+ is required, got nothing`).test(message);
}

export function namesValue(message: string, renderings: Made['renderings']): boolean {
  return renderings.some((r) => (typeof r === 'string' ? message.includes(r) : r.test(message)));
}

/** Every problem in synthesized JSON (see the header), with its JSON path. */
export function outputProblems(json: unknown, where = '$'): string[] {
  const out: string[] = [];
  const walk = (v: unknown, p: string) => {
    if (v === null) {out.push(`${p} is null`);} else if (typeof v === 'number') {
      if (isTokenValue(v)) out.push(`${p} is an encoded token number ${v}`);
    } else if (typeof v === 'string') {
      const bad = /\bundefined\b|\bNaN\b|\bInfinity\b|\[object Object\]|[$#&]\{(Tf)?Token\[|-\d\.\d{6,17}e\+(?:289|298)/.exec(v);
      if (bad) out.push(`${p} holds ${JSON.stringify(bad[0])}: ${JSON.stringify(v.length > 160 ? `${v.slice(0, 157)}...` : v)}`);
    } else if (Array.isArray(v)) {v.forEach((x, i) => walk(x, `${p}[${i}]`));} else if (typeof v === 'object' && v !== undefined) {
      for (const [k, x] of Object.entries(v as object)) walk(x, `${p}.${k}`);
    }
  };
  walk(json, where);
  return out;
}

function describeError(e: unknown): string {
  if (!(e instanceof Error)) return `a thrown ${typeof e}: ${String(e)}`;
  const frames = (e.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)).slice(0, 3).map((l) => l.trim()).join(' | ');
  const kind = e instanceof ValidationError ? 'ValidationError (ours)' : `${e.constructor?.name ?? 'Error'}${e.name !== e.constructor?.name ? ` [${e.name}]` : ''}`;
  return `${kind}: ${e.message.split('\n').slice(0, 4).join(' / ')}${frames ? `\n      at ${frames}` : ''}`;
}

function synthAws(app: App): Record<string, unknown> {
  const asm = app.synth();
  const templates: Record<string, unknown> = {};
  for (const f of readdirSync(asm.directory)) {
    if (f.endsWith('.template.json')) templates[f] = JSON.parse(readFileSync(join(asm.directory, f), 'utf8'));
  }
  return templates;
}

function synthTf(stack: TerraformStack): Record<string, unknown> {
  return { 'cdk.tf.json': JSON.parse(Testing.synth(stack, true)) };
}

/** Runs one case: sets up the fixture, applies the mutations, builds, synthesizes, judges. */
export function runCase(target: Target, mutations: readonly Mutation[]): Outcome {
  const outdir = target.cloud === 'aws' ? mkdtempSync(join(tmpdir(), 'fuzz-cdk-')) : undefined;
  try {
    const app = outdir ? new App({ outdir }) : undefined;
    const { stack, props } = target.setup(app);
    let n = 0;
    const made: Array<{ m: Mutation; made: Made }> = [];
    let output: Record<string, unknown>;
    try {
      for (const m of mutations) {
        const slot = target.slots.find((s) => s.path === m.path)!;
        const mv = make(slot.kind, m.variant, { cloud: target.cloud, scope: stack, original: getPath(props, m.path), freshId: () => `Fuzz${n++}` });
        setPath(props, m.path, mv.value);
        made.push({ m, made: mv });
      }
      target.build(stack, props);
      output = app ? synthAws(app) : synthTf(stack as TerraformStack);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const ours = e instanceof ValidationError || (e instanceof Error && /^Validation failed with the following errors/.test(message));
      if (!ours) return { kind: 'failure', reason: `not the library's ValidationError: ${describeError(e)}` };
      if (made.some(({ m, made: mv }) => (namesProp(message, m.path) && namesValue(message, mv.renderings))
        || namesMissingField(message, m.path))) return { kind: 'clear-error' };
      const wanted = made.map(({ m }) => `${propNames(m.path).join('|')} (${m.variant})`).join('; ');
      return { kind: 'failure', reason: `the error does not name the prop and value (wanted one of: ${wanted}): ${describeError(e)}` };
    }
    const problems = Object.entries(output).flatMap(([file, json]) => outputProblems(json, file));
    if (problems.length > 0) return { kind: 'failure', reason: `invalid output: ${problems.slice(0, 5).join('; ')}` };
    return { kind: 'valid', templates: app ? output : undefined };
  } finally {
    if (outdir) rmSync(outdir, { recursive: true, force: true });
  }
}

/** Cases of one to three distinct props, each with one variant of its kind. */
export function mutationsOf(target: Target): fc.Arbitrary<Mutation[]> {
  const one = fc.oneof(...target.slots.map((s) => fc.constantFrom(...variantsOf(s.kind)).map((variant) => ({ path: s.path, variant }))));
  return fc.uniqueArray(one, { minLength: 1, maxLength: 3, selector: (m) => m.path });
}

export interface Tally {
  cases: number;
  valid: number;
  clearError: number;
  failure: number;
}

/** Outcome counts per target, printed by `printTallies`. */
export const tallies = new Map<string, Tally>();
/** FUZZ_COLLECT: distinct failures per target, by reason (first line, numbers and ids blurred), with one example. */
export const collected = new Map<string, { count: number; example: Mutation[]; reason: string }>();

function tally(name: string, kind: OutcomeKind) {
  const t = tallies.get(name) ?? { cases: 0, valid: 0, clearError: 0, failure: 0 };
  t.cases++;
  if (kind === 'valid') t.valid++;
  else if (kind === 'clear-error') t.clearError++;
  else t.failure++;
  tallies.set(name, t);
}

function blur(reason: string): string {
  return reason.split('\n')[0].replace(/[0-9a-f]{8}\b/g, '#').replace(/\d+/g, 'N').slice(0, 220);
}

/** Hook for a suite to keep some valid cases' templates (the cfn-lint sample). */
export type OnValid = (target: Target, mutations: readonly Mutation[], outcome: Outcome) => void;

/**
 * The property for one target, asserted with the suite's seed. On failure fast-check's report gives the seed, the
 * path (replay with FUZZ_SEED and FUZZ_PATH) and the shrunk counter-example, then our reason.
 */
export function checkTarget(target: Target, onValid?: OnValid): void {
  const property = fc.property(mutationsOf(target), (mutations) => {
    const outcome = runCase(target, mutations);
    tally(target.name, outcome.kind);
    if (outcome.kind === 'valid') onValid?.(target, mutations, outcome);
    if (outcome.kind !== 'failure') return;
    if (COLLECT) {
      const key = `${target.name} ${mutations.map((m) => m.path).join('+')} :: ${blur(outcome.reason!)}`;
      const c = collected.get(key) ?? { count: 0, example: mutations, reason: outcome.reason! };
      c.count++;
      if (mutations.length < c.example.length) c.example = mutations;
      collected.set(key, c);
      return;
    }
    throw new Error(`${target.name} with ${JSON.stringify(mutations)}:\n    ${outcome.reason}`);
  });
  fc.assert(property, {
    seed: SEED,
    numRuns: runsFor(target.runs),
    ...(REPLAY_PATH ? { path: REPLAY_PATH } : {}),
  });
}

/** The fixture itself must synthesize valid output (else every property below it is meaningless). */
export function checkFixture(target: Target): Outcome {
  return runCase(target, []);
}

export function printTallies(suite: string): void {
  const rows = [...tallies.entries()];
  const sum = rows.reduce((a, [, t]) => ({
    cases: a.cases + t.cases, valid: a.valid + t.valid, clearError: a.clearError + t.clearError, failure: a.failure + t.failure,
  }), { cases: 0, valid: 0, clearError: 0, failure: 0 });
  const lines = rows.map(([name, t]) => `  ${name.padEnd(34)} ${String(t.cases).padStart(5)} cases: ${String(t.valid).padStart(4)} valid, ${String(t.clearError).padStart(4)} clear ValidationError, ${t.failure} failing`);
  let text = `fuzz ${suite} (seed ${SEED}${REPLAY_PATH ? `, path ${REPLAY_PATH}` : ''}): ${sum.cases} cases, ${sum.valid} valid output, ${sum.clearError} clear ValidationError, ${sum.failure} failing`
    + ' (failing counts include fast-check\'s shrinking attempts)\n' + lines.join('\n');
  if (COLLECT && collected.size > 0) {
    text += `\n\n${collected.size} distinct failure classes:\n${[...collected.entries()].sort(([a], [b]) => a.localeCompare(b))
      .map(([key, c]) => `- [${c.count}x] ${key.split(' :: ')[0]}\n    e.g. ${JSON.stringify(c.example)}\n    ${c.reason.replace(/\n/g, '\n    ')}`).join('\n')}`;
  }
  // eslint-disable-next-line no-console
  console.log(text);
}

export { OMIT };
