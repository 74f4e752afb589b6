import { KeyVaultKey } from '@cdktf/provider-azurerm/lib/key-vault-key';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Annotations } from 'cdktf';
import { Construct } from 'constructs';
import { AzureCustodians, azureAssignments } from './custodians';
import { IKeyAuditSink } from './key-audit-sink';
import { KeySpec } from './key-spec';
import { KeyVault, VaultSku } from './key-vault';
import { VaultNetwork } from './vault-network';
import { checkModelAllowed } from '../core/checks';
import { CustodianAssignment, CustodianRole, SeparationOfDuties } from '../core/custodians';
import { DeploymentModel } from '../core/deployment-model';
import { EvidenceLedger } from '../core/evidence';
import { stableGuid } from '../core/naming';
import { recordAzureKeyEvidence, recordVaultCustodians } from './private/key-evidence';
import { assignKeyRole, createVaultKey } from './private/key-resource';
import { AzureKeySettings, hsmKeyKind, resolveAzureKeySettings } from './private/key-settings';
import { AZURE_GLOBAL_NAMES, azureGlobalName } from './private/naming';
import { Period } from '../core/period';
import { ComplianceProfile } from '../core/profile';
import { quotaWarning, recordTenantOffboarded, TenantIsolation, TenantPlan } from '../core/tenants';
import { requireMatch, shown, ValidationError } from '../core/validation';
import { optionalEnum, optionalList, requireLiteralNames, requireWholeNumber } from '../terraform/input';
import { registerVaultKeyMatrix } from './private/access-matrix';
import { checkAzureCustodians, checkVaultApprovers, keyCustodianAssignments } from './private/custodian-checks';
import { checkAzureKeyProps } from './private/input';
import { checkVaultResidency } from './private/residency';
import { BUILT_IN } from './private/roles';

const TENANT_ID = /^[A-Za-z0-9-]{1,64}$/;
const TENANT_ID_RULE = "1 to 64 letters, digits or '-' (it becomes part of a Key Vault key name)";

/**
 * One tenant of an Azure `TenantKeyHierarchy`.
 */
export interface Tenant {
  /** The tenant's id: in its key's name (`tenant-<tenantId>`) and tag, and in the encryption context. */
  readonly tenantId: string;

  /**
   * Under TIERED isolation, give the tenant its own key.
   * @default - true under DEDICATED, false under POOLED and TIERED
   */
  readonly dedicated?: boolean;

  /**
   * The pool a pooled tenant shares a key with.
   * @default - the first of `pools`
   */
  readonly pool?: string;

  /**
   * The tenant has left. Its dedicated key leaves the configuration: Terraform deletes it, Key Vault keeps it
   * soft-deleted (recoverable, unpurgeable) for the vault's retention and then purges it (crypto-shredding). A pooled
   * tenant loses its role assignments; its data cannot be shredded separately.
   * @default false
   */
  readonly offboarded?: boolean;

  /**
   * Object ids of this tenant alone: "Key Vault Crypto User" on the tenant's key only (or, for a pooled tenant, its
   * pool's key, where the envelope function enforces the tenant context).
   * @default - none
   */
  readonly users?: string[];
}

/**
 * Properties of an Azure `TenantKeyHierarchy`.
 */
export interface TenantKeyHierarchyProps {
  readonly resourceGroupName: string;
  readonly location: string;

  /**
   * Custodians of every vault and key. `users` are tenant-serving identities (e.g. the envelope service's managed
   * identity): "Key Vault Crypto User" on every shard vault. Azure RBAC cannot condition key use on an encryption
   * context, so the envelope function enforces that a caller only uses its own tenant's key and context.
   */
  readonly custodians: AzureCustodians;

  /** @default ComplianceProfile.COMMERCIAL */
  readonly profile?: ComplianceProfile;

  /** @default - none (required by profiles that require an audit sink) */
  readonly auditSink?: IKeyAuditSink;

  /** @default KeySpec.RSA_3072 */
  readonly keySpec?: KeySpec;

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

  /** @default Period.days(30) */
  readonly notifyBeforeExpiry?: Period;

  /** Required: every shard vault has purge protection, which cannot be turned off. */
  readonly acknowledgePurgeProtectionIsPermanent: boolean;

  /** @default TenantIsolation.DEDICATED */
  readonly isolation?: TenantIsolation;

