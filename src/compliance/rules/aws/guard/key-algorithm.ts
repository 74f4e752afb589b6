import { AWS_KEY_SPECS } from '../../../../aws/key-specs';
import { KeyAlgorithm } from '../../../../core/key-algorithm';
import { ComplianceProfile } from '../../../../core/profile';
import { KeyAlgorithmAllowed } from '../key-algorithm';
import { GuardRuleGenerator, guardHeader, guardMessage, guardRuleName } from './guard-rule';

/** The KMS key specs of the algorithm families the profile allows. */
function allowedSpecs(profile: ComplianceProfile): string[] {
  return Object.entries(AWS_KEY_SPECS).filter(([, facts]) => profile.allowsKeyAlgorithm(facts.algorithm)).map(([spec]) => spec);
}

/**
 * CloudKms-AwsKeyAlgorithm on a deployed key: the CI's `keySpec` (custom key store keys record SYMMETRIC_DEFAULT, as the
 * rule pack reads its store keys) must be a spec of a family the profile allows. AWS managed keys are not the
 * customer's choice and are skipped. A CI recorded before KMS reported keySpec counts as SYMMETRIC_DEFAULT, as a
 * template without KeySpec does.
 */
export const KeyAlgorithmGuard: GuardRuleGenerator = {
  rule: KeyAlgorithmAllowed,
  name: guardRuleName(KeyAlgorithmAllowed.id),
  resourceTypes: ['AWS::KMS::Key'],
  describe: (profile: ComplianceProfile) => `customer managed keys use key specs of the algorithm families profile ${profile.name} allows ` +
    `(${profile.allowedKeyAlgorithms.join(', ')})`,
  generate(profile: ComplianceProfile): string {
    const specs = allowedSpecs(profile);
    const message = guardMessage(`${KeyAlgorithmAllowed.id}: the key spec is of an algorithm family profile ${profile.name} does not allow ` +
      `(it allows ${profile.allowedKeyAlgorithms.join(', ')})`);
    // A profile whose families KMS has no spec for (SLH-DSA or ML-KEM only) allows no KMS key at all.
    const check = specs.length === 0 ? 'configuration.keySpec == "NO_KMS_KEY_SPEC_ALLOWED"'
      : `${profile.allowsKeyAlgorithm(KeyAlgorithm.AES) ? 'configuration.keySpec not exists or ' : ''}configuration.keySpec in [${specs.map((s) => `"${s}"`).join(', ')}]`;
    return `${guardHeader(KeyAlgorithmAllowed, profile)}rule ${this.name} when
    resourceType == "AWS::KMS::Key"
    configuration.keyManager == "CUSTOMER"
{
    ${check}
        ${message}
}
`;
  },
};
