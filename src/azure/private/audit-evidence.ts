import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { MonitorActionGroup } from '@cdktf/provider-azurerm/lib/monitor-action-group';
import { MonitorActivityLogAlert } from '@cdktf/provider-azurerm/lib/monitor-activity-log-alert';
import { MonitorScheduledQueryRulesAlertV2 } from '@cdktf/provider-azurerm/lib/monitor-scheduled-query-rules-alert-v2';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';
import { Control } from '../../core/controls';
import { EvidenceLedger, EvidenceStatus } from '../../core/evidence';
import { AUDIT_LOGGING_CONTROLS, recordResidency } from '../../core/key-evidence';
import type { ComplianceProfile } from '../../core/profile';
import { days } from '../../core/validation';
import { KEY_AUDIT_ALERTS } from '../key-audit-alerts';
import { ADMINISTRATIVE } from './audit-alerts';

/*
 * The evidence an Azure `KeyAuditSink` records: of itself, of each vault or Managed HSM it audits, and of each that
 * opted out of auditing.
 */

/**
 * What an AuditEvent diagnostic setting on a vault or HSM proves: its operations are logged. Not core's AUDIT_CONTROLS:
 * that list is a key's (SOC 2 CC7.2 there, for its alerts), while a sink's logging stands for ISO A.8.15 and its alerts
 * are evidenced on their own under ALERT_REVIEW_CONTROLS.
 */
const LOGGING_CONTROLS = AUDIT_LOGGING_CONTROLS;
/** What an alert rule that reaches someone proves: the logs are reviewed. */
const ALERT_REVIEW_CONTROLS = [Control.NIST_AU_6, Control.SOC2_CC7_2];

/** The parts of a sink its evidence describes (a `KeyAuditSink`). */
export interface AuditSinkParts extends IConstruct {
  readonly immutable: boolean;
  readonly retentionDays: number;
  readonly workspace: LogAnalyticsWorkspace;
  readonly storageAccount?: StorageAccount;
  readonly actionGroup?: MonitorActionGroup;
  readonly escalationActionGroup?: MonitorActionGroup;
  readonly alertRules: { [id: string]: MonitorScheduledQueryRulesAlertV2 };
  readonly auditRecordChangeAlert?: MonitorScheduledQueryRulesAlertV2;
  readonly auditStoreChangeAlert: MonitorActivityLogAlert;
  readonly alertingPathAlerts: { [id: string]: MonitorActivityLogAlert };
  readonly regions?: string[];
  readonly profile: ComplianceProfile;
}

type Recorder = (controls: Control[], status: EvidenceStatus, resource: string, setting: string, value: string, description: string) => void;

/** Records one entry per control, all about `subject`. */
function recorder(subject: IConstruct): Recorder {
  const ledger = EvidenceLedger.of(subject);
  return (controls, status, resource, setting, value, description) => {
    for (const control of controls) ledger.record({ control, status, subject: subject.node.path, resource, setting, value, description });
  };
}

/** A vault or HSM left without an AuditEvent diagnostic setting, by choice: acknowledged, and its logging controls not satisfied. */
export function recordAuditOptOut(target: IConstruct, reason: string): void {
  EvidenceLedger.of(target).acknowledge({ subject: target.node.path, resource: target.node.path, rule: 'audit-sink-opt-out', reason });
  recorder(target)(LOGGING_CONTROLS, EvidenceStatus.NOT_SATISFIED, target.node.path, 'diagnostic setting', 'none (opted out)',
    `no AuditEvent diagnostic setting, by choice: ${reason}`);
}

/** The action group's receivers, or why the alerts reach nobody. */
function alertStatus(sink: AuditSinkParts): [EvidenceStatus, string] {
  return sink.actionGroup ? [EvidenceStatus.SATISFIED, ` to ${sink.actionGroup.node.path}`]
    : [EvidenceStatus.PARTIALLY_SATISFIED, ', but nobody is notified: set notificationEmails or alertWebhookUrl'];
}

/**
 * A vault or HSM attached to the sink: its diagnostic setting, the undocumented operation names a Managed HSM's alerts
 * rely on, and the Activity Log alert on every attached vault and HSM.
 */
