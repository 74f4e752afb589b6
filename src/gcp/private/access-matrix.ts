/*
 * The access matrix of a Google Cloud key, computed from the synthesized Terraform: the IAM bindings on the key, its key
 * ring and its project, and Privileged Access Manager entitlements, with each role's permissions from the cited tables
 * in role-permissions.ts (custom roles from their synthesized permissions). Only what this app grants is counted; rights
 * held outside it (project, folder and organization owners and IAM administrators, the deployment identity's own right
 * to set IAM) are stated as assumptions.
 */
import { TerraformResource, TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';
import { EXTERNAL_KEY_REPOINTING, GCP_ACTION_CLASSES, ROLE_PERMISSIONS } from './role-permissions';
import { Access, AccessMatrix, EscalationPath, MatrixCell, MatrixRow, oncePerReport, ROLE_NAMES, TERRAFORM_JSON } from '../../core/access-policy';
import { CustodianAssignment, CustodianRole } from '../../core/custodians';
import { EvidenceLedger } from '../../core/evidence';

/** The report's name for the evaluation. */
export const GCP_EVALUATOR = 'cloud-kms-constructs evaluation of the synthesized Google IAM bindings';
/** What holds dual-controlled operations behind a second person on Google Cloud. */
export const GCP_GATE = 'an approved Privileged Access Manager grant';
/** The classes a key's users must not reach. */
export const GCP_USER_FORBIDDEN = ['manage', 'change access', 'destroy/disable', 'import'];
/** Classes through which one principal reaches cryptographic use: directly, or by granting it. */
const REACH_USE = ['use', 'change access'];
/** Classes (and permissions) dual control must hold behind two people. */
const DUAL_CONTROL = ['change access', 'destroy/disable'];
const DUAL_CONTROL_EXTRA = ['cloudkms.cryptoKeyVersions.restore'];
/** Setting names of the structural evidence the matrix replaces (see key-evidence.ts). */
export const GCP_DERIVES_FROM = ['IAM bindings', 'privileged access manager entitlement'];

/** Roles whose Cloud KMS and IAM permissions are not tabulated here: assumed to hold every permission. */
const MAXIMAL_ROLES = new Set(['roles/owner', 'roles/editor', 'roles/resourcemanager.projectIamAdmin', 'roles/iam.securityAdmin']);
const PROJECT_SET_IAM = 'resourcemanager.projects.setIamPolicy';


type Json = Record<string, any>;

interface Grant {
  readonly member: string;
  /** Undefined: every permission (a role not tabulated). */
  readonly permissions?: string[];
  readonly just: boolean;
  readonly via: string;
  readonly condition?: string;
}

/** Registers a Google key's access matrix with the ledger, computed when the report is built. */
export function registerGcpAccessMatrix(key: IConstruct, resource: TerraformResource, deployer: CustodianAssignment, separated: boolean): void {
  const ledger = EvidenceLedger.of(key);
  ledger._registerAccessPolicy({
    subject: key.node.path,
    stack: TerraformStack.of(key).node.path,
    cloud: 'gcp',
    matrix: (cache) => {
      const m = computeGcpMatrix(synthesized(resource, cache), resource.friendlyUniqueId, ledger.custodiansOf(key.node.path), deployer);
      if (separated) return m;
      // A key without administrators of its own (ManagedKey) leaves administration to project IAM, outside this app: the
      // matrix cannot show separation it does not control, so the structural record (not separated) stays.
      return {
        ...m,
        derivesFrom: GCP_DERIVES_FROM.filter((s) => s !== 'IAM bindings'),
        assumptions: [...m.assumptions, 'this key has no administrators of its own: whoever holds Cloud KMS roles on the project administers it, ' +
          'so its separation-of-duties evidence stays as recorded (not separated)'],
      };
    },
  });
}

/** The stack's Terraform JSON, once per report (shared with the Azure matrices of the same stack). */
function synthesized(resource: IConstruct, cache: Map<unknown, unknown>): Json {
  const stack = TerraformStack.of(resource);
  return oncePerReport(cache, TERRAFORM_JSON, stack, () => stack.toTerraform() as Json);
}

interface Index {
  /** Replaces key ring references with the ring's resource name where project, location and name are literal. */
  readonly lit: (s: string) => string;
  readonly customRoles: Map<string, string[]>;
  /** Bindings by the key, key ring or project they are on, under both the reference and the literal name. */
  readonly onKey: Map<string, Json[]>;
  readonly onRing: Map<string, Json[]>;
  readonly onProject: Map<string, Json[]>;
  readonly entitlements: Json[];
}

/** Built once per synthesized stack: a hierarchy's thousands of keys share it. */
const INDEXES = new WeakMap<Json, Index>();

function indexOf(tf: Json): Index {
  const cached = INDEXES.get(tf);
  if (cached) return cached;
  const r: Json = tf.resource ?? {};
  const all = (type: string): [string, Json][] => Object.entries(r[type] ?? {});
  // Resource names as IAM conditions see them, literal where the configuration is literal.
  const ringIds = new Map<string, string>();
  for (const [id, ring] of all('google_kms_key_ring')) {
    const parts = [ring.project, ring.location, ring.name];
    if (parts.every((p) => typeof p === 'string' && !p.includes('${'))) {
      ringIds.set(`\${google_kms_key_ring.${id}.id}`, `projects/${ring.project}/locations/${ring.location}/keyRings/${ring.name}`);
    }
  }
  const lit = (s: string) => s.replace(/\$\{google_kms_key_ring\.[^.}]+\.id\}/g, (m) => ringIds.get(m) ?? m);
  // Custom roles as synthesized, by the references bindings use.
  const customRoles = new Map<string, string[]>();
  for (const [id, role] of all('google_project_iam_custom_role')) {
    customRoles.set(`\${google_project_iam_custom_role.${id}.name}`, role.permissions ?? []);
    customRoles.set(`\${google_project_iam_custom_role.${id}.id}`, role.permissions ?? []);
    if (typeof role.project === 'string') customRoles.set(`projects/${role.project}/roles/${role.role_id}`, role.permissions ?? []);
  }
  // A key's literal name, for bindings that name it rather than refer to it.
  const keyNames = new Map<string, string>();
  for (const [id, key] of all('google_kms_crypto_key')) {
    if (typeof key.key_ring === 'string') keyNames.set(`\${google_kms_crypto_key.${id}.id}`, `${lit(key.key_ring)}/cryptoKeys/${key.name}`);
  }
  const by = (field: string, types: string[], name: (v: string) => string = (v) => v) => {
    const map = new Map<string, Json[]>();
    for (const type of types) {
      for (const [, b] of all(type)) {
        const v = b[field];
        if (typeof v !== 'string') continue;
        for (const k of new Set([v, name(v)])) map.set(k, [...(map.get(k) ?? []), b]);
      }
    }
    return map;
  };
  const index: Index = {
    lit,
    customRoles,
    onKey: by('crypto_key_id', ['google_kms_crypto_key_iam_member', 'google_kms_crypto_key_iam_binding'], (v) => keyNames.get(v) ?? lit(v)),
    onRing: by('key_ring_id', ['google_kms_key_ring_iam_member', 'google_kms_key_ring_iam_binding'], lit),
    onProject: by('project', ['google_project_iam_member', 'google_project_iam_binding']),
    entitlements: all('google_privileged_access_manager_entitlement').map(([, e]) => e),
  };
  INDEXES.set(tf, index);
  return index;
}

