import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { gunzipSync, gzipSync } from 'zlib';
import { enforcementView } from './private/report-enforcement';
import { postQuantumHtml } from './private/report-pq';
import { residencyHtml } from './private/report-residency';
import { custodianSummary, evidenceIndex, evidenceSentence, principalName, SharedEvidence, summaryLine } from './private/report-text';
import type { ComplianceReportData, ControlReport, KeyReport } from './report-data';
import { ControlStatus } from './report-data';
import type { AccessMatrix } from '../core/access-policy';
import { Access } from '../core/access-policy';
import { CustodianRole } from '../core/custodians';

/**
 * Mermaid's browser build, copied from the mermaid package into the package's assets at build time (the `bundle:report`
 * task): mermaid is a development dependency, so an installed package finds the script only there.
 */
export const MERMAID_ASSET = join(__dirname, '..', '..', 'assets', 'report', 'mermaid.min.js');

/** Mermaid's browser build, or undefined when the asset is missing (a build that skipped `bundle:report`). */
export function loadMermaid(path = MERMAID_ASSET): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

let packed: { readonly source: string; readonly base64: string } | undefined;

/** The build also ships the script gzipped (`bundle:report`), so that no synthesis pays for compressing it. */
export const MERMAID_GZ_ASSET = `${MERMAID_ASSET}.gz`;

/**
 * The script gzipped, as base64: 2.1 MB instead of 5.5 MB in every report (tests and apps synthesize often). The
 * build's gzipped copy is used when it holds exactly this script (about 0.2 CPU-seconds saved in every process that
 * writes a report, a fresh one per `cdk synth`); otherwise it is compressed here, once per process.
 */
function packScript(source: string): string {
  if (packed?.source !== source) packed = { source, base64: prepacked(source) ?? gzipSync(source, { level: 9 }).toString('base64') };
  return packed.base64;
}

function prepacked(source: string): string | undefined {
  if (!existsSync(MERMAID_GZ_ASSET)) return undefined;
  const gz = readFileSync(MERMAID_GZ_ASSET);
  return gunzipSync(gz).toString('utf8') === source ? gz.toString('base64') : undefined;
}

/** Text for HTML element content and attribute values: every interpolated string goes through this. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1200px;padding:1em 2em;color:#1b1f24}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:2px solid #d0d7de;padding-bottom:.2em}h3{margin-top:1.6em}h4{margin:1em 0 .4em}
table{border-collapse:collapse;margin:.5em 0 1em;width:100%}th,td{border:1px solid #d0d7de;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.ok{color:#1a7f37}td.bad{color:#cf222e;font-weight:600}td.ack{color:#9a6700;font-weight:600}
td.denied{color:#57606a}td.allowed{background:#fff8c5}td.gated{background:#ddf4ff}
.note{background:#fff8c5;border:1px solid #d4a72c;padding:.5em 1em}.muted{color:#57606a}
pre{background:#f6f8fa;padding:.8em;overflow:auto}pre.mermaid{background:none}ul.evidence{list-style:none;padding-left:1em}ul.evidence li{margin:.2em 0}
nav a{margin-right:1em}
`;

/** report.ts imports this file, so nothing of report.ts is read while this module loads (the values of ControlStatus). */
const STATUS_CLASS: Record<string, string> = {
  'satisfied': 'ok',
  'not applicable': 'ok',
  'partially satisfied': 'bad',
  'not satisfied': 'bad',
};

