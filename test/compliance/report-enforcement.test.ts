import { App, Stack } from 'aws-cdk-lib';
import { ComplianceProfile, Control, Enforcement, EvidenceLedger, GuardrailRecord } from '../../src';
import { buildReport, ComplianceReportData, controlEnforcement, renderMarkdown } from '../../src/compliance/report';
import { renderHtml } from '../../src/compliance/report-html';
import { DELETION_CONTROLS, ROTATION_CONTROLS } from '../../src/core/key-evidence';
import { ACCOUNT, cmkFor, REGION } from '../support/fixtures';

const PCI = ComplianceProfile.PCI_DSS;

function appWithKey(): Stack {
  const stack = new Stack(new App(), 'Payments', { env: { account: ACCOUNT, region: REGION } });
  cmkFor(stack, PCI, 'CardKey');
  return stack;
}

function guardrail(stack: Stack, extra: Partial<GuardrailRecord>): GuardrailRecord {
  const record: GuardrailRecord = {
    path: `${stack.node.path}/Guardrail`,
    stack: stack.node.path,
    cloud: 'aws',
    enforcement: Enforcement.PREVENTIVE,
    mechanism: 'AWS Organizations service control policy',
    name: 'deny-short-deletion-window',
    description: 'denies kms:ScheduleKeyDeletion with a pending window below 30 days',
    controls: DELETION_CONTROLS,
    targets: ['ou-abcd-11111111'],
    profile: 'PCI_DSS',
    ...extra,
  };
  EvidenceLedger.of(stack).registerGuardrail(record);
  return record;
}

/** How many keys of the report require the control (the key and its audit sink's own key). */
const requiring = (report: ComplianceReportData, control: string) =>
  report.stacks.flatMap((s) => s.keys).filter((k) => k.controls.some((c) => c.id === control)).length;

const row = (report: ComplianceReportData, cloud: string, control: Control) =>
  report.enforcement!.find((e) => e.cloud === cloud && e.control === control.id);

