/*
 * The OSCAL assessment results: one result, the synthesis-time assessment of the report's keys. Per key and required
 * control an observation (the settings examined) and a finding (its status); per key with an access matrix an
 * observation of the evaluation; per guardrail an observation. Statuses are never rounded up: a partially satisfied
 * control is `not-satisfied`, with the reason.
 */
import { CLOUD_NAMES, metadata, OscalContext, oscalControlId, prop, uuidV5 } from './oscal-ids';
import type { AccessMatrix } from '../../core/access-policy';
import { EvidenceStatus } from '../../core/evidence';
import { ComplianceReportData, ControlEnforcementReport, ControlReport, ControlStatus, GuardrailReport, KeyReport } from '../report-data';

/** The back-matter resource that stands for the assessment plan: OSCAL requires one, synthesis has none of its own. */
const PLAN = 'assessment-plan';

/** The assessment results of a report. */
export function assessmentResults(report: ComplianceReportData, enforcement: ControlEnforcementReport[], ctx: OscalContext) {
  const byControl = new Map(enforcement.map((e) => [`${e.cloud}\u0000${e.control}`, e]));
  const keys = report.stacks.flatMap((s) => s.keys);
  const observations: object[] = [];
  const findings: object[] = [];
  for (const key of keys) {
    for (const control of key.controls) {
      const observation = controlObservation(key, control, ctx);
      observations.push(observation);
      const finding = controlFinding(key, control, observation.uuid, byControl.get(`${key.cloud}\u0000${control.id}`));
      if (finding) findings.push(finding);
    }
    if (key.accessMatrix) observations.push(matrixObservation(key, key.accessMatrix, ctx));
  }
  for (const g of report.guardrails ?? []) observations.push(guardrailObservation(g, ctx));
  const controlIds = [...new Set(keys.flatMap((k) => k.controls.map((c) => oscalControlId(c.framework, c.controlId))))];
  const planUuid = uuidV5(`${PLAN}\u0000${ctx.digest}`);
  const result = {
    'uuid': uuidV5(`result\u0000${ctx.digest}`),
    'title': 'Synthesis-time assessment of the keys',
    'description': `The settings of ${keys.length} key${keys.length === 1 ? '' : 's'} as synthesized, judged against the controls ` +
      'their compliance profiles require. It assesses the templates, not the deployed resources: what the organisation guardrails ' +
      'keep enforcing after deployment is in each finding\'s enforcement.',
    'start': ctx.timestamp,
    'end': ctx.timestamp,
    ...(keys.length > 0 ? { 'local-definitions': { 'inventory-items': keys.map(inventoryItem) } } : {}),
    'reviewed-controls': {
      'control-selections': [controlIds.length > 0
        ? { 'include-controls': controlIds.map((id) => ({ 'control-id': id })) }
        : { description: 'No key in the report requires a control.' }],
    },
    ...(observations.length > 0 ? { observations } : {}),
    ...(findings.length > 0 ? { findings } : {}),
  };
  return {
    'assessment-results': {
      'uuid': uuidV5(`assessment-results\u0000${ctx.digest}`),
      'metadata': metadata('cloud-kms-constructs: assessment results of the keys', ctx,
        'Generated from the compliance report written at synthesis. Partially satisfied controls are not-satisfied, with the reason.'),
      'import-ap': { href: `#${planUuid}`, remarks: 'No separate assessment plan: the plan is the back-matter resource it names.' },
      'results': [result],
      'back-matter': {
        resources: [{
          uuid: planUuid,
          title: 'Assessment plan: synthesis-time evaluation by cloud-kms-constructs',
          description: 'Every key construct records, at synthesis, the settings behind each control its compliance profile requires; ' +
            'AWS key policies are evaluated with an IAM policy evaluator, Azure and Google role assignments with the clouds\' role tables. ' +
            'The rule pack (cloud-kms check) judges the same templates.',
        }],
      },
    },
  };
}

function keyItemUuid(key: KeyReport): string {
  return uuidV5(`inventory-item\u0000${key.path}`);
}

function inventoryItem(key: KeyReport) {
  return {
    uuid: keyItemUuid(key),
    description: `${key.construct} key ${key.path} on ${CLOUD_NAMES[key.cloud] ?? key.cloud}: ${key.model} model, ${key.custody} custody, profile ${key.profile}.`,
    props: [
      prop('construct-path', key.path), prop('stack', key.stack), prop('cloud', key.cloud), prop('construct', key.construct),
      prop('model', key.model), prop('custody', key.custody), prop('profile', key.profile), prop('fips-level', key.fipsLevel),
    ],
  };
}

function subject(key: KeyReport) {
  return [{ 'subject-uuid': keyItemUuid(key), 'type': 'inventory-item', 'title': key.path }];
}

function controlObservation(key: KeyReport, control: ControlReport, ctx: OscalContext) {
  const evidence = control.evidence.map((ev) => ({
    description: `${ev.resource}: ${ev.setting} = ${ev.value}${ev.providerValue ? ` (${ev.providerValue})` : ''}: ${ev.description} (${ev.status})`,
  }));
  return {
    uuid: uuidV5(`observation\u0000${key.path}\u0000${control.id}`),
    title: `${control.id} on ${key.path}`,
    description: `${control.title}: ${control.status}` +
      `${control.evidence.length > 0 ? `; ${control.evidence.map((ev) => ev.description).join('; ')}` : '; no template setting evidences it'}.`,
    props: [prop('status', control.status)],
    methods: ['EXAMINE'],
    types: ['control-objective'],
    subjects: subject(key),
    ...(evidence.length > 0 ? { 'relevant-evidence': evidence } : {}),
    collected: ctx.timestamp,
  };
}

