/*
 * How each control is enforced beyond the template (issue 18, item 4): before the act by an organisation policy,
 * after it by a rule that keeps judging the deployed resources, or only when the template is synthesized.
 */
import { Enforcement, GuardrailRecord } from '../../core/guardrails';
import type { ComplianceReportData, ControlEnforcementReport, ControlRef, GuardrailReport, StackReport } from '../report-data';

/** What a guardrail's target holds a key in, per cloud: the unit an organisation policy is assigned above. */
const UNIT: Record<string, string> = { aws: 'account', azure: 'subscription', gcp: 'project' };

/** The ledger's guardrails as the report lists them. */
export function guardrailReports(records: GuardrailRecord[]): GuardrailReport[] {
  return records.map((g) => ({
    path: g.path,
    stack: g.stack,
    cloud: g.cloud,
    enforcement: g.enforcement,
    mechanism: g.mechanism,
    name: g.name,
    description: g.description,
    controls: g.controls.map((c) => ({ id: c.id, framework: c.framework, controlId: c.controlId, title: c.title })),
    targets: [...g.targets],
    profile: g.profile,
    ...(g.partial ? { partial: g.partial } : {}),
  }));
}

/**
 * Per cloud, every control its keys require or its guardrails name, with the strongest enforcement a guardrail of that
 * cloud gives it. Computed from report data alone, so reports merged from several apps are judged the same way.
 */
export function controlEnforcement(stacks: StackReport[], guardrails: GuardrailReport[]): ControlEnforcementReport[] {
  const rows = new Map<string, { cloud: string; control: ControlRef; keys: number; profiles: Set<string> }>();
  const row = (cloud: string, control: ControlRef) => {
    const k = `${cloud}\u0000${control.id}`;
    let r = rows.get(k);
    if (!r) rows.set(k, r = { cloud, control, keys: 0, profiles: new Set() });
    return r;
  };
  for (const stack of stacks) {
    for (const key of stack.keys) {
      for (const c of key.controls) {
        const r = row(key.cloud, c);
        r.keys++;
        r.profiles.add(key.profile);
      }
    }
  }
  for (const g of guardrails) for (const c of g.controls) row(g.cloud, c);
  return [...rows.values()].map(({ cloud, control, keys, profiles }) => {
    const covering = guardrails.filter((g) => g.cloud === cloud && g.controls.some((c) => c.id === control.id));
    const preventive = covering.filter((g) => g.enforcement === Enforcement.PREVENTIVE);
    const detective = covering.filter((g) => g.enforcement === Enforcement.DETECTIVE);
    const gapOf = (g: GuardrailReport) => gap(g, profiles);
    const full = (gs: GuardrailReport[]) => gs.some((g) => gapOf(g) === undefined);
    const enforcement = full(preventive) ? Enforcement.PREVENTIVE : full(detective) ? Enforcement.DETECTIVE : Enforcement.SYNTHESIS;
    const partially = enforcement === Enforcement.PREVENTIVE ? undefined : preventive.length > 0 ? Enforcement.PREVENTIVE
      : enforcement === Enforcement.SYNTHESIS && detective.length > 0 ? Enforcement.DETECTIVE : undefined;
    const stronger = partially === Enforcement.PREVENTIVE ? preventive : partially === Enforcement.DETECTIVE ? detective : [];
    const gaps = [...new Set(stronger.map((g) => gapOf(g) && `${g.name} (${g.targets.join(', ') || 'no target'}; ${g.profile}): ${gapOf(g)}`)
      .filter((x): x is string => !!x))];
    return {
      ...(partially ? { partially, gaps } : {}),
      cloud,
      control: control.id,
      framework: control.framework,
      controlId: control.controlId,
      title: control.title,
      enforcement,
      keys,
      preventive: guardrailNames(preventive),
      detective: guardrailNames(detective),
      scope: scopeSentence(cloud, preventive, detective, profiles),
    };
  });
}

/**
 * Why a guardrail does not enforce its controls in full for these keys, or undefined when it does: what it declares it
 * leaves out, or thresholds of another profile than a key's (a guardrail carrying COMMERCIAL's 7-day window does not hold
 * a PCI DSS key's 30 days; profiles are compared by name, so a stricter profile's guardrail is also counted as partial).
 */
