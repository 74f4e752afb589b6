import { DataAzurermKeyVaultKey } from '@cdktf/provider-azurerm/lib/data-azurerm-key-vault-key';
import { DataAzurermKeyVaultManagedHardwareSecurityModuleKey } from '@cdktf/provider-azurerm/lib/data-azurerm-key-vault-managed-hardware-security-module-key';
import { KeyVaultManagedHardwareSecurityModuleRoleDefinition } from '@cdktf/provider-azurerm/lib/key-vault-managed-hardware-security-module-role-definition';
import { ResourceGroupTemplateDeployment } from '@cdktf/provider-azurerm/lib/resource-group-template-deployment';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { RoleDefinition } from '@cdktf/provider-azurerm/lib/role-definition';
import { Fn, ITerraformDependable, TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { AzureCustodians } from './custodians';
import type { HyokExternalStore } from './hyok-external-store';
import { IKeyAuditSink, KeyAuditSink } from './key-audit-sink';
import { KeyLocation } from './key-location';
import { AzureKeyOptions, KeyUserRole } from './key-options';
import { KeyVault, VaultSku } from './key-vault';
import { checkModelAllowed } from '../core/checks';
import { Control } from '../core/controls';
import { CustodianAssignment, CustodianRole } from '../core/custodians';
import { DeploymentModel } from '../core/deployment-model';
import { EvidenceLedger, EvidenceStatus } from '../core/evidence';
import { stableGuid, stableName } from '../core/naming';
import { ComplianceProfile } from '../core/profile';
import { shown, ValidationError } from '../core/validation';
import { optionalBoolean, optionalEnum } from '../terraform/input';
import { registerHsmKeyMatrix, registerVaultKeyMatrix } from './private/access-matrix';
import { checkAzureCustodians, checkVaultApprovers, checkVaultOwnedRoles, keyCustodianAssignments, requireVaultDualControl } from './private/custodian-checks';
import { checkAzureKeyProps, locationCreatesVault, resolveKeyLocation } from './private/input';
import { recordAzureKeyEvidence } from './private/key-evidence';
import { assignKeyRole, recordVaultCustodians } from './private/key-resource';
import { describeRotationBound, hsmKeyKind, requireName, resolveAzureKeySettings } from './private/key-settings';
import { checkKeyNetwork } from './private/network';
import { BUILT_IN, HSM_BUILT_IN, HSM_IMPORT_DATA_ACTIONS, hsmRoleDefinitionId, USER_ROLE_NAME, VAULT_IMPORT_DATA_ACTIONS } from './private/roles';

/** RSA sizes Azure accepts for a key-exchange key. */
export enum KekSize {
  RSA_2048 = 2048,
  RSA_3072 = 3072,
  RSA_4096 = 4096,
}

/**
 * Properties of an Azure `ByokImport`.
 */
export interface ByokImportProps extends AzureKeyOptions {
  /** Administrators, users, auditors and the importers (who alone may import into the target), by object id. */
  readonly custodians: AzureCustodians;

  /**
   * Where the key-exchange key and the imported key live: `KeyLocation.newVault()`, `KeyLocation.vault(v)` (a premium
   * Key Vault) or `KeyLocation.managedHsm(h)` (under the HSM's local RBAC).
   * @default KeyLocation.newVault() - a premium Key Vault of its own
   */
  readonly keyLocation?: KeyLocation;

  /**
   * An existing premium vault to import into.
   * @default - a vault of its own
   * @deprecated use `keyLocation: KeyLocation.vault(vault)`
   */
  readonly vault?: KeyVault;

  /**
   * Import into this Managed HSM instead of a premium Key Vault. The key-exchange key and the imported key then live
   * in the HSM, under its local RBAC.
   * @default - a premium Key Vault (`vault`, or a new one)
   * @deprecated use `keyLocation: KeyLocation.managedHsm(store)`
   */
  readonly managedHsm?: HyokExternalStore;

  /**
   * Set to true once `cloud-kms byok azure import` has imported the key (`keyName`). Until then the key does not
   * exist, so its users cannot be given a role on it; the next deployment looks the key up and assigns them,
   * scoped to the key.
   * @default false
   */
  readonly keyImported?: boolean;

  /**
   * The role users get on the imported key (Key Vault targets; in a Managed HSM users get the crypto-only local role).
   * @default KeyUserRole.CRYPTO_USER
   */
  readonly userRole?: KeyUserRole;

  /**
   * Name of the key-exchange key.
   * @default - derived from the construct path
   */
  readonly kekName?: string;

  /**
   * Size of the key-exchange key.
   * @default KekSize.RSA_4096
   */
  readonly kekSize?: KekSize;
}

/**
 * Bring your own key on Azure: a premium Key Vault (or a Managed HSM) as the import target, and a key-exchange key
 * (RSA-HSM with only the `import` operation) whose public half wraps the customer's key in a `.byok` transfer blob
 * (`cloud-kms byok wrap --algorithm AZURE_BYOK`), uploaded with `cloud-kms byok azure import`.
 *
 * azurerm 4.55's key resources cannot create a key with the `import` operation (hashicorp/terraform-provider-azurerm
 * issue 32943, PR 33022 open), so the key-exchange key is created through an ARM template deployment, which the
 * provider supports; its id is a Terraform output. Importers get a custom role limited to reading keys and importing.
 * Users get their role on the imported key once `keyImported` is set (a second deployment).
 */
export class ByokImport extends Construct {
  public readonly model: DeploymentModel;
  public readonly profile: ComplianceProfile;
  /** The Key Vault holding the keys, unless they are in a Managed HSM. */
  public readonly vault?: KeyVault;
  /** The Managed HSM holding the keys, when given one. */
  public readonly managedHsm?: HyokExternalStore;
  /** The versioned id of the key-exchange key (`https://<vault>.vault.azure.net/keys/<name>/<version>`), for the CLI. */
  public readonly kekId: string;
  public readonly kekName: string;
  /** The name the imported key takes. */
  public readonly keyName: string;
  /** The versionless id of the imported key, once `keyImported` is set. */
  public readonly importedKeyId?: string;
  /** The imported key's versionless resource id, once it exists (a Key Vault target with `keyImported`). */
  private importedKeyScope?: string;

  constructor(scope: Construct, id: string, props: ByokImportProps) {
    super(scope, id);
    checkAzureKeyProps(props, locationCreatesVault(props));
    const c = checkAzureCustodians(this.node.path, props.custodians, { importers: 'required' });
    optionalEnum('userRole', props.userRole, Object.values(KeyUserRole));
    optionalBoolean('keyImported', props.keyImported);
    const location = resolveKeyLocation(this.node.path, props);
    const shared = location.vault;
    const hsm = location.managedHsm;
    checkKeyNetwork(props.network, shared ?? hsm, this.node.path);
    if (hsm && (c.approvers ?? []).length > 0) {
      throw new ValidationError(`custodians.approvers apply to Key Vault administration; a Managed HSM's quorum is its security domain (${this.node.path})`);
    }
    checkModelAllowed(props.profile ?? shared?.profile ?? hsm?.profile ?? ComplianceProfile.COMMERCIAL,
      DeploymentModel.BYOK, this.node.path);
    const assignments = keyCustodianAssignments(this.node.path, c, true);
    const given = shared ?? hsm;
    if (given && (c.backupOperators ?? []).length > 0) {
      throw new ValidationError(`custodians.backupOperators belong to the vault or Managed HSM when it is given: set them on ${given.node.path}, not on ${this.node.path}`);
    }
    const kekSize = props.kekSize ?? KekSize.RSA_4096;
    if (![2048, 3072, 4096].includes(kekSize)) {
      throw new ValidationError(`kekSize must be 2048, 3072 or 4096, got ${shown(kekSize)}`);
    }
    this.kekName = props.kekName ?? stableName(this, 'kek-', 127);
    this.keyName = props.keyName ?? stableName(this, 'byok-', 127);
    requireName('kekName', this.kekName, KEY_NAME, '1 to 127 letters, digits and hyphens');
    requireName('keyName', this.keyName, KEY_NAME, '1 to 127 letters, digits and hyphens');
    this.model = DeploymentModel.BYOK;

    if (shared) checkVaultOwnedRoles(this.node.path, c, shared, ['approvers']);
    if (!given) checkVaultApprovers(this.node.path, props.profile, c.approvers);
    const target = hsm ? this.hsmTarget(hsm) : this.vaultTarget(props, shared, c.approvers, c.backupOperators);
    const settings = resolveAzureKeySettings(scope, id, {
      ...props,
      profile: props.profile ?? target.profile,
      auditSink: props.auditSink ?? target.auditSink,
    }, hsmKeyKind(this.model));
    this.profile = settings.profile;
    if (this.vault) requireVaultDualControl(this.node.path, this.profile, this.vault);
    target.checkSeparation(assignments);

    const deployment = new ResourceGroupTemplateDeployment(this, 'KeyExchangeKey', {
      name: stableName(this, 'kek-deploy-', 64),
      resourceGroupName: target.resourceGroupName,
      deploymentMode: 'Incremental',
      templateContent: JSON.stringify(kekTemplate(target.armType)),
      parametersContent: JSON.stringify({
        containerName: { value: target.name },
        kekName: { value: this.kekName },
        kekSize: { value: kekSize },
      }),
      // The key-exchange key's creation is logged only once the target's AuditEvent diagnostic setting exists.
      dependsOn: [target.deployerAccess, ...target.auditDependencies],
    });
    this.kekId = Fn.lookup(Fn.lookup(Fn.jsondecode(deployment.outputContent), 'kekId', {}), 'value', '');
    new TerraformOutput(this, 'KekId', {
      value: this.kekId,
      description: `Key-exchange key for ${this.node.path}: cloud-kms byok azure kek --kek-id <this>`,
    });
    // The import step with this construct's target, name and expiry policy filled in.
    new TerraformOutput(this, 'ImportCommand', {
      value: `cloud-kms byok azure import --vault-url ${target.url} --key-name ${this.keyName} --byok <file> --expires-in-days ${settings.expireAfterText}`,
      description: `Imports the wrapped key for ${this.node.path} (run by an importer)`,
    });

    target.grantImporters(c.importers ?? []);
    target.grantAuditors(c.auditors ?? []);
    if (props.keyImported === true) {
      this.importedKeyId = target.grantUsers(c.users ?? []);
    }
    c.administrators.forEach((a) => this.vault?.addAdministrator(a, 'custodians.administrators'));

    const ledger = EvidenceLedger.of(this);
    assignments.forEach((a) => ledger.addCustodian(this.node.path, a));
    if (this.vault) {
      recordVaultCustodians(this.node.path, this.vault, ledger);
      registerVaultKeyMatrix(this, this.vault, this.importedKeyScope ? [this.importedKeyScope] : []);
    } else {
      for (const a of hsm!._storeCustodians) {
        if (a.role === CustodianRole.DEPLOYER || a.role === CustodianRole.BACKUP_OPERATOR) ledger.addCustodian(this.node.path, a);
      }
      registerHsmKeyMatrix(this, hsm!, this.keyName);
    }
    recordAzureKeyEvidence({
      key: this,
      resource: deployment,
      constructName: 'ByokImport',
      settings,
      holder: hsm ? 'customer-generated key imported into a Managed HSM' : 'customer-generated key imported into a premium Key Vault HSM',
      auditSink: target.auditSink,
      parent: target.path,
      separation: 'administrators hold a role without cryptographic data actions; importers may only read keys and import; users hold a crypto role on the imported key only',
      dualControl: this.vault?.dualControl ? 'key administration is just-in-time: each activation needs an approver and MFA (PIM)'
        : hsm ? 'the security domain needs a quorum of certificate holders (M of N)' : undefined,
      manualRotation: {
        setting: 'import',
        value: `every ${settings.rotationText} days`,
        description: `rotated by importing a new version with cloud-kms byok azure import every ${settings.rotationText} days${describeRotationBound(settings)}; Azure cannot rotate imported material itself`,
      },
    });
    for (const control of [Control.PCI_3_6_1_3, Control.NIST_AC_5]) {
      ledger.record({
        control,
        status: EvidenceStatus.SATISFIED,
        subject: this.node.path,
        resource: target.importerRolePath,
        setting: 'importer role data actions',
        value: target.importActions.join(', '),
        description: `only the ${(c.importers ?? []).length} named importers may import key material`,
      });
    }
  }

  private vaultTarget(props: ByokImportProps, shared: KeyVault | undefined, approvers: string[] | undefined,
    backupOperators: string[] | undefined): ImportTarget {
    const vault = shared ?? new KeyVault(this, 'Vault', {
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      name: props.vaultName,
      sku: VaultSku.PREMIUM,
      profile: props.profile,
      auditSink: props.auditSink,
      acknowledgePurgeProtectionIsPermanent: props.acknowledgePurgeProtectionIsPermanent ?? false,
      network: props.network!,
      approvers,
      backupOperators,
    });
    if (vault.sku !== VaultSku.PREMIUM) {
      throw new ValidationError(`vault ${vault.node.path} is a standard vault; BYOK needs HSM-protected keys (VaultSku.PREMIUM)`);
    }
    (this as { vault?: KeyVault }).vault = vault;
    let importerRole: RoleDefinition | undefined;
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
      checkSeparation: (a) => vault._checkSeparation(a, this.node.path),
      grantImporters: (importers) => {
        importerRole = new RoleDefinition(this, 'ImporterRole', {
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
            vault._assignOnVault(this, `Importer${stableGuid(importer).slice(0, 8)}`, importerRole.roleDefinitionResourceId, importer,
              'cloud-kms-constructs: key import under dual control');
          } else {
            new RoleAssignment(this, `Importer${stableGuid(importer).slice(0, 8)}`, {
              name: stableGuid(this.node.path, 'importer', importer.toLowerCase()),
              scope: vault.vaultId,
              roleDefinitionId: importerRole.roleDefinitionResourceId,
              principalId: importer,
            });
          }
        }
      },
      grantAuditors: (auditors) => {
        for (const auditor of auditors) {
          new RoleAssignment(this, `Auditor${stableGuid(auditor).slice(0, 8)}`, {
            name: stableGuid(this.node.path, 'auditor', auditor.toLowerCase()),
            scope: vault.vaultId,
            roleDefinitionName: BUILT_IN.KEY_VAULT_READER,
            principalId: auditor,
          });
        }
      },
      grantUsers: (users) => {
        const imported = new DataAzurermKeyVaultKey(this, 'ImportedKey', {
          name: this.keyName, keyVaultId: vault.vaultId, dependsOn: vault._networkDependencies,
        });
        const userRole = props.userRole ?? KeyUserRole.CRYPTO_USER;
        const role = userRole === KeyUserRole.CRYPTO_USER ? vault._keyUserRoleId() : USER_ROLE_NAME[userRole];
        if (userRole === KeyUserRole.SERVICE_ENCRYPTION_USER && users.length > 0) {
          vault._allowTrustedServices(`service encryption by ${users.join(', ')} with ${this.node.path}`);
        }
        for (const u of users) assignKeyRole(this, imported.resourceVersionlessId, this.node.path, role, u, 'User');
        this.importedKeyScope = imported.resourceVersionlessId;
        return imported.versionlessId;
      },
    };
  }

  private hsmTarget(store: HyokExternalStore): ImportTarget {
    (this as { managedHsm?: HyokExternalStore }).managedHsm = store;
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
      checkSeparation: (a) => store._checkSeparation(a, this.node.path),
      grantImporters: (importers) => {
        importerRole = new KeyVaultManagedHardwareSecurityModuleRoleDefinition(this, 'ImporterRole', {
          managedHsmId: store.hsmId,
          name: stableGuid(this.node.path, 'importer-role'),
          roleName: `cloud-kms key importer (${this.keyName})`,
          description: 'Reads the key-exchange key and imports wrapped key material; nothing else.',
          permission: [{ dataActions: HSM_IMPORT_DATA_ACTIONS }],
          dependsOn: [...store._networkDependencies, ...KeyAuditSink._auditDependencies(store)],
        });
        // Managed HSM scopes are paths, so the import can be limited to the one key name (and the KEK to read).
        for (const importer of importers) {
          for (const [what, keyName] of [['Key', this.keyName], ['Kek', this.kekName]]) {
            store._assign(this, `Importer${what}${stableGuid(importer).slice(0, 8)}`, `/keys/${keyName}`, importerRole.resourceManagerId, importer);
          }
        }
      },
      grantAuditors: (auditors) => {
        for (const auditor of auditors) {
          store._assign(this, `Auditor${stableGuid(auditor).slice(0, 8)}`, `/keys/${this.keyName}`, hsmRoleDefinitionId(HSM_BUILT_IN.CRYPTO_AUDITOR), auditor);
        }
      },
      grantUsers: (users) => {
        const imported = new DataAzurermKeyVaultManagedHardwareSecurityModuleKey(this, 'ImportedKey', {
          name: this.keyName, managedHsmId: store.hsmId, dependsOn: store._networkDependencies,
        });
        for (const u of users) store._assign(this, `User${stableGuid(u).slice(0, 8)}`, `/keys/${this.keyName}`, store._keyUserRoleId, u);
        return imported.id;
      },
    };
  }
}

/** Where a `ByokImport` puts its keys: a Key Vault or a Managed HSM. */
interface ImportTarget {
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
  /** Assigns the users on the imported key; returns its id. */
  grantUsers(users: string[]): string;
}

const KEY_NAME = /^[a-zA-Z0-9-]{1,127}$/;

/** The ARM template of the key-exchange key: RSA-HSM, key operation `import` only. */
function kekTemplate(armType: string): object {
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
