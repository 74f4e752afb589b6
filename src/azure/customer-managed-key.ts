import { KeyVaultKey } from '@cdktf/provider-azurerm/lib/key-vault-key';
import { Construct } from 'constructs';
import { AzureCustodians, azureAssignments } from './custodians';
import type { HyokExternalStore } from './hyok-external-store';
import { KeyLocation } from './key-location';
import { AzureKeyOptions, KeyUserRole } from './key-options';
import { KeyVault, VaultSku } from './key-vault';
import type { ManagedHsmKey } from './managed-hsm-key';
import { checkModelAllowed } from '../core/checks';
import { CustodianAssignment, CustodianRole } from '../core/custodians';
import { DeploymentModel } from '../core/deployment-model';
import { EvidenceLedger } from '../core/evidence';
import { stableName } from '../core/naming';
import { ComplianceProfile } from '../core/profile';
import { ValidationError } from '../core/validation';
import { optionalEnum } from '../terraform/input';
import { registerVaultKeyMatrix } from './private/access-matrix';
import { checkAzureCustodians, checkVaultApprovers, checkVaultOwnedRoles, keyCustodianAssignments, requireVaultDualControl } from './private/custodian-checks';
import { checkAzureKeyProps } from './private/input';
import { recordAzureKeyEvidence, recordVaultCustodians } from './private/key-evidence';
import { locationCreatesVault, resolveKeyLocation } from './private/key-location-input';
import { assignKeyRole, createVaultKey } from './private/key-resource';
import { AzureKeySettings, hsmKeyKind, resolveAzureKeySettings } from './private/key-settings';
import { checkKeyNetwork } from './private/network';
import { BUILT_IN, USER_ROLE_NAME } from './private/roles';

/**
 * Properties of an Azure `CustomerManagedKey`.
 */
export interface CustomerManagedKeyProps extends AzureKeyOptions {
  /** Administrators, users, auditors and (under dual control) approvers, by object id. */
  readonly custodians: AzureCustodians;

  /**
   * Where the key lives: `KeyLocation.newVault()`, `KeyLocation.vault(v)` or `KeyLocation.managedHsm(h)`.
   * @default KeyLocation.newVault() - a premium Key Vault of its own
   */
  readonly keyLocation?: KeyLocation;

  /**
   * An existing vault to create the key in.
   * @default - a vault of its own
   * @deprecated use `keyLocation: KeyLocation.vault(vault)`
   */
  readonly vault?: KeyVault;

  /**
   * A Managed HSM to create the key in, instead of a Key Vault.
   * @default - a premium Key Vault
   * @deprecated use `keyLocation: KeyLocation.managedHsm(store)`
   */
  readonly managedHsm?: HyokExternalStore;

  /**
   * The role users get.
   * @default KeyUserRole.CRYPTO_USER
   */
  readonly userRole?: KeyUserRole;
}