describe('enforcement beyond the template, per cloud and control', () => {
  test('without guardrails every control the key requires is enforced only at synthesis', () => {
    const report = buildReport(EvidenceLedger.of(appWithKey()));
    expect(report.guardrails).toEqual([]);
    expect(report.enforcement!.map((e) => e.control)).toEqual(PCI.requiredControls.map((c) => c.id));
    expect(report.summary.keys).toBe(2);
    for (const e of report.enforcement!) {
      expect(e).toMatchObject({ cloud: 'aws', enforcement: 'synthesis', keys: requiring(report, e.control), preventive: [], detective: [] });
      expect(e.keys).toBeGreaterThan(0);
      expect(e.scope).toBe('only at synthesis: no guardrail in the report enforces it');
    }
  });

  test('a preventive guardrail wins over a detective one; each is named, and its scope is its targets, not the keys', () => {
    const stack = appWithKey();
    guardrail(stack, {});
    guardrail(stack, {
      path: 'Payments/Config',
      name: 'cmk-backing-key-rotation-enabled',
      enforcement: Enforcement.DETECTIVE,
      mechanism: 'AWS Config managed rule',
      controls: [...ROTATION_CONTROLS, ...DELETION_CONTROLS],
      targets: ['ou-abcd-22222222', 'r-abcd'],
    });
    const report = buildReport(EvidenceLedger.of(stack));
    expect(report.guardrails!.map((g) => [g.name, g.enforcement, g.controls.map((c) => c.id)])).toEqual([
      ['deny-short-deletion-window', 'preventive', DELETION_CONTROLS.map((c) => c.id)],
      ['cmk-backing-key-rotation-enabled', 'detective', [...ROTATION_CONTROLS, ...DELETION_CONTROLS].map((c) => c.id)],
    ]);
    expect(row(report, 'aws', Control.PCI_3_7_5)).toMatchObject({
      enforcement: 'preventive',
      preventive: ['deny-short-deletion-window (AWS Organizations service control policy; ou-abcd-11111111; PCI_DSS)'],
      detective: ['cmk-backing-key-rotation-enabled (AWS Config managed rule; ou-abcd-22222222, r-abcd; PCI_DSS)'],
      scope: "preventive where the key's account is inside ou-abcd-11111111; detective where the key's account is inside ou-abcd-22222222, r-abcd; elsewhere only at synthesis",
    });
    expect(row(report, 'aws', Control.PCI_3_7_4)).toMatchObject({ enforcement: 'detective', preventive: [], detective: ['cmk-backing-key-rotation-enabled (AWS Config managed rule; ou-abcd-22222222, r-abcd; PCI_DSS)'] });
    // Controls no guardrail names stay at synthesis.
    expect(row(report, 'aws', Control.PCI_3_7_6)).toMatchObject({ enforcement: 'synthesis', preventive: [], detective: [] });
  });

  test("another cloud's guardrail enforces nothing on this cloud's keys; a control only a guardrail names is listed with 0 keys", () => {
    const stack = appWithKey();
    guardrail(stack, { cloud: 'azure', mechanism: 'Azure Policy (deny) at a management group', targets: ['/providers/Microsoft.Management/managementGroups/payments'] });
    guardrail(stack, { name: 'deny-non-hsm', controls: [Control.NIST_SC_13], profile: 'FEDRAMP_HIGH' });
    const report = buildReport(EvidenceLedger.of(stack));
    expect(row(report, 'aws', Control.PCI_3_7_5)).toMatchObject({ enforcement: 'synthesis', keys: 2 });
    expect(row(report, 'azure', Control.PCI_3_7_5)).toMatchObject({
      enforcement: 'preventive',
      keys: 0,
      scope: "preventive where the key's subscription is inside /providers/Microsoft.Management/managementGroups/payments; elsewhere only at synthesis",
    });
    // PCI DSS does not require SC-13: the row exists for the guardrail, with no key behind it.
    expect(PCI.requiredControls).not.toContain(Control.NIST_SC_13);
    expect(row(report, 'aws', Control.NIST_SC_13)).toMatchObject({ enforcement: 'preventive', keys: 0 });
  });

  test("a guardrail carrying another profile's thresholds is not passed off as enforcing the keys' own", () => {
    const stack = appWithKey();
    guardrail(stack, { profile: 'COMMERCIAL' });
    const report = buildReport(EvidenceLedger.of(stack));
    expect(row(report, 'aws', Control.PCI_3_7_5)!.scope).toBe("preventive where the key's account is inside ou-abcd-11111111 " +
      "(with the thresholds of profile COMMERCIAL, not the keys' own); elsewhere only at synthesis");
    // In full, nothing: only in part, and the gap says why.
    expect(row(report, 'aws', Control.PCI_3_7_5)).toMatchObject({
      enforcement: 'synthesis',
      partially: 'preventive',
      gaps: ["deny-short-deletion-window (ou-abcd-11111111; COMMERCIAL): it carries profile COMMERCIAL's thresholds, not those of PCI_DSS"],
    });
  });

  test('a guardrail that declares what it leaves out, or who can set it aside, enforces its controls only in part', () => {
    const stack = appWithKey();
    guardrail(stack, { partial: 'a subscription Owner can exempt their subscription' });
    guardrail(stack, { name: 'config-deletion', enforcement: Enforcement.DETECTIVE, mechanism: 'AWS Config rule' });
    const report = buildReport(EvidenceLedger.of(stack));
    // The full detective rule holds; the preventive one only in part.
    expect(row(report, 'aws', Control.PCI_3_7_5)).toMatchObject({
      enforcement: 'detective',
      partially: 'preventive',
      gaps: ['deny-short-deletion-window (ou-abcd-11111111; PCI_DSS): a subscription Owner can exempt their subscription'],
    });
    expect(report.guardrails!.find((g) => g.name === 'deny-short-deletion-window')!.partial).toBe('a subscription Owner can exempt their subscription');
    const md = renderMarkdown(report);
    expect(md).toContain('| detective | preventive: deny-short-deletion-window (ou-abcd-11111111; PCI_DSS): a subscription Owner can exempt their subscription | 2 |');
  });

  test('the computation reads report data alone, so merged reports are judged the same way', () => {
    const stack = appWithKey();
    guardrail(stack, {});
    const report = buildReport(EvidenceLedger.of(stack));
    expect(controlEnforcement(report.stacks, report.guardrails!)).toEqual(report.enforcement);
    expect(controlEnforcement(report.stacks, []).every((e) => e.enforcement === Enforcement.SYNTHESIS)).toBe(true);
  });
});

