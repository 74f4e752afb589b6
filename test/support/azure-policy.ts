/*
 * An Azure Policy rule evaluator for tests: decides whether a policy rule's `if` matches a resource (as Azure Resource
 * Manager returns it: type, name, location, properties) and which effect then applies. Only what our definitions use,
 * written against Microsoft's policy definition structure:
 *   https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule
 *     logical operators (not, allOf, anyOf), conditions (equals, notEquals, like, notLike, contains, notContains, in,
 *     notIn, exists, less, lessOrEquals, greater, greaterOrEquals), fields (type, name, location, aliases), value
 *   https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-alias (alias paths, `[*]`)
 *   https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#count (field count)
 *   https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#policy-functions
 *     (`[parameters('x')]`, and `[requestContext().apiVersion]` when the test gives one; any other template expression
 *     is refused, so a definition using one fails the test loudly)
 * String comparisons are case-insensitive, as the docs say of equals/notEquals/in/notIn/like/contains. A field the
 * resource lacks has no value: `exists: false` holds, equals/in/like/contains/less... do not, notEquals/notIn/notLike/
 * notContains do (Azure evaluates a missing field as an empty value).
 */

export interface ArmResource {
  readonly type: string;
  readonly name?: string;
  readonly location?: string;
  readonly properties?: Record<string, unknown>;
}

export interface PolicyDefinitionJson {
  readonly parameters?: Record<string, { defaultValue?: unknown }>;
  readonly policyRule: Record<string, any>;
}

/** What the request carries besides the resource (`requestContext()`), for definitions that read it. */
export interface RequestContext {
  readonly apiVersion?: string;
}

export interface PolicyOutcome {
  /** Whether the `if` matched: the resource is what the definition refuses or reports. */
  readonly matched: boolean;
  /** The effect that applies when it matched, resolved from parameters. */
  readonly effect?: string;
}

type Params = Record<string, unknown>;
/** Where `[requestContext().apiVersion]` is kept among the parameters (a name no parameter can have). */
const REQUEST_API_VERSION = ' requestContext().apiVersion';
const MISSING = Symbol('missing');

/** Evaluates a definition on a resource with the assignment's (or initiative reference's) parameter values. */
export function evaluatePolicy(definition: PolicyDefinitionJson, resource: ArmResource, values: Params = {},
  request: RequestContext = {}): PolicyOutcome {
  const params: Params = {};
  if (request.apiVersion !== undefined) params[REQUEST_API_VERSION] = request.apiVersion;
  for (const [name, decl] of Object.entries(definition.parameters ?? {})) {
    if (name in values) params[name] = values[name];
    else if (decl.defaultValue !== undefined) params[name] = decl.defaultValue;
  }
  const matched = condition(definition.policyRule.if, resource, params, undefined);
  return matched ? { matched, effect: String(expression(definition.policyRule.then.effect, params)) } : { matched };
}

function expression(value: unknown, params: Params): unknown {
  if (typeof value !== 'string' || !value.startsWith('[') || value.startsWith('[[')) return value;
  if (value === '[requestContext().apiVersion]' && REQUEST_API_VERSION in params) return params[REQUEST_API_VERSION];
  const m = /^\[parameters\('([^']+)'\)\]$/.exec(value);
  if (!m) throw new Error(`azure-policy evaluator: unsupported expression ${value}`);
  if (!(m[1] in params)) throw new Error(`azure-policy evaluator: parameter ${m[1]} has no value`);
  return params[m[1]];
}

/** A field's value: `type`, `name`, `location`, or an alias `<Namespace>/<type>/<path>` into `properties`. */
function field(path: string, resource: ArmResource, item: unknown): unknown {
  const lower = path.toLowerCase();
  if (lower === 'type' || lower === 'name' || lower === 'location') return (resource as any)[lower] ?? MISSING;
  const prefix = `${resource.type.toLowerCase()}/`;
  if (!lower.startsWith(prefix)) return MISSING;
  let rest = path.slice(prefix.length);
  let current: unknown = resource.properties;
  // Inside a count, `x[*].y` is read on the current array member.
  if (item !== undefined && rest.includes('[*].')) {
    rest = rest.slice(rest.indexOf('[*].') + 4);
    current = item;
  }
  if (rest.includes('[*]')) throw new Error(`azure-policy evaluator: array alias ${path} is only supported inside count`);
  for (const key of rest.split('.')) {
    if (current === null || typeof current !== 'object') return MISSING;
    const found = Object.keys(current).find((k) => k.toLowerCase() === key.toLowerCase());
    if (found === undefined) return MISSING;
    current = (current as any)[found];
  }
  return current === undefined || current === null ? MISSING : current;
}

function text(v: unknown): string {
  return String(v).toLowerCase();
}

