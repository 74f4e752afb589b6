/*
 * Checks the Azure and Google audit sinks share (both keep a write-once copy under a locked retention lock).
 */
import { ComplianceProfile } from '../core/profile';
import { days, shown, ValidationError } from '../core/validation';

/**
 * A write-once copy is required where the profile says so, and a locked one must be acknowledged: the lock keeps the
 * records (and what holds them) for the whole retention, and can never be shortened or removed.
 * @param lock what the lock keeps, as the error says it ("a locked retention policy keeps the audit records (and their bucket)")
 */
export function checkAuditImmutability(profile: ComplianceProfile, immutable: boolean, acknowledgeLockedRetention: unknown,
  retentionDays: number, lock: string): void {
  if (!immutable && profile.immutableAuditRequired) {
    throw new ValidationError(`immutable must be true under profile ${profile.name}, got false`);
  }
  if (immutable && acknowledgeLockedRetention !== true) {
    throw new ValidationError(
      `acknowledgeLockedRetention must be true: ${lock} for ${days(retentionDays)} ` +
      `and cannot be shortened or removed, got ${shown(acknowledgeLockedRetention)}`);
  }
}
