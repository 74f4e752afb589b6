import { ValidationError } from './validation';

/**
 * The roles a person or workload can hold over a key.
 */
export enum CustodianRole {
  /** Manages key policy, rotation, aliases and lifecycle; never uses the key. */
  ADMINISTRATOR = 'ADMINISTRATOR',
  /** Uses the key for cryptographic operations; never manages it. */
  USER = 'USER',
  /** Reads key metadata, policy and audit records only. */
  AUDITOR = 'AUDITOR',
  /** One of two or more people who must approve destructive operations (dual control). */
  APPROVER = 'APPROVER',
  /** Imports customer key material (BYOK); neither uses nor administers the key. */
  IMPORTER = 'IMPORTER',
  /** The deployment engine (e.g. CloudFormation's execution role) that creates and updates the key. */
  DEPLOYER = 'DEPLOYER',
  /**
   * Backs up and restores keys (Azure: a key backup restores into any vault of the subscription); nobody else, and never
   * a user of a key.
   */
  BACKUP_OPERATOR = 'BACKUP_OPERATOR',
}

/**
 * One identity in one role.
 */
export interface CustodianAssignment {
  /** The role held. */
  readonly role: CustodianRole;
  /**
   * A string that identifies the principal within its cloud (an ARN, an object id, an IAM member).
   * Two assignments with the same identity are the same principal.
   */
  readonly identity: string;
  /**
   * Where the assignment came from, for error messages (e.g. `custodians.users`).
   * @default - the role name
   */
  readonly source?: string;
  /**
   * A readable name for the principal in error messages (e.g. a construct path).
   * @default - the identity
   */
  readonly label?: string;
}

/**
 * Two assignments that put one identity in conflicting roles.
 */
export interface SeparationOfDutiesConflict {
  readonly identity: string;
  readonly first: CustodianAssignment;
  readonly second: CustodianAssignment;
}

const CONFLICTS: Array<[CustodianRole, CustodianRole]> = [
  [CustodianRole.ADMINISTRATOR, CustodianRole.USER],
  [CustodianRole.ADMINISTRATOR, CustodianRole.AUDITOR],
  [CustodianRole.ADMINISTRATOR, CustodianRole.APPROVER],
  [CustodianRole.ADMINISTRATOR, CustodianRole.IMPORTER],
  [CustodianRole.USER, CustodianRole.AUDITOR],
  [CustodianRole.USER, CustodianRole.APPROVER],
  [CustodianRole.USER, CustodianRole.IMPORTER],
  [CustodianRole.USER, CustodianRole.DEPLOYER],
  [CustodianRole.AUDITOR, CustodianRole.APPROVER],
  [CustodianRole.AUDITOR, CustodianRole.IMPORTER],
  [CustodianRole.AUDITOR, CustodianRole.DEPLOYER],
  // A backup operator is nobody else: with a crypto role anywhere a backup restores, the backup is the key.
  [CustodianRole.BACKUP_OPERATOR, CustodianRole.ADMINISTRATOR],
  [CustodianRole.BACKUP_OPERATOR, CustodianRole.USER],
  [CustodianRole.BACKUP_OPERATOR, CustodianRole.AUDITOR],
  [CustodianRole.BACKUP_OPERATOR, CustodianRole.APPROVER],
  [CustodianRole.BACKUP_OPERATOR, CustodianRole.IMPORTER],
  [CustodianRole.BACKUP_OPERATOR, CustodianRole.DEPLOYER],
];

/**
 * The one separation-of-duties check every cloud uses.
 *
 * Administrators cannot use keys, users cannot administer them, auditors only read,
 * approvers and importers are nobody else. The same identity in two conflicting roles is an error.
 */
export class SeparationOfDuties {
  /** Whether one identity may not hold both roles. */
  public static conflicts(a: CustodianRole, b: CustodianRole): boolean {
    return CONFLICTS.some(([x, y]) => (x === a && y === b) || (x === b && y === a));
  }

  /** Every conflicting pair among the assignments. */
  public static findConflicts(assignments: CustodianAssignment[]): SeparationOfDutiesConflict[] {
    const byIdentity = new Map<string, CustodianAssignment[]>();
    for (const a of assignments) {
      const list = byIdentity.get(a.identity) ?? [];
      list.push(a);
      byIdentity.set(a.identity, list);
    }
    const found: SeparationOfDutiesConflict[] = [];
    for (const [identity, list] of byIdentity) {
      for (let i = 0; i < list.length; i++) {
        for (let j = i + 1; j < list.length; j++) {
          if (SeparationOfDuties.conflicts(list[i].role, list[j].role)) {
            found.push({ identity, first: list[i], second: list[j] });
          }
        }
      }
    }
    return found;
  }

  /**
   * Throws if any identity holds two conflicting roles.
   * @param subject what the assignments are for, named in the error (e.g. a construct path)
   */
  public static check(assignments: CustodianAssignment[], subject: string): void {
    const conflicts = SeparationOfDuties.findConflicts(assignments);
    if (conflicts.length === 0) return;
    const c = conflicts[0];
    throw new ValidationError(
      `${sourceOf(c.second)} and ${sourceOf(c.first)} overlap on ${subject}: ${c.first.label ?? c.identity} cannot be both ` +
      `${article(c.first.role)} and ${article(c.second.role)} (separation of duties)`);
  }
}

function sourceOf(a: CustodianAssignment): string {
  return a.source ?? a.role.toLowerCase();
}

const WITH_ARTICLE: Record<CustodianRole, string> = {
  [CustodianRole.ADMINISTRATOR]: 'an administrator',
  [CustodianRole.USER]: 'a user',
  [CustodianRole.AUDITOR]: 'an auditor',
  [CustodianRole.APPROVER]: 'an approver',
  [CustodianRole.IMPORTER]: 'an importer',
  [CustodianRole.DEPLOYER]: 'the deployment principal',
  [CustodianRole.BACKUP_OPERATOR]: 'a backup operator',
};

function article(role: CustodianRole): string {
  return WITH_ARTICLE[role];
}
