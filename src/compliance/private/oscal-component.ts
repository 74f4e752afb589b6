/*
 * The OSCAL component definition: one component per construct class and cloud (an assessor reuses it for every key
 * built with that class), one per cloud for its organisation guardrails; per framework, the controls each implements
 * and how (the settings behind them, and the enforcement beyond the template).
 */
import { catalogSource, CLOUD_NAMES, groupBy, metadata, OscalContext, oscalControlId, prop, uuidV5 } from './oscal-ids';
import type { ComplianceReportData, ControlEnforcementReport, ControlReport, GuardrailReport, KeyReport } from '../report-data';

type Enforcements = Map<string, ControlEnforcementReport>;
type Requirement = { control: ControlReport; keys: KeyReport[] };

/** The component definition of a report. */
export function componentDefinition(report: ComplianceReportData, enforcement: ControlEnforcementReport[], ctx: OscalContext) {
  const byControl: Enforcements = new Map(enforcement.map((e) => [`${e.cloud}\u0000${e.control}`, e]));
  const keys = report.stacks.flatMap((s) => s.keys);
  const components = [
    ...[...groupBy(keys, (k) => `${k.cloud}\u0000${k.construct}`).values()].map((group) => keyComponent(group, byControl)),
    ...[...groupBy(report.guardrails ?? [], (g) => g.cloud).entries()].map(([cloud, gs]) => guardrailComponent(cloud, gs, byControl)),
  ];
  return {
    'component-definition': {
      uuid: uuidV5(`component-definition\u0000${ctx.digest}`),
      metadata: metadata('cloud-kms-constructs: key-management components and organisation guardrails', ctx,
        'Generated from the compliance report written at synthesis. Each key component says how the constructs of one class ' +
        'implement the controls their keys\' profiles require; each guardrail component, how the organisation policies and ' +
        'rules of one cloud enforce them beyond the template.'),
      ...(components.length > 0 ? { components } : {}),
    },
  };
}

function keyComponent(keys: KeyReport[], enforcement: Enforcements) {
  const { cloud, construct } = keys[0];
  const name = `${cloud}.${construct}`;
  const distinct = (f: (k: KeyReport) => string) => [...new Set(keys.map(f))];
  const requirements = new Map<string, Requirement>();
  for (const k of keys) {
    for (const c of k.controls) {
      const r = requirements.get(c.id);
      if (r) r.keys.push(k);
      else requirements.set(c.id, { control: c, keys: [k] });
    }
  }
  const implementations = [...groupBy([...requirements.values()], (r) => r.control.framework).entries()].map(([framework, rs]) => ({
    'uuid': uuidV5(`control-implementation\u0000${name}\u0000${framework}`),
    'source': catalogSource(framework),
    'description': `How ${construct} keys on ${CLOUD_NAMES[cloud] ?? cloud} implement the ${framework} controls their profiles require.`,
    'implemented-requirements': rs.map((r) => keyRequirement(name, r, enforcement.get(`${cloud}\u0000${r.control.id}`))),
  }));
  return {
    uuid: uuidV5(`component\u0000${name}`),
    type: 'software',
    title: `${construct} (${CLOUD_NAMES[cloud] ?? cloud})`,
    description: `The cloud-kms-constructs construct ${name}: ${keys.length} key${keys.length === 1 ? '' : 's'} in this report ` +
      `(${distinct((k) => `${k.model} model, ${k.custody} custody`).join('; ')}).`,
    props: [prop('cloud', cloud), prop('construct', construct), ...distinct((k) => k.profile).map((p) => prop('profile', p))],
    ...(implementations.length > 0 ? { 'control-implementations': implementations } : {}),
  };
}

