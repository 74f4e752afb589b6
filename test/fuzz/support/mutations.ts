/*
 * The mutations the robustness suite applies to a valid fixture's props, by the kind of prop.
 *
 * A mutation is plain data (`{ path, variant }`) so that fast-check prints a readable counter-example; the value is
 * made only when a case runs, because tokens (a CfnParameter, a TerraformVariable) need the case's own stack.
 * Each variant also says how the offending value may appear in an error message: as src/core/validation.ts `shown()`
 * renders it (tokens as "an unresolved token" / "a token (...)", blanks quoted), or in the construct's own
 * established form for values `shown()` cannot render well (a Duration as "30 days", a principal as its ARN).
 */
import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { Period } from '../../../src';
import { isTokenValue, shown } from '../../../src/core/validation';

export type Cloud = 'aws' | 'azure' | 'gcp';

/**
 * Kinds of prop. `awsPrincipals`/`awsPrincipal`: iam.IPrincipal list / one; `members`: Google IAM member strings;
 * `objectIds`: Entra object ids; `strings`: any other list of strings; `aliases`: KMS alias names; `emails`: e-mail
 * addresses; `duration`: aws-cdk-lib Duration; `period`: core Period; `object`: an enum member, a construct or a
 * props object (only omitted or replaced by a wrong type).
 */
export type Kind = 'int' | 'string' | 'name' | 'bool' | 'awsPrincipals' | 'awsPrincipal' | 'members' | 'objectIds'
| 'strings' | 'aliases' | 'emails' | 'duration' | 'period' | 'object';

/** One prop to mutate: its path in the props (dots; a number is a list index) and its kind. */
export interface Slot {
  readonly path: string;
  readonly kind: Kind;
}

/** What fast-check generates and prints: which prop, which variant. */
export interface Mutation {
  readonly path: string;
  readonly variant: string;
}

/** Where a value is made: the case's stack, its cloud, and the fixture's original value at the path. */
export interface MakeContext {
  readonly cloud: Cloud;
  readonly scope: Construct;
  readonly original: unknown;
  /** A fresh id for a token-making construct (CfnParameter, TerraformVariable). */
  readonly freshId: () => string;
}

/** The sentinel for "delete the key", as an untyped JavaScript caller omits a prop. */
export const OMIT = Symbol('omit');

/** A made value and the texts any one of which an error message must contain to name it. */
export interface Made {
  readonly value: unknown;
  /** Substrings (or patterns) that render the value; the message must contain at least one. */
  readonly renderings: ReadonlyArray<string | RegExp>;
}

type Maker = (ctx: MakeContext) => Made;

const TOKEN = /\btoken\b|deploy-time value/i;
const NOTHING = /\b(required|nothing|none|neither|missing|undefined|not set|no [a-z]+ given)\b/i;

/** How a string appears in a message: as written, JSON-quoted or single-quoted; a long one by its first 40 characters. */
function stringRenderings(s: string): Array<string | RegExp> {
  const out: Array<string | RegExp> = [shown(s), JSON.stringify(s), `'${s}'`];
  if (s.length > 80) out.push(s.slice(0, 40));
  return out;
}

function numberToken(ctx: MakeContext): number {
  if (ctx.cloud === 'aws') return new CfnParameter(ctx.scope, ctx.freshId(), { type: 'Number' }).valueAsNumber;
  return new TerraformVariable(ctx.scope, ctx.freshId(), { type: 'number' }).numberValue;
}

function stringToken(ctx: MakeContext): string {
  if (ctx.cloud === 'aws') return new CfnParameter(ctx.scope, ctx.freshId(), { type: 'String' }).valueAsString;
  return new TerraformVariable(ctx.scope, ctx.freshId(), { type: 'string' }).stringValue;
}

function listToken(ctx: MakeContext): string[] {
  if (ctx.cloud === 'aws') return new CfnParameter(ctx.scope, ctx.freshId(), { type: 'CommaDelimitedList' }).valueAsList;
  return new TerraformVariable(ctx.scope, ctx.freshId(), { type: 'list(string)' }).listValue;
}

/** A number as a whole token of the message (so that 0 does not match the 0 in "10 days"). */
export function numberRendering(n: number): RegExp {
  const forms = [...new Set([shown(n), String(n), n.toLocaleString('en-US')])].map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`(?<![\\w.-])(?:${forms.join('|')})(?![\\w]|\\.\\d)`);
}

