import { Control } from './controls';
import { DeploymentModel } from './deployment-model';
import { EvidenceLedger, EvidenceStatus } from './evidence';
import { FipsLevel } from './fips';
import { ComplianceProfile } from './profile';

/** One setting of a key, as evidence: where it is, what it holds, what that means, and whether it meets the control. */
export interface KeyFact {
  readonly setting: string;
  readonly value: string;
  readonly description: string;
  /** @default true */
  readonly satisfied?: boolean;
}

/** What every cloud's key constructs record about a key (the cloud-neutral part of the evidence). */
export interface KeyEvidence {
  readonly ledger: EvidenceLedger;
  /** Construct path of the key. */
  readonly subject: string;
  /** Construct path of the resource that holds the settings. */
  readonly resource: string;
  readonly stack: string;
  readonly cloud: string;
  readonly constructName: string;
  readonly model: DeploymentModel;
  readonly profile: ComplianceProfile;
  readonly fipsLevel: FipsLevel;
  readonly auditSink?: string;
  readonly parent?: string;
  readonly rotation: KeyFact;
  /** Deletion safeguards (waiting period, retention), where the cloud has them per key. */
  readonly deletion?: KeyFact;
  readonly custody: KeyFact;
  readonly separation: KeyFact;
  readonly dualControl: KeyFact;
  readonly audit: KeyFact;
}

/** The controls each kind of key fact bears on (shared with constructs that record facts themselves). */
export const ROTATION_CONTROLS = [Control.NIST_SC_12, Control.NIST_800_57_CRYPTOPERIOD, Control.PCI_3_7_4, Control.ISO_A_8_24];
export const DELETION_CONTROLS = [Control.NIST_SC_12_1, Control.PCI_3_7_5, Control.NIST_800_57_KEY_STATES];
export const CUSTODY_CONTROLS = [Control.NIST_SC_13, Control.NIST_SC_28, Control.NIST_SC_28_1, Control.PCI_3_6_1_2, Control.PCI_3_6_1_4,
  Control.PCI_3_7_1, Control.PCI_3_7_2, Control.PCI_3_7_3, Control.SOC2_CC6_7];
export const ACCESS_CONTROLS = [Control.NIST_AC_5, Control.NIST_AC_6, Control.ISO_A_5_3, Control.PCI_3_6_1, Control.PCI_3_6_1_3,
  Control.SOC2_CC6_1, Control.HIPAA_164_312_A_2_IV, Control.PCI_3_7_7];
export const DUAL_CONTROL_CONTROLS = [Control.PCI_3_7_6];
export const AUDIT_CONTROLS = [Control.NIST_AU_2, Control.NIST_AU_12, Control.PCI_10_2_1, Control.HIPAA_164_312_B, Control.SOC2_CC7_2];

/** Registers a key in the ledger and records each fact against the controls it bears on. */
export function recordKeyEvidence(e: KeyEvidence): void {
  e.ledger.registerKey({
    path: e.subject,
    stack: e.stack,
    cloud: e.cloud,
    constructName: e.constructName,
    model: e.model,
    profile: e.profile,
    fipsLevel: e.fipsLevel,
    auditSink: e.auditSink,
    parent: e.parent,
  });
  const record = (controls: Control[], fact: KeyFact) => {
    const status = fact.satisfied === false ? EvidenceStatus.NOT_SATISFIED : EvidenceStatus.SATISFIED;
    for (const control of controls) {
      e.ledger.record({
        control, status, subject: e.subject, resource: e.resource, setting: fact.setting, value: fact.value, description: fact.description,
      });
    }
  };
  record(ROTATION_CONTROLS, e.rotation);
  if (e.deletion) record(DELETION_CONTROLS, e.deletion);
  record(CUSTODY_CONTROLS, e.custody);
  record(ACCESS_CONTROLS, e.separation);
  record(DUAL_CONTROL_CONTROLS, e.dualControl);
  record(AUDIT_CONTROLS, e.audit);
}
