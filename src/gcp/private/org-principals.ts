/*
 * IAM deny policies name principals in the IAM v2 format, not as allow-policy members: the same people, other spelling.
 * https://cloud.google.com/iam/docs/principal-identifiers (deny policies)
 */
import { shown, ValidationError } from '../../core/validation';

/** Everyone, signed in or not: the principal set a deny rule starts from. */
export const ALL_PRINCIPALS = 'principalSet://goog/public:all';

const FORMATS: Array<[RegExp, (email: string) => string]> = [
  [/^serviceAccount:(.+)$/, (e) => `principal://iam.googleapis.com/projects/-/serviceAccounts/${e}`],
  [/^group:(.+)$/, (e) => `principalSet://goog/group/${e}`],
  [/^user:(.+)$/, (e) => `principal://goog/subject/${e}`],
];
const EMAIL = /^[^@\s:/]+@[^@\s:/]+\.[^@\s:/]+$/;

/**
 * The deny-policy identifier of an allow-policy member (`serviceAccount:`, `group:` or `user:` and an e-mail address).
 * A `principal://` or `principalSet://` identifier is taken as written. Anything broader (`domain:`, `allUsers`) is refused:
 * an exception that wide would leave the deny policy denying nobody.
 */
export function denyPrincipal(prop: string, member: unknown): string {
  if (typeof member !== 'string') throw new ValidationError(`${prop} must hold IAM members such as group:kms-pam@example.com, got ${shown(member)}`);
  if (/^principal(Set)?:\/\//.test(member)) {
    if (member === ALL_PRINCIPALS || /\/public:all$|\/\*$/.test(member)) {
      throw new ValidationError(`${prop} must name identities, not everyone, got ${member}`);
    }
    return member;
  }
  for (const [pattern, format] of FORMATS) {
    const m = pattern.exec(member);
    if (m && EMAIL.test(m[1])) return format(m[1]);
  }
  throw new ValidationError(`${prop} must hold serviceAccount:, group: or user: members with an e-mail address (or a principal:// ` +
    `identifier), got ${shown(member)}`);
}
