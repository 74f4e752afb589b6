import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { CustodianAssignment, CustodianRole } from '../../core/custodians';
import { ValidationError } from '../../core/validation';

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
    }
  }
}

export function assignments(scope: IConstruct, role: CustodianRole, source: string, principals: iam.IPrincipal[]): CustodianAssignment[] {
  return principals.flatMap((p) => {
    const id = identify(scope, p);
    return id.identities.map((identity) => ({ role, identity, source, label: id.display }));
  });
}