  /**
   * Tenants; more with `addTenant()`. Append new tenants and mark leaving ones `offboarded`; never remove or reorder
   * them (that would move keys between vaults).
   * @default - none yet
   */
  readonly tenants?: Tenant[];

  /** @default ['default'] */
  readonly pools?: string[];

  /**
   * Tenant keys per vault. Key Vault throttles requests per vault, so shards spread the load. Fixed for the life of the
   * hierarchy.
   * @default 100
   * @see https://learn.microsoft.com/azure/key-vault/general/service-limits
   */
  readonly tenantsPerVault?: number;

  /**
   * Vault names are `<prefix>-<shard>` (e.g. `kvtenants-0003`) and `<prefix>-pool`: 3 to 19 characters, globally unique.
   * @default - the construct's id and a hash of the subscription and construct path (see README "Names", `NamingContext`)
   */
  readonly vaultNamePrefix?: string;

  /**
   * Role assignments per subscription; the hierarchy warns at 80% of it (tenant users get key-scoped assignments).
   * @default 4000
   * @see https://learn.microsoft.com/azure/role-based-access-control/troubleshoot-limits
   */
  readonly roleAssignmentQuota?: number;

  /**
   * How Terraform and the tenant services reach every shard vault (and the pool vault): `VaultNetwork.privateEndpoint`
   * (one endpoint per vault, all registered in the same private DNS zone) or `VaultNetwork.allowList`.
   */
  readonly network: VaultNetwork;
}

/**
 * Per-tenant keys on Azure: a key per tenant (DEDICATED), a key per pool (POOLED), or both (TIERED), sharded across
 * premium Key Vaults (`tenantsPerVault` each, in the order tenants are added) with stable names, so adding a tenant never
 * moves another. Tenant-specific identities get a role on their tenant's key alone.
 */
export class TenantKeyHierarchy extends Construct {
  public readonly isolation: TenantIsolation;
  public readonly profile: ComplianceProfile;
  public readonly tenantsPerVault: number;
  public readonly vaultNamePrefix: string;

  private readonly props: TenantKeyHierarchyProps;
  private readonly plan: TenantPlan;
  private readonly settings: AzureKeySettings;
  private readonly assignments: CustodianAssignment[];
  private readonly vaults: KeyVault[] = [];
  private poolVault?: KeyVault;
  private readonly tenantKeys = new Map<string, KeyVaultKey>();
  private readonly poolKeys = new Map<string, KeyVaultKey>();
  private readonly quota: number;
  private keyScopedAssignments = 0;
  private readonly keyAssignees = new Set<string>();
  private quotaWarned = false;

