import { RESIDENCY_CONTROLS } from '../../../core/key-evidence';
import { cfnResources, finding, KmsRule } from '../rule';
import { kmsKeys } from './policy';

/**
 * The regions a template can be deployed to, as far as it says: its own region (from the cloud assembly's manifest, in
 * `region`), else the list of a `Fn::Contains [[regions], {Ref: AWS::Region}]` template rule (an environment-agnostic
 * stack that CloudFormation refuses to create elsewhere). Undefined: anywhere, as far as the template shows.
 */
function deployableRegions(template: any, region: string | undefined): { regions: string[]; how: string } | undefined {
  if (region) return { regions: [region], how: `stack region ${region}` };
  for (const [id, rule] of Object.entries(template?.Rules ?? {}) as Array<[string, any]>) {
    if (rule?.RuleCondition !== undefined) continue;
    for (const a of Array.isArray(rule?.Assertions) ? rule.Assertions : []) {
      const c = a?.Assert?.['Fn::Contains'];
      if (Array.isArray(c) && Array.isArray(c[0]) && c[0].every((r: unknown) => typeof r === 'string') && c[1]?.Ref === 'AWS::Region') {
        return { regions: c[0], how: `template rule ${id} (AWS::Region in ${c[0].join(', ')})` };
      }
    }
  }
  return undefined;
}

/**
 * Keys (and replicas), trails and the buckets trails write to are only in the profile's `allowedRegions`. A
 * CloudFormation template does not name its own region: the rule learns it from the cloud assembly's `manifest.json`
 * (the stack's environment; `cloud-kms check` and `KmsRulesPlugin` read it), or from a template rule that confines
 * `AWS::Region`. A template read without its manifest, or of an environment-agnostic stack without such a rule, is
 * NON_COMPLIANT under a profile that restricts regions: the rule cannot show where it will be deployed.
 */
export const KeyResidency: KmsRule = {
  id: 'CloudKms-AwsKeyResidency',
  cloud: 'aws',
  description: 'KMS keys, replicas, trails and trail buckets are in the profile\'s allowedRegions (the region comes from the cloud ' +
    'assembly manifest or an AWS::Region template rule; a template whose region neither shows is not compliant under a restricting profile)',
  controls: RESIDENCY_CONTROLS,
  evaluate(template, { profile, region }) {
    const trails = cfnResources(template, 'AWS::CloudTrail::Trail');
    const trailBuckets = new Set(trails.map(([, t]) => t?.Properties?.S3BucketName?.Ref).filter((x): x is string => typeof x === 'string'));
    const subjects: Array<[string, string]> = [
      ...kmsKeys(template).map(([id]) => [id, 'key'] as [string, string]),
      ...cfnResources(template, 'AWS::KMS::ReplicaKey').map(([id]) => [id, 'replica key'] as [string, string]),
      ...trails.map(([id]) => [id, 'trail'] as [string, string]),
      ...cfnResources(template, 'AWS::S3::Bucket').filter(([id]) => trailBuckets.has(id)).map(([id]) => [id, 'trail bucket'] as [string, string]),
    ];
    const where = deployableRegions(template, region);
    return subjects.map(([id, kind]) => {
      if (!profile.restrictsRegions) return finding(this.id, id, undefined, `profile ${profile.name} sets no allowedRegions`);
      const allowed = profile.allowedRegions.join(', ');
      if (!where) {
        return finding(this.id, id, false, `the ${kind}'s region is not shown (no region in the cloud assembly manifest, no AWS::Region ` +
          `template rule), and profile ${profile.name} allows only ${allowed}`);
      }
      const outside = where.regions.filter((r) => !profile.allowsRegion(r));
      return finding(this.id, id, outside.length === 0, outside.length === 0 ? `${kind} in ${where.how}, allowed by profile ${profile.name}`
        : `${kind} in ${where.how}: ${outside.join(', ')} outside profile ${profile.name}'s ${allowed}`);
    });
  },
};
