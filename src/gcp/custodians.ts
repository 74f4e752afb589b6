import { Token } from 'cdktf';
import { CustodianAssignment, CustodianRole } from '../core/custodians';
import { shown, ValidationError } from '../core/validation';

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
// Allow-policy principal identifiers: https://cloud.google.com/iam/docs/principal-identifiers
const EMAIL_MEMBER = /^(user|group|serviceAccount):[^\s@:/]+@[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)+$/;
const DOMAIN_MEMBER = /^domain:[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)+$/;
const FEDERATED_MEMBER = /^principal(Set)?:\/\/[a-z0-9.-]+\.googleapis\.com\/\S+$|^principal(Set)?:\/\/goog\/\S+$/;
// A Kubernetes service account under GKE Workload Identity: `serviceAccount:PROJECT_ID.svc.id.goog[NAMESPACE/KSA_NAME]`
// (the IAM v1 "Kubernetes service account" identifier; the project id may carry a legacy `domain:` prefix).
// https://cloud.google.com/iam/docs/principal-identifiers
// https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity
const KSA_MEMBER = /^serviceAccount:[a-z0-9.:-]+\.svc\.id\.goog\[[a-z0-9.-]+\/[a-z0-9.-]+\]$/;

/**
 * The identity an IAM member names. Google IAM stores e-mail addresses and domains in lower case (a member given as
 * `user:Alice@example.com` is bound as `user:alice@example.com`), so those compare case-insensitively; a federated
 * identity's subject or attribute value (`principal://`, `principalSet://`) is whatever the identity provider asserts
 * and may differ in case only, so it is kept as written. Construct ids derive from this key, so no two members this
 * library accepts can collide.
 */
export function memberKey(member: string): string {
  const trimmed = member.trim();
  return /^principal(Set)?:\/\//.test(trimmed) ? trimmed : trimmed.toLowerCase();
}

/**
 * Checks IAM members (no public members, CIS 1.9; the allow-policy identifier formats; no member twice, e-mail
 * addresses compared case-insensitively) and turns them into custodian assignments.
 */
export function gcpAssignments(role: CustodianRole, source: string, members: string[]): CustodianAssignment[] {
  if (!Array.isArray(members)) throw new ValidationError(`${source} must be a list of IAM members, got ${shown(members)}`);
  const seen = new Map<string, string>();
  return members.map((member) => {
    checkMember(source, member);
    const identity = Token.isUnresolved(member) ? member : memberKey(member);
    const first = seen.get(identity);
    if (first !== undefined) {
      throw new ValidationError(first === member
        ? `${source} lists ${shown(member)} twice`
        : `${source} lists ${shown(first)} and ${shown(member)}, which name the same principal (Google IAM compares e-mail addresses case-insensitively)`);
    }
    seen.set(identity, member);
    return { role, identity, source, label: member };
  });
}

/** One IAM member: a string in an allow-policy identifier format, never public; a token passes. */
export function checkMember(prop: string, member: unknown): asserts member is string {
  if (typeof member !== 'string') {
    throw new ValidationError(`${prop} must hold IAM members such as user:alice@example.com, got ${shown(member)}`);
  }
  if (Token.isUnresolved(member)) return;
  if (PUBLIC.includes(member.trim().toLowerCase())) {
    throw new ValidationError(`${prop} must not name ${member}: keys are never public (CIS Google Cloud 1.9)`);
  }
  if (!EMAIL_MEMBER.test(member) && !DOMAIN_MEMBER.test(member) && !FEDERATED_MEMBER.test(member) && !KSA_MEMBER.test(member)) {
    throw new ValidationError(`${prop} must hold IAM members (user:, group: or serviceAccount: and an e-mail address, domain:, ` +
      `principal:// or principalSet://) such as user:alice@example.com or serviceAccount:app@project.iam.gserviceaccount.com, got ${shown(member)}`);
  }
}
