import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { IConstruct } from 'constructs';
import { buildCbom, writeCbom } from './cbom';
import { evaluateAccess, withoutRepeats } from './private/access-evidence';
import { addAcknowledgements, keyReport, rootStack } from './private/key-report';
import { diagram } from './private/report-diagram';
import { controlEnforcement, guardrailReports } from './private/report-enforcement';
import { renderMarkdown } from './private/report-markdown';
import { postQuantumReadiness } from './private/report-pq';
import { residencyReport } from './private/report-residency';
import {
  AcknowledgementReport, ComplianceReportData, controlRule, ControlStatus, KeyReport, RuleReport, StackReport, SupportingKeyReport,
} from './report-data';
import { loadMermaid, renderHtml } from './report-html';
import { RULES } from './rules/registry';
import type { AccessMatrix } from '../core/access-policy';
import { Control } from '../core/controls';
import { EvidenceLedger } from '../core/evidence';
import { requireDefined, shown as shownValue, ValidationError } from '../core/validation';

export * from './report-data';
export { controlEnforcement } from './private/report-enforcement';
export { renderAccessMatrix, renderMarkdown } from './private/report-markdown';
export { mergePostQuantum, postQuantumReadiness } from './private/report-pq';
export type { PostQuantumCloudReport, PostQuantumMigration, PostQuantumReadinessReport } from './private/report-pq';
export { custodianSummary, evidenceIndex, evidenceSentence, inDays, principalName, resolveIdentity, SharedEvidence, summaryLine } from './private/report-text';

/** A construct argument from an untyped caller: anything with a construct node, or a clear error naming it. */
export function requireConstruct(prop: string, scope: unknown): void {
  if (typeof (scope as IConstruct | undefined)?.node?.path !== 'string') {
    throw new ValidationError(`${prop} must be a construct, got ${shownValue(scope)}`);
  }
}

type MutableStack = StackReport & { keys: KeyReport[]; supportingKeys: SupportingKeyReport[]; acknowledgements: AcknowledgementReport[] };
type Counts = { required: number; satisfied: number; partiallySatisfied: number; notApplicable: number; acknowledged: number; unmet: ComplianceReportData['summary']['unmet'][number][] };

/** Builds the report from an app's evidence ledger. */
export function buildReport(ledger: EvidenceLedger): ComplianceReportData {
  const matrices = withoutRepeats(evaluateAccess(ledger));
  const counts: Counts = { required: 0, satisfied: 0, partiallySatisfied: 0, notApplicable: 0, acknowledged: 0, unmet: [] };
  const stacks = stackReports(ledger, matrices, counts);
  const guardrails = guardrailReports(ledger.guardrails);
  return {
    generator: 'cloud-kms-constructs',
    stacks,
    summary: {
      keys: ledger.keys.length,
      requiredControls: counts.required,
      satisfied: counts.satisfied,
      partiallySatisfied: counts.partiallySatisfied,
      notApplicable: counts.notApplicable,
      acknowledged: counts.acknowledged,
      unmet: counts.unmet,
      accessMatrix: matrices.size === 0 ? { computed: false, note: 'no AWS keys' }
        : [...matrices.values()].every((m) => m.computed) ? { computed: true }
          : { computed: false, note: [...matrices.values()].find((m) => !m.computed)!.reason },
    },
    rules: ruleReports([...stacks.map((s) => s.cloud), ...guardrails.map((g) => g.cloud)]),
    guardrails,
    enforcement: controlEnforcement(stacks, guardrails),
    postQuantum: postQuantumReadiness(ledger.keys),
    residency: residencyReport(ledger),
  };
}

/** The stacks with their keys (counted into `counts`), supporting keys, acknowledgements and diagram, in the ledger's order. */
function stackReports(ledger: EvidenceLedger, matrices: Map<string, AccessMatrix>, counts: Counts): StackReport[] {
  const bySubject = groupBySubject(ledger.evidence());
  const acksBySubject = groupBySubject(ledger.acknowledgements());
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
  for (const key of ledger.keys) {
    const { report, acknowledgements } = keyReport(ledger, key, bySubject, acksBySubject, matrices.get(key.path));
    count(counts, report);
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
  return [...stacks.values()].map((s) => ({ ...s, diagram: diagram(ledger, s.name, s.keys) }));
}

function groupBySubject<T extends { subject: string }>(items: T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const list = out.get(item.subject);
    if (list) list.push(item);
    else out.set(item.subject, [item]);
  }
  return out;
}

function count(counts: Counts, key: KeyReport): void {
  for (const c of key.controls) {
    counts.required++;
    if (c.status === ControlStatus.SATISFIED) counts.satisfied++;
    else if (c.status === ControlStatus.NOT_APPLICABLE) counts.notApplicable++;
    else if (c.acknowledged) counts.acknowledged++;
    else counts.unmet.push({ key: key.path, control: c.id, status: c.status });
    if (c.status === ControlStatus.PARTIALLY_SATISFIED) counts.partiallySatisfied++;
  }
}

/** The registry's rules for the clouds of the report (`RULES.<cloud>`), each with the controls it evidences. */
function ruleReports(clouds: string[]): RuleReport[] {
  return Object.entries(RULES).filter(([cloud]) => clouds.includes(cloud))
    .flatMap(([cloud, rules]) => rules.map((r) => ({ id: r.id, cloud, description: r.description, controls: r.controls.map((c) => c.id) })));
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
      const ledger = EvidenceLedger.of(root);
      const data = buildReport(ledger);
      if (outdir) {
        writeReport(data, outdir);
        writeCbom(buildCbom([ledger]), outdir);
      }
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