const asList = (v: unknown): any[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

/** The key's place in the synthesized Terraform: its references and resource names, its ring and project. */
interface KeyContext {
  readonly keyRef: string;
  readonly ringRef: string;
  readonly ringName: string;
  readonly keyName: string;
  /** The names IAM conditions are evaluated against: the ring, the key, its first version. */
  readonly names: string[];
  readonly project?: string;
  /** An EXTERNAL or EXTERNAL_VPC key. */
  readonly external: boolean;
}

function keyContext(tf: Json, ix: Index, keyId: string): KeyContext {
  const r: Json = tf.resource ?? {};
  const key = r.google_kms_crypto_key?.[keyId];
  if (!key) throw new Error(`key ${keyId} is not in the synthesized Terraform`);
  const ringRef: string = key.key_ring;
  const ringAddress = /^\$\{google_kms_key_ring\.([^.}]+)\.id\}$/.exec(ringRef)?.[1];
  const ring = ringAddress ? r.google_kms_key_ring?.[ringAddress] : undefined;
  const ringName = ix.lit(ringRef);
  const keyName = `${ringName}/cryptoKeys/${key.name}`;
  return {
    keyRef: `\${google_kms_crypto_key.${keyId}.id}`,
    ringRef,
    ringName,
    keyName,
    names: [ringName, keyName, `${keyName}/cryptoKeyVersions/1`],
    project: ring?.project ?? /^projects\/([^/]+)\//.exec(ringName)?.[1],
    // Re-pointing an external key at another key manager hands it the users' plaintext: for such keys it changes access.
    external: /^EXTERNAL/.test(String(key.version_template?.protection_level ?? '')),
  };
}

