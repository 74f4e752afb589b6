import { detours } from './report-text';
import { EvidenceEntry, EvidenceLedger, EvidenceStatus, KeyRecord } from '../../core/evidence';
import { ACCESS_CONTROLS, DUAL_CONTROL_CONTROLS } from '../../core/key-evidence';
import type { AccessMatrix, EscalationPath } from '../access-matrix';
import { Access, aloneReachUseTarget, computeAccessMatrix, loadEvaluator, notComputedMatrix } from '../access-matrix';

/**
 * Computes the access matrix of every key whose policy was registered, and derives the ledger's separation-of-duties and
 * dual-control evidence from it (replacing what was derived from the policy's structure). Without the evaluator, the
 * structural evidence stays, marked as not evaluated.
 */
export function evaluateAccess(ledger: EvidenceLedger): Map<string, AccessMatrix> {
  const out = new Map<string, AccessMatrix>();
  const installed = loadEvaluator() !== undefined;
  const cache = new Map<unknown, unknown>();
  for (const source of ledger._accessPolicies()) {
    let matrix = source.matrix ? source.matrix(cache)
      : installed && source.resolve ? computeAccessMatrix(source.resolve(cache), ledger.custodiansOf(source.subject)) : notComputedMatrix();
    const key = ledger.tryFindKey(source.subject);
    if (key && matrix.computed && !matrix.aloneReachUseTarget) {
      matrix = { ...matrix, aloneReachUseTarget: aloneReachUseTarget(matrix, key.profile.dualControlRequired) };
    }
    out.set(source.subject, matrix);
    if (key) recordEvaluatedEvidence(ledger, key, matrix);
  }
  return out;
}

/**
 * The matrices as the report shows them: a matrix identical to an earlier key's (the keys of a tenant hierarchy, by the
 * thousand) points to that key instead of repeating it.
 */
export function withoutRepeats(matrices: Map<string, AccessMatrix>): Map<string, AccessMatrix> {
  const first = new Map<string, string>();
  const out = new Map<string, AccessMatrix>();
  for (const [path, m] of matrices) {
    if (!m.computed) {
      out.set(path, m);
      continue;
    }
    const fingerprint = JSON.stringify(m);
    const earlier = first.get(fingerprint);
    if (earlier === undefined) {
      first.set(fingerprint, path);
      out.set(path, m);
    } else {
      out.set(path, { ...m, sameAs: earlier, rows: [], aloneReachUse: [], singlePersonDualControl: [] });
    }
  }
  return out;
}

const NOT_EVALUATED = ' (derived from the key policy\'s structure, not evaluated: the optional IAM policy evaluator is not installed)';
const AUTHORIZATION_CONTROLS = new Set([...ACCESS_CONTROLS, ...DUAL_CONTROL_CONTROLS].map((c) => c.id));

function describePaths(paths: EscalationPath[]): string {
  return paths.map((p) => `${p.principal} (${p.role}): ${p.via.join(', ')}`).join('; ');
}

/** The evidence the constructs recorded from the policy's structure, kept so that building the report twice derives the same. */
const STRUCTURAL = new WeakMap<EvidenceLedger, Map<string, EvidenceEntry>>();

function structuralEvidence(ledger: EvidenceLedger, key: KeyRecord, matrix: AccessMatrix): EvidenceEntry[] {
  let byKey = STRUCTURAL.get(ledger);
  if (!byKey) {
    byKey = new Map();
    STRUCTURAL.set(ledger, byKey);
  }
  const settings = matrix.derivesFrom ?? ['KeyPolicy'];
  return ledger.evidence(key.path).filter((e) => AUTHORIZATION_CONTROLS.has(e.control.id) && settings.includes(e.setting)).map((e) => {
    const id = `${e.subject}\u0000${e.control.id}`;
    if (!byKey!.has(id)) byKey!.set(id, e);
    return byKey!.get(id)!;
  });
}

function recordEvaluatedEvidence(ledger: EvidenceLedger, key: KeyRecord, matrix: AccessMatrix): void {
  const structural = structuralEvidence(ledger, key, matrix);
  if (!matrix.computed) {
    for (const e of structural) ledger.record({ ...e, value: `${e.value} (not evaluated)`, description: `${e.description}${NOT_EVALUATED}` });
    return;
  }
  const dualControl = (e: EvidenceEntry) => DUAL_CONTROL_CONTROLS.some((c) => c.id === e.control.id);
  const violations = separationViolations(matrix);
  for (const e of structural.filter((x) => !dualControl(x))) ledger.record(separationEvidence(e, matrix, violations));
  for (const e of structural.filter(dualControl)) ledger.record(dualControlEvidence(e, matrix));
}

