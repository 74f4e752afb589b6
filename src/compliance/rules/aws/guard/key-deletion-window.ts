import { ComplianceProfile } from '../../../../core/profile';
import { KeyDeletionWindow } from '../key-deletion-window';
import { GuardRuleGenerator, guardHeader, guardMessage, guardRuleName } from './guard-rule';

/**
 * CloudKms-AwsKeyDeletionWindow on a deployed key. The waiting period of a scheduled deletion is an argument of
 * ScheduleKeyDeletion, not a property of the key: the CI shows only `keyState` PendingDeletion and the `deletionDate`
 * (KeyMetadata: https://docs.aws.amazon.com/kms/latest/APIReference/API_KeyMetadata.html), and Guard 2 cannot subtract
 * dates. So any scheduled deletion of a customer managed key is non-compliant (it is found within minutes of the act,
 * with at least KMS's 7-day minimum left to cancel it). `pendingDeletionWindowInDays` is in the CI, but KMS sets it
 * only on a multi-Region primary key in PendingReplicaDeletion; there it must be at least the profile's window.
 */
export const KeyDeletionWindowGuard: GuardRuleGenerator = {
  rule: KeyDeletionWindow,
  name: guardRuleName(KeyDeletionWindow.id),
  resourceTypes: ['AWS::KMS::Key'],
  notInConfigurationItem: 'the deletion window a ScheduleKeyDeletion call chose and the stack\'s DeletionPolicy are not in the AWS::KMS::Key ' +
    'configuration item: the Config rule flags every scheduled deletion instead (and a multi-Region primary key\'s window ' +
    'below the profile\'s minimum), and the window itself is refused only by a service control policy or judged at synthesis',
  describe: (profile: ComplianceProfile) => 'customer managed keys are not pending deletion, and a multi-Region primary key waits at least ' +
    `profile ${profile.name}'s ${profile.minDeletionWindowDays} days for its replicas' deletion`,
  generate(profile: ComplianceProfile): string {
    const min = profile.minDeletionWindowDays;
    return `${guardHeader(KeyDeletionWindow, profile)}rule ${this.name} when
    resourceType == "AWS::KMS::Key"
    configuration.keyManager == "CUSTOMER"
{
    configuration.keyState != "PendingDeletion"
        ${guardMessage(`${KeyDeletionWindow.id}: the key is scheduled for deletion; profile ${profile.name} keeps keys for at least ${min} days after a decision to delete, which the configuration item cannot show`)}
    when configuration.keyState == "PendingReplicaDeletion" {
        configuration.pendingDeletionWindowInDays >= ${min}
            ${guardMessage(`${KeyDeletionWindow.id}: the primary key waits fewer than profile ${profile.name}'s ${min} days`)}
    }
}
`;
  },
};