/** Where the key was made: in a Key Vault, or in a Managed HSM. */
type KeyTarget = { readonly vault: KeyVault; readonly key: KeyVaultKey } | { readonly hsmKey: ManagedHsmKey };

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
  private readonly target: KeyTarget;

  constructor(scope: Construct, id: string, props: CustomerManagedKeyProps) {
    super(scope, id);
    checkAzureKeyProps(props, locationCreatesVault(props));
    const c = checkAzureCustodians(this.node.path, props.custodians);
    optionalEnum('userRole', props.userRole, Object.values(KeyUserRole));
    const location = resolveKeyLocation(this.node.path, props);
    const shared = location.sharedVault;
    const hsm = location.hsmStore;
    this.model = DeploymentModel.CUSTOMER_MANAGED;
    // The model and the custodians are checked before anything is created.
    checkModelAllowed(props.profile ?? shared?.profile ?? hsm?.profile ?? ComplianceProfile.COMMERCIAL, this.model, this.node.path);
    if (shared) checkVaultOwnedRoles(this.node.path, c, shared);
    const assignments = keyCustodianAssignments(this.node.path, c);
    this.userRole = props.userRole ?? KeyUserRole.CRYPTO_USER;
    this.keyName = props.keyName ?? stableName(this, 'cmk-', 127);

    if (hsm) {
      checkKeyNetwork(props.network, hsm, this.node.path);
      this.settings = resolveAzureKeySettings(scope, id, { ...props, profile: props.profile ?? hsm.profile }, hsmKeyKind(this.model));
      this.profile = this.settings.profile;
      this.hsmKey = hsm._createKey(this, 'HsmKey', {
        name: this.keyName, settings: this.settings, custodians: c, constructName: 'CustomerManagedKey', subject: this,
      });
      this.keyId = this.hsmKey.keyId;
      this.target = { hsmKey: this.hsmKey };
      return;
    }

    const vault = this.vaultFor(props, shared, c);
    this.settings = resolveAzureKeySettings(scope, id, {
      ...props,
      profile: props.profile ?? vault.profile,
      auditSink: props.auditSink ?? vault.auditSink,
    }, hsmKeyKind(this.model));
    this.profile = this.settings.profile;
    requireVaultDualControl(this.node.path, this.profile, vault);
    // Checked against everyone with a vault-wide role too (approvers, the deployment principal, other keys' admins).
    vault._checkSeparation(assignments, this.node.path);
    this.vault = vault;
    this.key = createVaultKey(this, vault, this.keyName, this.settings, [vault.deploymentAccess]);
    this.keyId = this.key.versionlessId;
    this.target = { vault, key: this.key };
    this.assignCustodians(vault, this.key, c, assignments);
    this.recordEvidence(vault, this.key);
  }

  /** Lets an object id encrypt, decrypt, wrap and unwrap with this key (a role assignment on the key alone). */
  public grantEncryptDecrypt(objectId: string): void {
    this.grantUse(objectId, KeyUserRole.CRYPTO_USER);
  }

  /** Lets an Azure service's managed identity wrap and unwrap with this key (e.g. storage or disk encryption). */
  public grantServiceEncryption(objectId: string): void {
    this.grantUse(objectId, KeyUserRole.SERVICE_ENCRYPTION_USER);
  }

  /** The shared vault (checked for premium), or a premium vault of the key's own with its approvers and backup operators. */
  private vaultFor(props: CustomerManagedKeyProps, shared: KeyVault | undefined, c: AzureCustodians): KeyVault {
    checkKeyNetwork(props.network, shared, this.node.path);
    if (!shared) checkVaultApprovers(this.node.path, props.profile, c.approvers);
    const vault = shared ?? new KeyVault(this, 'Vault', {
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
    return vault;
  }

  /** Administrators on the vault, users and auditors on the key alone; every custodian in the ledger and the access matrix. */
  private assignCustodians(vault: KeyVault, key: KeyVaultKey, c: AzureCustodians, assignments: CustodianAssignment[]): void {
    c.administrators.forEach((a) => vault.addAdministrator(a, 'custodians.administrators'));
    const ledger = EvidenceLedger.of(this);
    for (const a of assignments) ledger.addCustodian(this.node.path, a);
    recordVaultCustodians(this.node.path, vault, ledger);
    for (const u of c.users ?? []) {
      if (this.userRole === KeyUserRole.SERVICE_ENCRYPTION_USER) this.allowService(u);
      assignKeyRole(this, key.resourceVersionlessId, this.node.path, this.userRoleOf(vault, this.userRole), u, 'User');
    }
    for (const a of c.auditors ?? []) assignKeyRole(this, key.resourceVersionlessId, this.node.path, BUILT_IN.KEY_VAULT_READER, a, 'Auditor');
    registerVaultKeyMatrix(this, vault, [key.resourceVersionlessId]);
  }

  private recordEvidence(vault: KeyVault, key: KeyVaultKey): void {
    recordAzureKeyEvidence({
      key: this,
      resource: key,
      constructName: 'CustomerManagedKey',
      settings: this.settings,
      holder: 'HSM-protected key in a premium Key Vault',
      auditSink: vault.auditSink,
      parent: vault.node.path,
      separation: 'administrators hold a custom role without cryptographic data actions, backup or restore; users hold a use-only role on this key; ' +
        'auditors read only; the deployment principal creates keys and rotation policies only',
      dualControl: vault.dualControl ? 'key administration is just-in-time: each activation needs an approver and MFA (PIM)' : undefined,
    });
  }

  /**
   * A service using the key with its managed identity calls the vault from Microsoft's networks: the vault's firewall lets
   * trusted services through from then on (for a shared vault too), and its evidence names the grant.
   */
  private allowService(objectId: string): void {
    const reason = `service encryption by ${objectId} with ${this.node.path}`;
    // A key in a Managed HSM opens the HSM's firewall when the service is assigned (ManagedHsmKey._grantUse).
    this.vault?._allowTrustedServices(reason);
  }

  private grantUse(objectId: string, role: KeyUserRole): void {
    const added = azureAssignments(CustodianRole.USER, 'grantee', [objectId]);
    if (role === KeyUserRole.SERVICE_ENCRYPTION_USER) this.allowService(objectId);
    const target = this.target;
    if ('hsmKey' in target) {
      target.hsmKey._grantUse(objectId, role === KeyUserRole.SERVICE_ENCRYPTION_USER);
      return;
    }
    const ledger = EvidenceLedger.of(this);
    target.vault._checkSeparation([...ledger.custodiansOf(this.node.path), ...added], this.node.path);
    added.forEach((a) => ledger.addCustodian(this.node.path, a));
    assignKeyRole(this, target.key.resourceVersionlessId, this.node.path, this.userRoleOf(target.vault, role), objectId,
      role === KeyUserRole.CRYPTO_USER ? 'User' : 'ServiceUser');
  }

  private userRoleOf(vault: KeyVault, role: KeyUserRole): string {
    return role === KeyUserRole.CRYPTO_USER ? vault._keyUserRoleId() : USER_ROLE_NAME[role];
  }
}
