import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { IConstruct } from 'constructs';
import { Access, AccessMatrix, aloneReachUseTarget, computeAccessMatrix, EscalationPath, loadEvaluator, NOT_COMPUTED_REASON, notComputedMatrix } from './access-matrix';
import { Control } from '../core/controls';
import { CustodianRole } from '../core/custodians';
import { EvidenceEntry, EvidenceLedger, EvidenceStatus, KeyRecord } from '../core/evidence';
import { ACCESS_CONTROLS, DUAL_CONTROL_CONTROLS } from '../core/key-evidence';

/** How a required control stands for one key. */
export enum ControlStatus {
  SATISFIED = 'satisfied',
  /** Part of the control is enforced; the evidence says which part is not. Fails synthesis unless acknowledged. */
  PARTIALLY_SATISFIED = 'partially satisfied',
  NOT_SATISFIED = 'not satisfied',
  NOT_APPLICABLE = 'not applicable',
}

/** One setting that bears on a control. */
export interface ControlEvidence {
  readonly resource: string;
  readonly setting: string;
  readonly value: string;
  readonly description: string;
  readonly status: string;
}

/** A required control, for one key. */
export interface ControlReport {
  readonly id: string;
  readonly framework: string;
  readonly controlId: string;
  readonly title: string;
  readonly status: ControlStatus;
  /** Set when a finding or an unmet (or only partially satisfied) control was accepted on purpose. */
  readonly acknowledged?: string;
  readonly evidence: ControlEvidence[];
}

/** One key of the report. */
export interface KeyReport {
  readonly path: string;
  readonly stack: string;
  readonly cloud: string;
  readonly construct: string;
  readonly model: string;
  readonly custody: string;
  readonly profile: string;
  readonly fipsLevel: string;
  readonly auditSink?: string;
  readonly parent?: string;
  readonly custodians: { readonly role: string; readonly identity: string }[];
  readonly controls: ControlReport[];
  readonly acknowledgements: { readonly rule: string; readonly resource: string; readonly reason: string }[];
  /** AWS keys: who can do what, evaluated from the synthesized key policy. */
  readonly accessMatrix?: AccessMatrix;
}

/** A key that protects something of the library's own (a function's logs) and carries no profile of its own. */
export interface SupportingKeyReport {
  readonly path: string;
  readonly purpose: string;
  readonly accessMatrix: AccessMatrix;
}

/** One stack (CloudFormation or Terraform) of the report. */
export interface StackReport {
  readonly name: string;
  readonly cloud: string;
  readonly keys: KeyReport[];
  /** Keys outside the profile's scope that still hold data (function log keys), with their access matrix. */
  readonly supportingKeys: SupportingKeyReport[];
  /** Mermaid flowchart of the stack's key hierarchy. */
  readonly diagram: string;
}

/** The whole report: what `compliance-report.json` holds. */
export interface ComplianceReportData {
  readonly generator: string;
  readonly stacks: StackReport[];
  readonly summary: {
    readonly keys: number;
    readonly requiredControls: number;
    readonly satisfied: number;
    readonly partiallySatisfied: number;
    readonly notApplicable: number;
    readonly acknowledged: number;
    /** Required controls nothing satisfies (or only partially) and nobody acknowledged: synthesis fails on these. */
    readonly unmet: { readonly key: string; readonly control: string; readonly status: string }[];
    /** Whether access matrices were computed (the optional evaluator was installed), and if not, why. */
    readonly accessMatrix: { readonly computed: boolean; readonly note?: string };
  };
}

/** The rule id that acknowledges an unmet required control (e.g. `control:PCI DSS v4.0 3.7.6`). */
export function controlRule(control: Control): string {
  return `control:${control.id}`;
}

