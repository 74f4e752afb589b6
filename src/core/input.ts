/*
 * Shape checks of props that every cloud shares. Plain JavaScript and jsii callers can pass anything, so a prop typed
 * as a list, a flag or a profile is checked before it is used; library objects are recognised by what the constructs
 * use of them (a second copy of this library in node_modules has other class objects, so never `instanceof`).
 */
import type { ComplianceProfile } from './profile';
import { shown, ValidationError } from './validation';

/** An optional list prop: absent (undefined or null) is an empty list; anything else must be an array. */
export function optionalList<T>(prop: string, value: readonly T[] | undefined): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ValidationError(`${prop} must be a list, got ${shown(value)}`);
  return value as T[];
}

/** An optional flag: a JavaScript caller can pass a string. */
export function optionalBoolean(prop: string, value: unknown): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new ValidationError(`${prop} must be true or false, got ${shown(value)}`);
  return value;
}

/** A profile, when given: a JavaScript caller can pass its name instead of the object. */
export function optionalProfile(prop: string, value: unknown): ComplianceProfile | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isComplianceProfile(value)) {
    throw new ValidationError(`${prop} must be a ComplianceProfile (e.g. ComplianceProfile.PCI_DSS), got ${shown(value)}`);
  }
  return value as ComplianceProfile;
}

/** What constructs, rules and the report read of a profile: a look-alike missing one of them would silently drop a requirement. */
const PROFILE_MEMBERS: Record<string, 'string' | 'number' | 'boolean' | 'function' | 'array'> = {
  name: 'string',
  allowedModels: 'array',
  minimumFipsLevel: 'string',
  maxRotationDays: 'number',
  minDeletionWindowDays: 'number',
  auditSinkRequired: 'boolean',
  immutableAuditRequired: 'boolean',
  auditRetentionDays: 'number',
  separationOfDutiesRequired: 'boolean',
  dualControlRequired: 'boolean',
  requiredControls: 'array',
  allowedRegions: 'array',
  restrictsRegions: 'boolean',
  allowedKeyAlgorithms: 'array',
  allows: 'function',
  acceptsFipsLevel: 'function',
  allowsRegion: 'function',
  allowsKeyAlgorithm: 'function',
};

/**
 * Whether `value` is a ComplianceProfile, recognised by every member the library reads of it (never `instanceof`, see
 * above): a profile of a second copy of this library has them all; `{ name: 'PCI_DSS', allows: () => true }` does not,
 * and taking it would drop dual control, separation of duties and the audit rules without a word.
 */
export function isComplianceProfile(value: unknown): value is ComplianceProfile {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Record<string, unknown>;
  return Object.entries(PROFILE_MEMBERS).every(([member, type]) => (type === 'array' ? Array.isArray(p[member]) : typeof p[member] === type));
}
