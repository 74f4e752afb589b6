import { KeyVaultKey } from '@cdktf/provider-azurerm/lib/key-vault-key';
import { Construct } from 'constructs';
import { AzureCustodians, azureAssignments } from './custodians';
import type { HyokExternalStore, ManagedHsmKey } from './hyok-external-store';
import { IKeyAuditSink } from './key-audit-sink';
import { KeySpec, KeyUsage } from './key-spec';
import { KeyVault, VaultSku } from './key-vault';
import { VaultNetwork } from './vault-network';
import { checkModelAllowed } from '../core/checks';
import { CustodianRole, SeparationOfDuties } from '../core/custodians';
import { DeploymentModel } from '../core/deployment-model';
import { EvidenceLedger } from '../core/evidence';
import { FipsLevel } from '../core/fips';
import { Period } from '../core/period';
import { ComplianceProfile } from '../core/profile';
import { ValidationError } from '../core/validation';
import { optionalEnum } from '../terraform/input';
import { registerVaultKeyMatrix } from './private/access-matrix';
import { checkAzureKeyProps, checkVaultApprovers, requireAzureCustodians } from './private/input';
import { recordAzureKeyEvidence } from './private/key-evidence';
import { AzureKeySettings, resolveAzureKeySettings } from './private/key-settings';
import { checkKeyNetwork } from './private/network';
import { stableName } from '../core/naming';
import { BUILT_IN, USER_ROLE_NAME } from './private/roles';
import { assignKeyRole, createVaultKey, recordVaultCustodians } from './private/vault-key';


/**
 * The built-in role key users get.
 */
export enum KeyUserRole {
  /**
   * The vault's custom role "cloud-kms key user": read, encrypt, decrypt, wrap, unwrap, sign, verify. (The built-in "Key
   * Vault Crypto User" also updates and backs up keys, which would let a user disable a key or carry it elsewhere.)
   */
  CRYPTO_USER = 'CRYPTO_USER',
  /** "Key Vault Crypto Service Encryption User": read, wrap and unwrap (for Azure services' managed identities). */
  SERVICE_ENCRYPTION_USER = 'SERVICE_ENCRYPTION_USER',
}


/**
 * Options shared by the Azure key constructs.
 */
export interface AzureKeyOptions {
  /** Resource group of the vault the construct creates (and of its private endpoint). */
  readonly resourceGroupName: string;
  /** Azure region. */
  readonly location: string;

  /**
   * The compliance profile the key must satisfy.
   * @default ComplianceProfile.COMMERCIAL
   */
  readonly profile?: ComplianceProfile;

  /**
   * Where the vault's audit logs go.
   * @default - none (required by profiles that require an audit sink)
   */
  readonly auditSink?: IKeyAuditSink;

  /**
   * Name of the key.
   * @default - derived from the construct path
   */
  readonly keyName?: string;

  /**
   * Key type and size or curve.
   * @default KeySpec.RSA_3072
   */
  readonly keySpec?: KeySpec;

  /**
   * What the key is for.
   * @default - ENCRYPT_DECRYPT for RSA, SIGN_VERIFY for EC
   */
  readonly keyUsage?: KeyUsage;

  /**
   * Automatic rotation: a new version this long after the current one was created. At least 7 days, at most the
   * profile's rotation period. May be `Period.days(tfVar.numberValue)` of a `TerraformVariable`: the construct adds a
   * `validation` to the variable that holds it to the same range (and below `expireAfter` less 7 days) at plan time;
   * any other token is refused.
   * @default - the profile's longest rotation period
   * @see https://learn.microsoft.com/azure/key-vault/keys/how-to-configure-key-rotation
   */
  readonly rotation?: Period;

  /**
   * Every version expires this long after creation (at least 28 days, and 7 days longer than `rotation`). A literal
   * period: a token is refused.
   * @default - rotation plus 30 days
   */
  readonly expireAfter?: Period;

  /**
   * Event Grid `KeyNearExpiry` notice this long before a version expires (at least 7 days). A literal period: a
   * token is refused.
   * @default Period.days(30)
   */
  readonly notifyBeforeExpiry?: Period;

  /**
   * An existing vault to create the key in.
   * @default - a vault of its own
   */
  readonly vault?: KeyVault;

  /**
   * Required when the construct creates its vault: purge protection cannot be turned off.
   * @default false
   */
  readonly acknowledgePurgeProtectionIsPermanent?: boolean;

  /**
   * Vault name when the construct creates one.
   * @default - the construct's id and a hash of the subscription and construct path (see README "Names", `NamingContext`)
   */
  readonly vaultName?: string;

  /**
   * How Terraform and clients reach the vault the construct creates: `VaultNetwork.privateEndpoint(...)` or
   * `VaultNetwork.allowList(...)`. Required when the construct creates its vault; a vault given through `vault` (or a
   * Managed HSM) brings its own.
   * @default - none: an error when the construct creates its vault
   */
  readonly network?: VaultNetwork;
}


