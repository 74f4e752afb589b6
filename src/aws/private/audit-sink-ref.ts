import type * as sns from 'aws-cdk-lib/aws-sns';
import type { IConstruct } from 'constructs';

/**
 * What a key needs of its audit sink: `IKeyAuditSink` as the private helpers see it. They take this shape, not the
 * sink's module, because the sink's own key is built from these helpers (importing the sink here would be a cycle).
 */
export interface AuditSinkRef extends IConstruct {
  /** Whether records are write-once. */
  readonly immutable: boolean;
  /** How long records are kept, in days. */
  readonly retentionDays: number;
  /** The topic critical key events are published to. */
  readonly alarmTopic: sns.ITopic;
}
