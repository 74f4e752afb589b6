import { DELETION_CONTROLS } from '../../../core/key-evidence';
import { finding, KmsRule } from '../rule';
import { describeTemplateNumber, templateNumber } from './deploy-time';
import { kmsKeys } from './policy';

/** Deletion waits at least the profile's window and the key survives its stack's deletion. */
export const KeyDeletionWindow: KmsRule = {
  id: 'CloudKms-AwsKeyDeletionWindow',
  cloud: 'aws',
  description: 'KMS keys are retained with their stack and wait out at least the profile\'s deletion window',
  controls: DELETION_CONTROLS,
  evaluate(template, { profile, siblings }) {
    return kmsKeys(template).map(([id, , r]) => {
      const window = templateNumber(template, r.Properties?.PendingWindowInDays ?? 30, siblings);
      const shortest = window.kind === 'literal' ? window.value : window.kind === 'parameter' ? window.min : undefined;
      const retained = r.Type === 'Custom::CloudKmsStoreKey' || r.DeletionPolicy === 'Retain';
      const long = shortest !== undefined && shortest >= profile.minDeletionWindowDays;
      const ok = long && retained;
      const shown = window.kind === 'literal' ? `${window.value}-day deletion window` : `deletion window of ${describeTemplateNumber(window, 'days')}`;
      return finding(this.id, id, ok, ok ? `${shown}, retained` : !retained
        ? 'the key is deleted with its stack (DeletionPolicy is not Retain)'
        : window.kind === 'literal' ? `${shown}, shorter than profile ${profile.name}'s ${profile.minDeletionWindowDays}`
          : `${shown}, which may be shorter than profile ${profile.name}'s ${profile.minDeletionWindowDays} days`);
    });
  },
};
