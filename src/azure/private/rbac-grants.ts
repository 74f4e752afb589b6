import { DefaultTokenResolver, StringConcat, TerraformStack, Tokenization } from 'cdktf';
import { BUILT_IN_ROLE_PERMISSIONS, HSM_BUILT_IN_ROLE_PERMISSIONS, RolePermissions } from './roles';
import { oncePerReport, TERRAFORM_JSON } from '../../core/access-policy';

/*
 * The role assignments of a stack as its Terraform JSON synthesizes them, with the permissions of their role definitions
 * (custom roles as synthesized, built-in roles from Microsoft's tables in roles.ts), and Azure's matching of actions
 * against them. The access matrix (access-matrix.ts) reads its grants from here.
 */

/** One role assignment that covers the key, as synthesized. */
export interface Grant {
  readonly principal: string;
  readonly permissions: RolePermissions;
  /** Eligible (PIM) with an approval policy: reached only with an approved activation. */
  readonly justInTime: boolean;
  /** What the evaluation of this assignment had to assume (an undocumented role, an eligibility without approval). */
  readonly notes?: string[];
}

type Json = Record<string, any>;

const RESOLVER = new DefaultTokenResolver(new StringConcat());

/** A value as the stack's Terraform JSON writes it (a reference becomes `${type.name.attribute}`). */
export function resolved(stack: TerraformStack, value: unknown): string {
  return String(Tokenization.resolve(value, { scope: stack, preparing: false, resolver: RESOLVER }));
}

/** Case-insensitive match with `*` wildcards, as Azure matches actions against role permissions. */
function matches(pattern: string, action: string): boolean {
  let re = PATTERNS.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*')}$`, 'i');
    PATTERNS.set(pattern, re);
  }
  return re.test(action);
}

const PATTERNS = new Map<string, RegExp>();

export function allowsData(p: RolePermissions, action: string): boolean {
  return p.dataActions.some((a) => matches(a, action)) && !p.notDataActions.some((a) => matches(a, action));
}

export function allowsControl(p: RolePermissions, action: string): boolean {
  return p.actions.some((a) => matches(a, action)) && !p.notActions.some((a) => matches(a, action));
}

export function list(v: unknown): any[] {
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
}

/** A Managed HSM built-in local role as the evaluation reads it: its data actions, nothing excluded. */
export function dataActionsOnly(dataActions: readonly string[]): RolePermissions {
  return { actions: [], notActions: [], dataActions, notDataActions: [] };
}

const MAXIMAL: RolePermissions = { actions: ['*'], notActions: [], dataActions: ['*'], notDataActions: [] };

/** The synthesized Terraform JSON of a stack, once per report (shared with the Google matrices of the same stack). */
function synthesized(stack: TerraformStack, cache: Map<unknown, unknown>): Json {
  return oncePerReport(cache, TERRAFORM_JSON, stack, () => stack.toTerraform() as Json);
}

function resources(json: Json, type: string): [string, Json][] {
  return Object.entries((json.resource ?? {})[type] ?? {});
}

/**
 * Permissions of a role definition as synthesized: `permissions` blocks of an azurerm_role_definition, `permission` blocks
 * of a Managed HSM one (one block per role here; all blocks union).
 */
function rolePermissions(blocks: Json[]): RolePermissions {
  return {
    actions: blocks.flatMap((b) => list(b.actions)),
    notActions: blocks.flatMap((b) => list(b.not_actions)),
    dataActions: blocks.flatMap((b) => list(b.data_actions)),
    notDataActions: blocks.flatMap((b) => list(b.not_data_actions)),
  };
}

export interface StackIndex {
  /** Role assignments (direct and PIM-eligible) by scope as synthesized. */
  readonly byScope: Map<string, Grant[]>;
  /** Managed HSM local role assignments by HSM id and scope. */
  readonly hsmByScope: Map<string, Grant[]>;
  /** admin_object_ids of each Managed HSM, by its id reference. */
  readonly hsmAdmins: Map<string, string[]>;
  /** Literal subscription or resource-group scopes, which may be above any vault. */
  readonly aboveVaults: string[];
}

export function indexStack(stack: TerraformStack, cache: Map<unknown, unknown>): StackIndex {
  return oncePerReport(cache, 'azure-rbac-index', stack, () => buildIndex(synthesized(stack, cache)));
}

