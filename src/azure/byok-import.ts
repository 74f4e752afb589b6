import { ResourceGroupTemplateDeployment } from '@cdktf/provider-azurerm/lib/resource-group-template-deployment';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { RoleDefinition } from '@cdktf/provider-azurerm/lib/role-definition';
import { Fn, TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { AzureCustodians, azureAssignments } from './custodians';
import { AzureKeyOptions } from './customer-managed-key';
import { KeyVault, VaultSku } from './key-vault';
import { checkModelAllowed } from '../core/checks';
import { Control } from '../core/controls';
import { CustodianRole, SeparationOfDuties } from '../core/custodians';
import { DeploymentModel } from '../core/deployment-model';
import { EvidenceLedger, EvidenceStatus } from '../core/evidence';
import { FipsLevel } from '../core/fips';
import { ComplianceProfile } from '../core/profile';
import { ValidationError } from '../core/validation';
import { recordAzureKeyEvidence } from './private/key-evidence';
import { resolveAzureKeySettings } from './private/key-settings';
import { stableGuid, stableName } from './private/naming';
import { BUILT_IN, VAULT_IMPORT_DATA_ACTIONS } from './private/roles';

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
  /** Administrators, users, auditors and the importers (who alone may import into the vault), by object id. */
  readonly custodians: AzureCustodians;

  /**
   * Name the imported key will have in the vault (the CLI imports into it).
   * @default - derived from the construct path
   */
  readonly targetKeyName?: string;

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
 * Bring your own key on Azure: a premium Key Vault as the import target, and a key-exchange key (RSA-HSM with only
 * the `import` operation) whose public half wraps the customer's key in a `.byok` transfer blob
 * (`cloud-kms byok wrap --algorithm AZURE_BYOK`), uploaded with `cloud-kms byok azure import`.
 *
 * azurerm 4.55's key resource cannot create a key with the `import` operation (hashicorp/terraform-provider-azurerm
 * issue 32943, PR 33022 open), so the key-exchange key is created through an ARM template deployment, which the
 * provider supports; its id is a Terraform output. Importers get a custom role limited to reading keys and importing.
 */
export class ByokImport extends Construct {
  public readonly model: DeploymentModel;
  public readonly profile: ComplianceProfile;
  public readonly vault: KeyVault;
  /** The versioned id of the key-exchange key (`https://<vault>.vault.azure.net/keys/<name>/<version>`), for the CLI. */
  public readonly kekId: string;
  public readonly kekName: string;
  /** The name the imported key takes. */
  public readonly targetKeyName: string;

