/*
 * The statements of OrganizationGuardrails' service and resource control policies, grouped by what they protect, and
 * their packing into policy documents Organizations accepts. Every threshold comes from the profile.
 */
import { ResolvedGuardrailInput } from './org-input';
import { residencyGroups } from './org-residency';
import { deny, notExempt, PolicyStatement, StatementGroup, unique } from './org-statements';
import { baselineProtectionStatements } from './stackset-protection';
import { ValidationError } from '../../core/validation';

/**
 * Maximum size of an SCP and of an RCP document: 5,120 characters, counted without the white space outside quoted
 * strings (Organizations minifies what it stores when the policy is created through the API, as CloudFormation does).
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html#min-max-values
 */
export const MAX_POLICY_CHARACTERS = 5120;
/**
 * At most five SCPs (and five RCPs) can be attached to one root, OU or account, FullAWSAccess / RCPFullAWSAccess
 * among them: four are left for these guardrails at each target.
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html#min-max-values
 */
export const MAX_POLICIES_PER_TARGET = 4;
/** The rotation period KMS applies when EnableKeyRotation names none. */
export const KMS_DEFAULT_ROTATION_DAYS = 365;

/**
 * The key administration acts the golden pattern routes through its pipeline, the dual-control gate (whose executor
 * also cancels deletions and moves or deletes aliases) and its handlers (the tenant key-deletion handler cancels a
 * deletion and enables the key on re-onboarding). UpdateAlias and DeleteAlias are authorized on the alias and on the
 * key; Resource "*" covers both. ReplicateKey carries no kms:BypassPolicyLockoutSafetyCheck key (the Service Authorization Reference lists it for
 * CreateKey and PutKeyPolicy only), so the replica's policy is guarded only by ReplicateKey being denied here.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html
 */
export const KEY_ADMINISTRATION_ACTIONS = ['kms:PutKeyPolicy', 'kms:DisableKey', 'kms:EnableKey', 'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion', 'kms:ReplicateKey', 'kms:UpdatePrimaryRegion', 'kms:UpdateAlias', 'kms:DeleteAlias',
  'kms:ImportKeyMaterial', 'kms:DeleteImportedKeyMaterial'];
/**
 * Grants made or revoked by a principal itself rather than by an AWS service for one of its resources: a direct grant
 * hands a key's use to anyone, a revocation takes it away from the service that holds it. kms:GrantIsForAWSResource is
 * true only when an integrated service sends the request on the caller's behalf; the golden pattern's key policies
 * already refuse such grants (CT.KMS.PR.3's form), and none of its handlers calls either.
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-grant-is-for-aws-resource
 */
export const DIRECT_GRANT_ACTIONS = ['kms:CreateGrant', 'kms:RevokeGrant'];
/**
 * What would stop, delete, redirect or thin out the audit trail.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudtrail.html
 */
