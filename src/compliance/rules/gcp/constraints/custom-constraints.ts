/*
 * The Google Cloud rule pack's rules as Organization Policy custom constraints on Cloud KMS resources, so the judgement
 * the pack makes on a Terraform plan is also made by Google on every create and update of a key in the organisation.
 * Thresholds come from the compliance profile, as in the rules. No cdktf here: the rule pack and its tests read this too.
 *
 * Custom constraints support cloudkms.googleapis.com/CryptoKey (and KeyHandle, AutokeyConfig, CryptoKeyVersion,
 * EkmConnection, EkmConfig, ImportJob): https://cloud.google.com/kms/docs/custom-org-policies
 * The CEL condition sees the resource as the Cloud KMS API defines it (camelCase fields; durations as CEL durations, enums
 * as their names): https://cloud.google.com/kms/docs/reference/rest/v1/projects.locations.keyRings.cryptoKeys
 * A condition that is true denies the request (actionType DENY); a condition is at most 1000 characters.
 */
import { Control } from '../../../../core/controls';
import { FipsLevel } from '../../../../core/fips';
import { ComplianceProfile } from '../../../../core/profile';
import { KeyDestruction } from '../key-destruction';
import { KeyHsm } from '../key-hsm';
import { KeyRotation } from '../key-rotation';

/** One custom constraint, as `google_org_policy_custom_constraint` takes it, with the rule it mirrors. */
export interface KmsCustomConstraint {
  /**
   * The constraint's name in the organisation: its family and the profile's name (letters and digits), since its
   * condition carries the profile's figures and two profiles' guardrails may share an organisation.
   */
  readonly name: string;
  /** The same for every profile (`custom.cloudKmsRotationPeriod`): what RULE_COUNTERPARTS names. */
  readonly family: string;
  /** The rule-pack rule whose judgement it repeats (`CloudKms-Gcp...`). */
  readonly ruleId: string;
  readonly resourceTypes: string[];
  readonly methodTypes: string[];
  readonly condition: string;
  readonly actionType: 'DENY';
  readonly displayName: string;
  readonly description: string;
  /** The rule's own controls: the constraint enforces what the rule checks. */
  readonly controls: Control[];
}

export const CRYPTO_KEY = 'cloudkms.googleapis.com/CryptoKey';

/** The API's destroy-scheduled duration when a key is created without one (the rule pack assumes the same). */
export const DEFAULT_DESTROY_DAYS = 30;

/** CIS Google Cloud 1.10: symmetric keys rotate within 90 days; the rule pack holds every profile to it. */
const CIS_ROTATION_DAYS = 90;

/** Google caps a custom constraint's name (after `organizations/<id>/customConstraints/`) at 70 characters. */
const MAX_NAME = 70;

function named(family: string, profile: ComplianceProfile): { name: string; family: string } {
  return { family, name: `${family}${profile.name.replace(/[^A-Za-z0-9]/g, '')}`.slice(0, MAX_NAME) };
}

const seconds = (days: number) => `duration("${days * 86400}s")`;

/** Keys Cloud KMS does not rotate itself: imported-only keys and Cloud EKM keys (the rule's not-applicable cases). */
const NOT_ROTATED = '(has(resource.importOnly) && resource.importOnly) || (has(resource.versionTemplate) && '
  + 'has(resource.versionTemplate.protectionLevel) && resource.versionTemplate.protectionLevel in ["EXTERNAL", "EXTERNAL_VPC"])';

/** CloudKms-GcpKeyRotation: a symmetric key Cloud KMS rotates has a rotation period within min(90, maxRotationDays). */
function rotation(profile: ComplianceProfile): KmsCustomConstraint {
  const limit = Math.min(CIS_ROTATION_DAYS, profile.maxRotationDays);
  return {
    ...named('custom.cloudKmsRotationPeriod', profile),
    ruleId: KeyRotation.id,
    resourceTypes: [CRYPTO_KEY],
    methodTypes: ['CREATE', 'UPDATE'],
    condition: `(!has(resource.purpose) || resource.purpose == "ENCRYPT_DECRYPT") && !(${NOT_ROTATED}) && `
      + `(!has(resource.rotationPeriod) || resource.rotationPeriod > ${seconds(limit)})`,
    actionType: 'DENY',
    displayName: `Cloud KMS symmetric keys rotate within ${limit} days`,
    description: `Refuses a symmetric Cloud KMS key without automatic rotation or rotating less often than every ${limit} days `
      + `(profile ${profile.name}, CIS Google Cloud 1.10). Imported-only and Cloud EKM keys are exempt, as in the rule pack.`,
    controls: KeyRotation.controls,
  };
}

/** CloudKms-GcpKeyDestruction (its window half): the destroy-scheduled duration is at least minDeletionWindowDays. */
function destroyWindow(profile: ComplianceProfile): KmsCustomConstraint {
  const min = profile.minDeletionWindowDays;
  const shorter = `resource.destroyScheduledDuration < ${seconds(min)}`;
  // Without a value the API applies its 30-day default: refused only where the profile asks for more.
  const condition = min > DEFAULT_DESTROY_DAYS ? `!has(resource.destroyScheduledDuration) || ${shorter}` : `has(resource.destroyScheduledDuration) && ${shorter}`;
  return {
    ...named('custom.cloudKmsDestroyScheduledDuration', profile),
    ruleId: KeyDestruction.id,
    resourceTypes: [CRYPTO_KEY],
    methodTypes: ['CREATE', 'UPDATE'],
    condition,
    actionType: 'DENY',
    displayName: `Cloud KMS key versions stay restorable at least ${min} days`,
    description: `Refuses a Cloud KMS key whose destroy-scheduled duration is shorter than ${min} days (profile ${profile.name}).`,
    controls: KeyDestruction.controls,
  };
}

/** CloudKms-GcpKeyHsm: where the profile requires FIPS 140 Level 3, no SOFTWARE keys (the API's default level). */
function hsm(profile: ComplianceProfile): KmsCustomConstraint {
  return {
    ...named('custom.cloudKmsNoSoftwareKeys', profile),
    ruleId: KeyHsm.id,
    resourceTypes: [CRYPTO_KEY],
    methodTypes: ['CREATE', 'UPDATE'],
    condition: '!has(resource.versionTemplate) || !has(resource.versionTemplate.protectionLevel) || resource.versionTemplate.protectionLevel == "SOFTWARE"',
    actionType: 'DENY',
    displayName: 'Cloud KMS keys are HSM or external',
    description: `Refuses a Cloud KMS key with the SOFTWARE protection level (FIPS 140 Level 1): profile ${profile.name} requires Level 3.`,
    controls: KeyHsm.controls,
  };
}

/** The custom constraints the profile calls for, generated from the rule pack's rules. */
export function kmsCustomConstraints(profile: ComplianceProfile): KmsCustomConstraint[] {
  const out = [rotation(profile), destroyWindow(profile)];
  if (profile.minimumFipsLevel === FipsLevel.LEVEL_3) out.push(hsm(profile));
  return out;
}