export function recordAttachment(sink: AuditSinkParts, target: IConstruct, setting: IConstruct, hsm: boolean,
  keyStoreChangeAlert: IConstruct, attached: Iterable<string>): void {
  const record = recorder(sink);
  record(LOGGING_CONTROLS, EvidenceStatus.SATISFIED, setting.node.path, 'enabled_log.category_group', 'audit',
    `every AuditEvent (management and cryptographic operations) of ${target.node.path} goes to the workspace${sink.storageAccount ? ' and the write-once container' : ''}`);
  const [status, notified] = alertStatus(sink);
  if (hsm) {
    record(ALERT_REVIEW_CONTROLS, EvidenceStatus.PARTIALLY_SATISFIED, sink.alertRules.HsmAccessChange.node.path, 'operation names (Managed HSM)',
      `${target.node.path}: HsmAccessChange, BackupRestore (fragments)`,
      `Managed HSM ${target.node.path}: the HsmAccessChange alert (local role assignments and definitions, ` +
      'security domain) and the full-backup/restore half of BackupRestore match operation-name fragments ' +
      `(${[...new Set(KEY_AUDIT_ALERTS.flatMap((a) => a.operationFragments ?? []))].join(', ')}) that Microsoft does ` +
      'not document; a wrong guess matches nothing, so a change to the HSM\'s local role assignments or definitions ' +
      'may go unalerted. The key operations (KeyDelete, KeyPurge, KeyUpdate, KeyRotationPolicySet, KeyImport, ' +
      'KeyBackup, KeyRestore) are documented names');
  }
  record(ALERT_REVIEW_CONTROLS, status, keyStoreChangeAlert.node.path, 'activity log alert (scopes, category)',
    `every attached vault and Managed HSM, ${ADMINISTRATIVE}`,
    `every administrative operation on ${[...attached].join(', ')} and its children (role assignments, ` +
    `diagnostic settings, vault settings, deletion) raises an alert${notified}`);
}

/**
 * Whether silencing the alerts is itself reported. Satisfied only with an independent escalation group: then disabling or
 * redirecting the first group, and any alert processing rule, is reported to a group the first one's editors did not
 * silence. What remains is a principal who holds Microsoft.AlertsManagement/actionRules/write or action-group write on
 * the subscription or a resource group (Owner, Contributor, Monitoring Contributor, the deployment identity): a
 * RemoveAllActionGroups rule removes every group from the alerts in its scope, so it may suppress the notification of its
 * own creation (the alert still fires and stays in Azure Monitor's alert list, and the Activity Log keeps the write). This
 * app grants none of those rights; like project-level Monitoring editors on Google Cloud (and IAM administrators who
 * could delete EventBridge rules on AWS), they are outside this app, and the evidence names them. Without an escalation
 * group the first group reports its own silencing, which is no report: partially satisfied.
 */
function recordAlertingPath(sink: AuditSinkParts, record: Recorder): void {
  const write = sink.alertingPathAlerts.ProcessingRuleWrite;
  const escalation = sink.escalationActionGroup;
  const path = sink.alertingPathAlerts.ActionGroupChange
    ? `; every administrative operation on the action group${escalation ? 's' : ''} (disabling, receivers, deletion) alerts ` +
      (escalation ? `to both groups, so disabling or redirecting ${sink.actionGroup?.node.path ?? 'the first group'} is reported by the ` +
        `independent ${escalation.node.path}` : `only through ${sink.actionGroup!.node.path} itself: silencing by someone who can change ` +
        'the action group or create processing rules is detected only if that group still delivers (set escalationEmails)')
    : '; there is no action group';
  record(ALERT_REVIEW_CONTROLS, escalation ? EvidenceStatus.SATISFIED : EvidenceStatus.PARTIALLY_SATISFIED, write.node.path,
    'activity log alerts (alerting path)', 'Microsoft.AlertsManagement/actionRules/write|delete at the subscription; action groups',
    `creating, changing or deleting an alert processing rule anywhere in the subscription raises an alert${path}. Not ` +
    'covered: a processing rule with RemoveAllActionGroups removes every action group, the escalation group too, from the ' +
    'alerts in its scope, so it may suppress the notification of its own creation (the alert still fires and stays in ' +
    'Azure Monitor\'s alert list, and the Activity Log keeps the write); whoever holds actionRules/write on the subscription or a ' +
    'resource group (Owner, Contributor, Monitoring Contributor, and the deployment identity) can silence notifications that way. ' +
    'This app grants none of those rights: they are trusted outside it (govern them with PIM and organization guardrails)');
}

