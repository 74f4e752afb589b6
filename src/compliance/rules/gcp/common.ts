import { tfResources } from '../rule';

export const ADMIN_ROLES = ['roles/cloudkms.admin', 'roles/owner', 'roles/editor'];

/**
 * Whether a role administers keys: a predefined administrator role, or a custom role (the library's key administrator
 * role is one; a custom role is counted as administration whatever it holds, which can only add findings).
 */
export function isAdminRole(role: string): boolean {
  return ADMIN_ROLES.includes(role) || /google_(project|organization)_iam_custom_role\./.test(role) || /^(projects|organizations)\/[^/]+\/roles\//.test(role);
}
export const USE_ROLES = ['roles/cloudkms.cryptoKeyEncrypterDecrypter', 'roles/cloudkms.cryptoKeyEncrypter', 'roles/cloudkms.cryptoKeyDecrypter',
  'roles/cloudkms.signerVerifier', 'roles/cloudkms.signer', 'roles/cloudkms.decapsulator', 'roles/cloudkms.cryptoOperator'];
export const PUBLIC = ['allusers', 'allauthenticatedusers'];

/** Every KMS IAM grant (member or binding, on a key, ring or project) as [resource, role, member]. */
export function kmsGrants(json: any): Array<[string, string, string]> {
  const out: Array<[string, string, string]> = [];
  for (const [name, b] of tfResources(json, 'google_kms_crypto_key_iam_member', 'google_kms_key_ring_iam_member', 'google_project_iam_member')) {
    out.push([name, String(b.role), String(b.member)]);
  }
  for (const [name, b] of tfResources(json, 'google_kms_crypto_key_iam_binding', 'google_kms_key_ring_iam_binding', 'google_project_iam_binding')) {
    for (const m of b.members ?? []) out.push([name, String(b.role), String(m)]);
  }
  return out;
}
