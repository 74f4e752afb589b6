import { TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';
import { EvidenceLedger } from '../../core/evidence';
import { recordKeyEvidence } from '../../core/key-evidence';
import type { IKeyAuditSink } from '../key-audit-sink';
import { AzureKeySettings, describeRotationBound, isoDays } from './key-settings';
import { expressionText } from '../../terraform/period';

export interface AzureKeyEvidence {
  readonly key: IConstruct;
  /** The Terraform resource holding the key settings. */
  readonly resource: IConstruct;
  readonly constructName: string;
  /** The resolved settings; their kind gives the model and the FIPS level. */
  readonly settings: AzureKeySettings;
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
  const s = e.settings;
  recordKeyEvidence({
    ledger: EvidenceLedger.of(e.key),
    subject: e.key.node.path,
    resource: e.resource.node.path,
    stack: TerraformStack.of(e.key).node.path,
    cloud: 'azure',
    constructName: e.constructName,
    model: s.kind.model,
    profile: s.profile,
    fipsLevel: s.kind.fipsLevel,
    auditSink: e.auditSink?.node.path,
    parent: e.parent,
    rotation: e.manualRotation ?? {
      setting: 'rotation_policy.automatic.time_after_creation, expire_after',
      value: `${expressionText(e.key, isoDays(s.rotationDays))}, ${expressionText(e.key, isoDays(s.expireAfterDays))}`,
      description: `automatic rotation every ${s.rotationText} days${describeRotationBound(s)}; every version expires after ${s.expireAfterText} days (notice ${s.notifyBeforeDays} days before)`,
      // A token rotation is held to the variable's validated maximum, which never exceeds the profile's.
      satisfied: (s.rotationBound ? s.rotationBound.max : s.rotationDays) <= s.profile.maxRotationDays,
    },
    custody: { setting: 'key_type', value: s.keyType, description: `${e.holder} (FIPS 140 ${s.kind.fipsLevel.replace('LEVEL_', 'Level ')})` },
    separation: {
      setting: 'role assignments',
      value: e.separation ? 'separation of duties' : 'Azure RBAC, not separated',
      description: e.separation ?? 'separation of duties not enforced: whoever holds Key Vault roles on the vault decides access',
      satisfied: e.separation !== undefined,
    },
    dualControl: {
      setting: 'role_management_policy',
      value: e.dualControl ? 'approval + MFA' : 'none',
      description: e.dualControl ?? 'no dual control on key administration',
      satisfied: e.dualControl !== undefined,
    },
    audit: {
      setting: 'diagnostic setting',
      value: e.auditSink?.node.path ?? 'none',
      description: e.auditSink ? `audit logs go to ${e.auditSink.node.path}` : 'no audit sink attached',
      satisfied: e.auditSink !== undefined,
    },
  });
}
