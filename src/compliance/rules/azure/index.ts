import { AuditDiagnostics } from './audit';
import { DualControl } from './dual-control';
import { KeyAlgorithmAllowed } from './key-algorithm';
import { KeyHsm } from './key-hsm';
import { KeyRotation } from './key-rotation';
import { NoKeyMaterialInOutputs } from './no-key-material';
import { Residency } from './residency';
import { RoleSeparation } from './role-separation';
import { VaultDeletionProtection } from './vault-deletion-protection';
import { VaultNetwork } from './vault-network';
import { KmsRule } from '../rule';

export {
  AuditDiagnostics, DualControl, KeyAlgorithmAllowed, KeyHsm, KeyRotation, NoKeyMaterialInOutputs, Residency, RoleSeparation,
  VaultDeletionProtection, VaultNetwork,
};

/**
 * The Azure rules (Terraform JSON with azurerm resources), in the order the pack runs them and reports their findings. A
 * new rule is a file in this folder and its entry here; `RULES.azure` (../registry.ts) is this list.
 */
export const AZURE_RULES: KmsRule[] = [
  KeyRotation,
  VaultDeletionProtection,
  VaultNetwork,
  RoleSeparation,
  DualControl,
  KeyHsm,
  KeyAlgorithmAllowed,
  AuditDiagnostics,
  Residency,
  NoKeyMaterialInOutputs,
];
