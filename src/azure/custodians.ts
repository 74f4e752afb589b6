import { Token } from 'cdktf';
import { CustodianAssignment, CustodianRole } from '../core/custodians';
import { ValidationError } from '../core/validation';

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

/** Checks object ids are GUIDs (tokens pass) and turns them into custodian assignments. */
export function azureAssignments(role: CustodianRole, source: string, objectIds: string[]): CustodianAssignment[] {
  return objectIds.map((id) => {
    if (!Token.isUnresolved(id) && !GUID.test(id)) {
      throw new ValidationError(`${source} must hold Microsoft Entra object ids (GUIDs), got '${id}'`);
    }
    return { role, identity: Token.isUnresolved(id) ? id : id.toLowerCase(), source, label: id };
  });
}
