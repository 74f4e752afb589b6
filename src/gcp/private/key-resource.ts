/*
 * The Cloud KMS key resource of every Google key construct and its IAM bindings: the key with `prevent_destroy`, and
 * additive role bindings for its custodians and grantees.
 */
import { KmsCryptoKey } from '@cdktf/provider-google/lib/kms-crypto-key';
import { KmsCryptoKeyIamMember } from '@cdktf/provider-google/lib/kms-crypto-key-iam-member';
import { Construct } from 'constructs';
import { requireKmsName } from './input';
import { GcpKeySettings } from './key-settings';
import { ROLES, USER_ROLES } from './roles';
import { CustodianAssignment } from '../../core/custodians';
import { EvidenceLedger } from '../../core/evidence';
import { stableGuid } from '../../core/naming';
import { GcpCustodians, memberKey } from '../custodians';
import type { KeyRing } from '../key-ring';

export interface CryptoKeyOptions {
  /** Key material comes later (import or external versions): no first version, and for imports `import_only`. */
  readonly importOnly?: boolean;
  readonly skipInitialVersionCreation?: boolean;
  /** The EKM connection of an EXTERNAL_VPC key. */
  readonly cryptoKeyBackend?: string;
  /** Construct id of the key resource. @default 'Resource' */
  readonly id?: string;
}

/** A crypto key in a ring, with the settings resolved for it and `prevent_destroy`. */
export function createCryptoKey(scope: Construct, ring: KeyRing, name: string, s: GcpKeySettings, options: CryptoKeyOptions = {}): KmsCryptoKey {
  requireKmsName('keyName', name);
  return new KmsCryptoKey(scope, options.id ?? 'Resource', {
    name,
    keyRing: ring.keyRingId,
    purpose: s.purpose,
    versionTemplate: { algorithm: s.algorithm, protectionLevel: s.protectionLevel },
    rotationPeriod: s.rotationPeriod,
    destroyScheduledDuration: s.destroyScheduledDuration,
    importOnly: options.importOnly,
    skipInitialVersionCreation: options.skipInitialVersionCreation,
    cryptoKeyBackend: options.cryptoKeyBackend,
    labels: s.labels,
    lifecycle: { preventDestroy: true },
  });
}

/** An additive IAM binding of one role for one member on one key (never authoritative, so other bindings stay). */
export function bindKeyRole(scope: Construct, key: KmsCryptoKey, role: string, member: string, kind: string): KmsCryptoKeyIamMember {
  const id = `${kind}${stableGuid(role, memberKey(member)).slice(0, 8)}`;
  // Granting the same role to the same member again (a grant method called twice) is the binding that exists.
  const existing = scope.node.tryFindChild(id);
  if (existing instanceof KmsCryptoKeyIamMember) return existing;
  return new KmsCryptoKeyIamMember(scope, id, { cryptoKeyId: key.id, role, member });
}

/**
 * A key's custodians, bound: administrators get the key administrator role on the ring (eligibility under dual control),
 * importers (keys with imported material) Cloud KMS Importer on the ring, users the role the key's purpose needs and
 * auditors Cloud KMS Viewer on the key; every assignment is recorded as a custodian of the key.
 */
export function bindKeyCustodians(scope: Construct, key: KmsCryptoKey, ring: KeyRing, c: GcpCustodians, assignments: CustodianAssignment[],
  purpose: string, importers: string[] = []): void {
  (c.administrators ?? []).forEach((a) => ring.addAdministrator(a, 'custodians.administrators'));
  importers.forEach((m) => ring._addImporter(m, scope.node.path));
  const ledger = EvidenceLedger.of(scope);
  assignments.forEach((a) => ledger.addCustodian(scope.node.path, a));
  for (const u of c.users ?? []) bindUserRoles(scope, key, purpose, u, 'User');
  for (const a of c.auditors ?? []) bindKeyRole(scope, key, ROLES.KMS_VIEWER, a, 'Auditor');
}

/** The roles a key's purpose needs for use, bound for one member on the key. */
export function bindUserRoles(scope: Construct, key: KmsCryptoKey, purpose: string, member: string, kind: string): void {
  for (const role of USER_ROLES[purpose]) bindKeyRole(scope, key, role, member, kind);
}
