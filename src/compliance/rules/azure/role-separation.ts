import { Control } from '../../../core/controls';
import { finding, KmsRule, tfResources } from '../rule';
import { isAdminAssignment, isUseAssignment } from './common';

/** No principal holds both a key-administration and a key-use role; no role wider than a resource group. */
export const RoleSeparation: KmsRule = {
  id: 'CloudKms-AzureRoleSeparation',
  cloud: 'azure',
  description: 'no object id both administers and uses keys, and no key role is assigned at subscription scope',
  controls: [Control.NIST_AC_5, Control.NIST_AC_6, Control.ISO_A_5_3, Control.PCI_3_6_1_3, Control.PCI_3_7_7],
  evaluate(json) {
    const assignments = tfResources(json, 'azurerm_role_assignment');
    if (assignments.length === 0) return [finding(this.id, 'configuration', undefined, 'no role assignments')];
    const admins = new Set(assignments.filter(([, a]) => isAdminAssignment(a)).map(([, a]) => String(a.principal_id).toLowerCase()));
    return assignments.map(([name, a]) => {
      if (/^\/subscriptions\/[^/]+\/?$/.test(String(a.scope))) return finding(this.id, name, false, 'assigned at subscription scope');
      const conflict = isUseAssignment(a) && admins.has(String(a.principal_id).toLowerCase());
      return finding(this.id, name, !conflict, conflict ? `${a.principal_id} both administers and uses keys` : 'no conflicting role');
    });
  },
};