/** Each way the evaluated matrix breaks separation of duties, as a sentence. */
function separationViolations(matrix: AccessMatrix): string[] {
  const rows = matrix.rows;
  // A class the cloud's matrix does not have (AWS's 'replicate' on Azure) is one nobody reaches.
  const reaches = (cls: string) => (r: (typeof rows)[number]) => r.access[cls] !== undefined && r.access[cls].access !== Access.DENIED;
  // AWS users may create grants for AWS services (kms:GrantIsForAWSResource): 'grant' is not management for them.
  const userForbidden = matrix.userForbiddenClasses ?? ['manage', 'change policy', 'delete/disable', 'replicate', 'alias'];
  const violations: string[] = [];
  for (const r of rows) {
    const roles = r.role.split(' and ');
    if ((roles.includes('administrator') || roles.includes('deployment identity')) && reaches('use')(r)) {
      violations.push(`${r.principal} (${r.role}) can use the key (${r.access.use.access})`);
    }
    if (roles.includes('user')) {
      const managing = userForbidden.filter((cls) => reaches(cls)(r));
      if (managing.length > 0) violations.push(`${r.principal} (user) can ${managing.join(', ')}`);
    }
    if (roles.includes('auditor')) {
      const beyond = matrix.classes.filter((cls) => cls !== 'audit-read' && reaches(cls)(r));
      if (beyond.length > 0) violations.push(`${r.principal} (auditor) can ${beyond.join(', ')}`);
    }
    if (r.role === 'anyone else in the account' || r.role === 'anyone in another account') {
      const any = matrix.classes.filter((cls) => reaches(cls)(r));
      if (any.length > 0) violations.push(`${r.role} can ${any.join(', ')}${matrix.delegatesToIam ? ' (the key policy delegates to IAM)' : ''}`);
    }
  }
  return violations;
}

/** A separation-of-duties entry as the evaluated matrix shows it. */
function separationEvidence(e: EvidenceEntry, matrix: AccessMatrix, violations: string[]): EvidenceEntry {
  const escalation = matrix.aloneReachUse.length > 0
    ? `; alone can reach cryptographic use without being a user of the key: ${describePaths(matrix.aloneReachUse)}`
    : `; nobody but the key's users can reach cryptographic use, directly or ${detours(matrix)}`;
  // A principal who alone can reach use by rewriting the policy, replicating the key or moving an alias (beyond what the
  // profile accepts: nobody outside the gate under dual control, at most the deployment identity otherwise) leaves
  // separation of duties only partly enforced: it is a path around the denies, even though no statement grants use.
  const target = matrix.aloneReachUseTarget;
  const partial = violations.length === 0 && target !== undefined && !target.met;
  return {
    ...e,
    status: violations.length > 0 ? EvidenceStatus.NOT_SATISFIED : partial ? EvidenceStatus.PARTIALLY_SATISFIED : EvidenceStatus.SATISFIED,
    value: violations.length > 0 ? 'separation of duties violated (evaluated)'
      : partial ? `separation of duties, but ${target!.expected} is not met (evaluated)` : 'separation of duties (evaluated)',
    description: `${e.description}; ` + (violations.length > 0 ? `evaluated with ${matrix.evaluator}: ${violations.join('; ')}`
      : `evaluated with ${matrix.evaluator}: administrators and the deployment identity cannot use the key, users cannot manage it, ` +
        `auditors only read, and nobody ${matrix.gateName ? 'else this app grants a role' : 'outside the policy'} reaches anything`) + escalation,
  };
}

/** A dual-control entry as the evaluated matrix shows it: satisfied only when the gate alone reaches what it must hold. */
function dualControlEvidence(e: EvidenceEntry, matrix: AccessMatrix): EvidenceEntry {
  const gate = matrix.gateName ?? 'the dual-control gate executor';
  const single = matrix.singlePersonDualControl;
  let status: EvidenceStatus;
  let description: string;
  if (matrix.dualControlGate && single.length === 0) {
    status = EvidenceStatus.SATISFIED;
    description = matrix.gateName
      ? `evaluated with ${matrix.evaluator}: only ${gate} reaches the operations dual control must hold, and it requires a second person's approval`
      : `evaluated with ${matrix.evaluator}: only the dual-control gate executor can change the policy, disable or delete the ` +
        'key, replicate it, change its aliases or import material, and the gate requires a second approver';
  } else if (matrix.dualControlGate || e.status === EvidenceStatus.SATISFIED) {
    status = EvidenceStatus.PARTIALLY_SATISFIED;
    description = `evaluated with ${matrix.evaluator}: ${matrix.dualControlGate ? '' : `no ${matrix.gateName ?? 'dual-control gate executor is named in the key policy'}; `}` +
      `one principal alone can perform operations dual control must hold: ${describePaths(single)}`;
  } else {
    status = e.status;
    description = `${e.description}; evaluated with ${matrix.evaluator}: ${single.length > 0 ? `one principal alone can: ${describePaths(single)}` : 'no single-person path found'}`;
  }
  const value = status === EvidenceStatus.SATISFIED ? 'dual control (evaluated)'
    : status === EvidenceStatus.PARTIALLY_SATISFIED ? 'single-person paths remain (evaluated)' : `${e.value} (evaluated)`;
  return { ...e, status, value, description };
}
