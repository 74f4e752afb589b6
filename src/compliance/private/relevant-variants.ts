import type { Variant } from './request-variants';
import { list } from './request-variants';

/*
 * Which request variants can have different verdicts for one action. The matrix asks the evaluator about every variant
 * of every action (with and without MFA, with the right, a wrong or no encryption context, ...); most of those requests
 * are denied, and a variant that only changes a context key no statement about this principal and action reads is the
 * same request to the evaluator. This file drops exactly those, and no others; it decides no verdict itself.
 *
 * Why that is safe (read in @cloud-copilot/iam-simulate 0.1.173's source; test/compliance/relevant-variants.test.ts
 * asks the evaluator about every variant left out and compares):
 * - The evaluator reads the request context only where a statement names a context key: a condition key
 *   (condition/condition.js) or a `${key}` policy variable in a string (util.js, convertIamString). Nothing else reads
 *   it (the service authorizers, principal and action matching do not), and the identity policy it is given has no
 *   conditions. So this file looks for a dimension's key names anywhere in a statement's text, lower-cased as the
 *   evaluator compares them: a mention anywhere (even in a Sid) keeps the dimension.
 * - A statement takes part in the verdict only if its action and its principal match (CoreSimulatorEngine
 *   analyzeResourcePolicy: the allow and deny lists need actionMatch and a principal match; the other statements are
 *   never read again). A statement is kept unless it has an Action list of plain names none of which can match, or a
 *   Principal that lists only other roles, users or services by name. NotAction and NotPrincipal statements, action
 *   patterns with characters other than letters, digits, ':', '*' and '?' (which the evaluator turns into a regular
 *   expression), accounts, wildcards and any other principal form are always kept; '*' may span the service prefix
 *   here though the evaluator compares the prefix exactly, and names compare case-insensitively here though the
 *   evaluator compares them exactly. Keeping too much only costs requests.
 * - Dropping a variant leaves its verdict to the variant that differs only in the dropped dimension being absent
 *   (every dimension's first option sends no key). The cell the matrix builds is the same: an allowed variant with
 *   the dimension absent already makes that dimension no requirement, its MFA-free twin is allowed too, and the order
 *   in which other requirements are first seen is kept (variants stay in order).
 */

/** The variant dimensions and the lower-cased context key names each sends (see request-variants.ts). */
const DIMENSIONS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['mfa', ['aws:multifactorauthpresent']],
  ['ec', ['kms:encryptioncontext']],
  ['tags', ['aws:principaltag/']],
  ['via', ['kms:viaservice']],
  ['grant', ['kms:grantisforawsresource']],
  ['source', ['aws:sourcearn', 'aws:sourceaccount']],
];

function dimensionOf(contextKey: string): string | undefined {
  const k = contextKey.toLowerCase();
  return DIMENSIONS.find(([, names]) => names.some((n) => k.startsWith(n)))?.[0];
}

const PLAIN_PATTERN = /^[A-Za-z0-9:*?]*$/;
const PATTERNS = new Map<string, RegExp>();

/** Whether `pattern` can match `action`, erring towards yes. */
function mayMatch(pattern: unknown, action: string): boolean {
  if (typeof pattern !== 'string' || !PLAIN_PATTERN.test(pattern)) return true;
  let regex = PATTERNS.get(pattern);
  if (!regex) {
    regex = new RegExp(`^${pattern.replace(/\?/g, '.').replace(/\*/g, '.*')}$`, 'i');
    PATTERNS.set(pattern, regex);
  }
  return regex.test(action);
}

/** Whether a statement's Action can match `action`, erring towards yes. */
function mayApplyToAction(statement: any, action: string): boolean {
  if (!statement || typeof statement !== 'object' || statement.NotAction !== undefined || statement.Action === undefined) return true;
  return list(statement.Action).some((p) => mayMatch(p, action));
}

/**
 * A principal value that names one role, user or service. The evaluator matches those by equality (principal.js):
 * anything else (an account, a wildcard, a session, an unknown form) may match, and so may a request from anything else.
 */
const NAMED_PRINCIPAL = /^(arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+|[a-z0-9.-]+\.amazonaws\.com(\.cn)?)$/;

/** Whether a statement's Principal can match `principal`, erring towards yes. */
function mayApplyToPrincipal(statement: any, principal: string): boolean {
  if (!NAMED_PRINCIPAL.test(principal)) return true;
  const p = statement?.Principal;
  if (statement?.NotPrincipal !== undefined || !p || typeof p !== 'object' || Array.isArray(p)) return true;
  return Object.entries(p).some(([kind, values]) => (kind !== 'AWS' && kind !== 'Service') ||
    list(values).some((v) => typeof v !== 'string' || !NAMED_PRINCIPAL.test(v) || v.toLowerCase() === principal.toLowerCase()));
}

/** Prepared once per policy: each statement with the dimensions its text mentions. */
export class VariantRelevance {
  private readonly mentions: Array<{ statement: unknown; dimensions: Set<string> }>;
  private readonly byRequest = new Map<string, Set<string>>();

  constructor(statements: unknown[]) {
    this.mentions = statements.map((statement) => {
      const text = JSON.stringify(statement ?? null).toLowerCase();
      return { statement, dimensions: new Set(DIMENSIONS.filter(([, names]) => names.some((n) => text.includes(n))).map(([d]) => d)) };
    });
  }

  /** The variants of `principal` calling `action` whose verdicts the evaluator must give: the others repeat one of these. */
  public filter(principal: string, action: string, variants: Variant[]): Variant[] {
    const request = JSON.stringify([principal, action]);
    let dimensions = this.byRequest.get(request);
    if (!dimensions) {
      dimensions = new Set(this.mentions.filter((m) => mayApplyToAction(m.statement, action) && mayApplyToPrincipal(m.statement, principal))
        .flatMap((m) => [...m.dimensions]));
      this.byRequest.set(request, dimensions);
    }
    const relevant = dimensions;
    return variants.filter((v) => Object.keys(v.ctx).every((key) => {
      const d = dimensionOf(key);
      return d === undefined || relevant.has(d);
    }));
  }
}
