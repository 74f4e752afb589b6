import { DeploymentModel } from './deployment-model';
import { FipsLevel } from './fips';
import { fipsLevelLabel } from './fips-rank';
import { ComplianceProfile } from './profile';
import { days, requireRange, ValidationError } from './validation';

/*
 * Profile checks shared by every cloud. Callers skip values that are unresolved tokens.
 */

export function checkModelAllowed(profile: ComplianceProfile, model: DeploymentModel, subject: string): void {
  if (!profile.allows(model)) {
    throw new ValidationError(
      `profile ${profile.name} does not allow the ${model.id} model (${model.constructName}) for ${subject}; ` +
      `allowed: ${profile.allowedModels.map((m) => m.id).join(', ')}`);
  }
}

export function checkFipsLevel(profile: ComplianceProfile, level: FipsLevel, what: string): void {
  if (!profile.acceptsFipsLevel(level)) {
    throw new ValidationError(
      `profile ${profile.name} requires ${fipsLevelLabel(profile.minimumFipsLevel)} or higher, ` +
      `got ${fipsLevelLabel(level)} for ${what}`);
  }
}

/** Checks a rotation period against the provider range and the profile maximum. */
export function checkRotationDays(
  profile: ComplianceProfile, prop: string, value: number, providerMin: number, providerMax: number,
): void {
  requireRange(prop, value, providerMin, providerMax, 'days');
  if (value > profile.maxRotationDays) {
    throw new ValidationError(
      `${prop} must be at most ${days(profile.maxRotationDays)} under profile ${profile.name}, got ${days(value)}`);
  }
}

/** Checks a deletion window against the provider range and the profile minimum. */
export function checkDeletionWindowDays(
  profile: ComplianceProfile, prop: string, value: number, providerMin: number, providerMax: number,
): void {
  requireRange(prop, value, providerMin, providerMax, 'days');
  if (value < profile.minDeletionWindowDays) {
    throw new ValidationError(
      `${prop} must be at least ${days(profile.minDeletionWindowDays)} under profile ${profile.name}, got ${days(value)}`);
  }
}

/** What a key needs to know of its audit sink. */
export interface AuditSinkFacts {
  readonly path: string;
  readonly immutable: boolean;
  readonly retentionDays: number;
}

export function checkAuditSink(profile: ComplianceProfile, sink: AuditSinkFacts | undefined, subject: string): void {
  if (!sink) {
    if (profile.auditSinkRequired) {
      throw new ValidationError(`auditSink is required under profile ${profile.name} for ${subject}, got undefined`);
    }
    return;
  }
  if (profile.immutableAuditRequired && !sink.immutable) {
    throw new ValidationError(
      `auditSink ${sink.path} must be immutable (write-once) under profile ${profile.name} for ${subject}, got a mutable sink`);
  }
  if (sink.retentionDays < profile.auditRetentionDays) {
    throw new ValidationError(
      `auditSink ${sink.path} must keep records for at least ${days(profile.auditRetentionDays)} under profile ` +
      `${profile.name} for ${subject}, got ${days(sink.retentionDays)}`);
  }
}

/** Dual control (whether the profile requires it or the caller chose it) needs at least two distinct approvers. */
export function checkApprovers(profile: ComplianceProfile, approverIdentities: string[], prop: string, subject: string): void {
  const distinct = new Set(approverIdentities);
  if (distinct.size < 2) {
    throw new ValidationError(
      `${prop} must name at least 2 distinct approvers for dual control on ${subject} (profile ${profile.name}), got ${distinct.size}`);
  }
}
