import { existsSync, readFileSync } from 'fs';
import { dirname, join } from 'path';
import type { AccessMatrix, EscalationPath, MatrixCell, MatrixRow, ResolvedAccessPolicy } from '../core/access-policy';
import { Access, ROLE_NAMES } from '../core/access-policy';

export { Access } from '../core/access-policy';
export type { AccessMatrix, EscalationPath, MatrixCell, MatrixRow } from '../core/access-policy';
import { CustodianAssignment, CustodianRole } from '../core/custodians';

/*
 * The access matrix: who can do what with a key, decided by a real IAM policy evaluator over the key policy as
 * synthesized. The evaluator, @cloud-copilot/iam-simulate, is AGPL-3.0: it is never a dependency of this package (which
 * is Apache-2.0); it is loaded only when the user has installed it, and the report says so when it is missing. This
 * file builds requests (principals, actions, condition contexts) and reads decisions; it decides nothing itself.
 */

/** The evaluator's package; the name is assembled so neither TypeScript nor a bundler resolves it statically. */
export const EVALUATOR_PACKAGE = ['@cloud-copilot', 'iam-simulate'].join('/');

/** The action classes of the matrix and the KMS actions each covers. */
export const ACTION_CLASSES: Record<string, string[]> = {
  'use': ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey',
    'kms:GenerateDataKeyWithoutPlaintext', 'kms:GenerateDataKeyPair', 'kms:GenerateDataKeyPairWithoutPlaintext',
    'kms:Sign', 'kms:Verify', 'kms:GenerateMac', 'kms:VerifyMac', 'kms:DeriveSharedSecret', 'kms:GetPublicKey'],
  'manage': ['kms:CreateAlias', 'kms:EnableKey', 'kms:EnableKeyRotation', 'kms:DisableKeyRotation', 'kms:RotateKeyOnDemand', 'kms:CancelKeyDeletion',
    'kms:TagResource', 'kms:UntagResource', 'kms:UpdateKeyDescription', 'kms:GetParametersForImport', 'kms:ImportKeyMaterial'],
  'change policy': ['kms:PutKeyPolicy'],
  'delete/disable': ['kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:DeleteImportedKeyMaterial'],
  'replicate': ['kms:ReplicateKey', 'kms:UpdatePrimaryRegion'],
  // Moving or removing a name workloads resolve (CreateAlias only adds a name for this key, under 'manage').
  'alias': ['kms:UpdateAlias', 'kms:DeleteAlias'],
  'grant': ['kms:CreateGrant', 'kms:RetireGrant', 'kms:RevokeGrant'],
  'audit-read': ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListGrants', 'kms:ListKeyPolicies',
    'kms:ListKeyRotations', 'kms:ListResourceTags'],
};

/** Classes through which one principal reaches cryptographic use: directly, or by rewriting who may. */
export const REACH_USE_CLASSES = ['use', 'change policy', 'replicate', 'alias'];
/** Classes (and actions) that dual control must hold behind two people. */
export const DUAL_CONTROL_CLASSES = ['change policy', 'delete/disable', 'replicate', 'alias'];
export const DUAL_CONTROL_EXTRA_ACTIONS = ['kms:ImportKeyMaterial', 'kms:CancelKeyDeletion'];

/** The key policy statement that names the deployment identity (CloudFormation's role), for keys without custodian records. */
const DEPLOYMENT_SID = 'AllowCloudFormationDeployment';

/** The key policy statement the dual-control gate's executor is named in. */
export const DUAL_CONTROL_EXECUTOR_SID = 'AllowDualControlExecutor';

/** Actions whose requests carry an encryption context. */
const EC_ACTIONS = new Set(['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext', 'kms:GenerateDataKeyPair', 'kms:GenerateDataKeyPairWithoutPlaintext', 'kms:CreateGrant']);
/** Actions whose requests carry kms:GrantIsForAWSResource. */
const GRANT_ACTIONS = new Set(['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant']);

interface Evaluator {
  readonly name: string;
  readonly runUnsafeSimulation: (simulation: any, options: any) => string;
}

