import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { CustodianAssignment, CustodianRole } from '../../core/custodians';
import { shown as shownValue, ValidationError } from '../../core/validation';

/**
 * A principal resolved to the identities the separation-of-duties check compares.
 * Unresolved tokens stay as their resolved CloudFormation expression, so the same Role
 * object always yields the same identity, and two different roles never do.
 */
export interface PrincipalIdentity {
  /** Comparable identity, one per AWS ARN or service in the principal. */
  readonly identities: string[];
  /** AWS ARNs (or tokens for them) in the principal, for `aws:PrincipalArn` conditions. */
  readonly arns: string[];
  /** Readable name for messages. */
  readonly display: string;
}

/** Identities by principal and stack: hierarchies check the same few principals against thousands of keys. */
const IDENTITIES = new WeakMap<iam.IPrincipal, Map<Stack, PrincipalIdentity>>();
/** Principals already accepted, by principal, stack, prop and whether services were allowed. */
const ACCEPTED = new WeakMap<iam.IPrincipal, Set<string>>();

export function identify(scope: IConstruct, principal: iam.IPrincipal): PrincipalIdentity {
  const stack = Stack.of(scope);
  let byStack = IDENTITIES.get(principal);
  if (!byStack) {
    byStack = new Map();
    IDENTITIES.set(principal, byStack);
  }
  let identity = byStack.get(stack);
  if (!identity) {
    identity = identifyIn(stack, principal);
    byStack.set(stack, identity);
  }
  return identity;
}

function identifyIn(stack: Stack, principal: iam.IPrincipal): PrincipalIdentity {
  const json = principal.policyFragment.principalJson;
  const identities: string[] = [];
  const arns: string[] = [];
  for (const [kind, values] of Object.entries(json)) {
    for (const value of values) {
      const resolved = stack.resolve(value);
      identities.push(`${kind}:${typeof resolved === 'string' ? resolved : JSON.stringify(resolved)}`);
      if (kind === 'AWS') arns.push(value);
    }
  }
  return { identities, arns, display: describe(stack, principal) };
}

export function describe(stack: Stack, principal: iam.IPrincipal): string {
  if (Construct.isConstruct(principal)) return principal.node.path;
  if (principal instanceof iam.ArnPrincipal && !Token.isUnresolved(principal.arn)) return principal.arn;
  const resolved = stack.resolve(principal.policyFragment.principalJson);
  return JSON.stringify(resolved);
}

/*
 * The principal ARNs a key policy may name for a role or user: IAM roles and users (names with paths) and STS
 * sessions, assumed-role and federated-user (GetFederationToken: 2 to 32 characters). Names: letters, digits and
 * +=,.@_- ; paths: / separated.
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html#key-policy-elements
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#sts-session-principals
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-names
 */
const IAM_PRINCIPAL_ARN = /^arn:aws(?:-[a-z]+)*:(?:iam::\d{12}:(?:role|user)\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}|sts::\d{12}:(?:assumed-role\/[\w+=,.@-]{1,64}\/[\w+=,.@-]{2,64}|federated-user\/[\w+=,.@-]{2,32}))$/;
/** Service principals: `<service>.amazonaws.com` (and the China partition's `.amazonaws.com.cn`). */
const SERVICE_PRINCIPAL = /^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(?:\.cn)?$/;

/**
 * Refuses a principal listed twice in one prop, or two that differ only in case: IAM role and user names are unique
 * case-insensitively (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-names),
 * so both name the same identity, and each would get the same statements (and construct ids) twice.
 */
export function requireDistinctPrincipals(scope: IConstruct, prop: string, principals: readonly iam.IPrincipal[]): void {
  const seen = new Map<string, string>();
  for (const p of principals) {
    const id = identify(scope, p);
    const key = id.identities.map((i) => i.toLowerCase()).sort().join('\u0000');
    const first = seen.get(key);
    if (first !== undefined) {
      throw new ValidationError(first === id.display
        ? `${prop} lists ${shownValue(id.display)} twice`
        : `${prop} lists ${shownValue(first)} and ${shownValue(id.display)}, which name the same principal`);
    }
    seen.set(key, id.display);
  }
}

/**
 * Custodians must be named roles, users or services: the account root or a wildcard would hand
 * the role to every IAM identity in the account (or beyond), which is what the CMK model forbids.
 */
export function requireNamedPrincipal(scope: IConstruct, prop: string, principal: iam.IPrincipal, allowServices: boolean): void {
  const stack = Stack.of(scope);
  const cacheKey = `${stack.node.path}\u0000${prop}\u0000${allowServices}`;
  let accepted = ACCEPTED.get(principal);
  if (accepted?.has(cacheKey)) return;
  checkNamedPrincipal(stack, prop, principal, allowServices);
  if (!accepted) {
    accepted = new Set();
    ACCEPTED.set(principal, accepted);
  }
  accepted.add(cacheKey);
}

function checkNamedPrincipal(stack: Stack, prop: string, principal: iam.IPrincipal, allowServices: boolean): void {
  const json = principal.policyFragment.principalJson;
  const shown = describe(stack, principal);
  if (principal instanceof iam.AccountPrincipal || principal instanceof iam.AccountRootPrincipal) {
    throw new ValidationError(
      `${prop} must name IAM roles or users, got the account principal ${shown}; ` +
      'use delegateToIam to let IAM policies govern the key instead');
  }
  for (const [kind, values] of Object.entries(json)) {
    if (kind !== 'AWS' && !(allowServices && kind === 'Service')) {
      throw new ValidationError(`${prop} must name IAM roles or users${allowServices ? ' or AWS services' : ''}, got ${kind} principal ${shown}`);
    }
    for (const value of values) {
      const v = stack.resolve(value);
      if (v === '*' || (typeof v === 'string' && (/:root$/.test(v) || /^\d{12}$/.test(v)))) {
        throw new ValidationError(`${prop} must name IAM roles or users, got ${v === '*' ? 'the wildcard principal' : 'the account principal'} ${shown}`);
      }
      // A literal that is no principal KMS knows would only fail at deployment (MalformedPolicyDocument).
      if (typeof v === 'string' && kind === 'AWS' && !IAM_PRINCIPAL_ARN.test(v)) {
        throw new ValidationError(`${prop} must be IAM role or user ARNs (arn:<partition>:iam::<account>:role/<name> or ` +
          `:user/<name>, or an sts assumed-role or federated-user session), got ${shownValue(v)}`);
      }
      if (typeof v === 'string' && kind === 'Service' && !SERVICE_PRINCIPAL.test(v)) {
        throw new ValidationError(`${prop} must name AWS service principals such as lambda.amazonaws.com, got ${shownValue(v)}`);
      }
    }
  }
}

export function assignments(scope: IConstruct, role: CustodianRole, source: string, principals: iam.IPrincipal[]): CustodianAssignment[] {
  return principals.flatMap((p) => {
    const id = identify(scope, p);
    return id.identities.map((identity) => ({ role, identity, source, label: id.display }));
  });
}
