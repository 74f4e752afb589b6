import { Control } from './controls';
import { DeploymentModel } from './deployment-model';
import { FipsLevel } from './fips';
import { fipsLevelRank } from './fips-rank';
import { allKeyAlgorithms, KeyAlgorithm } from './key-algorithm';
import { checkRegions, normalizeRegion } from './residency';
import { requireInteger, ValidationError } from './validation';

/**
 * What a compliance profile demands of every key created under it.
 */
export interface ComplianceProfileProps {
  /** Profile name, used in errors, evidence and reports. */
  readonly name: string;

  /** Deployment models the profile accepts. */
  readonly allowedModels: DeploymentModel[];

  /** Lowest FIPS 140 level acceptable for the module that holds the key material. */
  readonly minimumFipsLevel: FipsLevel;

  /**
   * Longest rotation period (cryptoperiod of a key version) in days.
   * Days rather than a `Duration` so the model stays cloud-neutral; constructs take `Duration`.
   */
  readonly maxRotationDays: number;

  /** Shortest deletion (pending / soft-delete / destroy-scheduled) window in days. */
  readonly minDeletionWindowDays: number;

  /** Whether every key must name an audit sink. */
  readonly auditSinkRequired: boolean;

  /** Whether the audit sink must be write-once (WORM, compliance-mode retention). */
  readonly immutableAuditRequired: boolean;

  /** How long audit records must be kept, in days. */
  readonly auditRetentionDays: number;

  /** Whether administrators, users and auditors must be distinct identities with disjoint permissions. */
  readonly separationOfDutiesRequired: boolean;

  /**
   * Whether destructive key operations need two or more named approvers with MFA
   * (PCI DSS v4.0 3.6.1.2 / 3.7.6).
   */
  readonly dualControlRequired: boolean;

  /**
   * Controls the profile requires evidence for.
   * @default - none
   */
  readonly requiredControls?: Control[];

  /**
   * Data residency: the only locations where key material, key containers (key rings, vaults, HSMs, key stores),
   * replicas and audit records may be, in each cloud's own names (`eu-west-1`, `westeurope`, `europe-west1`, and on
   * Google the multi-region and dual-region locations `europe`, `eur4`). One list may name locations of all three
   * clouds; each construct checks its own location against it at synthesis.
   * @default - anywhere
   */
  readonly allowedRegions?: string[];

  /**
   * The algorithm families keys may use (e.g. only the post-quantum ML-DSA for signing keys under a CNSA 2.0
   * profile of your own).
   * @default - every family
   */
  readonly allowedKeyAlgorithms?: KeyAlgorithm[];
}

/**
 * Options for `ComplianceProfile.custom()`: a name plus any figure to set.
 * Figures not given come from `basedOn`.
 */
export interface CustomComplianceProfileProps {
  /** Profile name. */
  readonly name: string;
  /**
   * The profile whose figures apply where this one sets none.
   * @default ComplianceProfile.COMMERCIAL
   */
  readonly basedOn?: ComplianceProfile;
  /** @default - from `basedOn` */
  readonly allowedModels?: DeploymentModel[];
  /** @default - from `basedOn` */
  readonly minimumFipsLevel?: FipsLevel;
  /** @default - from `basedOn` */
  readonly maxRotationDays?: number;
  /** @default - from `basedOn` */
  readonly minDeletionWindowDays?: number;
  /** @default - from `basedOn` */
  readonly auditSinkRequired?: boolean;
  /** @default - from `basedOn` */
  readonly immutableAuditRequired?: boolean;
  /** @default - from `basedOn` */
  readonly auditRetentionDays?: number;
  /** @default - from `basedOn` */
  readonly separationOfDutiesRequired?: boolean;
  /** @default - from `basedOn` */
  readonly dualControlRequired?: boolean;
  /** @default - from `basedOn` */
  readonly requiredControls?: Control[];
  /** @default - from `basedOn` */
  readonly allowedRegions?: string[];
  /** @default - from `basedOn` */
  readonly allowedKeyAlgorithms?: KeyAlgorithm[];
}

const REGULATED = [DeploymentModel.CUSTOMER_MANAGED, DeploymentModel.BYOK, DeploymentModel.HYOK];
const FEDRAMP_AUDIT_RETENTION_DAYS = 913; // OMB M-21-31: 12 months active + 18 months cold storage

