import * as events from 'aws-cdk-lib/aws-events';
import type { AuditSinkRef } from './audit-sink-ref';

/**
 * An EventBridge target for the audit sink's alarm topic that grants nothing: the sink's topic policy admits the
 * EventBridge rules of its account and region (aws:SourceAccount, aws:SourceArn), where aws-events-targets' `SnsTopic`
 * would add an `events.amazonaws.com` grant with no condition (confused deputy).
 */
export function auditAlarmTarget(sink: AuditSinkRef, message?: events.RuleTargetInput): events.IRuleTarget {
  return {
    bind: () => ({ arn: sink.alarmTopic.topicArn, input: message, targetResource: sink.alarmTopic }),
  };
}
