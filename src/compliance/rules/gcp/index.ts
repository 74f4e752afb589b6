import { AuditLogs } from './audit';
import { DualControl } from './dual-control';
import { KmsIam } from './iam';
import { KeyAlgorithmAllowed } from './key-algorithm';
import { KeyDestruction } from './key-destruction';
import { KeyHsm } from './key-hsm';
import { KeyRotation } from './key-rotation';
import { NoKeyMaterialInOutputs } from './no-key-material';
import { Residency } from './residency';
import { KmsRule } from '../rule';

export { AuditLogs, DualControl, KeyAlgorithmAllowed, KmsIam, KeyDestruction, KeyHsm, KeyRotation, NoKeyMaterialInOutputs, Residency };

/**
 * The Google Cloud rules (Terraform JSON with google resources), in the order the pack runs them and reports their
 * findings. A new rule is a file in this folder and its entry here; `RULES.gcp` (../registry.ts) is this list.
 */
export const GCP_RULES: KmsRule[] = [
  KeyRotation,
  KeyDestruction,
  KmsIam,
  DualControl,
  KeyHsm,
  KeyAlgorithmAllowed,
  AuditLogs,
  Residency,
  NoKeyMaterialInOutputs,
];
