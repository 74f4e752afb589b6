import { Control } from '../../../core/controls';
import { cfnResources, finding, KmsRule } from '../rule';
import { kmsKeys } from './policy';

/** A template with keys also holds a validated CloudTrail trail into a write-once bucket, where the profile asks. */
export const AuditTrail: KmsRule = {
  id: 'CloudKms-AwsAuditTrail',
  cloud: 'aws',
  description: 'key events go to a CloudTrail trail with log-file validation, into write-once storage where the profile requires it',
  controls: [
    Control.NIST_AU_2, Control.NIST_AU_9, Control.NIST_AU_9_4, Control.NIST_AU_12, Control.PCI_10_2_1, Control.PCI_10_3_2, Control.HIPAA_164_312_B,
  ],
  evaluate(template, { profile, siblings }) {
    if (kmsKeys(template).length === 0) return [finding(this.id, 'template', undefined, 'no KMS keys in this template')];
    if (!profile.auditSinkRequired) return [finding(this.id, 'template', undefined, `profile ${profile.name} requires no audit sink`)];
    const trails = cfnResources(template, 'AWS::CloudTrail::Trail');
    if (trails.length === 0 && (siblings ?? []).some((t) => cfnResources(t, 'AWS::CloudTrail::Trail').length > 0)) {
      // A nested stack's keys are recorded by its parent's (or a sibling stack's) trail, which is judged there.
      return [finding(this.id, 'template', undefined, 'the trail is in another template of the assembly')];
    }
    if (trails.length === 0) {
      return [finding(this.id, 'template', false, 'no CloudTrail trail in the template: add a KeyAuditSink (or acknowledge a trail kept elsewhere)')];
    }
    const locked = cfnResources(template, 'AWS::S3::Bucket').some(([, b]) => b.Properties?.ObjectLockEnabled === true);
    return trails.map(([id, t]) => {
      const p = t.Properties ?? {};
      const ok = p.EnableLogFileValidation === true && p.IsLogging !== false && (!profile.immutableAuditRequired || locked);
      return finding(this.id, id, ok, ok ? 'validated trail into write-once storage' : p.EnableLogFileValidation !== true
        ? 'log-file validation is off' : 'the trail\'s bucket is not write-once (S3 Object Lock)');
    });
  },
};
