import type { KeyVault as CfnKeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { RoleDefinition } from '@cdktf/provider-azurerm/lib/role-definition';
import { RoleManagementPolicy } from '@cdktf/provider-azurerm/lib/role-management-policy';
import { Construct } from 'constructs';
import {
  VAULT_ADMIN_ACTIONS, VAULT_CRYPTO_DATA_ACTIONS, VAULT_DEPLOYER_ACTIONS, VAULT_DEPLOYER_DATA_ACTIONS, VAULT_DEPLOYER_UPDATE_DATA_ACTIONS,
  VAULT_KEY_BACKUP_DATA_ACTIONS, VAULT_KEY_MANAGEMENT_DATA_ACTIONS, VAULT_KEY_PURGE_DATA_ACTIONS, VAULT_USE_DATA_ACTIONS,
} from './roles';

/*
 * The custom roles of one Azure `KeyVault` (each assignable on that vault only), built from the action tables in roles.ts,
 * and the Privileged Identity Management policy that holds an eligible role behind an approver.
 */

/** Backup and restore, granted to backup operators only and excluded from every other custom role. */
const BACKUP_ONLY = ['Microsoft.KeyVault/vaults/keys/backup/action', 'Microsoft.KeyVault/vaults/keys/restore/action'];

/** The key-administrator role: manages keys and rotation policies, no cryptographic use, no backup. */
export function createAdminRole(scope: Construct, vault: CfnKeyVault, vaultName: string): RoleDefinition {
  return new RoleDefinition(scope, 'KeyAdministratorRole', {
    name: `cloud-kms key administrator (${vaultName})`,
    scope: vault.id,
    assignableScopes: [vault.id],
    description: 'Manages keys and rotation policies in one vault; no cryptographic use, no vault permission-model changes.',
    permissions: [{
      actions: VAULT_ADMIN_ACTIONS,
      dataActions: [...VAULT_KEY_MANAGEMENT_DATA_ACTIONS, ...VAULT_KEY_PURGE_DATA_ACTIONS],
      // Listed as excluded too, so that a later edit of the granted list cannot add them unnoticed.
      notDataActions: [...VAULT_CRYPTO_DATA_ACTIONS, ...BACKUP_ONLY],
    }],
  });
}

/**
 * Terraform must create keys and rotation policies: a role that does just that. Deleting a key (prevent_destroy guards
 * Terraform, this role guards Azure), purging, backing up and using it are not Terraform's; under dual control neither is
 * updating it.
 */
export function createDeployerRole(scope: Construct, vault: CfnKeyVault, vaultName: string, dualControl: boolean): RoleDefinition {
  return new RoleDefinition(scope, 'KeyDeployerRole', {
    name: `cloud-kms key deployer (${vaultName})`,
    scope: vault.id,
    assignableScopes: [vault.id],
    description: 'Creates keys and sets their rotation policies in one vault; no delete, purge, backup, restore or cryptographic use.',
    permissions: [{
      actions: VAULT_DEPLOYER_ACTIONS,
      dataActions: [...VAULT_DEPLOYER_DATA_ACTIONS, ...(dualControl ? [] : VAULT_DEPLOYER_UPDATE_DATA_ACTIONS)],
      notDataActions: [...VAULT_CRYPTO_DATA_ACTIONS, ...BACKUP_ONLY, ...VAULT_KEY_PURGE_DATA_ACTIONS,
        'Microsoft.KeyVault/vaults/keys/delete', ...(dualControl ? VAULT_DEPLOYER_UPDATE_DATA_ACTIONS : [])],
    }],
  });
}

/**
 * The key-user role: read a key and use it, nothing else. "Key Vault Crypto User" also updates (disables) and backs up
 * keys, which separation of duties keeps from users.
 */
export function createKeyUserRole(scope: Construct, vault: CfnKeyVault, vaultName: string): RoleDefinition {
  return new RoleDefinition(scope, 'KeyUserRole', {
    name: `cloud-kms key user (${vaultName})`,
    scope: vault.id,
    assignableScopes: [vault.id],
    description: 'Reads and uses keys (encrypt, decrypt, wrap, unwrap, sign, verify); no update, backup, restore, delete or release.',
    permissions: [{ actions: [], dataActions: VAULT_USE_DATA_ACTIONS }],
  });
}

/** The backup-operator role: back up and restore keys, nothing else. */
export function createBackupOperatorRole(scope: Construct, vault: CfnKeyVault, vaultName: string): RoleDefinition {
  return new RoleDefinition(scope, 'KeyBackupOperatorRole', {
    name: `cloud-kms key backup operator (${vaultName})`,
    scope: vault.id,
    assignableScopes: [vault.id],
    description: 'Backs up and restores keys of one vault; no other key management and no cryptographic use.',
    permissions: [{ actions: [], dataActions: VAULT_KEY_BACKUP_DATA_ACTIONS, notDataActions: VAULT_CRYPTO_DATA_ACTIONS }],
  });
}

/** Each activation of an eligible role on the vault needs one of the approvers, a justification and MFA, for at most eight hours. */
export function createActivationPolicy(scope: Construct, id: string, vault: CfnKeyVault, roleDefinitionId: string,
  approverIds: string[]): RoleManagementPolicy {
  return new RoleManagementPolicy(scope, id, {
    scope: vault.id,
    roleDefinitionId,
    activationRules: {
      maximumDuration: 'PT8H',
      requireApproval: true,
      requireJustification: true,
      requireMultifactorAuthentication: true,
      approvalStage: { primaryApprover: approverIds.map((objectId) => ({ objectId, type: 'User' })) },
    },
    eligibleAssignmentRules: { expirationRequired: false },
  });
}
