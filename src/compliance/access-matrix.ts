import type { AccessMatrix, EscalationPath, MatrixCell, MatrixRow, ResolvedAccessPolicy } from '../core/access-policy';
import { Access, ROLE_NAMES } from '../core/access-policy';
import { CustodianAssignment, CustodianRole } from '../core/custodians';
import { Evaluator, loadEvaluator, NOT_COMPUTED_REASON, principalContext, setEvaluatorOverride, simulate } from './private/iam-evaluator';
import { VariantRelevance } from './private/relevant-variants';
import { conditionsOf, list, PolicyConditions, variantsFor } from './private/request-variants';

export { Access } from '../core/access-policy';
export type { AccessMatrix, EscalationPath, MatrixCell, MatrixRow } from '../core/access-policy';
export { EVALUATOR_PACKAGE, loadEvaluator, NOT_COMPUTED_REASON, principalContext, simulate } from './private/iam-evaluator';
export type { Decision } from './private/iam-evaluator';

/*
 * The access matrix: who can do what with a key, decided by a real IAM policy evaluator over the key policy as
 * synthesized. The evaluator, @cloud-copilot/iam-simulate, is AGPL-3.0: it is never a dependency of this package (which
 * is Apache-2.0); it is loaded only when the user has installed it, and the report says so when it is missing. This
 * file builds requests (principals, actions, condition contexts) and reads decisions; it decides nothing itself.
 */

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

/**
 * Replaces the evaluator (null: as if not installed; undefined: back to the installed one). For tests.
 * @internal
 */
export function _setEvaluatorForTesting(e: Evaluator | null | undefined): void {
  setEvaluatorOverride(e);
  MATRICES.clear();
}

/** Whether variants no statement about the action tells apart are left out (see private/relevant-variants.ts). */
let skipIrrelevantVariants = true;

/**
 * Asks the evaluator about every variant (false) or only those that can differ (true, the default). For tests that
 * show both give the same matrices.
 * @internal
 */
export function _setVariantPruningForTesting(on: boolean): void {
  skipIrrelevantVariants = on;
  MATRICES.clear();
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
  const assumptions = evaluationAssumptions(delegatesToIam);
  if (!e) return { ...notComputedMatrix(), delegatesToIam, assumptions };
  const gateValues = principalsOf(statements, DUAL_CONTROL_EXECUTOR_SID);
  const toEvaluate = principalsToEvaluate(resolved, custodians, gateValues, principalsOf(statements, DEPLOYMENT_SID));
  const rows = evaluatedRows(e, statements, resolved, toEvaluate, delegatesToIam);
  return {
    computed: true,
    evaluator: e.name,
    classes,
    rows,
    delegatesToIam,
    aloneReachUse: aloneReachUsePaths(rows, toEvaluate),
    dualControlGate: gateValues.size > 0,
    singlePersonDualControl: singlePersonPaths(rows),
    assumptions,
  };
}

/** What every matrix assumes, and what a policy that delegates to IAM adds. */
function evaluationAssumptions(delegatesToIam: boolean): string[] {
  const assumptions = [
    'identity policies of every principal in the account allow everything, so the key policy decides',
    'each cell is the most a principal can reach over every request it could send (with and without MFA, with the right, a wrong or ' +
    'no encryption context, with and without kms:GrantIsForAWSResource and kms:ViaService); aws:PrincipalIsAWSService follows the principal',
  ];
  if (delegatesToIam) {
    assumptions.push('the key policy delegates to IAM (the account root holds kms:*): IAM policies decide, and with identity policies ' +
      'assumed maximal every identity in the account reaches everything the root may');
  }
  return assumptions;
}

/** The principal values of the statement with this Sid. */
function principalsOf(statements: any[], sid: string): Set<string> {
  const values = new Set<string>();
  for (const st of statements) {
    if (st.Sid === sid) for (const v of Object.values(st.Principal ?? {})) list(v).forEach((x) => values.add(String(x)));
  }
  return values;
}

/** Every row of the matrix: the policy's principals by role, custodians the policy does not name, and everyone else. */
function principalsToEvaluate(resolved: ResolvedAccessPolicy, custodians: CustodianAssignment[], gateValues: Set<string>,
  deployValues: Set<string>): PrincipalToEvaluate[] {
  const rootArn = `arn:aws:iam::${resolved.account}:root`;
  const byIdentity = new Map<string, CustodianAssignment[]>();
  for (const a of custodians) byIdentity.set(a.identity, [...(byIdentity.get(a.identity) ?? []), a]);
  // A principal the template refers to differently in another stack (a nested stack's parameter) is the same construct.
  const byLabel = new Map<string, CustodianAssignment[]>();
  for (const a of custodians) if (a.label) byLabel.set(a.label, [...(byLabel.get(a.label) ?? []), a]);
  const toEvaluate: PrincipalToEvaluate[] = [];
  for (const p of resolved.principals) {
    const roles = byIdentity.get(p.identity) ?? (p.label ? byLabel.get(p.label) : undefined) ?? [];
    const gate = gateValues.has(p.value);
    const role = gate ? 'dual-control gate executor'
      : roles.length > 0 ? roleNames(roles)
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
      role: roleNames(roles),
      principal: readable(roles[0].label) ?? value,
      value,
      gate: false,
      user: roles.some((r) => r.role === CustodianRole.USER),
      deployer: roles.some((r) => r.role === CustodianRole.DEPLOYER),
    });
  }
  toEvaluate.push(...everyoneElse(resolved.account));
  return toEvaluate;
}

