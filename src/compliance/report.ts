import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { IConstruct } from 'constructs';
import { Access, AccessMatrix, aloneReachUseTarget, computeAccessMatrix, EscalationPath, loadEvaluator, NOT_COMPUTED_REASON, notComputedMatrix } from './access-matrix';
import { loadMermaid, renderHtml } from './report-html';
import { ROLE_NAMES } from '../core/access-policy';
import { Control } from '../core/controls';
import { CustodianRole } from '../core/custodians';
import { EvidenceEntry, EvidenceLedger, EvidenceStatus, KeyRecord } from '../core/evidence';
import { ACCESS_CONTROLS, DUAL_CONTROL_CONTROLS } from '../core/key-evidence';
import { profileRecord } from '../core/profile-record';
import { requireDefined, shown as shownValue, ValidationError } from '../core/validation';

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
  /** The setting, in the provider's own terms (e.g. `rotation_period`). */
  readonly setting: string;
  /** The setting's value, every period in days (e.g. `90 days`). */
  readonly value: string;
  /** The value as the provider writes it (e.g. `7776000s`), where it differs from `value`. */
  readonly providerValue?: string;
  /** What the setting proves, as a sentence. */
  readonly description: string;
  readonly status: string;
}

/** Who holds a custodian role over a key. */
export interface CustodianReport {
  /** The custodian role (`ADMINISTRATOR`, `USER`, ...). */
  readonly role: string;
  /** The role as the report and the access matrix name it (`administrator`, `user`, ...). */
  readonly roleName: string;
  /** The identity as the cloud names it (an ARN, an object id, an IAM member), CloudFormation references resolved. */
  readonly identity: string;
  /** A short name for the identity (an IAM role's name, a construct path). */
  readonly name: string;
}

/** Findings of other rule packs (cdk-nag, Control Tower) accepted for a resource, with the reason. */
export interface AcknowledgementReport {
  readonly resource: string;
  /** Every rule accepted for the resource with this reason. */
  readonly rules: string[];
  readonly reason: string;
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
  /**
   * The profile's figures as the rules read them (the `cloud-kms-constructs:profile` record AWS keys carry in their
   * metadata), so `cloud-kms check` judges a Terraform key built under a custom profile by that profile.
   */
  readonly profileRecord: Record<string, unknown>;
  readonly fipsLevel: string;
  readonly auditSink?: string;
  readonly parent?: string;
  readonly custodians: CustodianReport[];
  readonly controls: ControlReport[];
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
  /**
   * Findings accepted in the stack (on its keys, their containers and audit sinks), each resource and reason once, with
   * every rule it covers. Accepted required controls are on the control itself (`acknowledged`).
   */
  readonly acknowledgements: AcknowledgementReport[];
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

/** A construct argument from an untyped caller: anything with a construct node, or a clear error naming it. */
export function requireConstruct(prop: string, scope: unknown): void {
  if (typeof (scope as IConstruct | undefined)?.node?.path !== 'string') {
    throw new ValidationError(`${prop} must be a construct, got ${shownValue(scope)}`);
  }
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
  type MutableStack = StackReport & { keys: KeyReport[]; supportingKeys: SupportingKeyReport[]; acknowledgements: AcknowledgementReport[] };
  const stacks = new Map<string, MutableStack>();
  const stackFor = (path: string, cloud: string) => {
    const stackName = rootStack(path);
    let stack = stacks.get(stackName);
    if (!stack) {
      stack = { name: stackName, cloud, keys: [], supportingKeys: [], acknowledgements: [], diagram: '' };
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
    const { report, acknowledgements } = keyReport(ledger, key, bySubject, acksBySubject, matrices.get(key.path));
    for (const c of report.controls) {
      required++;
      if (c.status === ControlStatus.SATISFIED) satisfied++;
      else if (c.status === ControlStatus.NOT_APPLICABLE) notApplicable++;
      else if (c.acknowledged) acknowledged++;
      else unmet.push({ key: key.path, control: c.id, status: c.status });
      if (c.status === ControlStatus.PARTIALLY_SATISFIED) partiallySatisfied++;
    }
    const stack = stackFor(key.stack, key.cloud);
    stack.keys.push(report);
    // The keys of a stack share their audit sink (and often a vault): its acknowledgements are listed once, not per key.
    addAcknowledgements(stack.acknowledgements, acknowledgements);
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
  acksBySubject: Map<string, { rule: string; resource: string; reason: string }[]>, accessMatrix?: AccessMatrix,
): { report: KeyReport; acknowledgements: { rule: string; resource: string; reason: string }[] } {
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
      evidence: evidence.map((e) => {
        const value = inDays(e.setting, e.value);
        return {
          resource: e.resource,
          setting: e.setting,
          value,
          ...(value === e.value ? {} : { providerValue: e.value }),
          description: inDays('', e.description),
          status: e.status,
        };
      }),
    };
  });
  const report: KeyReport = {
    path: key.path,
    stack: key.stack,
    cloud: key.cloud,
    construct: key.constructName,
    model: key.model.id,
    custody: container?.custody ?? key.model.custody,
    profile: key.profile.name,
    profileRecord: profileRecord(key.profile),
    fipsLevel: key.fipsLevel,
    auditSink: key.auditSink,
    parent: key.parent,
    custodians: ledger.custodiansOf(key.path).map((a) => {
      const identity = resolveIdentity(a.label ?? a.identity);
      return { role: a.role, roleName: ROLE_NAMES[a.role] ?? a.role.toLowerCase(), identity, name: principalName(identity) };
    }),
    controls,
    accessMatrix,
  };
  return { report, acknowledgements: acks.filter((a) => !a.rule.startsWith('control:')) };
}

