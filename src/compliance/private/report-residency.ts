/*
 * The report's "Data residency" part: where each key, key container and audit store is, and whether its profile allows
 * it there (NIST SP 800-53 SA-9(5)). Shown only when a profile restricts regions, so every other report is unchanged.
 */
import { Control } from '../../core/controls';
import { EvidenceLedger, EvidenceStatus } from '../../core/evidence';
import type { ComplianceReportData, ResidencyPlacement, ResidencyReport } from '../report-data';

// An unresolved token of aws-cdk-lib (`${Token[AWS.Region.9]}`) or cdktf (`${TfToken[TOKEN.3]}`): a region only known at deployment.
const TOKEN = /\$\{(Tf)?Token\[/;
const shownRegion = (r: string) => (TOKEN.test(r) ? '(chosen at deployment)' : r);

const STATUS: Record<string, string> = {
  [EvidenceStatus.SATISFIED]: 'allowed',
  [EvidenceStatus.PARTIALLY_SATISFIED]: 'partially shown',
  [EvidenceStatus.NOT_SATISFIED]: 'outside',
};

/** The residency part of the report, or undefined when no profile of the app restricts regions. */
export function residencyReport(ledger: EvidenceLedger): ResidencyReport | undefined {
  const restricting = new Map(ledger.keys.filter((k) => k.profile.restrictsRegions).map((k) => [k.profile.name, k.profile.allowedRegions]));
  const evidence = ledger.evidenceFor(Control.NIST_SA_9_5);
  if (restricting.size === 0 && evidence.length === 0) return undefined;
  const verdict = (path: string) => {
    const e = evidence.find((x) => x.subject === path);
    return e ? { status: STATUS[e.status] ?? e.status.toLowerCase(), description: e.description } : { status: 'not restricted' };
  };
  const placement = (kind: string, r: { path: string; cloud: string; regions?: string[] }, profile?: string): ResidencyPlacement => ({
    path: r.path, kind, cloud: r.cloud, profile, regions: (r.regions ?? []).map(shownRegion), ...verdict(r.path),
  });
  return {
    profiles: [...restricting].map(([profile, allowedRegions]) => ({ profile, allowedRegions: [...allowedRegions] })),
    placements: [
      ...ledger.keys.map((k) => placement('key', k, k.profile.name)),
      ...ledger.containers.map((c) => placement(c.kind, c)),
      ...ledger.auditSinks.map((s) => placement('audit sink', s)),
    ].filter((p) => p.regions.length > 0 || p.status !== 'not restricted'),
  };
}

const where = (p: ResidencyPlacement) => (p.regions.length ? p.regions.join(', ') : 'not recorded');

/** The residency part as Markdown lines (none when the report has none). */
export function residencyMarkdown(data: ComplianceReportData): string[] {
  const r = data.residency;
  if (!r) return [];
  return ['## Data residency', '',
    ...r.profiles.map((p) => `Profile ${p.profile} allows key material, key containers and audit records only in ${p.allowedRegions.join(', ')}.`), '',
    '| what | kind | regions | profile | verdict |', '|---|---|---|---|---|',
    ...r.placements.map((p) => `| ${p.path} | ${p.kind} | ${where(p)} | ${p.profile ?? ''} | ${p.status === 'outside' ? '**outside**' : p.status} |`),
    ''];
}

/** The residency part as HTML (none when the report has none); `escape` is the page's HTML escaper. */
export function residencyHtml(data: ComplianceReportData, escape: (s: string) => string): string[] {
  const r = data.residency;
  if (!r) return [];
  return ['<section id="data-residency"><h2>Data residency</h2>',
    ...r.profiles.map((p) => `<p>Profile ${escape(p.profile)} allows key material, key containers and audit records only in ${escape(p.allowedRegions.join(', '))}.</p>`),
    '<table><thead><tr><th>what</th><th>kind</th><th>regions</th><th>profile</th><th>verdict</th></tr></thead><tbody>',
    ...r.placements.map((p) => `<tr><td>${escape(p.path)}</td><td>${escape(p.kind)}</td><td>${escape(where(p))}</td>` +
      `<td>${escape(p.profile ?? '')}</td><td${p.description ? ` title="${escape(p.description)}"` : ''}>${escape(p.status)}</td></tr>`),
    '</tbody></table></section>'];
}
