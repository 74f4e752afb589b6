import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { KeyVault as CfnKeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { PimEligibleRoleAssignment } from '@cdktf/provider-azurerm/lib/pim-eligible-role-assignment';
import type { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { RoleDefinition } from '@cdktf/provider-azurerm/lib/role-definition';
import { RoleManagementPolicy } from '@cdktf/provider-azurerm/lib/role-management-policy';
import { Duration } from 'aws-cdk-lib';
import { ITerraformDependable, TerraformStack, Token } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { azureAssignments } from './custodians';
import { IKeyAuditSink, KeyAuditSink } from './key-audit-sink';
import { VaultNetwork, VaultNetworkMode } from './vault-network';
import { checkApprovers, checkAuditSink, checkDeletionWindowDays } from '../core/checks';
import { Control } from '../core/controls';
import { CustodianAssignment, CustodianRole, SeparationOfDuties } from '../core/custodians';
import { KeyCustody } from '../core/deployment-model';
import { EvidenceLedger, EvidenceStatus } from '../core/evidence';
import { FipsLevel } from '../core/fips';
import { stableGuid } from '../core/naming';
import { AZURE_GLOBAL_NAMES, azureGlobalName } from './private/naming';
import { ComplianceProfile } from '../core/profile';
import { ValidationError } from '../core/validation';
import { AttachedNetwork } from './private/network';
import {
  VAULT_ADMIN_ACTIONS, VAULT_CRYPTO_DATA_ACTIONS, VAULT_KEY_MANAGEMENT_DATA_ACTIONS, VAULT_KEY_PURGE_DATA_ACTIONS,
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
   * How long deleted keys and the vault can be recovered: 7–90 days.
   * @default Duration.days(90)
   */
  readonly softDeleteRetention?: Duration;

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
   * Object id of the principal Terraform deploys with; it gets the administrators' role (never cryptographic use)
   * so it can create keys and rotation policies.
   * @default - the object id Terraform runs as
   */
  readonly deploymentPrincipalId?: string;
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
  /** The deployment principal's role assignment: keys depend on it so Terraform can create them. */
  public readonly deploymentAccess: RoleAssignment;
  /** FIPS 140 level of the keys this vault can hold at best. */
  public readonly fipsLevel: FipsLevel;
  private readonly admins = new Set<string>();
  private readonly attachedNetwork: AttachedNetwork;
  private readonly assignments: CustodianAssignment[] = [];

  constructor(scope: Construct, id: string, props: KeyVaultProps) {
    super(scope, id);
    const profile = props.profile ?? ComplianceProfile.COMMERCIAL;
    if (props.acknowledgePurgeProtectionIsPermanent !== true) {
      throw new ValidationError(
        'acknowledgePurgeProtectionIsPermanent must be true: purge protection can never be turned off, and deleted keys stay ' +
        `unpurgeable for the whole soft-delete period, got ${props.acknowledgePurgeProtectionIsPermanent}`);
    }
    if (!props.network) {
      throw new ValidationError(`network is required for ${this.node.path}: VaultNetwork.privateEndpoint({ subnetId, privateDnsZoneId }) ` +
        '(Terraform runs inside the virtual network) or VaultNetwork.allowList({ ipRanges }) (Terraform\'s egress address in the list); ' +
        'a vault reachable from neither could not be given keys by Terraform, got none');
    }
    const name = props.name ?? azureGlobalName(this, AZURE_GLOBAL_NAMES.keyVault);
    if (!Token.isUnresolved(name) && !/^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/.test(name)) {
      throw new ValidationError(`name must be 3 to 24 letters, digits and hyphens, starting with a letter and ending with a letter or digit, got ${name}`);
    }
    if (!Token.isUnresolved(name) && name.includes('--')) {
      throw new ValidationError(`name must not contain consecutive hyphens, got ${name}`);
    }
    const retention = props.softDeleteRetention ?? Duration.days(90);
    const retentionDays = retention.toDays({ integral: false });
    checkDeletionWindowDays(profile, 'softDeleteRetention', retentionDays, 7, 90);
    checkAuditSink(profile, props.auditSink && {
      path: props.auditSink.node.path, immutable: props.auditSink.immutable, retentionDays: props.auditSink.retentionDays,
    }, this.node.path);
    const auditSink = KeyAuditSink._resolve(this, props.auditSink, props.auditOptOutReason, props.resourceGroupName, props.location);
    const approvers = props.approvers ?? [];
    this.dualControl = profile.dualControlRequired || approvers.length > 0;
    this.assignments.push(...azureAssignments(CustodianRole.APPROVER, 'approvers', approvers));
    if (this.dualControl) {
      checkApprovers(profile, approvers.map((a) => a.toLowerCase()), 'approvers', this.node.path);
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
      record: (value, description) => this.recordNetwork(value, description),
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
        notDataActions: VAULT_CRYPTO_DATA_ACTIONS,
      }],
    });
    // Terraform must create keys and rotation policies in the vault: the same role, assigned directly.
    this.deploymentAccess = new RoleAssignment(this, 'DeployerKeyAdministrator', {
      name: stableGuid(this.node.path, 'deployer-admin'),
      scope: this.vault.id,
      roleDefinitionId: this.adminRole.roleDefinitionResourceId,
      principalId: this.deploymentPrincipalId,
      description: 'cloud-kms-constructs: lets the deployment create keys and rotation policies (no cryptographic use)',
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

  /** @internal Checks assignments for a key in this vault against everyone who holds a vault-wide role. */
  public _checkSeparation(assignments: CustodianAssignment[], subject: string): void {
    SeparationOfDuties.check([...this.assignments, ...assignments], subject);
  }

  private checkAndRecord(added: CustodianAssignment[]): void {
    SeparationOfDuties.check([...this.assignments, ...added], this.node.path);
    this.assignments.push(...added);
    const ledger = EvidenceLedger.of(this);
    added.forEach((a) => ledger.addCustodian(this.node.path, a));
  }

  /** Which network path exists: recorded when the network is attached, and again when the bypass changes. */
  private recordNetwork(value: string, description: string): void {
    for (const control of [Control.NIST_AC_6, Control.PCI_3_6_1]) {
      EvidenceLedger.of(this).record({
        control,
        status: EvidenceStatus.SATISFIED,
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

/** The tenant and object id Terraform runs as, once per stack. */
export function clientConfig(scope: IConstruct): DataAzurermClientConfig {
  const stack = TerraformStack.of(scope);
  const id = 'CloudKmsClientConfig';
  return (stack.node.tryFindChild(id) as DataAzurermClientConfig | undefined) ?? new DataAzurermClientConfig(stack, id, {});
}
