import { Control } from '../../core/controls';

/*
 * Control lists that several rules share and core has none for. Where core has the list (core/key-evidence.ts:
 * ROTATION_CONTROLS, DELETION_CONTROLS, DUAL_CONTROL_CONTROLS, ...), rules use core's as it is.
 */

/**
 * The Azure and Google audit-log rules: audit logs on and routed (AU-2, AU-12, PCI DSS 10.2.1, HIPAA 164.312(b)) and
 * write-once where the profile requires it (AU-9(4), PCI DSS 10.3.2). Not core's AUDIT_CONTROLS: the rules see no
 * alerting (SOC 2 CC7.2), and they do see whether the logs are write-once.
 */
export const AUDIT_LOG_CONTROLS = [Control.NIST_AU_2, Control.NIST_AU_12, Control.PCI_10_2_1, Control.HIPAA_164_312_B, Control.NIST_AU_9_4,
  Control.PCI_10_3_2];

/** The Azure and Google HSM rules: the part of core's CUSTODY_CONTROLS a key's protection level shows. */
export const HSM_CONTROLS = [Control.NIST_SC_13, Control.PCI_3_6_1_2, Control.NIST_SC_28_1];

/** The no-key-material-in-outputs rules of every cloud. */
export const NO_KEY_MATERIAL_CONTROLS = [Control.NIST_SC_12, Control.PCI_3_6_1, Control.NIST_SC_28];

/**
 * The key-algorithm rules of every cloud (the profile's allowed algorithm families): the cryptography in use is what
 * the profile approves (SC-13), keys are established under its key-management requirements (SC-12), and use follows
 * its rules on the use of cryptography (ISO/IEC 27001 A.8.24).
 */
export const KEY_ALGORITHM_CONTROLS = [Control.NIST_SC_13, Control.NIST_SC_12, Control.ISO_A_8_24];