/**
 * Properties of an Azure `CustomerManagedKey`.
 */
export interface CustomerManagedKeyProps extends AzureKeyOptions {
  /** Administrators, users, auditors and (under dual control) approvers, by object id. */
  readonly custodians: AzureCustodians;

  /**
   * A Managed HSM to create the key in, instead of a Key Vault.
   * @default - a premium Key Vault
   */
  readonly managedHsm?: HyokExternalStore;

  /**
   * The role users get.
   * @default KeyUserRole.CRYPTO_USER
   */
  readonly userRole?: KeyUserRole;
}

/**
 * The customer-managed model on Azure: an HSM-backed key (RSA-HSM, EC-HSM) in a premium Key Vault with RBAC
 * authorization, purge protection, 90-day soft delete and no public access, or a key in a Managed HSM. Separation
 * of duties: administrators get a custom role with no cryptographic data actions (at vault scope, just-in-time with
 * approval and MFA under dual control); users get a built-in crypto role on the key alone; auditors "Key Vault
 * Reader" on the key. The same object id in two conflicting roles is an error.
 */
export class CustomerManagedKey extends Construct {
  public readonly model: DeploymentModel;
  public readonly profile: ComplianceProfile;
  /** The vault holding the key, when it is in a Key Vault. */
  public readonly vault?: KeyVault;
  /** The Key Vault key resource, when it is in a Key Vault. */
  public readonly key?: KeyVaultKey;
  /** The key inside the Managed HSM, when given one. */
  public readonly hsmKey?: ManagedHsmKey;
  /** The versionless id of the key (what services reference). */
  public readonly keyId: string;
  public readonly keyName: string;
  private readonly settings: AzureKeySettings;
  private readonly userRole: KeyUserRole;

  constructor(scope: Construct, id: string, props: CustomerManagedKeyProps) {
    super(scope, id);
    checkAzureKeyProps(props, !props?.vault && !props?.managedHsm);
    const c = requireAzureCustodians(this.node.path, props.custodians);
    optionalEnum('userRole', props.userRole, Object.values(KeyUserRole));
    if ((c.importers ?? []).length > 0) {
      throw new ValidationError(`custodians.importers applies only to ByokImport, got ${c.importers!.length} for ${this.node.path}`);
    }
    this.model = DeploymentModel.CUSTOMER_MANAGED;
    // The model and the custodians are checked before anything is created.
    checkModelAllowed(props.profile ?? props.vault?.profile ?? props.managedHsm?.profile ?? ComplianceProfile.COMMERCIAL, this.model, this.node.path);
    if (props.vault && (c.approvers ?? []).length > 0) {
      throw new ValidationError(`custodians.approvers belong to the vault when it is shared: set approvers on ${props.vault.node.path}, not on ${this.node.path}`);
    }
    if (props.vault && (c.backupOperators ?? []).length > 0) {
      throw new ValidationError(`custodians.backupOperators belong to the vault when it is shared: set backupOperators on ${props.vault.node.path}, not on ${this.node.path}`);
    }
    const assignments = [
      ...azureAssignments(CustodianRole.ADMINISTRATOR, 'custodians.administrators', c.administrators),
      ...azureAssignments(CustodianRole.USER, 'custodians.users', c.users ?? []),
      ...azureAssignments(CustodianRole.AUDITOR, 'custodians.auditors', c.auditors ?? []),
    ];
    SeparationOfDuties.check([...assignments, ...azureAssignments(CustodianRole.APPROVER, 'custodians.approvers', c.approvers ?? []),
      ...azureAssignments(CustodianRole.BACKUP_OPERATOR, 'custodians.backupOperators', c.backupOperators ?? [])], this.node.path);
    this.userRole = props.userRole ?? KeyUserRole.CRYPTO_USER;
    const name = props.keyName ?? stableName(this, 'cmk-', 127);
    this.keyName = name;

    if (props.managedHsm) {
      if (props.vault) throw new ValidationError(`give either vault or managedHsm for ${this.node.path}, not both`);
      checkKeyNetwork(props.network, props.managedHsm, this.node.path);
      this.settings = resolveAzureKeySettings(scope, id, { ...props, profile: props.profile ?? props.managedHsm.profile },
        this.model, true, FipsLevel.LEVEL_3);
      this.profile = this.settings.profile;
      this.hsmKey = props.managedHsm._createKey(this, 'HsmKey', {
        name, settings: this.settings, custodians: c, constructName: 'CustomerManagedKey', model: this.model, subject: this,
      });
      this.keyId = this.hsmKey.keyId;
      return;
    }

    checkKeyNetwork(props.network, props.vault, this.node.path);
    if (!props.vault) checkVaultApprovers(this.node.path, props.profile, c.approvers);
    const vault = props.vault ?? new KeyVault(this, 'Vault', {
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      name: props.vaultName,
      sku: VaultSku.PREMIUM,
      profile: props.profile,
      auditSink: props.auditSink,
      acknowledgePurgeProtectionIsPermanent: props.acknowledgePurgeProtectionIsPermanent ?? false,
      network: props.network!,
      approvers: c.approvers,
      backupOperators: c.backupOperators,
    });
    if (vault.sku !== VaultSku.PREMIUM) {
      throw new ValidationError(`vault ${vault.node.path} is a standard vault; HSM-protected keys (RSA-HSM, EC-HSM) need VaultSku.PREMIUM`);
    }
    this.settings = resolveAzureKeySettings(scope, id, {
      ...props,
      profile: props.profile ?? vault.profile,
      auditSink: props.auditSink ?? vault.auditSink,
    },
    this.model, true, FipsLevel.LEVEL_3);
    this.profile = this.settings.profile;
    if (this.profile.dualControlRequired && !vault.dualControl) {
      throw new ValidationError(`custodians.approvers must name at least 2 approvers for dual control on ${this.node.path} (profile ${this.profile.name}); vault ${vault.node.path} has none`);
    }
    // Checked against everyone with a vault-wide role too (approvers, the deployment principal, other keys' admins).
    vault._checkSeparation(assignments, this.node.path);
    this.vault = vault;
    this.key = createVaultKey(this, vault, name, this.settings, [vault.deploymentAccess]);
    this.keyId = this.key.versionlessId;

    c.administrators.forEach((a) => vault.addAdministrator(a, 'custodians.administrators'));
    const ledger = EvidenceLedger.of(this);
    for (const a of assignments) ledger.addCustodian(this.node.path, a);
    recordVaultCustodians(this.node.path, vault, ledger);
    for (const u of c.users ?? []) {
      if (this.userRole === KeyUserRole.SERVICE_ENCRYPTION_USER) this.allowService(u);
      assignKeyRole(this, this.key.resourceVersionlessId, this.node.path, this.userRoleOf(this.userRole), u, 'User');
    }
    for (const a of c.auditors ?? []) assignKeyRole(this, this.key.resourceVersionlessId, this.node.path, BUILT_IN.KEY_VAULT_READER, a, 'Auditor');
    registerVaultKeyMatrix(this, vault, [this.key.resourceVersionlessId]);

    recordAzureKeyEvidence({
      key: this,
      resource: this.key,
      constructName: 'CustomerManagedKey',
      model: this.model,
      settings: this.settings,
      fipsLevel: FipsLevel.LEVEL_3,
      holder: 'HSM-protected key in a premium Key Vault',
      auditSink: vault.auditSink,
      parent: vault.node.path,
      separation: 'administrators hold a custom role without cryptographic data actions, backup or restore; users hold a use-only role on this key; ' +
        'auditors read only; the deployment principal creates keys and rotation policies only',
      dualControl: vault.dualControl ? 'key administration is just-in-time: each activation needs an approver and MFA (PIM)' : undefined,
    });
  }

