/*
 * The custodian preconditions of the Google Cloud constructs, on core's one helper (core/custodian-checks.ts): what
 * each construct accepts in its custodians prop, the approvers a key ring needs, and the audit sink rules. Nothing here
 * creates a construct, so the key ring can use these checks without importing what creates rings (key-location.ts).
 */
import { IConstruct } from 'constructs';
import { checkKeyProps, KeyPropsInput } from './input';
import { checkApprovers, checkAuditSink, checkModelAllowed } from '../../core/checks';
import { checkCustodians, requireContainerDualControl } from '../../core/custodian-checks';
import { CustodianAssignment, CustodianRole, SeparationOfDuties } from '../../core/custodians';
import { DeploymentModel } from '../../core/deployment-model';
import { optionalList } from '../../core/input';
import { ComplianceProfile } from '../../core/profile';
import { isTokenValue, requireDefined, shown, ValidationError } from '../../core/validation';
import { GcpCustodians, gcpAssignments } from '../custodians';
import type { IKeyAuditSink } from '../key-audit-sink';
import { checkGcpResidency } from './residency';

/** Every role list of `GcpCustodians`, in the order they are checked. */
const ROLES = ['administrators', 'users', 'auditors', 'approvers', 'importers'];

/**
 * What a Google construct takes in its custodians prop:
 * - `required`: keys with imported material (ByokImport); an absent list is named as required.
 * - `forbidden`: every other key.
 * - `unchecked`: stores and their keys, which hand no importers on.
 */
export type GcpImporters = 'required' | 'forbidden' | 'unchecked';

/**
 * The custodians prop, checked before anything else: present (plain JavaScript callers can omit it), at least one
 * administrator, every role a list, importers as the construct allows. A key's own custodians in a store
 * (`administratorsRequired` false) may leave out administrators: the store's administer its key ring and every key in it.
 */
export function requireCustodians(scope: IConstruct, c: GcpCustodians, importers: GcpImporters, administratorsRequired = true): GcpCustodians {
  checkCustodians(c, {
    subject: scope.node.path,
    member: 'IAM member',
    shape: 'an object of member lists',
    roles: ROLES,
    // An absent importers list is named as required before an empty one is counted.
    list: (prop, value) => optionalList(prop, (importers === 'required' && prop === 'custodians.importers' ? requireDefined(prop, value) : value) as unknown[]),
    administratorsRequired,
    importers,
  });
  return c;
}

/** What a custodian-managed key construct takes besides the shared key props. */
export interface CustodianKeyInput extends KeyPropsInput {
  readonly custodians: GcpCustodians;
  readonly profile?: ComplianceProfile;
  readonly keyRing?: { readonly profile: ComplianceProfile };
}

/**
 * A custodian-managed key construct's props, checked before anything is created: the shared key props, then its
 * custodians under its profile (the key ring's when it names none). Returns the custodians and the key's assignments.
 */
export function checkCustodianKeyProps(scope: IConstruct, props: CustodianKeyInput, model: DeploymentModel,
  importers: 'required' | 'forbidden'): { custodians: GcpCustodians; assignments: CustodianAssignment[] } {
  checkKeyProps(props);
  return checkKeyCustodians(scope, props.custodians, props.profile ?? props.keyRing?.profile ?? ComplianceProfile.COMMERCIAL, model, importers);
}

/**
 * The custodians of a key construct, checked in the order the caller reads them: the prop, the model under the profile,
 * then separation of duties among the key's roles and the approvers. Returns the key's assignments (importers included).
 */
export function checkKeyCustodians(scope: IConstruct, custodians: GcpCustodians, profile: ComplianceProfile, model: DeploymentModel,
  importers: 'required' | 'forbidden'): { custodians: GcpCustodians; assignments: CustodianAssignment[] } {
  const c = requireCustodians(scope, custodians, importers);
  checkModelAllowed(profile, model, scope.node.path);
  const assignments = [...keyAssignments(c),
    ...(importers === 'required' ? gcpAssignments(CustodianRole.IMPORTER, 'custodians.importers', c.importers ?? []) : [])];
  SeparationOfDuties.check([...assignments, ...gcpAssignments(CustodianRole.APPROVER, 'custodians.approvers', c.approvers ?? [])], scope.node.path);
  return { custodians: c, assignments };
}

/** The administrators, users and auditors of one key, as assignments. */
export function keyAssignments(c: GcpCustodians): CustodianAssignment[] {
  return [
    ...gcpAssignments(CustodianRole.ADMINISTRATOR, 'custodians.administrators', c.administrators ?? []),
    ...gcpAssignments(CustodianRole.USER, 'custodians.users', c.users ?? []),
    ...gcpAssignments(CustodianRole.AUDITOR, 'custodians.auditors', c.auditors ?? []),
  ];
}

/** What a key sees of its key ring's dual control (structural: the ring imports these checks). */
export interface RingDualControl extends IConstruct {
  readonly profile: ComplianceProfile;
  readonly dualControl: boolean;
}

/** Under a dual-control profile the ring must have approvers. */
export function checkDualControl(scope: IConstruct, ring: RingDualControl): void {
  requireContainerDualControl(scope.node.path, ring.profile, { kind: 'key ring', path: ring.node.path, dualControl: ring.dualControl });
}

/** The profile's audit sink rules, for a construct. */
export function checkSinkFor(scope: IConstruct, profile: ComplianceProfile, sink: IKeyAuditSink | undefined): void {
  checkAuditSink(profile, sink && { path: sink.node.path, immutable: sink.immutable, retentionDays: sink.retentionDays }, scope.node.path);
  // The records name the keys and who used them: they stay where the profile allows, whatever the sink's own profile.
  if (sink) checkGcpResidency(profile, 'auditSink', (sink as { location?: unknown }).location, `${scope.node.path} (${sink.node.path})`);
}

/**
 * A key in a shared ring: its own profile against the sink its records actually go to, the key's `auditSink` or else
 * the ring's. The ring checked its sink against the ring's profile only, and a key's profile may restrict more.
 */
export function checkSharedRingSink(key: IConstruct, profile: ComplianceProfile, ownSink: IKeyAuditSink | undefined,
  ring: IConstruct & { readonly auditSink?: IKeyAuditSink }): void {
  const sink = ownSink ?? ring.auditSink;
  if (!sink) return;
  const location = (sink as { location?: unknown }).location;
  if (ownSink) checkGcpResidency(profile, 'auditSink', location, `${key.node.path} (${sink.node.path})`);
  else checkGcpResidency(profile, 'keyRing', location, `${key.node.path} (audit sink ${sink.node.path} of key ring ${ring.node.path})`);
}

/**
 * The approvers a key construct hands to the key ring it creates, checked under the name the caller wrote
 * (custodians.approvers) before the ring checks them as its own `approvers`.
 */
export function checkRingApprovers(scope: IConstruct, profile: ComplianceProfile | undefined, approvers: string[] | undefined): void {
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