/** What the matrix does not count, and what it assumes. */
function matrixAssumptions(k: KeyContext, deployer: CustodianAssignment): string[] {
  const assumptions = [
    'only what this app grants is counted: bindings on the key, its key ring and its project, and Privileged Access Manager entitlements in the synthesized Terraform',
    'outside this app, not counted: project, folder and organization owners and IAM administrators (anyone with setIamPolicy above the key ring), ' +
    'and IAM deny policies, which could only take access away',
    `outside this app, not counted: the deployment identity (${deployer.label ?? deployer.identity}) sets IAM on the key ring and key to create these bindings, ` +
    'so it can change who may use the key; it is a recorded custodian',
    'predefined roles of other services carry no Cloud KMS permission; basic roles, IAM administrator roles and roles not tabulated are assumed to hold every permission',
  ];
  if (k.external) {
    assumptions.push(`an external key: ${EXTERNAL_KEY_REPOINTING.join(', ')} re-point it at another key manager, and count as change access`);
  }
  return assumptions;
}

/** Every grant that reaches the key (bindings on key, ring and project; entitlements), and whether an approved entitlement gates one. */
function collectGrants(ix: Index, k: KeyContext): { grants: Grant[]; gate: boolean } {
  const permissionsOf = (role: string): string[] | undefined => {
    if (ROLE_PERMISSIONS[role]) return ROLE_PERMISSIONS[role];
    if (ix.customRoles.has(role)) return ix.customRoles.get(role);
    if (MAXIMAL_ROLES.has(role) || role.startsWith('roles/cloudkms.') || !role.startsWith('roles/')) return undefined;
    return [];
  };
  const grants: Grant[] = [];
  const add = (members: unknown, role: string, via: string, just: boolean, condition?: string) => {
    const literal = condition === undefined ? undefined : ix.lit(condition);
    if (literal !== undefined && evaluateCondition(literal, k.names) === false) return;
    for (const member of asList(members)) {
      grants.push({ member: String(member), permissions: permissionsOf(role), just, via, condition: literal });
    }
  };
  const bound = (map: Map<string, Json[]>, ...ids: (string | undefined)[]) =>
    [...new Set(ids.flatMap((id) => (id === undefined ? [] : map.get(id) ?? [])))];
  for (const b of bound(ix.onKey, k.keyRef, k.keyName)) add(b.members ?? b.member, b.role, 'key', false, b.condition?.expression);
  for (const b of bound(ix.onRing, k.ringRef, k.ringName)) add(b.members ?? b.member, b.role, 'key ring', false, b.condition?.expression);
  for (const b of bound(ix.onProject, k.project)) add(b.members ?? b.member, b.role, 'project', false, b.condition?.expression);
  let gate = false;
  for (const e of ix.entitlements) {
    const access = e.privileged_access?.gcp_iam_access;
    const target: string = access?.resource ?? '';
    const applies = target === `//cloudresourcemanager.googleapis.com/projects/${k.project}` || [k.ringName, k.keyName].some((n) => target === `//cloudkms.googleapis.com/${n}`);
    if (!applies) continue;
    // Without a manual approval by someone else, a grant is self-service: standing access that takes a click.
    const steps = asList(e.approval_workflow?.manual_approvals?.steps);
    const approved = steps.length > 0 && steps.every((s: Json) => Number(s.approvals_needed ?? 0) >= 1 && asList(s.approvers?.principals).length > 0);
    const members = asList(e.eligible_users).flatMap((u: Json) => asList(u.principals));
    let reaches = false;
    for (const rb of asList(access?.role_bindings)) {
      const before = grants.length;
      add(members, rb.role, 'Privileged Access Manager', approved, rb.condition_expression);
      reaches ||= grants.length > before;
    }
    gate ||= approved && reaches;
  }
  return { grants, gate };
}

