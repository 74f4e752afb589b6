import { inDays, principalName, resolveIdentity } from './report-text';
import { ROLE_NAMES } from '../../core/access-policy';
import type { AccessMatrix } from '../../core/access-policy';
import { Control } from '../../core/controls';
import { EvidenceEntry, EvidenceLedger, EvidenceStatus, KeyRecord } from '../../core/evidence';
import { profileRecord } from '../../core/profile-record';
import { AcknowledgementReport, controlRule, ControlReport, ControlStatus, KeyReport } from '../report-data';

/** An acknowledgement as the report reads it from the ledger. */
type Acknowledgement = { rule: string; resource: string; reason: string };

/** A nested stack's keys belong to its root stack's report. */
export function rootStack(stack: string): string {
  return stack.split('/')[0];
}

export function keyReport(ledger: EvidenceLedger, key: KeyRecord, bySubject: Map<string, EvidenceEntry[]>,
  acksBySubject: Map<string, Acknowledgement[]>, accessMatrix?: AccessMatrix,
): { report: KeyReport; acknowledgements: Acknowledgement[] } {
  // What bears on a key: its own settings, its container's (vault, key ring, key store) and its audit sink's.
  const container = key.parent ? ledger.containers.find((c) => c.path === key.parent) : undefined;
  const subjects = [key.path, key.parent, container?.parent, key.auditSink].filter((s): s is string => s !== undefined);
  const entries = subjects.flatMap((s) => bySubject.get(s) ?? []);
  const acks = subjects.flatMap((s) => acksBySubject.get(s) ?? []);
  // A control acknowledged on a construct covers the keys under it.
  for (const [subject, list] of acksBySubject) {
    if (key.path.startsWith(`${subject}/`)) acks.push(...list.filter((a) => a.rule.startsWith('control:')));
  }
  const controls = key.profile.requiredControls.map((control) => controlReport(key, control, entries, acks));
  const report: KeyReport = {
    path: key.path,
    stack: key.stack,
    cloud: key.cloud,
    construct: key.constructName,
    model: key.model.id,
    custody: container?.custody ?? key.model.custody,
    profile: key.profile.name,
    profileRecord: profileRecord(key.profile),
    fipsLevel: key.fipsLevel,
    auditSink: key.auditSink,
    parent: key.parent,
    custodians: ledger.custodiansOf(key.path).map((a) => {
      const identity = resolveIdentity(a.label ?? a.identity);
      return { role: a.role, roleName: ROLE_NAMES[a.role] ?? a.role.toLowerCase(), identity, name: principalName(identity) };
    }),
    controls,
    accessMatrix,
  };
  return { report, acknowledgements: acks.filter((a) => !a.rule.startsWith('control:')) };
}

/** Adds acknowledgements to a stack's list, merging the rules accepted for the same resource with the same reason. */
export function addAcknowledgements(list: AcknowledgementReport[], acks: Acknowledgement[]): void {
  for (const a of acks) {
    const same = list.find((l) => l.resource === a.resource && l.reason === a.reason);
    if (!same) list.push({ resource: a.resource, rules: [a.rule], reason: a.reason });
    else if (!same.rules.includes(a.rule)) same.rules.push(a.rule);
  }
}

/** One required control of a key: its status from the evidence that bears on it, and an acknowledgement if it is unmet. */
function controlReport(key: KeyRecord, control: Control, entries: EvidenceEntry[], acks: Acknowledgement[]): ControlReport {
  const evidence = entries.filter((e) => e.control.id === control.id);
  if (control.id === Control.PCI_3_6_1_1.id) {
    // The report is that description: every key, its custody, custodians and the settings behind each control.
    evidence.push({
      control,
      status: EvidenceStatus.SATISFIED,
      subject: key.path,
      resource: 'compliance-report.json',
      setting: 'key inventory',
      value: key.path,
      description: 'this report documents the key: model, custody, profile, custodians, and the evidence for each control',
    });
  }
  const ack = acks.find((a) => a.rule === controlRule(control));
  let status: ControlStatus;
  if (evidence.some((e) => e.status === EvidenceStatus.NOT_SATISFIED)) status = ControlStatus.NOT_SATISFIED;
  else if (evidence.some((e) => e.status === EvidenceStatus.PARTIALLY_SATISFIED)) status = ControlStatus.PARTIALLY_SATISFIED;
  else if (evidence.some((e) => e.status === EvidenceStatus.SATISFIED)) status = ControlStatus.SATISFIED;
  else if (evidence.length > 0) status = ControlStatus.NOT_APPLICABLE;
  else status = ControlStatus.NOT_SATISFIED;
  return {
    id: control.id,
    framework: control.framework,
    controlId: control.controlId,
    title: control.title,
    status,
    acknowledged: status === ControlStatus.NOT_SATISFIED || status === ControlStatus.PARTIALLY_SATISFIED ? ack?.reason : undefined,
    evidence: evidence.map((e) => {
      const value = inDays(e.setting, e.value);
      return {
        resource: e.resource,
        setting: e.setting,
        value,
        ...(value === e.value ? {} : { providerValue: e.value }),
        description: inDays('', e.description),
        status: e.status,
      };
    }),
  };
}
