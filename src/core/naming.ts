import { createHash } from 'crypto';
import { IConstruct } from 'constructs';
import { ValidationError } from './validation';

/**
 * A stable name for a resource from its construct path: a readable prefix and a hash, within a provider.s length limit.
 * Stable across synths, so Terraform never sees a rename.
 */
export function stableName(scope: IConstruct, prefix: string, maxLength: number, allowed = /[^a-z0-9-]/g): string {
  return nameFor(scope.node.path, scope.node.id, prefix, maxLength, allowed);
}

/** As stableName, for a construct not created yet (its parent's path and its id). */
export function nameFor(path: string, id: string, prefix: string, maxLength: number, allowed = /[^a-z0-9-]/g): string {
  const hash = createHash('sha256').update(path).digest('hex').slice(0, 8);
  const base = id.toLowerCase().replace(allowed, '');
  const room = maxLength - prefix.length - hash.length - 1;
  return `${prefix}${base.slice(0, Math.max(0, room))}-${hash}`.replace(/--+/g, '-').slice(0, maxLength);
}

/** A deterministic GUID for a role assignment or definition name, from what it binds. */
export function stableGuid(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('|')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Context keys that steer the names this library generates for globally unique resources (Azure Key Vaults, Managed
 * HSMs and storage accounts, Cloud Storage buckets). Set them on the app (`new App({ context: { … } })`, `cdktf.json`)
 * or on one stack (`stack.node.setContext(…)` before anything is added to it).
 */
export class NamingContext {
  /**
   * The environment put into generated global names, as a string (e.g. the subscription id or project id, or a label
   * such as `prod-eu`). It wins over the provider's subscription and the construct's project: set to the subscription
   * id, names do not change when the subscription later moves into or out of the provider block, and a label tells
   * apart two deployments that share a subscription. It is required where neither is known at synthesis (an
   * `AzurermProvider` whose subscription comes from `ARM_SUBSCRIPTION_ID`, a project that is a token).
   */
  public static readonly ENVIRONMENT = 'cloud-kms-constructs:namingEnvironment';

  /**
   * `true` keeps the names of deployments synthesized before environments went into global names: a hash of the
   * construct path only. Renaming a purge-protected vault replaces it (refused by `prevent_destroy`), so set this for
   * stacks that are already deployed; leave it unset for new ones.
   */
  public static readonly LEGACY_GLOBAL_NAMES = 'cloud-kms-constructs:legacyGlobalNames';

  private constructor() {}
}

/** How one kind of globally unique name is made. */
export interface GlobalNameRule {
  /** What the name is of, for messages (`Key Vault`). */
  readonly what: string;
  /** The prop that overrides the name, for messages. */
  readonly prop: string;
  readonly prefix: string;
  readonly maxLength: number;
  /** Characters the name may not hold (lower-case input). */
  readonly disallowed: RegExp;
  /** Hyphens allowed between the readable part and the hash (not in storage account names). */
  readonly hyphens: boolean;
  /** Substrings the readable part must not contain (Cloud Storage refuses "google" in bucket names). */
  readonly forbidden?: RegExp;
}

/** The environment a provider configuration or construct prop gives, or why there is none. */
export interface NamingEnvironment {
  /** The subscription or project, when it is a literal at synthesis. */
  readonly value?: string;
  /** For the error when there is no value: where we looked and what we found. */
  readonly looked: string;
  /** For the error: what the user can set instead (`subscriptionId on the stack's AzurermProvider`). */
  readonly remedy: string;
}

/** Child ids that say nothing about what a resource is for: the name takes its parent's id instead. */
const GENERIC_IDS = new Set(['Vault', 'Resource', 'Default']);

function readableId(scope: IConstruct): string {
  let c = scope;
  while (GENERIC_IDS.has(c.node.id) && c.node.scope && c.node.scope.node.id !== '') c = c.node.scope;
  return c.node.id;
}

function legacyGlobalNames(scope: IConstruct): boolean {
  const v = scope.node.tryGetContext(NamingContext.LEGACY_GLOBAL_NAMES);
  return v === true || v === 'true';
}

/**
 * A globally unique name: prefix, the construct's readable id, and a hash of the environment and the construct path,
 * so the same app deployed to two subscriptions or projects never asks for the same name. With
 * `NamingContext.LEGACY_GLOBAL_NAMES` it is the name earlier versions generated (path hash only), byte for byte.
 * @param environment read only when needed, so a legacy stack needs no subscription at synthesis
 */
export function globalName(scope: IConstruct, rule: GlobalNameRule, environment: () => NamingEnvironment): string {
  if (legacyGlobalNames(scope)) {
    const legacy = stableName(scope, rule.prefix, rule.maxLength, rule.disallowed);
    return rule.hyphens ? legacy : legacy.replace(/-/g, '');
  }
  const env = namingEnvironment(scope, rule, environment);
  const hash = createHash('sha256').update(`${env.trim().toLowerCase()}\n${scope.node.path}`).digest('hex').slice(0, 8);
  let base = readableId(scope).toLowerCase().replace(rule.disallowed, '');
  if (rule.forbidden) {
    for (let before = ''; before !== base;) {
      before = base;
      base = base.replace(rule.forbidden, '');
    }
  }
  const sep = rule.hyphens ? '-' : '';
  const room = rule.maxLength - rule.prefix.length - sep.length - hash.length;
  return `${rule.prefix}${base.slice(0, Math.max(0, room))}${sep}${hash}`.replace(/--+/g, '-');
}

function namingEnvironment(scope: IConstruct, rule: GlobalNameRule, environment: () => NamingEnvironment): string {
  const fromContext = scope.node.tryGetContext(NamingContext.ENVIRONMENT);
  if (typeof fromContext === 'string' && fromContext.trim() !== '' && !fromContext.includes('${')) return fromContext;
  if (fromContext !== undefined) {
    throw new ValidationError(`context ${NamingContext.ENVIRONMENT} must be a non-empty literal string, got ${JSON.stringify(fromContext)}`);
  }
  const env = environment();
  if (env.value !== undefined) return env.value;
  throw new ValidationError(
    `${rule.prop} is required for ${rule.what} ${scope.node.path} when the environment is not known at synthesis (${env.looked}): ` +
    `${rule.what} names are globally unique, so a generated one carries the environment; set ${env.remedy}, ` +
    `or the context "${NamingContext.ENVIRONMENT}", or ${rule.prop}; a stack deployed before environments went into names keeps ` +
    `its names with the context "${NamingContext.LEGACY_GLOBAL_NAMES}": true`);
}