function anchor(kind: string, path: string): string {
  return `${kind}-${path.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

function controlRow(c: ControlReport, refs: string[], keyId: string, stackId: string): string {
  const cls = c.acknowledged ? 'ack' : STATUS_CLASS[c.status] ?? '';
  const status = c.acknowledged ? `${c.status}, acknowledged: ${c.acknowledged}` : c.status;
  const ev = refs.map((r) => `<a href="#${r.startsWith('S') ? stackId : keyId}-${r.toLowerCase()}">${r}</a>`).join(', ') || 'none';
  return `<tr><td>${escapeHtml(c.id)} ${escapeHtml(c.title)}</td><td class="${cls}">${escapeHtml(status)}</td><td>${ev}</td></tr>`;
}

function accessClass(access: string): string {
  if (access === Access.DENIED) return 'denied';
  if (access === Access.ALLOWED) return 'allowed';
  return 'gated';
}

/** One key's access matrix as HTML. */
export function renderAccessMatrixHtml(m: AccessMatrix): string {
  const out: string[] = ['<h4>Access matrix</h4>'];
  if (!m.computed) return `${out[0]}<p class="note">Not computed: ${escapeHtml(m.reason ?? '')}</p>`;
  if (m.sameAs) {
    return `${out[0]}<p>The same as for <a href="#${anchor('key', m.sameAs)}">${escapeHtml(m.sameAs)}</a> ` +
      `(evaluated with ${escapeHtml(m.evaluator ?? '')}): every principal and cell is identical.</p>`;
  }
  out.push(`<p class="muted">Evaluated with ${escapeHtml(m.evaluator ?? '')}. Assumed: ${escapeHtml(m.assumptions.join('; '))}.</p>`);
  out.push(`<table><thead><tr><th>principal</th><th>role</th>${m.classes.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead><tbody>`);
  for (const r of m.rows) {
    const cells = m.classes.map((cls) => {
      const c = r.access[cls] ?? { access: Access.DENIED };
      const text = c.conditions && c.access !== Access.DENIED ? `${c.access} (${c.conditions.join(', ')})` : c.access;
      return `<td class="${accessClass(c.access)}">${escapeHtml(text)}</td>`;
    });
    out.push(`<tr><td title="${escapeHtml(r.principal)}">${escapeHtml(principalName(r.principal))}</td><td>${escapeHtml(r.role)}</td>${cells.join('')}</tr>`);
  }
  out.push('</tbody></table>');
  const paths = (list: AccessMatrix['aloneReachUse']) =>
    `<ul>${list.map((p) => `<li>${escapeHtml(principalName(p.principal))} (${escapeHtml(p.role)}): ${escapeHtml(p.via.join(', '))}</li>`).join('')}</ul>`;
  out.push(`<p>Principals other than the key's users who alone can reach cryptographic use: ${m.aloneReachUse.length === 0 ? 'none.' : ''}</p>`);
  if (m.aloneReachUse.length > 0) out.push(paths(m.aloneReachUse));
  if (m.aloneReachUseTarget) {
    out.push(`<p>Target under the key's profile: ${escapeHtml(m.aloneReachUseTarget.expected)}: ` +
      `${m.aloneReachUseTarget.met ? 'met' : '<strong>not met</strong>'}.</p>`);
  }
  out.push(`<p>Dual control: ${m.singlePersonDualControl.length === 0 ? 'nobody can alone perform an operation dual control must hold' +
    `${m.dualControlGate ? ' outside the gate' : ''}.` : 'one principal alone can perform operations dual control must hold:'}</p>`);
  if (m.singlePersonDualControl.length > 0) out.push(paths(m.singlePersonDualControl));
  return out.join('\n');
}

function keySection(key: KeyReport, shared: SharedEvidence, stackId: string): string {
  const id = anchor('key', key.path);
  const out: string[] = [`<section id="${id}"><h3>${escapeHtml(key.path)}</h3>`];
  out.push(`<p>${escapeHtml(`${key.construct}, ${key.model} (custody ${key.custody}), profile ${key.profile}, ` +
    `FIPS 140 ${key.fipsLevel.replace('LEVEL_', 'Level ')}${key.auditSink ? `, audit sink ${key.auditSink}` : ''}.`)}</p>`);
  const custodians = key.custodians.filter((c) => c.role !== CustodianRole.DEPLOYER);
  if (custodians.length > 0) out.push(`<p>Custodians: ${escapeHtml(custodianSummary(custodians))}.</p>`);
  if (key.controls.length === 0) {
    out.push(`<p>Profile ${escapeHtml(key.profile)} requires no controls.</p>`);
  } else {
    const { items, refs } = evidenceIndex(key, shared);
    out.push('<table><thead><tr><th>control</th><th>status</th><th>evidence</th></tr></thead><tbody>');
    for (const c of key.controls) out.push(controlRow(c, refs.get(c)!, id, stackId));
    out.push('</tbody></table>');
    if (items.length > 0) {
      out.push('<ul class="evidence">', ...items.map((e, i) => `<li id="${id}-e${i + 1}">E${i + 1}: ${escapeHtml(evidenceSentence(e, key.path).replace(/\*\*/g, ''))}</li>`), '</ul>');
    }
  }
  if (key.accessMatrix) out.push(renderAccessMatrixHtml(key.accessMatrix));
  out.push('</section>');
  return out.join('\n');
}

/** The guardrails and each control's enforcement beyond the template (issue 18), where the report records them. */
function enforcementHtml(data: ComplianceReportData): string[] {
  const view = enforcementView(data);
  if (!view) return [];
  const out = [`<section id="enforcement"><h2>${escapeHtml(view.heading)}</h2>`, `<p>${escapeHtml(view.intro)}</p>`];
  for (const t of view.tables) {
    out.push(`<h4>${escapeHtml(t.title)}</h4>`, `<table><thead><tr>${t.head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>`,
      ...t.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`), '</tbody></table>');
  }
  out.push('</section>');
  return out;
}

/**
 * The report as one self-contained HTML page: a summary, per stack its diagram (rendered by the inlined Mermaid script,
 * or shown as Mermaid source with a note when the script is not available), its accepted findings, and per key the
 * controls, evidence and access matrix. Loads nothing from the network: a content security policy forbids it.
 */
export function renderHtml(data: ComplianceReportData, mermaidJs: string | undefined): string {
  const s = data.summary;
  const body: string[] = ['<h1>Compliance report</h1>'];
  body.push(`<p>${escapeHtml(summaryLine(s))} Every period is in days.</p>`);
  if (s.unmet.length > 0) {
    body.push('<p class="note">Unmet required controls (synthesis fails on these):</p><ul>',
      ...s.unmet.map((u) => `<li>${escapeHtml(u.key)}: ${escapeHtml(u.control)} (${escapeHtml(u.status)})</li>`), '</ul>');
  }
  if (s.accessMatrix && !s.accessMatrix.computed && s.accessMatrix.note !== 'no AWS keys') {
    body.push(`<p class="note">Access matrix: ${escapeHtml(s.accessMatrix.note ?? '')}</p>`);
  }
  if (!mermaidJs) {
    body.push('<p class="note" id="no-renderer">The diagrams are shown as Mermaid source: the renderer (assets/report/mermaid.min.js) is ' +
      'missing from this installation of cloud-kms-constructs. Paste a diagram into any Mermaid viewer to draw it.</p>');
  }
  body.push('<table><thead><tr><th>stack</th><th>cloud</th><th>keys</th><th>required controls</th><th>not fully satisfied</th></tr></thead><tbody>');
  for (const stack of data.stacks) {
    const controls = stack.keys.flatMap((k) => k.controls);
    const open = controls.filter((c) => c.status === ControlStatus.NOT_SATISFIED || c.status === ControlStatus.PARTIALLY_SATISFIED);
    const acked = open.filter((c) => c.acknowledged).length;
    body.push(`<tr><td><a href="#${anchor('stack', stack.name)}">${escapeHtml(stack.name)}</a></td><td>${escapeHtml(stack.cloud)}</td>` +
      `<td>${stack.keys.length}</td><td>${controls.length}</td><td>${open.length === 0 ? 'none' : `${open.length}${acked ? ` (${acked} acknowledged)` : ''}`}</td></tr>`);
  }
  body.push('</tbody></table>');
  body.push(...enforcementHtml(data), ...postQuantumHtml(data, escapeHtml));
  body.push(...residencyHtml(data, escapeHtml));
  for (const stack of data.stacks) {
    body.push(`<section id="${anchor('stack', stack.name)}"><h2>${escapeHtml(stack.name)} <span class="muted">(${escapeHtml(stack.cloud)})</span></h2>`);
    body.push(`<pre class="${mermaidJs ? 'mermaid' : 'mermaid-source'}">${escapeHtml(stack.diagram)}</pre>`);
    if ((stack.acknowledgements ?? []).length > 0) {
      body.push('<h4>Accepted findings (for every key of this stack)</h4><ul>',
        ...stack.acknowledgements.map((a) => `<li>${escapeHtml(a.resource)}: ${escapeHtml(a.rules.join(', '))}. Reason: ${escapeHtml(a.reason)}</li>`), '</ul>');
    }
    const stackId = anchor('stack', stack.name);
    const shared = new SharedEvidence();
    const sections = stack.keys.map((key) => keySection(key, shared, stackId));
    if (shared.items.length > 0) {
      body.push('<h4>Evidence the keys of this stack share (their audit sink, vault or key ring)</h4><ul class="evidence">',
        ...shared.items.map((e, i) => `<li id="${stackId}-s${i + 1}">S${i + 1}: ${escapeHtml(evidenceSentence(e, '').replace(/\*\*/g, ''))}</li>`), '</ul>');
    }
    body.push(...sections);
    for (const k of stack.supportingKeys ?? []) {
      body.push(`<section id="${anchor('key', k.path)}"><h3>${escapeHtml(k.path)}</h3><p>Supporting key: ${escapeHtml(k.purpose)}. ` +
        'No compliance profile applies to it; its access matrix shows who can use it.</p>', renderAccessMatrixHtml(k.accessMatrix), '</section>');
    }
    body.push('</section>');
  }
  // The script travels gzipped in an inert script element (base64 has no '<', so nothing can end it early); the page
  // inflates it with the browser's DecompressionStream, runs it, then renders every diagram.
  const script = mermaidJs ? `<script type="application/gzip-base64" id="mermaid-gz">${packScript(mermaidJs)}</script>
<script>
(async () => {
  try {
    const packed = document.getElementById('mermaid-gz').textContent.trim();
    const bytes = Uint8Array.from(atob(packed), (c) => c.charCodeAt(0));
    const source = await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
    const run = document.createElement('script');
    run.textContent = source;
    document.head.appendChild(run);
    mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
    await mermaid.run({ querySelector: 'pre.mermaid' });
    document.body.dataset.diagrams = 'rendered';
  } catch (e) {
    document.body.dataset.diagrams = 'failed';
    console.error(e);
  }
})();
</script>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Compliance report</title><style>${STYLE}</style></head>
<body>
${body.join('\n')}
${script}
</body></html>
`;
}