function buildIndex(json: Json): StackIndex {
  const roleDefs = new Map<string, RolePermissions>();
  for (const [name, def] of resources(json, 'azurerm_role_definition')) {
    roleDefs.set(`\${azurerm_role_definition.${name}.role_definition_resource_id}`, rolePermissions(list(def.permissions)));
    roleDefs.set(`\${azurerm_role_definition.${name}.id}`, rolePermissions(list(def.permissions)));
  }
  const permissionsOf = (a: Json): { permissions: RolePermissions; notes: string[] } => {
    if (a.role_definition_id !== undefined) {
      const p = roleDefs.get(a.role_definition_id);
      if (p) return { permissions: p, notes: [] };
    }
    if (a.role_definition_name !== undefined && BUILT_IN_ROLE_PERMISSIONS[a.role_definition_name]) {
      return { permissions: BUILT_IN_ROLE_PERMISSIONS[a.role_definition_name], notes: [] };
    }
    const role = a.role_definition_name ?? a.role_definition_id;
    return { permissions: MAXIMAL, notes: [`role ${role} is not in the table of documented roles: assumed to allow every action`] };
  };
  const approved = new Set<string>();
  for (const [, p] of resources(json, 'azurerm_role_management_policy')) {
    const approval = (r: Json) => r.require_approval === true && list(r.approval_stage).some((st) => list(st.primary_approver).length > 0);
    if (list(p.activation_rules).some(approval)) {
      approved.add(`${p.scope}\u0000${p.role_definition_id}`);
    }
  }
  const byScope = new Map<string, Grant[]>();
  const add = (scope: string, g: Grant) => byScope.set(scope, [...(byScope.get(scope) ?? []), g]);
  for (const type of ['azurerm_role_assignment', 'azurerm_pim_active_role_assignment']) {
    for (const [, a] of resources(json, type)) add(a.scope, { principal: a.principal_id, ...permissionsOf(a), justInTime: false });
  }
  for (const [, a] of resources(json, 'azurerm_pim_eligible_role_assignment')) {
    const jit = approved.has(`${a.scope}\u0000${a.role_definition_id}`);
    const p = permissionsOf(a);
    const notes = jit ? p.notes
      : [...p.notes, `the eligible assignment of ${a.principal_id} has no approval policy: its activation needs nobody else, so it counts as allowed`];
    add(a.scope, { principal: a.principal_id, permissions: p.permissions, notes, justInTime: jit });
  }

  const hsmDefs = new Map<string, RolePermissions>();
  for (const [name, def] of resources(json, 'azurerm_key_vault_managed_hardware_security_module_role_definition')) {
    hsmDefs.set(`\${azurerm_key_vault_managed_hardware_security_module_role_definition.${name}.resource_manager_id}`,
      rolePermissions(list(def.permission)));
  }
  const hsmByScope = new Map<string, Grant[]>();
  for (const [, a] of resources(json, 'azurerm_key_vault_managed_hardware_security_module_role_assignment')) {
    let p = hsmDefs.get(a.role_definition_id);
    if (!p) {
      const builtIn = HSM_BUILT_IN_ROLE_PERMISSIONS[String(a.role_definition_id).split('/').pop()!.toLowerCase()];
      if (builtIn) p = dataActionsOnly(builtIn.dataActions);
    }
    const notes = p ? [] : [`Managed HSM role ${a.role_definition_id} is not in the table of documented roles: assumed to allow every action`];
    const k = `${a.managed_hsm_id}\u0000${a.scope}`;
    hsmByScope.set(k, [...(hsmByScope.get(k) ?? []), { principal: a.principal_id, permissions: p ?? MAXIMAL, justInTime: false, notes }]);
  }
  const hsmAdmins = new Map<string, string[]>();
  for (const [name, h] of resources(json, 'azurerm_key_vault_managed_hardware_security_module')) {
    hsmAdmins.set(`\${azurerm_key_vault_managed_hardware_security_module.${name}.id}`, list(h.admin_object_ids).map(String));
  }
  const aboveVaults = [...byScope.keys()].filter((scope) => /^\/subscriptions\/[^/]+(\/resourceGroups\/[^/]+)?\/?$/i.test(scope));
  return { byScope, hsmByScope, hsmAdmins, aboveVaults };
}
