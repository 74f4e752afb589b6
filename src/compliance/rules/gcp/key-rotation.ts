import { ROTATION_CONTROLS } from '../../../core/key-evidence';
import { finding, KmsRule, secondsAsDays, tfResources, variableMaxDays } from '../rule';

/** Cloud KMS rotates symmetric keys within the profile's period and CIS Google Cloud 1.10's 90 days. */
export const KeyRotation: KmsRule = {
  id: 'CloudKms-GcpKeyRotation',
  cloud: 'gcp',
  description: 'symmetric crypto keys rotate automatically within 90 days (CIS 1.10) and the profile\'s cryptoperiod',
  controls: ROTATION_CONTROLS,
  evaluate(json, { profile }) {
    const keys = tfResources(json, 'google_kms_crypto_key');
    if (keys.length === 0) return [finding(this.id, 'configuration', undefined, 'no crypto keys')];
    const limit = Math.min(90, profile.maxRotationDays);
    return keys.map(([name, k]) => {
      if ((k.purpose ?? 'ENCRYPT_DECRYPT') !== 'ENCRYPT_DECRYPT' || k.import_only || k.skip_initial_version_creation) {
        return finding(this.id, name, undefined, 'Cloud KMS cannot rotate this key itself (asymmetric, imported or external)');
      }
      const days = secondsAsDays(k.rotation_period);
      const bound = days === undefined ? variableMaxDays(json, k.rotation_period) : undefined;
      if (bound) {
        const within = bound.maxDays <= limit;
        return finding(this.id, name, within, `rotates every ${bound.variable} days, validated to at most ${bound.maxDays}${within ? '' : `, over ${limit}`}`);
      }
      const ok = days !== undefined && days <= limit;
      return finding(this.id, name, ok, days === undefined ? 'no rotation period' : ok ? `rotates every ${days} days` : `rotates every ${days} days, over ${limit}`);
    });
  },
};
