/*
 * Where a Google Cloud key goes: the key ring it is given (which then owns the approvers and the deployment identity)
 * or a new one. Kept apart from the custodian checks, which the key ring itself uses: this file creates rings.
 */
import { Construct } from 'constructs';
import { checkDualControl, checkRingApprovers, checkSharedRingSink, checkSinkFor } from './custodian-checks';
import { GcpKeySettings, resolveGcpKeySettings, RotationMode } from './key-settings';
import { checkSharedRoles } from '../../core/custodian-checks';
import { CustodianAssignment } from '../../core/custodians';
import { DeploymentModel } from '../../core/deployment-model';
import { stableName } from '../../core/naming';
import { ComplianceProfile } from '../../core/profile';
import { ValidationError } from '../../core/validation';
import type { IKeyAuditSink } from '../key-audit-sink';
import type { GcpKeyOptions } from '../key-options';
import { KeyRing } from '../key-ring';
import { ProtectionLevel } from '../key-spec';

/** What a construct that creates its own key ring takes for it. */
export interface RingInput {
  readonly project: string;
  readonly location: string;
  readonly keyRingName?: string;
  readonly auditSink?: IKeyAuditSink;
  readonly deploymentPrincipal?: string;
}

/** A new key ring `KeyRing` under `scope`, named after the construct path unless `keyRingName` is given. */
export function newKeyRing(scope: Construct, props: RingInput, profile: ComplianceProfile | undefined, approvers?: string[]): KeyRing {
  return new KeyRing(scope, 'KeyRing', {
    project: props.project,
    location: props.location,
    name: props.keyRingName ?? stableName(scope, 'ring-', 63, /[^a-z0-9_-]/g),
    profile,
    auditSink: props.auditSink,
    approvers,
    deploymentPrincipal: props.deploymentPrincipal,
  });
}

/** The ring a key goes in: the one given (approvers then belong to it) or a new one. */
export function keyRingFor(scope: Construct, props: GcpKeyOptions, approvers: string[] | undefined): KeyRing {
  if (props.keyRing) {
    checkSharedRoles({ approvers }, { kind: 'key ring', path: props.keyRing.node.path, roles: ['approvers'] }, scope.node.path);
    checkSharedDeployer(scope, props);
    checkSharedRingSink(scope, props.profile ?? props.keyRing.profile, props.auditSink, props.keyRing);
    return props.keyRing;
  }
  // Checked for the key before its ring exists, so the error names the key and the prop the caller wrote.
  checkSinkFor(scope, props.profile ?? ComplianceProfile.COMMERCIAL, props.auditSink);
  checkRingApprovers(scope, props.profile, approvers);
  return newKeyRing(scope, props, props.profile, approvers);
}

/** With a shared ring, the deployment identity is the ring's: a different one on the key would not be the one that deploys. */
export function checkSharedDeployer(scope: Construct, props: GcpKeyOptions): void {
  if (props.keyRing && props.deploymentPrincipal !== undefined && props.deploymentPrincipal !== props.keyRing.deploymentPrincipal) {
    throw new ValidationError(`deploymentPrincipal belongs to the key ring when it is shared: set it on ${props.keyRing.node.path}, ` +
      `not on ${scope.node.path} (got '${props.deploymentPrincipal}', the ring has '${props.keyRing.deploymentPrincipal ?? 'none'}')`);
  }
}

/**
 * A custodian-managed key's ring and settings: the ring (given or new), the key settings under the ring's profile and
 * audit sink where the key names none, the ring's dual control, and separation of duties against the ring's roles.
 */
export function placeKey(key: Construct, props: GcpKeyOptions, approvers: string[] | undefined, assignments: CustodianAssignment[],
  model: DeploymentModel, level: ProtectionLevel, rotation: RotationMode): { ring: KeyRing; settings: GcpKeySettings } {
  const ring = keyRingFor(key, props, approvers);
  const settings = resolveGcpKeySettings(key.node.scope!, key.node.id, {
    ...props, profile: props.profile ?? ring.profile, auditSink: props.auditSink ?? ring.auditSink,
  }, model, level, rotation);
  checkDualControl(key, ring);
  ring._checkSeparation(assignments, key.node.path);
  return { ring, settings };
}
