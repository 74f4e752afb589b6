import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { MonitorActionGroup } from '@cdktf/provider-azurerm/lib/monitor-action-group';
import { MonitorActivityLogAlert } from '@cdktf/provider-azurerm/lib/monitor-activity-log-alert';
import { MonitorScheduledQueryRulesAlertV2 } from '@cdktf/provider-azurerm/lib/monitor-scheduled-query-rules-alert-v2';
import { Construct } from 'constructs';
import { KeyAuditAlert } from '../key-audit-alerts';
import { literalSubscriptionId } from './naming';

/*
 * The alert rules of an Azure `KeyAuditSink`: log search alerts on the AuditEvent stream and the blob service logs, and
 * Activity Log alerts on the alerting path.
 */

/** Activity Log category of every create, update, delete and action on a resource (reads are not logged). */
export const ADMINISTRATIVE = 'Administrative';
/**
 * Every Activity Log level. The service refuses an Administrative alert with no condition but the category
 * ("Specify additional conditions for this category: Administrative", Azure/azure-cli issue 8732); all levels adds
 * one without narrowing it.
 */
export const ALL_LEVELS = ['Critical', 'Error', 'Warning', 'Informational', 'Verbose'];

/** Log analytics query windows overlap the evaluation period by ten minutes: Key Vault logs arrive up to ten minutes late. */
const EVALUATION_FREQUENCY = 'PT5M';
const WINDOW = 'PT15M';

/** The container Azure Monitor writes the AuditEvent category to. */
export const AUDIT_CONTAINER = 'insights-logs-auditevent';

/** What every alert rule of a sink takes from the sink. */
export interface AuditAlertContext {
  /** The sink: the rules are its children. */
  readonly scope: Construct;
  /** The start of every rule's name (the workspace name). */
  readonly namePrefix: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /** The workspace the log search rules query. */
  readonly workspace: LogAnalyticsWorkspace;
  /** The action group every alert notifies, when there is one. */
  readonly actionGroup?: MonitorActionGroup;
}

/** A log search alert rule on the sink's workspace. */
export function logAlert(ctx: AuditAlertContext, id: string, description: string, severity: number, query: string, operator: string,
  threshold: number): MonitorScheduledQueryRulesAlertV2 {
  return new MonitorScheduledQueryRulesAlertV2(ctx.scope, `${id}Alert`, {
    name: `${ctx.namePrefix}-${id.replace(/[A-Z]/g, (c, i) => `${i ? '-' : ''}${c.toLowerCase()}`)}`,
    resourceGroupName: ctx.resourceGroupName,
    location: ctx.location,
    description,
    // Log search alert rules take exactly one scope; every attached vault and HSM writes into this workspace.
    scopes: [ctx.workspace.id],
    severity,
    evaluationFrequency: EVALUATION_FREQUENCY,
    windowDuration: WINDOW,
    // Every occurrence is an event to act on, not a condition that resolves.
    autoMitigationEnabled: false,
    // AZKVAuditLogs and StorageBlobLogs exist in the workspace only once the first record arrives; validation would
    // refuse the rule on a new workspace.
    skipQueryValidation: true,
    criteria: [{
      query,
      timeAggregationMethod: 'Count',
      operator,
      threshold,
      failingPeriods: { minimumFailingPeriodsToTriggerAlert: 1, numberOfEvaluationPeriods: 1 },
    }],
    action: ctx.actionGroup ? { actionGroups: [ctx.actionGroup.id] } : undefined,
  });
}

/**
 * The alerts on what could silence the others. An alert processing rule (`Microsoft.AlertsManagement/actionRules`,
 * action `RemoveAllActionGroups`) at the subscription or a resource group suppresses every notification without
 * touching a watched resource, so its creation, change and deletion anywhere in the subscription alert; and every
 * administrative operation on the action groups (disable, receivers, deletion). Both go to the escalation group too.
 * @see https://learn.microsoft.com/azure/azure-monitor/alerts/alerts-processing-rules
 * @see https://learn.microsoft.com/azure/role-based-access-control/resource-provider-operations
 */
export function createAlertingPathAlerts(ctx: AuditAlertContext, escalationActionGroup: MonitorActionGroup | undefined,
  alerts: { [id: string]: MonitorActivityLogAlert }): void {
  const { scope, namePrefix, resourceGroupName } = ctx;
  const subscription = literalSubscriptionId(scope)
    // Unknown at synthesis (ARM_SUBSCRIPTION_ID): the subscription the provider deploys to, read at apply time.
    ?? new DataAzurermClientConfig(scope, 'ClientConfig', {}).subscriptionId;
  const groups = [ctx.actionGroup, escalationActionGroup].filter((g): g is MonitorActionGroup => g !== undefined);
  const action = groups.length > 0 ? groups.map((g) => ({ actionGroupId: g.id })) : undefined;
  for (const [id, operation] of [['ProcessingRuleWrite', 'write'], ['ProcessingRuleDelete', 'delete']]) {
    alerts[id] = new MonitorActivityLogAlert(scope, `${id}Alert`, {
      name: `${namePrefix}-processing-rule-${operation}`,
      resourceGroupName,
      location: 'global',
      description: `an alert processing rule was ${operation === 'write' ? 'created or changed' : 'deleted'} anywhere in the ` +
        'subscription (a RemoveAllActionGroups rule silences every alert notification)',
      scopes: [`/subscriptions/${subscription}`],
      criteria: { category: ADMINISTRATIVE, operationName: `Microsoft.AlertsManagement/actionRules/${operation}` },
      action,
    });
  }
  if (groups.length > 0) {
    alerts.ActionGroupChange = new MonitorActivityLogAlert(scope, 'ActionGroupChangeAlert', {
      name: `${namePrefix}-action-group-change`,
      resourceGroupName,
      location: 'global',
      description: 'any create, update, delete or action on the alert action groups (disabling, receivers), and on the ' +
        'processing-rule alerts',
      scopes: [...groups.map((g) => g.id), alerts.ProcessingRuleWrite.id, alerts.ProcessingRuleDelete.id],
      criteria: { category: ADMINISTRATIVE, levels: ALL_LEVELS },
      action,
    });
  }
}

/** The AuditEvent query of an alert: exact operation names, or name fragments without reads. */
export function keyAuditQuery(alert: KeyAuditAlert): string {
  const exact = alert.operations.length > 0 ? [`OperationName in~ (${alert.operations.map((o) => `"${o}"`).join(', ')})`] : [];
  const fragments = (alert.operationFragments ?? []).map((f) => `OperationName contains "${f}"`);
  const where = [...exact, ...fragments].join(' or ');
  const reads = alert.operationFragments ? '\n| where not(OperationName endswith "Get" or OperationName endswith "List" or OperationName endswith "Status")' : '';
  return `AZKVAuditLogs\n| where ${where}${reads}`;
}

/**
 * Every delete, and every write other than a successful creation of a new blob or append to one (what Azure Monitor
 * does), on the audit container. Attempts the immutability policy refuses are logged and count too.
 * @see https://learn.microsoft.com/azure/azure-monitor/reference/tables/storagebloblogs
 */
export function auditRecordChangeQuery(accountName: string): string {
  return [
    'StorageBlobLogs',
    `| where AccountName =~ "${accountName}" and Uri contains "/${AUDIT_CONTAINER}"`,
    '| where Category == "StorageDelete" or (Category == "StorageWrite" and not(OperationName in ("PutBlob", "AppendBlock") ' +
      'and toint(StatusCode) between (200 .. 299)))',
  ].join('\n');
}
