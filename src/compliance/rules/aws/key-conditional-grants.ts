import {
  describeCondition, describePrincipal, describeStatement, findDefeatedConditions,
} from '../../../aws/conditional-grants';
import { Control } from '../../../core/controls';
import { finding, KmsRule } from '../rule';
import { kmsKeys, statements } from './policy';

/**
 * A conditional grant of cryptographic use (encryption context, calling service, principal tags) is not undone by
 * another Allow of the same actions to the same principal with no or fewer conditions.
 */
export const KeyConditionalGrants: KmsRule = {
  id: 'CloudKms-AwsKeyConditionalGrants',
  cloud: 'aws',
  description: 'conditional grants of cryptographic use are not defeated by a weaker grant to the same principal',
  controls: [Control.NIST_AC_6, Control.PCI_3_6_1_3, Control.SOC2_CC6_1],
  evaluate(template) {
    return kmsKeys(template).map(([id, policy]) => {
      if (!policy) return finding(this.id, id, undefined, 'no key policy in the template');
      const sts = statements(policy);
      const conditional = sts.some((st) => st.Effect === 'Allow' && st.Condition !== undefined);
      if (!conditional) return finding(this.id, id, undefined, 'no conditional grant in the key policy');
      const found = findDefeatedConditions({ Statement: sts });
      if (found.length === 0) return finding(this.id, id, true, 'every conditional grant is the widest grant its principal holds for its actions');
      const d = found[0];
      return finding(this.id, id, false, `${describePrincipal(d.principal)}: ${describeStatement(d.conditional)} allows ` +
        `${d.actions.join(', ')} only when ${describeCondition(d.conditional.condition)}, but ${describeStatement(d.weaker)} allows it ` +
        `with ${d.weaker.condition ? `only ${describeCondition(d.weaker.condition)}` : 'no condition'}` +
        (found.length > 1 ? ` (and ${found.length - 1} more)` : ''));
    });
  },
};
