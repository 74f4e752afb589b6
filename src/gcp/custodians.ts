import { Token } from 'cdktf';
import { CustodianAssignment, CustodianRole } from '../core/custodians';
import { ValidationError } from '../core/validation';

/**
 * Who holds which role over a Google Cloud key, as IAM members (`user:`, `group:`, `serviceAccount:`, `domain:`,
 * `principal://`, `principalSet://`). The same member in two conflicting roles is an error (CIS Google Cloud 1.11).
 */
export interface GcpCustodians {
  /** Manage key rings and keys (a custom key administrator role without setIamPolicy or any use permission); never use them. */
  readonly administrators: string[];
  /**
   * Use the key: the role that fits its purpose, bound on the key itself.
   * @default - none yet; add with the grant methods
   */
  readonly users?: string[];
  /**
   * Read key metadata ("Cloud KMS Viewer") and the audit logs.
   * @default - none
   */
  readonly auditors?: string[];
  /**
   * Under dual control: approvers of the administrators' just-in-time access (Privileged Access Manager), at least two.
   * @default - none (required when the profile requires dual control)
   */
  readonly approvers?: string[];
  /**
   * `ByokImport` only: who may import key material ("Cloud KMS Importer" on the key ring).
   * @default - none
   */
  readonly importers?: string[];
}

const PUBLIC = ['allusers', 'allauthenticatedusers'];
const MEMBER = /^(user|group|serviceAccount|domain):[^\s:]+$|^principal(Set)?:\/\/\S+$/;

/** Checks IAM members (no public members, CIS 1.9) and turns them into custodian assignments. */
export function gcpAssignments(role: CustodianRole, source: string, members: string[]): CustodianAssignment[] {
  return members.map((member) => {
    if (Token.isUnresolved(member)) return { role, identity: member, source, label: member };
    if (PUBLIC.includes(member.toLowerCase())) {
      throw new ValidationError(`${source} must not name ${member}: keys are never public (CIS Google Cloud 1.9)`);
    }
    if (!MEMBER.test(member)) {
      throw new ValidationError(`${source} must hold IAM members such as user:alice@example.com or serviceAccount:app@project.iam.gserviceaccount.com, got '${member}'`);
    }
    return { role, identity: member.toLowerCase(), source, label: member };
  });
}
