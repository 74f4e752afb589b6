import { ROTATION_CONTROLS } from '../../../core/key-evidence';
import { finding, isoDays, KmsRule, tfResources, variableMaxDays } from '../rule';

/** Keys rotate automatically within the profile's period (rotation policy). */
export const KeyRotation: KmsRule = {
  id: 'CloudKms-AzureKeyRotation',
  cloud: 'azure',
  description: 'Key Vault and Managed HSM keys have an automatic rotation policy within the profile\'s cryptoperiod',
  controls: ROTATION_CONTROLS,
  evaluate(json, { profile }) {
    const keys = tfResources(json, 'azurerm_key_vault_key', 'azurerm_key_vault_managed_hardware_security_module_key');
    if (keys.length === 0) return [finding(this.id, 'configuration', undefined, 'no keys')];
    // Managed HSM keys carry their rotation policy in a resource of its own.
    const hsmPolicies = tfResources(json, 'azurerm_key_vault_managed_hardware_security_module_key_rotation_policy');
    return keys.map(([name, k]) => {
      const policy = Array.isArray(k.rotation_policy) ? k.rotation_policy[0] : k.rotation_policy;
      const auto = Array.isArray(policy?.automatic) ? policy.automatic[0] : policy?.automatic;
      const separate = hsmPolicies.find(([, p]) => String(p.managed_hsm_key_id).includes(`${name}.id`));
      const rotation = auto?.time_after_creation ?? separate?.[1].time_after_creation;
      const days = isoDays(rotation);
      const bound = days === undefined ? variableMaxDays(json, rotation) : undefined;
      if (bound) {
        const within = bound.maxDays <= profile.maxRotationDays;
        return finding(this.id, name, within, `rotates every ${bound.variable} days, validated to at most ${bound.maxDays}` +
          (within ? '' : `, longer than profile ${profile.name}'s ${profile.maxRotationDays}`));
      }
      const ok = days !== undefined && days <= profile.maxRotationDays;
      return finding(this.id, name, ok, days === undefined ? 'no automatic rotation' : ok ? `rotates every ${days} days`
        : `rotates every ${days} days, longer than profile ${profile.name}'s ${profile.maxRotationDays}`);
    });
  },
};
