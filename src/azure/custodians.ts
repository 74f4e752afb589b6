import { Token } from 'cdktf';
import { CustodianAssignment, CustodianRole } from '../core/custodians';
import { shown, ValidationError } from '../core/validation';

/**
 * Who holds which role over an Azure key, by Microsoft Entra object id (users, groups, service principals,
 * managed identities). The same object id in two conflicting roles is an error.
 */
export interface AzureCustodians {
  /** Manage keys and their rotation policies; never use them (a custom role without cryptographic data actions). */
  readonly administrators: string[];
  /**
   * Use the key (role assignments scoped to the key itself).
   * @default - none yet; add with the grant methods
   */
  readonly users?: string[];
  /**
   * Read key metadata and the audit logs ("Key Vault Reader", "Log Analytics Reader").
   * @default - none
   */
  readonly auditors?: string[];
  /**
   * Under dual control: approvers of the administrators' just-in-time activation (Privileged Identity Management),
   * at least two.
   * @default - none (required when the profile requires dual control)
   */
  readonly approvers?: string[];
  /**
   * `ByokImport` only: who may import key material into the vault.
   * @default - none
   */
  readonly importers?: string[];
  /**
   * Who may back up and restore keys (nobody else may; a backup operator holds no other role). Under dual control
   * their role is activated just in time with an approver's consent, like the administrators'.
   * @default - none: nobody this app names can back up or restore keys
   */
  readonly backupOperators?: string[];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Checks object ids are GUIDs (tokens pass), none listed twice (GUIDs compare case-insensitively: Entra object ids are
 * the same identity in either case), and turns them into custodian assignments. Construct ids derive from the
 * lower-cased id, so no two accepted ids collide.
 */
export function azureAssignments(role: CustodianRole, source: string, objectIds: string[]): CustodianAssignment[] {
  if (!Array.isArray(objectIds)) throw new ValidationError(`${source} must be a list of Microsoft Entra object ids (GUIDs), got ${shown(objectIds)}`);
  const seen = new Map<string, string>();
  return objectIds.map((id) => {
    requireObjectId(source, id);
    const identity = Token.isUnresolved(id) ? id : id.toLowerCase();
    const first = seen.get(identity);
    if (first !== undefined) {
      throw new ValidationError(first === id
        ? `${source} lists ${shown(id)} twice`
        : `${source} lists ${shown(first)} and ${shown(id)}, which name the same principal (object ids compare case-insensitively)`);
    }
    seen.set(identity, id);
    return { role, identity, source, label: id };
  });
}

/** A Microsoft Entra object id (or tenant id): a GUID, or a token. */
export function requireObjectId(prop: string, id: unknown): asserts id is string {
  if (typeof id !== 'string' || (!Token.isUnresolved(id) && !GUID.test(id))) {
    throw new ValidationError(`${prop} must hold Microsoft Entra object ids (GUIDs), got ${shown(id)}`);
  }
}
