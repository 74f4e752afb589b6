import { KmsCryptoKey } from '@cdktf/provider-google/lib/kms-crypto-key';
import { KmsCryptoKeyIamMember } from '@cdktf/provider-google/lib/kms-crypto-key-iam-member';
import { TerraformResource, TerraformStack } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { registerGcpAccessMatrix } from './access-matrix';
import { memberKey } from '../custodians';
import { describeRotationBound, GcpKeySettings, requireKmsName } from './key-settings';
import { DeploymentModel } from '../../core/deployment-model';
import { EvidenceLedger } from '../../core/evidence';
import { KeyFact, recordKeyEvidence } from '../../core/key-evidence';
import { stableGuid } from '../../core/naming';
import { expressionText } from '../../terraform/period';
import type { IKeyAuditSink } from '../key-audit-sink';
import type { KeyRing } from '../key-ring';
import { ProtectionLevel } from '../key-spec';

export interface CryptoKeyOptions {
  /** Key material comes later (import or external versions): no first version, and for imports `import_only`. */
  readonly importOnly?: boolean;
  readonly skipInitialVersionCreation?: boolean;
  /** The EKM connection of an EXTERNAL_VPC key. */
  readonly cryptoKeyBackend?: string;
  /** Construct id of the key resource. @default 'Resource' */
  readonly id?: string;
}

/** A crypto key in a ring, with the settings resolved for it and `prevent_destroy`. */
export function createCryptoKey(scope: Construct, ring: KeyRing, name: string, s: GcpKeySettings, options: CryptoKeyOptions = {}): KmsCryptoKey {
  requireKmsName('keyName', name);
  return new KmsCryptoKey(scope, options.id ?? 'Resource', {
    name,
    keyRing: ring.keyRingId,
    purpose: s.purpose,
    versionTemplate: { algorithm: s.algorithm, protectionLevel: s.protectionLevel },
    rotationPeriod: s.rotationPeriod,
    destroyScheduledDuration: s.destroyScheduledDuration,
    importOnly: options.importOnly,
    skipInitialVersionCreation: options.skipInitialVersionCreation,
    cryptoKeyBackend: options.cryptoKeyBackend,
    labels: s.labels,
    lifecycle: { preventDestroy: true },
  });
}

/** An additive IAM binding of one role for one member on one key (never authoritative, so other bindings stay). */
export function bindKeyRole(scope: Construct, key: KmsCryptoKey, role: string, member: string, kind: string): KmsCryptoKeyIamMember {
  const id = `${kind}${stableGuid(role, memberKey(member)).slice(0, 8)}`;
  // Granting the same role to the same member again (a grant method called twice) is the binding that exists.
  const existing = scope.node.tryFindChild(id);
  if (existing instanceof KmsCryptoKeyIamMember) return existing;
  return new KmsCryptoKeyIamMember(scope, id, { cryptoKeyId: key.id, role, member });
}

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
  const rotation: KeyFact = e.manualRotation ?? (s.rotationPeriod
    ? {
      setting: 'rotation_period',
      value: s.rotationBound ? expressionText(e.key, s.rotationPeriod) : s.rotationPeriod,
      description: `Cloud KMS creates a new primary version every ${s.rotationText} days${describeRotationBound(s)}`,
      // A token rotation is held to the variable's validated maximum, which never exceeds the profile's.
      satisfied: s.rotationBound ? true : s.rotationDays <= s.profile.maxRotationDays,
    }
    : {
      setting: 'rotation_period',
      value: 'none',
      satisfied: false,
      description: `Cloud KMS cannot rotate ${s.purpose} keys: add a version every ${s.rotationText} days${describeRotationBound(s)} and move users to it`,
    });
  // EXTERNAL and EXTERNAL_VPC keys: the level is the customer's declaration of their key manager (fipsLevelOf).
  const declared = s.protectionLevel === ProtectionLevel.EXTERNAL || s.protectionLevel === ProtectionLevel.EXTERNAL_VPC;
  recordKeyEvidence({
    ledger: EvidenceLedger.of(e.key),
    subject: e.key.node.path,
    resource: e.resource.node.path,
    stack: TerraformStack.of(e.key).node.path,
    cloud: 'gcp',
    constructName: e.constructName,
    model: e.model,
    profile: s.profile,
    fipsLevel: s.fipsLevel,
    fipsLevelDeclared: declared,
    auditSink: e.auditSink?.node.path,
    parent: e.parent,
    rotation,
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
    separation: {
      setting: 'IAM bindings',
      value: e.separation ? 'separation of duties' : 'project IAM, not separated',
      description: e.separation ?? 'separation of duties not enforced: whoever holds Cloud KMS roles on the project decides access',
      satisfied: e.separation !== undefined,
    },
    dualControl: {
      setting: 'privileged access manager entitlement',
      value: e.dualControl ? 'approval + justification' : 'none',
      description: e.dualControl ?? 'no dual control on key administration',
      satisfied: e.dualControl !== undefined,
    },
    audit: {
      setting: 'audit config and log sink',
      value: e.auditSink?.node.path ?? 'none',
      description: e.auditSink ? `Cloud KMS Admin Activity and Data Access logs go to ${e.auditSink.node.path}` : 'no audit sink attached',
      satisfied: e.auditSink !== undefined,
    },
  });
  if (e.ring) {
    // Terraform creates every IAM binding of the key: whoever it runs as can change who may use it.
    EvidenceLedger.of(e.key).addCustodian(e.key.node.path, e.ring._deployer);
    registerGcpAccessMatrix(e.key, e.resource as TerraformResource, e.ring._deployer, e.separation !== undefined);
  }
}
