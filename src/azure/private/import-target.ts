import { DataAzurermKeyVaultKey } from '@cdktf/provider-azurerm/lib/data-azurerm-key-vault-key';
import { DataAzurermKeyVaultManagedHardwareSecurityModuleKey } from '@cdktf/provider-azurerm/lib/data-azurerm-key-vault-managed-hardware-security-module-key';
import { KeyVaultManagedHardwareSecurityModuleRoleDefinition } from '@cdktf/provider-azurerm/lib/key-vault-managed-hardware-security-module-role-definition';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { RoleDefinition } from '@cdktf/provider-azurerm/lib/role-definition';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { CustodianAssignment } from '../../core/custodians';
import { stableGuid } from '../../core/naming';
import type { ComplianceProfile } from '../../core/profile';
import type { HyokExternalStore } from '../hyok-external-store';
import { IKeyAuditSink, KeyAuditSink } from '../key-audit-sink';
import { KeyUserRole } from '../key-options';
import type { KeyVault } from '../key-vault';
import { assignKeyRole } from './key-resource';
import { BUILT_IN, HSM_BUILT_IN, HSM_IMPORT_DATA_ACTIONS, hsmRoleDefinitionId, USER_ROLE_NAME, VAULT_IMPORT_DATA_ACTIONS } from './roles';

/** The names a `ByokImport` gives its keys. */
export interface ImportNames {
  readonly keyName: string;
  readonly kekName: string;
}

/** Where a `ByokImport` puts its keys: a Key Vault or a Managed HSM. */
export interface ImportTarget {
  readonly profile: ComplianceProfile;
  readonly auditSink?: IKeyAuditSink;
  readonly path: string;
  /** The data-plane URL keys are imported through. */
  readonly url: string;
  readonly name: string;
  readonly resourceGroupName: string;
  readonly armType: string;
  readonly deployerAccess: ITerraformDependable;
  /** The target's AuditEvent diagnostic setting, when it has one. */
  readonly auditDependencies: ITerraformDependable[];
  readonly importActions: string[];
  readonly importerRolePath: string;
  checkSeparation(assignments: CustodianAssignment[]): void;
  grantImporters(importers: string[]): void;
  grantAuditors(auditors: string[]): void;
  /** Assigns the users on the imported key; returns its id (and its resource id, the users' scope, in a Key Vault). */
  grantUsers(users: string[]): { readonly id: string; readonly scope?: string };
}

/** A premium Key Vault as the import target: importers on the vault (the key does not exist yet), users on the key. */
export function vaultImportTarget(byok: Construct, names: ImportNames, vault: KeyVault, userRole: KeyUserRole): ImportTarget {
  let importerRole: RoleDefinition | undefined;
  const assignOnVault = (kind: string, principalId: string, role: { roleDefinitionId: string } | { roleDefinitionName: string }) =>
    new RoleAssignment(byok, `${kind}${stableGuid(principalId).slice(0, 8)}`, {
      name: stableGuid(byok.node.path, kind.toLowerCase(), principalId.toLowerCase()),
      scope: vault.vaultId,
      ...role,
      principalId,
    });
  return {
    profile: vault.profile,
    auditSink: vault.auditSink,
    path: vault.node.path,
    url: vault.vaultUri,
    name: vault.vaultName,
    resourceGroupName: vault.vault.resourceGroupName,
    armType: 'Microsoft.KeyVault/vaults/keys',
    deployerAccess: vault.deploymentAccess,
    auditDependencies: KeyAuditSink._auditDependencies(vault),
    importActions: VAULT_IMPORT_DATA_ACTIONS,
    get importerRolePath() { return importerRole?.node.path ?? vault.node.path; },
    checkSeparation: (a) => vault._checkSeparation(a, byok.node.path),
    grantImporters: (importers) => {
      importerRole = new RoleDefinition(byok, 'ImporterRole', {
        name: `cloud-kms key importer (${vault.vaultName})`,
        scope: vault.vaultId,
        assignableScopes: [vault.vaultId],
        description: 'Reads the key-exchange key and imports wrapped key material into one vault; nothing else.',
        permissions: [{ actions: [], dataActions: VAULT_IMPORT_DATA_ACTIONS }],
      });
      // Vault scope: the key to import into does not exist yet, and Azure RBAC needs an existing scope. Importing
      // material is an operation dual control holds: under it, importers activate with an approver's consent.
      for (const importer of importers) {
        if (vault.dualControl) {
          vault._assignOnVault(byok, `Importer${stableGuid(importer).slice(0, 8)}`, importerRole.roleDefinitionResourceId, importer,
            'cloud-kms-constructs: key import under dual control');
        } else {
          assignOnVault('Importer', importer, { roleDefinitionId: importerRole.roleDefinitionResourceId });
        }
      }
    },
    grantAuditors: (auditors) => {
      for (const auditor of auditors) assignOnVault('Auditor', auditor, { roleDefinitionName: BUILT_IN.KEY_VAULT_READER });
    },
    grantUsers: (users) => {
      const imported = new DataAzurermKeyVaultKey(byok, 'ImportedKey', {
        name: names.keyName, keyVaultId: vault.vaultId, dependsOn: vault._networkDependencies,
      });
      const role = userRole === KeyUserRole.CRYPTO_USER ? vault._keyUserRoleId() : USER_ROLE_NAME[userRole];
      if (userRole === KeyUserRole.SERVICE_ENCRYPTION_USER && users.length > 0) {
        vault._allowTrustedServices(`service encryption by ${users.join(', ')} with ${byok.node.path}`);
      }
      for (const u of users) assignKeyRole(byok, imported.resourceVersionlessId, byok.node.path, role, u, 'User');
      return { id: imported.versionlessId, scope: imported.resourceVersionlessId };
    },
  };
}