/** Adds acknowledgements to a stack's list, merging the rules accepted for the same resource with the same reason. */
function addAcknowledgements(list: AcknowledgementReport[], acks: { rule: string; resource: string; reason: string }[]): void {
  for (const a of acks) {
    const same = list.find((l) => l.resource === a.resource && l.reason === a.reason);
    if (!same) list.push({ resource: a.resource, rules: [a.rule], reason: a.reason });
    else if (!same.rules.includes(a.rule)) same.rules.push(a.rule);
  }
}

const SECONDS_PER_DAY = 86_400;

/**
 * The same text with every period in days: ISO 8601 day periods (`P365D`), Terraform/Google second durations
 * (`7776000s`), and bare numbers of a setting that holds days or a retention (`RotationPeriodInDays` = `365`, or
 * Google's `retention_period` in seconds).
 */
export function inDays(setting: string, text: string): string {
  const days = (n: number) => `${Number.isInteger(n) ? n : n.toFixed(2)} days`;
  let out = text.replace(/\bP(\d+)D\b/g, (_, d) => days(Number(d)))
    .replace(/\b(\d+)s\b/g, (_, sec) => days(Number(sec) / SECONDS_PER_DAY));
  // A list of settings with a list of values ("PendingWindowInDays, DeletionPolicy" = "30, Retain"): pair them.
  const settings = setting.split(/,\s*/);
  const values = out.split(/,\s*/);
  if (setting && settings.length === values.length) {
    out = values.map((v, i) => {
      if (!/^\d+$/.test(v)) return v;
      if (/retention_period$/.test(settings[i])) return days(Number(v) / SECONDS_PER_DAY);
      return /days|retention/i.test(settings[i]) ? days(Number(v)) : v;
    }).join(', ');
  }
  return out;
}

/**
 * An identity as the cloud names it: a principal that the key policy holds as a CloudFormation expression
 * (`{"AWS":[{"Fn::Sub":"arn:${AWS::Partition}:iam::...:role/..."}]}`) becomes the ARN it resolves to (partition `aws`),
 * or the logical id of the role it refers to.
 */
export function resolveIdentity(identity: string): string {
  if (!identity.startsWith('{')) return identity;
  let parsed: unknown;
  try {
    parsed = JSON.parse(identity);
  } catch {
    return identity;
  }
  const found: string[] = [];
  const visit = (v: unknown): void => {
    if (typeof v === 'string') {found.push(v);} else if (Array.isArray(v)) {v.forEach(visit);} else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o['Fn::Sub'] === 'string') found.push((o['Fn::Sub'] as string).replace(/\$\{AWS::Partition\}/g, 'aws'));
      else if (Array.isArray(o['Fn::GetAtt'])) found.push(`the role ${String((o['Fn::GetAtt'] as unknown[])[0])}`);
      else if (typeof o.Ref === 'string') found.push(`the parameter ${o.Ref}`);
      else Object.values(o).forEach(visit);
    }
  };
  visit(parsed);
  return found.length > 0 ? found.join(', ') : identity;
}

