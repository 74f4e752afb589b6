import { Stack } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { RuleAcknowledgement } from './acknowledge';

const LOG_RETENTION_STEPS: logs.RetentionDays[] = [
  logs.RetentionDays.ONE_DAY, logs.RetentionDays.THREE_DAYS, logs.RetentionDays.FIVE_DAYS, logs.RetentionDays.ONE_WEEK,
  logs.RetentionDays.TWO_WEEKS, logs.RetentionDays.ONE_MONTH, logs.RetentionDays.TWO_MONTHS, logs.RetentionDays.THREE_MONTHS,
  logs.RetentionDays.FOUR_MONTHS, logs.RetentionDays.FIVE_MONTHS, logs.RetentionDays.SIX_MONTHS, logs.RetentionDays.ONE_YEAR,
  logs.RetentionDays.THIRTEEN_MONTHS, logs.RetentionDays.EIGHTEEN_MONTHS, logs.RetentionDays.TWO_YEARS,
  logs.RetentionDays.THREE_YEARS, logs.RetentionDays.FIVE_YEARS, logs.RetentionDays.SIX_YEARS, logs.RetentionDays.SEVEN_YEARS,
  logs.RetentionDays.EIGHT_YEARS, logs.RetentionDays.NINE_YEARS, logs.RetentionDays.TEN_YEARS,
];

export function logRetentionFor(retentionDays: number): logs.RetentionDays {
  return LOG_RETENTION_STEPS.find((d) => (d as number) >= retentionDays) ?? logs.RetentionDays.INFINITE;
}

/** The server-access-logging findings on a bucket whose object access CloudTrail data events record instead. */
export function objectAccessAcknowledgements(reason: string): RuleAcknowledgement[] {
  return [
    'AwsSolutions-S1', 'NIST.800.53.R5-S3BucketLoggingEnabled', 'HIPAA.Security-S3BucketLoggingEnabled', 'PCI.DSS.321-S3BucketLoggingEnabled',
    // AWS Control Tower CT.S3.PR.2, as the CfnGuardValidator plugin names it.
    'cdk-validator-cfnguard::s3_bucket_logging_enabled_check',
  ].map((id) => ({ id, reason }));
}

/** Lets CloudTrail (for this trail) and CloudWatch Logs (for its log group) use the sink's key. */
export function authorizeTrailServices(key: kms.IKey, stack: Stack, trailArn: string, logGroupArn: string): void {
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudTrailToEncryptLogs',
    principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
    actions: ['kms:GenerateDataKey'],
    resources: ['*'],
    conditions: {
      StringEquals: { 'aws:SourceArn': trailArn },
      StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${stack.partition}:cloudtrail:*:${stack.account}:trail/*` },
    },
  }));
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudTrailToDescribeKey',
    principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
    actions: ['kms:DescribeKey'],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:SourceArn': trailArn } },
  }));
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudWatchLogsForTheTrailLogGroup',
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey',
      'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'],
    resources: ['*'],
    conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': logGroupArn } },
  }));
}

/**
 * Guards against escape hatches (property overrides included) that would blind the trail.
 */
export function trailFindings(trail: cloudtrail.Trail, bucket: s3.IBucket): string[] {
  const cfn = trail.node.defaultChild as cloudtrail.CfnTrail;
  const stack = Stack.of(trail);
  // The rendered resource, with raw overrides applied, as it will appear in the template.
  const rendered = stack.resolve((cfn as any)._toCloudFormation()) as { Resources: Record<string, { Properties: any }> };
  const props = Object.values(rendered.Resources)[0].Properties ?? {};
  const errors: string[] = [];
  // Selectors with IncludeManagementEvents false only add data events (object access); the others must record
  // every management event.
  const selectors: any[] = props.EventSelectors ?? [];
  const management = selectors.filter((s) => s.IncludeManagementEvents !== false);
  for (const s of management) {
    if ((s.ExcludeManagementEventSources ?? []).includes('kms.amazonaws.com')) {
      errors.push('the audit trail must not exclude kms.amazonaws.com management events');
    }
    if (s.ReadWriteType !== undefined && s.ReadWriteType !== 'All') {
      errors.push(`the audit trail must record read and write management events, got ${s.ReadWriteType}`);
    }
  }
  if (selectors.length > 0 && management.length === 0) errors.push('the audit trail must include management events');
  for (const s of selectors.filter((x) => x.IncludeManagementEvents === false)) {
    if (s.ReadWriteType !== undefined && s.ReadWriteType !== 'All') {
      errors.push(`the audit trail must record reads and writes of the audit records, got ${s.ReadWriteType}`);
    }
  }
  const bucketArn = stack.resolve(`${bucket.bucketArn}/`);
  const recordsOwnBucket = selectors.some((s) => s.IncludeManagementEvents === false && (s.DataResources ?? [])
    .some((d: any) => d.Type === 'AWS::S3::Object' && JSON.stringify(d.Values ?? []).includes(JSON.stringify(bucketArn))));
  if (!recordsOwnBucket) errors.push('the audit trail must record object-level access to its own bucket (S3 data events)');
  if (props.IsMultiRegionTrail !== true) errors.push('the audit trail must be multi-region');
  if (props.EnableLogFileValidation !== true) errors.push('the audit trail must validate log files');
  if (props.IsLogging !== true) errors.push('the audit trail must be logging');
  if (!props.KMSKeyId) errors.push('the audit trail must be KMS-encrypted');
  if (!props.CloudWatchLogsLogGroupArn) errors.push('the audit trail must deliver to its CloudWatch log group');
  return errors;
}