const FEDRAMP_MODERATE_CONTROLS = [
  Control.NIST_AC_5, Control.NIST_AC_6, Control.NIST_AU_2, Control.NIST_AU_6, Control.NIST_AU_9, Control.NIST_AU_9_4,
  Control.NIST_AU_11, Control.NIST_AU_12, Control.NIST_SC_12, Control.NIST_SC_13, Control.NIST_SC_28, Control.NIST_SC_28_1,
];
const FEDRAMP_HIGH_CONTROLS = [...FEDRAMP_MODERATE_CONTROLS, Control.NIST_AU_9_2, Control.NIST_SC_12_1];
/**
 * FedRAMP requires FIPS-validated cryptography (SC-13), and SM2 is not a FIPS-approved algorithm (FIPS 186-5 approves
 * RSA, ECDSA over NIST curves and EdDSA; FIPS 204/205 ML-DSA and SLH-DSA; FIPS 203 ML-KEM).
 */
const FIPS_APPROVED_ALGORITHMS = allKeyAlgorithms().filter((a) => a !== KeyAlgorithm.SM2);

/**
 * A compliance profile: the rules every key made under it must follow.
 *
 * Built-ins cover the common regimes; `ComplianceProfile.custom()` derives your own.
 * The README lists every figure with its source.
 */
export class ComplianceProfile {
  /** No regulatory regime: every model, audit optional, provider-default rotation. */
  public static readonly COMMERCIAL = new ComplianceProfile({
    name: 'COMMERCIAL',
    allowedModels: DeploymentModel.all(),
    minimumFipsLevel: FipsLevel.LEVEL_1,
    maxRotationDays: 365,
    minDeletionWindowDays: 7,
    auditSinkRequired: false,
    immutableAuditRequired: false,
    auditRetentionDays: 90,
    separationOfDutiesRequired: false,
    dualControlRequired: false,
    requiredControls: [],
  });

  /** SOC 2 (Trust Services Criteria CC6.1, CC7.2). */
  public static readonly SOC2 = new ComplianceProfile({
    name: 'SOC2',
    allowedModels: REGULATED,
    minimumFipsLevel: FipsLevel.LEVEL_1,
    maxRotationDays: 365,
    minDeletionWindowDays: 30,
    auditSinkRequired: true,
    immutableAuditRequired: false,
    auditRetentionDays: 365,
    separationOfDutiesRequired: true,
    dualControlRequired: false,
    requiredControls: [Control.SOC2_CC6_1, Control.SOC2_CC6_7, Control.SOC2_CC7_2],
  });

  /** HIPAA Security Rule (45 CFR 164.312(a)(2)(iv), 164.312(b); records kept six years, 164.316(b)(2)). */
  public static readonly HIPAA = new ComplianceProfile({
    name: 'HIPAA',
    allowedModels: REGULATED,
    minimumFipsLevel: FipsLevel.LEVEL_1,
    maxRotationDays: 365,
    minDeletionWindowDays: 30,
    auditSinkRequired: true,
    immutableAuditRequired: true,
    auditRetentionDays: 2190,
    separationOfDutiesRequired: true,
    dualControlRequired: false,
    requiredControls: [Control.HIPAA_164_312_A_2_IV, Control.HIPAA_164_312_B],
  });

  /** PCI DSS v4.0 requirements 3.6–3.7 and 10. */
  public static readonly PCI_DSS = new ComplianceProfile({
    name: 'PCI_DSS',
    allowedModels: REGULATED,
    minimumFipsLevel: FipsLevel.LEVEL_2,
    maxRotationDays: 365,
    minDeletionWindowDays: 30,
    auditSinkRequired: true,
    immutableAuditRequired: true,
    auditRetentionDays: 365,
    separationOfDutiesRequired: true,
    dualControlRequired: true,
    requiredControls: [
      Control.PCI_3_6_1, Control.PCI_3_6_1_1, Control.PCI_3_6_1_2, Control.PCI_3_6_1_3, Control.PCI_3_6_1_4,
      Control.PCI_3_7_1, Control.PCI_3_7_2, Control.PCI_3_7_3, Control.PCI_3_7_4, Control.PCI_3_7_5, Control.PCI_3_7_6, Control.PCI_3_7_7,
      Control.PCI_10_2_1, Control.PCI_10_3_2, Control.PCI_10_3_4, Control.PCI_10_5_1,
    ],
  });