/**
 * A short name for a principal: an IAM role or user by its name (`role/PciKeyAdmins`), an account root as such; other
 * identities (construct paths, Google members, Entra object ids) as they are.
 */
export function principalName(identity: string): string {
  const arn = /^arn:aws[\w-]*:iam::(\d{12}):(.+)$/.exec(identity);
  if (!arn) return identity.replace(/^AWS:/, '');
  if (arn[2] === 'root') return `account ${arn[1]} (root)`;
  const [kind, ...rest] = arn[2].split('/');
  return `${kind}/${rest[rest.length - 1]}`;
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
  const lines = ['flowchart LR'];
  // Nodes and edges are emitted once each. Structural lines (`subgraph`, `end`) are never de-duplicated: removing the
  // second subgraph's `end` made the whole diagram invalid.
  const emitted = new Set<string>();
  const once = (line: string) => {
    if (!emitted.has(line)) {
      emitted.add(line);
      lines.push(line);
    }
  };
  const shown = keys.slice(0, MAX_KEYS_IN_DIAGRAM);
  const customer = shown.filter((k) => k.custody === 'CUSTOMER_EXTERNAL' || k.custody === 'CUSTOMER_IMPORT');
  const provider = shown.filter((k) => !customer.includes(k));
  const node = (k: KeyReport) => `  ${id(k.path)}["${mermaidText(k.path.split('/').slice(1).join('/') || k.path)}<br/>${mermaidText(`${k.construct} · ${k.model} · ${k.profile}`)}"]`;
  if (provider.length > 0) lines.push('  subgraph provider["provider custody boundary"]', ...provider.map(node), '  end');
  if (customer.length > 0) lines.push('  subgraph customer["customer custody boundary"]', ...customer.map(node), '  end');
  for (const k of shown) {
    if (k.parent) {
      const container = ledger.containers.find((c) => c.path === k.parent);
      once(`  ${id(k.parent)}[("${mermaidText(container ? `${container.kind}: ${k.parent}` : k.parent)}")]`);
      once(`  ${id(k.parent)} --> ${id(k.path)}`);
    }
    if (k.auditSink) {
      once(`  ${id(k.auditSink)}[/"audit sink: ${mermaidText(k.auditSink)}"/]`);
      once(`  ${id(k.path)} -. events .-> ${id(k.auditSink)}`);
    }
    for (const c of k.custodians) {
      if (c.role === CustodianRole.DEPLOYER) continue;
      const r = `${c.role}:${c.identity}`;
      once(`  ${id(r)}(["${mermaidText(`${c.roleName}: ${c.name}`)}"])`);
      once(`  ${id(r)} --- ${id(k.path)}`);
    }
  }
  if (keys.length > shown.length) lines.push(`  more["${mermaidText(`… and ${keys.length - shown.length} more keys of ${stack}`)}"]`);
  return lines.join('\n');
}

/**
 * Text inside a quoted Mermaid label: a double quote would end the label, and `<`, `>`, `&` and `#` would be read as
 * markup or entity codes, so each becomes Mermaid's own entity code.
 */