function roleNames(roles: CustodianAssignment[]): string {
  return [...new Set(roles.map((r) => ROLE_NAMES[r.role] ?? r.role))].join(' and ');
}

/** The rows for principals the policy does not name: another identity of the account, and one of another account. */
function everyoneElse(account: string): PrincipalToEvaluate[] {
  const others: PrincipalToEvaluate[] = [
    {
      role: 'anyone else in the account',
      principal: `any other role or user of ${account}`,
      value: `arn:aws:iam::${account}:role/cloud-kms-matrix-anyone-else`,
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
  if (account === OUTSIDE_ACCOUNT) others.pop();
  return others;
}

/** The evaluator's cells for every row (once per policy shape), the gate executor's allowed cells marked as the gate's. */
function evaluatedRows(e: Evaluator, statements: any[], resolved: ResolvedAccessPolicy, toEvaluate: PrincipalToEvaluate[],
  delegatesToIam: boolean): MatrixRow[] {
  const { shape, names } = shapeOf(statements, toEvaluate.map((p) => p.value));
  let cached = MATRICES.get(shape);
  if (!cached) {
    const conditions = conditionsOf(statements);
    const relevance = skipIrrelevantVariants ? new VariantRelevance(statements) : undefined;
    const rows = new Map<string, Record<string, MatrixCell>>();
    for (const p of toEvaluate) {
      rows.set(names.get(p.value) ?? p.value, evaluatePrincipal(e, statements, resolved, p.value, conditions, relevance));
    }
    cached = { rows, delegatesToIam };
    MATRICES.set(shape, cached);
  }
  return toEvaluate.map((p) => {
    const access = { ...cached!.rows.get(names.get(p.value) ?? p.value)! };
    if (p.gate) {
      for (const cls of Object.keys(ACTION_CLASSES)) {
        if (access[cls].access !== Access.DENIED) access[cls] = { ...access[cls], access: Access.DUAL_CONTROL_GATE };
      }
    }
    return { role: p.role, principal: p.principal, access };
  });
}

function reaches(row: MatrixRow, cls: string): boolean {
  return row.access[cls].access === Access.ALLOWED || row.access[cls].access === Access.ALLOWED_WITH_MFA;
}

/** Who alone reaches cryptographic use without being a user: directly, or by rewriting who may. */
function aloneReachUsePaths(rows: MatrixRow[], toEvaluate: PrincipalToEvaluate[]): EscalationPath[] {
  const aloneReachUse: EscalationPath[] = [];
  rows.forEach((row, i) => {
    const reachClasses = REACH_USE_CLASSES.filter((cls) => !(cls === 'use' && toEvaluate[i].user) && reaches(row, cls));
    if (reachClasses.length > 0) {
      aloneReachUse.push({ role: row.role, principal: row.principal, via: reachClasses.map((cls) => `${cls} (${row.access[cls].access})`) });
    }
  });
  return aloneReachUse;
}

/** Who alone can perform an operation dual control must hold. */
function singlePersonPaths(rows: MatrixRow[]): EscalationPath[] {
  const classes = Object.keys(ACTION_CLASSES);
  const out: EscalationPath[] = [];
  for (const row of rows) {
    const dual = DUAL_CONTROL_CLASSES.filter((cls) => reaches(row, cls)).map((cls) => `${cls} (${row.access[cls].access})`);
    for (const a of DUAL_CONTROL_EXTRA_ACTIONS) {
      const cls = classes.find((c) => ACTION_CLASSES[c].includes(a))!;
      if (reaches(row, cls) && (row.access[cls].actions ?? []).includes(a)) dual.push(`${a.replace('kms:', '')} (${row.access[cls].access})`);
    }
    if (dual.length > 0) out.push({ role: row.role, principal: row.principal, via: dual });
  }
  return out;
}

function evaluatePrincipal(e: Evaluator, statements: any[], resolved: ResolvedAccessPolicy, principal: string,
  conditions: PolicyConditions, relevance: VariantRelevance | undefined): Record<string, MatrixCell> {
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
      const variants = variantsFor(conditions, action, isService);
      for (const v of relevance ? relevance.filter(principal, action, variants) : variants) {
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
