import { ComplianceProfile } from '../../../../core/profile';
import { KeyRotation } from '../key-rotation';
import { GuardRuleGenerator, guardHeader, guardMessage, guardRuleName } from './guard-rule';

/**
 * CloudKms-AwsKeyRotation on a deployed key. The rule pack treats imported (Origin EXTERNAL), custom-key-store and
 * asymmetric or HMAC keys as not applicable (KMS cannot rotate them); the `when` conditions skip the same keys, which
 * Config reports as not applicable. The CI carries `supplementaryConfiguration.KeyRotationStatus` (a boolean in the
 * resource schema; the ConfigurationItem API types supplementary values as strings, so both spellings count) but not
 * the rotation period: the profile's maximum period is judged at synthesis only.
 */
export const KeyRotationGuard: GuardRuleGenerator = {
  rule: KeyRotation,
  name: guardRuleName(KeyRotation.id),
  resourceTypes: ['AWS::KMS::Key'],
  notInConfigurationItem: 'the rotation period (RotationPeriodInDays) is not in the AWS::KMS::Key configuration item, so the profile\'s ' +
    'maximum period is judged at synthesis only; the Config rule detects automatic rotation switched off',
  describe: (profile: ComplianceProfile) => 'customer managed symmetric encryption keys with KMS-generated material keep automatic rotation on ' +
    `(profile ${profile.name} rotates at least every ${profile.maxRotationDays} days)`,
  generate(profile: ComplianceProfile): string {
    // keySpec and keyUsage are absent from CIs recorded before KMS reported them; the rule pack reads a missing
    // KeySpec/KeyUsage as the symmetric default too.
    return `${guardHeader(KeyRotation, profile)}rule ${this.name} when
    resourceType == "AWS::KMS::Key"
    configuration.keyManager == "CUSTOMER"
    configuration.origin == "AWS_KMS"
    configuration.keySpec not exists or configuration.keySpec == "SYMMETRIC_DEFAULT"
    configuration.keyUsage not exists or configuration.keyUsage == "ENCRYPT_DECRYPT"
{
    supplementaryConfiguration.KeyRotationStatus == true or
    supplementaryConfiguration.KeyRotationStatus == "true"
        ${guardMessage(`${KeyRotation.id}: automatic rotation is off; profile ${profile.name} requires rotation at least every ${profile.maxRotationDays} days`)}
}
`;
  },
};