function gap(g: GuardrailReport, keyProfiles: Set<string>): string | undefined {
  const others = [...keyProfiles].filter((p) => p !== g.profile);
  const reasons = [
    g.partial,
    others.length > 0 ? `it carries profile ${g.profile}'s thresholds, not those of ${others.join(', ')}` : undefined,
  ].filter((r): r is string => r !== undefined);
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}

/** Each guardrail once, with where it applies and whose thresholds it carries: one name may be deployed to several targets. */
function guardrailNames(gs: GuardrailReport[]): string[] {
  return [...new Set(gs.map((g) => `${g.name} (${g.mechanism}; ${g.targets.join(', ') || 'no target'}; ${g.profile})`))];
}

/**
 * Where the enforcement holds. A guardrail binds only what is inside its targets, and an organizational unit's,
 * management group's or folder's members are not in the app: the sentence names the targets instead of claiming the keys.
 */
function scopeSentence(cloud: string, preventive: GuardrailReport[], detective: GuardrailReport[], keyProfiles: Set<string>): string {
  const unit = UNIT[cloud] ?? 'account';
  const part = (kind: string, gs: GuardrailReport[]) => {
    const targets = [...new Set(gs.flatMap((g) => g.targets))];
    const otherProfiles = [...new Set(gs.map((g) => g.profile))].filter((p) => keyProfiles.size > 0 && !keyProfiles.has(p));
    const thresholds = otherProfiles.length > 0 ? ` (with the thresholds of profile ${otherProfiles.join(', ')}, not the keys' own)` : '';
    return `${kind} where the key's ${unit} is inside ${targets.length > 0 ? targets.join(', ') : 'no target'}${thresholds}`;
  };
  const parts: string[] = [];
  if (preventive.length > 0) parts.push(part('preventive', preventive));
  if (detective.length > 0) parts.push(part('detective', detective));
  if (parts.length === 0) return 'only at synthesis: no guardrail in the report enforces it';
  return `${parts.join('; ')}; elsewhere only at synthesis`;
}

/** A table of plain text, rendered by the Markdown and the HTML writer with their own escaping. */
export interface TextTable {
  readonly title: string;
  readonly head: string[];
  readonly rows: string[][];
}

/** The report's section on enforcement beyond the template, before rendering. */
export interface EnforcementView {
  readonly heading: string;
  readonly intro: string;
  readonly tables: TextTable[];
}

/** What the Markdown and HTML pages show of the guardrails and each control's enforcement; none for a report without it. */
export function enforcementView(data: ComplianceReportData): EnforcementView | undefined {
  if (!data.enforcement) return undefined;
  const heading = 'Enforcement beyond the template';
  const guardrails = data.guardrails ?? [];
  if (guardrails.length === 0) {
    return {
      heading,
      tables: [],
      intro: 'No organisation guardrail in this report: every required control is judged only at synthesis (the constructs\' own ' +
        'checks and the rule pack); nothing keeps judging the deployed keys.',
    };
  }
  return {
    heading,
    intro: 'Preventive: an organisation policy refuses the act; detective: a rule keeps judging the deployed resources; synthesis: ' +
      'only the template is judged. A guardrail binds only what is inside its targets, and the report cannot see which accounts, ' +
      'subscriptions or projects an organizational unit, management group or folder holds: each row says where it holds.',
    tables: [
      {
        title: 'Guardrails',
        head: ['guardrail', 'cloud', 'enforcement', 'mechanism', 'what it refuses or checks', 'what it leaves out', 'targets', 'profile', 'controls'],
        rows: guardrails.map((g) => [g.name, g.cloud, g.enforcement, g.mechanism, g.description, g.partial ?? 'nothing',
          g.targets.join(', ') || 'none', g.profile, g.controls.map((c) => c.id).join(', ')]),
      },
      {
        title: 'Controls',
        head: ['cloud', 'control', 'enforcement in full', 'in part only', 'keys requiring it', 'guardrails', 'where it holds'],
        rows: data.enforcement.map((e) => [e.cloud, `${e.control} ${e.title}`, e.enforcement,
          e.partially ? `${e.partially}: ${(e.gaps ?? []).join('; ')}` : 'none', String(e.keys),
          [...e.preventive, ...e.detective].join('; ') || 'none', e.scope]),
      },
    ],
  };
}
