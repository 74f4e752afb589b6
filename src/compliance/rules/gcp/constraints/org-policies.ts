/*
 * The values of Google's predefined Cloud KMS organization policy constraints, derived from the compliance profile, and
 * which organisation-level guardrail stands for each rule of the Google Cloud rule pack. No cdktf here.
 *
 * @see https://cloud.google.com/kms/docs/org-policy-constraints (cloudkms.allowedProtectionLevels, gcp.resourceLocations)
 * @see https://cloud.google.com/kms/docs/control-key-destruction (cloudkms.minimumDestroyScheduledDuration, disableBeforeDestroy)
 */
import { DeploymentModel } from '../../../../core/deployment-model';
import { FipsLevel } from '../../../../core/fips';
import { ComplianceProfile } from '../../../../core/profile';
import { ValidationError } from '../../../../core/validation';

/**
 * The protection levels a profile accepts for new keys, key versions and import jobs. SOFTWARE keys are FIPS 140 Level 1
 * and HSM keys Level 3; Cloud EKM keys (EXTERNAL, EXTERNAL_VPC) hold their material in the customer's manager, whose
 * level the organisation policy cannot see, so they are allowed wherever the profile accepts HYOK.
 */
export function allowedProtectionLevels(profile: ComplianceProfile): string[] {
  const levels: string[] = [];
  if (profile.minimumFipsLevel === FipsLevel.LEVEL_1) levels.push('SOFTWARE');
  const hostedInGoogle = [DeploymentModel.PROVIDER_MANAGED, DeploymentModel.CUSTOMER_MANAGED, DeploymentModel.BYOK].some((m) => profile.allows(m));
  if (hostedInGoogle) levels.push('HSM');
  if (profile.allows(DeploymentModel.HYOK)) levels.push('EXTERNAL', 'EXTERNAL_VPC');
  return levels;
}

/**
 * cloudkms.minimumDestroyScheduledDuration takes one of a closed set of minimums as `in:<n>d`; the smallest that is at
 * least the profile's window (a larger one is stricter than the profile, never weaker).
 */
export const DESTROY_DURATION_MINIMUMS = [7, 15, 30, 60, 90, 120];

export function minimumDestroyScheduledDays(profile: ComplianceProfile): number {
  const days = DESTROY_DURATION_MINIMUMS.find((d) => d >= profile.minDeletionWindowDays);
  if (days === undefined) {
    throw new ValidationError(`profile ${profile.name} requires a ${profile.minDeletionWindowDays}-day deletion window, but ` +
      `cloudkms.minimumDestroyScheduledDuration goes up to ${DESTROY_DURATION_MINIMUMS[DESTROY_DURATION_MINIMUMS.length - 1]} days`);
  }
  return days;
}

/** What stands for a rule at organisation level, or why nothing can. */
export interface RuleCounterpart {
  /** Custom constraints generated from the rule (custom-constraints.ts). */
  readonly customConstraints: string[];
  /** Predefined constraints that enforce the same setting (`constraints/...`). */
  readonly orgPolicies: string[];
  /** Whether the IAM deny policy on `setIamPolicy` enforces part of it. */
  readonly denyPolicy: boolean;
  /** What the counterparts do not cover, or why there is none. */
  readonly gap?: string;
}

export const RULE_COUNTERPARTS: Record<string, RuleCounterpart> = {
  'CloudKms-GcpKeyRotation': {
    customConstraints: ['custom.cloudKmsRotationPeriod'],
    orgPolicies: [],
    denyPolicy: false,
    gap: 'the API does not show skip_initial_version_creation to the constraint, so a Cloud KMS-held key created without a ' +
      'first version is judged like any other (the rule skips it): the constraint is the stricter of the two',
  },
  'CloudKms-GcpKeyDestruction': {
    customConstraints: ['custom.cloudKmsDestroyScheduledDuration'],
    orgPolicies: ['constraints/cloudkms.minimumDestroyScheduledDuration', 'constraints/cloudkms.disableBeforeDestroy'],
    denyPolicy: false,
    gap: 'prevent_destroy is a Terraform setting with no resource field; Cloud KMS itself never deletes a key or key ring, ' +
      'only key versions, which the destroy window and disableBeforeDestroy govern',
  },
  'CloudKms-GcpKeyHsm': {
    customConstraints: ['custom.cloudKmsNoSoftwareKeys'],
    orgPolicies: ['constraints/cloudkms.allowedProtectionLevels'],
    denyPolicy: false,
  },
  'CloudKms-GcpKeyAlgorithm': {
    customConstraints: [],
    orgPolicies: [],
    denyPolicy: false,
    gap: 'no counterpart is generated for the profile\'s allowed algorithm families: keys made outside this app with another ' +
      'algorithm are found by the rule only when their Terraform is checked',
  },
  'CloudKms-GcpKmsIam': {
    customConstraints: [],
    orgPolicies: [],
    denyPolicy: true,
    gap: 'no constraint reads an IAM policy; the deny policy stops everyone but the deployment identity and the PAM path ' +
      'from changing key and key ring IAM, but does not judge what they write, nor grants on the project, folder or organisation',
  },
  'CloudKms-GcpDualControl': {
    customConstraints: [],
    orgPolicies: [],
    denyPolicy: true,
    gap: 'the deny policy leaves the PAM principals as the only path besides the deployment identity to change key IAM; ' +
      'the approvals are the PAM entitlement\'s, which no organisation policy can require, and a PAM principal with a standing ' +
      'administrator role is excepted all the same (deny conditions read resource tags only)',
  },
  'CloudKms-GcpAuditLogs': {
    customConstraints: [],
    orgPolicies: [],
    denyPolicy: false,
    gap: 'Data Access audit configuration is part of a project\'s IAM policy and log sinks are no Cloud KMS resource: ' +
      'no Cloud KMS custom constraint or predefined constraint can require them',
  },
  'CloudKms-GcpResidency': {
    customConstraints: [],
    orgPolicies: ['constraints/gcp.resourceLocations'],
    denyPolicy: false,
    gap: 'OrganizationGuardrails sets gcp.resourceLocations from its allowedLocations prop, not from the profile: give it the ' +
      'profile\'s allowedRegions (a value group such as in:eu-locations admits locations a strict profile does not name); the rule, ' +
      'not the constraint, refuses the global location',
  },
  'CloudKms-GcpNoKeyMaterialInOutputs': {
    customConstraints: [],
    orgPolicies: [],
    denyPolicy: false,
    gap: 'Terraform outputs and variable defaults exist only in the configuration and its state, never in Google Cloud',
  },
};
