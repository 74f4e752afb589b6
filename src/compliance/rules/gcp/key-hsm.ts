import { FipsLevel } from '../../../core/fips';
import { HSM_CONTROLS } from '../controls';
import { finding, KmsRule, tfResources } from '../rule';

/** Where the profile requires FIPS 140 Level 3, keys are HSM or external (Cloud EKM). */
export const KeyHsm: KmsRule = {
  id: 'CloudKms-GcpKeyHsm',
  cloud: 'gcp',
  description: 'crypto keys are HSM or EXTERNAL where the profile requires FIPS 140 Level 3',
  controls: HSM_CONTROLS,
  evaluate(json, { profile }) {
    const keys = tfResources(json, 'google_kms_crypto_key');
    if (keys.length === 0 || profile.minimumFipsLevel !== FipsLevel.LEVEL_3) {
      return [finding(this.id, 'configuration', undefined, keys.length === 0 ? 'no crypto keys' : `profile ${profile.name} does not require Level 3`)];
    }
    return keys.map(([name, k]) => {
      const level = String((Array.isArray(k.version_template) ? k.version_template[0] : k.version_template)?.protection_level ?? 'SOFTWARE');
      return finding(this.id, name, level !== 'SOFTWARE', `protection level ${level}`);
    });
  },
};
