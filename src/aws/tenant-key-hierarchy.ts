import { Annotations, Duration, NestedStack, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { KeyCustodians } from './custodians';
import { IKeyAuditSink } from './key-audit-sink-types';
import { CustodianPolicy } from './private/custodian-policy';
import { defaultDeploymentPrincipal } from './private/deployment-principal';
import { quoted } from './private/input';
import { AWS_KMS_FIPS_LEVEL, KeySettings, resolveKeySettings } from './private/key-settings';
import { checkHierarchyInput, checkTenantInput, TENANT_ID, TENANT_ID_RULE } from './private/tenant-hierarchy-input';
import { TenantKey } from './private/tenant-key';
import { denyPooledTenant, offboardTenantKey, reonboardTenantKey } from './private/tenant-offboarding';
import { requireMaxResources, shardFindings, ShardStack } from './private/tenant-shards';
import { CustodianRole } from '../core/custodians';
import { DeploymentModel } from '../core/deployment-model';
import { ComplianceProfile } from '../core/profile';
import { quotaWarning, TenantIsolation, TenantPlacement, TenantPlan } from '../core/tenants';
import { ValidationError } from '../core/validation';

/**
 * One tenant of a `TenantKeyHierarchy`.
 */
export interface Tenant {
  /** The tenant's id: in its alias, its key's tag and the encryption context. */
  readonly tenantId: string;

  /**
   * Under TIERED isolation, give the tenant its own key; the rest are pooled.
   * @default - true under DEDICATED, false under POOLED and TIERED
   */
  readonly dedicated?: boolean;

  /**
   * The pool a pooled tenant shares a key with.
   * @default - the first of `pools`
   */
  readonly pool?: string;

  /**
   * The tenant has left. A dedicated key is disabled, denied to everyone and scheduled for deletion after the deletion
   * window (crypto-shredding); under dual control deletion is proposed to the dual-control gate and carried out once a
   * second custodian approves it. A pooled tenant's context is
   * denied on its pool key (its data cannot be shredded separately). Other tenants are not touched.
   * @default false
   */
  readonly offboarded?: boolean;

  /**
   * Brings an offboarded dedicated tenant back within its key's deletion window: a custom resource cancels the key's
   * pending deletion and enables it again, and the evidence ledger records the re-onboarding. This is the only way a
   * tenant's offboarding is undone: removing `offboarded` (or the tenant, or its shard) alone leaves the key pending
   * deletion. Set it with `offboarded` cleared; in this deploy the key keeps its frozen offboarding properties (KMS
   * refuses to change a key pending deletion), and once it has deployed, remove `reonboard` so the key follows the
   * hierarchy's settings again. Not available under dual control: a custodian proposes `CancelKeyDeletion`
   * to the dual-control gate, a second approver approves it, an administrator enables the key, then `offboarded` is cleared.
   * @default false
   */
  readonly reonboard?: boolean;

  /**
   * Principals of this tenant alone (e.g. the tenant's application role): they may use the tenant's key (or its pool's
   * key) only with this tenant's encryption context, and are denied its management.
   * @default - none
   */
  readonly users?: iam.IPrincipal[];
}

/**
 * Properties of a `TenantKeyHierarchy`.
 */
export interface TenantKeyHierarchyProps {
  /**
   * Custodians of every key in the hierarchy. `users` are the tenant-serving principals: they use a key only for the
   * tenant in their principal tag (`aws:PrincipalTag/<tenantTagKey>`), which must match the encryption context.
   */
  readonly custodians: KeyCustodians;

  /** @default ComplianceProfile.COMMERCIAL */
  readonly profile?: ComplianceProfile;

  /** @default - none (required by profiles that require an audit sink) */
  readonly auditSink?: IKeyAuditSink;

  /**
   * Rotation period of every key.
   * @default - the profile's longest rotation period
   */
  readonly rotation?: Duration;

  /**
   * Waiting period before a key scheduled for deletion (an offboarded tenant's) is deleted: 7 to 30 days.
   * @default Duration.days(30)
   */
  readonly deletionWindow?: Duration;

  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;

  /** @default - the CloudFormation execution role of the stack's DefaultStackSynthesizer */
  readonly deploymentPrincipal?: iam.IPrincipal;

  /** @default TenantIsolation.DEDICATED */
  readonly isolation?: TenantIsolation;

  /**
   * Tenants; more with `addTenant()`. Order matters: tenants fill shards in order, so append new tenants and mark
   * leaving ones `offboarded`, never remove or reorder them (that would move keys between nested stacks).
   * @default - none yet
   */
  readonly tenants?: Tenant[];

  /**
   * Pools (tiers) of pooled tenants, a key each. Unused under DEDICATED isolation.
   * @default ['default']
   */
  readonly pools?: string[];

  /**
   * Alias prefix: tenant keys are `alias/<prefix>/<tenantId>` (pooled tenants' aliases name their pool's key), pool keys
   * `alias/<prefix>/pool/<pool>`.
   * @default 'tenant'
   */
  readonly aliasPrefix?: string;

  /**
   * The principal tag (and key tag) that names a tenant.
   * @default 'tenantId'
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/abac.html
   */
  readonly tenantTagKey?: string;

  /**
   * The encryption-context key that names a tenant.
   * @default 'tenantId'
   */
  readonly contextKey?: string;

  /**
   * Tenants per nested stack. Fixed for the life of the hierarchy: changing it moves keys between stacks.
   * The default keeps each template under CloudFormation's 500 resources and 1 MB (checked at synthesis).
   * @default 100, or 50 under dual control (each key then also carries the dual-control gate's policy resource)
   */
  readonly tenantsPerShard?: number;

  /**
   * The account's KMS keys-per-region quota; the hierarchy warns at 80% of it.
   * @default 100000
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html
   */
  readonly keyQuota?: number;
}

/**
 * Per-tenant keys for a SaaS platform: a key per tenant (DEDICATED), a key per pool with tenants isolated by the
 * encryption context (POOLED), or both (TIERED). Isolation is in the key policies: a tenant-serving principal may use a
 * key only with the encryption context of the tenant in its principal tag (attribute-based access control).
 *
 * Tenant keys are sharded into nested stacks (`tenantsPerShard` each, in the order tenants are added), so any tenant
 * count stays within CloudFormation's template limits and adding a tenant never replaces another's key. Pool keys live
 * in the hierarchy's own stack.
 */
export class TenantKeyHierarchy extends Construct {
  public readonly isolation: TenantIsolation;
  public readonly profile: ComplianceProfile;
  public readonly auditSink?: IKeyAuditSink;
  public readonly aliasPrefix: string;
  public readonly tenantTagKey: string;
  public readonly contextKey: string;
  public readonly tenantsPerShard: number;

  private readonly plan: TenantPlan;
  private readonly settings: KeySettings;
  private readonly custodianPolicy: CustodianPolicy;
  private readonly keyQuota: number;
  private readonly shardStacks: NestedStack[] = [];
  private readonly tenantKeys = new Map<string, TenantKey>();
  private readonly pools = new Map<string, TenantKey>();
  private readonly offboardedPooled = new Map<string, string[]>();
  private readonly tenantPrincipals: iam.IPrincipal[] = [];
  private quotaWarned = false;

  constructor(scope: Construct, id: string, props: TenantKeyHierarchyProps) {
    super(scope, id);
    const input = checkHierarchyInput(this, props);
    this.isolation = input.isolation;
    this.aliasPrefix = input.aliasPrefix;
    this.tenantTagKey = input.tenantTagKey;
    this.contextKey = input.contextKey;
    this.keyQuota = input.keyQuota;

    this.settings = resolveKeySettings(scope, id, props, {
      model: DeploymentModel.CUSTOMER_MANAGED,
      keySpec: kms.KeySpec.SYMMETRIC_DEFAULT,
      keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT,
      automaticRotation: true,
      fipsLevel: AWS_KMS_FIPS_LEVEL,
      holder: 'AWS KMS key',
    });
    this.profile = this.settings.profile;
    this.auditSink = props.auditSink;
    // Nested stacks have their own synthesizer: the deployer is the parent's CloudFormation role.
    const deployer = props.deploymentPrincipal ?? defaultDeploymentPrincipal(this, this.node.path, 'the principal CloudFormation deploys the hierarchy with');
    this.custodianPolicy = TenantKey.custodianPolicy(this, this.settings, props.custodians, deployer);
    // Under dual control each key also carries the dual-control gate's policy resource (its custodian policy, beside a
    // small genesis policy on the key), about half again as many bytes a tenant: 100 a shard would pass 1 MB.
    this.tenantsPerShard = props.tenantsPerShard ?? (this.custodianPolicy.dualControl ? 50 : 100);
    this.plan = new TenantPlan({
      subject: this.node.path,
      isolation: this.isolation,
      pools: props.pools ?? ['default'],
      idPattern: TENANT_ID,
      idRule: TENANT_ID_RULE,
      tenantsPerShard: this.tenantsPerShard,
    });
    requireMaxResources('tenantsPerShard', this.tenantsPerShard);

    if (this.isolation !== TenantIsolation.DEDICATED) {
      for (const pool of this.plan.pools) this.newPoolKey(pool);
    }
    this.custodianPolicy.checkSeparation(this, CustodianRole.USER, 'custodians.users', props.custodians.users ?? [], this.node.path);
    this.tenantPrincipals.push(...(props.custodians.users ?? []));
    for (const p of this.tenantPrincipals) this.grantAbac(p);
    for (const tenant of props.tenants ?? []) this.addTenant(tenant);
    this.node.addValidation({ validate: () => shardFindings(this.shardStacks, this.tenantsPerShard) });
  }

  /** Adds a tenant: its own key (with tag and alias) in the current shard, or an alias to its pool's key. */
  public addTenant(tenant: Tenant): void {
    checkTenantInput(this, tenant, this.tenantIds.length);
    this.custodianPolicy.checkSeparation(this, CustodianRole.USER, `tenants[${tenant?.tenantId}].users`, tenant?.users ?? [],
      `${this.node.path} tenant ${tenant?.tenantId}`);
    const reonboard = tenant?.reonboard === true;
    if (reonboard && tenant.offboarded) {
      throw new ValidationError(`tenants[${tenant.tenantId}].reonboard brings an offboarded tenant back: clear offboarded with it, got offboarded true`);
    }
    const placement = this.plan.add(tenant);
    const shard = this.shard(placement.shard);
    const alias = this.aliasFor(placement.tenantId);
    if (reonboard && !placement.dedicated) {
      throw new ValidationError(`tenants[${placement.tenantId}].reonboard applies to tenants with their own key; a pooled tenant comes back by clearing offboarded, got reonboard true`);
    }
    if (placement.dedicated) {
      const frozen = placement.offboarded || reonboard;
      const key = new TenantKey(shard, placement.tenantId, {
        settings: this.settings,
        custodians: this.custodianPolicy,
        // A frozen key's description names neither profile nor settings, which may change while it is pending deletion.
        description: frozen ? `Tenant ${placement.tenantId} key of ${this.node.path} (offboarded: settings frozen)`
          : `Tenant ${placement.tenantId} key of ${this.node.path} (profile ${this.profile.name})`,
        frozen,
        auditSink: this.auditSink,
        parent: this.node.path,
        tag: { key: this.tenantTagKey, value: placement.tenantId },
        alwaysCheck: this.tenantKeys.size === 0,
      });
      this.tenantKeys.set(placement.tenantId, key);
      if (placement.offboarded) {
        // Nobody gets use of a leaving tenant's key; the deny below would stop them anyway.
        offboardTenantKey(this, key, placement, this.settings.deletionWindow);
        // Under dual control only the gate may delete an alias (DeleteAlias on the key): CloudFormation keeps it.
        if (key.dualControl) new kms.CfnAlias(shard, `${placement.tenantId}Alias`, { aliasName: alias, targetKeyId: key.keyArn });
      } else {
        for (const p of this.tenantPrincipals) this.grantDedicated(key, placement.tenantId, p);
        for (const p of tenant.users ?? []) this.grantTenantUser(key, placement.tenantId, p);
        const aliasResource = new kms.CfnAlias(shard, `${placement.tenantId}Alias`, { aliasName: alias, targetKeyId: key.keyArn });
        // KMS refuses an alias to a key pending deletion: the alias waits for the cancellation.
        if (reonboard) aliasResource.node.addDependency(reonboardTenantKey(this, key, placement));
      }
      this.warnNearQuota();
    } else {
      const poolKey = this.pools.get(placement.pool!)!;
      if (placement.offboarded) {
        denyPooledTenant(poolKey, placement, this.contextKey, this.offboardedPooled);
        if (poolKey.dualControl) new kms.CfnAlias(shard, `${placement.tenantId}Alias`, { aliasName: alias, targetKeyId: poolKey.keyArn });
      } else {
        for (const p of tenant.users ?? []) this.grantTenantUser(poolKey, placement.tenantId, p);
        new kms.CfnAlias(shard, `${placement.tenantId}Alias`, { aliasName: alias, targetKeyId: poolKey.keyArn });
      }
    }
  }

  /**
   * Lets a tenant-serving principal use every key of the hierarchy (now and later) for the tenant in its principal tag:
   * the tag must equal the encryption context's tenant, and on a dedicated key the key's own tenant.
   */
  public grantTenantDataKeyUse(grantee: iam.IGrantable): void {
    this.tenantPrincipals.push(grantee.grantPrincipal);
    this.grantAbac(grantee.grantPrincipal);
    for (const [tenantId, key] of this.tenantKeys) {
      if (!this.plan.tryFind(tenantId)!.offboarded) this.grantDedicated(key, tenantId, grantee.grantPrincipal);
    }
  }

  /** The key a tenant's data is encrypted under: its own, or its pool's. */
  public keyFor(tenantId: string): kms.IKey {
    const placement = this.placement(tenantId);
    return placement.dedicated ? this.tenantKeys.get(tenantId)! : this.pools.get(placement.pool!)!;
  }

  /** Whether the tenant has its own key. */
  public isDedicated(tenantId: string): boolean {
    return this.placement(tenantId).dedicated;
  }

  /** The alias that names the tenant's key (`alias/<prefix>/<tenantId>`); removed when the tenant is offboarded. */
  public aliasFor(tenantId: string): string {
    return `alias/${this.aliasPrefix}/${tenantId}`;
  }

  /** The key of a pool. */
  public poolKey(pool: string): kms.IKey {
    const key = this.pools.get(pool);
    if (!key) throw new ValidationError(`pool must be one of ${[...this.pools.keys()].join(', ') || '(none: isolation is DEDICATED)'}, got ${quoted(pool)}`);
    return key;
  }

  /** The pools' keys, by pool name. */
  public get poolKeyArns(): { [pool: string]: string } {
    return Object.fromEntries([...this.pools].map(([pool, key]) => [pool, key.keyArn]));
  }

  /** Tenant ids in the order they were added. */
  public get tenantIds(): string[] {
    return this.plan.tenants.map((t) => t.tenantId);
  }

  /** Tenant id to the construct path of the nested stack that holds its key or alias. */
  public get shardMap(): { [tenantId: string]: string } {
    const map: { [tenantId: string]: string } = {};
    for (const t of this.plan.tenants) map[t.tenantId] = this.shardStacks[t.shard].node.path;
    return map;
  }

  /** The nested stacks holding tenant keys, in order. */
  public get shards(): NestedStack[] {
    return [...this.shardStacks];
  }

  private placement(tenantId: string): TenantPlacement {
    const p = this.plan.tryFind(tenantId);
    if (!p) throw new ValidationError(`tenantId must be a tenant of ${this.node.path}, got ${quoted(tenantId)}`);
    return p;
  }

  private shard(index: number): NestedStack {
    while (this.shardStacks.length <= index) {
      const n = this.shardStacks.length;
      const stack = new ShardStack(this, `Shard${String(n).padStart(4, '0')}`, {
        description: `Tenant keys ${n * this.tenantsPerShard + 1} to ${(n + 1) * this.tenantsPerShard} of ${this.node.path}`,
      });
      this.shardStacks.push(stack);
    }
    return this.shardStacks[index];
  }

  private newPoolKey(pool: string): void {
    const key = new TenantKey(this, `Pool-${pool}`, {
      settings: this.settings,
      custodians: this.custodianPolicy,
      description: `Pool ${pool} key of ${this.node.path}: tenants isolated by encryption context (profile ${this.profile.name})`,
      auditSink: this.auditSink,
      parent: this.node.path,
      alwaysCheck: true,
    });
    new kms.CfnAlias(this, `Pool-${pool}Alias`, { aliasName: `alias/${this.aliasPrefix}/pool/${pool}`, targetKeyId: key.keyArn });
    this.pools.set(pool, key);
  }

  /** A tenant-serving principal on the pool keys: the context's tenant must be the principal's tag. */
  private grantAbac(principal: iam.IPrincipal): void {
    const tag = `\${aws:PrincipalTag/${this.tenantTagKey}}`;
    for (const key of this.pools.values()) {
      key.grantTenantUse(principal, { encryptionContext: { [this.contextKey]: tag } });
    }
  }

  private grantDedicated(key: TenantKey, tenantId: string, principal: iam.IPrincipal): void {
    key.grantTenantUse(principal,
      { encryptionContext: { [this.contextKey]: tenantId }, principalTags: { [this.tenantTagKey]: tenantId } },
      { principalTags: { [this.tenantTagKey]: tenantId } });
  }

  private grantTenantUser(key: TenantKey, tenantId: string, principal: iam.IPrincipal): void {
    key.grantTenantUse(principal, { encryptionContext: { [this.contextKey]: tenantId } });
  }

  private warnNearQuota(): void {
    if (this.quotaWarned) return;
    const warning = quotaWarning(this.plan.dedicatedCount + this.pools.size, this.keyQuota, 'KMS keys-per-region');
    if (warning) {
      Annotations.of(this).addWarningV2('cloud-kms-constructs:keyQuota', warning);
      this.quotaWarned = true;
    }
  }
}
