import { ComplianceProfile } from '../../../../core/profile';
import { shown, ValidationError } from '../../../../core/validation';
import { AuditTrail } from '../audit-trail';
import { KeyConditionalGrants } from '../key-conditional-grants';
import { KeyDualControl } from '../key-dual-control';
import { KeyPolicyPrincipals } from '../key-policy-principals';
import { KeyResidency } from '../key-residency';
import { KeySeparationOfDuties } from '../key-separation-of-duties';
import { NoKeyMaterialInOutputs } from '../no-key-material';
import { GuardRuleGenerator, MAX_GUARD_POLICY_TEXT } from './guard-rule';
import { KeyAlgorithmGuard } from './key-algorithm';
import { KeyDeletionWindowGuard } from './key-deletion-window';
import { KeyRotationGuard } from './key-rotation';

export * from './guard-rule';
export { KeyAlgorithmGuard, KeyDeletionWindowGuard, KeyRotationGuard };

/** The Guard counterparts of the AWS rule pack, in the pack's order. */
export const GUARD_RULES: GuardRuleGenerator[] = [KeyRotationGuard, KeyDeletionWindowGuard, KeyAlgorithmGuard];

const KEY_POLICY_NOT_RECORDED = 'AWS Config records no key policy for AWS::KMS::Key (its configuration item has keyId, keyState, origin, ' +
  'keyManager, keySpec, deletionDate, multi-Region fields and KeyRotationStatus, per awslabs/aws-config-resource-schema)';

/**
 * The AWS rules that have no Guard counterpart, with the reason: what they judge is not in any configuration item
 * AWS Config records for the deployed resource. A deployed key policy is watched by the key-policy drift alarm
 * (PutKeyPolicy compared with the policy synthesized), not by Config.
 */
export const NOT_JUDGED_BY_CONFIG: Readonly<Record<string, string>> = {
  [KeyPolicyPrincipals.id]: `${KEY_POLICY_NOT_RECORDED}: the principals a deployed policy names cannot be read from it`,
  [KeySeparationOfDuties.id]: `${KEY_POLICY_NOT_RECORDED}: who administers and who uses a deployed key cannot be read from it`,
  [KeyConditionalGrants.id]: `${KEY_POLICY_NOT_RECORDED}, and grants are not configuration items`,
  [KeyDualControl.id]: `${KEY_POLICY_NOT_RECORDED}: the dual-control gate's statements cannot be read from it`,
  [AuditTrail.id]: 'it judges the template\'s trail and its write-once bucket together, which no single configuration item shows; ' +
    'the deployed trail is judged by the managed rules CLOUD_TRAIL_ENABLED and CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED in the same pack',
  [NoKeyMaterialInOutputs.id]: 'template outputs are not a deployed resource: there is nothing for Config to record',
  // A configuration item does carry awsRegion, but a Config rule only evaluates its own region's resources.
  [KeyResidency.id]: 'AWS Config evaluates only the resources of the region a rule is deployed in, and the conformance pack is deployed ' +
    'in the allowed regions (BaselineStackSet refuses others): a key in another region is never in its scope. The DataResidency ' +
    'service control policy of OrganizationGuardrails refuses such keys instead',
};

/** The Guard counterpart of an AWS rule-pack rule, by the rule's id; undefined when it has none. */
export function guardRuleFor(ruleId: string): GuardRuleGenerator | undefined {
  return GUARD_RULES.find((g) => g.rule.id === ruleId);
}

/**
 * The policy text of a generator for a profile, refused at synthesis when Config would refuse it at deploy time
 * (longer than CustomPolicyDetails.PolicyText's 10,000 characters).
 */
export function guardPolicyText(generator: GuardRuleGenerator, profile: ComplianceProfile): string {
  const text = generator.generate(profile);
  if (text.length > MAX_GUARD_POLICY_TEXT) {
    throw new ValidationError(`the Guard policy of ${generator.rule.id} for profile ${shown(profile.name)} must be at most ` +
      `${MAX_GUARD_POLICY_TEXT} characters (AWS Config's PolicyText limit), got ${text.length}`);
  }
  return text;
}
