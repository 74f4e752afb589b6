import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';

// Kept apart from `KeyAuditSink` (which creates a `CustomerManagedKey` for itself) so that the key constructs and their
// settings can name a sink without importing the sink's construct, which would close an import cycle.

/**
 * Where keys send their audit trail and critical-event alarms.
 */
export interface IKeyAuditSink extends IConstruct {
  /** Whether records are write-once (S3 Object Lock in COMPLIANCE mode). */
  readonly immutable: boolean;
  /** How long records are kept, in days. */
  readonly retentionDays: number;
  /** The encrypted topic critical key events are published to. */
  readonly alarmTopic: sns.ITopic;
}
