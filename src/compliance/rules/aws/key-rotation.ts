import { ROTATION_CONTROLS } from '../../../core/key-evidence';
import { finding, KmsRule } from '../rule';
import { describeTemplateNumber, templateNumber } from './deploy-time';
import { kmsKeys } from './policy';

/** Symmetric KMS keys rotate automatically within the profile's period (imported and external keys: not applicable). */
export const KeyRotation: KmsRule = {
  id: 'CloudKms-AwsKeyRotation',
  cloud: 'aws',
  description: 'symmetric KMS keys rotate automatically within the profile\'s cryptoperiod',
  controls: ROTATION_CONTROLS,
  evaluate(template, { profile, siblings }) {
    return kmsKeys(template).map(([id, , r]) => {
      const p = r.Properties ?? {};
      const symmetric = (p.KeySpec ?? 'SYMMETRIC_DEFAULT') === 'SYMMETRIC_DEFAULT' && (p.KeyUsage ?? 'ENCRYPT_DECRYPT') === 'ENCRYPT_DECRYPT';
      if (r.Type === 'Custom::CloudKmsStoreKey' || p.Origin === 'EXTERNAL' || !symmetric) {
        return finding(this.id, id, undefined, 'KMS cannot rotate this key automatically (imported, external or asymmetric): rotation is manual');
      }
      if (p.EnableKeyRotation !== true) return finding(this.id, id, false, 'automatic rotation is off');
      const period = templateNumber(template, p.RotationPeriodInDays ?? 365, siblings);
      const longest = period.kind === 'literal' ? period.value : period.kind === 'parameter' ? period.max : undefined;
      const ok = longest !== undefined && longest <= profile.maxRotationDays;
      const shown = describeTemplateNumber(period, 'days');
      return finding(this.id, id, ok, ok ? `rotates every ${shown}` : period.kind === 'literal'
        ? `rotates every ${shown}, longer than profile ${profile.name}'s ${profile.maxRotationDays}`
        : `rotates every ${shown}, which may be longer than profile ${profile.name}'s ${profile.maxRotationDays} days`);
    });
  },
};
