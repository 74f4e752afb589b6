import { DUAL_CONTROL_ACTIONS, policyList } from '../../../aws/key-policy-actions';
import { SID } from '../../../aws/key-policy-sids';
import { DUAL_CONTROL_CONTROLS } from '../../../core/key-evidence';
import { asList, finding, KmsRule } from '../rule';
import { kmsKeys, statements } from './policy';

const SERVICE_KEY_GATED = ['kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:CancelKeyDeletion'];

/**
 * Under dual control the operations one principal could use to expose or destroy what a key protects are allowed only
 * to the dual-control gate's executor (which carries out a change only when two people agreed on it) and explicitly
 * denied to everyone else. Approvers holding them directly, even with MFA, is one person: non-compliant.
 */
export const KeyDualControl: KmsRule = {
  id: 'CloudKms-AwsKeyDualControl',
  cloud: 'aws',
  description: 'where the profile requires dual control, policy changes, disabling, deletion, replication, alias moves and material import ' +
    'are allowed only to the dual-control gate executor and explicitly denied to everyone else',
  controls: DUAL_CONTROL_CONTROLS,
  evaluate(template, { profile }) {
    return kmsKeys(template).map(([id, policy]) => {
      if (!profile.dualControlRequired) return finding(this.id, id, undefined, `profile ${profile.name} does not require dual control`);
      if (!policy) return finding(this.id, id, undefined, 'no key policy in the template');
      const sts = statements(policy);
      // Custodian keys (built from named custodians) hold the gate's whole list; service keys (logs, queues) only
      // must not be deleted or disabled by anyone alone.
      const custodianKey = sts.some((st) => st.Sid === SID.ADMINISTER);
      const gated = custodianKey ? DUAL_CONTROL_ACTIONS : SERVICE_KEY_GATED;
      for (const st of sts) {
        if (st.Effect !== 'Allow' || st.Sid === SID.EXECUTOR) continue;
        const actions = asList<string>(st.Action);
        const held = actions.filter((a) => a === 'kms:*' || a === '*' || gated.includes(a));
        if (st.NotAction !== undefined || held.length > 0) {
          return finding(this.id, id, false, `statement ${st.Sid ?? ''} allows ${st.NotAction !== undefined ? 'NotAction' : held.join(', ')} ` +
            'outside the dual-control gate: one principal could act alone');
        }
      }
      if (!custodianKey) return finding(this.id, id, true, `no principal may ${SERVICE_KEY_GATED.join(', ')} (a service key)`);
      const deny = sts.find((st) => st.Effect === 'Deny' && JSON.stringify(st.Principal) === JSON.stringify({ AWS: '*' })
        && DUAL_CONTROL_ACTIONS.every((a) => policyList(st.Action).includes(a))
        && st.Condition?.ArnNotEquals?.['aws:PrincipalArn'] !== undefined);
      if (!deny) {
        return finding(this.id, id, false, `no statement denies ${DUAL_CONTROL_ACTIONS.join(', ')} to every principal but the dual-control gate executor`);
      }
      return finding(this.id, id, true, 'only the dual-control gate executor may change the policy, disable, delete, replicate, move aliases or ' +
        'import material; it acts when one custodian proposed and a different approver approved the exact change');
    });
  },
};
