import { Construct } from 'constructs';
import { optionalList } from './input';
import { checkApprovers, checkAuditSink } from '../../core/checks';
import { CustodianAssignment, CustodianRole } from '../../core/custodians';
import { stableName } from '../../core/naming';
import { ComplianceProfile } from '../../core/profile';
import { isTokenValue, requireDefined, shown, ValidationError } from '../../core/validation';
import { GcpCustodians, gcpAssignments } from '../custodians';
import type { GcpKeyOptions } from '../customer-managed-key';
import type { IKeyAuditSink } from '../key-audit-sink';
import { KeyRing } from '../key-ring';

/** The administrators, users and auditors of one key, as assignments. */
export function keyAssignments(c: GcpCustodians): CustodianAssignment[] {
  return [
    ...gcpAssignments(CustodianRole.ADMINISTRATOR, 'custodians.administrators', c.administrators ?? []),
    ...gcpAssignments(CustodianRole.USER, 'custodians.users', c.users ?? []),
    ...gcpAssignments(CustodianRole.AUDITOR, 'custodians.auditors', c.auditors ?? []),
  ];
}

/** The ring a key goes in: the one given (approvers then belong to it) or a new one. */
export function keyRingFor(scope: Construct, props: GcpKeyOptions, approvers: string[] | undefined): KeyRing {
  if (props.keyRing) {
    if ((approvers ?? []).length > 0) {
      throw new ValidationError(`custodians.approvers belong to the key ring when it is shared: set approvers on ${props.keyRing.node.path}, not on ${scope.node.path}`);
    }
    checkSharedDeployer(scope, props);
    return props.keyRing;
  }
  // Checked for the key before its ring exists, so the error names the key and the prop the caller wrote.
  checkSinkFor(scope, props.profile ?? ComplianceProfile.COMMERCIAL, props.auditSink);
  checkRingApprovers(scope, props.profile, approvers);
  return new KeyRing(scope, 'KeyRing', {
    project: props.project,
    location: props.location,
    name: props.keyRingName ?? stableName(scope, 'ring-', 63, /[^a-z0-9_-]/g),
    profile: props.profile,
    auditSink: props.auditSink,
    approvers,
    deploymentPrincipal: props.deploymentPrincipal,
  });
}

/** With a shared ring, the deployment identity is the ring's: a different one on the key would not be the one that deploys. */
export function checkSharedDeployer(scope: Construct, props: GcpKeyOptions): void {
  if (props.keyRing && props.deploymentPrincipal !== undefined && props.deploymentPrincipal !== props.keyRing.deploymentPrincipal) {
    throw new ValidationError(`deploymentPrincipal belongs to the key ring when it is shared: set it on ${props.keyRing.node.path}, ` +
      `not on ${scope.node.path} (got '${props.deploymentPrincipal}', the ring has '${props.keyRing.deploymentPrincipal ?? 'none'}')`);
  }
}

/** Under a dual-control profile the ring must have approvers. */
export function checkDualControl(scope: Construct, ring: KeyRing): void {
  if (ring.profile.dualControlRequired && !ring.dualControl) {
    throw new ValidationError(`custodians.approvers must name at least 2 approvers for dual control on ${scope.node.path} (profile ${ring.profile.name}); key ring ${ring.node.path} has none`);
  }
}

/** The profile's audit sink rules, for a construct. */
export function checkSinkFor(scope: Construct, profile: ComplianceProfile, sink: IKeyAuditSink | undefined): void {
  checkAuditSink(profile, sink && { path: sink.node.path, immutable: sink.immutable, retentionDays: sink.retentionDays }, scope.node.path);
}

/**
 * The custodians prop, checked before anything else: present (plain JavaScript callers can omit it), at least one
 * administrator, every role a list. A key's own custodians in a store (`administratorsRequired` false) may leave out
 * administrators: the store's administer its key ring and every key in it.
 */
export function requireCustodians(scope: Construct, c: GcpCustodians, administratorsRequired = true): GcpCustodians {
  requireDefined('custodians', c);
  if (typeof c !== 'object' || Array.isArray(c)) throw new ValidationError(`custodians must be an object of member lists, got ${shown(c)}`);
  if (administratorsRequired) requireDefined('custodians.administrators', c.administrators);
  const admins = optionalList('custodians.administrators', c.administrators);
  if (administratorsRequired && admins.length === 0) {
    throw new ValidationError(`custodians.administrators must name at least one IAM member for ${scope.node.path}, got none`);
  }
  for (const role of ['users', 'auditors', 'approvers', 'importers'] as const) optionalList(`custodians.${role}`, c[role]);
  return c;
}

/**
 * The approvers a key construct hands to the key ring it creates, checked under the name the caller wrote
 * (custodians.approvers) before the ring checks them as its own `approvers`.
 */
export function checkRingApprovers(scope: Construct, profile: ComplianceProfile | undefined, approvers: string[] | undefined): void {
  const p = profile ?? ComplianceProfile.COMMERCIAL;
  const assigned = gcpAssignments(CustodianRole.APPROVER, 'custodians.approvers', approvers ?? []);
  if (p.dualControlRequired || assigned.length > 0) checkGcpApprovers(p, assigned, 'custodians.approvers', scope.node.path);
}

/**
 * Dual control's two distinct approvers. A token approver cannot be told apart from the other at synthesis, so a list
 * short of two distinct literal members is refused with the members shown, the token as a token, not only counted.
 */
export function checkGcpApprovers(profile: ComplianceProfile, assigned: CustodianAssignment[], prop: string, subject: string): void {
  const identities = assigned.map((a) => a.identity);
  if (new Set(identities).size < 2 && identities.some(isTokenValue)) {
    throw new ValidationError(`${prop} must name at least 2 distinct approvers for dual control on ${subject} (profile ${profile.name}), ` +
      `got ${new Set(identities).size}: ${assigned.map((a) => shown(a.label ?? a.identity)).join(', ')}`);
  }
  checkApprovers(profile, identities, prop, subject);
}
