import { Control } from '../../../core/controls';
import { finding, KmsRule, tfResources } from '../rule';

/** Vaults are not open to the internet: public access off, or a deny-by-default firewall. */
export const VaultNetwork: KmsRule = {
  id: 'CloudKms-AzureVaultNetwork',
  cloud: 'azure',
  description: 'Key Vaults are not public: public network access disabled or a deny-by-default firewall, and RBAC authorization',
  controls: [Control.NIST_AC_6, Control.SOC2_CC6_1, Control.PCI_3_6_1],
  evaluate(json) {
    const vaults = tfResources(json, 'azurerm_key_vault');
    if (vaults.length === 0) return [finding(this.id, 'configuration', undefined, 'no Key Vaults')];
    return vaults.map(([name, v]) => {
      const acls = Array.isArray(v.network_acls) ? v.network_acls[0] : v.network_acls;
      const closed = v.public_network_access_enabled === false || acls?.default_action === 'Deny';
      const ok = closed && v.rbac_authorization_enabled === true;
      return finding(this.id, name, ok, ok ? 'private, RBAC' : !closed ? 'reachable from any network' : 'access policies instead of RBAC authorization');
    });
  },
};
