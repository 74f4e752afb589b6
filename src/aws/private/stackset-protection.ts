/**
 * The service control policy statements that keep a member account's administrators from switching the baseline off:
 * for `OrganizationGuardrails` (aws-scp) to add to its SCP. Plain IAM JSON, so the same document is what the tests
 * evaluate with the real IAM evaluator.
 *
 * Who would defeat the drift alarm, and what each statement refuses them:
 *  - delete, disable or retarget the EventBridge rules (the drift detector's and the audit sink's); change, throttle to
 *    zero concurrency or delete the detector function; silence, delete or reset (SetAlarmState) the alarms; delete or
 *    shorten the log groups, or delete or rewrite the trail log group's metric filters; rewrite the detector's or the
 *    trail delivery role or its managed policy; stop or change the baseline trail; delete the alarm topic, change its
 *    policy or unsubscribe its recipients -> `ProtectKeyBaselineResources`, on every resource named with the baseline
 *    prefix (KeyBaselineStack names them so, and BaselineStackSet refuses a baseline resource that is neither named so
 *    nor of a type covered otherwise: private/stackset-names.ts), for everyone but the StackSet execution role;
 *  - create or take over a role whose name the detector trusts as a deployment path (a look-alike `stacksets-exec-…`
 *    role used through CloudFormation) -> `ProtectStackSetExecutionRoleNames`. SCPs never restrict service-linked
 *    roles, so StackSets' own member-account role keeps managing the real one.
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
 */
export interface PolicyStatementJson {
  readonly Sid: string;
  readonly Effect: 'Deny';
  readonly Action: string[];
  readonly Resource: string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

/** Actions that change or remove what the baseline deploys, per service, on the prefixed resources. */
export const BASELINE_TAMPERING_ACTIONS: string[] = [
  'events:DeleteRule', 'events:DisableRule', 'events:PutRule', 'events:PutTargets', 'events:RemoveTargets',
  'lambda:DeleteFunction', 'lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration', 'lambda:PutFunctionConcurrency',
  'lambda:DeleteFunctionConcurrency', 'lambda:AddPermission', 'lambda:RemovePermission',
  'cloudwatch:DeleteAlarms', 'cloudwatch:PutMetricAlarm', 'cloudwatch:DisableAlarmActions', 'cloudwatch:SetAlarmState',
  'logs:DeleteLogGroup', 'logs:PutRetentionPolicy', 'logs:DeleteRetentionPolicy', 'logs:DisassociateKmsKey',
  'iam:DeleteRole', 'iam:UpdateAssumeRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:AttachRolePolicy',
  'iam:DetachRolePolicy', 'iam:PutRolePermissionsBoundary', 'iam:DeleteRolePermissionsBoundary',
  'cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'cloudtrail:UpdateTrail', 'cloudtrail:PutEventSelectors',
  // The alarm topic: its policy (who may publish) and its subscriptions (the Service Authorization Reference gives
  // sns:Unsubscribe the topic as resource; a subscription's ARN, the topic's followed by ':<id>', matches the same
  // pattern). Adding a subscriber silences nothing and stays open.
  'sns:DeleteTopic', 'sns:SetTopicAttributes', 'sns:AddPermission', 'sns:RemovePermission', 'sns:Unsubscribe',
  'sns:PutDataProtectionPolicy',
  // The trail log group's metric filters (the grant revocation alarm's metric) and its encryption.
  'logs:DeleteMetricFilter', 'logs:PutMetricFilter', 'logs:AssociateKmsKey',
  // The trail delivery role's managed policy.
  'iam:CreatePolicyVersion', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeletePolicy',
];

/** Actions that create a role or change who may assume it, or what it may do. */
const ROLE_TAKEOVER_ACTIONS = [
  'iam:CreateRole', 'iam:UpdateAssumeRolePolicy', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:PutRolePermissionsBoundary',
  'iam:DeleteRolePermissionsBoundary', 'iam:DeleteRole',
];

/**
 * What would stop AWS Config from judging the account's keys: stop or reconfigure the recorder, remove its delivery
 * channel, narrow what it records (AssociateResourceTypes/DisassociateResourceTypes change the recording group of an
 * inclusion or exclusion recorder), redirect or delete its delivery channel, delete a rule's evaluation results, or delete
 * or rewrite a conformance pack. These actions are denied on every resource ("*"): a resource ARN
 * that an action does not support would make the statement match nothing, silently. Teams' own conformance packs then
 * go through the deployment roles too.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsconfig.html
 */
export const CONFIG_TAMPERING_ACTIONS: string[] = [
  'config:StopConfigurationRecorder', 'config:DeleteConfigurationRecorder', 'config:PutConfigurationRecorder',
  'config:AssociateResourceTypes', 'config:DisassociateResourceTypes',
  'config:PutServiceLinkedConfigurationRecorder', 'config:DeleteServiceLinkedConfigurationRecorder',
  'config:PutDeliveryChannel', 'config:DeleteDeliveryChannel', 'config:DeleteEvaluationResults',
  'config:DeleteConformancePack', 'config:PutConformancePack',
];

/**
 * The statements for a baseline deployed with `resourcePrefix` by the StackSet execution role `executionRoleName`;
 * `configManagers` (role ARN patterns: the deployment roles, break-glass) may also manage AWS Config recording.
 */
export function baselineProtectionStatements(resourcePrefix: string, executionRoleName: string,
  configManagers: string[] = []): PolicyStatementJson[] {
  const p = resourcePrefix;
  const executionRole = `arn:*:iam::*:role/${executionRoleName}`;
  return [{
    Sid: 'ProtectKeyBaselineResources',
    Effect: 'Deny',
    Action: [...BASELINE_TAMPERING_ACTIONS],
    Resource: [
      `arn:*:events:*:*:rule/${p}-*`,
      `arn:*:lambda:*:*:function:${p}-*`,
      `arn:*:cloudwatch:*:*:alarm:${p}-*`,
      `arn:*:logs:*:*:log-group:/aws/lambda/${p}-*`,
      `arn:*:logs:*:*:log-group:/aws/cloudtrail/${p}-*`,
      `arn:*:iam::*:role/${p}-*`,
      `arn:*:iam::*:policy/${p}-*`,
      `arn:*:cloudtrail:*:*:trail/${p}-*`,
      `arn:*:sns:*:*:${p}-*`,
    ],
    Condition: { ArnNotLike: { 'aws:PrincipalArn': executionRole } },
  }, {
    Sid: 'ProtectConfigRecording',
    Effect: 'Deny',
    Action: [...CONFIG_TAMPERING_ACTIONS],
    Resource: ['*'],
    Condition: { ArnNotLike: { 'aws:PrincipalArn': [...new Set([executionRole, ...configManagers])] } },
  }, {
    Sid: 'ProtectStackSetExecutionRoleNames',
    Effect: 'Deny',
    Action: [...ROLE_TAKEOVER_ACTIONS],
    Resource: ['arn:*:iam::*:role/stacksets-exec-*'],
  }];
}