/** Builds the report from an app's evidence ledger. */
export function buildReport(ledger: EvidenceLedger): ComplianceReportData {
  const matrices = withoutRepeats(evaluateAccess(ledger));
  const bySubject = new Map<string, EvidenceEntry[]>();
  for (const e of ledger.evidence()) {
    const list = bySubject.get(e.subject);
    if (list) list.push(e);
    else bySubject.set(e.subject, [e]);
  }
  const acksBySubject = new Map<string, { rule: string; resource: string; reason: string }[]>();
  for (const a of ledger.acknowledgements()) {
    const list = acksBySubject.get(a.subject) ?? [];
    list.push({ rule: a.rule, resource: a.resource, reason: a.reason });
    acksBySubject.set(a.subject, list);
  }
  const stacks = new Map<string, StackReport & { keys: KeyReport[]; supportingKeys: SupportingKeyReport[] }>();
  const stackFor = (path: string, cloud: string) => {
    const stackName = rootStack(path);
    let stack = stacks.get(stackName);
    if (!stack) {
      stack = { name: stackName, cloud, keys: [], supportingKeys: [], diagram: '' };
      stacks.set(stackName, stack);
    }
    return stack;
  };
  const unmet: { key: string; control: string; status: string }[] = [];
  let required = 0;
  let satisfied = 0;
  let partiallySatisfied = 0;
  let notApplicable = 0;
  let acknowledged = 0;
  for (const key of ledger.keys) {
    const report = keyReport(ledger, key, bySubject, acksBySubject, matrices.get(key.path));
    for (const c of report.controls) {
      required++;
      if (c.status === ControlStatus.SATISFIED) satisfied++;
      else if (c.status === ControlStatus.NOT_APPLICABLE) notApplicable++;
      else if (c.acknowledged) acknowledged++;
      else unmet.push({ key: key.path, control: c.id, status: c.status });
      if (c.status === ControlStatus.PARTIALLY_SATISFIED) partiallySatisfied++;
    }
    stackFor(key.stack, key.cloud).keys.push(report);
  }
  for (const source of ledger._accessPolicies()) {
    if (ledger.tryFindKey(source.subject)) continue;
    stackFor(source.stack, source.cloud).supportingKeys.push({
      path: source.subject, purpose: source.purpose ?? 'supporting key', accessMatrix: matrices.get(source.subject)!,
    });
  }
  const list = [...stacks.values()].map((s) => ({ ...s, diagram: diagram(ledger, s.name, s.keys) }));
  return {
    generator: 'cloud-kms-constructs',
    stacks: list,
    summary: {
      keys: ledger.keys.length,
      requiredControls: required,
      satisfied,
      partiallySatisfied,
      notApplicable,
      acknowledged,
      unmet,
      accessMatrix: matrices.size === 0 ? { computed: false, note: 'no AWS keys' }
        : [...matrices.values()].every((m) => m.computed) ? { computed: true }
          : { computed: false, note: [...matrices.values()].find((m) => !m.computed)!.reason },
    },
  };
}

/**
 * Computes the access matrix of every key whose policy was registered, and derives the ledger's separation-of-duties and
 * dual-control evidence from it (replacing what was derived from the policy's structure). Without the evaluator, the
 * structural evidence stays, marked as not evaluated.
 */