  /** Lets an object id encrypt, decrypt, wrap and unwrap with this key (a role assignment on the key alone). */
  public grantEncryptDecrypt(objectId: string): void {
    this.grantUse(objectId, KeyUserRole.CRYPTO_USER);
  }

  /** Lets an Azure service's managed identity wrap and unwrap with this key (e.g. storage or disk encryption). */
  public grantServiceEncryption(objectId: string): void {
    this.grantUse(objectId, KeyUserRole.SERVICE_ENCRYPTION_USER);
  }

  /**
   * A service using the key with its managed identity calls the vault from Microsoft's networks: the vault's firewall lets
   * trusted services through from then on (for a shared vault too), and its evidence names the grant.
   */
  private allowService(objectId: string): void {
    const reason = `service encryption by ${objectId} with ${this.node.path}`;
    // A key in a Managed HSM opens the HSM's firewall when the service is assigned (ManagedHsmKey._grantUse).
    if (!this.hsmKey) this.vault!._allowTrustedServices(reason);
  }

  private grantUse(objectId: string, role: KeyUserRole): void {
    const added = azureAssignments(CustodianRole.USER, 'grantee', [objectId]);
    if (role === KeyUserRole.SERVICE_ENCRYPTION_USER) this.allowService(objectId);
    if (this.hsmKey) {
      this.hsmKey._grantUse(objectId, role === KeyUserRole.SERVICE_ENCRYPTION_USER);
      return;
    }
    const ledger = EvidenceLedger.of(this);
    this.vault!._checkSeparation([...ledger.custodiansOf(this.node.path), ...added], this.node.path);
    added.forEach((a) => ledger.addCustodian(this.node.path, a));
    assignKeyRole(this, this.key!.resourceVersionlessId, this.node.path, this.userRoleOf(role), objectId, role === KeyUserRole.CRYPTO_USER ? 'User' : 'ServiceUser');
  }

  private userRoleOf(role: KeyUserRole): string {
    return role === KeyUserRole.CRYPTO_USER ? this.vault!._keyUserRoleId() : USER_ROLE_NAME[role];
  }
}
