/** OrganizationGuardrails' DataResidency statement group (issue 19). */
import { ResolvedGuardrailInput } from './org-input';
import { deny, notExempt, StatementGroup } from './org-statements';

/**
 * Where the profile restricts regions: no KMS request to any other region, no replica into one, and no trail, event data
 * store, bucket, log group, log delivery or CloudHSM cluster created in one. KMS, CloudTrail, S3 buckets, CloudWatch Logs
 * and CloudHSM are regional services, so none needs the global-service exemption a deny-all region SCP carries (AWS's
 * own example). No one is exempt: the pipeline must not deploy outside the profile either.
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-replica-region
 */
export const RESIDENCY_CREATE_ACTIONS = ['cloudtrail:CreateTrail', 'cloudtrail:CreateEventDataStore', 'logs:CreateLogGroup',
  'logs:CreateDelivery', 'cloudhsm:CreateCluster'];
/**
 * What sends key material or records to a region the request does not name, which no condition key reveals: a CloudHSM
 * backup copied to another region, bucket replication, and CloudWatch Logs subscriptions (a destination "can point to
 * an AWS resource such as a Firehose stream that is located in a different Region"; an account-level subscription
 * filter policy is written with PutAccountPolicy, which has no policy-type condition key). Denied to everyone.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CreateSubscriptionFilterFirehose-Account.html
 * @see https://docs.aws.amazon.com/cloudhsm/latest/APIReference/API_CopyBackupToRegion.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication.html
 */
export const RESIDENCY_EXPORT_ACTIONS = ['cloudhsm:CopyBackupToRegion', 's3:PutReplicationConfiguration', 'logs:PutSubscriptionFilter',
  'logs:PutDestination', 'logs:PutAccountPolicy'];
/**
 * What names a place no SCP can see: a trail's bucket (CloudTrail delivers to a bucket in any region) and an external
 * key store's proxy (any URI). Left to the deployment pipeline (and, for key stores, the library's handlers, which create
 * HyokExternalStore's); the evidence records the gap.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/create-xks-keystore.html
 */
export const RESIDENCY_UNJUDGED_TRAIL_ACTIONS = ['cloudtrail:CreateTrail', 'cloudtrail:UpdateTrail'];
export const RESIDENCY_UNJUDGED_STORE_ACTIONS = ['kms:CreateCustomKeyStore', 'kms:UpdateCustomKeyStore'];
export function residencyGroups(input: ResolvedGuardrailInput): StatementGroup[] {
  const regions = input.profile.allowedRegions;
  if (regions.length === 0) return [];
  return [{
    name: 'DataResidency',
    kind: 'scp',
    statements: [
      deny('DenyKmsOutsideAllowedRegions', ['kms:*'], '*', { StringNotEquals: { 'aws:RequestedRegion': regions } }),
      // ReplicateKey is sent to the primary's region: the replica's region is kms:ReplicaRegion.
      deny('DenyReplicasOutsideAllowedRegions', ['kms:ReplicateKey'], '*', { StringNotEquals: { 'kms:ReplicaRegion': regions } }),
      deny('DenyAuditStorageOutsideAllowedRegions', RESIDENCY_CREATE_ACTIONS, '*', { StringNotEquals: { 'aws:RequestedRegion': regions } }),
      // CreateBucket sent to the global endpoint (us-east-1) may name another region as its LocationConstraint (`EU` is
      // eu-west-1): with one, the LocationConstraint alone decides; without, the bucket is in the endpoint's region.
      // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html
      deny('DenyBucketsOutsideAllowedRegions', ['s3:CreateBucket'], '*', {
        StringNotEquals: { 's3:LocationConstraint': regions.includes('eu-west-1') ? [...regions, 'EU'] : regions },
        Null: { 's3:LocationConstraint': 'false' },
      }),
      deny('DenyBucketsInOtherEndpointRegions', ['s3:CreateBucket'], '*', {
        StringNotEquals: { 'aws:RequestedRegion': regions },
        Null: { 's3:LocationConstraint': 'true' },
      }),
      deny('DenyCopiesToOtherRegions', RESIDENCY_EXPORT_ACTIONS, '*'),
      deny('DenyUnjudgedTrailDestinations', RESIDENCY_UNJUDGED_TRAIL_ACTIONS, '*', notExempt(input.pipelineRoles)),
      deny('DenyUnjudgedKeyStores', RESIDENCY_UNJUDGED_STORE_ACTIONS, '*', notExempt([...input.pipelineRoles, ...input.handlerRoles])),
    ],
  }];
}