function compare(a: unknown, b: unknown): number {
  const x = Number(a);
  const y = Number(b);
  if (!Number.isNaN(x) && !Number.isNaN(y) && typeof a !== 'boolean' && typeof b !== 'boolean') return x - y;
  return text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0;
}

function like(value: unknown, pattern: unknown): boolean {
  const re = new RegExp(`^${String(pattern).split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return re.test(String(value));
}

const OPERATORS: Record<string, (v: unknown, x: unknown) => boolean> = {
  equals: (v, x) => v !== MISSING && text(v) === text(x),
  notEquals: (v, x) => v === MISSING || text(v) !== text(x),
  in: (v, x) => v !== MISSING && (x as unknown[]).some((e) => text(e) === text(v)),
  notIn: (v, x) => v === MISSING || !(x as unknown[]).some((e) => text(e) === text(v)),
  like: (v, x) => v !== MISSING && like(v, x),
  notLike: (v, x) => v === MISSING || !like(v, x),
  contains: (v, x) => v !== MISSING && text(v).includes(text(x)),
  notContains: (v, x) => v === MISSING || !text(v).includes(text(x)),
  less: (v, x) => v !== MISSING && compare(v, x) < 0,
  lessOrEquals: (v, x) => v !== MISSING && compare(v, x) <= 0,
  greater: (v, x) => v !== MISSING && compare(v, x) > 0,
  greaterOrEquals: (v, x) => v !== MISSING && compare(v, x) >= 0,
  exists: (v, x) => (v !== MISSING) === (text(x) === 'true'),
};

function condition(c: any, resource: ArmResource, params: Params, item: unknown): boolean {
  if (c.allOf) return (c.allOf as any[]).every((x) => condition(x, resource, params, item));
  if (c.anyOf) return (c.anyOf as any[]).some((x) => condition(x, resource, params, item));
  if (c.not) return !condition(c.not, resource, params, item);
  let subject: unknown;
  if ('count' in c) subject = count(c.count, resource, params);
  else if ('field' in c) subject = field(String(c.field), resource, item);
  else if ('value' in c) subject = expression(c.value, params);
  else throw new Error(`azure-policy evaluator: no field, value or count in ${JSON.stringify(c)}`);
  const ops = Object.keys(c).filter((k) => k in OPERATORS);
  if (ops.length !== 1) throw new Error(`azure-policy evaluator: expected one operator in ${JSON.stringify(c)}`);
  return OPERATORS[ops[0]](subject, expression(c[ops[0]], params));
}

/** Field count: the members of the `[*]` array (that satisfy `where`, when given). */
function count(spec: { field: string; where?: any }, resource: ArmResource, params: Params): number {
  const path = spec.field;
  if (!path.endsWith('[*]')) throw new Error(`azure-policy evaluator: count needs an array alias ending in [*], got ${path}`);
  const array = field(path.slice(0, -3), resource, undefined);
  const members = Array.isArray(array) ? array : [];
  return spec.where ? members.filter((m) => condition(spec.where, resource, params, m)).length : members.length;
}

/**
 * A Terraform (azurerm) `azurerm_key_vault` body as Azure Resource Manager returns the vault: azurerm maps
 * purge_protection_enabled to enablePurgeProtection, soft_delete_retention_days to softDeleteRetentionInDays (Key
 * Vault's default 90 when absent), public_network_access_enabled to publicNetworkAccess, network_acls to networkAcls,
 * rbac_authorization_enabled to enableRbacAuthorization (false when absent: azurerm's default).
 * https://learn.microsoft.com/azure/templates/microsoft.keyvault/vaults
 */
export function armVaultFromTerraform(body: any): ArmResource {
  const acls = Array.isArray(body.network_acls) ? body.network_acls[0] : body.network_acls;
  const properties: Record<string, unknown> = {
    enableSoftDelete: true,
    enablePurgeProtection: body.purge_protection_enabled === true,
    softDeleteRetentionInDays: body.soft_delete_retention_days ?? 90,
    publicNetworkAccess: body.public_network_access_enabled === false ? 'Disabled' : 'Enabled',
    enableRbacAuthorization: body.rbac_authorization_enabled === true,
  };
  if (acls) properties.networkAcls = { defaultAction: acls.default_action, bypass: acls.bypass };
  return { type: 'Microsoft.KeyVault/vaults', name: String(body.name), location: String(body.location), properties };
}

/** A Terraform `azurerm_key_vault_key` as the Key Vault data plane shows it to Microsoft.KeyVault.Data definitions. */
export function dataPlaneKeyFromTerraform(body: any): ArmResource {
  const attributes: Record<string, unknown> = { enabled: true };
  if (body.expiration_date !== undefined) attributes.expiresOn = body.expiration_date;
  return { type: 'Microsoft.KeyVault.Data/vaults/keys', name: String(body.name), properties: { keyType: body.key_type, attributes } };
}
