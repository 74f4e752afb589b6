import { Control } from '../../../core/controls';
import { finding, KmsRule } from '../rule';
import { kmsKeys } from './policy';

/** Deletion waits at least the profile's window and the key survives its stack's deletion. */
export const KeyDeletionWindow: KmsRule = {
  id: 'CloudKms-AwsKeyDeletionWindow',
  cloud: 'aws',
  description: 'KMS keys are retained with their stack and wait out at least the profile\'s deletion window',
  controls: [Control.NIST_SC_12_1, Control.PCI_3_7_5, Control.NIST_800_57_KEY_STATES],
  evaluate(template, { profile }) {
    return kmsKeys(template).map(([id, , r]) => {
      const days = Number(r.Properties?.PendingWindowInDays ?? 30);
      const retained = r.Type === 'Custom::CloudKmsStoreKey' || r.DeletionPolicy === 'Retain';
      const ok = days >= profile.minDeletionWindowDays && retained;
      return finding(this.id, id, ok, ok ? `${days}-day deletion window, retained` : !retained
        ? 'the key is deleted with its stack (DeletionPolicy is not Retain)'
        : `${days}-day deletion window, shorter than profile ${profile.name}'s ${profile.minDeletionWindowDays}`);
    });
  },
};