function evaluateAccess(ledger: EvidenceLedger): Map<string, AccessMatrix> {
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
function withoutRepeats(matrices: Map<string, AccessMatrix>): Map<string, AccessMatrix> {
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
  const rows = matrix.rows;
  // A class the cloud's matrix does not have (AWS's 'replicate' on Azure) is one nobody reaches.
  const reaches = (cls: string) => (r: (typeof rows)[number]) => r.access[cls] !== undefined && r.access[cls].access !== Access.DENIED;
  // AWS users may create grants for AWS services (kms:GrantIsForAWSResource): 'grant' is not management for them.
  const userForbidden = matrix.userForbiddenClasses ?? ['manage', 'change policy', 'delete/disable', 'replicate', 'alias'];
  const gate = matrix.gateName ?? 'the dual-control gate executor';
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
  const escalation = matrix.aloneReachUse.length > 0
    ? `; alone can reach cryptographic use without being a user of the key: ${describePaths(matrix.aloneReachUse)}`
    : `; nobody but the key's users can reach cryptographic use, directly or ${detours(matrix)}`;
  // A principal who alone can reach use by rewriting the policy, replicating the key or moving an alias (beyond what the
  // profile accepts: nobody outside the gate under dual control, at most the deployment identity otherwise) leaves
  // separation of duties only partly enforced: it is a path around the denies, even though no statement grants use.
  const target = matrix.aloneReachUseTarget;
  const partial = violations.length === 0 && target !== undefined && !target.met;
  for (const e of structural) {
    if (DUAL_CONTROL_CONTROLS.some((c) => c.id === e.control.id)) continue;
    ledger.record({
      ...e,
      status: violations.length > 0 ? EvidenceStatus.NOT_SATISFIED : partial ? EvidenceStatus.PARTIALLY_SATISFIED : EvidenceStatus.SATISFIED,
      value: violations.length > 0 ? 'separation of duties violated (evaluated)'
        : partial ? `separation of duties, but ${target!.expected} is not met (evaluated)` : 'separation of duties (evaluated)',
      description: `${e.description}; ` + (violations.length > 0 ? `evaluated with ${matrix.evaluator}: ${violations.join('; ')}`
        : `evaluated with ${matrix.evaluator}: administrators and the deployment identity cannot use the key, users cannot manage it, ` +
          `auditors only read, and nobody ${matrix.gateName ? 'else this app grants a role' : 'outside the policy'} reaches anything`) + escalation,
    });
  }
  for (const e of structural) {
    if (!DUAL_CONTROL_CONTROLS.some((c) => c.id === e.control.id)) continue;
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
    ledger.record({ ...e, status, value, description });
  }
}

/** A nested stack's keys belong to its root stack's report. */
function rootStack(stack: string): string {
  return stack.split('/')[0];
}

function keyReport(ledger: EvidenceLedger, key: KeyRecord, bySubject: Map<string, EvidenceEntry[]>,
  acksBySubject: Map<string, { rule: string; resource: string; reason: string }[]>, accessMatrix?: AccessMatrix): KeyReport {
  // What bears on a key: its own settings, its container's (vault, key ring, key store) and its audit sink's.
  const container = key.parent ? ledger.containers.find((c) => c.path === key.parent) : undefined;
  const subjects = [key.path, key.parent, container?.parent, key.auditSink].filter((s): s is string => s !== undefined);
  const entries = subjects.flatMap((s) => bySubject.get(s) ?? []);
  const acks = subjects.flatMap((s) => acksBySubject.get(s) ?? []);
  // A control acknowledged on a construct covers the keys under it.
  for (const [subject, list] of acksBySubject) {
    if (key.path.startsWith(`${subject}/`)) acks.push(...list.filter((a) => a.rule.startsWith('control:')));
  }
  const controls = key.profile.requiredControls.map((control) => {
    const evidence = entries.filter((e) => e.control.id === control.id);
    if (control.id === Control.PCI_3_6_1_1.id) {
      // The report is that description: every key, its custody, custodians and the settings behind each control.
      evidence.push({
        control,
        status: EvidenceStatus.SATISFIED,
        subject: key.path,
        resource: 'compliance-report.json',
        setting: 'key inventory',
        value: key.path,
        description: 'this report documents the key: model, custody, profile, custodians, and the evidence for each control',
      });
    }
    const ack = acks.find((a) => a.rule === controlRule(control));
    let status: ControlStatus;
    if (evidence.some((e) => e.status === EvidenceStatus.NOT_SATISFIED)) status = ControlStatus.NOT_SATISFIED;
    else if (evidence.some((e) => e.status === EvidenceStatus.PARTIALLY_SATISFIED)) status = ControlStatus.PARTIALLY_SATISFIED;
    else if (evidence.some((e) => e.status === EvidenceStatus.SATISFIED)) status = ControlStatus.SATISFIED;
    else if (evidence.length > 0) status = ControlStatus.NOT_APPLICABLE;
    else status = ControlStatus.NOT_SATISFIED;
    return {
      id: control.id,
      framework: control.framework,
      controlId: control.controlId,
      title: control.title,
      status,
      acknowledged: status === ControlStatus.NOT_SATISFIED || status === ControlStatus.PARTIALLY_SATISFIED ? ack?.reason : undefined,
      evidence: evidence.map((e) => ({ resource: e.resource, setting: e.setting, value: e.value, description: e.description, status: e.status })),
    };
  });
  return {
    path: key.path,
    stack: key.stack,
    cloud: key.cloud,
    construct: key.constructName,
    model: key.model.id,
    custody: container?.custody ?? key.model.custody,
    profile: key.profile.name,
    fipsLevel: key.fipsLevel,
    auditSink: key.auditSink,
    parent: key.parent,
    custodians: ledger.custodiansOf(key.path).map((a) => ({ role: a.role, identity: a.label ?? a.identity })),
    controls,
    acknowledgements: acks.filter((a) => !a.rule.startsWith('control:')),
    accessMatrix,
  };
}

const MAX_KEYS_IN_DIAGRAM = 25;

/** A Mermaid flowchart: store or parent → keys → custodian roles, audit sinks, and the custody boundary. */
function diagram(ledger: EvidenceLedger, stack: string, keys: KeyReport[]): string {
  const ids = new Map<string, string>();
  const id = (path: string) => {
    let v = ids.get(path);
    if (!v) {
      v = `n${ids.size}`;
      ids.set(path, v);
    }
    return v;
  };
  const label = (s: string) => s.replace(/"/g, "'");
  const lines = ['flowchart LR'];
  const shown = keys.slice(0, MAX_KEYS_IN_DIAGRAM);
  const customer = shown.filter((k) => k.custody === 'CUSTOMER_EXTERNAL' || k.custody === 'CUSTOMER_IMPORT');
  const provider = shown.filter((k) => !customer.includes(k));
  const node = (k: KeyReport) => `  ${id(k.path)}["${label(k.path.split('/').slice(1).join('/') || k.path)}<br/>${k.construct} · ${k.model} · ${k.profile}"]`;
  if (provider.length > 0) lines.push('  subgraph provider["provider custody boundary"]', ...provider.map(node), '  end');
  if (customer.length > 0) lines.push('  subgraph customer["customer custody boundary"]', ...customer.map(node), '  end');
  const roles = new Set<string>();
  for (const k of shown) {
    if (k.parent) {
      const container = ledger.containers.find((c) => c.path === k.parent);
      lines.push(`  ${id(k.parent)}[("${label(container ? `${container.kind}: ${k.parent}` : k.parent)}")] --> ${id(k.path)}`);
    }
    if (k.auditSink) lines.push(`  ${id(k.path)} -. events .-> ${id(k.auditSink)}[/"audit sink: ${label(k.auditSink)}"/]`);
    for (const c of k.custodians) {
      if (c.role === CustodianRole.DEPLOYER) continue;
      const r = `${c.role}:${c.identity}`;
      if (!roles.has(r)) {
        lines.push(`  ${id(r)}(["${c.role.toLowerCase()}: ${label(shortIdentity(c.identity))}"])`);
        roles.add(r);
      }
      lines.push(`  ${id(r)} --- ${id(k.path)}`);
    }
  }
  if (keys.length > shown.length) lines.push(`  more["… and ${keys.length - shown.length} more keys of ${label(stack)}"]`);
  return [...new Set(lines)].join('\n');
}

function shortIdentity(identity: string): string {
  const s = identity.replace(/^AWS:/, '');
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** The report as Markdown: a summary, then per stack a diagram and per key the control table. */
export function renderMarkdown(data: ComplianceReportData): string {
  const out: string[] = ['# Compliance report', ''];
  const s = data.summary;
  out.push(`${s.keys} keys; ${s.requiredControls} required controls: ${s.satisfied} satisfied, ${s.partiallySatisfied ?? 0} partially satisfied, ` +
    `${s.notApplicable} not applicable, ${s.acknowledged} acknowledged, ${s.unmet.length} unmet.`, '');
  if (s.accessMatrix && !s.accessMatrix.computed && s.accessMatrix.note !== 'no AWS keys') out.push(`Access matrix: ${s.accessMatrix.note}`, '');
  for (const stack of data.stacks) {
    out.push(`## ${stack.name} (${stack.cloud})`, '', '```mermaid', stack.diagram, '```', '');
    for (const key of stack.keys) {
      out.push(`### ${key.path}`, '');
      out.push(`${key.construct}, ${key.model} (custody ${key.custody}), profile ${key.profile}, FIPS 140 ${key.fipsLevel.replace('LEVEL_', 'Level ')}` +
        `${key.auditSink ? `, audit sink ${key.auditSink}` : ''}.`, '');
      if (key.controls.length === 0) {
        out.push(`Profile ${key.profile} requires no controls.`, '');
      } else {
        out.push('| control | status | evidence |', '|---|---|---|');
        for (const c of key.controls) {
          const ev = c.evidence.map((e) => `${e.resource}: ${e.setting} = ${e.value}`).join('; ').replace(/\|/g, '\\|') || 'none';
          out.push(`| ${c.id} ${c.title} | ${c.status}${c.acknowledged ? ` (acknowledged: ${c.acknowledged})` : ''} | ${ev} |`);
        }
        out.push('');
      }
      if (key.acknowledgements.length > 0) {
        out.push('Acknowledged exceptions:', '', ...key.acknowledgements.map((a) => `- ${a.rule} on ${a.resource}: ${a.reason}`), '');
      }
      if (key.accessMatrix) out.push(...renderAccessMatrix(key.accessMatrix));
    }
    for (const k of stack.supportingKeys ?? []) {
      out.push(`### ${k.path}`, '', `Supporting key: ${k.purpose}. No compliance profile applies to it; its access matrix shows who can use it.`, '');
      out.push(...renderAccessMatrix(k.accessMatrix));
    }
  }
  return out.join('\n');
}

const escapeCell = (s: string) => s.replace(/\|/g, '\\|');

/** The access matrix of one key as Markdown. */
export function renderAccessMatrix(m: AccessMatrix): string[] {
  const out = ['#### Access matrix', ''];
  if (!m.computed) {
    out.push(`Not computed: ${m.reason ?? NOT_COMPUTED_REASON}`, '');
    return out;
  }
  if (m.sameAs) {
    out.push(`The same as for ${m.sameAs} (evaluated with ${m.evaluator}): every principal and cell is identical.`, '');
    return out;
  }
  out.push(`Evaluated with ${m.evaluator}${m.gateName ? '' : ' over the synthesized key policy'}. Assumed: ${m.assumptions.join('; ')}.`, '');
  out.push(`| principal | role | ${m.classes.join(' | ')} |`, `|---|---|${m.classes.map(() => '---').join('|')}|`);
  for (const r of m.rows) {
    const cells = m.classes.map((cls) => {
      const c = r.access[cls] ?? { access: Access.DENIED };
      return c.conditions && c.access !== Access.DENIED ? `${c.access} (${c.conditions.join(', ')})` : c.access;
    });
    out.push(`| ${escapeCell(r.principal)} | ${r.role} | ${cells.map(escapeCell).join(' | ')} |`);
  }
  out.push('');
  const who = `Principals who alone can reach cryptographic use, directly or ${detours(m)} (other than the key's users)`;
  out.push(m.aloneReachUse.length === 0 ? `${who}: none.` : `${who}:`, '');
  for (const p of m.aloneReachUse) out.push(`- ${p.principal} (${p.role}): ${p.via.join(', ')}`);
  if (m.aloneReachUse.length > 0) out.push('');
  if (m.aloneReachUseTarget) {
    out.push(`Target under the key's profile: ${m.aloneReachUseTarget.expected}: ${m.aloneReachUseTarget.met ? 'met' : '**not met**'}.`, '');
  }
  const gate = m.gateName ? (m.dualControlGate ? `operations dual control must hold need ${m.gateName}` : `no ${m.gateName}`)
    : m.dualControlGate ? 'a dual-control gate executor is named in the key policy' : 'no dual-control gate executor is named in the key policy';
  out.push(`Dual control: ${gate}; ` +
    (m.singlePersonDualControl.length === 0 ? 'nobody else can alone perform an operation dual control must hold.'
      : `one principal alone can perform operations dual control must hold: ${describePaths(m.singlePersonDualControl)}.`), '');
  return out;
}

/** The detours to cryptographic use a matrix considers: AWS's through the key policy, Azure's and Google's through access. */
function detours(m: AccessMatrix): string {
  return m.gateName ? 'by changing who has access (role assignments, IAM bindings) or, on Azure, restoring a backup elsewhere'
    : 'by changing the policy, replicating the key or re-pointing an alias';
}

/** Writes `compliance-report.json` and `compliance-report.md` into `outdir`. */
export function writeReport(data: ComplianceReportData, outdir: string): { json: string; markdown: string } {
  mkdirSync(outdir, { recursive: true });
  const json = join(outdir, 'compliance-report.json');
  const markdown = join(outdir, 'compliance-report.md');
  writeFileSync(json, JSON.stringify(data, null, 2));
  writeFileSync(markdown, renderMarkdown(data));
  return { json, markdown };
}

const ATTACHED = new WeakSet<IConstruct>();

/**
 * Writes the compliance report at synthesis of the app `scope` belongs to (an aws-cdk-lib App or a cdktf App), into its
 * output directory, and fails synthesis when a required control is unmet and not acknowledged. Runs once per app, as a
 * validation of the top-level stack that holds `scope` (cdktf validates stacks, not the app).
 */
export function attachReport(scope: IConstruct): void {
  const root = scope.node.root;
  if (ATTACHED.has(root)) return;
  const stack = scope.node.scopes[1];
  if (!stack) return;
  ATTACHED.add(root);
  stack.node.addValidation({
    validate: () => {
      const outdir = (root as unknown as { outdir?: string }).outdir;
      const data = buildReport(EvidenceLedger.of(root));
      if (outdir) writeReport(data, outdir);
      return data.summary.unmet.map((u) =>
        `required control ${u.control} is ${u.status ?? ControlStatus.NOT_SATISFIED} for key ${u.key}: fix the setting compliance-report.md ` +
        'shows, or accept it with ComplianceReport.acknowledgeControl(scope, control, reason)');
    },
  });
}

/**
 * Accepts, with a reason an auditor will read, that a required control is not satisfied for the keys under `scope`.
 */
export function acknowledgeControl(scope: IConstruct, control: Control, reason: string): void {
  if (!reason || reason.trim().length < 10) throw new Error(`reason must explain the exception in at least 10 characters, got '${reason}'`);
  EvidenceLedger.of(scope).acknowledge({ subject: scope.node.path, resource: scope.node.path, rule: controlRule(control), reason });
}
