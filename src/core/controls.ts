/**
 * Frameworks whose controls the evidence ledger refers to.
 */
export enum ControlFramework {
  NIST_800_53_R5 = 'NIST SP 800-53 Rev. 5',
  NIST_800_57 = 'NIST SP 800-57 Part 1 Rev. 5',
  PCI_DSS_4 = 'PCI DSS v4.0',
  HIPAA = 'HIPAA Security Rule',
  ISO_27001_2022 = 'ISO/IEC 27001:2022',
  SOC2 = 'SOC 2 (2017 TSC)',
}

/**
 * A control of a compliance framework that a construct can produce evidence for.
 *
 * Open set: `Control.of(...)` describes a control the catalogue does not carry.
 */
export class Control {
  // NIST SP 800-53 Rev. 5
  public static readonly NIST_AC_5 = new Control(ControlFramework.NIST_800_53_R5, 'AC-5', 'Separation of Duties',
    'no identity both administers and uses a key; auditors are read-only');
  public static readonly NIST_AC_6 = new Control(ControlFramework.NIST_800_53_R5, 'AC-6', 'Least Privilege',
    'key access granted to named principals for the operations they need, no wildcard principals');
  public static readonly NIST_AU_2 = new Control(ControlFramework.NIST_800_53_R5, 'AU-2', 'Event Logging',
    'key management and use events are logged');
  public static readonly NIST_AU_6 = new Control(ControlFramework.NIST_800_53_R5, 'AU-6', 'Audit Record Review, Analysis, and Reporting',
    'critical key events raise an alert to a monitored topic');
  public static readonly NIST_AU_9 = new Control(ControlFramework.NIST_800_53_R5, 'AU-9', 'Protection of Audit Information',
    'audit records are encrypted and integrity-validated');
  public static readonly NIST_AU_9_2 = new Control(ControlFramework.NIST_800_53_R5, 'AU-9(2)', 'Store on Separate Physical Systems or Components',
    'audit records are delivered to a store separate from the logged system');
  public static readonly NIST_AU_9_4 = new Control(ControlFramework.NIST_800_53_R5, 'AU-9(4)', 'Access by Subset of Privileged Users',
    'audit records are write-once and readable by auditors');
  public static readonly NIST_AU_11 = new Control(ControlFramework.NIST_800_53_R5, 'AU-11', 'Audit Record Retention',
    'audit records are retained for the period the profile requires');
  public static readonly NIST_AU_12 = new Control(ControlFramework.NIST_800_53_R5, 'AU-12', 'Audit Record Generation',
    'audit records are generated in every region');
  // FedRAMP assigns SA-9(5) for data location (High: U.S. jurisdiction); the profile's allowedRegions is the assignment.
  public static readonly NIST_SA_9_5 = new Control(ControlFramework.NIST_800_53_R5, 'SA-9(5)', 'Processing, Storage, and Service Location',
    'key material, key containers and audit records are only in the locations the profile allows');
  public static readonly NIST_SC_12 = new Control(ControlFramework.NIST_800_53_R5, 'SC-12', 'Cryptographic Key Establishment and Management',
    'keys are generated in the KMS and rotated within the profile period');
  public static readonly NIST_SC_12_1 = new Control(ControlFramework.NIST_800_53_R5, 'SC-12(1)', 'Availability',
    'keys are retained on stack deletion and deletion waits out a recovery window');
  public static readonly NIST_SC_13 = new Control(ControlFramework.NIST_800_53_R5, 'SC-13', 'Cryptographic Protection',
    'key material is held in a module validated at the FIPS 140 level the profile requires');
  public static readonly NIST_SC_28 = new Control(ControlFramework.NIST_800_53_R5, 'SC-28', 'Protection of Information at Rest',
    'data at rest is encrypted under a key this library manages, and no template or output holds key material');
  public static readonly NIST_SC_28_1 = new Control(ControlFramework.NIST_800_53_R5, 'SC-28(1)', 'Cryptographic Protection',
    'the key protecting data at rest is held in a validated cryptographic module');

  // NIST SP 800-57
  public static readonly NIST_800_57_CRYPTOPERIOD = new Control(ControlFramework.NIST_800_57, '5.3', 'Cryptoperiods',
    'the key has a defined cryptoperiod enforced by rotation');
  public static readonly NIST_800_57_KEY_STATES = new Control(ControlFramework.NIST_800_57, '7', 'Key states and transitions',
    'a key moves from active to deactivated (disabled) to destroyed only through a scheduled, recoverable deletion window');