/** The sink's own evidence: write-once storage, retention, separation from the vaults, and each alert rule. */
export function recordAuditSinkEvidence(sink: AuditSinkParts): void {
  EvidenceLedger.of(sink).registerAuditSink({
    path: sink.node.path,
    stack: TerraformStack.of(sink).node.path,
    cloud: 'azure',
    immutable: sink.immutable,
    retentionDays: sink.retentionDays,
    regions: sink.regions,
  });
  const record = recorder(sink);
  const storage = sink.storageAccount?.node.path ?? sink.workspace.node.path;
  recordResidency({
    ledger: EvidenceLedger.of(sink),
    subject: sink.node.path,
    resource: storage,
    profile: sink.profile,
    regions: sink.regions ?? [],
    setting: sink.storageAccount ? 'location, account_replication_type' : 'location',
    what: 'audit records',
  });
  record([Control.NIST_AU_9_4, Control.PCI_10_3_2], sink.immutable ? EvidenceStatus.SATISFIED : EvidenceStatus.NOT_SATISFIED, storage,
    'immutability_period_in_days, locked', sink.immutable ? `${sink.retentionDays}, true` : 'none',
    sink.immutable ? 'audit logs are write-once: a locked time-based immutability policy allows appends only'
      : 'no write-once copy: workspace data can be purged by its administrators');
  record([Control.NIST_AU_11, Control.PCI_10_5_1], sink.retentionDays >= 365 ? EvidenceStatus.SATISFIED : EvidenceStatus.NOT_SATISFIED,
    storage, 'retention', String(sink.retentionDays), `audit logs kept ${days(sink.retentionDays)}`);
  record([Control.NIST_AU_9, Control.NIST_AU_9_2], EvidenceStatus.SATISFIED, sink.workspace.node.path, 'local_authentication_enabled', 'false',
    'logs live in a dedicated workspace (Entra authentication only) and storage account, apart from the vaults they describe');

  const [status, notified] = alertStatus(sink);
  for (const [id, rule] of Object.entries(sink.alertRules)) {
    const query = (rule.criteriaInput as { query: string }[])[0].query;
    // One entry per rule: the ledger keeps one entry per subject, control and setting.
    const alert = KEY_AUDIT_ALERTS.find((a) => a.id === id);
    const undocumented = alert?.operationFragments
      ? `; the name fragments ${alert.operationFragments.join(', ')} are not documented operation names (Managed HSM), ` +
        'so that part may match nothing' : '';
    record(ALERT_REVIEW_CONTROLS, status, rule.node.path, `criteria.query (${id})`, query.replace(/\s*\n\s*/g, ' '),
      `${rule.descriptionInput} raises an alert within about 15 minutes (Key Vault logs arrive within 10)${notified}${undocumented}`);
  }
  recordAlertingPath(sink, record);
  recordAuditRecordIntegrity(sink, record, status, notified);
}

/** PCI DSS 10.3.4: whether existing audit records can be changed unnoticed. */
function recordAuditRecordIntegrity(sink: AuditSinkParts, record: Recorder, status: EvidenceStatus, notified: string): void {
  if (sink.storageAccount && sink.auditRecordChangeAlert) {
    record([Control.PCI_10_3_4], status, sink.auditRecordChangeAlert.node.path,
      'immutability policy (locked, appends only); StorageWrite/StorageDelete logs; alert rules', 'audit container, workspace, storage account',
      'existing audit records cannot be changed: the container\'s locked immutability policy refuses every overwrite and ' +
      'delete, and every attempt (refused or not) on the container other than Azure Monitor\'s creation of new append ' +
      'blobs raises an alert from the blob service logs; every administrative operation on the storage account and ' +
      'workspace (immutability policy, role assignments, diagnostic settings, workspace purge, table retention, deletion) ' +
      `raises an Activity Log alert (${sink.auditStoreChangeAlert.node.path}), as does any change to the vaults' diagnostic ` +
      `settings; versioning and the change feed keep a record of every blob change${notified}. Not proven: that Microsoft ` +
      'stored what the vaults logged (there are no signed digests as CloudTrail has); and new blobs and appends are not ' +
      'attributed: a principal given blob write access (granting it on the account alerts) can append forged records or ' +
      'create a later hour\'s PT1H.json before Azure Monitor does, and neither is told apart from Azure Monitor\'s writes');
  } else {
    record([Control.PCI_10_3_4], EvidenceStatus.PARTIALLY_SATISFIED, sink.auditStoreChangeAlert.node.path, 'activity log alert (scopes, category)',
      `${sink.workspace.node.path}, ${ADMINISTRATIVE}`,
      'workspace records cannot be edited in place, and a purge, table-retention change or deletion of the workspace raises an ' +
      `alert${notified}; but nothing prevents the purge and there is no write-once copy (immutable is false)`);
  }
}
