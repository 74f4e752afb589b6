/*
 * Who the Google Cloud KeyAuditSink's alerts reach, and the alerts themselves: the recipients props, checked before
 * anything is created, and a log-based metric and alerting policy per watched event (audit-alerts.ts lists the events).
 */
import { LoggingMetric } from '@cdktf/provider-google/lib/logging-metric';
import { MonitoringAlertPolicy } from '@cdktf/provider-google/lib/monitoring-alert-policy';
import { MonitoringNotificationChannel } from '@cdktf/provider-google/lib/monitoring-notification-channel';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { AuditAlert, KMS_ALERTS, trailAlerts } from './audit-alerts';
import { optionalList, requireString } from './input';
import { stableGuid, stableName } from '../../core/naming';
import { ComplianceProfile } from '../../core/profile';
import { requireMatch, shown, ValidationError } from '../../core/validation';

/** At most one notification per this period for each alert policy and principal, method and resource. */
const NOTIFICATION_PERIOD = '300s';
const EMAIL = /^[^@\s":]+@[^@\s":/]+\.[^@\s":/]+$/;
const CHANNEL = /^projects\/[^/\s]+\/notificationChannels\/[^/\s]+$/;

/** The recipients props of a KeyAuditSink. */
export interface RecipientsInput {
  readonly notificationEmails?: string[];
  readonly notificationChannels?: string[];
  readonly escalationEmails?: string[];
  readonly escalationChannels?: string[];
}

/** The alerts' recipients, checked. */
export interface Recipients {
  readonly emails: string[];
  readonly channels: string[];
  readonly escalationEmails: string[];
  readonly escalationChannels: string[];
}

/**
 * The recipients props: e-mail addresses and channel names in their forms, none twice, escalation recipients apart from
 * the usual ones, and someone to notify under a profile that requires an audit sink.
 */
export function checkRecipients(props: RecipientsInput, profile: ComplianceProfile): Recipients {
  const emails = optionalList('notificationEmails', props.notificationEmails);
  const extraChannels = optionalList('notificationChannels', props.notificationChannels);
  for (const email of emails) {
    if (!Token.isUnresolved(requireString('notificationEmails', email))) requireMatch('notificationEmails', email, EMAIL, 'e-mail addresses');
  }
  // One notification channel per address: an address twice (in any case) would give two channels one construct id.
  requireDistinctText('notificationEmails', emails);
  requireDistinctText('notificationChannels', extraChannels);
  for (const channel of extraChannels) {
    if (!Token.isUnresolved(requireString('notificationChannels', channel))) {
      requireMatch('notificationChannels', channel, CHANNEL, 'projects/<project>/notificationChannels/<id>');
    }
  }
  const escalationEmails = optionalList('escalationEmails', props.escalationEmails);
  const escalationChannels = optionalList('escalationChannels', props.escalationChannels);
  requireDistinctText('escalationEmails', escalationEmails);
  requireDistinctText('escalationChannels', escalationChannels);
  for (const email of escalationEmails) {
    if (!Token.isUnresolved(requireString('escalationEmails', email))) requireMatch('escalationEmails', email, EMAIL, 'e-mail addresses');
    if (emails.some((e) => e.toLowerCase() === email.toLowerCase())) {
      throw new ValidationError(`escalationEmails must not repeat notificationEmails: an escalation recipient is one the other alerts do not depend on, got ${shown(email)}`);
    }
  }
  for (const channel of escalationChannels) {
    if (!Token.isUnresolved(requireString('escalationChannels', channel))) {
      requireMatch('escalationChannels', channel, CHANNEL, 'projects/<project>/notificationChannels/<id>');
    }
    if (extraChannels.includes(channel)) {
      throw new ValidationError(`escalationChannels must not repeat notificationChannels: an escalation recipient is one the other alerts do not depend on, got ${shown(channel)}`);
    }
  }
  if (profile.auditSinkRequired && emails.length + extraChannels.length === 0) {
    throw new ValidationError(`notificationEmails or notificationChannels must name at least one recipient under profile ${profile.name}: ` +
      'alerts on key destruction, IAM changes and audit-trail changes (NIST AU-6, SOC 2 CC7.2, PCI DSS 10.3.4) must reach someone, got none');
  }
  return { emails, channels: extraChannels, escalationEmails, escalationChannels };
}

/** Refuses a recipient listed twice (e-mail addresses and channel names compare case-insensitively). */
function requireDistinctText(prop: string, values: string[]): void {
  const seen = new Map<string, string>();
  for (const v of values) {
    const key = Token.isUnresolved(v) ? v : v.trim().toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) throw new ValidationError(first === v ? `${prop} lists ${shown(v)} twice` : `${prop} lists ${shown(first)} and ${shown(v)}, the same recipient`);
    seen.set(key, v);
  }
}