describe('the Markdown and HTML pages show it', () => {
  test('with guardrails: both tables, every guardrail and every control row, text escaped', () => {
    const stack = appWithKey();
    guardrail(stack, { description: 'denies <kms:ScheduleKeyDeletion> | below 30 days' });
    const report = buildReport(EvidenceLedger.of(stack));
    const md = renderMarkdown(report);
    expect(md).toContain('## Enforcement beyond the template');
    expect(md).toContain('| deny-short-deletion-window | aws | preventive | AWS Organizations service control policy | ' +
      'denies &lt;kms:ScheduleKeyDeletion&gt; \\| below 30 days | nothing | ou-abcd-11111111 | PCI_DSS | ' +
      `${DELETION_CONTROLS.map((c) => c.id).join(', ')} |`);
    expect(md).toContain(`| aws | ${Control.PCI_3_7_5.id} ${Control.PCI_3_7_5.title} | preventive | none | 2 | deny-short-deletion-window (AWS Organizations service control policy; ou-abcd-11111111; PCI_DSS) | ` +
      "preventive where the key's account is inside ou-abcd-11111111; elsewhere only at synthesis |");
    expect(md).toContain(`| aws | ${Control.PCI_3_7_6.id} ${Control.PCI_3_7_6.title} | synthesis | none | 2 | none | only at synthesis: no guardrail in the report enforces it |`);
    const html = renderHtml(report, undefined);
    expect(html).toContain('<section id="enforcement"><h2>Enforcement beyond the template</h2>');
    expect(html).toContain(`<td>${Control.PCI_3_7_5.id} ${Control.PCI_3_7_5.title}</td><td>preventive</td><td>none</td><td>2</td>`);
    expect(html).not.toContain('<kms:');
    expect(html).toContain('<td>denies &lt;kms:ScheduleKeyDeletion&gt; | below 30 days</td>');
    expect(html).toContain('preventive where the key&#39;s account is inside ou-abcd-11111111');
  });

  test('without guardrails one sentence says nothing checks the deployed keys; a report from before says nothing', () => {
    const report = buildReport(EvidenceLedger.of(appWithKey()));
    expect(renderMarkdown(report)).toContain('## Enforcement beyond the template\n\nNo organisation guardrail in this report: every required control ' +
      "is judged only at synthesis (the constructs' own checks and the rule pack); nothing keeps judging the deployed keys.\n");
    expect(renderHtml(report, undefined)).toContain('<p>No organisation guardrail in this report');
    const before = { ...report, enforcement: undefined, guardrails: undefined };
    expect(renderMarkdown(before)).not.toContain('Enforcement beyond the template');
    expect(renderHtml(before, undefined)).not.toContain('Enforcement beyond the template');
  });
});

test('a guardrail deployed twice under one name is listed once per target and profile, never merged or repeated', () => {
  const stack = new Stack(new App(), 'Guardrails');
  const record = (path: string, targets: string[], profile: string) => EvidenceLedger.of(stack).registerGuardrail({
    path,
    stack: 'Guardrails',
    cloud: 'aws',
    name: 'KeyDeletionWindow',
    description: 'no short deletion window',
    enforcement: Enforcement.PREVENTIVE,
    mechanism: 'AWS Organizations service control policy',
    controls: DELETION_CONTROLS,
    targets,
    profile,
  });
  record('Guardrails/Payments/Scp', ['ou-abcd-11111111'], 'PCI_DSS');
  record('Guardrails/Payments/Scp2', ['ou-abcd-11111111'], 'PCI_DSS');
  record('Guardrails/Sandbox/Scp', ['123456789012'], 'COMMERCIAL');
  const report = buildReport(EvidenceLedger.of(stack));
  expect(report.enforcement!.find((r) => r.cloud === 'aws' && r.control === Control.PCI_3_7_5.id)!.preventive).toEqual([
    'KeyDeletionWindow (AWS Organizations service control policy; ou-abcd-11111111; PCI_DSS)',
    'KeyDeletionWindow (AWS Organizations service control policy; 123456789012; COMMERCIAL)',
  ]);
});
