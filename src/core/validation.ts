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
    throw new ValidationError(`${prop} must be between ${min} and ${max} ${unit}, got ${shown(value)}`);
  }
}

export function requireInteger(prop: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(`${prop} must be a whole number between ${min} and ${max}, got ${shown(value)}`);
  }
}

/** Checks a literal name against a provider's naming rule (callers skip unresolved tokens). */
export function requireMatch(prop: string, value: string, pattern: RegExp, rule: string): void {
  if (!pattern.test(value)) {
    throw new ValidationError(`${prop} must be ${rule}, got ${shown(value)}`);
  }
}

// aws-cdk-lib and cdktf encode an unresolved number as a double whose top 16 bits carry a marker: 0xFBFF in
// aws-cdk-lib (core/lib/private/encoding.ts), 0xFDFF for a number and 0xFBFF for a number list in cdktf
// (lib/tokens/private/encoding.ts). Core imports neither library, so it recognises their encodings: a string with
// `${Token[`, `${TfToken[`, a list element `#{Token[`/`#{TfToken[`, a map token `&{TfToken[`, a marked double, or
// such a double printed into a string.
const DOUBLE_TOKEN_MARKERS = [0xfbff, 0xfdff];
const TOKEN_TEXT = /[$#&]\{(?:Tf)?Token\[[a-zA-Z0-9:._-]+\]\}|-\d\.\d{6,17}e\+(?:289|298)/;

/** True for a value holding an unresolved aws-cdk-lib or cdktf token (string, list, map or encoded number). */
export function isTokenValue(value: unknown): boolean {
  if (typeof value === 'number') {
    const ints = new Uint32Array(new Float64Array([value]).buffer);
    return DOUBLE_TOKEN_MARKERS.includes(Math.floor(ints[1] / 0x10000));
  }
  if (typeof value === 'string') return TOKEN_TEXT.test(value);
  if (Array.isArray(value)) return value.some(isTokenValue);
  return typeof value === 'object' && value !== null && typeof (value as { resolve?: unknown }).resolve === 'function';
}

/**
 * How a value received appears in an error message: a token as "a token" (never its encoded number), the empty
 * or blank string quoted, anything else as the user wrote it.
 */
export function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (isTokenValue(value)) return typeof value === 'string' ? `a token (${value})` : 'an unresolved token';
  if (typeof value === 'string') return value.trim() === value && value !== '' ? value : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.length > 120 ? `${text.slice(0, 117)}...` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** A prop that plain JavaScript and jsii callers can omit although its type requires it. */
export function requireDefined<T>(prop: string, value: T | undefined | null): T {
  if (value === undefined || value === null) {
    throw new ValidationError(`${prop} is required, got ${shown(value)}`);
  }
  return value;
}

/**
 * Refuses two entries of a list that name the same thing. `key` gives the identity compared (by default the
 * trimmed, lower-cased string: principals and member strings are case-insensitive at every provider).
 */
export function requireDistinct<T>(prop: string, values: readonly T[], key: (v: T) => string = (v) => String(v).trim().toLowerCase()): void {
  const seen = new Map<string, T>();
  for (const v of values) {
    if (isTokenValue(v)) continue;
    const k = key(v);
    const first = seen.get(k);
    if (first !== undefined) {
      const same = shown(first) === shown(v);
      throw new ValidationError(same
        ? `${prop} lists ${shown(v)} twice`
        : `${prop} lists ${shown(first)} and ${shown(v)}, which name the same principal`);
    }
    seen.set(k, v);
  }
}
