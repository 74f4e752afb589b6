/*
 * The one path of a Google Cloud key's evidence into core `recordKeyEvidence`: every key construct (external-store keys
 * and Autokey handles included) records through here, so the cloud, stack, ledger and the ring's deployment custodian
 * and access matrix are set in one place.
 */
import { TerraformResource, TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';
import { registerGcpAccessMatrix } from './access-matrix';
import { gcpKeyCrypto } from './key-crypto';
import { describeRotationBound, GcpKeySettings } from './key-settings';
import { DeploymentModel } from '../../core/deployment-model';
import { EvidenceLedger, EvidenceStatus } from '../../core/evidence';
import { evidencedFact, KeyEvidence, KeyFact, recordKeyEvidence, RESIDENCY_CONTROLS } from '../../core/key-evidence';
import type { ComplianceProfile } from '../../core/profile';
import { expressionText } from '../../terraform/period';
import type { IKeyAuditSink } from '../key-audit-sink';
import type { KeyRing } from '../key-ring';
import { ProtectionLevel } from '../key-spec';
import { checkGcpResidency, gcpRegions } from './residency';

/** How key administration is held behind a second person when the ring has approvers. */
const RING_DUAL_CONTROL = 'key administration is just in time: each grant needs an approver and a justification (Privileged Access Manager)';

/** The dual control of keys in `ring`: the ring's just-in-time administration, or undefined without approvers. */
export function ringDualControl(ring: KeyRing): string | undefined {
  return ring.dualControl ? RING_DUAL_CONTROL : undefined;
}

/** What a Google key records, every fact given (keys whose settings Google chooses: Autokey); the rest is set here. */
export interface GcpKeyFacts extends Omit<KeyEvidence, 'ledger' | 'subject' | 'resource' | 'stack' | 'cloud' | 'auditSink'> {
  /** The key construct whose path is the evidence's subject. */
  readonly key: IConstruct;
  /** The construct that holds the settings. */
  readonly resource: IConstruct;
  readonly auditSink?: IKeyAuditSink;
  /** The key ring: its deployment identity is the key's deployment custodian, and the key gets an access matrix. */
  readonly ring?: KeyRing;
  /** Whether duties are separated on the key (the access matrix keeps a "not separated" record otherwise). */
  readonly separated?: boolean;
}

/** Registers a Google key's facts in the evidence ledger: the one call into core `recordKeyEvidence` for Google Cloud. */
export function recordGcpKeyFacts(f: GcpKeyFacts): void {
  const { key, resource, auditSink, ring, separated, ...facts } = f;
  // Every Google key records here: the key's own profile is held against its ring's location once, for all of them
  // (a shared ring may have been made under another profile).
  if (ring) checkGcpResidency(facts.profile, 'keyRing', ring.location, `${key.node.path} (in ${ring.node.path})`);
  recordKeyEvidence({
    regions: ring ? gcpRegions(ring.location) : undefined,
    regionSetting: ring ? `location of key ring ${ring.node.path}` : undefined,
    ...facts,
    ledger: EvidenceLedger.of(key),
    subject: key.node.path,
    resource: resource.node.path,
    stack: TerraformStack.of(key).node.path,
    cloud: 'gcp',
    auditSink: auditSink?.node.path,
  });
  if (ring) {
    // Terraform creates every IAM binding of the key: whoever it runs as can change who may use it.
    EvidenceLedger.of(key).addCustodian(key.node.path, ring._deployer);
    registerGcpAccessMatrix(key, resource as TerraformResource, ring._deployer, separated === true);
  }
}

/** What a key construct records: its settings, and how custody, separation and dual control hold for it. */
export interface GcpKeyEvidence {
  readonly key: IConstruct;
  readonly resource: IConstruct;
  readonly constructName: string;
  readonly model: DeploymentModel;
  readonly settings: GcpKeySettings;
  readonly holder: string;
  readonly auditSink?: IKeyAuditSink;
  readonly parent?: string;
  /** The key ring: its deployment identity is the key's deployment custodian, and the key gets an access matrix. */
  readonly ring?: KeyRing;
  /** How duties are separated, or undefined when they are not. */
  readonly separation?: string;
  /** How dual control is enforced, or undefined. */
  readonly dualControl?: string;
  /** Replaces the rotation evidence when Cloud KMS cannot rotate the key. */
  readonly manualRotation?: KeyFact;
}

/** Registers a Cloud KMS key in the evidence ledger with the settings that bear on each control. */
export function recordGcpKeyEvidence(e: GcpKeyEvidence): void {
  const s = e.settings;
  // EXTERNAL and EXTERNAL_VPC keys: the level is the customer's declaration of their key manager (fipsLevelOf).
  const declared = s.protectionLevel === ProtectionLevel.EXTERNAL || s.protectionLevel === ProtectionLevel.EXTERNAL_VPC;
  recordGcpKeyFacts({
    key: e.key,
    resource: e.resource,
    constructName: e.constructName,
    model: e.model,
    profile: s.profile,
    fipsLevel: s.fipsLevel,
    fipsLevelDeclared: declared,
    // A plan-time (token) rotation has no one number of days: the record leaves it out rather than guess.
    crypto: gcpKeyCrypto(s.algorithm, s.protectionLevel, s.rotationPeriod && !s.rotationBound ? s.rotationDays : undefined),
    auditSink: e.auditSink,
    parent: e.parent,
    rotation: e.manualRotation ?? rotationFact(e.key, s),
    deletion: {
      setting: 'destroy_scheduled_duration, prevent_destroy',
      value: `${s.destroyScheduledDuration}, true`,
      description: `a destroyed version stays restorable for ${s.destroyDays} days; Terraform refuses to destroy the key`,
    },
    custody: {
      setting: 'version_template.protection_level',
      value: s.protectionLevel,
      description: `${e.holder} (FIPS 140 ${s.fipsLevel.replace('LEVEL_', 'Level ')}` +
        `${declared ? ', as the customer declares it' : ''})`,
    },
    separation: evidencedFact('IAM bindings', e.separation, 'separation of duties', {
      value: 'project IAM, not separated',
      description: 'separation of duties not enforced: whoever holds Cloud KMS roles on the project decides access',
    }),
    dualControl: evidencedFact('privileged access manager entitlement', e.dualControl, 'approval + justification', {
      value: 'none', description: 'no dual control on key administration',
    }),
    audit: {
      setting: 'audit config and log sink',
      value: e.auditSink?.node.path ?? 'none',
      description: e.auditSink ? `Cloud KMS Admin Activity and Data Access logs go to ${e.auditSink.node.path}` : 'no audit sink attached',
      satisfied: e.auditSink !== undefined,
    },
    ring: e.ring,
    separated: e.separation !== undefined,
  });
  if (declared && e.ring) recordExternalResidency(e.key, e.ring, s.profile);
}

/**
 * The residency of an EKM key or store is only partly shown: the ring and the Cloud KMS side are in the ring's location,
 * the material in the customer's external key manager, whose location no configuration shows. For a key, replaces the
 * fact core recorded from the ring's location (same subject, control and setting).
 */
export function recordExternalResidency(key: IConstruct, ring: KeyRing, profile: ComplianceProfile): void {
  if (!profile.restrictsRegions) return;
  for (const control of RESIDENCY_CONTROLS) {
    EvidenceLedger.of(key).record({
      control,
      status: EvidenceStatus.PARTIALLY_SATISFIED,
      subject: key.node.path,
      resource: ring.ring.node.path,
      setting: `location of key ring ${ring.node.path}`,
      value: ring.location,
      description: `the Cloud KMS side of the key is in ${ring.location} (allowed by profile ${profile.name}); the key material is in the ` +
        'external key manager, whose location the configuration does not show: the assessor checks it there',
    });
  }
}

/** Automatic rotation by Cloud KMS, or none where Cloud KMS cannot rotate the key's purpose. */
function rotationFact(key: IConstruct, s: GcpKeySettings): KeyFact {
  if (!s.rotationPeriod) {
    return {
      setting: 'rotation_period',
      value: 'none',
      satisfied: false,
      description: `Cloud KMS cannot rotate ${s.purpose} keys: add a version every ${s.rotationText} days${describeRotationBound(s)} and move users to it`,
    };
  }
  return {
    setting: 'rotation_period',
    value: s.rotationBound ? expressionText(key, s.rotationPeriod) : s.rotationPeriod,
    description: `Cloud KMS creates a new primary version every ${s.rotationText} days${describeRotationBound(s)}`,
    // A token rotation is held to the variable's validated maximum, which never exceeds the profile's.
    satisfied: s.rotationBound ? true : s.rotationDays <= s.profile.maxRotationDays,
  };
}