let evaluator: Evaluator | null | undefined;
let evaluatorOverride: Evaluator | null | undefined;

/**
 * The installed evaluator, or undefined. Loaded from this package's location or the working directory (a user's app).
 * Only a missing evaluator is tolerated; any other load error is raised.
 */
export function loadEvaluator(): Evaluator | undefined {
  if (evaluatorOverride !== undefined) return evaluatorOverride ?? undefined;
  if (evaluator !== undefined) return evaluator ?? undefined;
  evaluator = null;
  for (const paths of [undefined, [process.cwd()]]) {
    let resolved: string;
    try {
      resolved = paths ? require.resolve(EVALUATOR_PACKAGE, { paths }) : require.resolve(EVALUATOR_PACKAGE);
    } catch {
      continue;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(resolved);
    // The package's exports map hides package.json from require: find it next to the entry point.
    let version = 'unknown version';
    for (let dir = dirname(resolved); dir !== dirname(dir); dir = dirname(dir)) {
      const pkg = join(dir, 'package.json');
      if (!existsSync(pkg)) continue;
      const json = JSON.parse(readFileSync(pkg, 'utf8'));
      if (json.name === EVALUATOR_PACKAGE) {
        version = json.version;
        break;
      }
    }
    if (typeof mod.runUnsafeSimulation === 'function') {
      evaluator = { name: `${EVALUATOR_PACKAGE} ${version}`, runUnsafeSimulation: mod.runUnsafeSimulation };
      break;
    }
  }
  return evaluator ?? undefined;
}

/**
 * Replaces the evaluator (null: as if not installed; undefined: back to the installed one). For tests.
 * @internal
 */
export function _setEvaluatorForTesting(e: Evaluator | null | undefined): void {
  evaluatorOverride = e;
  MATRICES.clear();
}

/** What the report says where the evaluator is not installed. */
export const NOT_COMPUTED_REASON = `the access matrix was not computed: the IAM policy evaluator ${EVALUATOR_PACKAGE} is not installed. ` +
  `Install it in your app (npm install --save-dev ${EVALUATOR_PACKAGE}; it is AGPL-3.0 licensed, which is why this ` +
  'library does not depend on it) and synthesize again. Until then separation-of-duties and dual-control evidence is ' +
  'derived from the structure of the key policy and marked as not evaluated.';

export type Decision = 'ALLOW' | 'EXPLICIT_DENY' | 'IMPLICIT_DENY';

const MAXIMAL_IDENTITY_POLICY = [{
  name: 'assumed-maximal-identity-policy',
  policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
}];

/** The evaluator's verdict for one request against a key policy (and, for IAM principals, a maximal identity policy). */
export function simulate(e: Evaluator, keyPolicy: unknown, account: string, region: string, principal: string, action: string,
  context: Record<string, string | string[]>): Decision {
  const isService = !principal.startsWith('arn:');
  const result = e.runUnsafeSimulation({
    request: {
      principal,
      action,
      resource: { resource: `arn:aws:kms:${region}:${account}:key/00000000-0000-0000-0000-000000000000`, accountId: account },
      contextVariables: context,
    },
    identityPolicies: isService ? [] : MAXIMAL_IDENTITY_POLICY,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    // A pre-validated document: the unsafe entry point otherwise loads the resource policy without a name and fails.
    resourcePolicy: { __validated: true, policyDocument: keyPolicy, metadata: { name: 'KeyPolicy' }, errors: [] },
  }, {});
  if (result === 'Allowed') return 'ALLOW';
  if (result === 'ExplicitlyDenied') return 'EXPLICIT_DENY';
  if (result === 'ImplicitlyDenied') return 'IMPLICIT_DENY';
  throw new Error(`the IAM policy evaluator returned '${result}' for ${principal} calling ${action}`);
}

/**
 * The request context a real call carries from `principal` (global keys the caller cannot choose), plus `extra`.
 * Service principals are AWS services; everything else is an IAM role or user of the ARN's account.
 */
export function principalContext(principal: string): Record<string, string> {
  if (!principal.startsWith('arn:')) return { 'aws:PrincipalIsAWSService': 'true', 'aws:PrincipalServiceName': principal };
  const account = principal.split(':')[4];
  return { 'aws:PrincipalArn': principal, 'aws:PrincipalAccount': account, 'aws:PrincipalIsAWSService': 'false' };
}

interface Variant {
  readonly ctx: Record<string, string | string[]>;
  /** Which requirement this variant meets, per dimension (undefined: neutral). */
  readonly marks: Record<string, string | undefined>;
  readonly mfa: boolean;
}

/** Conditions the policy uses, from which request variants are built. */
interface PolicyConditions {
  mfa: boolean;
  /** Encryption-context keys, with the values that meet them. */
  readonly ec: Map<string, Set<string>>;
  /** Principal tags used by policy variables or conditions, with values. */
  readonly tags: Map<string, Set<string>>;
  readonly via: Set<string>;
  grant: boolean;
  readonly sourceArn: Set<string>;
  readonly sourceAccount: Set<string>;
}

const TENANT_VALUE = 'matrix-tenant-a';
const WRONG_VALUE = 'matrix-wrong-value';

function list(v: unknown): unknown[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** A value that meets a pattern: wildcards filled in; a policy variable of a principal tag, the tenant value. */
function meeting(value: string, tags: Map<string, Set<string>>): string {
  const variable = /\$\{aws:PrincipalTag\/([^}]+)\}/g;
  let out = value.replace(variable, (_m, tag: string) => {
    const set = tags.get(tag) ?? new Set<string>();
    set.add(TENANT_VALUE);
    tags.set(tag, set);
    return TENANT_VALUE;
  });
  out = out.replace(/\*/g, 'x').replace(/\?/g, 'x');
  return out;
}

function conditionsOf(statements: any[]): PolicyConditions {
  const c: PolicyConditions = {
    mfa: false, ec: new Map(), tags: new Map(), via: new Set(), grant: false, sourceArn: new Set(), sourceAccount: new Set(),
  };
  for (const st of statements) {
    for (const [op, tests] of Object.entries(st.Condition ?? {})) {
      for (const [key, values] of Object.entries(tests as Record<string, unknown>)) {
        const k = key.toLowerCase();
        const strings = list(values).filter((v): v is string => typeof v === 'string');
        if (k === 'aws:multifactorauthpresent') {c.mfa = true;} else if (k === 'kms:grantisforawsresource') {c.grant = true;} else if (k === 'kms:viaservice') {strings.forEach((v) => c.via.add(meeting(v, c.tags)));} else if (k === 'aws:sourcearn') {strings.forEach((v) => c.sourceArn.add(meeting(v, c.tags)));} else if (k === 'aws:sourceaccount') {strings.forEach((v) => c.sourceAccount.add(meeting(v, c.tags)));} else if (k.startsWith('kms:encryptioncontext:')) {
          const name = key.slice('kms:EncryptionContext:'.length);
          const set = c.ec.get(name) ?? new Set<string>();
          if (op === 'Null') set.add(TENANT_VALUE);
          else strings.forEach((v) => set.add(meeting(v, c.tags)));
          c.ec.set(name, set);
        } else if (k.startsWith('aws:principaltag/')) {
          const name = key.slice('aws:PrincipalTag/'.length);
          const set = c.tags.get(name) ?? new Set<string>();
          strings.forEach((v) => set.add(meeting(v, c.tags)));
          c.tags.set(name, set);
        }
      }
    }
  }
  return c;
}

function cross(a: Variant[], b: Variant[]): Variant[] {
  return a.flatMap((x) => b.map((y) => ({ ctx: { ...x.ctx, ...y.ctx }, marks: { ...x.marks, ...y.marks }, mfa: x.mfa || y.mfa })));
}

const NEUTRAL: Variant = { ctx: {}, marks: {}, mfa: false };

/** Every request a caller could send for `action`, as far as the policy's conditions tell them apart. */
function variantsFor(c: PolicyConditions, action: string, isService: boolean): Variant[] {
  let out: Variant[] = [NEUTRAL];
  if (c.mfa && !isService) {
    out = cross(out, [
      NEUTRAL, // long-term credentials carry no MFA key at all
      { ctx: { 'aws:MultiFactorAuthPresent': 'false' }, marks: {}, mfa: false },
      { ctx: { 'aws:MultiFactorAuthPresent': 'true' }, marks: {}, mfa: true },
    ]);
  }
  if (c.ec.size > 0 && EC_ACTIONS.has(action)) {
    const names = [...c.ec.keys()];
    const width = Math.max(...names.map((n) => c.ec.get(n)!.size));
    const right: Variant[] = [];
    for (let i = 0; i < width; i++) {
      const ctx: Record<string, string | string[]> = {};
      for (const n of names) {
        const values = [...c.ec.get(n)!];
        ctx[`kms:EncryptionContext:${n}`] = values[i % values.length];
      }
      ctx['kms:EncryptionContextKeys'] = names;
      right.push({ ctx, marks: { ec: 'the right encryption context' }, mfa: false });
    }
    const wrong: Record<string, string | string[]> = { 'kms:EncryptionContextKeys': names };
    for (const n of names) wrong[`kms:EncryptionContext:${n}`] = WRONG_VALUE;
    out = cross(out, [NEUTRAL, { ctx: wrong, marks: {}, mfa: false }, ...right]);
  }
  if (c.tags.size > 0 && !isService) {
    const ctx: Record<string, string> = {};
    for (const [t, values] of c.tags) ctx[`aws:PrincipalTag/${t}`] = values.has(TENANT_VALUE) ? TENANT_VALUE : [...values][0];
    out = cross(out, [NEUTRAL, { ctx, marks: { tags: `principal tags ${[...c.tags.keys()].join(', ')}` }, mfa: false }]);
  }
  if (c.via.size > 0) {
    out = cross(out, [NEUTRAL, ...[...c.via].map((v) => ({ ctx: { 'kms:ViaService': v }, marks: { via: `through ${v}` }, mfa: false }))]);
  }
  if (c.grant && GRANT_ACTIONS.has(action)) {
    out = cross(out, [
      NEUTRAL,
      { ctx: { 'kms:GrantIsForAWSResource': 'true' }, marks: { grant: 'grants for AWS resources only' }, mfa: false },
      { ctx: { 'kms:GrantIsForAWSResource': 'false' }, marks: {}, mfa: false },
    ]);
  }
  if (isService && (c.sourceArn.size > 0 || c.sourceAccount.size > 0)) {
    const ctx: Record<string, string> = {};
    if (c.sourceArn.size > 0) ctx['aws:SourceArn'] = [...c.sourceArn][0];
    if (c.sourceAccount.size > 0) ctx['aws:SourceAccount'] = [...c.sourceAccount][0];
    const wrong: Record<string, string> = {};
    if (c.sourceArn.size > 0) wrong['aws:SourceArn'] = `arn:aws:cloudtrail:us-east-1:999999999999:trail/${WRONG_VALUE}`;
    if (c.sourceAccount.size > 0) wrong['aws:SourceAccount'] = '999999999999';
    out = cross(out, [NEUTRAL, { ctx, marks: { source: 'on behalf of its own source resource' }, mfa: false }, { ctx: wrong, marks: {}, mfa: false }]);
  }
  return out;
}

interface PrincipalToEvaluate {
  readonly role: string;
  readonly principal: string;
  /** The concrete value the evaluator is asked about. */
  readonly value: string;
  readonly gate: boolean;
  readonly user: boolean;
  readonly deployer: boolean;
}


const OUTSIDE_ACCOUNT = '999999999999';

/** A custodian label, unless it is raw policy JSON (an intrinsic): then the concrete ARN reads better. */
function readable(label: string | undefined): string | undefined {
  return label === undefined || label.startsWith('{') ? undefined : label;
}

/** Evaluated matrices by policy shape: tenant hierarchies repeat one shape thousands of times. */
const MATRICES = new Map<string, { rows: Map<string, Record<string, MatrixCell>>; delegatesToIam: boolean }>();

/**
 * Rewrites a policy so that keys differing only in names (role names, literal condition values) share one shape, while
 * everything evaluation depends on (accounts, principal kinds, wildcards, policy variables, structure) stays.
 */
function shapeOf(statements: any[], principals: string[]): { shape: string; names: Map<string, string> } {
  const names = new Map<string, string>();
  const rename = (s: string): string => {
    if (/[*?]|\$\{/.test(s)) return s;
    let n = names.get(s);
    if (!n) {
      const m = /^(arn:[^:]*:iam::\d{12}:(?:role|user)\/)/.exec(s);
      n = m ? `${m[1]}#${names.size}` : s.includes('.amazonaws.com') && !s.startsWith('arn:') ? s : `#${names.size}`;
      names.set(s, n);
    }
    return n;
  };
  // Only names are renamed: principals, principal ARNs, tenant tags and encryption-context values. Values the report
  // quotes (kms:ViaService, source ARNs) stay, so two keys share a shape only if their matrices read the same.
  const renamedKey = (k: string) => /^(kms:encryptioncontext:|aws:principaltag\/|aws:principalarn$)/i.test(k);
  const walk = (v: unknown, inNames: boolean): unknown => {
    if (typeof v === 'string') return inNames ? rename(v) : v;
    if (Array.isArray(v)) return v.map((x) => walk(x, inNames));
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) =>
        [k, walk(x, inNames || k === 'Principal' || k === 'NotPrincipal' || renamedKey(k))]));
    }
    return v;
  };
  const shape = JSON.stringify([walk(statements.map(({ Sid, ...rest }) => ({ Sid, ...rest })), false), principals.map(rename)]);
  return { shape, names };
}