/** One row per principal that reaches the key or is a custodian of it, and whether the row is a user. */
function matrixRows(grants: Grant[], custodians: CustodianAssignment[], external: boolean): { rows: MatrixRow[]; rowIsUser: boolean[] } {
  // Custodians by identity (IAM members are case-insensitive in the ledger).
  const byIdentity = new Map<string, CustodianAssignment[]>();
  for (const a of custodians) byIdentity.set(a.identity.toLowerCase(), [...(byIdentity.get(a.identity.toLowerCase()) ?? []), a]);
  const members = [...new Set([...grants.map((g) => g.member.toLowerCase()), ...byIdentity.keys()])];
  const classes = Object.keys(GCP_ACTION_CLASSES);
  const rows: MatrixRow[] = [];
  const rowIsUser: boolean[] = [];
  for (const member of members) {
    const roles = byIdentity.get(member) ?? [];
    const mine = grants.filter((g) => g.member.toLowerCase() === member);
    const access: Record<string, MatrixCell> = {};
    for (const cls of classes) access[cls] = cellOf(mine, cls, external);
    // A member bound by the app that reaches nothing of the key (a service agent's Service Directory role) is not shown.
    if (roles.length === 0 && classes.every((cls) => access[cls].access === Access.DENIED)) continue;
    const role = roles.length > 0 ? [...new Set(roles.map((a) => ROLE_NAMES[a.role] ?? a.role))].join(' and ') : 'other principal bound by this app';
    rows.push({ role, principal: roles.find((a) => a.label)?.label ?? mine[0]?.member ?? member, access });
    rowIsUser.push(roles.some((a) => a.role === CustodianRole.USER));
  }
  return { rows, rowIsUser };
}

/** What one principal's grants reach of one action class: standing, just in time, or nothing. */
function cellOf(mine: Grant[], cls: string, external: boolean): MatrixCell {
  // Setting IAM on the project reaches every key in it.
  const covered = cls !== 'change access' ? GCP_ACTION_CLASSES[cls]
    : [...GCP_ACTION_CLASSES[cls], PROJECT_SET_IAM, ...(external ? EXTERNAL_KEY_REPOINTING : [])];
  const reachedBy = (g: Grant) => covered.filter((p) => g.permissions === undefined || g.permissions.includes(p));
  const standing = mine.filter((g) => !g.just && reachedBy(g).length > 0);
  const jit = mine.filter((g) => g.just && reachedBy(g).length > 0);
  const used = standing.length > 0 ? standing : jit;
  if (used.length === 0) return { access: Access.DENIED };
  const conditions = [...new Set(used.filter((g) => g.condition !== undefined).map((g) => `IAM condition: ${g.condition}`))];
  return {
    access: standing.length > 0 ? Access.ALLOWED : Access.JUST_IN_TIME,
    actions: [...new Set(used.flatMap(reachedBy))],
    ...(conditions.length > 0 && used.every((g) => g.condition !== undefined) ? { conditions } : {}),
  };
}

