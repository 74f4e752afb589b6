import { Annotations, CfnResource, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { registerAccessPolicy } from './access-policy';
import type { AuditSinkRef } from './audit-sink-ref';
import { describeDeployTimeBound } from './deploy-time-bounds';
import { awsKeyCrypto } from './key-crypto';
import { AWS_KMS_FIPS_LEVEL, KeySettings } from './key-settings';
import { regionSetting, stackRegions } from './residency';
import { DeploymentModel } from '../../core/deployment-model';
import { EvidenceLedger } from '../../core/evidence';
import { FipsLevel } from '../../core/fips';
import { KeyCryptoRecord } from '../../core/key-algorithm';
import { evidencedFact, KeyFact, recordKeyEvidence as recordCoreKeyEvidence } from '../../core/key-evidence';
import { ComplianceProfile } from '../../core/profile';
import { PROFILE_METADATA_KEY, profileRecord } from '../../core/profile-record';
import { days } from '../../core/validation';

export interface KeyEvidenceFacts {
  readonly constructName: string;
  readonly model: DeploymentModel;
  readonly settings: KeySettings;
  readonly auditSink?: AuditSinkRef;
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
   * Whether `fipsLevel` is only declared by the customer (an external key manager: no setting shows its validation).
   * @default false
   */
  readonly fipsLevelDeclared?: boolean;
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
  /** Construct path of what the key belongs to (a tenant hierarchy, a replica's primary). @default - none */
  readonly parent?: string;
  /** Regions the key material is in. @default - not recorded */
  readonly regions?: string[];
}

/**
 * Registers an AWS KMS key in the evidence ledger with the settings that bear on each control.
 */
export function recordKeyEvidence(key: kms.Key, facts: KeyEvidenceFacts): void {
  const cfnKey = key.node.defaultChild as kms.CfnKey;
  // Under dual control the key's own KeyPolicy is only its genesis policy; the policy in force is the one the gate
  // installs (Custom::CloudKmsGatedKeyPolicy, a child of the key), which is the key's policy document.
  const gated = key.node.tryFindChild('GatedPolicy') !== undefined;
  recordKmsKeyEvidence(key, cfnKey, () => (gated ? (key as unknown as { policy?: unknown }).policy : cfnKey.keyPolicy), facts);
}

/**
 * Registers any KMS key (a `kms.Key`, or a key in a custom key store made by a custom resource) in the evidence
 * ledger: the one path from an AWS key construct into core `recordKeyEvidence`.
 *
 * @param resource the CloudFormation resource that holds the key's settings
 * @param policy reads the key policy in force, at synthesis
 */
export function recordKmsKeyEvidence(key: IConstruct, resource: CfnResource, policy: () => unknown, facts: KeyEvidenceFacts): void {
  const profile: ComplianceProfile = facts.settings.profile;
  const sink = facts.auditSink;
  // `cloud-kms check` and KmsRulesPlugin read the template, not the construct tree: the key carries its own profile.
  resource.addMetadata(PROFILE_METADATA_KEY, profileRecord(profile));
  registerAccessPolicy(key, policy);
  recordCoreKeyEvidence({
    ledger: EvidenceLedger.of(key),
    subject: key.node.path,
    resource: resource.node.path,
    stack: Stack.of(key).node.path,
    cloud: 'aws',
    constructName: facts.constructName,
    model: facts.model,
    profile,
    fipsLevel: facts.fipsLevel ?? AWS_KMS_FIPS_LEVEL,
    fipsLevelDeclared: facts.fipsLevelDeclared,
    auditSink: sink?.node.path,
    parent: facts.parent,
    crypto: cryptoRecord(facts),
    // A KMS key, and a replica, are in the region of the stack that holds them.
    regions: facts.regions ?? stackRegions(key),
    regionSetting: regionSetting(key),
    rotation: rotationFact(key, facts),
    deletion: deletionFact(facts.settings),
    custody: facts.custody ?? {
      setting: 'Origin', value: 'AWS_KMS', description: 'key material generated and held in AWS KMS HSMs (FIPS 140-3 Level 3)',
    },
    separation: evidencedFact('KeyPolicy', facts.separation, 'separation of duties', {
      value: 'IAM-delegated (account root kms:*)',
      description: 'separation of duties not enforced: the account root holds kms:* and IAM policies decide access',
    }),
    dualControl: evidencedFact('KeyPolicy', facts.dualControl, 'dual control', {
      value: 'none', description: 'no dual control on destructive key operations',
    }),
    audit: {
      setting: 'auditSink',
      value: sink?.node.path ?? 'none',
      description: sink ? `key events recorded by the audit sink ${sink.node.path}` : 'no audit sink attached',
      satisfied: sink !== undefined,
    },
  });
  if (sink) warnAuditSinkRegion(key, sink);
}

/**
 * The key's cryptography, from its settings: every AWS key construct (and a replica, which records through here with its
 * primary's settings) gets one. Protection is the key's Origin; rotation the automatic period (the longest a deploy-time
 * period may be), none where KMS does not rotate the key.
 */
function cryptoRecord(facts: KeyEvidenceFacts): KeyCryptoRecord {
  const settings = facts.settings;
  const rotation = settings.rotation;
  return awsKeyCrypto({
    keySpec: settings.keySpec ?? kms.KeySpec.SYMMETRIC_DEFAULT,
    keyUsage: settings.keyUsage ?? kms.KeyUsage.ENCRYPT_DECRYPT,
    origin: facts.custody?.setting === 'Origin' ? facts.custody.value : 'AWS_KMS',
    rotationDays: rotation === undefined ? undefined : rotation.isUnresolved() ? settings.rotationBound?.max : rotation.toDays(),
  });
}

/** Rotation as the key has it: manual where KMS cannot rotate, KMS automatic rotation otherwise. */
function rotationFact(key: IConstruct, facts: KeyEvidenceFacts): KeyFact {
  const profile = facts.settings.profile;
  const rotation = facts.settings.rotation;
  if (facts.manualRotation) return facts.manualRotation;
  if (rotation === undefined) {
    Annotations.of(key).addWarningV2('cloud-kms-constructs:manualRotation',
      'KMS cannot rotate asymmetric or HMAC keys automatically: rotate by creating a new key and moving the alias ' +
      `within ${days(profile.maxRotationDays)} (profile ${profile.name})`);
    return {
      setting: 'EnableKeyRotation',
      value: 'false',
      satisfied: false,
      description: 'KMS cannot rotate asymmetric or HMAC keys; rotate by creating a new key and moving the alias',
    };
  }
  const bound = facts.settings.rotationBound;
  return bound ? {
    setting: 'RotationPeriodInDays',
    value: describeDeployTimeBound(bound),
    description: `automatic key rotation every ${bound.min} to ${bound.max} days, chosen at deploy time (parameter ${bound.parameter}); ` +
      'CloudFormation refuses any other value before it changes the key (parameter MinValue/MaxValue and a template rule)',
    satisfied: bound.max <= profile.maxRotationDays,
  } : {
    setting: 'RotationPeriodInDays',
    value: String(rotation.toDays()),
    description: `automatic key rotation every ${rotation.toDays()} days`,
    satisfied: rotation.toDays() <= profile.maxRotationDays,
  };
}

function deletionFact(settings: KeySettings): KeyFact {
  const windowBound = settings.deletionWindowBound;
  const windowValue = windowBound ? describeDeployTimeBound(windowBound) : String(settings.deletionWindow.toDays());
  const retained = settings.removalPolicy === RemovalPolicy.RETAIN;
  return {
    setting: 'PendingWindowInDays, DeletionPolicy',
    value: `${windowValue}, ${retained ? 'Retain' : settings.removalPolicy}`,
    description: `deletion waits ${windowBound ? `${windowBound.min} to ${windowBound.max} days (parameter ${windowBound.parameter}, bounded by CloudFormation before deployment)` : `${windowValue} days`} and can be cancelled; ${retained ? 'the key is retained when its stack is deleted' : 'the key is deleted with its stack'}`,
    satisfied: retained,
  };
}

function warnAuditSinkRegion(key: IConstruct, sink: AuditSinkRef): void {
  const sinkRegion = Stack.of(sink).region;
  const keyRegion = Stack.of(key).region;
  if (!Token.isUnresolved(sinkRegion) && !Token.isUnresolved(keyRegion) && sinkRegion !== keyRegion) {
    Annotations.of(key).addWarningV2('cloud-kms-constructs:auditSinkRegion',
      `the audit sink is in ${sinkRegion} but this key is in ${keyRegion}: the trail records both, but KMS events ` +
      'reach EventBridge only in their own region, so this key raises no alarms; add a KeyAuditSink in its region');
  }
}
