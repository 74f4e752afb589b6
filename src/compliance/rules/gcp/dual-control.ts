import { DUAL_CONTROL_CONTROLS } from '../../../core/key-evidence';
import { finding, KmsRule, tfResources } from '../rule';
import { isAdminRole, kmsGrants } from './common';

/** Under dual control, key administration (Cloud KMS Admin or a custom administrator role) comes only through an approved Privileged Access Manager grant. */
export const DualControl: KmsRule = {
  id: 'CloudKms-GcpDualControl',
  cloud: 'gcp',
  description: 'where the profile requires dual control, no standing key administration on a key ring: administration through an approved PAM entitlement',
  controls: DUAL_CONTROL_CONTROLS,
  evaluate(json, { profile }) {
    const rings = tfResources(json, 'google_kms_key_ring');
    if (!profile.dualControlRequired || rings.length === 0) {
      return [finding(this.id, 'configuration', undefined, rings.length === 0 ? 'no key rings' : `profile ${profile.name} does not require dual control`)];
    }
    const standing = kmsGrants(json).filter(([, role]) => isAdminRole(role));
    const entitlements = tfResources(json, 'google_privileged_access_manager_entitlement');
    return rings.map(([name]) => {
      const direct = standing.find(([n]) => n.startsWith('google_kms_key_ring_iam'));
      const pam = entitlements.some(([, e]) => JSON.stringify(e).includes('manual_approvals'));
      const ok = !direct && pam;
      return finding(this.id, name, ok, ok ? 'administration needs an approved PAM grant' : direct ? `standing key administration (${direct[1]} for ${direct[2]})` : 'no PAM entitlement with approvals');
    });
  },
};
