import { KeyVaultKey } from '@cdktf/provider-azurerm/lib/key-vault-key';
import { KeyVaultManagedHardwareSecurityModuleKey } from '@cdktf/provider-azurerm/lib/key-vault-managed-hardware-security-module-key';
import { KeyVaultManagedHardwareSecurityModuleKeyRotationPolicy } from '@cdktf/provider-azurerm/lib/key-vault-managed-hardware-security-module-key-rotation-policy';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Fn, ITerraformDependable, Token } from 'cdktf';
import { Construct } from 'constructs';
import type { ManagedHsmRef, VaultRef } from './container-refs';
import { KeyAuditSink } from '../key-audit-sink';
import { AzureKeySettings, expiryExpression, isoDays, requireName } from './key-settings';
import { stableGuid } from '../../core/naming';

/**
 * A key in a Key Vault with a rotation policy (automatic rotation, expire-after, notify-before-expiry) and an
 * expiry on its first version, set at creation and then left to the rotation policy.
 */
export function createVaultKey(scope: Construct, vault: VaultRef, name: string, s: AzureKeySettings, dependsOn: ITerraformDependable[],
  id = 'Resource'): KeyVaultKey {
  requireName('keyName', name, /^[a-zA-Z0-9-]{1,127}$/, '1 to 127 letters, digits and hyphens');
  return new KeyVaultKey(scope, id, {
    name,
    keyVaultId: vault.vaultId,
    keyType: s.keyType,
    keySize: s.keySize,
    curve: s.curve,
    keyOpts: s.keyOpts,
    // The first version expires with the policy's period; later versions get theirs from the rotation policy.
    expirationDate: Fn.timeadd(Fn.timestamp(), expiryExpression(s.expireAfterDays)),
    rotationPolicy: {
      automatic: { timeAfterCreation: isoDays(s.rotationDays) },
      expireAfter: isoDays(s.expireAfterDays),
      notifyBeforeExpiry: isoDays(s.notifyBeforeDays),
    },
    lifecycle: { ignoreChanges: ['expiration_date'], preventDestroy: true },
    // Key creation is a data-plane call: it waits for the private endpoint's DNS record, not only for the role; and for
    // the vault's AuditEvent diagnostic setting, so that KeyCreate and the rotation-policy calls are logged.
    dependsOn: [...dependsOn, ...vault._networkDependencies, ...KeyAuditSink._auditDependencies(vault)],
  });
}

/**
 * A key in a Managed HSM with a rotation policy (a resource of its own there) and an expiry on its first version. It
 * waits for the deployer's local role, the private endpoint and the HSM's AuditEvent diagnostic setting.
 */
export function createHsmKey(scope: Construct, store: ManagedHsmRef, name: string,
  s: AzureKeySettings): KeyVaultManagedHardwareSecurityModuleKey {
  requireName('keyName', name, /^[a-zA-Z0-9-]{1,127}$/, '1 to 127 letters, digits and hyphens');
  const key = new KeyVaultManagedHardwareSecurityModuleKey(scope, 'Resource', {
    name,
    managedHsmId: store.hsmId,
    keyType: s.keyType,
    keySize: s.keySize,
    curve: s.curve,
    keyOpts: s.keyOpts,
    expirationDate: Fn.timeadd(Fn.timestamp(), expiryExpression(s.expireAfterDays)),
    lifecycle: { ignoreChanges: ['expiration_date'], preventDestroy: true },
    dependsOn: [store._deployerAccess, ...store._networkDependencies, ...KeyAuditSink._auditDependencies(store)],
  });
  new KeyVaultManagedHardwareSecurityModuleKeyRotationPolicy(scope, 'RotationPolicy', {
    managedHsmKeyId: key.id,
    timeAfterCreation: isoDays(s.rotationDays),
    expireAfter: isoDays(s.expireAfterDays),
  });
  return key;
}

/**
 * An Azure role for one principal on one key (role assignments scoped as narrowly as Azure allows).
 * @param keyResourceId the key's versionless ARM id (`.../vaults/<vault>/keys/<name>`): an assignment on a
 * versioned id would stop at the next rotation
 * @param role a built-in role's name, or a custom role's definition id (a reference)
 */
export function assignKeyRole(scope: Construct, keyResourceId: string, keyPath: string, role: string,
  principalId: string, kind: string): RoleAssignment {
  const guid = stableGuid(keyPath, kind, principalId.toLowerCase());
  // The same role for the same principal again (a grant method called twice, or an id in another case) is the assignment
  // that exists: Azure refuses a second one with the same scope, role and principal.
  const existing = scope.node.tryFindChild(`${kind}${guid.slice(0, 8)}`);
  if (existing instanceof RoleAssignment) return existing;
  return new RoleAssignment(scope, `${kind}${guid.slice(0, 8)}`, {
    name: guid,
    scope: keyResourceId,
    ...(Token.isUnresolved(role) ? { roleDefinitionId: role } : { roleDefinitionName: role }),
    principalId,
  });
}
