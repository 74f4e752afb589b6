import { tfResources } from '../rule';

export const ADMIN_ROLES = ['roles/cloudkms.admin', 'roles/owner', 'roles/editor'];
export const USE_ROLES = ['roles/cloudkms.cryptoKeyEncrypterDecrypter', 'roles/cloudkms.cryptoKeyEncrypter', 'roles/cloudkms.cryptoKeyDecrypter',
  'roles/cloudkms.signerVerifier', 'roles/cloudkms.signer'];
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
