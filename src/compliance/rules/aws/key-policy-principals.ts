import { ActionClass, policyPrincipals, statementClasses } from '../../../aws/key-policy-actions';
import { Control } from '../../../core/controls';
import { finding, KmsRule } from '../rule';
import { isWildcard, kmsKeys, statements } from './policy';

/** No key policy allows everyone without a condition, and none hands the key to IAM where duties must be separated. */
export const KeyPolicyPrincipals: KmsRule = {
  id: 'CloudKms-AwsKeyPolicyPrincipals',
  cloud: 'aws',
  description: 'key policies name principals: no unconditioned wildcard, no account-root kms:* where separation of duties is required',
  controls: [Control.NIST_AC_6, Control.PCI_3_6_1, Control.SOC2_CC6_1],
  evaluate(template, { profile }) {
    return kmsKeys(template).map(([id, policy]) => {
      if (!policy) return finding(this.id, id, undefined, 'no key policy in the template');
      for (const st of statements(policy)) {
        if (st.Effect !== 'Allow') continue;
        if (isWildcard(st) && st.Condition === undefined) {
          return finding(this.id, id, false, `statement ${st.Sid ?? ''} allows every principal ("*") without a condition`);
        }
        const root = policyPrincipals(st.Principal).some((p) => /:root"?$|^AWS:\d{12}$/.test(p) || p.includes(':root'));
        if (root && profile.separationOfDutiesRequired && [...statementClasses(st)].some((c) => c !== ActionClass.READ)) {
          return finding(this.id, id, false, `statement ${st.Sid ?? ''} delegates the key to the account root (IAM), which profile ${profile.name} forbids`);
        }
      }
      return finding(this.id, id, true, 'every Allow names principals or carries a condition');
    });
  },
};