function mermaidText(s: string): string {
  // A line break would end the statement and let the rest of a construct id or reason be read as Mermaid statements.
  return s.replace(/[\r\n]+/g, ' ').replace(/[#"<>&]/g, (ch) => `#${ch.charCodeAt(0)};`);
}

/** Statuses as the report prints them, with a mark an assessor can scan for. */
function statusText(c: ControlReport): string {
  if (c.status === ControlStatus.SATISFIED) return 'satisfied';
  if (c.status === ControlStatus.NOT_APPLICABLE) return 'not applicable';
  return c.acknowledged ? `**${c.status}**, acknowledged: ${c.acknowledged}` : `**${c.status}**`;
}

/** A key's custodians by role: `administrators: role/KeyAdmins; users: role/Orders`. */
export function custodianSummary(custodians: CustodianReport[]): string {
  const byRole = new Map<string, string[]>();
  for (const c of custodians) {
    const list = byRole.get(c.roleName) ?? [];
    if (!list.includes(c.name)) list.push(c.name);
    byRole.set(c.roleName, list);
  }
  return [...byRole].map(([role, names]) => `${plural(role)}: ${names.join(', ')}`).join('; ');
}

function plural(role: string): string {
  return role === 'deployment identity' ? 'deployment identity' : `${role}s`;
}

/**
 * Evidence that several keys of a stack cite (their audit sink's, a shared vault's or key ring's), numbered once for the
 * stack (`S1`, `S2`, ...) so that it is printed once, not under every key.
 */
export class SharedEvidence {
  public readonly items: ControlEvidence[] = [];
  private readonly byId = new Map<string, number>();

  /** The reference of `e` (`S<n>`), numbering it on first sight. */
  public ref(e: ControlEvidence): string {
    const id = evidenceId(e);
    let n = this.byId.get(id);
    if (n === undefined) {
      this.items.push(e);
      n = this.items.length;
      this.byId.set(id, n);
    }
    return `S${n}`;
  }
}

function evidenceId(e: ControlEvidence): string {
  return JSON.stringify([e.resource, e.setting, e.value, e.description, e.status]);
}

/** Whether a piece of evidence is about the key's own resources (rather than its audit sink's or its container's). */
function ownEvidence(e: ControlEvidence, keyPath: string): boolean {
  return e.resource === keyPath || e.resource.startsWith(`${keyPath}/`) || e.setting === 'key inventory';
}

/**
 * A key's evidence, each distinct setting once (several controls cite the same one), numbered in the order the controls
 * cite it (`E1`, `E2`, ...); with `shared`, evidence about resources outside the key is numbered there instead. `refs`
 * gives each control the references of its evidence.
 */
export function evidenceIndex(key: KeyReport, shared?: SharedEvidence): { items: ControlEvidence[]; refs: Map<ControlReport, string[]> } {
  const items: ControlEvidence[] = [];
  const byId = new Map<string, number>();
  const refs = new Map<ControlReport, string[]>();
  for (const c of key.controls) {
    refs.set(c, c.evidence.map((e) => {
      if (shared && !ownEvidence(e, key.path)) return shared.ref(e);
      const id = evidenceId(e);
      let n = byId.get(id);
      if (n === undefined) {
        items.push(e);
        n = items.length;
        byId.set(id, n);
      }
      return `E${n}`;
    }));
  }
  return { items, refs };
}

const EVIDENCE_STATUS: Record<string, string> = {
  [EvidenceStatus.SATISFIED]: 'satisfied',
  [EvidenceStatus.PARTIALLY_SATISFIED]: 'partially satisfied',
  [EvidenceStatus.NOT_SATISFIED]: 'not satisfied',
  [EvidenceStatus.NOT_APPLICABLE]: 'not applicable',
};

/** What a piece of evidence says, then where it is: `deletion waits 30 days ... (Stack/Key/Resource: PendingWindowInDays = 30 days)`. */
export function evidenceSentence(e: ControlEvidence, keyPath: string): string {
  const resource = keyPath && e.resource.startsWith(`${keyPath}/`) ? e.resource.slice(keyPath.length + 1) : e.resource;
  const where = e.setting === 'key inventory' ? 'this report' : `${resource}: ${e.setting} = ${e.value}`;
  const status = e.status === EvidenceStatus.SATISFIED ? '' : ` **${EVIDENCE_STATUS[e.status] ?? e.status}**.`;
  return `${capitalize(e.description)} (${where}).${status}`;
}

function capitalize(s: string): string {
  return s.length === 0 ? s : s[0].toUpperCase() + s.slice(1);
}

/** The matrices' evaluators and assumptions, each distinct one once per report, numbered. */
function matrixAssumptions(data: ComplianceReportData): Map<string, number> {
  const out = new Map<string, number>();
  const add = (m?: AccessMatrix) => {
    if (!m || !m.computed || m.sameAs) return;
    const id = assumptionsId(m);
    if (!out.has(id)) out.set(id, out.size + 1);
  };
  for (const stack of data.stacks) {
    stack.keys.forEach((k) => add(k.accessMatrix));
    (stack.supportingKeys ?? []).forEach((k) => add(k.accessMatrix));
  }
  return out;
}

function assumptionsId(m: AccessMatrix): string {
  return JSON.stringify([m.evaluator, m.gateName ? '' : 'over the synthesized key policy', m.assumptions]);
}

/**
 * The report's first line. The status counts add up to the required controls; acknowledged and unmet split those not
 * fully satisfied (partially or not at all), so they are said apart from the counts, not added to them.
 */
export function summaryLine(s: ComplianceReportData['summary']): string {
  const partial = s.partiallySatisfied ?? 0;
  const notSatisfied = s.requiredControls - s.satisfied - partial - s.notApplicable;
  return `${s.keys} keys; ${s.requiredControls} required controls: ${s.satisfied} satisfied, ${partial} partially satisfied, ` +
    `${notSatisfied} not satisfied, ${s.notApplicable} not applicable. Of the ${partial + notSatisfied} not fully satisfied, ` +
    `${s.acknowledged} acknowledged with a reason and ${s.unmet.length} unmet.`;
}

/** The report as Markdown: a summary, then per stack a diagram, the accepted findings, and per key its controls. */
export function renderMarkdown(data: ComplianceReportData): string {
  const out: string[] = ['# Compliance report', ''];
  const s = data.summary;
  out.push(`${summaryLine(s)} Every period is in days.`, '');
  if (s.unmet.length > 0) {
    out.push('Unmet required controls (synthesis fails on these):', '', ...s.unmet.map((u) => `- ${u.key}: ${u.control} (${u.status})`), '');
  }
  if (s.accessMatrix && !s.accessMatrix.computed && s.accessMatrix.note !== 'no AWS keys') out.push(`Access matrix: ${s.accessMatrix.note}`, '');
  out.push('| stack | cloud | keys | required controls | not fully satisfied |', '|---|---|---|---|---|');
  for (const stack of data.stacks) {
    const controls = stack.keys.flatMap((k) => k.controls);
    const open = controls.filter((c) => c.status === ControlStatus.NOT_SATISFIED || c.status === ControlStatus.PARTIALLY_SATISFIED);
    const acked = open.filter((c) => c.acknowledged).length;
    out.push(`| [${stack.name}](#${anchor(stack.name)}) | ${stack.cloud} | ${stack.keys.length} | ${controls.length} | ` +
      `${open.length === 0 ? 'none' : `${open.length}${acked > 0 ? ` (${acked} acknowledged)` : ''}`} |`);
  }
  out.push('');
  const assumptions = matrixAssumptions(data);
  if (assumptions.size > 0) {
    out.push('How the access matrices were evaluated:', '');
    for (const [id, n] of assumptions) {
      const [evaluator, over, list] = JSON.parse(id) as [string, string, string[]];
      out.push(`- A${n}: ${evaluator}${over ? ` ${over}` : ''}. Assumed: ${list.join('; ')}.`);
    }
    out.push('');
  }
  for (const stack of data.stacks) {
    out.push(`## ${stack.name}`, '', `${stack.cloud === 'aws' ? 'AWS' : stack.cloud === 'azure' ? 'Azure' : stack.cloud === 'gcp' ? 'Google Cloud' : stack.cloud}, ` +
      `${stack.keys.length} key${stack.keys.length === 1 ? '' : 's'}.`, '', '```mermaid', stack.diagram, '```', '');
    if ((stack.acknowledgements ?? []).length > 0) {
      out.push('Accepted findings (for every key of this stack):', '');
      for (const a of stack.acknowledgements) out.push(`- ${a.resource}: ${a.rules.join(', ')}. Reason: ${a.reason}`);
      out.push('');
    }
    const shared = new SharedEvidence();
    const keyBodies = stack.keys.map((key) => keyBody(key, assumptions, shared));
    if (shared.items.length > 0) {
      out.push('Evidence the keys of this stack share (their audit sink, vault or key ring):', '',
        ...shared.items.map((e, i) => `- S${i + 1}: ${evidenceSentence(e, '')}`), '');
    }
    const bodies = new Map<string, string>();
    stack.keys.forEach((key, i) => {
      out.push(`### ${key.path}`, '');
      out.push(`${key.construct}, ${key.model} (custody ${key.custody}), profile ${key.profile}, FIPS 140 ${key.fipsLevel.replace('LEVEL_', 'Level ')}` +
        `${key.auditSink ? `, audit sink ${key.auditSink}` : ''}.`, '');
      const body = keyBodies[i];
      // Tenant keys differ only in their own paths: the second and later say so instead of repeating every line.
      const generic = body.split(key.path).join('\u0000');
      const earlier = bodies.get(generic);
      if (earlier) {
        out.push(`Custodians, controls, evidence and access as for ${earlier}, with this key's own resources.`, '');
        return;
      }
      bodies.set(generic, key.path);
      out.push(body);
    });
    for (const k of stack.supportingKeys ?? []) {
      out.push(`### ${k.path}`, '', `Supporting key: ${k.purpose}. No compliance profile applies to it; its access matrix shows who can use it.`, '');
      out.push(...renderAccessMatrix(k.accessMatrix, assumptions));
    }
  }
  return withoutHtml(out.join('\n'));
}

/**
 * Markdown viewers render inline HTML: outside the diagrams, `<` and `>` in interpolated text (a reason, a title, an
 * evidence sentence such as `/keys/<this key>`) are written as entities, so they show as text and never run.
 */
function withoutHtml(markdown: string): string {
  let inDiagram = false;
  return markdown.split('\n').map((line) => {
    if (line.startsWith('```')) {
      inDiagram = !inDiagram;
      return line;
    }
    return inDiagram ? line : line.replace(/&(?![a-z]+;|#\d+;)/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  }).join('\n');
}

function keyBody(key: KeyReport, assumptions: Map<string, number>, shared: SharedEvidence): string {
  const out: string[] = [];
  const custodians = key.custodians.filter((c) => c.role !== CustodianRole.DEPLOYER);
  if (custodians.length > 0) out.push(`Custodians: ${custodianSummary(custodians)}.`, '');
  if (key.controls.length === 0) {
    out.push(`Profile ${key.profile} requires no controls.`, '');
  } else {
    const { items, refs } = evidenceIndex(key, shared);
    out.push('| control | status | evidence |', '|---|---|---|');
    for (const c of key.controls) {
      const ev = refs.get(c)!.join(', ') || 'none';
      out.push(`| ${escapeCell(`${c.id} ${c.title}`)} | ${escapeCell(statusText(c))} | ${ev} |`);
    }
    out.push('');
    if (items.length > 0) {
      out.push('Evidence:', '', ...items.map((e, i) => `- E${i + 1}: ${evidenceSentence(e, key.path)}`), '');
    }
  }
  if (key.accessMatrix) out.push(...renderAccessMatrix(key.accessMatrix, assumptions));
  return out.join('\n');
}

function anchor(heading: string): string {
  return heading.toLowerCase().replace(/[^a-z0-9 _-]/g, '').replace(/ /g, '-');
}

const escapeCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The access matrix of one key as Markdown; `assumptions` numbers the evaluators' assumptions printed once per report. */
export function renderAccessMatrix(m: AccessMatrix, assumptions?: Map<string, number>): string[] {
  const out = ['#### Access matrix', ''];
  if (!m.computed) {
    out.push(`Not computed: ${m.reason ?? NOT_COMPUTED_REASON}`, '');
    return out;
  }
  if (m.sameAs) {
    out.push(`The same as for ${m.sameAs} (evaluated with ${m.evaluator}): every principal and cell is identical.`, '');
    return out;
  }
  const numbered = assumptions?.get(assumptionsId(m));
  out.push(numbered ? `Evaluated as in A${numbered}.`
    : `Evaluated with ${m.evaluator}${m.gateName ? '' : ' over the synthesized key policy'}. Assumed: ${m.assumptions.join('; ')}.`, '');
  out.push(`| principal | role | ${m.classes.join(' | ')} |`, `|---|---|${m.classes.map(() => '---').join('|')}|`);
  for (const r of m.rows) {
    const cells = m.classes.map((cls) => {
      const c = r.access[cls] ?? { access: Access.DENIED };
      return c.conditions && c.access !== Access.DENIED ? `${c.access} (${c.conditions.join(', ')})` : c.access;
    });
    out.push(`| ${escapeCell(principalName(r.principal))} | ${r.role} | ${cells.map(escapeCell).join(' | ')} |`);
  }
  out.push('');
  const who = `Principals who alone can reach cryptographic use, directly or ${detours(m)} (other than the key's users)`;
  out.push(m.aloneReachUse.length === 0 ? `${who}: none.` : `${who}:`, '');
  for (const p of m.aloneReachUse) out.push(`- ${principalName(p.principal)} (${p.role}): ${p.via.join(', ')}`);
  if (m.aloneReachUse.length > 0) out.push('');
  if (m.aloneReachUseTarget) {
    out.push(`Target under the key's profile: ${m.aloneReachUseTarget.expected}: ${m.aloneReachUseTarget.met ? 'met' : '**not met**'}.`, '');
  }
  const gate = m.gateName ? (m.dualControlGate ? `operations dual control must hold need ${m.gateName}` : `no ${m.gateName}`)
    : m.dualControlGate ? 'a dual-control gate executor is named in the key policy' : 'no dual-control gate executor is named in the key policy';
  if (m.singlePersonDualControl.length === 0) {
    out.push(`Dual control: ${gate}; nobody else can alone perform an operation dual control must hold.`, '');
  } else {
    out.push(`Dual control: ${gate}; one principal alone can perform operations dual control must hold:`, '');
    for (const p of m.singlePersonDualControl) out.push(`- ${principalName(p.principal)} (${p.role}): ${p.via.join(', ')}`);
    out.push('');
  }
  return out;
}

/** The detours to cryptographic use a matrix considers: AWS's through the key policy, Azure's and Google's through access. */
function detours(m: AccessMatrix): string {
  return m.gateName ? 'by changing who has access (role assignments, IAM bindings) or, on Azure, restoring a backup elsewhere'
    : 'by changing the policy, replicating the key or re-pointing an alias';
}

/**
 * Writes `compliance-report.json`, `compliance-report.md` and `compliance-report.html` into `outdir`. The HTML page
 * inlines Mermaid's browser build from the package's assets; without it, it shows the diagrams as source, with a note.
 */
export function writeReport(data: ComplianceReportData, outdir: string): { json: string; markdown: string; html: string } {
  if (typeof requireDefined('outdir', outdir) !== 'string' || outdir.trim() === '') {
    throw new ValidationError(`outdir must be a directory path, got ${shownValue(outdir)}`);
  }
  mkdirSync(outdir, { recursive: true });
  const json = join(outdir, 'compliance-report.json');
  const markdown = join(outdir, 'compliance-report.md');
  const html = join(outdir, 'compliance-report.html');
  writeFileSync(json, JSON.stringify(data, null, 2));
  writeFileSync(markdown, renderMarkdown(data));
  writeFileSync(html, renderHtml(data, loadMermaid()));
  return { json, markdown, html };
}

const ATTACHED = new WeakSet<IConstruct>();

/**
 * Writes the compliance report at synthesis of the app `scope` belongs to (an aws-cdk-lib App or a cdktf App), into its
 * output directory, and fails synthesis when a required control is unmet and not acknowledged. Runs once per app, as a
 * validation of the top-level stack that holds `scope` (cdktf validates stacks, not the app). Returns false, attaching
 * nothing, when `scope` is the app itself (it has no stack yet): the ledger tries again with its next construct.
 */
export function attachReport(scope: IConstruct): boolean {
  const root = scope.node.root;
  if (ATTACHED.has(root)) return true;
  const stack = scope.node.scopes[1];
  // The app itself: the caller tries again with a construct inside a stack.
  if (!stack) return false;
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
  return true;
}

/**
 * Accepts, with a reason an auditor will read, that a required control is not satisfied for the keys under `scope`.
 */
export function acknowledgeControl(scope: IConstruct, control: Control, reason: string): void {
  // JavaScript and jsii callers can send anything: each argument is named, never a TypeError from the ledger.
  requireConstruct('scope', scope);
  if (!(control instanceof Control)) throw new ValidationError(`control must be a Control (e.g. Control.NIST_SC_12), got ${shownValue(control)}`);
  if (typeof reason !== 'string' || reason.trim().length < 10) {
    throw new ValidationError(`reason must explain the exception in at least 10 characters, got ${typeof reason === 'string' ? `'${reason}'` : shownValue(reason)}`);
  }
  EvidenceLedger.of(scope).acknowledge({ subject: scope.node.path, resource: scope.node.path, rule: controlRule(control), reason });
}