/** A Managed HSM as the import target: every role scoped to the key's (and the key-exchange key's) path. */
export function hsmImportTarget(byok: Construct, names: ImportNames, store: HyokExternalStore): ImportTarget {
  let importerRole: KeyVaultManagedHardwareSecurityModuleRoleDefinition | undefined;
  return {
    profile: store.profile,
    auditSink: store.auditSink,
    path: store.node.path,
    url: store.hsmUri,
    name: store.hsm.name,
    resourceGroupName: store.hsm.resourceGroupName,
    armType: 'Microsoft.KeyVault/managedHSMs/keys',
    deployerAccess: store._deployerAccess,
    auditDependencies: KeyAuditSink._auditDependencies(store),
    importActions: HSM_IMPORT_DATA_ACTIONS,
    get importerRolePath() { return importerRole?.node.path ?? store.node.path; },
    checkSeparation: (a) => store._checkSeparation(a, byok.node.path),
    grantImporters: (importers) => {
      importerRole = new KeyVaultManagedHardwareSecurityModuleRoleDefinition(byok, 'ImporterRole', {
        managedHsmId: store.hsmId,
        name: stableGuid(byok.node.path, 'importer-role'),
        roleName: `cloud-kms key importer (${names.keyName})`,
        description: 'Reads the key-exchange key and imports wrapped key material; nothing else.',
        permission: [{ dataActions: HSM_IMPORT_DATA_ACTIONS }],
        dependsOn: [...store._networkDependencies, ...KeyAuditSink._auditDependencies(store)],
      });
      // Managed HSM scopes are paths, so the import can be limited to the one key name (and the KEK to read).
      for (const importer of importers) {
        for (const [what, keyName] of [['Key', names.keyName], ['Kek', names.kekName]]) {
          store._assign(byok, `Importer${what}${stableGuid(importer).slice(0, 8)}`, `/keys/${keyName}`, importerRole.resourceManagerId, importer);
        }
      }
    },
    grantAuditors: (auditors) => {
      for (const auditor of auditors) {
        store._assign(byok, `Auditor${stableGuid(auditor).slice(0, 8)}`, `/keys/${names.keyName}`, hsmRoleDefinitionId(HSM_BUILT_IN.CRYPTO_AUDITOR), auditor);
      }
    },
    grantUsers: (users) => {
      const imported = new DataAzurermKeyVaultManagedHardwareSecurityModuleKey(byok, 'ImportedKey', {
        name: names.keyName, managedHsmId: store.hsmId, dependsOn: store._networkDependencies,
      });
      for (const u of users) store._assign(byok, `User${stableGuid(u).slice(0, 8)}`, `/keys/${names.keyName}`, store._keyUserRoleId, u);
      return { id: imported.id };
    },
  };
}

/** The ARM template of the key-exchange key: RSA-HSM, key operation `import` only. */
export function kekTemplate(armType: string): object {
  return {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    parameters: {
      containerName: { type: 'string' },
      kekName: { type: 'string' },
      kekSize: { type: 'int', allowedValues: [2048, 3072, 4096] },
    },
    resources: [{
      type: armType,
      apiVersion: '2023-07-01',
      name: "[format('{0}/{1}', parameters('containerName'), parameters('kekName'))]",
      properties: {
        kty: 'RSA-HSM',
        keySize: "[parameters('kekSize')]",
        keyOps: ['import'],
        attributes: { enabled: true, exportable: false },
      },
    }],
    outputs: {
      kekId: {
        type: 'string',
        value: `[reference(resourceId('${armType}', parameters('containerName'), parameters('kekName')), '2023-07-01').keyUriWithVersion]`,
      },
    },
  };
}
