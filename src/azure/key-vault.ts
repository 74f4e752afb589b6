import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { KeyVault as CfnKeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { PimEligibleRoleAssignment } from '@cdktf/provider-azurerm/lib/pim-eligible-role-assignment';
import type { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { RoleDefinition } from '@cdktf/provider-azurerm/lib/role-definition';
import { ITerraformDependable, TerraformStack } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { azureAssignments } from './custodians';
import { IKeyAuditSink, KeyAuditSink } from './key-audit-sink';
import { KeyVaultProps, VaultSku } from './key-vault-props';
import { VaultNetworkMode } from './vault-network';
import { checkAuditSink, checkDeletionWindowDays } from '../core/checks';
import { Control } from '../core/controls';
import { CustodianAssignment, CustodianRole, SeparationOfDuties } from '../core/custodians';
import { KeyCustody } from '../core/deployment-model';
import { EvidenceLedger, EvidenceStatus } from '../core/evidence';
import { FipsLevel } from '../core/fips';
import { DUAL_CONTROL_CONTROLS, recordResidency } from '../core/key-evidence';
import { stableGuid } from '../core/naming';
import { AZURE_GLOBAL_NAMES, azureGlobalName } from './private/naming';
import { Period } from '../core/period';
import { ComplianceProfile } from '../core/profile';
import { requireDefined, shown, ValidationError } from '../core/validation';
import { optionalConstruct, optionalEnum, optionalList, optionalPeriod, optionalProfile } from '../terraform/input';
import { checkAzureApprovers, optionalObjectId, requireLocation, requireResourceGroupName, requireVaultName } from './private/input';
import { literalDays } from '../terraform/period';
import { AttachedNetwork, recordNetworkPath } from './private/network';
import { checkSinkResidency, checkVaultResidency, literalRegions } from './private/residency';
import {
  createActivationPolicy, createAdminRole, createBackupOperatorRole, createDeployerRole, createKeyUserRole,
} from './private/vault-roles';
import { vaultRegions } from './region-pairs';

// The vault's props and SKU have a file of their own; importers of this file (and the azure index) still find them here.
export * from './key-vault-props';


/**
 * An Azure Key Vault with secure defaults: RBAC authorization (no access policies), purge protection,
 * 90-day soft delete, a network path chosen explicitly (a private endpoint with its DNS zone group, or a default-Deny
 * firewall with an allow list; trusted Microsoft services only when a key is granted to one), audit diagnostics, and a
 * key-administrator role without cryptographic actions.
 */
export class KeyVault extends Construct {
  public readonly vault: CfnKeyVault;
  public readonly vaultId: string;
  /** How the vault is reached. */
  public readonly networkMode: VaultNetworkMode;
  /** The private endpoint, when the network is `VaultNetwork.privateEndpoint`. */
  public readonly privateEndpoint?: PrivateEndpoint;
  public readonly vaultUri: string;
  public readonly vaultName: string;
  public readonly sku: VaultSku;
  public readonly profile: ComplianceProfile;
  public readonly auditSink?: IKeyAuditSink;
  public readonly softDeleteRetentionDays: number;
  /** Whether administrator access is just-in-time with approval (dual control). */
  public readonly dualControl: boolean;
  /** The custom key-administrator role (management, no cryptographic data actions). */
  public readonly adminRole: RoleDefinition;
  /** The principal Terraform deploys with. */
  public readonly deploymentPrincipalId: string;
  /** The deployment principal's role: create keys and rotation policies, nothing destructive, no use. */
  public readonly deployerRole: RoleDefinition;
  /** The deployment principal's role assignment: keys depend on it so Terraform can create them. */
  public readonly deploymentAccess: RoleAssignment;
  /** FIPS 140 level of the keys this vault can hold at best. */
  public readonly fipsLevel: FipsLevel;
  private readonly admins = new Set<string>();
  private readonly attachedNetwork: AttachedNetwork;
  private readonly backupOperatorIds = new Set<string>();
  private readonly assignments: CustodianAssignment[] = [];
  private readonly approverIds: string[];
  private keyUserRole?: RoleDefinition;
  private readonly activationPolicies = new Set<string>();
  private backupRole?: RoleDefinition;

  constructor(scope: Construct, id: string, props: KeyVaultProps) {
    super(scope, id);
    const { profile, name, retentionDays } = this.checkProps(props);
    const auditSink = KeyAuditSink._resolve(this, props.auditSink, props.auditOptOutReason, props.resourceGroupName, props.location);
    const approvers = props.approvers ?? [];
    this.approverIds = approvers;
    this.dualControl = profile.dualControlRequired || approvers.length > 0;
    this.assignments.push(...azureAssignments(CustodianRole.APPROVER, 'approvers', approvers));
    if (this.dualControl) {
      checkAzureApprovers(profile, approvers, 'approvers', this.node.path);
    }

    const client = clientConfig(this);
    this.deploymentPrincipalId = props.deploymentPrincipalId ?? client.objectId;
    this.sku = props.sku ?? VaultSku.PREMIUM;
    this.fipsLevel = this.sku === VaultSku.PREMIUM ? FipsLevel.LEVEL_3 : FipsLevel.LEVEL_1;
    this.profile = profile;
    this.auditSink = auditSink;
    this.softDeleteRetentionDays = retentionDays;
    this.vaultName = name;

    this.networkMode = props.network.mode;
    this.vault = this.createVault(props, client);
    this.attachedNetwork = props.network._attach(this, {
      service: 'vault',
      resourceId: this.vault.id,
      name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      putAcls: (acls) => this.vault.putNetworkAcls(acls),
      record: (value, description, status) => recordNetworkPath(this, this.vault, 'rbac_authorization_enabled, public_network_access_enabled, ' +
        'network_acls, private endpoint', `rbac_authorization_enabled true, ${value}`, `Azure RBAC only (no access policies); ${description}`, status),
    });
    this.privateEndpoint = this.attachedNetwork.privateEndpoint;
    this.vaultId = this.vault.id;
    this.vaultUri = this.vault.vaultUri;

    this.adminRole = createAdminRole(this, this.vault, name);
    this.deployerRole = createDeployerRole(this, this.vault, name, this.dualControl);
    this.deploymentAccess = this.grantDeploymentPrincipal();
    if (this.dualControl) {
      createActivationPolicy(this, 'AdministratorActivationPolicy', this.vault, this.adminRole.roleDefinitionResourceId, approvers);
    }
    for (const admin of props.administrators ?? []) this.addAdministrator(admin, 'administrators');
    for (const operator of props.backupOperators ?? []) this.addBackupOperator(operator, 'backupOperators');

    auditSink?.attach(this, this.vault.id);
    this.recordEvidence();
  }

  /**
   * @internal Lets trusted Microsoft services through the vault firewall (`bypass: AzureServices`): a service that
   * wraps with a key here (Storage, Disk Encryption) calls from Microsoft's networks, not through the allow list or the
   * private endpoint. Recorded in the evidence with the reason.
   */
  public _allowTrustedServices(reason: string): void {
    this.attachedNetwork.allowTrustedServices(reason);
  }

  /**
   * @internal What a key must wait for before Terraform can reach the data plane: the private endpoint (and its DNS
   * record) and the zone's network links.
   */
  public get _networkDependencies(): ITerraformDependable[] {
    return [...this.attachedNetwork.dependables];
  }

  /** The firewall bypass: `AzureServices` once a key is granted to a service (or asked for), else `None`. */
  public get networkBypass(): string {
    return this.attachedNetwork.bypass;
  }

  /**
   * Gives an object id the key-administrator role on the vault: directly, or under dual control only as an eligible
   * (just-in-time, approved, MFA) assignment. Checked against separation of duties with every role in the vault.
   */
  public addAdministrator(objectId: string, source = 'administrators'): void {
    const [assignment] = azureAssignments(CustodianRole.ADMINISTRATOR, source, [objectId]);
    if (this.admins.has(assignment.identity)) return;
    this.checkAndRecord([assignment]);
    this.admins.add(assignment.identity);
    this.assignCustodianRole(this, `Administrator${stableGuid(assignment.identity).slice(0, 8)}`,
      stableGuid(this.node.path, 'admin', assignment.identity), this.adminRole.roleDefinitionResourceId, objectId,
      'cloud-kms-constructs: key administration under dual control');
  }

  /**
   * Gives an object id the backup-operator role on the vault (backup and restore of keys, nothing else): directly, or
   * under dual control only as an eligible assignment activated with an approver's consent and MFA. Checked against
   * separation of duties with every role in the vault.
   */
  public addBackupOperator(objectId: string, source = 'backupOperators'): void {
    const [assignment] = azureAssignments(CustodianRole.BACKUP_OPERATOR, source, [objectId]);
    if (this.backupOperatorIds.has(assignment.identity)) return;
    this.checkAndRecord([assignment]);
    this.backupOperatorIds.add(assignment.identity);
    const role = this.backupOperatorRole();
    this.assignCustodianRole(this, `BackupOperator${stableGuid(assignment.identity).slice(0, 8)}`,
      stableGuid(this.node.path, 'backup-operator', assignment.identity), role.roleDefinitionResourceId, objectId,
      'cloud-kms-constructs: key backup and restore under dual control');
  }

  /**
   * @internal The vault's key-user role: read a key and use it, nothing else. "Key Vault Crypto User" also updates
   * (disables) and backs up keys, which separation of duties keeps from users.
   */
  public _keyUserRoleId(): string {
    this.keyUserRole ??= createKeyUserRole(this, this.vault, this.vaultName);
    return this.keyUserRole.roleDefinitionResourceId;
  }

  /**
   * @internal A role on the vault for one principal: under dual control only eligible, each activation approved by one of
   * the vault's approvers with MFA (one activation policy per role); otherwise assigned directly.
   */
  public _assignOnVault(scope: Construct, id: string, roleDefinitionId: string, principalId: string, justification: string): void {
    this.assignCustodianRole(scope, id, stableGuid(scope.node.path, id, principalId.toLowerCase()), roleDefinitionId, principalId, justification);
    if (this.dualControl && !this.activationPolicies.has(roleDefinitionId)) {
      this.activationPolicies.add(roleDefinitionId);
      createActivationPolicy(scope, `${id}ActivationPolicy`, this.vault, roleDefinitionId, this.approverIds);
    }
  }

  /** @internal Checks assignments for a key in this vault against everyone who holds a vault-wide role. */
  public _checkSeparation(assignments: CustodianAssignment[], subject: string): void {
    SeparationOfDuties.check([...this.assignments, ...assignments], subject);
  }

  /** @internal Everyone who holds a vault-wide role (administrators, backup operators, approvers, the deployment principal). */
  public get _vaultCustodians(): CustodianAssignment[] {
    return [...this.assignments];
  }

  /** Checks every prop before anything exists; returns the profile, the vault name and the soft-delete retention in days. */
  private checkProps(props: KeyVaultProps): { profile: ComplianceProfile; name: string; retentionDays: number } {
    requireDefined('props', props);
    const profile = props.profile ?? ComplianceProfile.COMMERCIAL;
    if (props.acknowledgePurgeProtectionIsPermanent !== true) {
      throw new ValidationError(
        'acknowledgePurgeProtectionIsPermanent must be true: purge protection can never be turned off, and deleted keys stay ' +
        `unpurgeable for the whole soft-delete period, got ${shown(props.acknowledgePurgeProtectionIsPermanent)}`);
    }
    if (!props.network) {
      throw new ValidationError(`network is required for ${this.node.path}: VaultNetwork.privateEndpoint({ subnetId, privateDnsZoneId }) ` +
        '(Terraform runs inside the virtual network) or VaultNetwork.allowList({ ipRanges }) (Terraform\'s egress address in the list); ' +
        'a vault reachable from neither could not be given keys by Terraform, got none');
    }
    requireResourceGroupName('resourceGroupName', props.resourceGroupName);
    requireLocation('location', props.location);
    checkVaultResidency(profile, 'location', props.location, this.node.path);
    checkSinkResidency(profile, props.auditSink, this.node.path);
    const name = props.name ?? azureGlobalName(this, AZURE_GLOBAL_NAMES.keyVault);
    requireVaultName('name', name);
    optionalEnum('sku', props.sku, Object.values(VaultSku));
    optionalProfile('profile', props.profile);
    optionalConstruct('auditSink', props.auditSink, 'a KeyAuditSink');
    optionalPeriod('softDeleteRetention', props.softDeleteRetention);
    if (typeof (props.network as { _attach?: unknown })._attach !== 'function') {
      throw new ValidationError(`network must be VaultNetwork.privateEndpoint(...) or VaultNetwork.allowList(...), got ${shown(props.network)}`);
    }
    optionalObjectId('tenantId', props.tenantId);
    optionalObjectId('deploymentPrincipalId', props.deploymentPrincipalId);
    // Whole lists first: an id listed twice is refused by name before any assignment exists.
    azureAssignments(CustodianRole.ADMINISTRATOR, 'administrators', optionalList('administrators', props.administrators));
    azureAssignments(CustodianRole.BACKUP_OPERATOR, 'backupOperators', optionalList('backupOperators', props.backupOperators));
    const retention = props.softDeleteRetention ?? Period.days(90);
    const retentionDays = literalDays(this, 'softDeleteRetention', retention);
    checkDeletionWindowDays(profile, 'softDeleteRetention', retentionDays, 7, 90);
    if (!Number.isInteger(retentionDays)) {
      throw new ValidationError(`softDeleteRetention must be a whole number of days (soft_delete_retention_days), got ${retention.toHumanString()}`);
    }
    checkAuditSink(profile, props.auditSink && {
      path: props.auditSink.node.path, immutable: props.auditSink.immutable, retentionDays: props.auditSink.retentionDays,
    }, this.node.path);
    return { profile, name, retentionDays };
  }

  private createVault(props: KeyVaultProps, client: DataAzurermClientConfig): CfnKeyVault {
    return new CfnKeyVault(this, 'Resource', {
      name: this.vaultName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      tenantId: props.tenantId ?? client.tenantId,
      skuName: this.sku,
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: true,
      softDeleteRetentionDays: this.softDeleteRetentionDays,
      // network_acls comes from the network below, and again when a service is granted a key (the bypass).
      publicNetworkAccessEnabled: this.networkMode === VaultNetworkMode.ALLOW_LIST,
      lifecycle: { preventDestroy: true },
    });
  }

  /** The deployment principal's role assignment, recorded as the vault's deployment identity. */
  private grantDeploymentPrincipal(): RoleAssignment {
    const access = new RoleAssignment(this, 'DeploymentPrincipalAccess', {
      name: stableGuid(this.node.path, 'deployer'),
      scope: this.vault.id,
      roleDefinitionId: this.deployerRole.roleDefinitionResourceId,
      principalId: this.deploymentPrincipalId,
      description: 'cloud-kms-constructs: lets the deployment create keys and rotation policies (no delete, backup or cryptographic use)',
    });
    this.assignments.push({ role: CustodianRole.DEPLOYER, identity: this.deploymentPrincipalId, source: 'deploymentPrincipalId', label: 'the deployment principal' });
    return access;
  }

  /** A custodian's role on the vault: under dual control an eligible assignment (`Eligible<id>`), otherwise a direct one. */
  private assignCustodianRole(scope: Construct, id: string, name: string, roleDefinitionId: string, principalId: string,
    justification: string): void {
    if (this.dualControl) {
      new PimEligibleRoleAssignment(scope, `Eligible${id}`, {
        scope: this.vault.id,
        roleDefinitionId,
        principalId,
        justification,
        schedule: { expiration: { durationDays: 365 } },
      });
    } else {
      new RoleAssignment(scope, id, { name, scope: this.vault.id, roleDefinitionId, principalId });
    }
  }

  private backupOperatorRole(): RoleDefinition {
    if (this.backupRole) return this.backupRole;
    this.backupRole = createBackupOperatorRole(this, this.vault, this.vaultName);
    if (this.dualControl) {
      createActivationPolicy(this, 'BackupOperatorActivationPolicy', this.vault, this.backupRole.roleDefinitionResourceId, this.approverIds);
    }
    return this.backupRole;
  }

  private checkAndRecord(added: CustodianAssignment[]): void {
    SeparationOfDuties.check([...this.assignments, ...added], this.node.path);
    this.assignments.push(...added);
    const ledger = EvidenceLedger.of(this);
    added.forEach((a) => ledger.addCustodian(this.node.path, a));
  }

  private recordEvidence(): void {
    const ledger = EvidenceLedger.of(this);
    const regions = literalRegions(this.vault.locationInput, vaultRegions);
    ledger.registerContainer({
      path: this.node.path,
      stack: TerraformStack.of(this).node.path,
      cloud: 'azure',
      kind: `Key Vault (${this.sku})`,
      custody: KeyCustody.SHARED,
      fipsLevel: this.fipsLevel,
      // Key Vault replicates to the paired region on its own: the record lists both.
      regions,
    });
    this.assignments.forEach((a) => ledger.addCustodian(this.node.path, a));
    const resource = this.vault.node.path;
    recordResidency({
      ledger,
      subject: this.node.path,
      resource,
      profile: this.profile,
      regions: regions ?? [],
      setting: 'location (and the paired region Key Vault replicates to)',
    });
    const record = (controls: Control[], status: EvidenceStatus, setting: string, value: string, description: string) => {
      for (const control of controls) ledger.record({ control, status, subject: this.node.path, resource, setting, value, description });
    };
    record([Control.NIST_SC_12_1, Control.PCI_3_7_5], EvidenceStatus.SATISFIED, 'purge_protection_enabled, soft_delete_retention_days',
      `true, ${this.softDeleteRetentionDays}`, `deleted keys are recoverable for ${this.softDeleteRetentionDays} days and cannot be purged early`);
    record(DUAL_CONTROL_CONTROLS, this.dualControl ? EvidenceStatus.SATISFIED : EvidenceStatus.NOT_SATISFIED, 'role_management_policy',
      this.dualControl ? 'approval + MFA' : 'none',
      this.dualControl ? 'key administration is just-in-time: every activation needs an approver and MFA (Privileged Identity Management)'
        : 'key administrators hold standing access');
  }
}

/** The tenant and object id Terraform runs as, once per stack. */
export function clientConfig(scope: IConstruct): DataAzurermClientConfig {
  const stack = TerraformStack.of(scope);
  const id = 'CloudKmsClientConfig';
  return (stack.node.tryFindChild(id) as DataAzurermClientConfig | undefined) ?? new DataAzurermClientConfig(stack, id, {});
}
