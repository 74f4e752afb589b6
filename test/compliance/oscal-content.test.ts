import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { cloudReports, errorsOf, validators } from './oscal-support';
import { Control } from '../../src';
import { catalogSource, oscalControlId, oscalDocuments, uuidV5, writeOscal } from '../../src/compliance/oscal';
import { ComplianceReportData, ControlStatus } from '../../src/compliance/report';
import { ValidationError } from '../../src/core/validation';

const TIME = '2026-01-31T12:00:00Z';
const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const { component, assessment } = validators();
const reports = cloudReports(true);

/** Every `uuid` in a document (not the references to them). */
function uuids(doc: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) {v.forEach(walk);} else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'uuid') out.push(x as string);
        else walk(x);
      }
    }
  };
  walk(doc);
  return out;
}

const prop = (o: any, name: string) => o.props.find((p: any) => p.name === name)?.value;

describe('component definition', () => {
  const cd: any = oscalDocuments(reports.aws, { timestamp: TIME }).componentDefinition['component-definition'];
  const cmk = cd.components.find((c: any) => c.title === 'CustomerManagedKey (AWS)');
  const impl = (source: RegExp) => cmk['control-implementations'].find((i: any) => source.test(i.source));

  test('one component per construct class and cloud, one control implementation per framework, from its catalog', () => {
    expect(cd.components.map((c: any) => [c.title, c.type])).toEqual([
      ['CustomerManagedKey (AWS)', 'software'],
      // The audit sink's own key is a key of the report too.
      ...cd.components.slice(1, -1).map((c: any) => [c.title, 'software']),
      ['Organisation guardrails (AWS)', 'policy'],
    ]);
    expect(cmk['control-implementations'].map((i: any) => i.source)).toEqual(['urn:cloud-kms-constructs:catalog:pci-dss-4.0']);
    const pci = impl(/pci-dss/);
    const keyControls = reports.aws.stacks[0].keys.find((k) => k.path === 'Payments/CardKey')!.controls;
    expect(pci['implemented-requirements'].map((r: any) => prop(r, 'label'))).toEqual(keyControls.map((c) => c.controlId));
    expect(pci['implemented-requirements'].map((r: any) => r['control-id'])).toContain('pci-dss-4.0-3.7.6');
  });

  test('each requirement says how: the settings, and the enforcement beyond the template with the guardrails named', () => {
    const reqs = impl(/pci-dss/)['implemented-requirements'];
    const deletion = reqs.find((r: any) => r['control-id'] === 'pci-dss-4.0-3.7.5');
    expect(prop(deletion, 'enforcement')).toBe('preventive');
    expect(deletion.statements[0]['statement-id']).toBe('pci-dss-4.0-3.7.5_smt');
    expect(deletion.statements[0].description).toMatch(/^Settings: PendingWindowInDays, DeletionPolicy = 30 days, Retain \(deletion waits 30 days and can be cancelled/);
    expect(deletion.statements[0].description).toContain("Beyond the template: preventive where the key's account is inside ou-abcd-11111111; " +
      'elsewhere only at synthesis (preventive: deny-short-deletion-window (organisation policy; ou-abcd-11111111; PCI_DSS))');
    const rotation = reqs.find((r: any) => r['control-id'] === 'pci-dss-4.0-3.7.4');
    expect(prop(rotation, 'enforcement')).toBe('detective');
    const dual = reqs.find((r: any) => r['control-id'] === 'pci-dss-4.0-3.7.6');
    expect(prop(dual, 'enforcement')).toBe('synthesis');
    expect(dual.statements[0].description).toContain('Beyond the template: only at synthesis: no guardrail in the report enforces it');
  });

  test('SP 800-53 controls use the NIST catalog and its own control ids', () => {
    const fedramp = cloudReports(false);
    const withNist = {
      ...fedramp.aws,
      stacks: fedramp.aws.stacks.map((s) => ({
        ...s,
        keys: s.keys.map((k) => ({
          ...k,
          controls: [
            { id: Control.NIST_SC_12_1.id, framework: Control.NIST_SC_12_1.framework, controlId: 'SC-12(1)', title: 'Availability', status: ControlStatus.SATISFIED, evidence: [] },
          ],
        })),
      })),
    };
    const doc: any = oscalDocuments(withNist, { timestamp: TIME }).componentDefinition;
    expect(errorsOf(component, doc)).toEqual([]);
    const i = doc['component-definition'].components[0]['control-implementations'][0];
    expect(i.source).toBe('https://raw.githubusercontent.com/usnistgov/oscal-content/main/nist.gov/SP800-53/rev5/json/NIST_SP-800-53_rev5_catalog.json');
    expect(i['implemented-requirements'][0]['control-id']).toBe('sc-12.1');
  });

  test('the guardrail component lists each guardrail, its targets and profile under the controls it enforces', () => {
    const guard = cd.components.find((c: any) => c.type === 'policy');
    const reqs = guard['control-implementations'].flatMap((i: any) => i['implemented-requirements']);
    const deletion = reqs.find((r: any) => r['control-id'] === 'pci-dss-4.0-3.7.5');
    expect(deletion.statements[0].description).toContain('deny-short-deletion-window (organisation policy, preventive, profile PCI_DSS) on ou-abcd-11111111');
    expect(deletion.statements[0].description).toContain('refuses a key deletion window below the profile minimum');
    // Dual control (3.7.6), which no guardrail names, is not claimed by the guardrail component.
    expect(reqs.find((r: any) => r['control-id'] === 'pci-dss-4.0-3.7.6')).toBeUndefined();
  });
});

describe('control ids and catalogs, as docs/compliance-report.md lists them', () => {
  test.each([
    [Control.NIST_800_57_CRYPTOPERIOD, 'urn:cloud-kms-constructs:catalog:nist-sp800-57-part1-rev5', 'nist-sp800-57-part1-rev5-5.3'],
    [Control.PCI_3_7_6, 'urn:cloud-kms-constructs:catalog:pci-dss-4.0', 'pci-dss-4.0-3.7.6'],
    [Control.HIPAA_164_312_A_2_IV, 'urn:cloud-kms-constructs:catalog:hipaa-security-rule', 'hipaa-security-rule-164.312.a.2.iv'],
    [Control.ISO_A_5_3, 'urn:cloud-kms-constructs:catalog:iso-iec-27001-2022', 'iso-iec-27001-2022-a.5.3'],
    [Control.SOC2_CC6_1, 'urn:cloud-kms-constructs:catalog:soc2-tsc-2017', 'soc2-tsc-2017-cc6.1'],
    [Control.NIST_AU_9_4, expect.stringMatching(/^https:\/\/raw\.githubusercontent\.com\/usnistgov\/oscal-content\//), 'au-9.4'],
    [Control.of('FFIEC CAT (2017)', 'D3.PC.Am.B.1', 'Access', 'evidence'), 'urn:cloud-kms-constructs:catalog:ffiec-cat-2017', 'ffiec-cat-2017-d3.pc.am.b.1'],
  ])('%s', (control, source, id) => {
    expect(catalogSource(control.framework)).toEqual(source);
    expect(oscalControlId(control.framework, control.controlId)).toBe(id);
    expect(id).toMatch(/^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$/u);
  });
});

describe('assessment results', () => {
  const ar: any = oscalDocuments(reports.aws, { timestamp: TIME }).assessmentResults['assessment-results'];
  const result = ar.results[0];
  const keys = reports.aws.stacks.flatMap((s) => s.keys);

  test('per key and control an observation and a finding, the key as subject; every required control reviewed', () => {
    const pairs = keys.flatMap((k) => k.controls.filter((c) => c.status !== ControlStatus.NOT_APPLICABLE).map((c) => `${c.id} on ${k.path}`));
    expect(result.findings.map((f: any) => f.title.replace(/: [a-z ]+$/, ''))).toEqual(pairs);
    const item = result['local-definitions']['inventory-items'].find((i: any) => prop(i, 'construct-path') === 'Payments/CardKey');
    const finding = result.findings.find((f: any) => f.title.startsWith(`${Control.PCI_3_7_5.id} on Payments/CardKey`));
    const observation = result.observations.find((o: any) => o.uuid === finding['related-observations'][0]['observation-uuid']);
    expect(observation.subjects).toEqual([{ 'subject-uuid': item.uuid, 'type': 'inventory-item', 'title': 'Payments/CardKey' }]);
    expect(observation['relevant-evidence'][0].description).toBe('Payments/CardKey/Resource: PendingWindowInDays, DeletionPolicy = 30 days, Retain (30, Retain): ' +
      'deletion waits 30 days and can be cancelled; the key is retained when its stack is deleted (SATISFIED)');
    expect(finding.target).toMatchObject({ 'type': 'statement-id', 'target-id': 'pci-dss-4.0-3.7.5_smt', 'status': { state: 'satisfied', reason: 'pass' } });
    expect(prop(finding, 'enforcement')).toBe('preventive');
    expect(result['reviewed-controls']['control-selections'][0]['include-controls'].map((c: any) => c['control-id']))
      .toEqual(expect.arrayContaining(['pci-dss-4.0-3.7.5', 'pci-dss-4.0-3.7.6']));
  });

  test('the evaluated access matrix and each guardrail are observations too', () => {
    const matrix = result.observations.find((o: any) => o.title === 'Access matrix of Payments/CardKey');
    expect(matrix.methods).toEqual(['TEST']);
    expect(matrix.description).toMatch(/evaluated with @cloud-copilot\/iam-simulate/);
    expect(matrix['relevant-evidence'].length).toBeGreaterThan(2);
    const guardrails = result.observations.filter((o: any) => o.title.startsWith('Guardrail '));
    expect(guardrails.map((o: any) => [o.title, prop(o, 'enforcement')])).toEqual([
      ['Guardrail deny-short-deletion-window (organisation policy)', 'preventive'],
      ['Guardrail key-rotation-enabled (continuous rule)', 'detective'],
    ]);
  });

  test('never rounded up: partially satisfied is not-satisfied with the reason, acknowledged says so, not applicable gives no finding', () => {
    const edited: ComplianceReportData = JSON.parse(JSON.stringify(reports.aws));
    const key: any = edited.stacks[0].keys.find((k) => k.path === 'Payments/CardKey')!;
    const [partial, unmet, na] = key.controls;
    Object.assign(partial, { status: ControlStatus.PARTIALLY_SATISFIED, acknowledged: 'the second approver is named in the runbook' });
    partial.evidence = [{ ...partial.evidence[0], status: 'PARTIALLY_SATISFIED', description: 'one administrator can still disable the key alone' }];
    Object.assign(unmet, { status: ControlStatus.NOT_SATISFIED });
    unmet.evidence = [];
    Object.assign(na, { status: ControlStatus.NOT_APPLICABLE });
    const doc: any = oscalDocuments(edited, { timestamp: TIME }).assessmentResults;
    expect(errorsOf(assessment, doc)).toEqual([]);
    const findings = doc['assessment-results'].results[0].findings;
    const of = (c: any) => findings.find((f: any) => f.title.startsWith(`${c.id} on Payments/CardKey`));
    expect(of(partial).target.status).toEqual({
      state: 'not-satisfied',
      reason: 'other',
      remarks: 'Partially satisfied, which is not satisfied: one administrator can still disable the key alone. Accepted on purpose: the second approver is named in the runbook',
    });
    expect(of(partial).target['implementation-status']).toEqual({ state: 'partial' });
    expect(of(unmet).target.status).toEqual({ state: 'not-satisfied', reason: 'fail', remarks: 'Not satisfied: no setting evidences it' });
    expect(of(unmet).target['implementation-status']).toBeUndefined();
    expect(of(na)).toBeUndefined();
    const observations = doc['assessment-results'].results[0].observations;
    expect(observations.find((o: any) => o.title === `${na.id} on Payments/CardKey`).description).toMatch(/: not applicable/);
  });
});

describe('reproducible output', () => {
  test('name-based UUIDs are RFC 4122 version 5 (the value Python\'s uuid.uuid5(NAMESPACE_DNS, "www.example.com") gives)', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
    expect(uuidV5('a')).toMatch(UUID_V5);
    expect(uuidV5('a')).not.toBe(uuidV5('b'));
  });

  test('the same report and time give the same documents; every uuid is a version-5 uuid, none repeated', () => {
    const again = cloudReports(true).aws;
    const a = oscalDocuments(reports.aws, { timestamp: TIME });
    expect(oscalDocuments(again, { timestamp: TIME })).toEqual(a);
    for (const doc of [a.componentDefinition, a.assessmentResults]) {
      const all = uuids(doc);
      expect(all.length).toBeGreaterThan(20);
      expect(all.filter((u) => !UUID_V5.test(u))).toEqual([]);
      expect(new Set(all).size).toBe(all.length);
    }
  });

  test('another report gets another document uuid and version; a component keeps its uuid', () => {
    const a: any = oscalDocuments(reports.aws, { timestamp: TIME }).componentDefinition['component-definition'];
    const b: any = oscalDocuments(cloudReports(false).aws, { timestamp: TIME }).componentDefinition['component-definition'];
    expect(b.uuid).not.toBe(a.uuid);
    expect(b.metadata.version).not.toBe(a.metadata.version);
    expect(b.components[0].uuid).toBe(a.components[0].uuid);
  });

  test('the time is the one passed, else SOURCE_DATE_EPOCH; a time without a zone is refused', () => {
    expect((oscalDocuments(reports.gcp, { timestamp: TIME }).assessmentResults['assessment-results'] as any).results[0].start).toBe(TIME);
    process.env.SOURCE_DATE_EPOCH = '1767225600';
    try {
      expect((oscalDocuments(reports.gcp).componentDefinition['component-definition'] as any).metadata['last-modified']).toBe('2026-01-01T00:00:00.000Z');
    } finally {
      delete process.env.SOURCE_DATE_EPOCH;
    }
    expect(() => oscalDocuments(reports.gcp, { timestamp: '2026-01-31 12:00' })).toThrow(ValidationError);
    expect(() => oscalDocuments(reports.gcp, { timestamp: '2026-01-31T12:00:00' })).toThrow(/timestamp must be an ISO 8601 date-time with a time zone .*got '2026-01-31T12:00:00'/);
    // An offset OSCAL's date-time pattern does not list would give a document the schema refuses.
    expect(() => oscalDocuments(reports.gcp, { timestamp: '2026-01-31T12:00:00+01:15' })).toThrow(ValidationError);
    expect(errorsOf(assessment, oscalDocuments(reports.gcp, { timestamp: '2026-01-31T12:00:00+05:45' }).assessmentResults)).toEqual([]);
    expect(() => oscalDocuments(reports.gcp, { version: ' 1' })).toThrow(/version must be a non-empty string without outer spaces, got ' 1'/);
  });

  test('writeOscal writes both documents; a report merged from several apps (no enforcement field) is judged from its data', () => {
    const merged: ComplianceReportData = {
      ...reports.aws,
      stacks: [reports.aws, reports.azure, reports.gcp].flatMap((r) => r.stacks),
      guardrails: [reports.aws, reports.azure, reports.gcp].flatMap((r) => r.guardrails ?? []),
      enforcement: undefined,
    };
    const dir = mkdtempSync(join(tmpdir(), 'oscal-'));
    const files = writeOscal(merged, dir, { timestamp: TIME });
    const cd = JSON.parse(readFileSync(files.componentDefinition, 'utf8'));
    const ar = JSON.parse(readFileSync(files.assessmentResults, 'utf8'));
    expect(errorsOf(component, cd)).toEqual([]);
    expect(errorsOf(assessment, ar)).toEqual([]);
    expect(cd['component-definition'].components.filter((c: any) => c.type === 'policy').map((c: any) => c.title))
      .toEqual(['Organisation guardrails (AWS)', 'Organisation guardrails (Azure)', 'Organisation guardrails (Google Cloud)']);
    const gcpDeletion = ar['assessment-results'].results[0].findings.find((f: any) => f.title.startsWith(`${Control.PCI_3_7_5.id} on cards/CardKey`)
      && f.description.includes('project is inside folders/123456789012'));
    expect(prop(gcpDeletion, 'enforcement')).toBe('preventive');
    expect(() => writeOscal(merged, '  ')).toThrow(/outdir must be a directory path, got/);
  });
});
