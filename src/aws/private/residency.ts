/*
 * Data residency on AWS: a key, a key store, a CloudHSM cluster and an audit sink's bucket and log group are in the
 * region of the stack that holds them; a replica in the region of its own stack; a multi-Region primary may also be
 * replicated into its `replicaRegions`.
 */
import { Aws, CfnRule, Fn, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { EvidenceLedger } from '../../core/evidence';
import { recordResidency } from '../../core/key-evidence';
import { ComplianceProfile } from '../../core/profile';
import { checkResidency } from '../../core/residency';
import { isTokenValue } from '../../core/validation';

/** The setting that places an AWS resource, in the evidence. */
export const REGION_SETTING = 'env.region';

/**
 * Refuses, at synthesis, a stack region outside the profile's `allowedRegions`, and an environment-agnostic stack
 * (region only known at deployment) under a profile that restricts regions. Returns the region as the evidence records
 * it (the token's text when the profile does not restrict regions).
 *
 * @param scope anything in the stack that holds what is checked
 * @param what what sits there, for the message (e.g. `key Prod/Orders`)
 */
export function checkStackResidency(scope: IConstruct, profile: ComplianceProfile, what: string): string {
  const stack = Stack.of(scope);
  const region = stack.region;
  const bound = BOUND_REGIONS.get(stack);
  if (Token.isUnresolved(region) && bound) {
    for (const r of bound) checkResidency(profile, `the regions template rule ${RULE_ID} of stack ${stack.node.path} allows (where ${what} is)`, r, '');
    return region;
  }
  checkResidency(profile, `env.region of stack ${stack.node.path} (where ${what} is)`,
    Token.isUnresolved(region) ? undefined : region,
    `give stack ${stack.node.path} an explicit env: { region } (an environment-agnostic stack deploys to any region)`);
  if (profile.restrictsRegions) bindFixedRegion(stack);
  return region;
}

/**
 * env.region only tells the CDK what to synthesize for: `aws cloudformation deploy --region` (or a console upload)
 * creates the same template in any region. A template rule refuses every region but the one checked above, so the
 * evidence's region holds for whoever deploys the template.
 */
function bindFixedRegion(stack: Stack): void {
  if (stack.node.tryFindChild(RULE_ID)) return;
  new CfnRule(stack, RULE_ID, {
    assertions: [{
      assert: Fn.conditionContains([stack.region], Aws.REGION),
      assertDescription: `stack ${stack.node.path} was checked for residency in ${stack.region} only`,
    }],
  });
}

/**
 * Refuses replica regions outside the profile; a list only known at deployment (a CommaDelimitedList parameter) under
 * a profile that restricts regions is refused too, since kms:ReplicaRegion would then allow whatever the parameter says.
 */
export function checkReplicaRegionsResidency(profile: ComplianceProfile, regions: string[] | undefined): void {
  for (const region of regions ?? []) {
    checkResidency(profile, 'replicaRegions', isTokenValue(region) ? undefined : region,
      'name the replica regions literally');
  }
}

const RULE_ID = 'AllowedRegions';
const BOUND_REGIONS = new WeakMap<Stack, string[]>();

/**
 * For a stack that is environment-agnostic by design (a StackSet template deployed to many regions): a CloudFormation
 * template rule refuses to create or update the stack in a region outside the profile, before any resource is touched,
 * and constructs in the stack check their profile against that list instead of refusing the unknown region.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/rules-section-structure.html
 * (the deployment region as a rule assertion: https://github.com/aws-samples/amazon-cloudfront-secure-static-site/pull/50)
 */
export function boundStackRegion(stack: Stack, profile: ComplianceProfile): void {
  if (!profile.restrictsRegions || !Token.isUnresolved(stack.region)) return;
  new CfnRule(stack, RULE_ID, {
    assertions: [{
      assert: Fn.conditionContains(profile.allowedRegions, stack.region),
      assertDescription: `profile ${profile.name} allows this stack only in ${profile.allowedRegions.join(', ')}`,
    }],
  });
  BOUND_REGIONS.set(stack, [...profile.allowedRegions]);
}

/** Where the stack's resources can be: its region, or the regions its template rule allows. */
export function stackRegions(scope: IConstruct): string[] {
  const stack = Stack.of(scope);
  return Token.isUnresolved(stack.region) ? BOUND_REGIONS.get(stack) ?? [stack.region] : [stack.region];
}

/** The setting that places the stack's resources, for the evidence. */
export function regionSetting(scope: IConstruct): string {
  const stack = Stack.of(scope);
  return Token.isUnresolved(stack.region) && BOUND_REGIONS.has(stack) ? `AWS::Region (template rule ${RULE_ID})` : REGION_SETTING;
}

/** Records a container's or an audit sink's region against the residency controls (nothing when the profile does not restrict). */
export function recordStackResidency(scope: IConstruct, resource: string, profile: ComplianceProfile, what: string, unshown?: string): string[] {
  const regions = stackRegions(scope);
  recordResidency({
    ledger: EvidenceLedger.of(scope), subject: scope.node.path, resource, profile, regions, setting: regionSetting(scope), what, unshown,
  });
  return regions;
}
