import { IConstruct } from 'constructs';
import { checkCustodians, checkSharedRoles, requireContainerDualControl } from '../../core/custodian-checks';
import { CustodianAssignment, CustodianRole, SeparationOfDuties } from '../../core/custodians';
import { ComplianceProfile } from '../../core/profile';
import { requireDefined } from '../../core/validation';
import { optionalList } from '../../terraform/input';
import { azureAssignments } from '../custodians';
import type { AzureCustodians } from '../custodians';
import { checkAzureApprovers } from './input';

/*
 * Azure's custodian preconditions, on core's one helper (core/custodian-checks.ts): object ids checked as GUIDs, a
 * shared vault owning the approvers and backup operators of the keys in it.
 */

/** Every role list of `AzureCustodians`, in the order they are checked. */
const ROLES = ['administrators', 'users', 'auditors', 'approvers', 'importers', 'backupOperators'] as const;

/** The roles a shared Key Vault owns: set on a key in it they would not take effect. */
export const VAULT_OWNED_ROLES: readonly string[] = ['approvers', 'backupOperators'];

/** What one Azure construct accepts in its custodians prop. */
export interface AzureCustodianRules {
  /**
   * A key in a store may leave administrators out: the store's administer every key in it.
   * @default true
   */
  readonly administratorsRequired?: boolean;
  /**
   * `required` (present and not empty) for ByokImport, `forbidden` for keys without imported material, `unchecked` for
   * a Managed HSM and its keys.
   * @default 'forbidden'
   */
  readonly importers?: 'required' | 'forbidden' | 'unchecked';
}

/**
 * The custodians prop, checked before anything else: present, at least one administrator, every role a list of
 * distinct object ids (duplicates would give two role assignments one construct id), importers only where allowed.
 */
export function checkAzureCustodians(subject: string, custodians: AzureCustodians, rules: AzureCustodianRules = {}): AzureCustodians {
  const importersRequired = rules.importers === 'required';
  checkCustodians(custodians, {
    subject,
    member: 'object id',
    shape: 'an object of object id lists',
    roles: ROLES,
    list: (prop, value) => {
      // A required list that is absent is named as required, not as empty.
      const list = optionalList(prop, (importersRequired && prop === 'custodians.importers' ? requireDefined(prop, value) : value) as string[]);
      azureAssignments(CustodianRole.USER, prop, list);
      return list;
    },
    administratorsRequired: rules.administratorsRequired,
    importers: rules.importers,
  });
  return custodians;
}

/** Roles a shared vault owns are set on the vault: set on a key in it they would not take effect. */
export function checkVaultOwnedRoles(subject: string, c: AzureCustodians, vault: IConstruct, roles: readonly string[] = VAULT_OWNED_ROLES): void {
  checkSharedRoles({ approvers: c.approvers, backupOperators: c.backupOperators }, { kind: 'vault', path: vault.node.path, roles }, subject);
}

/**
 * The approvers a key construct hands to the vault it creates, checked under the name the caller wrote
 * (custodians.approvers) before the vault checks them as its own `approvers`.
 */
export function checkVaultApprovers(path: string, profile: ComplianceProfile | undefined, approvers: string[] | undefined): void {
  const p = profile ?? ComplianceProfile.COMMERCIAL;
  const list = approvers ?? [];
  if (p.dualControlRequired || list.length > 0) {
    checkAzureApprovers(p, list, 'custodians.approvers', path);
  }
}

/** A key in a vault under a dual-control profile needs the vault's approvers (a key has none of its own there). */
export function requireVaultDualControl(subject: string, profile: ComplianceProfile, vault: IConstruct & { readonly dualControl: boolean }): void {
  requireContainerDualControl(subject, profile, { kind: 'vault', path: vault.node.path, dualControl: vault.dualControl });
}

/** The administrators, users and auditors of a key (or of every key of a store), as assignments. */
export function storeKeyAssignments(c: AzureCustodians): CustodianAssignment[] {
  return [
    ...azureAssignments(CustodianRole.ADMINISTRATOR, 'custodians.administrators', c.administrators ?? []),
    ...azureAssignments(CustodianRole.USER, 'custodians.users', c.users ?? []),
    ...azureAssignments(CustodianRole.AUDITOR, 'custodians.auditors', c.auditors ?? []),
  ];
}

/**
 * A key's own custodian assignments (administrators, users, auditors, and importers when asked), checked for separation
 * of duties together with the approvers and backup operators.
 */
export function keyCustodianAssignments(subject: string, c: AzureCustodians, withImporters = false): CustodianAssignment[] {
  const assignments = [
    ...storeKeyAssignments(c),
    ...(withImporters ? azureAssignments(CustodianRole.IMPORTER, 'custodians.importers', c.importers ?? []) : []),
  ];
  SeparationOfDuties.check([...assignments, ...azureAssignments(CustodianRole.APPROVER, 'custodians.approvers', c.approvers ?? []),
    ...azureAssignments(CustodianRole.BACKUP_OPERATOR, 'custodians.backupOperators', c.backupOperators ?? [])], subject);
  return assignments;
}
