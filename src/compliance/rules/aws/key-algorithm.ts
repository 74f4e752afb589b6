import { keySpecFacts } from '../../../aws/key-specs';
import { KEY_ALGORITHM_CONTROLS } from '../controls';
import { finding, KmsRule } from '../rule';
import { kmsKeys } from './policy';

/**
 * Each key's spec is of an algorithm family its profile allows (`allowedKeyAlgorithms`: FedRAMP and SOVEREIGN refuse
 * SM2, a custom profile may refuse more). Keys our custom resources make in custom key stores are symmetric only.
 */
export const KeyAlgorithmAllowed: KmsRule = {
  id: 'CloudKms-AwsKeyAlgorithm',
  cloud: 'aws',
  description: 'each KMS key\'s key spec is of an algorithm family the key\'s profile allows',
  controls: KEY_ALGORITHM_CONTROLS,
  evaluate(template, { profile }) {
    return kmsKeys(template).map(([id, , r]) => {
      const spec = r.Type === 'Custom::CloudKmsStoreKey' ? 'SYMMETRIC_DEFAULT' : r.Properties?.KeySpec ?? 'SYMMETRIC_DEFAULT';
      const facts = keySpecFacts(spec);
      // A spec chosen at deploy time (or one KMS does not list) cannot be shown to be allowed: never rounded up.
      if (!facts) return finding(this.id, id, false, `KeySpec ${JSON.stringify(spec)} is not a key spec this rule can judge`);
      const ok = profile.allowsKeyAlgorithm(facts.algorithm);
      return finding(this.id, id, ok, ok
        ? `KeySpec ${spec} (${facts.algorithm}) is allowed by profile ${profile.name}`
        : `KeySpec ${spec} (${facts.algorithm}) is not allowed by profile ${profile.name}, which allows ${profile.allowedKeyAlgorithms.join(', ')}`);
    });
  },
};
