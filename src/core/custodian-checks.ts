/*
 * The custodian preconditions every key construct on every cloud checks before it creates anything: the custodians
 * prop is an object of lists, a key has administrators, importers belong to imported keys only, roles that a shared
 * container (a vault, a key ring) owns are set there and not on a key inside it, and dual control under a shared
 * container needs that container's approvers. One helper, with options for what each construct allows, so the rules
 * and their messages are written once.
 */
import type { ComplianceProfile } from './profile';
import { requireDefined, shown, ValidationError } from './validation';

/** A role list of a custodians prop, checked by the cloud (principals on AWS, object ids on Azure, members on Google). */
export type CustodianListCheck = (prop: string, value: unknown) => readonly unknown[];

/** A container that owns some roles of the keys inside it. */
export interface SharedCustodianContainer {
  /** What it is, in messages: `vault`, `key ring`. */
  readonly kind: string;
  /** Its construct path. */
  readonly path: string;
  /** The roles (field names of the custodians prop) it owns, e.g. `approvers`. */
  readonly roles: readonly string[];
}

/** What one construct accepts in its custodians prop. */
export interface CustodianRules {
  /** The construct path, in messages. */
  readonly subject: string;
  /** What one member is called on this cloud, in messages: `principal`, `object id`, `IAM member`. */
  readonly member: string;
  /** How the object is described when it is not one: `an object of object id lists`. */
  readonly shape: string;
  /** Every role list the construct reads, checked by `list` in this order. */
  readonly roles: readonly string[];
  /** Checks one role list and returns it (absent is empty). */
  readonly list: CustodianListCheck;
  /**
   * Whether the construct needs administrators of its own. A key in a store may leave them out: the store's administer
   * every key in it.
   * @default true
   */
  readonly administratorsRequired?: boolean;
  /**
   * `required` for keys with imported material, `forbidden` for keys without, `unchecked` where another construct
   * decides (a store's key hands them on).
   * @default 'forbidden'
   */
  readonly importers?: 'required' | 'forbidden' | 'unchecked';
  /** Which keys take importers, in the `forbidden` message. @default 'ByokImport' */
  readonly importersFor?: string;
  /** The container the key goes in, when it is shared and owns some roles. */
  readonly shared?: SharedCustodianContainer;
}

/** The prop's name for a role list. */
const propOf = (role: string) => `custodians.${role}`;

/**
 * Checks a custodians prop against the construct's rules and returns its role lists by role (absent lists empty).
 * The order is the order a caller reads the rules in: the object, its administrators, every list's shape, importers,
 * then the roles a shared container owns.
 */
export function checkCustodians(custodians: unknown, rules: CustodianRules): Record<string, readonly unknown[]> {
  const c = requireDefined('custodians', custodians) as Record<string, unknown>;
  if (typeof c !== 'object' || Array.isArray(c)) throw new ValidationError(`custodians must be ${rules.shape}, got ${shown(c)}`);
  const lists: Record<string, readonly unknown[]> = {};
  if (rules.administratorsRequired ?? true) {
    lists.administrators = rules.list(propOf('administrators'), requireDefined(propOf('administrators'), c.administrators));
    if (lists.administrators.length === 0) {
      throw new ValidationError(`custodians.administrators must name at least one ${rules.member} for ${rules.subject}, got none`);
    }
  }
  for (const role of rules.roles) lists[role] ??= rules.list(propOf(role), c[role]);
  const importers = lists.importers ?? [];
  const importerRule = rules.importers ?? 'forbidden';
  if (importerRule === 'required' && importers.length === 0) {
    throw new ValidationError(`custodians.importers must name at least one ${rules.member} for ${rules.subject}, got none`);
  }
  if (importerRule === 'forbidden' && importers.length > 0) {
    throw new ValidationError(
      `custodians.importers applies only to ${rules.importersFor ?? 'ByokImport'}, got ${importers.length} for ${rules.subject}`);
  }
  if (rules.shared) checkSharedRoles(lists, rules.shared, rules.subject);
  return lists;
}

/** Roles a shared container owns are set on it: set on a key inside it they would not take effect. */
export function checkSharedRoles(lists: Record<string, readonly unknown[] | undefined>, shared: SharedCustodianContainer, subject: string): void {
  for (const role of shared.roles) {
    if ((lists[role] ?? []).length > 0) {
      throw new ValidationError(
        `custodians.${role} belong to the ${shared.kind} when it is shared: set ${role} on ${shared.path}, not on ${subject}`);
    }
  }
}

/** A container's dual control, as a key inside it sees it. */
export interface DualControlContainer {
  /** What it is, in messages: `vault`, `key ring`. */
  readonly kind: string;
  /** Its construct path. */
  readonly path: string;
  /** Whether it has dual control (two or more approvers). */
  readonly dualControl: boolean;
}

/** Under a dual-control profile, a key in a shared container needs the container's approvers (a key has none of its own there). */
export function requireContainerDualControl(subject: string, profile: ComplianceProfile, container: DualControlContainer): void {
  if (profile.dualControlRequired && !container.dualControl) {
    throw new ValidationError(`custodians.approvers must name at least 2 approvers for dual control on ${subject} ` +
      `(profile ${profile.name}); ${container.kind} ${container.path} has none`);
  }
}