  /** FedRAMP Moderate baseline (NIST SP 800-53 Rev. 5). */
  public static readonly FEDRAMP_MODERATE = new ComplianceProfile({
    name: 'FEDRAMP_MODERATE',
    allowedModels: REGULATED,
    minimumFipsLevel: FipsLevel.LEVEL_1,
    maxRotationDays: 365,
    minDeletionWindowDays: 30,
    auditSinkRequired: true,
    immutableAuditRequired: true,
    auditRetentionDays: FEDRAMP_AUDIT_RETENTION_DAYS,
    separationOfDutiesRequired: true,
    dualControlRequired: false,
    requiredControls: FEDRAMP_MODERATE_CONTROLS,
    allowedKeyAlgorithms: FIPS_APPROVED_ALGORITHMS,
  });

  /** FedRAMP High baseline: customer-held key material (BYOK or HYOK) in FIPS 140 Level 3 modules. */
  public static readonly FEDRAMP_HIGH = new ComplianceProfile({
    name: 'FEDRAMP_HIGH',
    allowedModels: [DeploymentModel.BYOK, DeploymentModel.HYOK],
    minimumFipsLevel: FipsLevel.LEVEL_3,
    maxRotationDays: 365,
    minDeletionWindowDays: 30,
    auditSinkRequired: true,
    immutableAuditRequired: true,
    auditRetentionDays: FEDRAMP_AUDIT_RETENTION_DAYS,
    separationOfDutiesRequired: true,
    dualControlRequired: false,
    requiredControls: FEDRAMP_HIGH_CONTROLS,
    allowedKeyAlgorithms: FIPS_APPROVED_ALGORITHMS,
  });

  /** Sovereign data: key material held outside the provider (HYOK), dual control, Level 3. */
  public static readonly SOVEREIGN = new ComplianceProfile({
    name: 'SOVEREIGN',
    allowedModels: [DeploymentModel.HYOK],
    minimumFipsLevel: FipsLevel.LEVEL_3,
    maxRotationDays: 365,
    minDeletionWindowDays: 30,
    auditSinkRequired: true,
    immutableAuditRequired: true,
    auditRetentionDays: FEDRAMP_AUDIT_RETENTION_DAYS,
    separationOfDutiesRequired: true,
    dualControlRequired: true,
    requiredControls: [...FEDRAMP_HIGH_CONTROLS, Control.ISO_A_5_3, Control.ISO_A_8_15, Control.ISO_A_8_24],
    allowedKeyAlgorithms: FIPS_APPROVED_ALGORITHMS,
  });

  /** Every built-in profile. */
  public static builtIns(): ComplianceProfile[] {
    return [
      ComplianceProfile.COMMERCIAL, ComplianceProfile.SOC2, ComplianceProfile.HIPAA, ComplianceProfile.PCI_DSS,
      ComplianceProfile.FEDRAMP_MODERATE, ComplianceProfile.FEDRAMP_HIGH, ComplianceProfile.SOVEREIGN,
    ];
  }

  /**
   * A profile of your own, starting from `basedOn` (default COMMERCIAL).
   */
  public static custom(props: CustomComplianceProfileProps): ComplianceProfile {
    // The report, `cloud-kms check` and KmsRulesPlugin know a built-in profile by its name: a custom profile under that
    // name (weaker figures, same label) would be judged, and shown, as the regime it is not.
    const clash = ComplianceProfile.builtIns().find((p) => p.name === String(props.name ?? '').toUpperCase().replace(/-/g, '_'));
    if (clash) {
      throw new ValidationError(`name of a custom profile must not be a built-in profile's name, got '${props.name}' (the name of ` +
        `ComplianceProfile.${clash.name}): choose a name of your own, e.g. '${clash.name}_ACME'`);
    }
    const base = props.basedOn ?? ComplianceProfile.COMMERCIAL;
    return new ComplianceProfile({
      name: props.name,
      allowedModels: props.allowedModels ?? base.allowedModels,
      minimumFipsLevel: props.minimumFipsLevel ?? base.minimumFipsLevel,
      maxRotationDays: props.maxRotationDays ?? base.maxRotationDays,
      minDeletionWindowDays: props.minDeletionWindowDays ?? base.minDeletionWindowDays,
      auditSinkRequired: props.auditSinkRequired ?? base.auditSinkRequired,
      immutableAuditRequired: props.immutableAuditRequired ?? base.immutableAuditRequired,
      auditRetentionDays: props.auditRetentionDays ?? base.auditRetentionDays,
      separationOfDutiesRequired: props.separationOfDutiesRequired ?? base.separationOfDutiesRequired,
      dualControlRequired: props.dualControlRequired ?? base.dualControlRequired,
      requiredControls: props.requiredControls ?? base.requiredControls,
      allowedRegions: props.allowedRegions ?? base.allowedRegions,
      allowedKeyAlgorithms: props.allowedKeyAlgorithms ?? base.allowedKeyAlgorithms,
    });
  }

