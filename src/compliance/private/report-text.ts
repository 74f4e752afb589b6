/*
 * The report's wording, shared by the Markdown and HTML pages: periods in days, principals by name, evidence as
 * numbered sentences.
 */
import type { AccessMatrix } from '../../core/access-policy';
import { EvidenceStatus } from '../../core/evidence';
import type { ComplianceReportData, ControlEvidence, ControlReport, CustodianReport, KeyReport } from '../report-data';

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

/** The detours to cryptographic use a matrix considers: AWS's through the key policy, Azure's and Google's through access. */
export function detours(m: AccessMatrix): string {
  return m.gateName ? 'by changing who has access (role assignments, IAM bindings) or, on Azure, restoring a backup elsewhere'
    : 'by changing the policy, replicating the key or re-pointing an alias';
}