/** What `createAuditAlerts` created. */
export interface AuditAlerting {
  readonly metrics: LoggingMetric[];
  readonly keyAlertPolicies: MonitoringAlertPolicy[];
  readonly trailAlertPolicies: MonitoringAlertPolicy[];
}

/**
 * A log-based metric and a log-based alerting policy per watched event, both on the same filter.
 *
 * The alert policies match log entries (`condition_matched_log`), not the metrics: a metric-threshold condition must
 * name a Cloud Monitoring resource type, and the Cloud KMS, Cloud Logging and IAM entries these filters match carry
 * logging resource types that Cloud Monitoring refuses in a condition ("unknown resource type", a deploy-time 400).
 * A log-based alerting policy scans every entry that a project-level sink routes to a log bucket of the project:
 * Admin Activity entries always reach `_Required` (never excluded), Data Access entries reach `_Default` unless an
 * exclusion drops them, and adding one is itself an alert (`LogRoutingChanged`). The metrics count the same entries
 * for review and trends (AU-6 analysis).
 * @see https://cloud.google.com/logging/docs/alerting/log-based-alerts
 * @see https://cloud.google.com/logging/docs/logs-based-metrics
 * @see https://github.com/hashicorp/terraform-provider-google/issues/13349
 */
export function createAuditAlerts(scope: Construct, project: string, r: Recipients, bucketName: string | undefined): AuditAlerting {
  const emailChannel = (prefix: string, title: string) => (email: string) =>
    new MonitoringNotificationChannel(scope, `${prefix}${stableGuid(email).slice(0, 8)}`, {
      project,
      type: 'email',
      displayName: `${title} (${email})`,
      labels: { email_address: email },
    }).name;
  const channels = [...[...new Set(r.emails)].map(emailChannel('Email', 'Cloud KMS audit alerts')), ...new Set(r.channels)];
  // Changes to alerting also go where the other alerts do not: a silenced channel is not reported only to itself.
  const escalation = [
    ...[...new Set(r.escalationEmails)].map(emailChannel('EscalationEmail', 'Cloud KMS alerting changes')),
    ...new Set(r.escalationChannels),
  ];
  const prefix = stableName(scope, 'kms-audit-', 60);
  const metrics: LoggingMetric[] = [];
  const watch = (alert: AuditAlert, severity: string, notify: string[] = channels) => {
    metrics.push(new LoggingMetric(scope, `${alert.id}Metric`, {
      project,
      name: `${prefix}/${alert.id.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}`,
      description: alert.title,
      filter: alert.filter,
      metricDescriptor: { metricKind: 'DELTA', valueType: 'INT64', unit: '1' },
    }));
    return new MonitoringAlertPolicy(scope, `${alert.id}Alert`, {
      project,
      displayName: alert.title,
      combiner: 'OR',
      severity,
      notificationChannels: notify,
      documentation: {
        mimeType: 'text/markdown',
        // `$${` is Terraform's escape for a literal `${`: Cloud Monitoring fills in the extracted labels, not Terraform.
        content: `${alert.why}\n\nWho: $\${log.extracted_label.principal}. What: $\${log.extracted_label.method} on $\${log.extracted_label.resource}.`,
      },
      // A log-match policy has exactly one condition and needs a notification rate limit: at most one notification per
      // five minutes per principal, method and resource; every entry stays in the incident and in the audit trail.
      conditions: [{
        displayName: alert.title,
        conditionMatchedLog: {
          filter: alert.filter,
          labelExtractors: {
            principal: 'EXTRACT(protoPayload.authenticationInfo.principalEmail)',
            method: 'EXTRACT(protoPayload.methodName)',
            resource: 'EXTRACT(protoPayload.resourceName)',
          },
        },
      }],
      alertStrategy: { notificationRateLimit: { period: NOTIFICATION_PERIOD }, autoClose: '86400s' },
    });
  };
  const keyAlertPolicies: MonitoringAlertPolicy[] = [];
  for (const alert of KMS_ALERTS) {
    const severity = alert.id === 'DecryptDenied' ? 'WARNING' : ['ProjectKmsRoleGranted', 'KeySettingsChanged'].includes(alert.id) ? 'ERROR' : 'CRITICAL';
    keyAlertPolicies.push(watch(alert, severity));
  }
  const trailAlertPolicies: MonitoringAlertPolicy[] = [];
  for (const alert of trailAlerts(bucketName)) {
    trailAlertPolicies.push(watch(alert, 'CRITICAL', alert.id === 'AlertingChanged' ? [...channels, ...escalation] : channels));
  }
  return { metrics, keyAlertPolicies, trailAlertPolicies };
}
