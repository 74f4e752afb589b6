import { ResourceGroupTemplateDeployment } from '@cdktf/provider-azurerm/lib/resource-group-template-deployment';
import { Fn, TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { AzureCustodians } from './custodians';
import type { HyokExternalStore } from './hyok-external-store';
import { KeyLocation } from './key-location';
import { AzureKeyOptions, KeyUserRole } from './key-options';
import { KeyVault, VaultSku } from './key-vault';
import { checkModelAllowed } from '../core/checks';
import { CustodianAssignment } from '../core/custodians';
import { DeploymentModel } from '../core/deployment-model';
import { EvidenceLedger } from '../core/evidence';
import { stableName } from '../core/naming';
import { ComplianceProfile } from '../core/profile';
import { shown, ValidationError } from '../core/validation';
import { optionalBoolean, optionalEnum } from '../terraform/input';
import { registerHsmKeyMatrix, registerVaultKeyMatrix } from './private/access-matrix';
import { checkAzureCustodians, checkVaultApprovers, checkVaultOwnedRoles, keyCustodianAssignments, requireVaultDualControl } from './private/custodian-checks';
import { hsmImportTarget, ImportTarget, kekTemplate, vaultImportTarget } from './private/import-target';
import { checkAzureKeyProps } from './private/input';
import { recordAzureKeyEvidence, recordContainerCustodians, recordImporterEvidence, recordVaultCustodians } from './private/key-evidence';
import { locationCreatesVault, resolveKeyLocation } from './private/key-location-input';
import { AzureKeySettings, describeRotationBound, hsmKeyKind, requireName, resolveAzureKeySettings } from './private/key-settings';
import { checkKeyNetwork } from './private/network';

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

  constructor(scope: Construct, id: string, props: ByokImportProps) {
    super(scope, id);
    checkAzureKeyProps(props, locationCreatesVault(props));
    const c = checkAzureCustodians(this.node.path, props.custodians, { importers: 'required' });
    optionalEnum('userRole', props.userRole, Object.values(KeyUserRole));
    optionalBoolean('keyImported', props.keyImported);
    const location = resolveKeyLocation(this.node.path, props);
    const shared = location.sharedVault;
    const hsm = location.hsmStore;
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
    const names = { keyName: this.keyName, kekName: this.kekName };
    let target: ImportTarget;
    if (hsm) {
      this.managedHsm = hsm;
      target = hsmImportTarget(this, names, hsm);
    } else {
      this.vault = this.vaultFor(props, shared, c.approvers, c.backupOperators);
      target = vaultImportTarget(this, names, this.vault, props.userRole ?? KeyUserRole.CRYPTO_USER);
    }
    const settings = resolveAzureKeySettings(scope, id, {
      ...props,
      profile: props.profile ?? target.profile,
      auditSink: props.auditSink ?? target.auditSink,
    }, hsmKeyKind(this.model));
    this.profile = settings.profile;
    if (this.vault) requireVaultDualControl(this.node.path, this.profile, this.vault);
    target.checkSeparation(assignments);
    const { deployment, kekId } = this.createKeyExchangeKey(target, kekSize, settings);
    this.kekId = kekId;

    target.grantImporters(c.importers ?? []);
    target.grantAuditors(c.auditors ?? []);
    let importedKeyScope: string | undefined;
    if (props.keyImported === true) {
      const imported = target.grantUsers(c.users ?? []);
      this.importedKeyId = imported.id;
      importedKeyScope = imported.scope;
    }
    c.administrators.forEach((a) => this.vault?.addAdministrator(a, 'custodians.administrators'));
    this.recordEvidence({ target, deployment, settings, assignments, importedKeyScope, importers: (c.importers ?? []).length });
  }

  /**
   * The key-exchange key, through an ARM template deployment (see the class comment), and the outputs the ceremony
   * CLI takes: its id, and the import command with this construct's target, name and expiry policy filled in.
   */
  private createKeyExchangeKey(target: ImportTarget, kekSize: number, settings: AzureKeySettings):
  { deployment: ResourceGroupTemplateDeployment; kekId: string } {
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
    const kekId = Fn.lookup(Fn.lookup(Fn.jsondecode(deployment.outputContent), 'kekId', {}), 'value', '');
    new TerraformOutput(this, 'KekId', {
      value: kekId,
      description: `Key-exchange key for ${this.node.path}: cloud-kms byok azure kek --kek-id <this>`,
    });
    new TerraformOutput(this, 'ImportCommand', {
      value: `cloud-kms byok azure import --vault-url ${target.url} --key-name ${this.keyName} --byok <file> --expires-in-days ${settings.expireAfterText}`,
      description: `Imports the wrapped key for ${this.node.path} (run by an importer)`,
    });
    return { deployment, kekId };
  }

  private recordEvidence(e: {
    target: ImportTarget;
    deployment: ResourceGroupTemplateDeployment;
    settings: AzureKeySettings;
    assignments: CustodianAssignment[];
    importedKeyScope?: string;
    importers: number;
  }): void {
    const { target, settings } = e;
    const ledger = EvidenceLedger.of(this);
    e.assignments.forEach((a) => ledger.addCustodian(this.node.path, a));
    if (this.vault) {
      recordVaultCustodians(this.node.path, this.vault, ledger);
      registerVaultKeyMatrix(this, this.vault, e.importedKeyScope ? [e.importedKeyScope] : []);
    } else if (this.managedHsm) {
      recordContainerCustodians(this.node.path, this.managedHsm._storeCustodians, ledger);
      registerHsmKeyMatrix(this, this.managedHsm, this.keyName);
    }
    recordAzureKeyEvidence({
      key: this,
      resource: e.deployment,
      constructName: 'ByokImport',
      settings,
      holder: this.managedHsm ? 'customer-generated key imported into a Managed HSM' : 'customer-generated key imported into a premium Key Vault HSM',
      auditSink: target.auditSink,
      parent: target.path,
      separation: 'administrators hold a role without cryptographic data actions; importers may only read keys and import; users hold a crypto role on the imported key only',
      dualControl: this.vault?.dualControl ? 'key administration is just-in-time: each activation needs an approver and MFA (PIM)'
        : this.managedHsm ? 'the security domain needs a quorum of certificate holders (M of N)' : undefined,
      manualRotation: {
        setting: 'import',
        value: `every ${settings.rotationText} days`,
        description: `rotated by importing a new version with cloud-kms byok azure import every ${settings.rotationText} days${describeRotationBound(settings)}; Azure cannot rotate imported material itself`,
      },
    });
    recordImporterEvidence(this, target.importerRolePath, target.importActions, e.importers);
  }

  /** The shared vault (checked for premium), or a premium vault of the import's own with its approvers and backup operators. */
  private vaultFor(props: ByokImportProps, shared: KeyVault | undefined, approvers: string[] | undefined,
    backupOperators: string[] | undefined): KeyVault {
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
    return vault;
  }
}

const KEY_NAME = /^[a-zA-Z0-9-]{1,127}$/;