  public readonly name: string;
  public readonly allowedModels: DeploymentModel[];
  public readonly minimumFipsLevel: FipsLevel;
  public readonly maxRotationDays: number;
  public readonly minDeletionWindowDays: number;
  public readonly auditSinkRequired: boolean;
  public readonly immutableAuditRequired: boolean;
  public readonly auditRetentionDays: number;
  public readonly separationOfDutiesRequired: boolean;
  public readonly dualControlRequired: boolean;
  public readonly requiredControls: Control[];
  /** Locations keys, containers, replicas and audit records may be in (normalized: lower case, no spaces); empty: anywhere. */
  public readonly allowedRegions: string[];
  public readonly allowedKeyAlgorithms: KeyAlgorithm[];

  private constructor(props: ComplianceProfileProps) {
    if (!props.name || !/^[A-Za-z0-9_.-]+$/.test(props.name)) {
      throw new ValidationError(`profile name must be letters, digits, '_', '.' or '-', got '${props.name}'`);
    }
    if (props.allowedModels.length === 0) {
      throw new ValidationError(`allowedModels of profile ${props.name} must name at least one deployment model, got none`);
    }
    requireInteger('maxRotationDays', props.maxRotationDays, 1, 36500);
    requireInteger('minDeletionWindowDays', props.minDeletionWindowDays, 0, 3650);
    requireInteger('auditRetentionDays', props.auditRetentionDays, 1, 36500);
    if (props.immutableAuditRequired && !props.auditSinkRequired) {
      throw new ValidationError(`profile ${props.name} requires an immutable audit sink, so auditSinkRequired must be true, got false`);
    }
    if (props.dualControlRequired && !props.separationOfDutiesRequired) {
      throw new ValidationError(`profile ${props.name} requires dual control, so separationOfDutiesRequired must be true, got false`);
    }
    this.name = props.name;
    this.allowedModels = [...props.allowedModels];
    this.minimumFipsLevel = props.minimumFipsLevel;
    this.maxRotationDays = props.maxRotationDays;
    this.minDeletionWindowDays = props.minDeletionWindowDays;
    this.auditSinkRequired = props.auditSinkRequired;
    this.immutableAuditRequired = props.immutableAuditRequired;
    this.auditRetentionDays = props.auditRetentionDays;
    this.separationOfDutiesRequired = props.separationOfDutiesRequired;
    this.dualControlRequired = props.dualControlRequired;
    this.requiredControls = [...(props.requiredControls ?? [])];
    this.allowedRegions = checkRegions(props.name, props.allowedRegions ?? []);
    this.allowedKeyAlgorithms = [...(props.allowedKeyAlgorithms ?? allKeyAlgorithms())];
    if (this.allowedKeyAlgorithms.length === 0) {
      throw new ValidationError(`allowedKeyAlgorithms of profile ${props.name} must name at least one algorithm family, got none`);
    }
  }

  /**
   * Whether the profile lets key material, a key container, a replica or audit records be in `region` (a location
   * name of any cloud, compared without case or spaces: Azure's `West Europe` is `westeurope`).
   */
  public allowsRegion(region: string): boolean {
    return this.allowedRegions.length === 0 || this.allowedRegions.includes(normalizeRegion(region));
  }

  /** Whether the profile restricts where keys and audit records may be. */
  public get restrictsRegions(): boolean {
    return this.allowedRegions.length > 0;
  }

  /** Whether keys of the algorithm family are allowed. */
  public allowsKeyAlgorithm(algorithm: KeyAlgorithm): boolean {
    return this.allowedKeyAlgorithms.includes(algorithm);
  }

  /** Whether the profile accepts the deployment model. */
  public allows(model: DeploymentModel): boolean {
    return this.allowedModels.some((m) => m.id === model.id);
  }

  /** Whether a module validated at `level` is good enough for this profile. */
  public acceptsFipsLevel(level: FipsLevel): boolean {
    return fipsLevelRank(level) >= fipsLevelRank(this.minimumFipsLevel);
  }

  public toString(): string {
    return this.name;
  }
}