// An omitted prop's value is its absence, or the default the message reports ("acknowledgeHourlyCost must be true,
// got false"; "cannot be pooled under isolation DEDICATED"): naming the prop is naming the problem.
const omit: Maker = () => ({ value: OMIT, renderings: [/[^]/] });
// A fresh copy each time: setPath writes into objects (custodians.users into a custodians `{}`), and a shared literal
// would carry one case's mutation into the next.
const lit = (value: unknown, ...extra: Array<string | RegExp>): Maker => () => ({
  value: typeof value === 'object' && value !== null ? structuredClone(value) : value,
  renderings: typeof value === 'string' ? [...stringRenderings(value), ...extra]
    : typeof value === 'number' ? [numberRendering(value), ...extra] : [shown(value), ...extra],
});

const INT: Record<string, Maker> = {
  'zero': lit(0),
  'negative': lit(-1),
  'fraction': lit(1.5),
  'huge': lit(1e12),
  'NaN': lit(NaN),
  'Infinity': lit(Infinity),
  '-Infinity': lit(-Infinity),
  'token': (ctx) => ({ value: numberToken(ctx), renderings: [TOKEN] }),
  'string': lit('7'),
  'omit': omit,
};

const STRING: Record<string, Maker> = {
  empty: lit(''),
  blank: lit(' '),
  padded: lit(' x '),
  space: lit('has space'),
  unicode: lit('ключ-ü'),
  emoji: lit('key-🔑'),
  long: lit('a'.repeat(300)),
  newline: lit('a\nb'),
  token: (ctx) => ({ value: stringToken(ctx), renderings: [TOKEN] }),
  number: lit(42),
  object: lit({}),
  omit: omit,
};

const BOOL: Record<string, Maker> = {
  string: lit('yes'),
  number: lit(1),
  omit,
};

const OBJECT: Record<string, Maker> = {
  omit,
  string: lit('x'),
  empty: lit({}, '{}'),
};

/** The first element of the fixture's list, or a stand-in when the fixture leaves the list out. */
function firstOf<T>(ctx: MakeContext, fallback: T): T {
  return Array.isArray(ctx.original) && ctx.original.length > 0 ? ctx.original[0] as T : fallback;
}

/** A string with one letter's case changed, so that it differs as text but names the same thing. */
export function caseVariant(s: string): string {
  const at = s.search(/[a-z]/);
  if (at >= 0) return s.slice(0, at) + s[at].toUpperCase() + s.slice(at + 1);
  const up = s.search(/[A-Z]/);
  return up >= 0 ? s.slice(0, up) + s[up].toLowerCase() + s.slice(up + 1) : `${s}`;
}

/** The variants of a list of strings; `sample` stands in for an element when the fixture has none. */
function stringList(sample: string, malformed: string): Record<string, Maker> {
  const first = (ctx: MakeContext) => firstOf(ctx, sample);
  return {
    'duplicate': (ctx) => ({ value: [first(ctx), first(ctx)], renderings: stringRenderings(first(ctx)) }),
    'case-variant': (ctx) => {
      const v = caseVariant(first(ctx));
      return { value: [first(ctx), v], renderings: [...stringRenderings(first(ctx)), ...stringRenderings(v)] };
    },
    'empty-element': () => ({ value: [''], renderings: stringRenderings('') }),
    'blank-element': () => ({ value: [' '], renderings: stringRenderings(' ') }),
    'padded-element': (ctx) => ({ value: [` ${first(ctx)} `], renderings: stringRenderings(` ${first(ctx)} `) }),
    'newline-element': (ctx) => ({ value: [`${first(ctx)}\n`], renderings: stringRenderings(`${first(ctx)}\n`) }),
    'malformed-element': () => ({ value: [malformed], renderings: stringRenderings(malformed) }),
    'long-element': () => ({ value: ['a'.repeat(300)], renderings: stringRenderings('a'.repeat(300)) }),
    'empty-list': () => ({ value: [], renderings: ['[]', /\bnone\b|at least one|\bnothing\b|\bempty\b/i] }),
    'token-element': (ctx) => ({ value: [stringToken(ctx)], renderings: [TOKEN] }),
    'token-list': (ctx) => ({ value: listToken(ctx), renderings: [TOKEN] }),
    'not-a-list': (ctx) => ({ value: first(ctx), renderings: stringRenderings(first(ctx)) }),
    'undefined-element': () => ({ value: [undefined], renderings: [NOTHING, 'null', '[null]'] }),
    'omit': omit,
  };
}

