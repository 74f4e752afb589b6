import { TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';
import { allowsControl, allowsData, dataActionsOnly, Grant, indexStack, resolved, StackIndex } from './rbac-grants';
import { HSM_BUILT_IN, HSM_BUILT_IN_ROLE_PERMISSIONS, KEY_USE_OPERATIONS } from './roles';
import type { AccessMatrix, EscalationPath, MatrixCell, MatrixRow } from '../../core/access-policy';
import { Access, ROLE_NAMES } from '../../core/access-policy';
import { CustodianAssignment, CustodianRole } from '../../core/custodians';
import { EvidenceLedger } from '../../core/evidence';

/*
 * The access matrix of an Azure key, read from the Terraform JSON the stack synthesizes: every role assignment (direct
 * or PIM-eligible) whose scope covers the key, the permissions of its role definition (custom roles as synthesized,
 * built-in roles from Microsoft's tables in roles.ts; rbac-grants.ts reads both) with actions minus notActions and
 * wildcards matched as Azure does, and, for a Managed HSM, its local role assignments and the "Managed HSM Administrator" role of `admin_object_ids`.
 * Nothing here reads what the constructs meant to grant.
 */

export const EVALUATOR = 'cloud-kms-constructs Azure RBAC evaluation of the synthesized role definitions and assignments';
/**
 * What holds dual-controlled operations behind a second person on Azure, as the report's sentences use it ("only …
 * reaches", "no …", "need …").
 */
export const GATE_NAME = 'Privileged Identity Management approval';

const KV = 'Microsoft.KeyVault/vaults';
const HSM = 'Microsoft.KeyVault/managedHsm';

interface ActionClass {
  readonly data: string[];
  readonly control: string[];
}

/** The action classes of a Key Vault key, by data action (and control-plane action, for changing who has access). */
export const VAULT_ACTION_CLASSES: Record<string, ActionClass> = {
  'use': { data: [...KEY_USE_OPERATIONS, 'release'].map((a) => `${KV}/keys/${a}/action`), control: [] },
  'manage': {
    data: [`${KV}/keys/create/action`, `${KV}/keys/update/action`, `${KV}/keys/rotate/action`, `${KV}/keyrotationpolicies/write`,
      `${KV}/keys/recover/action`, `${KV}/keys/import/action`],
    control: [],
  },
  // Who may assign roles on the key, or switch the vault to access policies (which bypass RBAC).
  'change access': {
    data: [],
    control: ['Microsoft.Authorization/roleAssignments/write', 'Microsoft.Authorization/roleDefinitions/write', `${KV}/write`,
      `${KV}/accessPolicies/write`],
  },
  'delete/purge': { data: [`${KV}/keys/delete`, `${KV}/keys/purge/action`], control: [] },
  'backup/restore': { data: [`${KV}/keys/backup/action`, `${KV}/keys/restore/action`], control: [] },
  'audit-read': { data: [`${KV}/keys/read`, `${KV}/keyrotationpolicies/read`], control: [`${KV}/keys/read`] },
};

/** The action classes of a key in a Managed HSM (local RBAC data actions). */
export const HSM_ACTION_CLASSES: Record<string, ActionClass> = {
  'use': {
    data: [...KEY_USE_OPERATIONS, 'release', 'export', 'derive'].map((a) => `${HSM}/keys/${a}/action`),
    control: [],
  },
  'manage': {
    data: [`${HSM}/keys/create`, `${HSM}/keys/write/action`, `${HSM}/keys/rotate/action`, `${HSM}/keys/deletedKeys/recover/action`,
      `${HSM}/keys/import/action`],
    control: [],
  },
  'change access': { data: [`${HSM}/roleAssignments/write/action`, `${HSM}/roleDefinitions/write/action`], control: [] },
  'delete/purge': { data: [`${HSM}/keys/delete`, `${HSM}/keys/deletedKeys/delete`], control: [] },
  'backup/restore': {
    data: [`${HSM}/keys/backup/action`, `${HSM}/keys/restore/action`, `${HSM}/backup/start/action`, `${HSM}/restore/start/action`],
    control: [],
  },
  'audit-read': {
    data: [`${HSM}/keys/read/action`, `${HSM}/keys/deletedKeys/read/action`, `${HSM}/roleAssignments/read/action`, `${HSM}/roleDefinitions/read/action`],
    control: [],
  },
};

export const CLASSES = Object.keys(VAULT_ACTION_CLASSES);
/** Classes a key's user must not reach. */
export const USER_FORBIDDEN_CLASSES = ['manage', 'change access', 'delete/purge', 'backup/restore'];
/** Classes and single actions dual control must hold behind a second person (disabling is an attribute update). */
const DUAL_CONTROL_CLASSES = ['change access', 'delete/purge', 'backup/restore'];
const DUAL_CONTROL_EXTRA_ACTIONS = [`${KV}/keys/update/action`, `${KV}/keys/import/action`, `${KV}/keys/recover/action`,
  `${HSM}/keys/write/action`, `${HSM}/keys/import/action`, `${HSM}/keys/deletedKeys/recover/action`];

/** Rights held outside this app, which the matrix does not count (the README says how to govern them). */
const OUTSIDE_THIS_APP = 'outside this app: whoever holds Owner, User Access Administrator or Role Based Access Control Administrator ' +
  '(Microsoft.Authorization/roleAssignments/write) at or above the vault can grant any role on it, including the deployment identity, ' +
  'which needs that right to create the role assignments this app synthesizes; such rights are not counted here (govern them with PIM)';

interface Principal {
  readonly value: string;
  readonly roles: CustodianRole[];
  readonly label: string;
  /** Role names as the matrix shows them (a Managed HSM's `hsmAdministrators` are not key administrators). */
  readonly names: string[];
}

function roleName(a: CustodianAssignment): string {
  return a.source === 'hsmAdministrators' ? 'Managed HSM administrator' : ROLE_NAMES[a.role] ?? a.role;
}

/** The custodians recorded for the key and its container, by the value their object id synthesizes to. */
function custodiansByValue(stack: TerraformStack, records: CustodianAssignment[]): Map<string, Principal> {
  const out = new Map<string, Principal>();
  for (const a of records) {
    const value = resolved(stack, a.identity).toLowerCase();
    const known = out.get(value);
    const label = a.label && !a.label.includes('${') ? a.label : value;
    out.set(value, {
      value,
      roles: [...new Set([...(known?.roles ?? []), a.role])],
      names: [...new Set([...(known?.names ?? []), roleName(a)])],
      label: known?.label ?? label,
    });
  }
  return out;
}

function cell(grants: Grant[], cls: ActionClass): MatrixCell {
  const direct: string[] = [];
  const jit: string[] = [];
  const checks = [...cls.data.map((a) => [a, allowsData] as const), ...cls.control.map((a) => [a, allowsControl] as const)];
  for (const [action, allows] of checks) {
    const by = grants.filter((g) => allows(g.permissions, action));
    if (by.some((g) => !g.justInTime)) direct.push(action);
    else if (by.length > 0) jit.push(action);
  }
  if (direct.length > 0) return { access: Access.ALLOWED, actions: [...new Set([...direct, ...jit])] };
  if (jit.length > 0) return { access: Access.JUST_IN_TIME, actions: [...new Set(jit)] };
  return { access: Access.DENIED };
}

/** Builds the matrix from the grants that cover the key and the custodians recorded for it. */
function buildMatrix(grants: Grant[], custodians: Map<string, Principal>, classes: Record<string, ActionClass>, assumptions: string[],
  dualControlRequired: boolean): AccessMatrix {
  const principals = new Map<string, Principal>();
  for (const g of grants) {
    const v = String(g.principal).toLowerCase();
    principals.set(v, custodians.get(v) ?? { value: v, roles: [], names: [], label: v });
  }
  for (const [v, p] of custodians) if (!principals.has(v)) principals.set(v, p);
  const rows: MatrixRow[] = [];
  const aloneReachUse: EscalationPath[] = [];
  const singlePersonDualControl: EscalationPath[] = [];
  let gate = false;
  for (const p of principals.values()) {
    const mine = grants.filter((g) => String(g.principal).toLowerCase() === p.value);
    if (mine.some((g) => g.justInTime)) gate = true;
    const access: Record<string, MatrixCell> = {};
    for (const [name, cls] of Object.entries(classes)) access[name] = cell(mine, cls);
    const role = p.names.length > 0 ? p.names.join(' and ') : 'other principal named in an assignment';
    const row: MatrixRow = { role, principal: p.label, access };
    rows.push(row);
    const user = p.roles.includes(CustodianRole.USER);
    const backup = p.roles.includes(CustodianRole.BACKUP_OPERATOR);
    // A backup restores into any vault of the subscription where this principal may hold a crypto role: a path to use.
    const reach = ['change access', ...(user ? [] : ['use']), ...(user || backup ? [] : ['backup/restore'])]
      .filter((cls) => access[cls].access === Access.ALLOWED);
    if (reach.length > 0) aloneReachUse.push({ role, principal: p.label, via: reach.map((cls) => `${cls} (${access[cls].access})`) });
    const dual = DUAL_CONTROL_CLASSES.filter((cls) => access[cls].access === Access.ALLOWED).map((cls) => `${cls} (${access[cls].access})`);
    for (const a of DUAL_CONTROL_EXTRA_ACTIONS) {
      if (mine.some((g) => !g.justInTime && allowsData(g.permissions, a))) dual.push(`${a.split('/').slice(-2).join('/')} (${Access.ALLOWED})`);
    }
    if (dual.length > 0) singlePersonDualControl.push({ role, principal: p.label, via: dual });
  }
  const target = dualControlRequired
    ? { expected: 'nobody outside an approved Privileged Identity Management activation', met: aloneReachUse.length === 0 }
    : { expected: 'at most the deployment identity', met: aloneReachUse.every((p) => p.role.split(' and ').includes('deployment identity')) };
  return {
    computed: true,
    evaluator: EVALUATOR,
    classes: Object.keys(classes),
    rows,
    delegatesToIam: false,
    aloneReachUse,
    aloneReachUseTarget: target,
    dualControlGate: gate,
    singlePersonDualControl,
    assumptions: [...new Set([...assumptions, ...grants.flatMap((g) => g.notes ?? [])])],
    userForbiddenClasses: USER_FORBIDDEN_CLASSES,
    derivesFrom: ['role assignments', 'role_management_policy'],
    gateName: GATE_NAME,
  };
}

/** What the matrix reads of a `KeyVault` (a structural type: the vault's file is not imported, so no import cycle). */
export interface MatrixVault extends IConstruct {
  readonly vaultId: string;
}

/** What the matrix reads of a `HyokExternalStore` (its Managed HSM). */
export interface MatrixHsm extends IConstruct {
  readonly hsmId: string;
}

/** The grants that cover a key and what reading them assumed. */
interface Coverage {
  readonly grants: Grant[];
  readonly assumptions: string[];
}

/**
 * Registers the access matrix of a key: computed when the report is written, from the grants `cover` finds in the stack's
 * index and the custodians recorded for the key and its container.
 */
function registerMatrix(key: IConstruct, container: IConstruct, classes: Record<string, ActionClass>,
  cover: (stack: TerraformStack, index: StackIndex) => Coverage): void {
  const stack = TerraformStack.of(key);
  const ledger = EvidenceLedger.of(key);
  ledger._registerAccessPolicy({
    subject: key.node.path,
    stack: stack.node.path,
    cloud: 'azure',
    matrix: (cache) => {
      const { grants, assumptions } = cover(stack, indexStack(stack, cache));
      const records = [...ledger.custodiansOf(key.node.path), ...ledger.custodiansOf(container.node.path)];
      return buildMatrix(grants, custodiansByValue(stack, records), classes, assumptions,
        ledger.tryFindKey(key.node.path)?.profile.dualControlRequired ?? false);
    },
  });
}

/**
 * Registers the access matrix of a key in a Key Vault.
 * @param keyScopes the key's versionless resource ids (references), the scopes of key-level assignments
 */
export function registerVaultKeyMatrix(key: IConstruct, vault: MatrixVault, keyScopes: string[]): void {
  registerMatrix(key, vault, VAULT_ACTION_CLASSES, (stack, index) => {
    const scopes = new Set([vault.vaultId, ...keyScopes].map((v) => resolved(stack, v)));
    const grants: Grant[] = [];
    const assumptions = [
      'each cell is what the role assignments whose scope is the key or its vault allow (actions minus notActions, wildcards ' +
      'matched as Azure does); built-in roles as Microsoft documents them; an eligible assignment whose activation needs an ' +
      'approver is "only with an approved just-in-time activation"',
      OUTSIDE_THIS_APP,
    ];
    for (const scope of scopes) grants.push(...(index.byScope.get(scope) ?? []));
    // A literal subscription or resource-group scope may be above the vault: counted, rather than missed.
    for (const scope of index.aboveVaults) {
      grants.push(...index.byScope.get(scope)!);
      assumptions.push(`assignments at the literal scope ${scope} are assumed to cover the vault`);
    }
    return { grants, assumptions };
  });
}

/** Registers the access matrix of a key in a Managed HSM. */
export function registerHsmKeyMatrix(subject: IConstruct, store: MatrixHsm, keyName: string): void {
  registerMatrix(subject, store, HSM_ACTION_CLASSES, (stack, index) => {
    const hsmId = resolved(stack, store.hsmId);
    const name = resolved(stack, keyName);
    const grants: Grant[] = [];
    for (const scope of ['/', '/keys', `/keys/${name}`]) grants.push(...(index.hsmByScope.get(`${hsmId}\u0000${scope}`) ?? []));
    const admin = HSM_BUILT_IN_ROLE_PERMISSIONS[HSM_BUILT_IN.ADMINISTRATOR];
    for (const principal of index.hsmAdmins.get(hsmId) ?? []) {
      grants.push({ principal, permissions: dataActionsOnly(admin.dataActions), justInTime: false });
    }
    const assumptions = [
      'each cell is what the Managed HSM local role assignments at /, /keys or /keys/<this key> allow (data actions minus not-data-actions), ' +
      'with "Managed HSM Administrator" for every object id in admin_object_ids; built-in local roles as Microsoft documents them',
      'Managed HSM local RBAC has no just-in-time activation: every local role is standing',
      OUTSIDE_THIS_APP.replace('at or above the vault', 'at or above the Managed HSM (control plane: they cannot grant local roles, but can ' +
        'delete the HSM)'),
    ];
    return { grants, assumptions };
  });
}