  constructor(scope: Construct, id: string, props: TenantKeyHierarchyProps) {
    super(scope, id);
    this.props = props;
    checkAzureKeyProps(props, true);
    const c = checkAzureCustodians(this.node.path, props.custodians);
    if (props.acknowledgePurgeProtectionIsPermanent !== true) {
      throw new ValidationError('acknowledgePurgeProtectionIsPermanent must be true: every shard vault has purge protection, which can never ' +
        `be turned off, got ${shown(props.acknowledgePurgeProtectionIsPermanent)}`);
    }
    if (!props.network) {
      throw new ValidationError(`network is required for ${this.node.path}: every shard vault is reached through VaultNetwork.privateEndpoint(...) ` +
        'or VaultNetwork.allowList(...), got none');
    }
    const profile = props.profile ?? ComplianceProfile.COMMERCIAL;
    checkModelAllowed(profile, DeploymentModel.CUSTOMER_MANAGED, this.node.path);
    this.assignments = keyCustodianAssignments(this.node.path, c);
    this.settings = resolveAzureKeySettings(scope, id, { ...props, profile }, hsmKeyKind(DeploymentModel.CUSTOMER_MANAGED));
    this.profile = this.settings.profile;
    // Shard vaults are made as tenants arrive: their region is checked now, not at the first tenant.
    checkVaultResidency(this.profile, 'location', props.location, this.node.path);
    checkVaultApprovers(this.node.path, this.profile, c.approvers);
    optionalEnum('isolation', props.isolation, Object.values(TenantIsolation));
    this.isolation = props.isolation ?? TenantIsolation.DEDICATED;
    // Checked here, under the names the caller wrote, before the tenant plan checks its own tenantsPerShard.
    this.tenantsPerVault = requireWholeNumber('tenantsPerVault', props.tenantsPerVault ?? 100, 1);
    this.vaultNamePrefix = props.vaultNamePrefix ?? azureGlobalName(this, AZURE_GLOBAL_NAMES.vaultNamePrefix);
    if (typeof this.vaultNamePrefix !== 'string') throw new ValidationError(`vaultNamePrefix must be a string, got ${shown(this.vaultNamePrefix)}`);
    // A token prefix would give every shard vault the same unresolved name: requireMatch refuses it, showing the token.
    requireMatch('vaultNamePrefix', this.vaultNamePrefix, /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,17}[a-zA-Z0-9]$/,
      '3 to 19 letters, digits and single hyphens, starting with a letter and ending with a letter or digit');
    this.quota = requireWholeNumber('roleAssignmentQuota', props.roleAssignmentQuota ?? 4000, 1);
    this.plan = new TenantPlan({
      subject: this.node.path,
      isolation: this.isolation,
      pools: props.pools === undefined ? ['default'] : literalNames('pools', optionalList('pools', props.pools)),
      idPattern: TENANT_ID,
      idRule: TENANT_ID_RULE,
      tenantsPerShard: this.tenantsPerVault,
    });
    if (this.isolation !== TenantIsolation.DEDICATED) {
      this.poolVault = this.newVault('Pools', `${this.vaultNamePrefix}-pool`);
      for (const pool of this.plan.pools) {
        const key = this.newKey(this.poolVault, `Pool-${pool}`, `pool-${pool}`, 'pool');
        this.poolKeys.set(pool, key);
      }
    }
    for (const tenant of optionalList('tenants', props.tenants)) this.addTenant(tenant);
  }

  /** Adds a tenant: its own key in the current shard vault, or a place in its pool. */
  public addTenant(tenant: Tenant): void {
    if (tenant !== undefined && tenant !== null) requireLiteralNames('tenantId', [tenant.tenantId]);
    const placement = this.plan.add(tenant);
    // The whole list at once: an id twice is refused by name (two assignments would share a construct id).
    const added = azureAssignments(CustodianRole.USER, `tenants[${placement.tenantId}].users`, tenant.users ?? []);
    SeparationOfDuties.check([...this.assignments, ...added], `${this.node.path}/${placement.tenantId}`);
    const vault = this.vault(placement.shard);
    if (!placement.dedicated) {
      if (placement.offboarded) {
        recordTenantOffboarded(this, placement.tenantId, 'its role assignments on the pool key are removed; pooled data cannot be crypto-shredded on its own');
        return;
      }
      const key = this.poolKeys.get(placement.pool!)!;
      for (const u of tenant.users ?? []) this.assignOnKey(key, u, placement.tenantId);
      return;
    }
    if (placement.offboarded) {
      recordTenantOffboarded(this, placement.tenantId, `its key is deleted: soft-deleted and unpurgeable for ${vault.softDeleteRetentionDays} days, then purged (crypto-shredding)`);
      return;
    }
    const key = this.newKey(vault, `Tenant-${placement.tenantId}`, `tenant-${placement.tenantId}`, 'tenant', placement.tenantId);
    this.tenantKeys.set(placement.tenantId, key);
    for (const u of tenant.users ?? []) this.assignOnKey(key, u, placement.tenantId);
  }

  /** The key a tenant's data is encrypted under: its own, or its pool's. Offboarded tenants have none. */
  public keyFor(tenantId: string): KeyVaultKey {
    const placement = this.plan.tryFind(tenantId);
    if (!placement) throw new ValidationError(`tenantId must be a tenant of ${this.node.path}, got '${tenantId}'`);
    const key = placement.dedicated ? this.tenantKeys.get(tenantId) : this.poolKeys.get(placement.pool!);
    if (!key || placement.offboarded) throw new ValidationError(`tenant '${tenantId}' is offboarded: it has no key in ${this.node.path}`);
    return key;
  }

  /** Tenant id to the name of the vault that holds its key (pooled tenants: the pool vault). */
  public get shardMap(): { [tenantId: string]: string } {
    const map: { [tenantId: string]: string } = {};
    for (const t of this.plan.tenants) map[t.tenantId] = t.dedicated ? this.vaults[t.shard].vaultName : this.poolVault!.vaultName;
    return map;
  }

  /** The shard vaults, in order (the pool vault is not among them). */
  public get shardVaults(): KeyVault[] {
    return [...this.vaults];
  }

  /** Tenant ids in the order they were added. */
  public get tenantIds(): string[] {
    return this.plan.tenants.map((t) => t.tenantId);
  }

  private vault(index: number): KeyVault {
    while (this.vaults.length <= index) {
      const n = this.vaults.length;
      this.vaults.push(this.newVault(`Shard${String(n).padStart(4, '0')}`, `${this.vaultNamePrefix}-${String(n).padStart(4, '0')}`));
    }
    return this.vaults[index];
  }

  private newVault(id: string, name: string): KeyVault {
    const p = this.props;
    const c = p.custodians;
    const vault = new KeyVault(this, id, {
      resourceGroupName: p.resourceGroupName,
      location: p.location,
      name,
      sku: VaultSku.PREMIUM,
      profile: this.profile,
      auditSink: p.auditSink,
      acknowledgePurgeProtectionIsPermanent: true,
      network: p.network,
      approvers: c.approvers,
      backupOperators: c.backupOperators,
    });
    vault._checkSeparation(this.assignments, this.node.path);
    c.administrators.forEach((a) => vault.addAdministrator(a, 'custodians.administrators'));
    for (const u of c.users ?? []) this.assignOnVault(vault, u, vault._keyUserRoleId(), 'TenantService');
    for (const a of c.auditors ?? []) this.assignOnVault(vault, a, BUILT_IN.KEY_VAULT_READER, 'Auditor');
    return vault;
  }

  private assignOnVault(vault: KeyVault, principalId: string, roleName: string, kind: string): void {
    const guid = stableGuid(vault.node.path, kind, principalId.toLowerCase());
    const role = kind === 'TenantService' ? { roleDefinitionId: roleName } : { roleDefinitionName: roleName };
    new RoleAssignment(vault, `${kind}${guid.slice(0, 8)}`, { name: guid, scope: vault.vaultId, ...role, principalId });
  }

  private newKey(vault: KeyVault, id: string, name: string, what: string, tenantId?: string): KeyVaultKey {
    const key = createVaultKey(vault, vault, name, this.settings, [vault.deploymentAccess], id);
    if (tenantId) key.tags = { tenantId };
    const ledger = EvidenceLedger.of(this);
    for (const a of this.assignments) ledger.addCustodian(key.node.path, a);
    recordVaultCustodians(key.node.path, vault, ledger);
    registerVaultKeyMatrix(key, vault, [key.resourceVersionlessId]);
    recordAzureKeyEvidence({
      key,
      resource: key,
      constructName: 'TenantKeyHierarchy',
      settings: this.settings,
      holder: `HSM-protected ${what} key in a premium Key Vault`,
      auditSink: vault.auditSink,
      parent: vault.node.path,
      separation: 'administrators hold a custom role without cryptographic data actions, backup or restore; tenant identities a use-only role ' +
        'on their tenant\'s key only; tenant-serving identities a use-only role on the shard vaults, with the tenant context enforced by the envelope function',
      dualControl: vault.dualControl ? 'key administration is just-in-time: each activation needs an approver and MFA (PIM)' : undefined,
    });
    return key;
  }

  private assignOnKey(key: KeyVaultKey, objectId: string, tenantId: string): void {
    const [assignment] = azureAssignments(CustodianRole.USER, 'tenant users', [objectId]);
    EvidenceLedger.of(this).addCustodian(key.node.path, assignment);
    // Pooled tenants share a key: one identity serving two of them holds one assignment on it (Azure refuses a second
    // with the same scope, role and principal).
    const assigned = `${key.node.path}|${assignment.identity}`;
    if (this.keyAssignees.has(assigned)) return;
    this.keyAssignees.add(assigned);
    const vault = key.node.scope as KeyVault;
    assignKeyRole(vault, key.resourceVersionlessId, key.node.path, vault._keyUserRoleId(), objectId, `Tenant-${tenantId}-User`);
    this.keyScopedAssignments++;
    if (!this.quotaWarned) {
      const warning = quotaWarning(this.keyScopedAssignments, this.quota, 'role assignments per subscription');
      if (warning) {
        Annotations.of(this).addWarning(`${warning}; or give tenants a group per tier instead of per-tenant identities`);
        this.quotaWarned = true;
      }
    }
  }
}

function literalNames(prop: string, values: string[]): string[] {
  requireLiteralNames(prop, values);
  return values;
}