/** The target for `aloneReachUse` under a profile, and whether the matrix meets it. */
export function aloneReachUseTarget(m: AccessMatrix, dualControl: boolean): { expected: string; met: boolean } {
  return dualControl
    ? { expected: 'nobody outside the dual-control gate', met: m.aloneReachUse.length === 0 }
    : { expected: 'at most the deployment identity', met: m.aloneReachUse.every((p) => p.role.split(' and ').includes('deployment identity')) };
}

/** The matrix of a key when the evaluator is not installed: it says so, and how to get it. */
export function notComputedMatrix(): AccessMatrix {
  return {
    computed: false,
    reason: NOT_COMPUTED_REASON,
    classes: Object.keys(ACTION_CLASSES),
    rows: [],
    delegatesToIam: false,
    aloneReachUse: [],
    dualControlGate: false,
    singlePersonDualControl: [],
    assumptions: [],
  };
}

/**
 * Evaluates a resolved key policy into the access matrix, naming principals by the custodian roles recorded for the key.
 */
export function computeAccessMatrix(resolved: ResolvedAccessPolicy, custodians: CustodianAssignment[]): AccessMatrix {
  const classes = Object.keys(ACTION_CLASSES);
  const e = loadEvaluator();
  const statements = resolved.policy.Statement ?? [];
  const rootArn = `arn:aws:iam::${resolved.account}:root`;
  const delegatesToIam = statements.some((st: any) => st.Effect === 'Allow' && list(st.Principal?.AWS).some((p) => p === rootArn || p === resolved.account));
  const assumptions = [
    'identity policies of every principal in the account allow everything, so the key policy decides',
    'each cell is the most a principal can reach over every request it could send (with and without MFA, with the right, a wrong or ' +
    'no encryption context, with and without kms:GrantIsForAWSResource and kms:ViaService); aws:PrincipalIsAWSService follows the principal',
  ];
  if (delegatesToIam) {
    assumptions.push('the key policy delegates to IAM (the account root holds kms:*): IAM policies decide, and with identity policies ' +
      'assumed maximal every identity in the account reaches everything the root may');
  }
  if (!e) return { ...notComputedMatrix(), delegatesToIam, assumptions };

  const gateValues = new Set<string>();
  for (const st of statements) {
    if (st.Sid === DUAL_CONTROL_EXECUTOR_SID) for (const v of Object.values(st.Principal ?? {})) list(v).forEach((x) => gateValues.add(String(x)));
  }
  const byIdentity = new Map<string, CustodianAssignment[]>();
  for (const a of custodians) byIdentity.set(a.identity, [...(byIdentity.get(a.identity) ?? []), a]);
  // A principal the template refers to differently in another stack (a nested stack's parameter) is the same construct.
  const byLabel = new Map<string, CustodianAssignment[]>();
  for (const a of custodians) if (a.label) byLabel.set(a.label, [...(byLabel.get(a.label) ?? []), a]);
  const deployValues = new Set<string>();
  for (const st of statements) {
    if (st.Sid === DEPLOYMENT_SID) for (const v of Object.values(st.Principal ?? {})) list(v).forEach((x) => deployValues.add(String(x)));
  }

  const toEvaluate: PrincipalToEvaluate[] = [];
  for (const p of resolved.principals) {
    const roles = byIdentity.get(p.identity) ?? (p.label ? byLabel.get(p.label) : undefined) ?? [];
    const gate = gateValues.has(p.value);
    const role = gate ? 'dual-control gate executor'
      : roles.length > 0 ? [...new Set(roles.map((r) => ROLE_NAMES[r.role] ?? r.role))].join(' and ')
        : deployValues.has(p.value) ? 'deployment identity'
          : p.value === rootArn ? 'account root (IAM delegation)'
            : !p.value.startsWith('arn:') ? 'AWS service'
              : 'other principal named in the policy';
    toEvaluate.push({
      role,
      principal: readable(roles[0]?.label) ?? p.label ?? p.value,
      value: p.value,
      gate,
      // An AWS service named in the policy (CloudTrail, CloudWatch Logs …) uses the key by design: it is a user.
      user: roles.some((r) => r.role === CustodianRole.USER) || role === 'AWS service',
      deployer: roles.some((r) => r.role === CustodianRole.DEPLOYER) || deployValues.has(p.value),
    });
  }
  // Custodians the policy does not name still get a row: the matrix shows they reach nothing.
  for (const [identity, roles] of byIdentity) {
    if (resolved.principals.some((p) => p.identity === identity || (p.label !== undefined && p.label === roles[0].label))) continue;
    const value = identity.replace(/^AWS:/, '');
    if (!value.startsWith('arn:')) continue;
    toEvaluate.push({
      role: [...new Set(roles.map((r) => ROLE_NAMES[r.role] ?? r.role))].join(' and '),
      principal: readable(roles[0].label) ?? value,
      value,
      gate: false,
      user: roles.some((r) => r.role === CustodianRole.USER),
      deployer: roles.some((r) => r.role === CustodianRole.DEPLOYER),
    });
  }
  const others: PrincipalToEvaluate[] = [
    {
      role: 'anyone else in the account',
      principal: `any other role or user of ${resolved.account}`,
      value: `arn:aws:iam::${resolved.account}:role/cloud-kms-matrix-anyone-else`,
      gate: false,
      user: false,
      deployer: false,
    },
    {
      role: 'anyone in another account',
      principal: `any role or user of another account (${OUTSIDE_ACCOUNT})`,
      value: `arn:aws:iam::${OUTSIDE_ACCOUNT}:role/cloud-kms-matrix-outsider`,
      gate: false,
      user: false,
      deployer: false,
    },
  ];
  if (resolved.account === OUTSIDE_ACCOUNT) others.pop();
  toEvaluate.push(...others);

  const { shape, names } = shapeOf(statements, toEvaluate.map((p) => p.value));
  let cached = MATRICES.get(shape);
  if (!cached) {
    const conditions = conditionsOf(statements);
    const rows = new Map<string, Record<string, MatrixCell>>();
    for (const p of toEvaluate) {
      rows.set(names.get(p.value) ?? p.value, evaluatePrincipal(e, statements, resolved, p.value, conditions));
    }
    cached = { rows, delegatesToIam };
    MATRICES.set(shape, cached);
  }

  const rows: MatrixRow[] = toEvaluate.map((p) => {
    const access = { ...cached!.rows.get(names.get(p.value) ?? p.value)! };
    if (p.gate) {
      for (const cls of classes) {
        if (access[cls].access !== Access.DENIED) access[cls] = { ...access[cls], access: Access.DUAL_CONTROL_GATE };
      }
    }
    return { role: p.role, principal: p.principal, access };
  });

  const reaches = (row: MatrixRow, cls: string) => row.access[cls].access === Access.ALLOWED || row.access[cls].access === Access.ALLOWED_WITH_MFA;
  const aloneReachUse: EscalationPath[] = [];
  const singlePersonDualControl: EscalationPath[] = [];
  rows.forEach((row, i) => {
    const p = toEvaluate[i];
    const reachClasses = REACH_USE_CLASSES.filter((cls) => !(cls === 'use' && p.user) && reaches(row, cls));
    if (reachClasses.length > 0) {
      aloneReachUse.push({ role: row.role, principal: row.principal, via: reachClasses.map((cls) => `${cls} (${row.access[cls].access})`) });
    }
    const dual = DUAL_CONTROL_CLASSES.filter((cls) => reaches(row, cls)).map((cls) => `${cls} (${row.access[cls].access})`);
    for (const a of DUAL_CONTROL_EXTRA_ACTIONS) {
      const cls = classes.find((c) => ACTION_CLASSES[c].includes(a))!;
      if (reaches(row, cls) && (row.access[cls].actions ?? []).includes(a)) dual.push(`${a.replace('kms:', '')} (${row.access[cls].access})`);
    }
    if (dual.length > 0) singlePersonDualControl.push({ role: row.role, principal: row.principal, via: dual });
  });

  return {
    computed: true,
    evaluator: e.name,
    classes,
    rows,
    delegatesToIam,
    aloneReachUse,
    dualControlGate: gateValues.size > 0,
    singlePersonDualControl,
    assumptions,
  };
}

