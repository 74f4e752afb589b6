/*
 * Shape checks of props that src/azure and src/gcp share (both cdktf, so a token is a cdktf token): made before any
 * child construct exists, so that an error names the prop the caller wrote and no provider sees a bad value.
 */
import { Token } from 'cdktf';
import { isTokenValue, requireDefined, shown, ValidationError } from '../core/validation';

export { optionalBoolean, optionalList, optionalProfile } from '../core/input';

/** A required string prop: present, a string, not blank. Tokens pass. */
export function requireString(prop: string, value: unknown): string {
  requireDefined(prop, value);
  if (typeof value !== 'string' || (!Token.isUnresolved(value) && value.trim() === '')) {
    throw new ValidationError(`${prop} must be a non-empty string, got ${shown(value)}`);
  }
  return value;
}


/** An optional enum prop: one of the enum's values. */
export function optionalEnum(prop: string, value: unknown, values: readonly unknown[]): void {
  if (value !== undefined && !values.includes(value)) {
    throw new ValidationError(`${prop} must be one of ${values.join(', ')}, got ${shown(value)}`);
  }
}

/** A count: a finite whole number from `min` (to `max`, when there is one). Tokens are refused: the count shapes the plan. */
export function requireWholeNumber(prop: string, value: number, min: number, max?: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || (max !== undefined && value > max)) {
    throw new ValidationError(`${prop} must be a whole number ${max === undefined ? `of at least ${min}` : `from ${min} to ${max}`}, got ${shown(value)}`);
  }
  return value;
}

/*
 * Props typed as one of the library's classes. Plain JavaScript and jsii callers can pass anything, so each is recognised
 * by what the constructs use of it (duck typing: a second copy of the library in node_modules has other class objects).
 */

/** A `Period`, when given. */
export function optionalPeriod(prop: string, value: unknown): void {
  if (value === undefined || value === null) return;
  const p = value as { amount?: unknown; toDays?: unknown; toSeconds?: unknown };
  if (value === null || typeof value !== 'object' || typeof p.toDays !== 'function' || typeof p.toSeconds !== 'function' || typeof p.amount !== 'number') {
    throw new ValidationError(`${prop} must be a Period such as Period.days(90), got ${shown(value)}`);
  }
}


/** A construct (an audit sink, a vault, a key ring, an HSM), when given: `what` names the kind expected. */
export function optionalConstruct(prop: string, value: unknown, what: string): void {
  if (value === undefined || value === null) return;
  const c = value as { node?: { path?: unknown } };
  if (value === null || typeof value !== 'object' || typeof c.node?.path !== 'string') {
    throw new ValidationError(`${prop} must be ${what}, got ${shown(value)}`);
  }
}

/**
 * Pool names and tenant ids become key names, construct ids and tags, so they must be literal strings: a token is
 * refused here, shown as a token, before the tenant plan (core) checks the literal's form.
 */
export function requireLiteralNames(prop: string, values: readonly unknown[]): void {
  for (const v of values) {
    if (typeof v !== 'string' || isTokenValue(v)) {
      throw new ValidationError(`${prop} must be literal strings (they become key names and construct ids), got ${shown(v)}`);
    }
  }
}
