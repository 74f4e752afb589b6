import { enforcementView } from './report-enforcement';
import { postQuantumMarkdown } from './report-pq';
import { residencyMarkdown } from './report-residency';
import { custodianSummary, detours, evidenceIndex, evidenceSentence, principalName, SharedEvidence, summaryLine } from './report-text';
import { CustodianRole } from '../../core/custodians';
import type { AccessMatrix } from '../access-matrix';
import { Access, NOT_COMPUTED_REASON } from '../access-matrix';
import { ComplianceReportData, ControlReport, ControlStatus, KeyReport } from '../report-data';

/** Statuses as the report prints them, with a mark an assessor can scan for. */
function statusText(c: ControlReport): string {
  if (c.status === ControlStatus.SATISFIED) return 'satisfied';
  if (c.status === ControlStatus.NOT_APPLICABLE) return 'not applicable';
  return c.acknowledged ? `**${c.status}**, acknowledged: ${c.acknowledged}` : `**${c.status}**`;
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
  out.push(...enforcementMarkdown(data), ...postQuantumMarkdown(data, escapeCell));
  out.push(...residencyMarkdown(data));
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

/** The guardrails and each control's enforcement beyond the template (issue 18), where the report records them. */
function enforcementMarkdown(data: ComplianceReportData): string[] {
  const view = enforcementView(data);
  if (!view) return [];
  const out = [`## ${view.heading}`, '', view.intro, ''];
  for (const t of view.tables) {
    out.push(`${t.title}:`, '', `| ${t.head.join(' | ')} |`, `|${t.head.map(() => '---|').join('')}`,
      ...t.rows.map((r) => `| ${r.map(escapeCell).join(' | ')} |`), '');
  }
  return out;
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
