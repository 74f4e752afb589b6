import { Annotations, CfnResource, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Control } from '../../core/controls';
import { DeploymentModel } from '../../core/deployment-model';
import { EvidenceLedger, EvidenceStatus } from '../../core/evidence';
import { FipsLevel } from '../../core/fips';
import { ComplianceProfile } from '../../core/profile';
import { days } from '../../core/validation';
import type { IKeyAuditSink } from '../key-audit-sink';
import { AWS_KMS_FIPS_LEVEL, KeySettings } from './key-settings';

export interface KeyEvidenceFacts {
  readonly constructName: string;
  readonly model: DeploymentModel;
  readonly settings: KeySettings;
  readonly auditSink?: IKeyAuditSink;
  /** How the key policy separates duties; undefined when it does not (IAM delegation). */
  readonly separation?: string;
  /** How dual control is enforced; undefined when it is not. */
  readonly dualControl?: string;
  /**
   * FIPS 140 level of the module holding the key material.
   * @default AWS KMS HSMs, Level 3
   */
  readonly fipsLevel?: FipsLevel;
  /**
   * Where the key material comes from and who holds it, for SC-13 / PCI 3.6.1.2.
   * @default generated and held by AWS KMS
   */
  readonly custody?: { readonly setting: string; readonly value: string; readonly description: string };
  /**
   * How the key is rotated when KMS cannot rotate it automatically (imported material, external stores).
   * @default - KMS automatic rotation, or a warning that rotation is manual
   */
  readonly manualRotation?: { readonly setting: string; readonly value: string; readonly description: string };
}

/**
 * Registers an AWS KMS key in the evidence ledger with the settings that bear on each control.
 */
export function recordKeyEvidence(key: kms.Key, facts: KeyEvidenceFacts): void {
  const ledger = EvidenceLedger.of(key);
  const subject = key.node.path;
  const resource = (key.node.defaultChild as CfnResource).node.path;
  const profile: ComplianceProfile = facts.settings.profile;
  ledger.registerKey({
    path: subject,
    stack: Stack.of(key).node.path,
    cloud: 'aws',
    constructName: facts.constructName,
    model: facts.model,
    profile,
    fipsLevel: facts.fipsLevel ?? AWS_KMS_FIPS_LEVEL,
    auditSink: facts.auditSink?.node.path,
  });
  const record = (controls: Control[], status: EvidenceStatus, setting: string, value: string, description: string) => {
    for (const control of controls) {
      ledger.record({ control, status, subject, resource, setting, value, description });
    }
  };
  const satisfied = (ok: boolean) => (ok ? EvidenceStatus.SATISFIED : EvidenceStatus.NOT_SATISFIED);

  const rotationControls = [Control.NIST_SC_12, Control.NIST_800_57_CRYPTOPERIOD, Control.PCI_3_7_4, Control.ISO_A_8_24];
  const rotation = facts.settings.rotation;
  if (facts.manualRotation) {
    const m = facts.manualRotation;
    record(rotationControls, EvidenceStatus.SATISFIED, m.setting, m.value, m.description);
  } else if (rotation === undefined) {
    record(rotationControls, EvidenceStatus.NOT_SATISFIED, 'EnableKeyRotation', 'false',
      'KMS cannot rotate asymmetric or HMAC keys; rotate by creating a new key and moving the alias');
    Annotations.of(key).addWarningV2('cloud-kms-constructs:manualRotation',
      'KMS cannot rotate asymmetric or HMAC keys automatically: rotate by creating a new key and moving the alias ' +
      `within ${days(profile.maxRotationDays)} (profile ${profile.name})`);
  } else {
    const value = rotation.isUnresolved() ? Token.asString(rotation) : String(rotation.toDays());
    const ok = rotation.isUnresolved() || rotation.toDays() <= profile.maxRotationDays;
    record(rotationControls, satisfied(ok), 'RotationPeriodInDays', value, `automatic key rotation every ${value} days`);
  }

  const window = facts.settings.deletionWindow;
  const windowValue = window.isUnresolved() ? Token.asString(window) : String(window.toDays());
  const retained = facts.settings.removalPolicy === RemovalPolicy.RETAIN;
  record([Control.NIST_SC_12_1, Control.PCI_3_7_5], satisfied(retained), 'PendingWindowInDays, DeletionPolicy',
    `${windowValue}, ${retained ? 'Retain' : facts.settings.removalPolicy}`,
    `deletion waits ${windowValue} days and can be cancelled; ${retained ? 'the key is retained when its stack is deleted' : 'the key is deleted with its stack'}`);

  const custody = facts.custody ?? {
    setting: 'Origin', value: 'AWS_KMS', description: 'key material generated and held in AWS KMS HSMs (FIPS 140-3 Level 3)',
  };
  record([Control.NIST_SC_13, Control.PCI_3_6_1_2], EvidenceStatus.SATISFIED, custody.setting, custody.value, custody.description);

  const accessControls = [Control.NIST_AC_5, Control.NIST_AC_6, Control.ISO_A_5_3, Control.PCI_3_6_1, Control.PCI_3_6_1_3,
    Control.SOC2_CC6_1, Control.HIPAA_164_312_A_2_IV];
  record(accessControls, satisfied(facts.separation !== undefined), 'KeyPolicy',
    facts.separation ? 'separation of duties' : 'IAM-delegated (account root kms:*)',
    facts.separation ?? 'separation of duties not enforced: the account root holds kms:* and IAM policies decide access');

  record([Control.PCI_3_7_6], satisfied(facts.dualControl !== undefined), 'KeyPolicy',
    facts.dualControl ? 'dual control' : 'none', facts.dualControl ?? 'no dual control on destructive key operations');

  const sink = facts.auditSink;
  record([Control.NIST_AU_2, Control.NIST_AU_12, Control.PCI_10_2_1, Control.HIPAA_164_312_B, Control.SOC2_CC7_2],
    satisfied(sink !== undefined), 'auditSink', sink?.node.path ?? 'none',
    sink ? `key events recorded by the audit sink ${sink.node.path}` : 'no audit sink attached');

  if (sink) {
    const sinkRegion = Stack.of(sink).region;
    const keyRegion = Stack.of(key).region;
    if (!Token.isUnresolved(sinkRegion) && !Token.isUnresolved(keyRegion) && sinkRegion !== keyRegion) {
      Annotations.of(key).addWarningV2('cloud-kms-constructs:auditSinkRegion',
        `the audit sink is in ${sinkRegion} but this key is in ${keyRegion}: the trail records both, but KMS events ` +
        'reach EventBridge only in their own region, so this key raises no alarms; add a KeyAuditSink in its region');
    }
  }
}
