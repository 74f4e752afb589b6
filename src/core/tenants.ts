import { IConstruct } from 'constructs';
import { EvidenceLedger } from './evidence';
import { shown, ValidationError } from './validation';

/**
 * How a `TenantKeyHierarchy` gives tenants their keys.
 */
export enum TenantIsolation {
  /** A key per tenant: offboarding a tenant crypto-shreds its data by deleting its key. */
  DEDICATED = 'DEDICATED',
  /**
   * A key per pool (tier); tenants share it and are isolated by the encryption context (tenant id). Scales past the
   * per-region key quota, but a pooled tenant's data cannot be crypto-shredded on its own.
   */
  POOLED = 'POOLED',
  /** Tenants marked `dedicated` get their own key; the rest share pool keys. */
  TIERED = 'TIERED',
}

/** What every cloud's tenant spec carries (the cloud-neutral part). */
export interface TenantInput {
  readonly tenantId: string;
  readonly dedicated?: boolean;
  readonly pool?: string;
  readonly offboarded?: boolean;
}

/** Where a tenant landed. */
export interface TenantPlacement {
  readonly tenantId: string;
  /** Whether the tenant has its own key. */
  readonly dedicated: boolean;
  /** The pool whose key the tenant shares (pooled tenants only). */
  readonly pool?: string;
  readonly offboarded: boolean;
  /** Zero-based shard: tenants fill shards in the order they are added, so adding one never moves another. */
  readonly shard: number;
}

export interface TenantPlanOptions {
  readonly subject: string;
  readonly isolation: TenantIsolation;
  readonly pools: string[];
  /** What makes a valid tenant id or pool name on this cloud. */
  readonly idPattern: RegExp;
  /** The rule, for messages (`1 to 64 letters, digits, '_' or '-'`). */
  readonly idRule: string;
  /** Tenants per shard (nested stack, vault, key ring). */
  readonly tenantsPerShard: number;
}

/**
 * Validates tenants and places them: dedicated or pooled, and which shard. Shared by the three clouds'
 * `TenantKeyHierarchy`; knows nothing of any cloud.
 */
export class TenantPlan {
  public readonly isolation: TenantIsolation;
  public readonly pools: string[];
  private readonly placements = new Map<string, TenantPlacement>();
  private readonly lowerCaseIds = new Map<string, string>();
  private dedicatedTenants = 0;

  constructor(private readonly options: TenantPlanOptions) {
    this.isolation = options.isolation;
    if (options.pools.length === 0) {
      throw new ValidationError(`pools must name at least one pool for ${options.subject}, got none`);
    }
    const seen = new Set<string>();
    for (const pool of options.pools) {
      if (!options.idPattern.test(pool)) throw new ValidationError(`pools entries must be ${options.idRule}, got ${shown(pool)}`);
      if (seen.has(pool)) throw new ValidationError(`pools must not repeat a name, got ${shown(pool)} twice`);
      seen.add(pool);
    }
    if (!Number.isInteger(options.tenantsPerShard) || options.tenantsPerShard < 1) {
      throw new ValidationError(`tenantsPerShard must be a whole number of at least 1, got ${shown(options.tenantsPerShard)}`);
    }
    this.pools = [...options.pools];
  }

  /** Validates and places one tenant. */
  public add(input: TenantInput): TenantPlacement {
    const { tenantId } = input ?? ({} as TenantInput);
    if (typeof tenantId !== 'string' || !this.options.idPattern.test(tenantId)) {
      throw new ValidationError(`tenantId must be ${this.options.idRule}, got ${shown(tenantId)}`);
    }
    // Aliases, key names and tags compare case-insensitively somewhere on every cloud.
    const clash = this.lowerCaseIds.get(tenantId.toLowerCase());
    if (clash !== undefined) {
      throw new ValidationError(clash === tenantId
        ? `tenantId must be unique in ${this.options.subject}, got '${tenantId}' twice`
        : `tenantId must be unique ignoring case in ${this.options.subject}, got '${tenantId}' and '${clash}'`);
    }
    const dedicated = this.dedicated(input);
    let pool: string | undefined;
    if (dedicated) {
      if (input.pool !== undefined) {
        throw new ValidationError(`pool applies to pooled tenants only, got ${shown(input.pool)} for dedicated tenant ${shown(tenantId)}`);
      }
    } else {
      pool = input.pool ?? this.pools[0];
      if (!this.pools.includes(pool)) {
        throw new ValidationError(`pool must be one of pools (${this.pools.join(', ')}) for tenant ${shown(tenantId)}, got ${shown(pool)}`);
      }
    }
    const placement: TenantPlacement = {
      tenantId,
      dedicated,
      pool,
      offboarded: input.offboarded ?? false,
      shard: Math.floor(this.placements.size / this.options.tenantsPerShard),
    };
    this.placements.set(tenantId, placement);
    if (dedicated) this.dedicatedTenants++;
    this.lowerCaseIds.set(tenantId.toLowerCase(), tenantId);
    return placement;
  }

  public get tenants(): TenantPlacement[] {
    return [...this.placements.values()];
  }

  public tryFind(tenantId: string): TenantPlacement | undefined {
    return this.placements.get(tenantId);
  }

  /** The number of tenants with their own key. */
  public get dedicatedCount(): number {
    return this.dedicatedTenants;
  }

  /** The shard map, tenant id to shard number. */
  public shardMap(): Record<string, number> {
    const map: Record<string, number> = {};
    for (const p of this.placements.values()) map[p.tenantId] = p.shard;
    return map;
  }

  private dedicated(input: TenantInput): boolean {
    switch (this.isolation) {
      case TenantIsolation.DEDICATED:
        if (input.dedicated === false || input.pool !== undefined) {
          throw new ValidationError(`tenant '${input.tenantId}' cannot be pooled under isolation DEDICATED; use TIERED to mix`);
        }
        return true;
      case TenantIsolation.POOLED:
        if (input.dedicated === true) {
          throw new ValidationError(`tenant '${input.tenantId}' cannot be dedicated under isolation POOLED; use TIERED to mix`);
        }
        return false;
      case TenantIsolation.TIERED:
        return input.dedicated === true;
      default:
        throw new ValidationError(`isolation must be DEDICATED, POOLED or TIERED, got ${shown(this.isolation)}`);
    }
  }
}

/** Share of a key quota at which the hierarchies warn. */
export const KEY_QUOTA_WARNING_SHARE = 0.8;

/** The warning text when the dedicated keys near a quota, or undefined when they do not. */
export function quotaWarning(keys: number, quota: number, what: string): string | undefined {
  if (keys < quota * KEY_QUOTA_WARNING_SHARE) return undefined;
  return `${keys} tenant keys is ${Math.round((keys / quota) * 100)}% of the ${quota} ${what} quota: ` +
    'request a quota increase, or move smaller tenants to pooled keys (isolation POOLED or TIERED), which need one key per pool';
}

/** Records in the ledger, for the report, that a tenant left and what became of its key. */
export function recordTenantOffboarded(hierarchy: IConstruct, tenantId: string, what: string): void {
  EvidenceLedger.of(hierarchy).acknowledge({
    subject: hierarchy.node.path,
    resource: `${hierarchy.node.path}/${tenantId}`,
    rule: 'cloud-kms:TenantOffboarded',
    reason: `tenant ${tenantId} is offboarded: ${what}`,
  });
}
