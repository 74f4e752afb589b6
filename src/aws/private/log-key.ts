import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { DUAL_CONTROL_ACTIONS, MANAGEMENT_ACTIONS, READ_ACTIONS } from '../key-policy-actions';
import { defaultDeploymentPrincipal } from './deployment-principal';
import { recordServiceKey } from './service-key';
import { ComplianceProfile } from '../../core/profile';
import { SID } from '../key-policy-sids';

const ID = 'CloudKmsConstructsLogKey';

/**
 * The statement AWS Control Tower's CT.KMS.PR.3 looks for on every key: no grant unless it is for an AWS resource
 * or made by an AWS service. The same statement as `SID.DENY_NON_SERVICE_GRANTS` in the custodian key policy.
 * @see https://docs.aws.amazon.com/controltower/latest/controlreference/kms-rules.html
 */
export function denyGrantsNotForAwsResources(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: SID.DENY_NON_SERVICE_GRANTS,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  });
}

/**
 * The KMS key that encrypts the log groups of the library's own operational functions (custom-resource providers,
 * key-store health checks, the dual-control gate) in one stack, created on first use. AWS Control Tower's CT.CLOUDWATCH.PR.3 requires
 * every log group to be KMS-encrypted. CloudFormation may manage the key but never disable or delete it; only
 * CloudWatch Logs may use it, and only for log groups of this account and region (its encryption context).
 * No account-root delegation: nobody can read these logs' ciphertext outside CloudWatch Logs. A service key in the
 * ledger; `profile` (of the construct asking) holds it to that profile's algorithm rule.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
export function operationalLogKey(scope: IConstruct, profile?: ComplianceProfile): kms.Key {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(ID) as kms.Key | undefined;
  if (existing) {
    recordServiceKey(existing, ID, profile);
    return existing;
  }
  // A nested stack (a tenant shard) is deployed by its root stack's CloudFormation role.
  let root = stack;
  while (root.nestedStackParent) root = root.nestedStackParent;
  const deployer = defaultDeploymentPrincipal(root, stack.node.path,
    'the principal CloudFormation deploys with (the library\'s custom resources and health checks encrypt their logs with a key it manages)');
  const key = new kms.Key(stack, ID, {
    enableKeyRotation: true,
    description: 'Encrypts the logs of cloud-kms-constructs custom resources and health checks',
    removalPolicy: RemovalPolicy.RETAIN,
    policy: new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'AllowCloudFormationDeployment',
          principals: [deployer],
          actions: [...READ_ACTIONS, ...MANAGEMENT_ACTIONS.filter((a) => !DUAL_CONTROL_ACTIONS.includes(a) || a === 'kms:PutKeyPolicy')],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'AllowCloudWatchLogsOfThisAccount',
          principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
          actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
          resources: ['*'],
          conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` } },
        }),
        denyGrantsNotForAwsResources(),
      ],
    }),
  });
  recordServiceKey(key, ID, profile);
  return key;
}
