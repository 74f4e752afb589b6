import { Control } from '../../../core/controls';
import { finding, KmsRule } from '../rule';
import { isAdminRole, kmsGrants, PUBLIC, USE_ROLES } from './common';

/** No public members, and no member both administers and uses keys. */
export const KmsIam: KmsRule = {
  id: 'CloudKms-GcpKmsIam',
  cloud: 'gcp',
  description: 'Cloud KMS IAM names no public members (CIS 1.9) and no member both administers and uses keys (CIS 1.11)',
  controls: [Control.NIST_AC_5, Control.NIST_AC_6, Control.ISO_A_5_3, Control.PCI_3_6_1_3, Control.PCI_3_7_7, Control.SOC2_CC6_1],
  evaluate(json) {
    const grants = kmsGrants(json).filter(([, role]) => role.startsWith('roles/cloudkms.') || isAdminRole(role));
    if (grants.length === 0) return [finding(this.id, 'configuration', undefined, 'no Cloud KMS IAM grants')];
    const admins = new Set(grants.filter(([, role]) => isAdminRole(role)).map(([, , m]) => m.toLowerCase()));
    return grants.map(([name, role, member]) => {
      if (PUBLIC.includes(member.toLowerCase())) return finding(this.id, name, false, `${role} granted to ${member}`);
      const conflict = USE_ROLES.includes(role) && admins.has(member.toLowerCase());
      return finding(this.id, name, !conflict, conflict ? `${member} both administers and uses keys` : `${role} for a named member`);
    });
  },
};
