import { TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';
import { Control } from '../../core/controls';
import { DeploymentModel } from '../../core/deployment-model';
import { EvidenceLedger, EvidenceStatus } from '../../core/evidence';
import { FipsLevel } from '../../core/fips';
import type { IKeyAuditSink } from '../key-audit-sink';
import { AzureKeySettings } from './key-settings';

export interface AzureKeyEvidence {
  readonly key: IConstruct;
  /** The Terraform resource holding the key settings. */
  readonly resource: IConstruct;
  readonly constructName: string;
  readonly model: DeploymentModel;
  readonly settings: AzureKeySettings;
  readonly fipsLevel: FipsLevel;
  readonly holder: string;
  readonly auditSink?: IKeyAuditSink;
  readonly parent?: string;
  /** How duties are separated, or undefined when they are not. */
  readonly separation?: string;
  /** How dual control is enforced, or undefined. */
  readonly dualControl?: string;
  /** Replaces the rotation evidence when the key rotates by re-import. */
  readonly manualRotation?: { readonly setting: string; readonly value: string; readonly description: string };
}

/** Registers an Azure key in the evidence ledger with the settings that bear on each control. */
export function recordAzureKeyEvidence(e: AzureKeyEvidence): void {
  const ledger = EvidenceLedger.of(e.key);
  const subject = e.key.node.path;
  const resource = e.resource.node.path;
  const s = e.settings;
  ledger.registerKey({
    path: subject,
    stack: TerraformStack.of(e.key).node.path,
    cloud: 'azure',
    constructName: e.constructName,
    model: e.model,
    profile: s.profile,
    fipsLevel: e.fipsLevel,
    auditSink: e.auditSink?.node.path,
    parent: e.parent,
  });
  const record = (controls: Control[], status: EvidenceStatus, setting: string, value: string, description: string) => {
    for (const control of controls) ledger.record({ control, status, subject, resource, setting, value, description });
  };
  const ok = (b: boolean) => (b ? EvidenceStatus.SATISFIED : EvidenceStatus.NOT_SATISFIED);
  const rotationControls = [Control.NIST_SC_12, Control.NIST_800_57_CRYPTOPERIOD, Control.PCI_3_7_4, Control.ISO_A_8_24];
  if (e.manualRotation) {
    record(rotationControls, EvidenceStatus.SATISFIED, e.manualRotation.setting, e.manualRotation.value, e.manualRotation.description);
  } else {
    record(rotationControls, ok(s.rotationDays <= s.profile.maxRotationDays), 'rotation_policy.automatic.time_after_creation, expire_after',
      `P${s.rotationDays}D, P${s.expireAfterDays}D`,
      `automatic rotation every ${s.rotationDays} days; every version expires after ${s.expireAfterDays} days (notice ${s.notifyBeforeDays} days before)`);
  }
  record([Control.NIST_SC_13, Control.PCI_3_6_1_2], EvidenceStatus.SATISFIED, 'key_type', s.keyType,
    `${e.holder} (FIPS 140 ${e.fipsLevel.replace('LEVEL_', 'Level ')})`);
  const accessControls = [Control.NIST_AC_5, Control.NIST_AC_6, Control.ISO_A_5_3, Control.PCI_3_6_1, Control.PCI_3_6_1_3,
    Control.SOC2_CC6_1, Control.HIPAA_164_312_A_2_IV];
  record(accessControls, ok(e.separation !== undefined), 'role assignments', e.separation ? 'separation of duties' : 'Azure RBAC, not separated',
    e.separation ?? 'separation of duties not enforced: whoever holds Key Vault roles on the vault decides access');
  record([Control.PCI_3_7_6], ok(e.dualControl !== undefined), 'role_management_policy', e.dualControl ? 'approval + MFA' : 'none',
    e.dualControl ?? 'no dual control on key administration');
  record([Control.NIST_AU_2, Control.NIST_AU_12, Control.PCI_10_2_1, Control.HIPAA_164_312_B, Control.SOC2_CC7_2], ok(e.auditSink !== undefined),
    'diagnostic setting', e.auditSink?.node.path ?? 'none', e.auditSink ? `audit logs go to ${e.auditSink.node.path}` : 'no audit sink attached');
}
