/*
 * Shape checks of props that src/azure and src/gcp share (both cdktf, so a token is a cdktf token): made before any
 * child construct exists, so that an error names the prop the caller wrote and no provider sees a bad value.
 */
import { Token } from 'cdktf';
import { requireDefined, shown, ValidationError } from '../core/validation';

/** A required string prop: present, a string, not blank. Tokens pass. */
export function requireString(prop: string, value: unknown): string {
  requireDefined(prop, value);
  if (typeof value !== 'string' || (!Token.isUnresolved(value) && value.trim() === '')) {
    throw new ValidationError(`${prop} must be a non-empty string, got ${shown(value)}`);
  }
  return value;
}

/** An optional list prop: an array when given. */
export function optionalList<T>(prop: string, value: T[] | undefined): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ValidationError(`${prop} must be a list, got ${shown(value)}`);
  return value;
}

/** An optional boolean prop. */
export function optionalBoolean(prop: string, value: unknown): void {
  if (value !== undefined && value !== null && typeof value !== 'boolean') {
    throw new ValidationError(`${prop} must be true or false, got ${shown(value)}`);
  }
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
