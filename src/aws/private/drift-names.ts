import { Aws, Token } from 'aws-cdk-lib';
import { shown, ValidationError } from '../../core/validation';

/**
 * The roles CloudFormation deploys with when nobody says otherwise: the execution role service-managed StackSets create
 * in each member account (the role the management account's StackSets service role may assume), and the CDK bootstrap
 * CloudFormation execution role (`cdk-<qualifier>-cfn-exec-role-<account>-<region>`).
 * @see https://docs.aws.amazon.com/aws-managed-policy/latest/reference/CloudFormationStackSetsOrgAdminServiceRolePolicy.html
 * @see https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html
 */
export const DEFAULT_DEPLOYMENT_ROLE_NAMES: string[] = ['stacksets-exec-*', 'cdk-*-cfn-exec-role-*'];

export const DRIFT_METRIC_NAMESPACE = 'CloudKmsConstructs/KeyPolicyDrift';

/** IAM role name characters, plus `*` as the wildcard the handler understands. */
const ROLE_PATTERN = /^[\w+=,.@*-]{1,64}$/;
/** Short enough that `<prefix>-key-policy-drift-<region>` stays within IAM's 64 characters for a role name. */
const PREFIX_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,27}$/;

export interface DriftAlarmInput {
  readonly deploymentRoleNames: string[];
  readonly policyWriterRoleNames: string[];
  readonly resourcePrefix: string;
}

function roleNames(prop: string, names: string[]): string[] {
  for (const name of names) {
    if (Token.isUnresolved(name) || !ROLE_PATTERN.test(name) || /^\*+$/.test(name)) {
      throw new ValidationError(`${prop} must be IAM role names (letters, digits, +=,.@_- and * wildcards, not * alone), got ${shown(name)}`);
    }
  }
  return [...names];
}

export interface DriftAlarmOptions {
  readonly deploymentRoleNames?: string[];
  readonly policyWriterRoleNames?: string[];
  readonly resourcePrefix?: string;
}

export function checkDriftAlarmInput(props: DriftAlarmOptions): DriftAlarmInput {
  const deploymentRoleNames = roleNames('deploymentRoleNames', props.deploymentRoleNames ?? DEFAULT_DEPLOYMENT_ROLE_NAMES);
  if (deploymentRoleNames.length === 0) {
    throw new ValidationError('deploymentRoleNames must name at least one role, got []: every deployed key policy would be drift');
  }
  const resourcePrefix = props.resourcePrefix ?? 'cloud-kms-baseline';
  if (Token.isUnresolved(resourcePrefix) || !PREFIX_PATTERN.test(resourcePrefix)) {
    throw new ValidationError(`resourcePrefix must be a letter then up to 27 letters, digits or hyphens, got ${shown(resourcePrefix)}`);
  }
  return { deploymentRoleNames, policyWriterRoleNames: roleNames('policyWriterRoleNames', props.policyWriterRoleNames ?? []), resourcePrefix };
}

/**
 * The detector's resource names, all under the prefix an organisation policy protects. IAM role names are global to
 * the account, so the role's carries the region (a StackSet deploys one detector per region).
 */
export function driftResourceNames(prefix: string) {
  return {
    function: `${prefix}-key-policy-drift`,
    rule: `${prefix}-key-policy-drift`,
    role: `${prefix}-key-policy-drift-${Aws.REGION}`,
    driftAlarm: `${prefix}-key-policy-drift`,
    failureAlarm: `${prefix}-key-policy-drift-detector-failure`,
  };
}
