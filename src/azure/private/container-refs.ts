import type { KeyVaultManagedHardwareSecurityModuleRoleAssignment } from '@cdktf/provider-azurerm/lib/key-vault-managed-hardware-security-module-role-assignment';
import type { ITerraformDependable } from 'cdktf';
import type { Construct, IConstruct } from 'constructs';
import type { CustodianAssignment } from '../../core/custodians';
import type { IKeyAuditSink } from '../key-audit-sink-props';

/*
 * What the private helpers and ManagedHsmKey need of a key's container, as structural types. They take these shapes,
 * not the container's module, because the containers are built from these helpers (importing them here would be an
 * import cycle). `KeyVault` and `HyokExternalStore` satisfy them as they are.
 */

/** What a key needs of its `KeyVault`. */
export interface VaultRef extends IConstruct {
  /** The vault's ARM id. */
  readonly vaultId: string;
  /** What a data-plane resource of the vault waits for (private endpoint, DNS zone links). */
  readonly _networkDependencies: ITerraformDependable[];
  /** Everyone who holds a role on every key of the vault. */
  readonly _vaultCustodians: CustodianAssignment[];
}

/** What a key needs of its Managed HSM (`HyokExternalStore`). */
export interface ManagedHsmRef extends IConstruct {
  /** The Managed HSM's ARM id. */
  readonly hsmId: string;
  /** The store's audit sink, if audited. */
  readonly auditSink?: IKeyAuditSink;
  /** The local role assignment that lets Terraform create keys. */
  readonly _deployerAccess: KeyVaultManagedHardwareSecurityModuleRoleAssignment;
  /** What a data-plane resource of the HSM waits for (private endpoint, DNS zone links). */
  readonly _networkDependencies: ITerraformDependable[];
  /** The key user role's definition id. */
  readonly _keyUserRoleId: string;
  /** Everyone who holds a role on every key of the HSM. */
  readonly _storeCustodians: CustodianAssignment[];
  /** Checks separation of duties of these assignments against the store's. */
  _checkSeparation(assignments: CustodianAssignment[], subject: string): void;
  /** Lets trusted Microsoft services through the HSM firewall, for this reason. */
  _allowTrustedServices(reason: string): void;
  /** A local role assignment on the HSM. */
  _assign(scopeConstruct: Construct, id: string, hsmScope: string, roleDefinitionId: string,
    principalId: string): KeyVaultManagedHardwareSecurityModuleRoleAssignment;
}
