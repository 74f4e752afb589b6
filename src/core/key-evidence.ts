import { Control } from './controls';
import { DeploymentModel } from './deployment-model';
import { EvidenceLedger, EvidenceStatus } from './evidence';
import { FipsLevel } from './fips';
import type { KeyCryptoRecord } from './key-algorithm';
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
  /**
   * Whether `fipsLevel` is what the customer declares of a key manager outside the cloud (an external key manager): no
   * configuration shows its validation, so the evidence says "declared" and the assessor checks the certificate.
   */
  readonly fipsLevelDeclared?: boolean;
  readonly auditSink?: string;
  readonly parent?: string;
  /** The key's cryptography (see `KeyRecord.crypto`). */
  readonly crypto?: KeyCryptoRecord;
  /** Where the key material is (see `KeyRecord.regions`); with a profile that restricts regions, also a residency fact. */
  readonly regions?: string[];
  /**
   * The setting that places the key (e.g. AWS `env.region`, a Google key ring's `location`).
   * @default 'location'
   */
  readonly regionSetting?: string;
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
/** Who alone may import key material (the importers of a key with imported material). */
export const IMPORTER_CONTROLS = [Control.PCI_3_6_1_3, Control.NIST_AC_5];
/** Where key material, containers and audit records are. */
export const RESIDENCY_CONTROLS = [Control.NIST_SA_9_5];
export const AUDIT_CONTROLS = [Control.NIST_AU_2, Control.NIST_AU_12, Control.PCI_10_2_1, Control.HIPAA_164_312_B, Control.SOC2_CC7_2];
/**
 * What an audit sink's own log evidences (the records exist and are generated): a key's AUDIT_CONTROLS without the
 * alerting of SOC 2 CC7.2, which the sink evidences with its alerts, plus ISO 27001 A.8.15 (logging).
 */
export const AUDIT_LOGGING_CONTROLS = [Control.NIST_AU_2, Control.NIST_AU_12, Control.PCI_10_2_1, Control.HIPAA_164_312_B, Control.ISO_A_8_15];

/**
 * A fact that holds when the construct has a sentence of evidence for it (separation of duties, dual control): the
 * setting, what it is when held, and what each cloud says when it is not.
 */
export function evidencedFact(setting: string, evidence: string | undefined, held: string, missing: { value: string; description: string }): KeyFact {
  return { setting, value: evidence ? held : missing.value, description: evidence ?? missing.description, satisfied: evidence !== undefined };
}

const level = (l: FipsLevel) => `FIPS 140 ${l.replace('LEVEL_', 'Level ')}`;

/**
 * What the custody setting shows for each control it bears on. One setting (AWS `Origin`, Azure `key_type`, Google
 * `protection_level`) answers several questions, and each control is given the answer to its own: where the material is
 * stored, where it was generated, whether it can leave, whether the module's validation is the level the profile
 * requires. What rests on the provider rather than on a setting says so.
 */
