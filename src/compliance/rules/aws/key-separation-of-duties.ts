import { describePrincipal } from '../../../aws/conditional-grants';
import { ActionClass, policyPrincipals, statementClasses } from '../../../aws/key-policy-actions';
import { Control } from '../../../core/controls';
import { finding, KmsRule } from '../rule';
import { isWildcard, kmsKeys, statements } from './policy';

/** No principal may both manage (or import into) and use a key. */
export const KeySeparationOfDuties: KmsRule = {
  id: 'CloudKms-AwsKeySeparationOfDuties',
  cloud: 'aws',
  description: 'no principal both administers (or imports into) and uses a key',
  controls: [Control.NIST_AC_5, Control.ISO_A_5_3, Control.PCI_3_6_1_3, Control.PCI_3_7_7],
  evaluate(template, { profile }) {
    return kmsKeys(template).map(([id, policy]) => {
      if (!policy) return finding(this.id, id, undefined, 'no key policy in the template');
      const held = new Map<string, Set<ActionClass>>();
      const denied = new Map<string, Set<ActionClass>>();
      for (const st of statements(policy)) {
        if (isWildcard(st)) continue;
        const target = st.Effect === 'Allow' ? held : denied;
        for (const p of policyPrincipals(st.Principal)) {
          const set = target.get(p) ?? new Set<ActionClass>();
          statementClasses(st).forEach((c) => set.add(c));
          target.set(p, set);
        }
      }
      for (const [p, set] of held) {
        const deny = denied.get(p) ?? new Set<ActionClass>();
        const uses = set.has(ActionClass.CRYPTOGRAPHIC) && !deny.has(ActionClass.CRYPTOGRAPHIC);
        const holds = (c: ActionClass) => set.has(c) && !deny.has(c);
        const manages = holds(ActionClass.MANAGEMENT) || holds(ActionClass.IMPORT);
        if (uses && manages) {
          if (p.endsWith(':root') || p.includes(':root"') || /^AWS:\d{12}$/.test(p)) {
            if (!profile.separationOfDutiesRequired) return finding(this.id, id, undefined, 'IAM-delegated key (account root): separation is up to IAM policies');
          }
          return finding(this.id, id, false, `${describePrincipal(p)} may both manage and use the key`);
        }
      }
      return finding(this.id, id, true, 'administrators, users and importers are different principals');
    });
  },
};
