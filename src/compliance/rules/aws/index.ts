import { AuditTrail } from './audit-trail';
import { KeyAlgorithmAllowed } from './key-algorithm';
import { KeyConditionalGrants } from './key-conditional-grants';
import { KeyDeletionWindow } from './key-deletion-window';
import { KeyDualControl } from './key-dual-control';
import { KeyPolicyPrincipals } from './key-policy-principals';
import { KeyResidency } from './key-residency';
import { KeyRotation } from './key-rotation';
import { KeySeparationOfDuties } from './key-separation-of-duties';
import { NoKeyMaterialInOutputs } from './no-key-material';
import { KmsRule } from '../rule';

export {
  AuditTrail, KeyAlgorithmAllowed, KeyConditionalGrants, KeyDeletionWindow, KeyDualControl, KeyPolicyPrincipals, KeyResidency, KeyRotation,
  KeySeparationOfDuties,
  NoKeyMaterialInOutputs,
};

/**
 * The AWS rules (CloudFormation templates), in the order the pack runs them and reports their findings. A new rule is a
 * file in this folder and its entry here; `RULES.aws` (../registry.ts) is this list.
 */
export const AWS_RULES: KmsRule[] = [
  KeyRotation,
  KeyDeletionWindow,
  KeyPolicyPrincipals,
  KeySeparationOfDuties,
  KeyConditionalGrants,
  KeyDualControl,
  KeyAlgorithmAllowed,
  AuditTrail,
  NoKeyMaterialInOutputs,
  KeyResidency,
];
