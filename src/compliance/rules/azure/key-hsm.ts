import { FipsLevel } from '../../../core/fips';
import { HSM_CONTROLS } from '../controls';
import { finding, KmsRule, tfResources } from '../rule';

/** Where the profile requires FIPS 140 Level 3, keys are HSM-protected (RSA-HSM, EC-HSM, oct-HSM, or in a Managed HSM). */
export const KeyHsm: KmsRule = {
  id: 'CloudKms-AzureKeyHsm',
  cloud: 'azure',
  description: 'keys are HSM-protected where the profile requires FIPS 140 Level 3',
  controls: HSM_CONTROLS,
  evaluate(json, { profile }) {
    const keys = tfResources(json, 'azurerm_key_vault_key');
    if (keys.length === 0 || profile.minimumFipsLevel !== FipsLevel.LEVEL_3) {
      return [finding(this.id, 'configuration', undefined, keys.length === 0 ? 'no Key Vault keys' : `profile ${profile.name} does not require Level 3`)];
    }
    return keys.map(([name, k]) => finding(this.id, name, String(k.key_type).endsWith('-HSM'), `key type ${k.key_type}`));
  },
};