function custodyEvidence(control: Control, e: KeyEvidence): KeyFact {
  const f = e.custody;
  const held = f.satisfied !== false;
  const byok = e.model.id === DeploymentModel.BYOK.id;
  const external = e.model.id === DeploymentModel.HYOK.id;
  // Where the material is (the setting's own description) is given once, for PCI DSS 3.6.1.2 and 3.7.3; the other
  // controls' sentences say what the same setting shows for them, and the report prints the setting beside each.
  switch (control.id) {
    case Control.NIST_SC_13.id:
    case Control.NIST_SC_28_1.id:
      return {
        setting: f.setting,
        value: f.value,
        description: (e.fipsLevelDeclared
          ? `the customer declares the external key manager the setting names validated at ${level(e.fipsLevel)} (a declaration: no ` +
            'configuration shows it; check the module\'s CMVP certificate)'
          : `the module the setting names is validated at ${level(e.fipsLevel)}`) +
          `, and profile ${e.profile.name} requires ${level(e.profile.minimumFipsLevel)} or higher`,
        satisfied: held && e.profile.acceptsFipsLevel(e.fipsLevel),
      };
    case Control.PCI_3_7_1.id:
      return {
        ...f,
        description: byok ? 'generated by the customer outside the cloud and imported, wrapped (see the import evidence)'
          // A key manager outside the cloud (AWS XKS, Google EKM) makes its own keys; a customer-controlled HSM in the
          // cloud (an AWS CloudHSM key store, an Azure Managed HSM) generates them inside itself.
          : external && e.fipsLevelDeclared ? 'generated and kept by the customer\'s external key manager'
            : external ? 'generated inside the customer-controlled HSM the setting names, by its validated random number generator'
              : 'generated inside the module that holds it, by its validated random number generator',
      };
    case Control.PCI_3_7_2.id:
    case Control.SOC2_CC6_7.id:
      return {
        ...f,
        description: 'the key-management service has no operation that returns the key material in clear (a property of the service, ' +
          `not of a setting)${byok ? '; imported material arrives wrapped with a one-time public key' : ''}`,
      };
    case Control.PCI_3_6_1_4.id:
      return {
        ...f,
        description: e.fipsLevelDeclared
          ? 'the key material is kept in the external key manager the setting names; that it is kept there only is the ' +
            'customer\'s declaration (no configuration shows it)'
          : 'the key material is kept in one place only: the module the setting names',
      };
    case Control.NIST_SC_28.id:
      return { ...f, description: 'data encrypted at rest under this key depends on key material that stays in the module the setting names' };
    default:
      // PCI DSS 3.6.1.2 and 3.7.3: where the material is stored is what the setting says.
      return f;
  }
}

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
    crypto: e.crypto,
    regions: e.regions,
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
  for (const control of CUSTODY_CONTROLS) record([control], custodyEvidence(control, e));
  record(ACCESS_CONTROLS, e.separation);
  record(DUAL_CONTROL_CONTROLS, e.dualControl);
  record(AUDIT_CONTROLS, e.audit);
  if (e.regions) {
    recordResidency({ ledger: e.ledger, subject: e.subject, resource: e.resource, profile: e.profile, regions: e.regions, setting: e.regionSetting });
  }
}

/** Where something that holds key material or audit records is, for the residency evidence. */
export interface ResidencyEvidence {
  readonly ledger: EvidenceLedger;
  readonly subject: string;
  readonly resource: string;
  readonly profile: ComplianceProfile;
  /** Location names; an unresolved token stays as it is (and is never counted as allowed). */
  readonly regions: string[];
  /** @default 'location' */
  readonly setting?: string;
  /** What is there, for the sentence, e.g. `audit records`. @default 'key material' */
  readonly what?: string;
}

/**
 * Records where a key, container or audit store is against the residency controls. Only a profile that restricts
 * regions makes location a control at all: under any other, nothing is recorded (no entry that says "anywhere is
 * fine" as though it had been checked). Constructs refuse a disallowed or unknown location first (`checkResidency`),
 * so NOT_SATISFIED here means a construct recorded without checking.
 */
export function recordResidency(r: ResidencyEvidence): void {
  if (!r.profile.restrictsRegions) return;
  const outside = r.regions.filter((region) => !r.profile.allowsRegion(region));
  const where = r.regions.join(', ');
  for (const control of RESIDENCY_CONTROLS) {
    r.ledger.record({
      control,
      status: outside.length === 0 && r.regions.length > 0 ? EvidenceStatus.SATISFIED : EvidenceStatus.NOT_SATISFIED,
      subject: r.subject,
      resource: r.resource,
      setting: r.setting ?? 'location',
      value: where,
      description: `${r.what ?? 'key material'} in ${where || 'no recorded location'}; profile ${r.profile.name} allows only ` +
        `${r.profile.allowedRegions.join(', ')}${outside.length ? ` (outside: ${outside.join(', ')})` : ''}`,
    });
  }
}
