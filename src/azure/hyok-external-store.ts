import { KeyVaultManagedHardwareSecurityModule } from '@cdktf/provider-azurerm/lib/key-vault-managed-hardware-security-module';
import { KeyVaultManagedHardwareSecurityModuleKey } from '@cdktf/provider-azurerm/lib/key-vault-managed-hardware-security-module-key';
import { KeyVaultManagedHardwareSecurityModuleKeyRotationPolicy } from '@cdktf/provider-azurerm/lib/key-vault-managed-hardware-security-module-key-rotation-policy';
import { KeyVaultManagedHardwareSecurityModuleRoleAssignment } from '@cdktf/provider-azurerm/lib/key-vault-managed-hardware-security-module-role-assignment';
import { KeyVaultManagedHardwareSecurityModuleRoleDefinition } from '@cdktf/provider-azurerm/lib/key-vault-managed-hardware-security-module-role-definition';
import type { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { Fn, ITerraformDependable, TerraformStack, Token } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { AzureCustodians, azureAssignments } from './custodians';
import { IKeyAuditSink, KeyAuditSink } from './key-audit-sink';
import { KeySpec, KeyUsage } from './key-spec';
import { clientConfig } from './key-vault';
import { VaultNetwork } from './vault-network';
import { checkAuditSink, checkDeletionWindowDays, checkModelAllowed } from '../core/checks';
import { Control } from '../core/controls';
import { CustodianAssignment, CustodianRole, SeparationOfDuties } from '../core/custodians';
import { DeploymentModel, KeyCustody } from '../core/deployment-model';
import { EvidenceLedger, EvidenceStatus } from '../core/evidence';
import { FipsLevel } from '../core/fips';
import { nameFor, stableGuid } from '../core/naming';
import { Period } from '../core/period';
import { ComplianceProfile } from '../core/profile';
import { isTokenValue, requireDefined, requireRange, shown, ValidationError } from '../core/validation';
import { optionalConstruct, optionalList, optionalPeriod, optionalProfile, requireString } from '../terraform/input';
import { checkAzureCustodians } from './private/custodian-checks';
import { optionalObjectId, requireLocation, requireResourceGroupName, requireVaultName } from './private/input';
import { literalDays } from '../terraform/period';
import { registerHsmKeyMatrix } from './private/access-matrix';
import { recordAzureKeyEvidence } from './private/key-evidence';
import { AzureKeySettings, expiryExpression, isoDays, requireName, resolveAzureKeySettings } from './private/key-settings';
import { AZURE_GLOBAL_NAMES, azureGlobalName } from './private/naming';
import { AttachedNetwork } from './private/network';
import {
  HSM_BUILT_IN, HSM_CRYPTO_DATA_ACTIONS, HSM_DEPLOYER_DATA_ACTIONS, HSM_EXPORT_DATA_ACTIONS, HSM_KEY_BACKUP_DATA_ACTIONS,
  HSM_KEY_MANAGEMENT_DATA_ACTIONS, hsmRoleDefinitionId,
} from './private/roles';

/**
 * Properties of an Azure `HyokExternalStore` (a Managed HSM whose security domain the customer holds).
 */
export interface HyokExternalStoreProps {
  /** Resource group of the Managed HSM. */
  readonly resourceGroupName: string;
  /** Azure region. */
  readonly location: string;

  /**
   * A Managed HSM bills by the hour from creation (roughly US$3 an hour, over US$2,000 a month) until it is
   * deleted and purged. Set to true to confirm.
   * @see https://azure.microsoft.com/pricing/details/key-vault/
   */
  readonly acknowledgeHourlyBilling: boolean;

  /**
   * Ids of 3 to 10 Key Vault certificates (RSA, customer-held private keys) that encrypt the security domain. The
   * security domain — the HSM's root of trust — can be restored only by `securityDomainQuorum` of their holders.
   * @see https://learn.microsoft.com/azure/key-vault/managed-hsm/security-domain
   */
  readonly securityDomainCertificateIds: string[];

  /** How many certificate holders must cooperate to recover the security domain (M of N, at least 2). */
  readonly securityDomainQuorum: number;

  /**
   * Object ids holding the "Managed HSM Administrator" local role: security domain, backup and role management,
   * no key operations. The deployment principal is added so Terraform can manage roles and keys. Fixed when the HSM is
   * created (`admin_object_ids` is ForceNew and ignored afterwards): later changes are local role assignments, made by an
   * HSM administrator (README, "HyokExternalStore (Azure)").
   */
  readonly hsmAdministrators: string[];

  /** Key custodians, by object id: administrators (no cryptographic use), users (per key), auditors (read only). */
  readonly custodians: AzureCustodians;

  /**
   * How Terraform and clients reach the HSM's data plane (keys, local roles, security domain):
   * `VaultNetwork.privateEndpoint(...)`, with the `privatelink.managedhsm.azure.net` zone. A Managed HSM takes no IP or
   * virtual network rules, so `VaultNetwork.allowList` is refused.
   * @see https://learn.microsoft.com/azure/key-vault/managed-hsm/private-link
   */
  readonly network: VaultNetwork;

  /**
   * Whether this deployment activates the HSM: Terraform downloads the security domain (a data-plane call, encrypted to
   * `securityDomainCertificateIds`), then creates the local roles and keys. Terraform reaches the data plane only
   * through the private endpoint, which can be created only once the HSM exists; so a new HSM takes two deployments:
   * first `activate: false` (the HSM, its private endpoint and DNS record; no roles and no keys), then `activate: true`,
   * run from inside the virtual network (or one resolving the private DNS zone). Never `true` on the first deployment:
   * the download is part of creating the HSM and cannot wait for the private endpoint.
   * @see https://learn.microsoft.com/azure/key-vault/managed-hsm/quick-create-cli#activate-your-managed-hsm
   */
  readonly activate: boolean;

  /**
   * The compliance profile.
   * @default ComplianceProfile.COMMERCIAL
   */
  readonly profile?: ComplianceProfile;

  /**
   * Where audit logs go.
   * @default - the stack's default sink (`KeyAuditSink` with a workspace only, kept a year, created once per stack);
   * required by profiles that require an audit sink
   */
  readonly auditSink?: IKeyAuditSink;

  /**
   * Leaves the Managed HSM without an AuditEvent diagnostic setting, for this reason, which the compliance report
   * shows. Refused where the profile requires an audit sink, and with `auditSink`.
   * @default - audited: the given sink, else the stack's default sink
   */
  readonly auditOptOutReason?: string;

  /**
   * Name of the Managed HSM (3–24 letters, digits and hyphens).
   * @default - the construct's id and a hash of the subscription and construct path (see README "Names", `NamingContext`)
   */
  readonly name?: string;

  /**
   * Soft-delete retention: 7–90 days, a literal period (a token is refused: it is fixed at creation and must be
   * checked against the profile first). Purge protection is always on.
   * @default Period.days(90)
   */
  readonly softDeleteRetention?: Period;

  /**
   * Object id Terraform deploys with. It is in `admin_object_ids` ("Managed HSM Administrator": it creates the local role
   * definitions and assignments, so it can also grant itself a crypto role) and holds a local role that creates and
   * updates keys. It is recorded as a custodian (the deployment identity), and the access matrix counts its path; the
   * README says how to take it out after activation. Its place in `admin_object_ids` is fixed at creation: a later run
   * under another identity changes neither the HSM's administrators nor the plan; the local "cloud-kms key deployer"
   * assignment does follow it, which the new identity can create only once an HSM administrator has given it a local
   * role-management role (README).
   * @default - the object id Terraform runs as
   */
  readonly deploymentPrincipalId?: string;
}

/** Options for `HyokExternalStore.addKey`. */
export interface ManagedHsmKeyOptions {
  /**
   * Key name.
   * @default - derived from the construct path
   */
  readonly keyName?: string;
  /** @default KeySpec.RSA_3072 */
  readonly keySpec?: KeySpec;
  /** @default - ENCRYPT_DECRYPT for RSA, SIGN_VERIFY for EC */
  readonly keyUsage?: KeyUsage;
  /**
   * As on `CustomerManagedKey`: a literal, or a `TerraformVariable`'s numberValue in days, which the construct
   * validates at plan time.
   * @default - the profile's longest rotation period
   */
  readonly rotation?: Period;
  /**
   * A literal period (a token is refused).
   * @default - rotation plus 30 days
   */
  readonly expireAfter?: Period;
  /**
   * Custodians of this key. `administrators` may be empty here: the store's administrators administer every key in it.
   * @default - the store's custodians
   */
  readonly custodians?: AzureCustodians;
}

/** @internal what a key in the Managed HSM is made from */
export interface HsmKeyRequest {
  readonly name: string;
  readonly settings: AzureKeySettings;
  readonly custodians: AzureCustodians;
  readonly constructName: string;
  /** The construct the key is recorded under in the evidence ledger. @default - the ManagedHsmKey */
  readonly subject?: IConstruct;
}

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
  private readonly keyDeployerRole!: KeyVaultManagedHardwareSecurityModuleRoleDefinition;
  private readonly deployerAccess!: KeyVaultManagedHardwareSecurityModuleRoleAssignment;
  private readonly attachedNetwork: AttachedNetwork;
  private readonly assignments: CustodianAssignment[] = [];

  constructor(scope: Construct, id: string, props: HyokExternalStoreProps) {
    super(scope, id);
    requireDefined('props', props);
    if (props.acknowledgeHourlyBilling !== true) {
      throw new ValidationError(`acknowledgeHourlyBilling must be true: a Managed HSM bills by the hour from creation (over US$2,000 a month) until purged, got ${shown(props.acknowledgeHourlyBilling)}`);
    }
    requireResourceGroupName('resourceGroupName', props.resourceGroupName);
    requireLocation('location', props.location);
    optionalObjectId('deploymentPrincipalId', props.deploymentPrincipalId);
    optionalProfile('profile', props.profile);
    optionalConstruct('auditSink', props.auditSink, 'a KeyAuditSink');
    optionalPeriod('softDeleteRetention', props.softDeleteRetention);
    if (props.network !== undefined && props.network !== null && typeof (props.network as { _attach?: unknown })._attach !== 'function') {
      throw new ValidationError(`network must be VaultNetwork.privateEndpoint(...), got ${shown(props.network)}`);
    }
    const profile = props.profile ?? ComplianceProfile.COMMERCIAL;
    checkModelAllowed(profile, DeploymentModel.HYOK, this.node.path);
    checkAuditSink(profile, props.auditSink && {
      path: props.auditSink.node.path, immutable: props.auditSink.immutable, retentionDays: props.auditSink.retentionDays,
    }, this.node.path);
    const auditSink = KeyAuditSink._resolve(this, props.auditSink, props.auditOptOutReason, props.resourceGroupName, props.location);
    // A token list has no length at synthesis: the quorum is checked against the number of certificates.
    // (cdktf encodes a list token as a one-element list `#{TfToken[...]}`; a token element of a literal list is fine.)
    if (Array.isArray(props.securityDomainCertificateIds)
      && props.securityDomainCertificateIds.some((c) => typeof c === 'string' && c.startsWith('#{TfToken['))) {
      throw new ValidationError(`securityDomainCertificateIds must be a literal list of 3 to 10 certificate ids (the quorum is checked against it), got ${shown(props.securityDomainCertificateIds)}`);
    }
    const certs = optionalList('securityDomainCertificateIds', props.securityDomainCertificateIds);
    if (certs.length < 3 || certs.length > 10) {
      throw new ValidationError(`securityDomainCertificateIds must name 3 to 10 certificates, got ${certs.length}${certs.some(isTokenValue) ? ` (${certs.map(shown).join(', ')})` : ''}`);
    }
    for (const cert of certs) requireString('securityDomainCertificateIds', cert);
    // A certificate listed twice would count one holder twice towards the quorum (split knowledge between fewer people).
    const seenCerts = new Set<string>();
    for (const cert of certs) {
      if (!Token.isUnresolved(cert) && seenCerts.has(cert.toLowerCase())) throw new ValidationError(`securityDomainCertificateIds lists ${shown(cert)} twice`);
      seenCerts.add(cert.toLowerCase());
    }
    // A token quorum is refused: it is checked against the number of certificates and recorded in the evidence.
    requireRange('securityDomainQuorum', props.securityDomainQuorum, 2, certs.length, 'certificate holders');
    if (!Number.isInteger(props.securityDomainQuorum)) {
      throw new ValidationError(`securityDomainQuorum must be a whole number of certificate holders, got ${shown(props.securityDomainQuorum)}`);
    }
    if (optionalList('hsmAdministrators', props.hsmAdministrators).length === 0) {
      throw new ValidationError(`hsmAdministrators must name at least one object id for ${this.node.path}, got none`);
    }
    azureAssignments(CustodianRole.ADMINISTRATOR, 'hsmAdministrators', props.hsmAdministrators);
    const c = checkAzureCustodians(this.node.path, props.custodians, { importers: 'unchecked' });
    const retention = props.softDeleteRetention ?? Period.days(90);
    const retentionDays = literalDays(this, 'softDeleteRetention', retention);
    checkDeletionWindowDays(profile, 'softDeleteRetention', retentionDays, 7, 90);
    if (!Number.isInteger(retentionDays)) {
      throw new ValidationError(`softDeleteRetention must be a whole number of days (soft_delete_retention_days), got ${retention.toHumanString()}`);
    }
    if (!props.network) {
      throw new ValidationError(`network is required for Managed HSM ${this.node.path}: VaultNetwork.privateEndpoint({ subnetId, privateDnsZoneId }), ` +
        'with Terraform running inside the virtual network; without it keys, roles and the security domain are out of Terraform\'s reach, got none');
    }
    if (typeof props.activate !== 'boolean') {
      throw new ValidationError(`activate must be false for the first deployment of ${this.node.path} (the HSM and its private endpoint) and ` +
        `true from the second on (security domain, roles, keys), got ${shown(props.activate)}`);
    }
    const name = props.name ?? azureGlobalName(this, AZURE_GLOBAL_NAMES.managedHsm);
    // Managed HSM names follow the vault rule (3-24, a letter first, a letter or digit last, no "--").
    requireVaultName('name', name);

    this.profile = profile;
    this.auditSink = auditSink;
    this.custodians = c;
    this.fipsLevel = FipsLevel.LEVEL_3;
    const client = clientConfig(this);
    const deployer = props.deploymentPrincipalId ?? client.objectId;

    // HSM administrators manage roles and the security domain: on our side of the separation line they are administrators.
    this.assignments.push(
      ...azureAssignments(CustodianRole.ADMINISTRATOR, 'hsmAdministrators', props.hsmAdministrators),
      { role: CustodianRole.DEPLOYER, identity: deployer, source: 'deploymentPrincipalId', label: 'the deployment principal' },
    );
    const backupOperators = azureAssignments(CustodianRole.BACKUP_OPERATOR, 'custodians.backupOperators', c.backupOperators ?? []);
    SeparationOfDuties.check([...this.assignments, ...this.storeAssignments(c), ...backupOperators], this.node.path);
    // Store-wide administrators, auditors and backup operators hold their roles on every key (scope /keys): every key
    // checks against them.
    this.assignments.push(...this.storeAssignments(c).filter((a) => a.role !== CustodianRole.USER), ...backupOperators);

    this.hsm = new KeyVaultManagedHardwareSecurityModule(this, 'Resource', {
      name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      skuName: 'Standard_B1',
      tenantId: client.tenantId,
      adminObjectIds: [...props.hsmAdministrators, deployer],
      purgeProtectionEnabled: true,
      softDeleteRetentionDays: retentionDays,
      // Reached through the private endpoint only; network_acls comes from the network below.
      publicNetworkAccessEnabled: false,
      // Activation: the security domain is downloaded encrypted to these certificates; the quorum recovers it. The
      // provider downloads it when the ids first appear, on create or on update, through the data plane.
      securityDomainKeyVaultCertificateIds: props.activate ? certs : undefined,
      securityDomainQuorum: props.activate ? props.securityDomainQuorum : undefined,
      // admin_object_ids is ForceNew in azurerm (key_vault_managed_hardware_security_module_resource.go) and the HSM is
      // prevent_destroy: were the deployer's object id to change (another runner, a rotated CI identity), every later plan
      // would want to replace the HSM and fail. The administrators are fixed at creation; later changes go through local
      // role assignments (README, "HyokExternalStore (Azure)").
      lifecycle: { preventDestroy: true, ignoreChanges: ['admin_object_ids'] },
    });
    this.activated = props.activate;
    this.attachedNetwork = props.network._attach(this, {
      service: 'managedhsm',
      resourceId: this.hsm.id,
      name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      putAcls: (acls) => this.hsm.putNetworkAcls({ defaultAction: acls.defaultAction, bypass: acls.bypass }),
      record: (value, description, status) => this.recordNetwork(value, description, status),
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
    const audited = KeyAuditSink._auditDependencies(this);

    this.keyAdminRole = new KeyVaultManagedHardwareSecurityModuleRoleDefinition(this, 'KeyAdministratorRole', {
      managedHsmId: this.hsm.id,
      name: stableGuid(this.node.path, 'key-administrator-role'),
      roleName: 'cloud-kms key administrator',
      description: 'Manages keys and rotation; no cryptographic use, no export or release, no backup or restore.',
      permission: [{ dataActions: HSM_KEY_MANAGEMENT_DATA_ACTIONS, notDataActions: [...CRYPTO_ONLY, ...HSM_EXPORT_DATA_ACTIONS, ...BACKUP_ONLY] }],
      dependsOn: [...this._networkDependencies, ...audited],
    });
    // What Terraform needs to create keys and set rotation policies: no delete, purge, backup, export or use.
    this.keyDeployerRole = new KeyVaultManagedHardwareSecurityModuleRoleDefinition(this, 'KeyDeployerRole', {
      managedHsmId: this.hsm.id,
      name: stableGuid(this.node.path, 'key-deployer-role'),
      roleName: 'cloud-kms key deployer',
      description: 'Creates keys and updates them and their rotation policies; no delete, purge, backup, restore, export or cryptographic use.',
      permission: [{ dataActions: HSM_DEPLOYER_DATA_ACTIONS, notDataActions: [...CRYPTO_ONLY, ...HSM_EXPORT_DATA_ACTIONS, ...BACKUP_ONLY] }],
      dependsOn: [...this._networkDependencies, ...audited],
    });
    this.keyUserRole = new KeyVaultManagedHardwareSecurityModuleRoleDefinition(this, 'KeyUserRole', {
      managedHsmId: this.hsm.id,
      name: stableGuid(this.node.path, 'key-user-role'),
      roleName: 'cloud-kms key user',
      description: 'Uses a key (encrypt, decrypt, wrap, unwrap, sign, verify); no key management.',
      permission: [{ dataActions: HSM_CRYPTO_DATA_ACTIONS }],
      dependsOn: [...this._networkDependencies, ...audited],
    });
    this.deployerAccess = this.assign('DeployerKeyDeployer', '/keys', this.keyDeployerRole.resourceManagerId, deployer);
    if (backupOperators.length > 0) {
      const backupRole = new KeyVaultManagedHardwareSecurityModuleRoleDefinition(this, 'KeyBackupOperatorRole', {
        managedHsmId: this.hsm.id,
        name: stableGuid(this.node.path, 'key-backup-operator-role'),
        roleName: 'cloud-kms key backup operator',
        description: 'Backs up and restores single keys; no other key management and no cryptographic use.',
        permission: [{ dataActions: HSM_KEY_BACKUP_DATA_ACTIONS, notDataActions: [...CRYPTO_ONLY, ...HSM_EXPORT_DATA_ACTIONS] }],
        dependsOn: [...this._networkDependencies, ...audited],
      });
      for (const operator of c.backupOperators ?? []) {
        this.assign(`BackupOperator${stableGuid(operator).slice(0, 8)}`, '/keys', backupRole.resourceManagerId, operator);
      }
    }
    for (const admin of c.administrators) this.assign(`Administrator${stableGuid(admin).slice(0, 8)}`, '/keys', this.keyAdminRole.resourceManagerId, admin);
    for (const auditor of c.auditors ?? []) {
      this.assign(`Auditor${stableGuid(auditor).slice(0, 8)}`, '/keys', hsmRoleDefinitionId(HSM_BUILT_IN.CRYPTO_AUDITOR), auditor);
    }

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

  private requireActivated(what: string): void {
    if (!this.activated) {
      throw new ValidationError(`activate must be true to create ${what} in Managed HSM ${this.node.path}: keys and roles live on the data plane, ` +
        'which works only once the security domain is downloaded; deploy once with activate: false, then with true, got false');
    }
  }

  /** Which network path exists: recorded when the network is attached, and again when the bypass changes. */
  private recordNetwork(value: string, description: string, status: EvidenceStatus): void {
    for (const control of [Control.NIST_AC_6, Control.PCI_3_6_1]) {
      EvidenceLedger.of(this).record({
        control,
        status,
        subject: this.node.path,
        resource: this.hsm.node.path,
        setting: 'public_network_access_enabled, network_acls, private endpoint',
        value,
        description: `local RBAC only; ${description}`,
      });
    }
  }

  private assign(id: string, hsmScope: string, roleDefinitionId: string, principalId: string): KeyVaultManagedHardwareSecurityModuleRoleAssignment {
    return this._assign(this, id, hsmScope, roleDefinitionId, principalId);
  }

  private storeAssignments(c: AzureCustodians): CustodianAssignment[] {
    return [
      ...azureAssignments(CustodianRole.ADMINISTRATOR, 'custodians.administrators', c.administrators),
      ...azureAssignments(CustodianRole.USER, 'custodians.users', c.users ?? []),
      ...azureAssignments(CustodianRole.AUDITOR, 'custodians.auditors', c.auditors ?? []),
    ];
  }

  private recordEvidence(certificates: number, quorum: number, retentionDays: number): void {
    const ledger = EvidenceLedger.of(this);
    ledger.registerContainer({
      path: this.node.path,
      stack: TerraformStack.of(this).node.path,
      cloud: 'azure',
      kind: 'Managed HSM (customer-held security domain)',
      custody: KeyCustody.CUSTOMER_EXTERNAL,
      fipsLevel: this.fipsLevel,
    });
    this.assignments.forEach((a) => ledger.addCustodian(this.node.path, a));
    const resource = this.hsm.node.path;
    const record = (controls: Control[], status: EvidenceStatus, setting: string, value: string, description: string) => {
      for (const control of controls) ledger.record({ control, status, subject: this.node.path, resource, setting, value, description });
    };
    record([Control.PCI_3_7_6, Control.PCI_3_6_1_2], this.activated ? EvidenceStatus.SATISFIED : EvidenceStatus.NOT_SATISFIED,
      'security_domain_key_vault_certificate_ids, security_domain_quorum',
      this.activated ? `${certificates} certificates, quorum ${quorum}` : 'not activated (activate: false)',
      this.activated ? `split knowledge: the HSM's security domain can be recovered only by ${quorum} of ${certificates} certificate holders`
        : 'the HSM is not activated yet: its security domain is downloaded (to the custodians\' certificates) by the next deployment, with activate: true');
    record([Control.NIST_SC_13], EvidenceStatus.SATISFIED, 'sku_name', 'Standard_B1', 'single-tenant Managed HSM, FIPS 140-3 Level 3');
    record([Control.NIST_SC_12_1, Control.PCI_3_7_5], EvidenceStatus.SATISFIED, 'purge_protection_enabled, soft_delete_retention_days',
      `true, ${retentionDays}`, `deleted keys recoverable for ${retentionDays} days and never purged early`);
  }
}

/** Cryptographic use (read excepted) and backup, excluded from every non-user local role. */
const CRYPTO_ONLY = HSM_CRYPTO_DATA_ACTIONS.filter((a) => !a.endsWith('/read/action'));
const BACKUP_ONLY = HSM_KEY_BACKUP_DATA_ACTIONS.filter((a) => !a.endsWith('/read/action'));

/**
 * A key inside a Managed HSM, with a rotation policy and local role assignments scoped to the key.
 */
export class ManagedHsmKey extends Construct {
  /** @internal */
  public static _create(scope: Construct, id: string, store: HyokExternalStore, request: HsmKeyRequest): ManagedHsmKey {
    return new ManagedHsmKey(scope, id, store, request);
  }

  public readonly key: KeyVaultManagedHardwareSecurityModuleKey;
  /** The versionless key id. */
  public readonly keyId: string;
  public readonly keyName: string;
  private readonly store: HyokExternalStore;

  private constructor(scope: Construct, id: string, store: HyokExternalStore, request: HsmKeyRequest) {
    super(scope, id);
    const s = request.settings;
    const c = request.custodians;
    requireName('keyName', request.name, /^[a-zA-Z0-9-]{1,127}$/, '1 to 127 letters, digits and hyphens');
    const assignments = [
      ...azureAssignments(CustodianRole.ADMINISTRATOR, 'custodians.administrators', c.administrators ?? []),
      ...azureAssignments(CustodianRole.USER, 'custodians.users', c.users ?? []),
      ...azureAssignments(CustodianRole.AUDITOR, 'custodians.auditors', c.auditors ?? []),
    ];
    const subject = request.subject ?? this;
    store._checkSeparation(assignments, subject.node.path);
    this.store = store;
    this.keyName = request.name;
    this.key = new KeyVaultManagedHardwareSecurityModuleKey(this, 'Resource', {
      name: request.name,
      managedHsmId: store.hsmId,
      keyType: s.keyType,
      keySize: s.keySize,
      curve: s.curve,
      keyOpts: s.keyOpts,
      expirationDate: Fn.timeadd(Fn.timestamp(), expiryExpression(s.expireAfterDays)),
      lifecycle: { ignoreChanges: ['expiration_date'], preventDestroy: true },
      dependsOn: [store._deployerAccess, ...store._networkDependencies, ...KeyAuditSink._auditDependencies(store)],
    });
    this.keyId = this.key.id;
    new KeyVaultManagedHardwareSecurityModuleKeyRotationPolicy(this, 'RotationPolicy', {
      managedHsmKeyId: this.key.id,
      timeAfterCreation: isoDays(s.rotationDays),
      expireAfter: isoDays(s.expireAfterDays),
    });
    for (const u of c.users ?? []) this._grantUse(u, false);
    const ledger = EvidenceLedger.of(this);
    assignments.forEach((a) => ledger.addCustodian(subject.node.path, a));
    for (const a of store._storeCustodians) {
      if (a.role === CustodianRole.DEPLOYER || a.role === CustodianRole.BACKUP_OPERATOR) ledger.addCustodian(subject.node.path, a);
    }
    recordAzureKeyEvidence({
      key: subject,
      resource: this.key,
      constructName: request.constructName,
      settings: s,
      holder: 'key in a single-tenant Managed HSM whose security domain the customer holds',
      auditSink: store.auditSink,
      parent: store.node.path,
      separation: 'local RBAC: administrators hold a key-management role without cryptographic data actions, backup or restore; users a ' +
        'crypto-only role on this key; the deployment principal creates and updates keys only (it is also a Managed HSM Administrator)',
      dualControl: 'the security domain needs a quorum of certificate holders (M of N); keys are purge-protected',
    });
    registerHsmKeyMatrix(subject, store, request.name);
  }

  /** @internal */
  public _grantUse(objectId: string, serviceOnly: boolean): void {
    if (serviceOnly) this.store._allowTrustedServices(`service encryption by ${objectId} with ${this.node.path}`);
    const role = serviceOnly ? hsmRoleDefinitionId(HSM_BUILT_IN.CRYPTO_SERVICE_ENCRYPTION_USER) : this.store._keyUserRoleId;
    this.store._assign(this, `${serviceOnly ? 'ServiceUser' : 'User'}${stableGuid(objectId).slice(0, 8)}`, `/keys/${this.keyName}`, role, objectId);
  }

  /** Lets an object id use this key (encrypt, decrypt, wrap, unwrap, sign, verify), on this key only. */
  public grantEncryptDecrypt(objectId: string): void {
    this.store._checkSeparation(azureAssignments(CustodianRole.USER, 'grantee', [objectId]), this.node.path);
    this._grantUse(objectId, false);
  }
}
