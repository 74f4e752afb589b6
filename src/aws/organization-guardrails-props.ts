import { ComplianceProfile } from '../core/profile';

/**
 * Props of OrganizationGuardrails.
 */
export interface OrganizationGuardrailsProps {
  /**
   * The compliance profile whose thresholds the policies carry (the shortest deletion window allowed).
   */
  readonly profile: ComplianceProfile;

  /**
   * Where the policies are attached: the root (`r-...`), organizational units (`ou-...-...`) or accounts (12 digits).
   * @see https://docs.aws.amazon.com/organizations/latest/APIReference/API_AttachPolicy.html
   */
  readonly targetIds: string[];

  /**
   * The organization's id (`o-...`): the resource control policy admits its principals (aws:PrincipalOrgID) and AWS
   * services acting for its accounts (aws:SourceOrgID) to the keys of the target accounts.
   */
  readonly organizationId: string;

  /**
   * The deployment roles of the golden pattern, as role ARN patterns (`*` for partition, account or any part of the
   * name): they may administer keys and change the audit trail and buckets.
   * @default - the CDK bootstrap execution role `arn:*:iam::*:role/cdk-*-cfn-exec-role-*` and StackSets' execution role
   * `arn:*:iam::*:role/stacksets-exec-*`
   * @see https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html
   */
  readonly pipelineRoleArnPatterns?: string[];

  /**
   * The roles that pass the deployment roles to CloudFormation (besides the deployment roles themselves).
   * @default - the CDK bootstrap deploy role `arn:*:iam::*:role/cdk-*-deploy-role-*`
   */
  readonly pipelinePassRoleArnPatterns?: string[];

  /**
   * The pipeline's own identities (e.g. the CodePipeline or CI role that runs `cdk deploy`), as role ARN patterns. When
   * given, only they may assume the deploy roles, and only they and the deployment roles may create, update or delete
   * CloudFormation stacks in the target accounts: otherwise anyone the deploy role trusts (`cdk bootstrap` always trusts
   * the account itself), and anyone who may update a stack with a service role, acts as the pipeline.
   * @default - no restriction: the pipeline is as strong as the deploy role's trust policy (the evidence says so)
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-iam-servicerole.html
   */
  readonly pipelineDeployerArnPatterns?: string[];

  /**
   * The dual-control gate's executor role (`DualControlGate.executorRole`), as role ARN patterns: it may administer keys.
   * @default - `arn:*:iam::*:role/*ExecutorRole*`, the CloudFormation-generated name of the gate's `ExecutorRole`
   */
  readonly dualControlExecutorRoleArnPatterns?: string[];

  /**
   * The dual-control gate's executor function names (`DualControlGate.executorFunction`): only the deployment roles may
   * change their code or configuration, which runs as the executor role.
   * @default - `*Executor*`, the CloudFormation-generated name of the gate's `Executor` function
   */
  readonly dualControlExecutorFunctionNamePatterns?: string[];

  /**
   * The roles of this library's custom resource handlers, which administer keys on the golden path: the HYOK key
   * handler creates keys (with the lockout check bypassed under dual control), puts their policies and schedules their
   * deletion; the tenant offboarding handler disables keys and schedules their deletion.
   * @default - `arn:*:iam::*:role/*CloudKmsConstructs*`, the CloudFormation-generated names of those roles (name them
   * explicitly if your stack names are long: CloudFormation shortens the parts of a generated name)
   */
  readonly handlerRoleArnPatterns?: string[];

  /**
   * The BYOK ceremony's importers (as role ARN patterns), who import key material with the `cloud-kms` CLI themselves
   * where no dual control routes the import through the gate: they may call kms:ImportKeyMaterial too.
   * @default - none: only the deployment roles, the executor, the handlers and break-glass import key material
   */
  readonly keyImporterArnPatterns?: string[];

  /**
   * The functions of those handlers: only the deployment roles may change their code or configuration.
   * @default - `*CloudKmsConstructs*`
   */
  readonly handlerFunctionNamePatterns?: string[];

  /**
   * Who else may create or change the exempt roles (the deployment, executor and break-glass roles).
   * @default - StackSets' execution role `arn:*:iam::*:role/stacksets-exec-*`
   */
  readonly roleAdministratorArnPatterns?: string[];

  /**
   * The break-glass role's name (no path), in every target account: exempt from the key-administration denial, and the
   * only way round it. Its use shows in CloudTrail and in the key policy drift alarm (docs/organization-guardrails.md).
   * @default 'cloud-kms-break-glass'
   */
  readonly breakGlassRoleName?: string;

  /**
   * The audit trails to protect, as trail name patterns.
   * @default ['*'] - every trail: KeyAuditSink names its trail after its construct path, unknown here
   */
  readonly auditTrailNamePatterns?: string[];

  /**
   * The audit buckets to protect, as bucket name patterns.
   * @default ['*audit*'] - the bucket CloudFormation names for a KeyAuditSink whose id holds `Audit`
   */
  readonly auditBucketNamePatterns?: string[];

  /**
   * The key baseline rolled out to the target accounts by a `BaselineStackSet` (`{ resourcePrefix:
   * rollout.baseline.resourcePrefix, executionRoleName: rollout.baseline.executionRoleName }`): its drift detector, trail
   * and conformance pack become the StackSet execution role's alone, and AWS Config recording the deployment roles'.
   * @default - the baseline is not protected: an account administrator could switch its drift alarm and Config rules off
   */
  readonly baseline?: BaselineProtection;
}

/**
 * The key baseline a `BaselineStackSet` rolls out, for `OrganizationGuardrails` to protect.
 */
export interface BaselineProtection {
  /** The prefix of the baseline's named resources: `KeyBaselineStack.resourcePrefix` (default `cloud-kms-baseline`). */
  readonly resourcePrefix: string;
  /** The StackSet execution role in member accounts: `KeyBaselineStack.executionRoleName`. */
  readonly executionRoleName: string;
}
