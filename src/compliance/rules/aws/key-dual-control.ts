import { policyPrincipals } from '../../../aws/private/actions';
import { Control } from '../../../core/controls';
import { asList, finding, KmsRule } from '../rule';
import { kmsKeys, statements } from './policy';

const DESTRUCTIVE = ['kms:ScheduleKeyDeletion', 'kms:DisableKey'];

/** Under dual control, only two or more approvers with MFA may schedule deletion or disable the key. */
export const KeyDualControl: KmsRule = {
  id: 'CloudKms-AwsKeyDualControl',
  cloud: 'aws',
  description: 'where the profile requires dual control, destructive key operations are limited to two or more approvers with MFA',
  controls: [Control.PCI_3_7_6],
  evaluate(template, { profile }) {
    return kmsKeys(template).map(([id, policy]) => {
      if (!profile.dualControlRequired) return finding(this.id, id, undefined, `profile ${profile.name} does not require dual control`);
      if (!policy) return finding(this.id, id, undefined, 'no key policy in the template');
      const approvers = new Set<string>();
      for (const st of statements(policy)) {
        if (st.Effect !== 'Allow') continue;
        const actions = asList<string>(st.Action);
        if (!actions.some((a) => a === 'kms:*' || DESTRUCTIVE.includes(a))) continue;
        const mfa = JSON.stringify(st.Condition ?? {}).includes('"aws:MultiFactorAuthPresent":"true"');
        if (!mfa) return finding(this.id, id, false, `statement ${st.Sid ?? ''} allows ${DESTRUCTIVE.join(' or ')} without MFA`);
        policyPrincipals(st.Principal).forEach((p) => approvers.add(p));
      }
      if (approvers.size === 0) return finding(this.id, id, true, 'no principal may schedule deletion or disable the key');
      return finding(this.id, id, approvers.size >= 2, approvers.size >= 2
        ? `${approvers.size} approvers with MFA hold deletion and disabling`
        : `${approvers.size} approver(s) hold deletion and disabling; dual control needs at least 2`);
    });
  },
};
