import { Stack } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import {
  CRITICAL_KEY_API_CALLS, ESCALATION_KEY_API_CALLS, KEY_LIFECYCLE_EVENTS, TRAIL_TAMPERING_API_CALLS,
} from './audit-sink-events';
import { recordStackResidency, stackRegions } from './residency';
import { Control } from '../../core/controls';
import { EvidenceLedger, EvidenceStatus } from '../../core/evidence';
import { ComplianceProfile } from '../../core/profile';
import { days } from '../../core/validation';

/** What the evidence names of a `KeyAuditSink` (its public attributes, by shape: this file does not import the construct). */
export interface AuditSinkParts extends IConstruct {
  readonly immutable: boolean;
  readonly retentionDays: number;
  readonly trail: cloudtrail.Trail;
  readonly bucket: s3.Bucket;
  readonly alarmTopic: IConstruct;
  readonly grantRevocationAlarm: IConstruct;
  readonly grantRevocationBurstThreshold: number;
  readonly profile: ComplianceProfile;
}

/**
 * The sink's evidence. Its first list differs on purpose from core's AUDIT_CONTROLS: NIST AU-12 is recorded apart (the
 * multi-region setting is what shows it), SOC 2 CC7.2 with the alarms (what monitors the records), and ISO A.8.15 is
 * the logging control a trail of every KMS call satisfies.
 */
export function recordAuditSinkEvidence(sink: AuditSinkParts, logGroupName: string): void {
  const ledger = EvidenceLedger.of(sink);
  const stack = Stack.of(sink);
  ledger.registerAuditSink({
    path: sink.node.path,
    stack: stack.node.path,
    cloud: 'aws',
    immutable: sink.immutable,
    retentionDays: sink.retentionDays,
    regions: stackRegions(sink),
  });
  const trail = (sink.trail.node.defaultChild as cloudtrail.CfnTrail).node.path;
  const bucket = (sink.bucket.node.defaultChild as s3.CfnBucket).node.path;
  const record = (controls: Control[], status: EvidenceStatus, resource: string, setting: string, value: string, description: string) => {
    for (const control of controls) {
      ledger.record({ control, status, subject: sink.node.path, resource, setting, value, description });
    }
  };
  record([Control.NIST_AU_2, Control.PCI_10_2_1, Control.HIPAA_164_312_B, Control.ISO_A_8_15], EvidenceStatus.SATISFIED, trail,
    'EventSelectors', 'ReadWriteType=All, no excluded sources',
    'every KMS API call, including Encrypt and Decrypt, is recorded as a management event');
  record([Control.NIST_AU_12], EvidenceStatus.SATISFIED, trail, 'IsMultiRegionTrail, IncludeGlobalServiceEvents', 'true, true',
    'the trail records every region');
  record([Control.NIST_AU_9, Control.PCI_10_3_4], EvidenceStatus.SATISFIED, trail, 'EnableLogFileValidation, KMSKeyId',
    'true, sink key', 'log files are digest-signed and encrypted with the sink\'s customer-managed key');
  record([Control.NIST_AU_9_2], EvidenceStatus.SATISFIED, bucket, 'BucketName', 'dedicated bucket',
    'records are delivered to a dedicated bucket and log group, apart from the keys they describe');
  record([Control.NIST_AU_9_4, Control.PCI_10_3_2], sink.immutable ? EvidenceStatus.SATISFIED : EvidenceStatus.NOT_SATISFIED, bucket,
    'ObjectLockConfiguration', `${sink.immutable ? 'COMPLIANCE' : 'GOVERNANCE'} ${sink.retentionDays} days`,
    sink.immutable ? 'records are write-once: nobody can delete or overwrite them before retention ends'
      : 'records can be deleted by principals allowed to bypass governance retention');
  record([Control.NIST_AU_11, Control.PCI_10_5_1], sink.retentionDays >= 365 ? EvidenceStatus.SATISFIED : EvidenceStatus.NOT_SATISFIED,
    bucket, 'DefaultRetention.Days', String(sink.retentionDays), `records are kept ${days(sink.retentionDays)} (log group ${logGroupName} at least as long)`);
  record([Control.NIST_AU_9, Control.PCI_10_2_1], EvidenceStatus.SATISFIED, trail, 'EventSelectors (data events)',
    `AWS::S3::Object ${bucket}, ReadWriteType=All`,
    'every read, write and delete of the audit records is itself recorded, write-once, by the same trail (CloudTrail data events)');
  record([Control.NIST_AU_6, Control.SOC2_CC7_2], EvidenceStatus.SATISFIED, sink.alarmTopic.node.path, 'EventBridge rules',
    [...CRITICAL_KEY_API_CALLS, ...KEY_LIFECYCLE_EVENTS, ...TRAIL_TAMPERING_API_CALLS, ...ESCALATION_KEY_API_CALLS,
      'direct CreateGrant', 'trail bucket Object Deleted'].join(', '),
    'critical key and trail events, and escalation paths around key policies, are published to an encrypted SNS topic');
  record([Control.NIST_AU_6, Control.SOC2_CC7_2], EvidenceStatus.SATISFIED, sink.grantRevocationAlarm.node.path, 'MetricFilter, Alarm',
    `RetireGrant/RevokeGrant >= ${sink.grantRevocationBurstThreshold} in 5 minutes`,
    'bursts of grant retirements and revocations raise an alarm on the audit topic');
  record([Control.NIST_AU_6, Control.SOC2_CC7_2], EvidenceStatus.SATISFIED, sink.alarmTopic.node.path, 'TopicPolicy, KeyPolicy',
    'cloudwatch.amazonaws.com, events.amazonaws.com of this account',
    'CloudWatch alarms and EventBridge rules of this account can publish to the encrypted topic; no other account\'s can');
  recordStackResidency(sink, bucket, sink.profile, 'audit records (the trail bucket, the log group and their key)');
}
