/*
 * Prop checks of OrganizationGuardrails. Every value ends up in a policy document whose size must be known at synthesis
 * (Organizations refuses a policy over its limit, so the construct splits or refuses first): tokens are refused.
 */
import { optionalList, optionalProfile } from '../../core/input';
import { ComplianceProfile } from '../../core/profile';
import { isTokenValue, requireDefined, requireDistinct, requireRange, shown, ValidationError } from '../../core/validation';
import type { OrganizationGuardrailsProps } from '../organization-guardrails-props';

/**
 * The AttachPolicy TargetId pattern: a root, an organizational unit or an account.
 * @see https://docs.aws.amazon.com/organizations/latest/APIReference/API_AttachPolicy.html#organizations-AttachPolicy-request-TargetId
 */
const TARGET_ID = /^(?:r-[0-9a-z]{4,32}|\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;
/** @see https://docs.aws.amazon.com/organizations/latest/APIReference/API_Organization.html#organizations-Type-Organization-Id */
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
/**
 * A role ARN pattern as aws:PrincipalArn carries it for a role session (the role's ARN, with its path). `*` may stand
 * for the partition, the account and any part of the name; `?` is not used (ArnLike accepts it, but a reader may not).
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
 */
const ROLE_ARN_PATTERN = /^arn:(?:\*|aws|aws-cn|aws-us-gov):iam::(?:\*|\d{12}):role\/[\w+=,.@*/-]{1,512}$/;
/** @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html#API_CreateRole_RequestParameters */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
/** A baseline resource prefix: what `KeyBaselineStack` accepts as `resourcePrefix` (see private/drift-names.ts). */
const BASELINE_PREFIX = /^[A-Za-z][A-Za-z0-9-]{0,27}$/;
/** A Lambda function name pattern (names are 1-64 letters, digits, '-' and '_'); `*` for any part. */
const FUNCTION_NAME_PATTERN = /^[A-Za-z0-9_*-]{1,64}$/;
/** CloudTrail trail names: letters, digits, '.', '_', '-' (3-128); `*` for any part. */
const TRAIL_NAME_PATTERN = /^[A-Za-z0-9*][A-Za-z0-9._*-]{0,127}$/;
/** S3 bucket names: lower-case letters, digits, '.', '-' (3-63); `*` for any part. */
const BUCKET_NAME_PATTERN = /^[a-z0-9*][a-z0-9.*-]{0,62}$/;

/** The name the documentation gives the break-glass role; a role of that name (no path) in each member account. */
export const DEFAULT_BREAK_GLASS_ROLE_NAME = 'cloud-kms-break-glass';
/**
 * The deployment roles of the golden pattern: the CloudFormation execution role `cdk bootstrap` creates (any qualifier,
 * account and region), and StackSets' execution role, which rolls the baseline out to member accounts.
 */
export const DEFAULT_PIPELINE_ROLE_PATTERNS = ['arn:*:iam::*:role/cdk-*-cfn-exec-role-*', 'arn:*:iam::*:role/stacksets-exec-*'];
/**
 * The role that passes the execution role to CloudFormation during `cdk deploy`: the bootstrap deploy role.
 * @see https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html
 */
export const DEFAULT_PIPELINE_PASSER_PATTERNS = ['arn:*:iam::*:role/cdk-*-deploy-role-*'];
/**
 * DualControlGate's executor role and function get CloudFormation-generated names, `<stack>-<logical id>-<suffix>`,
 * whose logical id holds the construct id `ExecutorRole` / `Executor`.
 */
export const DEFAULT_EXECUTOR_ROLE_PATTERNS = ['arn:*:iam::*:role/*ExecutorRole*'];
export const DEFAULT_EXECUTOR_FUNCTION_PATTERNS = ['*Executor*'];
/**
 * The roles and functions of this library's custom resource handlers (KmsResourceProvider: `CloudKmsConstructs<kind>Provider`):
 * the HYOK key handler creates keys (with the lockout check bypassed under dual control), puts their policies and
 * schedules their deletion; the tenant offboarding handler disables keys and schedules their deletion. CloudFormation
 * names them `<stack>-CloudKmsConstructs...-<suffix>` (shortened when the stack name is long).
 */
export const DEFAULT_HANDLER_ROLE_PATTERNS = ['arn:*:iam::*:role/*CloudKmsConstructs*'];
export const DEFAULT_HANDLER_FUNCTION_PATTERNS = ['*CloudKmsConstructs*'];
/**
 * StackSets' execution role in member accounts (service-managed permissions create `stacksets-exec-<hash>`): what
 * provisions the bootstrap and break-glass roles organisation-wide. StackSets creates it through its service-linked role,
 * which no SCP restricts.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-custom-execution-role.html
 */
export const DEFAULT_ROLE_ADMINISTRATOR_PATTERNS = ['arn:*:iam::*:role/stacksets-exec-*'];
/**
 * KeyAuditSink names its trail after its construct path and lets CloudFormation name its bucket, so neither name is
 * known here: by default every trail is protected, and every bucket whose generated name holds the sink's id `Audit`
 * (CloudFormation lower-cases it: `<stack>-auditbucket<hash>-<suffix>`).
 */
export const DEFAULT_TRAIL_PATTERNS = ['*'];
export const DEFAULT_BUCKET_PATTERNS = ['*audit*'];

/** KMS's own bounds of the pending window. @see https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html */
export const KMS_MIN_PENDING_DAYS = 7;
export const KMS_MAX_PENDING_DAYS = 30;

export interface ResolvedGuardrailInput {
  readonly profile: ComplianceProfile;
  readonly targetIds: string[];
  readonly organizationId: string;
  readonly pipelineRoles: string[];
  readonly pipelinePassers: string[];
  /** Who alone may assume the deploy roles and change stacks, when given. */
  readonly deployers?: string[];
  readonly executorRoles: string[];
  readonly executorFunctions: string[];
  readonly handlerRoles: string[];
  /** Who may import key material besides the key administrators (the BYOK ceremony's importers), when given. */
  readonly importers: string[];
  readonly handlerFunctions: string[];
  readonly roleAdministrators: string[];
  readonly breakGlassRoleArn: string;
  readonly trails: string[];
  readonly buckets: string[];
  /** The key baseline a StackSet rolls out to the target accounts, when it is to be protected. */
  readonly baseline?: { readonly resourcePrefix: string; readonly executionRoleName: string };
}

/** The construct's props, as the checks read them. */
export type GuardrailInputProps = OrganizationGuardrailsProps;

export function resolveGuardrailInput(props: GuardrailInputProps): ResolvedGuardrailInput {
  const profile = requireDefined('profile', optionalProfile('profile', props.profile));
  requireRange('profile.minDeletionWindowDays', profile.minDeletionWindowDays, KMS_MIN_PENDING_DAYS, KMS_MAX_PENDING_DAYS, 'days');
  // KMS rotates every 90 to 2560 days: a profile asking for less cannot be met by any key, so nothing is enforced for it.
  // https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html#KMS-EnableKeyRotation-request-RotationPeriodInDays
  requireRange('profile.maxRotationDays', profile.maxRotationDays, 90, 36500, 'days');
  const targetIds = literals('targetIds', requireDefined('targetIds', props.targetIds), TARGET_ID,
    'a root id (r-...), an organizational unit id (ou-...-...) or a 12-digit account id');
  if (targetIds.length === 0) throw new ValidationError('targetIds must name at least one root, organizational unit or account, got []');
  const organizationId = literal('organizationId', requireDefined('organizationId', props.organizationId), ORGANIZATION_ID,
    "an organization id: 'o-' and 10 to 32 lower-case letters or digits");
  const breakGlassName = literal('breakGlassRoleName', props.breakGlassRoleName ?? DEFAULT_BREAK_GLASS_ROLE_NAME, ROLE_NAME,
    "an IAM role name of 1 to 64 letters, digits or '+=,.@_-' (no wildcard: it names one role)");
  const roleRule = "a role ARN pattern 'arn:<partition or *>:iam::<account or *>:role/<name>', '*' for any part";
  return {
    profile,
    targetIds,
    organizationId,
    pipelineRoles: patterns('pipelineRoleArnPatterns', props.pipelineRoleArnPatterns, DEFAULT_PIPELINE_ROLE_PATTERNS, ROLE_ARN_PATTERN, roleRule),
    pipelinePassers: patterns('pipelinePassRoleArnPatterns', props.pipelinePassRoleArnPatterns, DEFAULT_PIPELINE_PASSER_PATTERNS, ROLE_ARN_PATTERN, roleRule),
    deployers: props.pipelineDeployerArnPatterns === undefined || props.pipelineDeployerArnPatterns === null ? undefined
      : patterns('pipelineDeployerArnPatterns', props.pipelineDeployerArnPatterns, [], ROLE_ARN_PATTERN, roleRule),
    executorRoles: patterns('dualControlExecutorRoleArnPatterns', props.dualControlExecutorRoleArnPatterns, DEFAULT_EXECUTOR_ROLE_PATTERNS,
      ROLE_ARN_PATTERN, roleRule),
    executorFunctions: patterns('dualControlExecutorFunctionNamePatterns', props.dualControlExecutorFunctionNamePatterns,
      DEFAULT_EXECUTOR_FUNCTION_PATTERNS, FUNCTION_NAME_PATTERN, "a Lambda function name pattern of letters, digits, '-', '_' or '*'"),
    handlerRoles: patterns('handlerRoleArnPatterns', props.handlerRoleArnPatterns, DEFAULT_HANDLER_ROLE_PATTERNS, ROLE_ARN_PATTERN, roleRule),
    importers: props.keyImporterArnPatterns === undefined || props.keyImporterArnPatterns === null ? []
      : patterns('keyImporterArnPatterns', props.keyImporterArnPatterns, [], ROLE_ARN_PATTERN, roleRule),
    handlerFunctions: patterns('handlerFunctionNamePatterns', props.handlerFunctionNamePatterns, DEFAULT_HANDLER_FUNCTION_PATTERNS,
      FUNCTION_NAME_PATTERN, "a Lambda function name pattern of letters, digits, '-', '_' or '*'"),
    roleAdministrators: patterns('roleAdministratorArnPatterns', props.roleAdministratorArnPatterns, DEFAULT_ROLE_ADMINISTRATOR_PATTERNS,
      ROLE_ARN_PATTERN, roleRule),
    breakGlassRoleArn: `arn:*:iam::*:role/${breakGlassName}`,
    trails: patterns('auditTrailNamePatterns', props.auditTrailNamePatterns, DEFAULT_TRAIL_PATTERNS, TRAIL_NAME_PATTERN,
      "a CloudTrail trail name pattern of letters, digits, '.', '_', '-' or '*'"),
    buckets: patterns('auditBucketNamePatterns', props.auditBucketNamePatterns, DEFAULT_BUCKET_PATTERNS, BUCKET_NAME_PATTERN,
      "an S3 bucket name pattern of lower-case letters, digits, '.', '-' or '*'"),
    baseline: resolveBaseline(props.baseline),
  };
}

/** The baseline's prefix and execution role name, as `KeyBaselineStack` checks them (no wildcard: each names one thing). */
function resolveBaseline(baseline: GuardrailInputProps['baseline']): ResolvedGuardrailInput['baseline'] {
  if (baseline === undefined || baseline === null) return undefined;
  if (typeof baseline !== 'object') throw new ValidationError(`baseline must be an object, got ${shown(baseline)}`);
  return {
    resourcePrefix: literal('baseline.resourcePrefix', requireDefined('baseline.resourcePrefix', baseline.resourcePrefix), BASELINE_PREFIX,
      "a resource name prefix of 1 to 28 letters, digits or '-', starting with a letter (KeyBaselineStack.resourcePrefix)"),
    executionRoleName: literal('baseline.executionRoleName', requireDefined('baseline.executionRoleName', baseline.executionRoleName),
      ROLE_NAME, "an IAM role name of 1 to 64 letters, digits or '+=,.@_-' (KeyBaselineStack.executionRoleName)"),
  };
}

/** A list prop: absent means the default; given, it must be non-empty (an empty exemption list is a different policy). */
function patterns(prop: string, value: string[] | undefined, defaults: string[], pattern: RegExp, rule: string): string[] {
  if (value === undefined || value === null) return [...defaults];
  const list = literals(prop, optionalList(prop, value), pattern, rule);
  if (list.length === 0) throw new ValidationError(`${prop} must name at least one pattern (omit it for the default ${shown(defaults)}), got []`);
  return list;
}

function literals(prop: string, values: string[], pattern: RegExp, rule: string): string[] {
  if (!Array.isArray(values)) throw new ValidationError(`${prop} must be a list, got ${shown(values)}`);
  const list = values.map((v, i) => literal(`${prop}[${i}]`, v, pattern, rule));
  requireDistinct(prop, list, (v) => v);
  return list;
}

function literal(prop: string, value: string, pattern: RegExp, rule: string): string {
  if (isTokenValue(value)) {
    throw new ValidationError(`${prop} must be a literal string (the policy's size is checked at synthesis), got ${shown(value)}`);
  }
  if (typeof value !== 'string' || !pattern.test(value)) throw new ValidationError(`${prop} must be ${rule}, got ${shown(value)}`);
  return value;
}
