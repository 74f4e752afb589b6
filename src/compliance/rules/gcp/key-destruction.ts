import { DELETION_CONTROLS } from '../../../core/key-evidence';
import { finding, KmsRule, secondsAsDays, tfResources } from '../rule';

/** Destroyed versions stay restorable at least the profile's window, and Terraform will not destroy the key. */
export const KeyDestruction: KmsRule = {
  id: 'CloudKms-GcpKeyDestruction',
  cloud: 'gcp',
  description: 'destroy_scheduled_duration is at least the profile\'s deletion window, and keys and rings have prevent_destroy',
  controls: DELETION_CONTROLS,
  evaluate(json, { profile }) {
    const keys = tfResources(json, 'google_kms_crypto_key');
    if (keys.length === 0) return [finding(this.id, 'configuration', undefined, 'no crypto keys')];
    return keys.map(([name, k]) => {
      const days = secondsAsDays(k.destroy_scheduled_duration ?? '2592000s') ?? 0;
      const kept = k.lifecycle?.prevent_destroy === true;
      const ok = days >= profile.minDeletionWindowDays && kept;
      return finding(this.id, name, ok, ok ? `${days}-day destroy window, prevent_destroy` : !kept
        ? 'Terraform may destroy the key (no prevent_destroy)' : `${days}-day destroy window, shorter than ${profile.minDeletionWindowDays}`);
    });
  },
};
