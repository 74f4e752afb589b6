/**
 * Thrown for bad construct input. Messages are lower-case, name the prop and the value received.
 * Not exported from the package: callers match on the message, as with aws-cdk's own errors.
 */
export class ValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValidationError';
  }
}

/** Plural-aware unit: `1 day`, `30 days`. */
export function days(n: number): string {
  return n === 1 ? '1 day' : `${n} days`;
}

export function requireRange(prop: string, value: number, min: number, max: number, unit: string): void {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new ValidationError(`${prop} must be between ${min} and ${max} ${unit}, got ${value}`);
  }
}

export function requireInteger(prop: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(`${prop} must be a whole number between ${min} and ${max}, got ${value}`);
  }
}

/** Checks a literal name against a provider's naming rule (callers skip unresolved tokens). */
export function requireMatch(prop: string, value: string, pattern: RegExp, rule: string): void {
  if (!pattern.test(value)) {
    throw new ValidationError(`${prop} must be ${rule}, got ${value}`);
  }
}
