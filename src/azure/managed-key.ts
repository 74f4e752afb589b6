import { KeyVaultKey } from '@cdktf/provider-azurerm/lib/key-vault-key';
import { Construct } from 'constructs';
import { azureAssignments } from './custodians';
import { AzureKeyOptions } from './key-options';
import { KeyVault, VaultSku } from './key-vault';
import { checkModelAllowed } from '../core/checks';
import { CustodianRole } from '../core/custodians';
import { DeploymentModel } from '../core/deployment-model';
import { EvidenceLedger } from '../core/evidence';
import { FipsLevel } from '../core/fips';
import { fipsLevelRank } from '../core/fips-rank';
import { ComplianceProfile } from '../core/profile';
import { ValidationError } from '../core/validation';
import { optionalList } from '../terraform/input';
import { registerVaultKeyMatrix } from './private/access-matrix';
import { checkAzureKeyProps } from './private/input';
import { recordAzureKeyEvidence, recordVaultCustodians } from './private/key-evidence';
import { AzureKeySettings, resolveAzureKeySettings } from './private/key-settings';
import { checkKeyNetwork } from './private/network';
import { stableName } from '../core/naming';
import { assignKeyRole, createVaultKey } from './private/key-resource';
import { BUILT_IN } from './private/roles';

/**
 * Properties of an Azure `ManagedKey`.
 */
export interface ManagedKeyProps extends AzureKeyOptions {
  /**
   * An existing vault to create the key in.
   * @default - a vault of its own
   */
  readonly vault?: KeyVault;

  /**
   * Object ids that may use the key ("Key Vault Crypto User" on the key).
   * @default - none; add with grantEncryptDecrypt
   */
  readonly users?: string[];
}

/**
 * The provider-managed model on Azure: a key in a Key Vault with a rotation policy and an expiry. The vault is
 * standard (software keys, FIPS 140 Level 1) where the profile accepts software keys, premium with HSM keys
 * otherwise. Access is plain Azure RBAC: whoever holds Key Vault roles on the vault or above decides, as with the
 * provider's defaults; use `CustomerManagedKey` to enforce separation of duties.
 */
export class ManagedKey extends Construct {
  public readonly model: DeploymentModel;
  public readonly profile: ComplianceProfile;
  public readonly vault: KeyVault;
  public readonly key: KeyVaultKey;
  /** The versionless id of the key. */
  public readonly keyId: string;
  public readonly keyName: string;
  private readonly settings: AzureKeySettings;

  constructor(scope: Construct, id: string, props: ManagedKeyProps) {
    super(scope, id);
    checkAzureKeyProps(props, !props?.vault);
    // Checked as a list first: an id twice is refused by name (two role assignments would share a construct id).
    azureAssignments(CustodianRole.USER, 'users', optionalList('users', props.users));
    const profile = props.profile ?? props.vault?.profile ?? ComplianceProfile.COMMERCIAL;
    // The model is checked before anything is created.
    checkModelAllowed(profile, DeploymentModel.PROVIDER_MANAGED, this.node.path);
    const software = fipsLevelRank(profile.minimumFipsLevel) <= fipsLevelRank(FipsLevel.LEVEL_1);
    checkKeyNetwork(props.network, props.vault, this.node.path);
    this.vault = props.vault ?? new KeyVault(this, 'Vault', {
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      name: props.vaultName,
      sku: software ? VaultSku.STANDARD : VaultSku.PREMIUM,
      profile,
      auditSink: props.auditSink,
      acknowledgePurgeProtectionIsPermanent: props.acknowledgePurgeProtectionIsPermanent ?? false,
      network: props.network!,
    });
    const hsm = this.vault.sku === VaultSku.PREMIUM && !software;
    this.settings = resolveAzureKeySettings(scope, id, { ...props, profile, auditSink: props.auditSink ?? this.vault.auditSink },
      { model: DeploymentModel.PROVIDER_MANAGED, hsm, fipsLevel: hsm ? FipsLevel.LEVEL_3 : FipsLevel.LEVEL_1 });
    this.model = DeploymentModel.PROVIDER_MANAGED;
    this.profile = this.settings.profile;
    this.keyName = props.keyName ?? stableName(this, 'key-', 127);
    this.key = createVaultKey(this, this.vault, this.keyName, this.settings, [this.vault.deploymentAccess]);
    this.keyId = this.key.versionlessId;
    for (const u of props.users ?? []) this.grantEncryptDecrypt(u);
    recordVaultCustodians(this.node.path, this.vault, EvidenceLedger.of(this));
    registerVaultKeyMatrix(this, this.vault, [this.key.resourceVersionlessId]);
    recordAzureKeyEvidence({
      key: this,
      resource: this.key,
      constructName: 'ManagedKey',
      settings: this.settings,
      holder: hsm ? 'HSM-protected key in a premium Key Vault' : 'software-protected key in a standard Key Vault',
      auditSink: this.vault.auditSink,
      parent: this.vault.node.path,
    });
  }

  /** Lets an object id encrypt, decrypt, wrap and unwrap with this key ("Key Vault Crypto User" on the key). */
  public grantEncryptDecrypt(objectId: string): void {
    const [a] = azureAssignments(CustodianRole.USER, 'grantee', [objectId]);
    if (!a) throw new ValidationError('grantEncryptDecrypt needs an object id');
    EvidenceLedger.of(this).addCustodian(this.node.path, a);
    assignKeyRole(this, this.key.resourceVersionlessId, this.node.path, BUILT_IN.CRYPTO_USER, objectId, 'User');
  }
}