export const TRAIL_ACTIONS = ['cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'cloudtrail:UpdateTrail', 'cloudtrail:PutEventSelectors'];
/**
 * What would let records expire or be deleted early, or open the bucket: its lifecycle, its policy and its Object
 * Lock default retention.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
 */
export const BUCKET_ACTIONS = ['s3:PutLifecycleConfiguration', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:PutBucketObjectLockConfiguration',
  's3:PutBucketOwnershipControls', 's3:PutBucketAcl', 's3:PutBucketPublicAccessBlock', 's3:PutReplicationConfiguration'];
/**
 * What would let someone act as an exempt role: change who may assume it or what it may do, delete and recreate it.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
 */
export const ROLE_CHANGE_ACTIONS = ['iam:CreateRole', 'iam:DeleteRole', 'iam:UpdateAssumeRolePolicy', 'iam:UpdateRole', 'iam:AttachRolePolicy',
  'iam:DetachRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:PutRolePermissionsBoundary', 'iam:DeleteRolePermissionsBoundary'];
/**
 * What changes a stack, and with it whatever the stack's CloudFormation service role may do: once a stack has a service
 * role, anyone allowed to operate on the stack acts with that role.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-iam-servicerole.html
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudformation.html
 */
export const STACK_CHANGE_ACTIONS = ['cloudformation:CreateStack', 'cloudformation:UpdateStack', 'cloudformation:DeleteStack',
  'cloudformation:CreateChangeSet', 'cloudformation:ExecuteChangeSet', 'cloudformation:ContinueUpdateRollback', 'cloudformation:RollbackStack'];
/**
 * Code or configuration (layers, environment) of the dual-control executor and of the custom resource handlers runs as
 * their roles; a reserved concurrency of zero, a changed resource policy or asynchronous-invocation configuration stops
 * or reroutes them (dual control, offboarding and HYOK handlers would no longer run).
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html
 */
export const HANDLER_FUNCTION_ACTIONS = ['lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration', 'lambda:DeleteFunction',
  'lambda:PutFunctionConcurrency', 'lambda:DeleteFunctionConcurrency', 'lambda:AddPermission', 'lambda:RemovePermission',
  'lambda:PutFunctionEventInvokeConfig', 'lambda:UpdateFunctionEventInvokeConfig', 'lambda:DeleteFunctionEventInvokeConfig'];
/**
 * The CDK bootstrap asset stores: the pipeline deploys the handler and executor code it finds there next, so whoever
 * overwrites an object runs code as those roles. The bootstrap publishing roles upload them during `cdk deploy`.
 * @see https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html
 */
export const ASSET_OBJECT_ACTIONS = ['s3:PutObject', 's3:DeleteObject'];
export const ASSET_IMAGE_ACTIONS = ['ecr:PutImage', 'ecr:BatchDeleteImage', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart',
  'ecr:CompleteLayerUpload'];
export const ASSET_BUCKET_OBJECTS = 'arn:*:s3:::cdk-*-assets-*/*';
export const ASSET_REPOSITORIES = 'arn:*:ecr:*:*:repository/cdk-*-container-assets-*';

const bucketArns = (input: ResolvedGuardrailInput) => input.buckets.map((b) => `arn:*:s3:::${b}`);
const objectArns = (input: ResolvedGuardrailInput) => input.buckets.map((b) => `arn:*:s3:::${b}/*`);

/** The SCP statement groups: who may administer keys, and what no one below the management account may do. */
export function scpGroups(input: ResolvedGuardrailInput): StatementGroup[] {
  return [...keyGroups(input), exemptPrincipalGroup(input), handlerAssetGroup(input), ...pipelineEntryGroups(input), ...auditGroups(input),
    ...baselineGroups(input), ...residencyGroups(input)];
}

/**
 * The key baseline the StackSet rolls out (drift detector, trail, conformance pack) is the StackSet execution role's
 * alone, and AWS Config recording the deployment roles' and break-glass's: detective controls an account administrator
 * could otherwise switch off.
 */
function baselineGroups(input: ResolvedGuardrailInput): StatementGroup[] {
  if (!input.baseline) return [];
  const statements = baselineProtectionStatements(input.baseline.resourcePrefix, input.baseline.executionRoleName,
    [...input.pipelineRoles, input.breakGlassRoleArn]);
  return [{ name: 'KeyBaseline', kind: 'scp', statements: statements.map((s) => ({ ...s })) }];
}

/**
 * With the pipeline's own identities named, the deploy roles (which `cdk bootstrap` lets the whole account assume) and
 * stack changes are theirs alone: the pipeline becomes the only way to act as the deployment roles.
 */
function pipelineEntryGroups(input: ResolvedGuardrailInput): StatementGroup[] {
  if (!input.deployers) return [];
  return [{
    name: 'PipelineEntry',
    kind: 'scp',
    statements: [
      deny('DenyAssumingDeployRoles', ['sts:AssumeRole'], unique([...input.pipelinePassers, ...ASSET_PUBLISHING_ROLE_PATTERNS]),
        notExempt(input.deployers)),
      deny('DenyStackChangesOutsidePipeline', STACK_CHANGE_ACTIONS, 'arn:*:cloudformation:*:*:stack/*',
        notExempt([...input.pipelineRoles, ...input.pipelinePassers, ...input.deployers])),
    ],
  }];
}

function keyGroups(input: ResolvedGuardrailInput): StatementGroup[] {
  const keyAdministrators = [...input.pipelineRoles, ...input.executorRoles, ...input.handlerRoles, input.breakGlassRoleArn];
  return [
    // A key policy that locks its own administrators out cannot be repaired by anyone in the account. The golden pattern
    // creates dual-control keys so on purpose (their deployer may not call PutKeyPolicy; the gate's executor may): only
    // deployment roles and custom resource handlers may, and no one may put such a policy later.
    // https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-bypass-policy-lockout-safety-check
    {
      name: 'KeyPolicyLockout',
      kind: 'scp',
      statements: [
        deny('DenyKmsPolicyLockoutBypassAtCreation', ['kms:CreateKey'], '*', {
          Bool: { 'kms:BypassPolicyLockoutSafetyCheck': 'true' },
          ...notExempt([...input.pipelineRoles, ...input.handlerRoles]),
        }),
        deny('DenyKmsPolicyLockoutBypass', ['kms:PutKeyPolicy'], '*', { Bool: { 'kms:BypassPolicyLockoutSafetyCheck': 'true' } }),
      ],
    },
    // The key is absent when the caller leaves PendingWindowInDays out: KMS then waits 30 days, the longest window.
    // https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-schedule-key-deletion-pending-window-in-days
    {
      name: 'KeyDeletionWindow',
      kind: 'scp',
      statements: [deny('DenyShortKeyDeletionWindow', ['kms:ScheduleKeyDeletion'], '*',
        { NumericLessThan: { 'kms:ScheduleKeyDeletionPendingWindowInDays': String(input.profile.minDeletionWindowDays) } })],
    },
    rotationGroup(input, keyAdministrators),
    keyAdministrationGroup(input, keyAdministrators),
  ];
}

/**
 * Key administration on the golden path only. The BYOK ceremony's importers (outside dual control they import with
 * the CLI themselves) may import key material too, when named; KMS accepts only the key's original material again.
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys.html
 */
function keyAdministrationGroup(input: ResolvedGuardrailInput, keyAdministrators: string[]): StatementGroup {
  const grants = deny('DenyDirectKeyGrants', DIRECT_GRANT_ACTIONS, '*',
    { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false' }, ...notExempt(keyAdministrators) });
  if (input.importers.length === 0) {
    return {
      name: 'KeyAdministration',
      kind: 'scp',
      statements: [deny('DenyKeyAdministrationOutsideGoldenPath', KEY_ADMINISTRATION_ACTIONS, '*',
        notExempt(keyAdministrators)), grants],
    };
  }
  return {
    name: 'KeyAdministration',
    kind: 'scp',
    statements: [
      deny('DenyKeyAdministrationOutsideGoldenPath', KEY_ADMINISTRATION_ACTIONS.filter((a) => a !== 'kms:ImportKeyMaterial'), '*',
        notExempt(keyAdministrators)),
      deny('DenyKeyImportOutsideGoldenPath', ['kms:ImportKeyMaterial'], '*', notExempt([...keyAdministrators, ...input.importers])),
      grants,
    ],
  };
}

/**
 * Rotation stays within the profile's period: kms:RotationPeriodInDays is absent when the caller leaves the period out,
 * and KMS then rotates every 365 days, so a profile stricter than that also refuses the default.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-rotation-period-in-days
 */
function rotationGroup(input: ResolvedGuardrailInput, keyAdministrators: string[]): StatementGroup {
  const max = input.profile.maxRotationDays;
  const statements = [deny('DenyLongKeyRotationPeriod', ['kms:EnableKeyRotation'], '*',
    { NumericGreaterThan: { 'kms:RotationPeriodInDays': String(max) } })];
  if (max < KMS_DEFAULT_ROTATION_DAYS) {
    statements.push(deny('DenyDefaultKeyRotationPeriod', ['kms:EnableKeyRotation'], '*', { Null: { 'kms:RotationPeriodInDays': 'true' } }));
  }
  statements.push(deny('DenyDisablingKeyRotation', ['kms:DisableKeyRotation'], '*', notExempt(keyAdministrators)));
  return { name: 'KeyRotation', kind: 'scp', statements };
}

/** The CDK bootstrap roles that upload file and image assets during `cdk deploy`. */
export const ASSET_PUBLISHING_ROLE_PATTERNS = ['arn:*:iam::*:role/cdk-*-file-publishing-role-*', 'arn:*:iam::*:role/cdk-*-image-publishing-role-*'];

/** The exemptions are only as good as the exempt roles: no one else may become, change or pass them. */
function exemptPrincipalGroup(input: ResolvedGuardrailInput): StatementGroup {
  const protectedRoles = [...input.pipelineRoles, ...input.pipelinePassers, ...(input.deployers ?? []), ...input.executorRoles,
    ...input.handlerRoles, ...input.importers, input.breakGlassRoleArn, ...input.roleAdministrators, ...ASSET_PUBLISHING_ROLE_PATTERNS];
  return {
    name: 'ExemptPrincipals',
    kind: 'scp',
    statements: [
      deny('DenyExemptRoleChanges', ROLE_CHANGE_ACTIONS, unique(protectedRoles), notExempt([...input.pipelineRoles, ...input.roleAdministrators])),
      // Passing the pipeline, executor or key creator role to CloudFormation or Lambda would run anyone's template or code as it.
      deny('DenyPassingExemptRoles', ['iam:PassRole'], unique([...input.pipelineRoles, ...input.executorRoles, ...input.handlerRoles]),
        notExempt([...input.pipelineRoles, ...input.pipelinePassers])),
      deny('DenyHandlerCodeChanges', HANDLER_FUNCTION_ACTIONS, unique([...input.executorFunctions, ...input.handlerFunctions])
        .map((f) => `arn:*:lambda:*:*:function:${f}`),
      notExempt(input.pipelineRoles)),
    ],
  };
}

/** The code the pipeline deploys next is the bootstrap publishing roles', the pipeline's and the deployers' alone. */
function handlerAssetGroup(input: ResolvedGuardrailInput): StatementGroup {
  const publishers = notExempt([...input.pipelineRoles, ...input.pipelinePassers, ...(input.deployers ?? []), ...ASSET_PUBLISHING_ROLE_PATTERNS]);
  return {
    name: 'HandlerAssets',
    kind: 'scp',
    statements: [
      deny('DenyAssetObjectChanges', ASSET_OBJECT_ACTIONS, ASSET_BUCKET_OBJECTS, publishers),
      deny('DenyAssetImageChanges', ASSET_IMAGE_ACTIONS, ASSET_REPOSITORIES, publishers),
    ],
  };
}

function auditGroups(input: ResolvedGuardrailInput): StatementGroup[] {
  return [
    {
      name: 'AuditTrail',
      kind: 'scp',
      statements: [deny('DenyAuditTrailChanges', TRAIL_ACTIONS,
        input.trails.map((t) => `arn:*:cloudtrail:*:*:trail/${t}`), notExempt(input.pipelineRoles))],
    },
    {
      name: 'AuditBucket',
      kind: 'scp',
      statements: [
        deny('DenyAuditBucketChanges', BUCKET_ACTIONS, bucketArns(input), notExempt(input.pipelineRoles)),
        // Governance-mode retention is the only Object Lock mode anyone can shorten; no one is exempt. The permission is
        // checked on the object (its only resource type in the Service Authorization Reference).
        // https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html#object-lock-retention-modes
        deny('DenyAuditGovernanceBypass', ['s3:BypassGovernanceRetention'], objectArns(input)),
      ],
    },
  ];
}

/**
 * The RCP statement groups: the organisation's identity perimeter around its keys (AWS's own examples), and TLS for
 * every request to an audit bucket. `kms:*` in an RCP does not cover kms:RetireGrant (KMS decides it by the grant).
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/resource-control-policies.html
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html
 */
export function rcpGroups(input: ResolvedGuardrailInput): StatementGroup[] {
  return [
    {
      name: 'KeyIdentityPerimeter',
      kind: 'rcp',
      statements: [{
        Sid: 'EnforceOrgIdentitiesOnKeys',
        Effect: 'Deny',
        Principal: '*',
        Action: ['kms:*'],
        Resource: '*',
        Condition: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': input.organizationId }, Bool: { 'aws:PrincipalIsAWSService': 'false' } },
      }, {
      // A service acting for someone (aws:SourceAccount present) must act for an account of this organisation.
        Sid: 'EnforceConfusedDeputyProtectionOnKeys',
        Effect: 'Deny',
        Principal: '*',
        Action: ['kms:*'],
        Resource: '*',
        Condition: {
          StringNotEqualsIfExists: { 'aws:SourceOrgID': input.organizationId },
          Null: { 'aws:SourceAccount': 'false' },
          Bool: { 'aws:PrincipalIsAWSService': 'true' },
        },
      }],
    },
    {
      name: 'AuditBucketTransport',
      kind: 'rcp',
      statements: [{
      // https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html#transit
        Sid: 'DenyInsecureAuditBucketTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: ['s3:*'],
        Resource: [...bucketArns(input), ...objectArns(input)],
        Condition: { BoolIfExists: { 'aws:SecureTransport': 'false' } },
      }],
    },
  ];
}

/** The document Organizations stores, as it counts its size (no white space outside strings). */
export function policyDocument(statements: PolicyStatement[]): { Version: string; Statement: PolicyStatement[] } {
  return { Version: '2012-10-17', Statement: statements };
}

export function policySize(statements: PolicyStatement[]): number {
  return JSON.stringify(policyDocument(statements)).length;
}

/**
 * Packs the statements, in order, into as few documents as fit the size limit. A statement too large for a document
 * of its own, or more documents than a target can take, is refused here rather than by Organizations at deploy time.
 */
export function packStatements(kind: 'scp' | 'rcp', groups: StatementGroup[]): PolicyStatement[][] {
  const label = kind === 'scp' ? 'service control policy' : 'resource control policy';
  const documents: PolicyStatement[][] = [];
  let current: PolicyStatement[] = [];
  for (const statement of groups.flatMap((g) => g.statements)) {
    const alone = policySize([statement]);
    if (alone > MAX_POLICY_CHARACTERS) {
      throw new ValidationError(`statement ${statement.Sid} of the ${label} is ${alone} characters on its own, over Organizations' limit of `
        + `${MAX_POLICY_CHARACTERS}: shorten the patterns it lists`);
    }
    if (current.length > 0 && policySize([...current, statement]) > MAX_POLICY_CHARACTERS) {
      documents.push(current);
      current = [];
    }
    current.push(statement);
  }
  if (current.length > 0) documents.push(current);
  if (documents.length > MAX_POLICIES_PER_TARGET) {
    throw new ValidationError(`the guardrails need ${documents.length} ${label} documents, but a target takes at most `
      + `${MAX_POLICIES_PER_TARGET} besides the default full-access policy: shorten the patterns`);
  }
  return documents;
}