function evaluatePrincipal(e: Evaluator, statements: any[], resolved: ResolvedAccessPolicy, principal: string,
  conditions: PolicyConditions): Record<string, MatrixCell> {
  const isService = !principal.startsWith('arn:');
  const base = principalContext(principal);
  const policy = { Version: '2012-10-17', Statement: statements };
  const out: Record<string, MatrixCell> = {};
  for (const [cls, actions] of Object.entries(ACTION_CLASSES)) {
    let withoutMfa = false;
    let withMfa = false;
    const reached: string[] = [];
    const requirementSets: Array<Record<string, string | undefined>> = [];
    for (const action of actions) {
      let reachedAction = false;
      for (const v of variantsFor(conditions, action, isService)) {
        if (simulate(e, policy, resolved.account, resolved.region, principal, action, { ...base, ...v.ctx }) !== 'ALLOW') continue;
        reachedAction = true;
        if (v.mfa) withMfa = true;
        else withoutMfa = true;
        requirementSets.push(v.marks);
        // Once a request that needs nothing (no MFA, no context) is allowed, no other request can change the cell: the
        // remaining variants of this action would only repeat it.
        if (!v.mfa && Object.values(v.marks).every((m) => m === undefined)) break;
      }
      if (reachedAction) reached.push(action);
    }
    // A requirement holds when no allowed request does without it.
    const dims = ['ec', 'tags', 'via', 'grant', 'source'];
    const required: string[] = [];
    for (const d of dims) {
      if (requirementSets.length > 0 && requirementSets.every((m) => m[d] !== undefined)) {
        required.push(...new Set(requirementSets.map((m) => m[d]!)));
      }
    }
    out[cls] = {
      access: withoutMfa ? Access.ALLOWED : withMfa ? Access.ALLOWED_WITH_MFA : Access.DENIED,
      ...(reached.length > 0 ? { actions: reached } : {}),
      ...(required.length > 0 ? { conditions: required } : {}),
    };
  }
  return out;
}
