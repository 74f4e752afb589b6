import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { requireCustodians } from './custodian-checks';
import { literalNumber, optionalBoolean, optionalList, principalList, requireProps } from './input';
import { requireDistinctPrincipals } from './principals';
import { TenantIsolation } from '../../core/tenants';
import { isTokenValue, requireDefined, requireMatch, shown, ValidationError } from '../../core/validation';

export const TENANT_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const TENANT_ID_RULE = "1 to 64 letters, digits, '_' or '-' (it becomes part of an alias, a tag value and a construct id)";

/** The props the checks read (`TenantKeyHierarchyProps`, named by shape so this file does not import the construct's). */
interface HierarchyInput {
  readonly custodians: unknown;
  readonly tenants?: unknown[];
  readonly isolation?: TenantIsolation;
  readonly aliasPrefix?: string;
  readonly tenantTagKey?: string;
  readonly contextKey?: string;
  readonly keyQuota?: number;
  readonly tenantsPerShard?: number;
  readonly pools?: string[];
}

/** A `TenantKeyHierarchy`'s naming and quota props, checked, with their defaults. */
export interface HierarchySettings {
  readonly isolation: TenantIsolation;
  readonly aliasPrefix: string;
  readonly tenantTagKey: string;
  readonly contextKey: string;
  readonly keyQuota: number;
}

export function checkHierarchyInput(scope: IConstruct, props: HierarchyInput): HierarchySettings {
  requireProps(props, 'TenantKeyHierarchy');
  requireCustodians(scope, 'custodians', props.custodians, ['administrators', 'users', 'auditors', 'approvers']);
  optionalList('tenants', props.tenants);
  const isolation = props.isolation ?? TenantIsolation.DEDICATED;
  if (!Object.values(TenantIsolation).includes(isolation)) {
    throw new ValidationError(`isolation must be one of ${Object.values(TenantIsolation).join(', ')}, got ${shown(isolation)}`);
  }
  const aliasPrefix = props.aliasPrefix ?? 'tenant';
  requireMatch('aliasPrefix', aliasPrefix, /^(?!aws(\/|$))[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/,
    "letters, digits, '_' and '-' in '/'-separated parts, not starting with aws");
  const tenantTagKey = props.tenantTagKey ?? 'tenantId';
  requireMatch('tenantTagKey', tenantTagKey, /^(?!aws:)[A-Za-z0-9_.:/=+@-]{1,128}$/, 'a tag key of up to 128 characters, not starting with aws:');
  const contextKey = props.contextKey ?? 'tenantId';
  requireMatch('contextKey', contextKey, /^(?!aws-crypto-)[^\s]{1,128}$/, 'a non-empty encryption-context key without spaces, not starting with aws-crypto-');
  literalNumber('keyQuota', props.keyQuota);
  literalNumber('tenantsPerShard', props.tenantsPerShard);
  const keyQuota = props.keyQuota ?? 100_000;
  if (!Number.isInteger(keyQuota) || keyQuota < 1) throw new ValidationError(`keyQuota must be a positive whole number, got ${shown(keyQuota)}`);
  // Pool names become construct ids and alias names: each must be a literal string (the shared plan only matches
  // them against the id pattern, which an undefined entry passes as the text "undefined").
  optionalList('pools', props.pools).forEach((pool, i) => {
    if (typeof pool !== 'string' || isTokenValue(pool)) {
      throw new ValidationError(`pools[${i}] must be a literal pool name (${TENANT_ID_RULE}), got ${shown(pool)}`);
    }
  });
  return { isolation, aliasPrefix, tenantTagKey, contextKey, keyQuota };
}

/** A tenant entry (`Tenant`, by shape). */
interface TenantInput {
  readonly tenantId: string;
  readonly pool?: string;
  readonly users?: iam.IPrincipal[];
  readonly dedicated?: boolean;
  readonly offboarded?: boolean;
  readonly reonboard?: boolean;
}

/** One tenant's entry, checked before it is placed; `index` is its position among the hierarchy's tenants. */
export function checkTenantInput(scope: IConstruct, tenant: TenantInput, index: number): void {
  if (!tenant || typeof tenant !== 'object') throw new ValidationError(`tenants entries must be objects with a tenantId, got ${shown(tenant)}`);
  requireDefined(`tenants[${index}].tenantId`, tenant.tenantId);
  if (typeof tenant.tenantId !== 'string' || isTokenValue(tenant.tenantId)) {
    throw new ValidationError(`tenants[${index}].tenantId must be a literal string of ${TENANT_ID_RULE}, got ${shown(tenant.tenantId)}`);
  }
  if (tenant.pool !== undefined && (typeof tenant.pool !== 'string' || isTokenValue(tenant.pool))) {
    throw new ValidationError(`tenants[${tenant.tenantId}].pool must be the literal name of one of pools, got ${shown(tenant.pool)}`);
  }
  const users = principalList(`tenants[${tenant.tenantId}].users`, tenant.users);
  requireDistinctPrincipals(scope, `tenants[${tenant.tenantId}].users`, users);
  for (const flag of ['dedicated', 'offboarded', 'reonboard'] as const) optionalBoolean(`tenants[${tenant.tenantId}].${flag}`, tenant[flag]);
}
