import { KeyAlgorithm } from '../../../core/key-algorithm';
import { KEY_ALGORITHM_CONTROLS } from '../controls';
import { finding, KmsRule, tfResources } from '../rule';

/**
 * The family of an Azure `key_type`: RSA, EC or oct (AES), with or without `-HSM`; Azure has no other (no post-quantum
 * key types). Undefined for anything else, which is never taken as allowed.
 * @see https://learn.microsoft.com/azure/key-vault/keys/about-keys
 */
export function azureKeyTypeFamily(keyType: string): KeyAlgorithm | undefined {
  const base = /^(RSA|EC|oct)(-HSM)?$/.exec(keyType)?.[1];
  return base === 'RSA' ? KeyAlgorithm.RSA : base === 'EC' ? KeyAlgorithm.EC : base === 'oct' ? KeyAlgorithm.AES : undefined;
}

/** Key Vault and Managed HSM keys use only algorithm families the profile allows. */
export const KeyAlgorithmAllowed: KmsRule = {
  id: 'CloudKms-AzureKeyAlgorithm',
  cloud: 'azure',
  description: 'Key Vault and Managed HSM keys use only the algorithm families the profile allows',
  controls: KEY_ALGORITHM_CONTROLS,
  evaluate(json, { profile }) {
    const keys = tfResources(json, 'azurerm_key_vault_key', 'azurerm_key_vault_managed_hardware_security_module_key');
    const all = Object.values(KeyAlgorithm).every((f) => profile.allowsKeyAlgorithm(f));
    if (keys.length === 0 || all) {
      return [finding(this.id, 'configuration', undefined, keys.length === 0 ? 'no Key Vault keys' : `profile ${profile.name} allows every algorithm family`)];
    }
    return keys.map(([name, k]) => {
      const family = azureKeyTypeFamily(String(k.key_type));
      if (family === undefined) return finding(this.id, name, false, `key type ${k.key_type} is not one this rule can show the profile allows`);
      return finding(this.id, name, profile.allowsKeyAlgorithm(family), `key type ${k.key_type} (${family}) under profile ${profile.name}`);
    });
  },
};