function keyRequirement(component: string, r: Requirement, e: ControlEnforcementReport | undefined) {
  const { control, keys } = r;
  const cid = oscalControlId(control.framework, control.controlId);
  const statuses = groupBy(keys.map((k) => k.controls.find((c) => c.id === control.id)!), (c) => c.status);
  const standing = [...statuses.entries()].map(([status, cs]) => `${status} for ${cs.length} of ${keys.length}`).join(', ');
  const settings = [...new Set(keys.flatMap((k) => k.controls.find((c) => c.id === control.id)!.evidence)
    .map((ev) => `${ev.setting} = ${ev.value} (${ev.description})`))];
  const how = settings.length > 0 ? `Settings: ${settings.join('; ')}.` : 'No template setting evidences it: procedural, or outside what the template holds.';
  return {
    'uuid': uuidV5(`implemented-requirement\u0000${component}\u0000${control.id}`),
    'control-id': cid,
    'description': `${control.title}: ${standing} keys in the report.`,
    'props': [
      prop('framework', control.framework),
      prop('label', control.controlId),
      prop('enforcement', e?.enforcement ?? 'synthesis'),
    ],
    'statements': [{
      'statement-id': `${cid}_smt`,
      'uuid': uuidV5(`statement\u0000${component}\u0000${control.id}`),
      'description': `${how} Beyond the template: ${enforcementSentence(e)}.`,
    }],
  };
}

function enforcementSentence(e: ControlEnforcementReport | undefined): string {
  if (!e) return 'only at synthesis: no guardrail in the report enforces it';
  const named = [...e.preventive.map((g) => `preventive: ${g}`), ...e.detective.map((g) => `detective: ${g}`)];
  const partly = e.partially ? `; ${e.partially} only in part (${(e.gaps ?? []).join('; ')})` : '';
  return `${named.length > 0 ? `${e.scope} (${named.join('; ')})` : e.scope}; in full: ${e.enforcement}${partly}`;
}

function guardrailComponent(cloud: string, guardrails: GuardrailReport[], enforcement: Enforcements) {
  const name = `${cloud}.guardrails`;
  const controls = new Map(guardrails.flatMap((g) => g.controls).map((c) => [c.id, c]));
  const implementations = [...groupBy([...controls.values()], (c) => c.framework).entries()].map(([framework, cs]) => ({
    'uuid': uuidV5(`control-implementation\u0000${name}\u0000${framework}`),
    'source': catalogSource(framework),
    'description': `How the organisation guardrails on ${CLOUD_NAMES[cloud] ?? cloud} enforce ${framework} controls beyond the template.`,
    'implemented-requirements': cs.map((c) => {
      const cid = oscalControlId(c.framework, c.controlId);
      const e = enforcement.get(`${cloud}\u0000${c.id}`);
      const covering = guardrails.filter((g) => g.controls.some((gc) => gc.id === c.id));
      return {
        'uuid': uuidV5(`implemented-requirement\u0000${name}\u0000${c.id}`),
        'control-id': cid,
        'description': `${c.title}: ${e?.scope ?? `${covering[0].enforcement} within the guardrails' targets`}.`,
        'props': [prop('framework', c.framework), prop('label', c.controlId), prop('enforcement', e?.enforcement ?? covering[0].enforcement)],
        'statements': [{
          'statement-id': `${cid}_smt`,
          'uuid': uuidV5(`statement\u0000${name}\u0000${c.id}`),
          'description': covering.map((g) => `${g.name} (${g.mechanism}, ${g.enforcement}, profile ${g.profile}) on ` +
            `${g.targets.length > 0 ? g.targets.join(', ') : 'no target'}: ${g.description}`).join('; '),
        }],
      };
    }),
  }));
  return {
    uuid: uuidV5(`component\u0000${name}`),
    type: 'policy',
    title: `Organisation guardrails (${CLOUD_NAMES[cloud] ?? cloud})`,
    description: `${guardrails.length} guardrail${guardrails.length === 1 ? '' : 's'}: ` +
      `${[...new Set(guardrails.map((g) => g.mechanism))].join(', ')}. Each binds only the accounts, subscriptions or projects inside its targets.`,
    props: [prop('cloud', cloud), ...guardrails.map((g) => prop('guardrail', `${g.name} (${g.enforcement})`))],
    ...(implementations.length > 0 ? { 'control-implementations': implementations } : {}),
  };
}