  constructor(scope: Construct, id: string, props: ByokImportProps) {
    super(scope, id);
    const c = props.custodians;
    if (!c || (c.administrators ?? []).length === 0) {
      throw new ValidationError(`custodians.administrators must name at least one object id for ${this.node.path}, got none`);
    }
    if ((c.importers ?? []).length === 0) {
      throw new ValidationError(`custodians.importers must name at least one object id for ${this.node.path}, got none`);
    }
    checkModelAllowed(props.profile ?? props.vault?.profile ?? ComplianceProfile.COMMERCIAL, DeploymentModel.BYOK, this.node.path);
    SeparationOfDuties.check([
      ...azureAssignments(CustodianRole.ADMINISTRATOR, 'custodians.administrators', c.administrators),
      ...azureAssignments(CustodianRole.USER, 'custodians.users', c.users ?? []),
      ...azureAssignments(CustodianRole.AUDITOR, 'custodians.auditors', c.auditors ?? []),
      ...azureAssignments(CustodianRole.IMPORTER, 'custodians.importers', c.importers ?? []),
      ...azureAssignments(CustodianRole.APPROVER, 'custodians.approvers', c.approvers ?? []),
    ], this.node.path);
    const kekSize = props.kekSize ?? KekSize.RSA_4096;
    if (![2048, 3072, 4096].includes(kekSize)) {
      throw new ValidationError(`kekSize must be 2048, 3072 or 4096, got ${kekSize}`);
    }
    this.vault = props.vault ?? new KeyVault(this, 'Vault', {
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      name: props.vaultName,
      sku: VaultSku.PREMIUM,
      profile: props.profile,
      auditSink: props.auditSink,
      acknowledgePurgeProtectionIsPermanent: props.acknowledgePurgeProtectionIsPermanent ?? false,
      allowedIpRanges: props.allowedIpRanges,
      allowedSubnetIds: props.allowedSubnetIds,
      privateEndpointSubnetId: props.privateEndpointSubnetId,
      approvers: c.approvers,
    });
    if (this.vault.sku !== VaultSku.PREMIUM) {
      throw new ValidationError(`vault ${this.vault.node.path} is a standard vault; BYOK needs HSM-protected keys (VaultSku.PREMIUM)`);
    }
    const settings = resolveAzureKeySettings(scope, id, {
      ...props,
      profile: props.profile ?? this.vault.profile,
      auditSink: props.auditSink ?? this.vault.auditSink,
    },
    DeploymentModel.BYOK, true, FipsLevel.LEVEL_3);
    this.model = DeploymentModel.BYOK;
    this.profile = settings.profile;
    const assignments = [
      ...azureAssignments(CustodianRole.ADMINISTRATOR, 'custodians.administrators', c.administrators),
      ...azureAssignments(CustodianRole.USER, 'custodians.users', c.users ?? []),
      ...azureAssignments(CustodianRole.AUDITOR, 'custodians.auditors', c.auditors ?? []),
      ...azureAssignments(CustodianRole.IMPORTER, 'custodians.importers', c.importers ?? []),
    ];
    this.vault._checkSeparation(assignments, this.node.path);
    c.administrators.forEach((a) => this.vault.addAdministrator(a, 'custodians.administrators'));

    this.kekName = props.kekName ?? stableName(this, 'kek-', 127);
    this.targetKeyName = props.targetKeyName ?? stableName(this, 'byok-', 127);
    const deployment = new ResourceGroupTemplateDeployment(this, 'KeyExchangeKey', {
      name: stableName(this, 'kek-deploy-', 64),
      resourceGroupName: props.resourceGroupName,
      deploymentMode: 'Incremental',
      templateContent: JSON.stringify(kekTemplate()),
      parametersContent: JSON.stringify({
        vaultName: { value: this.vault.vaultName },
        kekName: { value: this.kekName },
        kekSize: { value: kekSize },
      }),
      dependsOn: [this.vault.deploymentAccess],
    });
    this.kekId = Fn.lookup(Fn.lookup(Fn.jsondecode(deployment.outputContent), 'kekId', {}), 'value', '');
    new TerraformOutput(this, 'KekId', {
      value: this.kekId,
      description: `Key-exchange key for ${this.node.path}: cloud-kms byok wrap --algorithm AZURE_BYOK --kek-id <this>`,
    });

    const importerRole = new RoleDefinition(this, 'ImporterRole', {
      name: `cloud-kms key importer (${this.vault.vaultName})`,
      scope: this.vault.vaultId,
      assignableScopes: [this.vault.vaultId],
      description: 'Reads the key-exchange key and imports wrapped key material into one vault; nothing else.',
      permissions: [{ actions: [], dataActions: VAULT_IMPORT_DATA_ACTIONS }],
    });
    for (const importer of c.importers ?? []) {
      new RoleAssignment(this, `Importer${stableGuid(importer).slice(0, 8)}`, {
        name: stableGuid(this.node.path, 'importer', importer.toLowerCase()),
        scope: this.vault.vaultId,
        roleDefinitionId: importerRole.roleDefinitionResourceId,
        principalId: importer,
      });
    }
    for (const auditor of c.auditors ?? []) {
      new RoleAssignment(this, `Auditor${stableGuid(auditor).slice(0, 8)}`, {
        name: stableGuid(this.node.path, 'auditor', auditor.toLowerCase()),
        scope: this.vault.vaultId,
        roleDefinitionName: BUILT_IN.KEY_VAULT_READER,
        principalId: auditor,
      });
    }

    const ledger = EvidenceLedger.of(this);
    assignments.forEach((a) => ledger.addCustodian(this.node.path, a));
    recordAzureKeyEvidence({
      key: this,
      resource: deployment,
      constructName: 'ByokImport',
      model: this.model,
      settings,
      fipsLevel: FipsLevel.LEVEL_3,
      holder: 'customer-generated key imported into a premium Key Vault HSM',
      auditSink: this.vault.auditSink,
      parent: this.vault.node.path,
      separation: 'administrators hold a custom role without cryptographic data actions; importers may only read keys and import; users and auditors are assigned on the imported key by its owners',
      dualControl: this.vault.dualControl ? 'key administration is just-in-time: each activation needs an approver and MFA (PIM)' : undefined,
      manualRotation: {
        setting: 'import',
        value: `every ${settings.rotationDays} days`,
        description: `rotated by importing a new version with cloud-kms byok azure import every ${settings.rotationDays} days; Key Vault cannot rotate imported material itself`,
      },
    });
    for (const control of [Control.PCI_3_6_1_3, Control.NIST_AC_5]) {
      ledger.record({
        control,
        status: EvidenceStatus.SATISFIED,
        subject: this.node.path,
        resource: importerRole.node.path,
        setting: 'importer role data actions',
        value: VAULT_IMPORT_DATA_ACTIONS.join(', '),
        description: `only the ${(c.importers ?? []).length} named importers may import key material into the vault`,
      });
    }
  }
}

/** The ARM template of the key-exchange key: RSA-HSM, key operation `import` only. */
function kekTemplate(): object {
  return {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    parameters: {
      vaultName: { type: 'string' },
      kekName: { type: 'string' },
      kekSize: { type: 'int', allowedValues: [2048, 3072, 4096] },
    },
    resources: [{
      type: 'Microsoft.KeyVault/vaults/keys',
      apiVersion: '2023-07-01',
      name: "[format('{0}/{1}', parameters('vaultName'), parameters('kekName'))]",
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
        value: "[reference(resourceId('Microsoft.KeyVault/vaults/keys', parameters('vaultName'), parameters('kekName')), '2023-07-01').keyUriWithVersion]",
      },
    },
  };
}