  // PCI DSS v4.0
  public static readonly PCI_3_6_1 = new Control(ControlFramework.PCI_DSS_4, '3.6.1', 'Procedures to protect cryptographic keys',
    'key access restricted by a documented key policy');
  public static readonly PCI_3_6_1_1 = new Control(ControlFramework.PCI_DSS_4, '3.6.1.1', 'Documented description of the cryptographic architecture',
    'the compliance report: every key, its model, custody, profile, custodians and the settings behind each control');
  public static readonly PCI_3_6_1_2 = new Control(ControlFramework.PCI_DSS_4, '3.6.1.2', 'Secret keys stored in a secure cryptographic device',
    'key material held in an HSM');
  public static readonly PCI_3_6_1_3 = new Control(ControlFramework.PCI_DSS_4, '3.6.1.3', 'Access restricted to the fewest custodians',
    'key administration limited to named custodians');
  public static readonly PCI_3_6_1_4 = new Control(ControlFramework.PCI_DSS_4, '3.6.1.4', 'Keys stored in the fewest possible locations',
    'key material exists only inside the key-management HSMs (or the customer\'s external key manager)');
  public static readonly PCI_3_7_1 = new Control(ControlFramework.PCI_DSS_4, '3.7.1', 'Generation of strong keys',
    'keys generated inside a validated HSM, or imported under a documented ceremony');
  public static readonly PCI_3_7_2 = new Control(ControlFramework.PCI_DSS_4, '3.7.2', 'Secure key distribution',
    'key material never leaves the HSM in clear; imports are wrapped with a one-time public key');
  public static readonly PCI_3_7_3 = new Control(ControlFramework.PCI_DSS_4, '3.7.3', 'Secure key storage',
    'key material stored only in the HSM or external key manager');
  public static readonly PCI_3_7_4 = new Control(ControlFramework.PCI_DSS_4, '3.7.4', 'Key changes at the end of the cryptoperiod',
    'automatic rotation within the defined cryptoperiod');
  public static readonly PCI_3_7_5 = new Control(ControlFramework.PCI_DSS_4, '3.7.5', 'Retirement, replacement or destruction of keys',
    'deletion only through a scheduled, cancellable window');
  public static readonly PCI_3_7_6 = new Control(ControlFramework.PCI_DSS_4, '3.7.6', 'Split knowledge and dual control',
    'destructive key operations limited to two or more named approvers with MFA');
  public static readonly PCI_3_7_7 = new Control(ControlFramework.PCI_DSS_4, '3.7.7', 'Prevention of unauthorized substitution of keys',
    'only named administrators may change a key\'s policy or material, and they cannot use the key');
  public static readonly PCI_3_7_8 = new Control(ControlFramework.PCI_DSS_4, '3.7.8', 'Custodians acknowledge their responsibilities',
    'procedural: custodians sign for their role (the report lists who holds which role)');
  public static readonly PCI_3_7_9 = new Control(ControlFramework.PCI_DSS_4, '3.7.9', 'Guidance for keys shared with customers',
    'procedural, for service providers that share keys with their customers');
  public static readonly PCI_10_2_1 = new Control(ControlFramework.PCI_DSS_4, '10.2.1', 'Audit logs enabled',
    'key events captured in an audit trail');
  public static readonly PCI_10_3_2 = new Control(ControlFramework.PCI_DSS_4, '10.3.2', 'Audit logs protected from modification',
    'write-once audit storage');
  public static readonly PCI_10_3_4 = new Control(ControlFramework.PCI_DSS_4, '10.3.4', 'Change detection on audit logs',
    'log file integrity validation');
  public static readonly PCI_10_5_1 = new Control(ControlFramework.PCI_DSS_4, '10.5.1', 'Audit log history retained for 12 months',
    'audit retention of at least 365 days');

  // HIPAA Security Rule (45 CFR 164)
  public static readonly HIPAA_164_312_A_2_IV = new Control(ControlFramework.HIPAA, '164.312(a)(2)(iv)', 'Encryption and decryption',
    'ePHI keys under documented access control');
  public static readonly HIPAA_164_312_B = new Control(ControlFramework.HIPAA, '164.312(b)', 'Audit controls',
    'key activity recorded and examinable');

  // ISO/IEC 27001:2022 Annex A
  public static readonly ISO_A_5_3 = new Control(ControlFramework.ISO_27001_2022, 'A.5.3', 'Segregation of duties',
    'conflicting key roles held by different identities');
  public static readonly ISO_A_8_15 = new Control(ControlFramework.ISO_27001_2022, 'A.8.15', 'Logging',
    'key events logged, protected and retained');
  public static readonly ISO_A_8_24 = new Control(ControlFramework.ISO_27001_2022, 'A.8.24', 'Use of cryptography',
    'key lifecycle (generation, rotation, destruction) under policy');

  // SOC 2
  public static readonly SOC2_CC6_1 = new Control(ControlFramework.SOC2, 'CC6.1', 'Logical access security',
    'key access restricted to authorized custodians');
  public static readonly SOC2_CC6_7 = new Control(ControlFramework.SOC2, 'CC6.7', 'Restriction of information transmission and removal',
    'key material cannot be exported from the key-management service; use is over authenticated, encrypted APIs');
  public static readonly SOC2_CC7_2 = new Control(ControlFramework.SOC2, 'CC7.2', 'System monitoring',
    'anomalous key events detected and alerted');

  /**
   * A control the catalogue does not carry.
   */
  public static of(framework: string, controlId: string, title: string, evidence: string): Control {
    return new Control(framework, controlId, title, evidence);
  }

  /** Stable identifier: framework and control id, e.g. `NIST SP 800-53 Rev. 5 SC-12`. */
  public readonly id: string;

  private constructor(
    /** The framework that defines the control. */
    public readonly framework: string,
    /** The control's identifier inside its framework. */
    public readonly controlId: string,
    /** The control's title. */
    public readonly title: string,
    /** What evidence satisfies the control, in one line. */
    public readonly evidence: string,
  ) {
    this.id = `${framework} ${controlId}`;
  }

  public toString(): string {
    return this.id;
  }
}
