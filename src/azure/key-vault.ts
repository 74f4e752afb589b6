import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { KeyVault as CfnKeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { PimEligibleRoleAssignment } from '@cdktf/provider-azurerm/lib/pim-eligible-role-assignment';
import type { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { RoleDefinition } from '@cdktf/provider-azurerm/lib/role-definition';
import { RoleManagementPolicy } from '@cdktf/provider-azurerm/lib/role-management-policy';
import { ITerraformDependable, TerraformStack } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { azureAssignments } from './custodians';
import { IKeyAuditSink, KeyAuditSink } from './key-audit-sink';
import { VaultNetwork, VaultNetworkMode } from './vault-network';
import { checkAuditSink, checkDeletionWindowDays } from '../core/checks';
import { Control } from '../core/controls';
import { CustodianAssignment, CustodianRole, SeparationOfDuties } from '../core/custodians';
import { KeyCustody } from '../core/deployment-model';
import { EvidenceLedger, EvidenceStatus } from '../core/evidence';
import { FipsLevel } from '../core/fips';
import { stableGuid } from '../core/naming';
import { AZURE_GLOBAL_NAMES, azureGlobalName } from './private/naming';
import { Period } from '../core/period';
import { ComplianceProfile } from '../core/profile';
import { requireDefined, shown, ValidationError } from '../core/validation';
import { optionalConstruct, optionalEnum, optionalList, optionalPeriod, optionalProfile } from '../terraform/input';
import { checkAzureApprovers, optionalObjectId, requireLocation, requireResourceGroupName, requireVaultName } from './private/input';
import { literalDays } from '../terraform/period';
import { AttachedNetwork } from './private/network';
import {
  VAULT_ADMIN_ACTIONS, VAULT_CRYPTO_DATA_ACTIONS, VAULT_DEPLOYER_ACTIONS, VAULT_DEPLOYER_DATA_ACTIONS, VAULT_DEPLOYER_UPDATE_DATA_ACTIONS,
  VAULT_KEY_BACKUP_DATA_ACTIONS, VAULT_KEY_MANAGEMENT_DATA_ACTIONS, VAULT_KEY_PURGE_DATA_ACTIONS, VAULT_USE_DATA_ACTIONS,
} from './private/roles';

/**
 * Key Vault pricing tier.
 * @see https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates#key-vault-pricing-tiers
 */
export enum VaultSku {
  /** Software-protected keys only (FIPS 140 Level 1). */
  STANDARD = 'standard',
  /** Adds HSM-protected keys (FIPS 140-3 Level 3). */
  PREMIUM = 'premium',
}

/**
 * Properties of an Azure `KeyVault`.
 */
export interface KeyVaultProps {
  /** Resource group of the vault. */
  readonly resourceGroupName: string;
  /** Azure region. */
  readonly location: string;

  /**
   * Purge protection stops anyone, even subscription owners, from purging the vault or its keys during the
   * soft-delete period, and it can never be turned off. Set to true to confirm.
   * @see https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview#purge-protection
   */
  readonly acknowledgePurgeProtectionIsPermanent: boolean;

  /**
   * Vault name: 3–24 letters, digits and hyphens, globally unique.
   * @default - the construct's id and a hash of the subscription and construct path (see README "Names", `NamingContext`)
   */
  readonly name?: string;

  /**
   * Pricing tier. Standard holds only software keys.
   * @default VaultSku.PREMIUM
   */
  readonly sku?: VaultSku;

  /**
   * Microsoft Entra tenant id.
   * @default - the tenant Terraform runs in
   */
  readonly tenantId?: string;

  /**
   * How long deleted keys and the vault can be recovered: 7–90 days, a literal period (a token is refused).
   * @default Period.days(90)
   */
  readonly softDeleteRetention?: Period;

  /**
   * The compliance profile the vault serves (soft-delete minimum, audit sink, dual control).
   * @default ComplianceProfile.COMMERCIAL
   */
  readonly profile?: ComplianceProfile;

  /**
   * Where the vault's audit logs go.
   * @default - the stack's default sink (`KeyAuditSink` with a workspace only, kept a year, created once per stack);
   * required by profiles that require an audit sink
   */
  readonly auditSink?: IKeyAuditSink;

  /**
   * Leaves the vault without an AuditEvent diagnostic setting (CIS Azure "logging for Key Vault enabled"), for this
   * reason, which the compliance report shows. Refused where the profile requires an audit sink, and with `auditSink`.
   * `KeyAuditSink.optOut(scope, reason)` does the same for every vault under a scope.
   * @default - audited: the given sink, else the stack's default sink
   */
  readonly auditOptOutReason?: string;

  /**
   * How Terraform and every other client reach the vault's data plane: `VaultNetwork.privateEndpoint(...)` (public
   * access disabled, private endpoint and DNS zone group; Terraform runs inside the virtual network or a peered one) or
   * `VaultNetwork.allowList(...)` (firewall default Deny; Terraform's egress address in the list). Required: without one
   * of them Terraform could not create the vault's keys.
   * @see https://learn.microsoft.com/azure/key-vault/general/network-security
   */
  readonly network: VaultNetwork;

  /**
   * Object ids of key administrators. They get a custom role that manages keys and rotation policies but has no
   * cryptographic data actions. Under dual control the role is only eligible (Privileged Identity Management):
   * each activation needs an approver and MFA.
   * @default - none (keys add their own)
   */
  readonly administrators?: string[];

  /**
   * Object ids of the approvers of administrators' activations (dual control). At least two under a profile that
   * requires dual control.
   * @default - none
   */
  readonly approvers?: string[];

  /**
   * Object id of the principal Terraform deploys with. It gets a role of its own that creates keys and rotation policies
   * (and, without dual control, updates keys): no delete, purge, backup, restore, recover or cryptographic use. It is
   * recorded as a custodian (the deployment identity) of the vault and of every key in it.
   * @default - the object id Terraform runs as
   */
  readonly deploymentPrincipalId?: string;

  /**
   * Object ids of backup operators: they alone may back up and restore keys (a custom role with `keys/backup/action` and
   * `keys/restore/action`, on this vault). A backup restores into any vault of the same subscription and geography, so
   * no administrator holds these rights, and a backup operator can hold no other role (separation of duties). Under dual
   * control their assignment is eligible only, activated with an approver's consent and MFA like the administrators'.
   * @default - none: nobody this app names can back up or restore keys
   */
  readonly backupOperators?: string[];
}

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
    this.vault = new CfnKeyVault(this, 'Resource', {
      name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      tenantId: props.tenantId ?? client.tenantId,
      skuName: this.sku,
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: true,
      softDeleteRetentionDays: retentionDays,
      // network_acls comes from the network below, and again when a service is granted a key (the bypass).
      publicNetworkAccessEnabled: this.networkMode === VaultNetworkMode.ALLOW_LIST,
      lifecycle: { preventDestroy: true },
    });
    this.attachedNetwork = props.network._attach(this, {
      service: 'vault',
      resourceId: this.vault.id,
      name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      putAcls: (acls) => this.vault.putNetworkAcls(acls),
      record: (value, description, status) => this.recordNetwork(value, description, status),
    });
    this.privateEndpoint = this.attachedNetwork.privateEndpoint;
    this.vaultId = this.vault.id;
    this.vaultUri = this.vault.vaultUri;

    this.adminRole = new RoleDefinition(this, 'KeyAdministratorRole', {
      name: `cloud-kms key administrator (${name})`,
      scope: this.vault.id,
      assignableScopes: [this.vault.id],
      description: 'Manages keys and rotation policies in one vault; no cryptographic use, no vault permission-model changes.',
      permissions: [{
        actions: VAULT_ADMIN_ACTIONS,
        dataActions: [...VAULT_KEY_MANAGEMENT_DATA_ACTIONS, ...VAULT_KEY_PURGE_DATA_ACTIONS],
        // Listed as excluded too, so that a later edit of the granted list cannot add them unnoticed.
        notDataActions: [...VAULT_CRYPTO_DATA_ACTIONS, ...BACKUP_ONLY],
      }],
    });
    // Terraform must create keys and rotation policies: a role that does just that. Deleting a key (prevent_destroy
    // guards Terraform, this role guards Azure), purging, backing up and using it are not Terraform's.
    this.deployerRole = new RoleDefinition(this, 'KeyDeployerRole', {
      name: `cloud-kms key deployer (${name})`,
      scope: this.vault.id,
      assignableScopes: [this.vault.id],
      description: 'Creates keys and sets their rotation policies in one vault; no delete, purge, backup, restore or cryptographic use.',
      permissions: [{
        actions: VAULT_DEPLOYER_ACTIONS,
        dataActions: [...VAULT_DEPLOYER_DATA_ACTIONS, ...(this.dualControl ? [] : VAULT_DEPLOYER_UPDATE_DATA_ACTIONS)],
        notDataActions: [...VAULT_CRYPTO_DATA_ACTIONS, ...BACKUP_ONLY, ...VAULT_KEY_PURGE_DATA_ACTIONS,
          'Microsoft.KeyVault/vaults/keys/delete', ...(this.dualControl ? VAULT_DEPLOYER_UPDATE_DATA_ACTIONS : [])],
      }],
    });
    this.deploymentAccess = new RoleAssignment(this, 'DeploymentPrincipalAccess', {
      name: stableGuid(this.node.path, 'deployer'),
      scope: this.vault.id,
      roleDefinitionId: this.deployerRole.roleDefinitionResourceId,
      principalId: this.deploymentPrincipalId,
      description: 'cloud-kms-constructs: lets the deployment create keys and rotation policies (no delete, backup or cryptographic use)',
    });
    this.assignments.push({ role: CustodianRole.DEPLOYER, identity: this.deploymentPrincipalId, source: 'deploymentPrincipalId', label: 'the deployment principal' });

    if (this.dualControl) {
      new RoleManagementPolicy(this, 'AdministratorActivationPolicy', {
        scope: this.vault.id,
        roleDefinitionId: this.adminRole.roleDefinitionResourceId,
        activationRules: {
          maximumDuration: 'PT8H',
          requireApproval: true,
          requireJustification: true,
          requireMultifactorAuthentication: true,
          approvalStage: { primaryApprover: approvers.map((objectId) => ({ objectId, type: 'User' })) },
        },
        eligibleAssignmentRules: { expirationRequired: false },
      });
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
    const suffix = stableGuid(assignment.identity).slice(0, 8);
    if (this.dualControl) {
      new PimEligibleRoleAssignment(this, `EligibleAdministrator${suffix}`, {
        scope: this.vault.id,
        roleDefinitionId: this.adminRole.roleDefinitionResourceId,
        principalId: objectId,
        justification: 'cloud-kms-constructs: key administration under dual control',
        schedule: { expiration: { durationDays: 365 } },
      });
    } else {
      new RoleAssignment(this, `Administrator${suffix}`, {
        name: stableGuid(this.node.path, 'admin', assignment.identity),
        scope: this.vault.id,
        roleDefinitionId: this.adminRole.roleDefinitionResourceId,
        principalId: objectId,
      });
    }
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
    const suffix = stableGuid(assignment.identity).slice(0, 8);
    if (this.dualControl) {
      new PimEligibleRoleAssignment(this, `EligibleBackupOperator${suffix}`, {
        scope: this.vault.id,
        roleDefinitionId: role.roleDefinitionResourceId,
        principalId: objectId,
        justification: 'cloud-kms-constructs: key backup and restore under dual control',
        schedule: { expiration: { durationDays: 365 } },
      });
    } else {
      new RoleAssignment(this, `BackupOperator${suffix}`, {
        name: stableGuid(this.node.path, 'backup-operator', assignment.identity),
        scope: this.vault.id,
        roleDefinitionId: role.roleDefinitionResourceId,
        principalId: objectId,
      });
    }
  }

  /**
   * @internal The vault's key-user role: read a key and use it, nothing else. "Key Vault Crypto User" also updates
   * (disables) and backs up keys, which separation of duties keeps from users.
   */
  public _keyUserRoleId(): string {
    this.keyUserRole ??= new RoleDefinition(this, 'KeyUserRole', {
      name: `cloud-kms key user (${this.vaultName})`,
      scope: this.vault.id,
      assignableScopes: [this.vault.id],
      description: 'Reads and uses keys (encrypt, decrypt, wrap, unwrap, sign, verify); no update, backup, restore, delete or release.',
      permissions: [{ actions: [], dataActions: VAULT_USE_DATA_ACTIONS }],
    });
    return this.keyUserRole.roleDefinitionResourceId;
  }

  /**
   * @internal A role on the vault for one principal: under dual control only eligible, each activation approved by one of
   * the vault's approvers with MFA (one activation policy per role); otherwise assigned directly.
   */
  public _assignOnVault(scope: Construct, id: string, roleDefinitionId: string, principalId: string, justification: string): void {
    if (!this.dualControl) {
      new RoleAssignment(scope, id, {
        name: stableGuid(scope.node.path, id, principalId.toLowerCase()),
        scope: this.vault.id,
        roleDefinitionId,
        principalId,
      });
      return;
    }
    new PimEligibleRoleAssignment(scope, `Eligible${id}`, {
      scope: this.vault.id,
      roleDefinitionId,
      principalId,
      justification,
      schedule: { expiration: { durationDays: 365 } },
    });
    if (!this.activationPolicies.has(roleDefinitionId)) {
      this.activationPolicies.add(roleDefinitionId);
      this.activationPolicy(scope, `${id}ActivationPolicy`, roleDefinitionId);
    }
  }

  private activationPolicy(scope: Construct, id: string, roleDefinitionId: string): RoleManagementPolicy {
    return new RoleManagementPolicy(scope, id, {
      scope: this.vault.id,
      roleDefinitionId,
      activationRules: {
        maximumDuration: 'PT8H',
        requireApproval: true,
        requireJustification: true,
        requireMultifactorAuthentication: true,
        approvalStage: { primaryApprover: this.approverIds.map((objectId) => ({ objectId, type: 'User' })) },
      },
      eligibleAssignmentRules: { expirationRequired: false },
    });
  }

  private backupOperatorRole(): RoleDefinition {
    if (this.backupRole) return this.backupRole;
    this.backupRole = new RoleDefinition(this, 'KeyBackupOperatorRole', {
      name: `cloud-kms key backup operator (${this.vaultName})`,
      scope: this.vault.id,
      assignableScopes: [this.vault.id],
      description: 'Backs up and restores keys of one vault; no other key management and no cryptographic use.',
      permissions: [{ actions: [], dataActions: VAULT_KEY_BACKUP_DATA_ACTIONS, notDataActions: VAULT_CRYPTO_DATA_ACTIONS }],
    });
    if (this.dualControl) this.activationPolicy(this, 'BackupOperatorActivationPolicy', this.backupRole.roleDefinitionResourceId);
    return this.backupRole;
  }

  /** @internal Checks assignments for a key in this vault against everyone who holds a vault-wide role. */
  public _checkSeparation(assignments: CustodianAssignment[], subject: string): void {
    SeparationOfDuties.check([...this.assignments, ...assignments], subject);
  }

  /** @internal Everyone who holds a vault-wide role (administrators, backup operators, approvers, the deployment principal). */
  public get _vaultCustodians(): CustodianAssignment[] {
    return [...this.assignments];
  }

  private checkAndRecord(added: CustodianAssignment[]): void {
    SeparationOfDuties.check([...this.assignments, ...added], this.node.path);
    this.assignments.push(...added);
    const ledger = EvidenceLedger.of(this);
    added.forEach((a) => ledger.addCustodian(this.node.path, a));
  }

  /** Which network path exists: recorded when the network is attached, and again when the bypass changes. */
  private recordNetwork(value: string, description: string, status: EvidenceStatus): void {
    for (const control of [Control.NIST_AC_6, Control.PCI_3_6_1]) {
      EvidenceLedger.of(this).record({
        control,
        status,
        subject: this.node.path,
        resource: this.vault.node.path,
        setting: 'rbac_authorization_enabled, public_network_access_enabled, network_acls, private endpoint',
        value: `rbac_authorization_enabled true, ${value}`,
        description: `Azure RBAC only (no access policies); ${description}`,
      });
    }
  }

  private recordEvidence(): void {
    const ledger = EvidenceLedger.of(this);
    ledger.registerContainer({
      path: this.node.path,
      stack: TerraformStack.of(this).node.path,
      cloud: 'azure',
      kind: `Key Vault (${this.sku})`,
      custody: KeyCustody.SHARED,
      fipsLevel: this.fipsLevel,
    });
    this.assignments.forEach((a) => ledger.addCustodian(this.node.path, a));
    const resource = this.vault.node.path;
    const record = (controls: Control[], status: EvidenceStatus, setting: string, value: string, description: string) => {
      for (const control of controls) ledger.record({ control, status, subject: this.node.path, resource, setting, value, description });
    };
    record([Control.NIST_SC_12_1, Control.PCI_3_7_5], EvidenceStatus.SATISFIED, 'purge_protection_enabled, soft_delete_retention_days',
      `true, ${this.softDeleteRetentionDays}`, `deleted keys are recoverable for ${this.softDeleteRetentionDays} days and cannot be purged early`);
    record([Control.PCI_3_7_6], this.dualControl ? EvidenceStatus.SATISFIED : EvidenceStatus.NOT_SATISFIED, 'role_management_policy',
      this.dualControl ? 'approval + MFA' : 'none',
      this.dualControl ? 'key administration is just-in-time: every activation needs an approver and MFA (Privileged Identity Management)'
        : 'key administrators hold standing access');
  }
}

/** Backup and restore, granted to backup operators only and excluded from every other custom role. */
const BACKUP_ONLY = ['Microsoft.KeyVault/vaults/keys/backup/action', 'Microsoft.KeyVault/vaults/keys/restore/action'];

/** The tenant and object id Terraform runs as, once per stack. */
export function clientConfig(scope: IConstruct): DataAzurermClientConfig {
  const stack = TerraformStack.of(scope);
  const id = 'CloudKmsClientConfig';
  return (stack.node.tryFindChild(id) as DataAzurermClientConfig | undefined) ?? new DataAzurermClientConfig(stack, id, {});
}
