import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { auditAlarmTarget } from './alarm-target';
import type { AuditSinkRef } from './audit-sink-ref';

/**
 * A scheduled reminder to the audit sink's topic, for keys KMS cannot rotate itself (imported material,
 * external key stores): the cryptoperiod is kept by people, and the reminder tells them when.
 */
export function addRotationReminder(scope: Construct, sink: AuditSinkRef, days: number, subject: string, message: string): events.Rule {
  return new events.Rule(scope, 'RotationReminder', {
    description: `Reminds custodians to rotate ${subject}`,
    schedule: events.Schedule.rate(Duration.days(days)),
    // The sink's topic policy already admits this account's rules; events-targets' SnsTopic would add an unscoped grant.
    targets: [auditAlarmTarget(sink, events.RuleTargetInput.fromText(message))],
  });
}