/**
 * The matrix of the crypto key `keyId` (its Terraform resource name) in the synthesized JSON `tf`, naming principals by
 * the custodian records of the key.
 */
export function computeGcpMatrix(tf: Json, keyId: string, custodians: CustodianAssignment[], deployer: CustodianAssignment): AccessMatrix {
  const ix = indexOf(tf);
  const k = keyContext(tf, ix, keyId);
  const assumptions = matrixAssumptions(k, deployer);
  const { grants, gate } = collectGrants(ix, k);
  const { rows, rowIsUser } = matrixRows(grants, custodians, k.external);

  const standing = (row: MatrixRow, cls: string) => row.access[cls].access === Access.ALLOWED;
  const aloneReachUse: EscalationPath[] = [];
  const singlePersonDualControl: EscalationPath[] = [];
  rows.forEach((row, i) => {
    const via = REACH_USE.filter((cls) => !(cls === 'use' && rowIsUser[i]) && standing(row, cls));
    if (via.length > 0) aloneReachUse.push({ role: row.role, principal: row.principal, via: via.map((cls) => `${cls} (${row.access[cls].access})`) });
    const dual = DUAL_CONTROL.filter((cls) => standing(row, cls)).map((cls) => `${cls} (${row.access[cls].access})`);
    for (const p of DUAL_CONTROL_EXTRA) {
      if (standing(row, 'manage') && (row.access.manage.actions ?? []).includes(p)) dual.push(`${p.replace('cloudkms.', '')} (${Access.ALLOWED})`);
    }
    if (dual.length > 0) singlePersonDualControl.push({ role: row.role, principal: row.principal, via: dual });
  });
  return {
    computed: true,
    evaluator: GCP_EVALUATOR,
    classes: Object.keys(GCP_ACTION_CLASSES),
    rows,
    delegatesToIam: false,
    aloneReachUse,
    dualControlGate: gate,
    singlePersonDualControl,
    assumptions,
    userForbiddenClasses: GCP_USER_FORBIDDEN,
    derivesFrom: GCP_DERIVES_FROM,
    gateName: GCP_GATE,
  };
}

/**
 * Decides an IAM condition for a set of resource names: true if it holds for one of them, false if for none, undefined
 * when the expression is not one this reads (`resource.name == "…"`, `resource.name.startsWith("…")`, joined by `||`
 * and `&&`). An undecided condition counts as holding: the matrix never rounds access down.
 * @see https://cloud.google.com/iam/docs/conditions-attribute-reference#resource-name
 */
export function evaluateCondition(expression: string, resourceNames: string[]): boolean | undefined {
  const disjuncts = splitOutsideQuotes(expression, '||');
  const conjuncts = disjuncts.map((d) => splitOutsideQuotes(d, '&&').map((atom) => atomTest(atom.trim())));
  if (conjuncts.some((c) => c.some((t) => t === undefined))) return undefined;
  return resourceNames.some((name) => conjuncts.some((c) => c.every((t) => t!(name))));
}

function atomTest(atom: string): ((name: string) => boolean) | undefined {
  const s = atom.replace(/^\((.*)\)$/, '$1').trim();
  const eq = /^resource\.name\s*(==|!=)\s*"([^"\\]*)"$/.exec(s);
  if (eq) return eq[1] === '==' ? (n) => n === eq[2] : (n) => n !== eq[2];
  const sw = /^resource\.name\.startsWith\(\s*"([^"\\]*)"\s*\)$/.exec(s);
  if (sw) return (n) => n.startsWith(sw[1]);
  return undefined;
}

function splitOutsideQuotes(s: string, sep: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '"' && s[i - 1] !== '\\') {quoted = !quoted;} else if (!quoted && s.startsWith(sep, i)) {
      out.push(s.slice(start, i));
      start = i + sep.length;
      i += sep.length - 1;
    }
  }
  out.push(s.slice(start));
  return out;
}
