import { DELETION_CONTROLS } from '../../../core/key-evidence';
import { finding, KmsRule, tfResources } from '../rule';

/** Vaults keep deleted keys recoverable (soft delete at least the profile's window) and unpurgeable (purge protection). */
export const VaultDeletionProtection: KmsRule = {
  id: 'CloudKms-AzureVaultDeletionProtection',
  cloud: 'azure',
  description: 'Key Vaults have purge protection and a soft-delete retention of at least the profile\'s deletion window',
  controls: DELETION_CONTROLS,
  evaluate(json, { profile }) {
    const vaults = tfResources(json, 'azurerm_key_vault');
    if (vaults.length === 0) return [finding(this.id, 'configuration', undefined, 'no Key Vaults')];
    return vaults.map(([name, v]) => {
      const days = Number(v.soft_delete_retention_days ?? 90);
      const ok = v.purge_protection_enabled === true && days >= profile.minDeletionWindowDays;
      return finding(this.id, name, ok, ok ? `purge protection on, ${days}-day soft delete` : v.purge_protection_enabled !== true
        ? 'purge protection is off' : `soft delete keeps keys ${days} days, less than profile ${profile.name}'s ${profile.minDeletionWindowDays}`);
    });
  },
};