/** OSCAL's objective status has two states: only a fully satisfied control is `satisfied`. Not applicable gives no finding. */
function controlFinding(key: KeyReport, control: ControlReport, observation: string, e: ControlEnforcementReport | undefined) {
  if (control.status === ControlStatus.NOT_APPLICABLE) return undefined;
  const satisfied = control.status === ControlStatus.SATISFIED;
  const unmet = control.evidence.filter((ev) => ev.status === EvidenceStatus.NOT_SATISFIED || ev.status === EvidenceStatus.PARTIALLY_SATISFIED)
    .map((ev) => ev.description);
  const reason = control.status === ControlStatus.PARTIALLY_SATISFIED
    ? `Partially satisfied, which is not satisfied${unmet.length > 0 ? `: ${unmet.join('; ')}` : ''}`
    : satisfied ? undefined : `Not satisfied${unmet.length > 0 ? `: ${unmet.join('; ')}` : ': no setting evidences it'}`;
  const remarks = [reason, control.acknowledged ? `Accepted on purpose: ${control.acknowledged}` : undefined].filter((r) => r !== undefined).join('. ');
  const cid = oscalControlId(control.framework, control.controlId);
  const partial = control.status === ControlStatus.PARTIALLY_SATISFIED;
  return {
    'uuid': uuidV5(`finding\u0000${key.path}\u0000${control.id}`),
    'title': `${control.id} on ${key.path}: ${control.status}`,
    'description': `${control.title} for the ${key.construct} key ${key.path} (profile ${key.profile}). ` +
      `Beyond the template: ${e?.scope ?? 'only at synthesis'}; in full: ${e?.enforcement ?? 'synthesis'}` +
      `${e?.partially ? `; ${e.partially} only in part (${(e.gaps ?? []).join('; ')})` : ''}.`,
    'props': [prop('status', control.status), prop('enforcement', e?.enforcement ?? 'synthesis'),
      ...(e?.partially ? [prop('enforcement-in-part', e.partially)] : []), prop('label', control.controlId)],
    'target': {
      'type': 'statement-id',
      'target-id': `${cid}_smt`,
      'status': { state: satisfied ? 'satisfied' : 'not-satisfied', reason: satisfied ? 'pass' : partial ? 'other' : 'fail', ...(remarks ? { remarks } : {}) },
      // A control not satisfied has no implementation state OSCAL names (it is neither planned nor an alternative).
      ...(satisfied || partial ? { 'implementation-status': { state: satisfied ? 'implemented' : 'partial' } } : {}),
    },
    'related-observations': [{ 'observation-uuid': observation }],
  };
}

function matrixObservation(key: KeyReport, m: AccessMatrix, ctx: OscalContext) {
  const rows = m.computed && !m.sameAs ? m.rows.map((r) => ({
    description: `${r.role} ${r.principal}: ${Object.entries(r.access).map(([cls, cell]) => `${cls} ${cell.access}`).join(', ')}`,
  })) : [];
  const summary = !m.computed ? `not computed: ${m.reason ?? 'no evaluator'}`
    : m.sameAs ? `identical to the access matrix of ${m.sameAs}`
      : `evaluated with ${m.evaluator ?? 'the cloud\'s role tables'}; alone reach cryptographic use: ` +
        `${m.aloneReachUse.length > 0 ? m.aloneReachUse.map((p) => `${p.role} ${p.principal}`).join(', ') : 'nobody but the key\'s users'}` +
        `${m.aloneReachUseTarget ? ` (expected: ${m.aloneReachUseTarget.expected}; ${m.aloneReachUseTarget.met ? 'met' : 'not met'})` : ''}`;
  return {
    uuid: uuidV5(`access-matrix\u0000${key.path}`),
    title: `Access matrix of ${key.path}`,
    description: `Who can do what with the key, ${summary}.`,
    methods: [m.computed ? 'TEST' : 'UNKNOWN'],
    types: ['control-objective'],
    subjects: subject(key),
    ...(rows.length > 0 ? { 'relevant-evidence': rows } : {}),
    collected: ctx.timestamp,
  };
}

function guardrailObservation(g: GuardrailReport, ctx: OscalContext) {
  return {
    uuid: uuidV5(`guardrail\u0000${g.path}\u0000${g.name}`),
    title: `Guardrail ${g.name} (${g.mechanism})`,
    description: `${g.description} Enforcement: ${g.enforcement}, on ${g.targets.length > 0 ? g.targets.join(', ') : 'no target'} ` +
      `(profile ${g.profile}). It binds only what is inside those targets.${g.partial ? ` In part only: ${g.partial}` : ''}`,
    props: [prop('cloud', g.cloud), prop('enforcement', g.enforcement), prop('construct-path', g.path),
      ...g.controls.map((c) => prop('control', c.id))],
    methods: ['EXAMINE'],
    types: ['control-objective'],
    collected: ctx.timestamp,
  };
}