const ALIASES: Record<string, Maker> = {
  ...stringList('orders', 'has space'),
  'prefix-variant': () => ({ value: ['dup', 'alias/dup'], renderings: ['dup', 'alias/dup'] }),
  'reserved': () => ({ value: ['alias/aws/orders'], renderings: stringRenderings('alias/aws/orders') }),
};

/** How an AWS principal appears in a message: its ARN (or the token in it). */
function principalRenderings(arn: string): Array<string | RegExp> {
  if (/\$\{Token\[/.test(arn)) return [TOKEN];
  return [...stringRenderings(arn)];
}

function arnOf(p: unknown): string {
  return p instanceof iam.ArnPrincipal ? p.arn : 'arn:aws:iam::111111111111:role/Fallback';
}

const AWS_PRINCIPAL: Record<string, Maker> = {
  'empty-arn': () => ({ value: new iam.ArnPrincipal(''), renderings: principalRenderings('') }),
  'not-an-arn': () => ({ value: new iam.ArnPrincipal('not-an-arn'), renderings: principalRenderings('not-an-arn') }),
  'blank-arn': () => ({ value: new iam.ArnPrincipal(' '), renderings: principalRenderings(' ') }),
  'token-arn': (ctx) => {
    const arn = stringToken(ctx);
    return { value: new iam.ArnPrincipal(arn), renderings: [TOKEN] };
  },
  'a-string': () => ({ value: 'arn:aws:iam::111111111111:role/Plain', renderings: stringRenderings('arn:aws:iam::111111111111:role/Plain') }),
  'omit': omit,
};

const AWS_PRINCIPALS: Record<string, Maker> = {
  'duplicate': (ctx) => {
    const p = firstOf<unknown>(ctx, new iam.ArnPrincipal('arn:aws:iam::111111111111:role/Fallback'));
    return { value: [p, p], renderings: principalRenderings(arnOf(p)) };
  },
  'case-variant': (ctx) => {
    const arn = arnOf(firstOf<unknown>(ctx, undefined));
    const variant = arn.replace(/(role|user)\/(.)/, (_m, kind: string, c: string) => `${kind}/${c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()}`);
    return {
      value: [new iam.ArnPrincipal(arn), new iam.ArnPrincipal(variant)],
      renderings: [...principalRenderings(arn), ...principalRenderings(variant)],
    };
  },
  'account-root': () => {
    const arn = 'arn:aws:iam::111111111111:root';
    return { value: [new iam.ArnPrincipal(arn)], renderings: principalRenderings(arn) };
  },
  'empty-arn': () => ({ value: [new iam.ArnPrincipal('')], renderings: principalRenderings('') }),
  'not-an-arn': () => ({ value: [new iam.ArnPrincipal('not-an-arn')], renderings: principalRenderings('not-an-arn') }),
  'token-arn': (ctx) => ({ value: [new iam.ArnPrincipal(stringToken(ctx))], renderings: [TOKEN] }),
  'a-string': () => ({ value: ['arn:aws:iam::111111111111:role/Plain'], renderings: stringRenderings('arn:aws:iam::111111111111:role/Plain') }),
  'not-a-list': (ctx) => {
    const p = firstOf<unknown>(ctx, new iam.ArnPrincipal('arn:aws:iam::111111111111:role/Fallback'));
    return { value: p, renderings: principalRenderings(arnOf(p)) };
  },
  'empty-list': () => ({ value: [], renderings: ['[]', /\bnone\b|at least one|\bnothing\b|\bempty\b/i] }),
  'undefined-element': () => ({ value: [undefined], renderings: [NOTHING, 'null', '[null]'] }),
  'omit': omit,
};

/**
 * How a Duration appears: "30 days" (its human string), amount and unit as written, or the amount alone or converted
 * to the unit the message states its bound in ("must be between 7 and 30 days, got 0.2083").
 */
function durationRenderings(d: Duration, amount: number, unit: string): Array<string | RegExp> {
  const out: Array<string | RegExp> = [`${amount} ${unit}`, `${shown(amount)} ${unit}`, numberRendering(amount)];
  const conversions = [
    () => d.toDays({ integral: false }), () => d.toHours({ integral: false }),
    () => d.toMinutes({ integral: false }), () => d.toSeconds({ integral: false }),
  ];
  for (const convert of conversions) {
    try {
      out.push(numberRendering(convert()));
    } catch {
      // not convertible (NaN, a token)
    }
  }
  try {
    out.push(d.toHumanString());
  } catch {
    // a token or NaN amount has no human string
  }
  return out;
}

function duration(of: (n: number) => Duration, amount: number, unit: string): Maker {
  return () => {
    const d = of(amount);
    return { value: d, renderings: durationRenderings(d, amount, unit) };
  };
}

const DURATION: Record<string, Maker> = {
  'zero-days': duration(Duration.days, 0, 'days'),
  'fraction-days': duration(Duration.days, 1.5, 'days'),
  'one-day': duration(Duration.days, 1, 'day'),
  'huge-days': duration(Duration.days, 100000, 'days'),
  'hours': duration(Duration.hours, 5, 'hours'),
  'one-minute': duration(Duration.minutes, 1, 'minute'),
  'NaN-days': duration(Duration.days, NaN, 'days'),
  'Infinity-days': duration(Duration.days, Infinity, 'days'),
  'token-days': (ctx) => ({ value: Duration.days(numberToken(ctx)), renderings: [TOKEN] }),
  'token-hours': (ctx) => ({ value: Duration.hours(numberToken(ctx)), renderings: [TOKEN] }),
  'token-millis': (ctx) => ({ value: Duration.millis(numberToken(ctx)), renderings: [TOKEN] }),
  'a-number': lit(30),
  'omit': omit,
};

function period(of: (n: number) => Period, amount: number, unit: string): Maker {
  return () => {
    const p = of(amount);
    return { value: p, renderings: [`${shown(amount)} ${unit}`, p.toHumanString(), numberRendering(amount), numberRendering(p.toDays()), numberRendering(p.toSeconds())] };
  };
}

const PERIOD: Record<string, Maker> = {
  'zero-days': period(Period.days, 0, 'days'),
  'negative-days': period(Period.days, -1, 'days'),
  'fraction-days': period(Period.days, 1.5, 'days'),
  'one-day': period(Period.days, 1, 'days'),
  'huge-days': period(Period.days, 100000, 'days'),
  'hours': period(Period.hours, 5, 'hours'),
  'NaN-days': period(Period.days, NaN, 'days'),
  'Infinity-days': period(Period.days, Infinity, 'days'),
  '-Infinity-days': period(Period.days, -Infinity, 'days'),
  'token-days': (ctx) => ({ value: Period.days(numberToken(ctx)), renderings: [TOKEN] }),
  'token-hours': (ctx) => ({ value: Period.hours(numberToken(ctx)), renderings: [TOKEN] }),
  'a-number': lit(30),
  'omit': omit,
};

const NAME: Record<string, Maker> = { ...STRING, 'upper-case': lit('UPPER-Case'), 'leading-digit': lit('1abc'), 'slash': lit('a/b') };

export const VARIANTS: Record<Kind, Record<string, Maker>> = {
  int: INT,
  string: STRING,
  name: NAME,
  bool: BOOL,
  object: OBJECT,
  awsPrincipal: AWS_PRINCIPAL,
  awsPrincipals: AWS_PRINCIPALS,
  members: stringList('user:someone@example.com', 'someone@example.com'),
  objectIds: stringList('99999999-9999-4999-8999-999999999999', 'not-an-object-id'),
  strings: stringList('value', 'has space'),
  aliases: ALIASES,
  emails: stringList('alerts@example.com', 'not-an-email'),
  duration: DURATION,
  period: PERIOD,
};

export function variantsOf(kind: Kind): string[] {
  return Object.keys(VARIANTS[kind]);
}

export function make(kind: Kind, variant: string, ctx: MakeContext): Made {
  const maker = VARIANTS[kind][variant];
  if (!maker) throw new Error(`no variant ${variant} for kind ${kind}`);
  const made = maker(ctx);
  // A list may be shown by its length where the rule is about how many ("must name at least 2 approvers, got 1").
  if (Array.isArray(made.value) && !isTokenValue(made.value)) {
    return { ...made, renderings: [...made.renderings, new RegExp(`\\bgot ${made.value.length}(?![\\w.])`)] };
  }
  return made;
}

/** Reads the value at a dotted path (a number segment indexes a list). */
export function getPath(obj: any, path: string): unknown {
  return path.split('.').reduce((o, k) => (o === undefined || o === null ? undefined : o[k]), obj);
}

/** Sets (or, for OMIT, deletes) the value at a dotted path, creating plain objects on the way. */
export function setPath(obj: any, path: string, value: unknown): void {
  const keys = path.split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) {
    if (o[k] === undefined || o[k] === null || typeof o[k] !== 'object') o[k] = {};
    o = o[k];
  }
  const last = keys[keys.length - 1];
  if (value === OMIT) delete o[last];
  else o[last] = value;
}

export type AnyStack = Stack | TerraformStack;
