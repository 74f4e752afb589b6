import { KeyVaultManagedHardwareSecurityModule } from '@cdktf/provider-azurerm/lib/key-vault-managed-hardware-security-module';
import { KeyVaultManagedHardwareSecurityModuleRoleAssignment } from '@cdktf/provider-azurerm/lib/key-vault-managed-hardware-security-module-role-assignment';
import { KeyVaultManagedHardwareSecurityModuleRoleDefinition } from '@cdktf/provider-azurerm/lib/key-vault-managed-hardware-security-module-role-definition';
import type { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { AzureCustodians, azureAssignments } from './custodians';
import { HyokExternalStoreProps } from './hyok-external-store-props';
import { IKeyAuditSink, KeyAuditSink } from './key-audit-sink';
import { clientConfig } from './key-vault';
import { HsmKeyRequest, ManagedHsmKey, ManagedHsmKeyOptions } from './managed-hsm-key';
import { CustodianAssignment, CustodianRole, SeparationOfDuties } from '../core/custodians';
import { DeploymentModel } from '../core/deployment-model';
import { FipsLevel } from '../core/fips';
import { nameFor, stableGuid } from '../core/naming';
import { ComplianceProfile } from '../core/profile';
import { normalizeRegion } from '../core/residency';
import { ValidationError } from '../core/validation';
import { optionalPeriod } from '../terraform/input';
import { checkAzureCustodians, storeKeyAssignments } from './private/custodian-checks';
import { checkHyokStoreCustody, checkHyokStoreProps } from './private/hsm-store-input';
import { recordManagedHsmEvidence, recordManagedHsmNetwork } from './private/key-evidence';
import { resolveAzureKeySettings } from './private/key-settings';
import { AttachedNetwork } from './private/network';
import { literalRegions } from './private/residency';
import {
  HSM_BUILT_IN, HSM_CRYPTO_DATA_ACTIONS, HSM_DEPLOYER_DATA_ACTIONS, HSM_EXPORT_DATA_ACTIONS, HSM_KEY_BACKUP_DATA_ACTIONS,
  HSM_KEY_MANAGEMENT_DATA_ACTIONS, hsmRoleDefinitionId,
} from './private/roles';

// The store's props have a file of their own; importers of this file (and the azure index) still find them here.
export * from './hyok-external-store-props';

/**
 * Hold your own key on Azure: a Managed HSM (FIPS 140-3 Level 3, single tenant) activated with a security domain
 * that only the customer can recover — encrypted to 3–10 customer certificates with an M-of-N quorum (split
 * knowledge). Local RBAC separates duties: key administrators get a custom role without cryptographic data actions,
 * users a custom crypto-only role on their key, auditors "Managed HSM Crypto Auditor".
 *
 * Unlike AWS XKS or Google Cloud EKM, the key material is inside Microsoft-operated HSMs; what the customer holds is
 * the security domain (the HSM's root of trust), so Microsoft cannot restore or move the HSM without the customer's
 * quorum. See the README for what that does and does not protect against.
 */
export class HyokExternalStore extends Construct {
  public readonly hsm: KeyVaultManagedHardwareSecurityModule;
  public readonly hsmId: string;
  /** The private endpoint to the HSM. */
  public readonly privateEndpoint?: PrivateEndpoint;
  /** Whether this deployment activates the HSM (security domain, roles, keys); see `activate`. */
  public readonly activated: boolean;
  public readonly hsmUri: string;
  public readonly profile: ComplianceProfile;
  public readonly auditSink?: IKeyAuditSink;
  public readonly custodians: AzureCustodians;
  public readonly fipsLevel: FipsLevel;
  private readonly keyAdminRole!: KeyVaultManagedHardwareSecurityModuleRoleDefinition;
  private readonly keyUserRole!: KeyVaultManagedHardwareSecurityModuleRoleDefinition;
  private readonly deployerAccess!: KeyVaultManagedHardwareSecurityModuleRoleAssignment;
  private readonly attachedNetwork: AttachedNetwork;
  private readonly assignments: CustodianAssignment[] = [];

  constructor(scope: Construct, id: string, props: HyokExternalStoreProps) {
    super(scope, id);
    const profile = checkHyokStoreProps(this, props);
    const auditSink = KeyAuditSink._resolve(this, props.auditSink, props.auditOptOutReason, props.resourceGroupName, props.location);
    const { certs, retentionDays, name } = checkHyokStoreCustody(this, props, profile);
    const c = checkAzureCustodians(this.node.path, props.custodians, { importers: 'unchecked' });
    this.profile = profile;
    this.auditSink = auditSink;
    this.custodians = c;
    this.fipsLevel = FipsLevel.LEVEL_3;
    const client = clientConfig(this);
    const deployer = props.deploymentPrincipalId ?? client.objectId;
    const backupOperators = this.collectAssignments(props.hsmAdministrators, deployer, c);
    this.hsm = this.createHsm(props, { name, tenantId: client.tenantId, deployer, certs, retentionDays });
    this.activated = props.activate;
    this.attachedNetwork = props.network._attach(this, {
      service: 'managedhsm',
      resourceId: this.hsm.id,
      name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      putAcls: (acls) => this.hsm.putNetworkAcls({ defaultAction: acls.defaultAction, bypass: acls.bypass }),
      record: (value, description, status) => recordManagedHsmNetwork(this, this.hsm, value, description, status),
    });
    this.privateEndpoint = this.attachedNetwork.privateEndpoint;
    // Roles and keys normally come a deployment after the private endpoint (activate), but nothing stops a first
    // deployment with activate: true, so every data-plane resource also waits for the endpoint (its zone group writes the
    // DNS record) and the zone's virtual network links. The security-domain download is part of the HSM resource itself
    // and cannot wait for an endpoint that needs the HSM: hence the README's "never activate on the first deployment".
    this.hsmId = this.hsm.id;
    this.hsmUri = this.hsm.hsmUri;
    if (!this.activated) {
      // Nothing on the data plane yet: the HSM is not active until the next deployment downloads its security domain.
      props.auditSink?.attach(this, this.hsm.id);
      this.recordEvidence(certs.length, props.securityDomainQuorum, retentionDays);
      return;
    }
    // Before the roles and keys: they wait for the AuditEvent diagnostic setting, so that their creation is logged.
    auditSink?.attach(this, this.hsm.id);
    const roles = this.createLocalRoles();
    this.keyAdminRole = roles.keyAdminRole;
    this.keyUserRole = roles.keyUserRole;
    this.deployerAccess = this.assign('DeployerKeyDeployer', '/keys', roles.keyDeployerRole.resourceManagerId, deployer);
    this.assignStoreCustodians(c, backupOperators.length > 0);
    this.recordEvidence(certs.length, props.securityDomainQuorum, retentionDays);
  }

  /**
   * Creates a key in the Managed HSM, with a rotation policy and its users' role assignments scoped to the key.
   */
  public addKey(id: string, options: ManagedHsmKeyOptions = {}): ManagedHsmKey {
    this.requireActivated(`addKey('${id}')`);
    options = options ?? {};
    // The options get the constructors' up-front checks: JavaScript callers can pass any shape.
    for (const prop of ['rotation', 'expireAfter'] as const) optionalPeriod(prop, options[prop]);
    if (options.custodians !== undefined && options.custodians !== null) {
      checkAzureCustodians(`${this.node.path}/${id}`, options.custodians, { administratorsRequired: false, importers: 'unchecked' });
    }
    const settings = resolveAzureKeySettings(this, id, { ...options, profile: this.profile, auditSink: this.auditSink },
      { model: DeploymentModel.HYOK, hsm: true, fipsLevel: this.fipsLevel });
    return this._createKey(this, id, {
      name: options.keyName ?? nameFor(`${this.node.path}/${id}`, id, 'hyok-', 127),
      settings,
      custodians: options.custodians ?? this.custodians,
      constructName: 'HyokExternalStore.addKey',
    });
  }

  /** @internal creates a key for this store or for a CustomerManagedKey that lives in it */
  public _createKey(scope: Construct, id: string, request: HsmKeyRequest): ManagedHsmKey {
    this.requireActivated(`a key for ${scope.node.path}`);
    return ManagedHsmKey._create(scope, id, this, request);
  }

  /** @internal */
  public _assign(scopeConstruct: Construct, id: string, hsmScope: string, roleDefinitionId: string,
    principalId: string): KeyVaultManagedHardwareSecurityModuleRoleAssignment {
    this.requireActivated(`a role assignment for ${scopeConstruct.node.path}`);
    return new KeyVaultManagedHardwareSecurityModuleRoleAssignment(scopeConstruct, id, {
      managedHsmId: this.hsm.id,
      name: stableGuid(scopeConstruct.node.path, id, hsmScope, roleDefinitionId.slice(-36), principalId.toLowerCase()),
      scope: hsmScope,
      roleDefinitionId,
      principalId,
      dependsOn: [...this._networkDependencies, ...KeyAuditSink._auditDependencies(this)],
    });
  }

  /** @internal What a data-plane resource of this HSM waits for: the private endpoint and the DNS zone's network links. */
  public get _networkDependencies(): ITerraformDependable[] {
    return [...this.attachedNetwork.dependables];
  }

  /** @internal */
  public get _keyUserRoleId(): string {
    return this.keyUserRole.resourceManagerId;
  }

  /** @internal */
  public get _deployerAccess(): KeyVaultManagedHardwareSecurityModuleRoleAssignment {
    return this.deployerAccess;
  }

  /** @internal */
  public _checkSeparation(assignments: CustodianAssignment[], subject: string): void {
    SeparationOfDuties.check([...this.assignments, ...assignments], subject);
  }

  /** @internal Everyone who holds a role on every key of the HSM (the deployment principal, backup operators, administrators). */
  public get _storeCustodians(): CustodianAssignment[] {
    return [...this.assignments];
  }

  /**
   * @internal Lets trusted Microsoft services through the HSM firewall (`bypass: AzureServices`): a service that wraps
   * with a key here calls from Microsoft's networks, not through the private endpoint. Recorded with the reason.
   */
  public _allowTrustedServices(reason: string): void {
    this.attachedNetwork.allowTrustedServices(reason);
  }

  /** The firewall bypass: `AzureServices` once a key is granted to a service (or asked for), else `None`. */
  public get networkBypass(): string {
    return this.attachedNetwork.bypass;
  }

  /**
   * The store-wide custodians every key checks against: HSM administrators (they manage roles and the security domain:
   * on our side of the separation line they are administrators), the deployment principal, and the custodians'
   * administrators, auditors and backup operators (they hold their roles on every key, scope /keys). Returns the backup
   * operators.
   */
  private collectAssignments(hsmAdministrators: string[], deployer: string, c: AzureCustodians): CustodianAssignment[] {
    this.assignments.push(
      ...azureAssignments(CustodianRole.ADMINISTRATOR, 'hsmAdministrators', hsmAdministrators),
      { role: CustodianRole.DEPLOYER, identity: deployer, source: 'deploymentPrincipalId', label: 'the deployment principal' },
    );
    const backupOperators = azureAssignments(CustodianRole.BACKUP_OPERATOR, 'custodians.backupOperators', c.backupOperators ?? []);
    SeparationOfDuties.check([...this.assignments, ...storeKeyAssignments(c), ...backupOperators], this.node.path);
    this.assignments.push(...storeKeyAssignments(c).filter((a) => a.role !== CustodianRole.USER), ...backupOperators);
    return backupOperators;
  }

  private createHsm(props: HyokExternalStoreProps, h: { name: string; tenantId: string; deployer: string; certs: string[]; retentionDays: number }):
  KeyVaultManagedHardwareSecurityModule {
    return new KeyVaultManagedHardwareSecurityModule(this, 'Resource', {
      name: h.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      skuName: 'Standard_B1',
      tenantId: h.tenantId,
      adminObjectIds: [...props.hsmAdministrators, h.deployer],
      purgeProtectionEnabled: true,
      softDeleteRetentionDays: h.retentionDays,
      // Reached through the private endpoint only; network_acls comes from the network below.
      publicNetworkAccessEnabled: false,
      // Activation: the security domain is downloaded encrypted to these certificates; the quorum recovers it. The
      // provider downloads it when the ids first appear, on create or on update, through the data plane.
      securityDomainKeyVaultCertificateIds: props.activate ? h.certs : undefined,
      securityDomainQuorum: props.activate ? props.securityDomainQuorum : undefined,
      // admin_object_ids is ForceNew in azurerm (key_vault_managed_hardware_security_module_resource.go) and the HSM is
      // prevent_destroy: were the deployer's object id to change (another runner, a rotated CI identity), every later plan
      // would want to replace the HSM and fail. The administrators are fixed at creation; later changes go through local
      // role assignments (README, "HyokExternalStore (Azure)").
      lifecycle: { preventDestroy: true, ignoreChanges: ['admin_object_ids'] },
    });
  }

  /** The local role definitions every key shares: key administrator, key deployer (Terraform), key user. */
  private createLocalRoles(): Record<'keyAdminRole' | 'keyDeployerRole' | 'keyUserRole', KeyVaultManagedHardwareSecurityModuleRoleDefinition> {
    const keyAdminRole = this.localRole('KeyAdministratorRole', 'key-administrator-role', 'cloud-kms key administrator',
      'Manages keys and rotation; no cryptographic use, no export or release, no backup or restore.',
      { dataActions: HSM_KEY_MANAGEMENT_DATA_ACTIONS, notDataActions: [...CRYPTO_ONLY, ...HSM_EXPORT_DATA_ACTIONS, ...BACKUP_ONLY] });
    // What Terraform needs to create keys and set rotation policies: no delete, purge, backup, export or use.
    const keyDeployerRole = this.localRole('KeyDeployerRole', 'key-deployer-role', 'cloud-kms key deployer',
      'Creates keys and updates them and their rotation policies; no delete, purge, backup, restore, export or cryptographic use.',
      { dataActions: HSM_DEPLOYER_DATA_ACTIONS, notDataActions: [...CRYPTO_ONLY, ...HSM_EXPORT_DATA_ACTIONS, ...BACKUP_ONLY] });
    const keyUserRole = this.localRole('KeyUserRole', 'key-user-role', 'cloud-kms key user',
      'Uses a key (encrypt, decrypt, wrap, unwrap, sign, verify); no key management.', { dataActions: HSM_CRYPTO_DATA_ACTIONS });
    return { keyAdminRole, keyDeployerRole, keyUserRole };
  }

  private localRole(id: string, guidName: string, roleName: string, description: string,
    permission: { dataActions: string[]; notDataActions?: string[] }): KeyVaultManagedHardwareSecurityModuleRoleDefinition {
    return new KeyVaultManagedHardwareSecurityModuleRoleDefinition(this, id, {
      managedHsmId: this.hsm.id,
      name: stableGuid(this.node.path, guidName),
      roleName,
      description,
      permission: [permission],
      dependsOn: [...this._networkDependencies, ...KeyAuditSink._auditDependencies(this)],
    });
  }

  /** Backup operators (with their own role), administrators and auditors, each on every key (scope /keys). */
  private assignStoreCustodians(c: AzureCustodians, withBackupOperators: boolean): void {
    if (withBackupOperators) {
      const backupRole = this.localRole('KeyBackupOperatorRole', 'key-backup-operator-role', 'cloud-kms key backup operator',
        'Backs up and restores single keys; no other key management and no cryptographic use.',
        { dataActions: HSM_KEY_BACKUP_DATA_ACTIONS, notDataActions: [...CRYPTO_ONLY, ...HSM_EXPORT_DATA_ACTIONS] });
      for (const operator of c.backupOperators ?? []) {
        this.assign(`BackupOperator${stableGuid(operator).slice(0, 8)}`, '/keys', backupRole.resourceManagerId, operator);
      }
    }
    for (const admin of c.administrators) this.assign(`Administrator${stableGuid(admin).slice(0, 8)}`, '/keys', this.keyAdminRole.resourceManagerId, admin);
    for (const auditor of c.auditors ?? []) {
      this.assign(`Auditor${stableGuid(auditor).slice(0, 8)}`, '/keys', hsmRoleDefinitionId(HSM_BUILT_IN.CRYPTO_AUDITOR), auditor);
    }
  }

  private requireActivated(what: string): void {
    if (!this.activated) {
      throw new ValidationError(`activate must be true to create ${what} in Managed HSM ${this.node.path}: keys and roles live on the data plane, ` +
        'which works only once the security domain is downloaded; deploy once with activate: false, then with true, got false');
    }
  }

  private assign(id: string, hsmScope: string, roleDefinitionId: string, principalId: string): KeyVaultManagedHardwareSecurityModuleRoleAssignment {
    return this._assign(this, id, hsmScope, roleDefinitionId, principalId);
  }

  private recordEvidence(certificates: number, quorum: number, retentionDays: number): void {
    recordManagedHsmEvidence({
      store: this,
      hsm: this.hsm,
      fipsLevel: this.fipsLevel,
      activated: this.activated,
      custodians: this.assignments,
      certificates,
      quorum,
      retentionDays,
      regions: literalRegions(this.hsm.locationInput, (l) => [normalizeRegion(l)]),
      profile: this.profile,
    });
  }
}

/** Cryptographic use (read excepted) and backup, excluded from every non-user local role. */
const CRYPTO_ONLY = HSM_CRYPTO_DATA_ACTIONS.filter((a) => !a.endsWith('/read/action'));
const BACKUP_ONLY = HSM_KEY_BACKUP_DATA_ACTIONS.filter((a) => !a.endsWith('/read/action'));
