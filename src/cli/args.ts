/*
 * Checks on the command line itself, made before a command runs: a bad argument is a usage error (exit 2) with one line
 * naming the flag and the value received, whatever the argument. Nothing here reads a file's contents, so no message can
 * carry key material or a file's plaintext.
 */
import { statSync } from 'fs';
import { CliError } from './errors';

/** Exit code of a usage error: the command refused its input and did nothing (as grep, git and getopt tools do). */
export const USAGE = 2;

export function usageError(message: string): CliError {
  return new CliError(message, USAGE);
}

/**
 * How an argument appears in a message: as written, or quoted (JSON) when it is empty, has surrounding blanks or
 * control characters, so a message stays one line and a terminal escape in an argument is shown, not obeyed.
 */
export function arg(value: string | undefined): string {
  if (value === undefined) return 'nothing';
  const long = value.length > 100 ? `${value.slice(0, 97)}...` : value;
  // eslint-disable-next-line no-control-regex
  return long === '' || long.trim() !== long || /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(long) ? JSON.stringify(long) : long;
}

/** A check on one flag's value; throws a usage error naming `flag` (as the user wrote it) and the value. */
export type ValueCheck = (value: string, flag: string) => void;

/** Rejects values no flag takes: empty or blank, or holding control characters (newlines, terminal escapes). */
export function plainValue(value: string, flag: string): void {
  if (value.trim() === '') throw usageError(`${flag} needs a value, got ${arg(value)}`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(value)) throw usageError(`${flag} must not contain control characters, got ${arg(value)}`);
  if (value.trim() !== value) throw usageError(`${flag} must not start or end with blanks, got ${arg(value)}`);
}

export function oneOf(values: readonly string[]): ValueCheck {
  return (value, flag) => {
    if (!values.includes(value)) throw usageError(`${flag} must be one of ${values.join(', ')}, got ${arg(value)}`);
  };
}

export function matching(pattern: RegExp, rule: string): ValueCheck {
  return (value, flag) => {
    if (!pattern.test(value)) throw usageError(`${flag} must be ${rule}, got ${arg(value)}`);
  };
}

/**
 * An AWS region name (`us-east-1`, `us-gov-west-1`, `cn-north-1`, `eusc-de-east-1`): the SDK would otherwise build an
 * endpoint host from any string and fail with a DNS error.
 */
export const awsRegion = matching(/^[a-z]{2,4}(-[a-z]+){1,3}-\d{1,2}$/, 'an AWS region such as us-east-1');

/**
 * A KMS key id, key ARN, alias name or alias ARN: the forms the KMS KeyId parameter takes. Alias names may hold ':'
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html#KMS-CreateAlias-request-AliasName).
 */
export const awsKeyId = matching(
  /^(?:(?:mrk-[0-9a-f]{32})|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|alias\/[a-zA-Z0-9:/_-]{1,250}|arn:aws[a-z-]*:kms:[a-z]{2,4}(?:-[a-z]+){1,3}-\d{1,2}:\d{12}:(?:key\/(?:mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})|alias\/[a-zA-Z0-9:/_-]{1,250}))$/,
  'a KMS key id, key ARN, alias name (alias/...) or alias ARN such as 1234abcd-12ab-34cd-56ef-1234567890ab',
);

/** An endpoint override: an http(s) URL with a host and nothing after it but a path. */
export function endpointUrl(value: string, flag: string): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.hostname === '' || url.search !== '' || url.hash !== '' || url.username !== '') {
    throw usageError(`${flag} must be an http(s) URL such as https://kms.us-east-1.amazonaws.com, got ${arg(value)}`);
  }
}

/** A whole number in a range, written in decimal digits only (`Number()` would take '', '0x10', '1e3' and ' 5 '). */
export function wholeNumber(min: number, max: number, unit: string): ValueCheck {
  return (value, flag) => {
    const n = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
      throw usageError(`${flag} must be a whole number of ${unit} between ${min} and ${max}, got ${arg(value)}`);
    }
  };
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

/**
 * An ISO 8601 date or date-time with its zone (`2027-06-30`, `2027-06-30T00:00:00Z`). JavaScript's `Date` takes far more
 * (`'1'` is the year 2001, 30 February is 2 March), so the calendar fields are checked as written.
 */
export function isoDate(value: string, flag: string): Date {
  const m = ISO_DATE.exec(value);
  const bad = (): CliError => usageError(`${flag} must be an ISO 8601 date such as 2027-06-30T00:00:00Z, got ${arg(value)}`);
  if (!m) throw bad();
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) throw bad();
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) throw bad();
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw bad();
  return date;
}

export const isoDateCheck: ValueCheck = (value, flag) => { isoDate(value, flag); };

/** `-` means standard input or output to most tools; no cloud-kms command reads or writes those, so it is not a name here. */
function notStdio(value: string, flag: string): void {
  if (value === '-') throw usageError(`${flag} must be a path (cloud-kms reads and writes files, not standard input or output), got -`);
}

/** A file to read: it must exist and be a file (its contents are read and judged by the command). */
export function inputFile(value: string, flag: string): void {
  notStdio(value, flag);
  let isFile: boolean;
  try {
    isFile = statSync(value).isFile();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw usageError(code === 'ENOENT' || code === 'ENOTDIR' ? `${flag} ${arg(value)} does not exist` : `cannot read ${flag} ${arg(value)}: ${code ?? 'unreadable'}`);
  }
  if (!isFile) throw usageError(`${flag} ${arg(value)} is not a file`);
}

/** A file to write: not a directory that exists. */
export function outputFile(value: string, flag: string): void {
  notStdio(value, flag);
  if (/[\\/]$/.test(value)) throw usageError(`${flag} ${arg(value)} names a directory; give a file name`);
  if (isDirectory(value)) throw usageError(`${flag} ${arg(value)} is a directory; give a file name`);
}

/** A directory to write into: not a file that exists. */
export function outputDirectory(value: string, flag: string): void {
  notStdio(value, flag);
  try {
    if (!statSync(value).isDirectory()) throw usageError(`${flag} ${arg(value)} is a file; give a directory`);
  } catch (e) {
    if (e instanceof CliError) throw e;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
