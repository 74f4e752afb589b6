import { DUAL_CONTROL_CONTROLS } from '../../../core/key-evidence';
import { asList, finding, KmsRule, tfResources } from '../rule';

/** Under dual control, key administration is activated just in time with approval and MFA (PIM) on every vault. */
export const DualControl: KmsRule = {
  id: 'CloudKms-AzureDualControl',
  cloud: 'azure',
  description: 'where the profile requires dual control, each vault\'s administrator role needs an approver and MFA to activate',
  controls: DUAL_CONTROL_CONTROLS,
  evaluate(json, { profile }) {
    const vaults = tfResources(json, 'azurerm_key_vault');
    if (!profile.dualControlRequired || vaults.length === 0) {
      return [finding(this.id, 'configuration', undefined, vaults.length === 0 ? 'no Key Vaults' : `profile ${profile.name} does not require dual control`)];
    }
    const policies = tfResources(json, 'azurerm_role_management_policy');
    return vaults.map(([name]) => {
      const ref = `${name}.id`;
      const policy = policies.find(([, p]) => String(p.scope).includes(ref));
      const rules = policy ? asList<any>(policy[1].activation_rules)[0] ?? policy[1].activation_rules : undefined;
      const approvers = asList<any>(asList<any>(rules?.approval_stage)[0]?.primary_approver ?? rules?.approval_stage?.primary_approver);
      const ok = rules?.require_approval === true && rules?.require_multifactor_authentication === true && approvers.length >= 2;
      return finding(this.id, name, ok, ok ? `activation needs one of ${approvers.length} approvers and MFA` : 'no approval-and-MFA activation policy for key administration');
    });
  },
};
