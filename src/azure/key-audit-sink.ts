import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { MonitorActionGroup } from '@cdktf/provider-azurerm/lib/monitor-action-group';
import { MonitorActivityLogAlert } from '@cdktf/provider-azurerm/lib/monitor-activity-log-alert';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { MonitorScheduledQueryRulesAlertV2 } from '@cdktf/provider-azurerm/lib/monitor-scheduled-query-rules-alert-v2';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { Aspects, ITerraformDependable, Lazy, TerraformResource, TerraformStack, Token } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { azureAssignments } from './custodians';
import { KEY_AUDIT_ALERTS } from './key-audit-alerts';
import { IKeyAuditSink, KeyAuditSinkProps } from './key-audit-sink-props';
import { CustodianRole } from '../core/custodians';
import { stableGuid, stableName } from '../core/naming';
import { Period } from '../core/period';
import { ComplianceProfile } from '../core/profile';
import { normalizeRegion } from '../core/residency';
import { shown, ValidationError } from '../core/validation';
import {
  ADMINISTRATIVE, ALL_LEVELS, AUDIT_CONTAINER, AuditAlertContext, auditRecordChangeQuery, createAlertingPathAlerts, keyAuditQuery, logAlert,
} from './private/audit-alerts';
import { recordAttachment, recordAuditOptOut, recordAuditSinkEvidence } from './private/audit-evidence';
import { AuditSinkSettings, checkKeyAuditSinkProps, requireReason, WORKSPACE_MAX_RETENTION_DAYS } from './private/audit-sink-input';
import { createAuditStorage, requireAzureAdStorageAccess } from './private/audit-store';
import { AZURE_GLOBAL_NAMES, azureGlobalName } from './private/naming';
import { auditStorageReplication, literalRegions } from './private/residency';
import { BUILT_IN } from './private/roles';

// The sink's props and alert table have files of their own; importers of this file (and the azure index) still find them here.
export * from './key-audit-sink-props';
export * from './key-audit-alerts';

/** Retention of the sink a vault or HSM gets when it is given none: a year, in the workspace only. */
const DEFAULT_SINK_RETENTION_DAYS = 365;
const DEFAULT_SINK_ID = 'CloudKmsDefaultAuditSink';
/** Construct id of the diagnostic setting on each attached vault or HSM, which keys and HSM roles wait for. */
const DIAGNOSTICS_ID = 'AuditDiagnostics';
const OPT_OUTS = new WeakMap<IConstruct, string>();

/**
 * One audit sink for Azure key vaults and Managed HSMs: a Log Analytics workspace (Entra authentication only) with
 * retention per profile, and a storage account whose audit container carries a locked time-based immutability policy
 * (append-only for Azure Monitor's append blobs). Every vault or HSM that takes the sink gets a diagnostic setting
 * sending the `audit` category group (all AuditEvent logs) and all metrics to both.
 *
 * Alerts (to an action group of e-mail and webhook receivers): log search alert rules on the AuditEvent stream for key
 * destruction, updates (disabling), rotation-policy changes, imports, backups and restores, Managed HSM access changes
 * and failed-authorization bursts; an Activity Log alert on every administrative operation on the attached vaults and
 * HSMs (role assignments, diagnostic settings, vault settings, deletion); and, for the audit records themselves, a
 * log search alert on every delete or change attempt on the audit container (blob service logs) and an Activity Log
 * alert on every administrative operation on the workspace and storage account (purge, retention, immutability policy,
 * role assignments, deletion). On the alerting itself: Activity Log alerts on alert processing rules anywhere in the
 * subscription and on the action groups, to an optional second action group (`escalationEmails`) as well.
 */
export class KeyAuditSink extends Construct implements IKeyAuditSink {
  /**
   * Vaults and Managed HSMs created under `scope` without an `auditSink` get no sink at all (instead of the stack's
   * default one), for the reason given, which the compliance report shows on each of them. Refused where the profile
   * requires an audit sink.
   */
  public static optOut(scope: IConstruct, reason: string): void {
    OPT_OUTS.set(scope, requireReason('reason', reason));
  }

  /**
   * The sink of a vault or HSM: the one given, none when opted out (recorded with its reason), else the stack's
   * default sink (one per stack: workspace only, a year, alerts that notify nobody until given receivers).
   * @internal
   */
  public static _resolve(target: IConstruct, sink: IKeyAuditSink | undefined, optOutReason: string | undefined,
    resourceGroupName: string, location: string): IKeyAuditSink | undefined {
    if (optOutReason !== undefined) {
      requireReason('auditOptOutReason', optOutReason);
      if (sink) throw new ValidationError(`auditOptOutReason must not be set together with auditSink on ${target.node.path}, got '${optOutReason}'`);
    }
    if (sink) return sink;
    const reason = optOutReason ?? inheritedOptOut(target);
    if (reason !== undefined) {
      recordAuditOptOut(target, reason);
      return undefined;
    }
    const stack = TerraformStack.of(target);
    return (stack.node.tryFindChild(DEFAULT_SINK_ID) as KeyAuditSink | undefined) ?? new KeyAuditSink(stack, DEFAULT_SINK_ID, {
      resourceGroupName,
      location,
      immutable: false,
      retention: Period.days(DEFAULT_SINK_RETENTION_DAYS),
    });
  }

  /**
   * @internal What a data-plane resource of `target` (a key, a Managed HSM role definition or assignment, a key-exchange
   * key) must wait for: the target's AuditEvent diagnostic setting, so that its creation is in the logs.
   */
  public static _auditDependencies(target: IConstruct): ITerraformDependable[] {
    const setting = target.node.tryFindChild(DIAGNOSTICS_ID);
    return setting instanceof MonitorDiagnosticSetting ? [setting] : [];
  }

  public readonly immutable: boolean;
  public readonly retentionDays: number;
  public readonly profile: ComplianceProfile;
  public readonly workspace: LogAnalyticsWorkspace;
  public readonly workspaceId: string;
  /** The storage account holding the write-once copy, when `immutable`. */
  public readonly storageAccount?: StorageAccount;
  /** The action group every alert notifies; absent when neither e-mails nor a webhook were given. */
  public readonly actionGroup?: MonitorActionGroup;
  /** Log search alert rules on the AuditEvent stream, by `KeyAuditAlert.id` (and `FailedAuthorizationBurst`). */
  public readonly alertRules: { [id: string]: MonitorScheduledQueryRulesAlertV2 } = {};
  /** Raised by any delete or change attempt on the write-once audit container, when `immutable`. */
  public readonly auditRecordChangeAlert?: MonitorScheduledQueryRulesAlertV2;
  /** Raised by every administrative operation on the workspace and the storage account. */
  public readonly auditStoreChangeAlert: MonitorActivityLogAlert;
  /** The second action group, for alerts about the alerting path; present when `escalationEmails` are given. */
  public readonly escalationActionGroup?: MonitorActionGroup;
  /**
   * Activity Log alerts on the alerting path: `ProcessingRuleWrite` and `ProcessingRuleDelete` (alert processing rules
   * anywhere in the subscription) and `ActionGroupChange` (either action group), to both action groups.
   */
  public readonly alertingPathAlerts: { [id: string]: MonitorActivityLogAlert } = {};
  /** Requests refused with 403 within 15 minutes that raise the failed-authorization alert. */
  public readonly failedAuthorizationBurstThreshold: number;
  private readonly attached = new Set<string>();
  private readonly attachedIds: string[] = [];
  private accessChangeAlert?: MonitorActivityLogAlert;
  private readonly resourceGroupName: string;
  /**
   * Where the audit records are: the sink's region, and the paired region when the write-once copy is geo-redundant
   * (GRS, unless the profile restricts regions and does not allow the pair: LRS then). Undefined for a token location.
   */
  public readonly regions?: string[];
  private readonly location: string;
  private readonly storageReplication: { type: string; regions: string[] | undefined };
  private readonly namePrefix: string;

  constructor(scope: Construct, id: string, props: KeyAuditSinkProps) {
    super(scope, id);
    const settings = checkKeyAuditSinkProps(this, props);
    this.immutable = settings.immutable;
    this.retentionDays = settings.retentionDays;
    this.profile = settings.profile;
    this.failedAuthorizationBurstThreshold = settings.failedAuthorizationBurstThreshold;
    this.resourceGroupName = props.resourceGroupName;
    this.location = props.location;
    this.storageReplication = auditStorageReplication(settings.profile, props.location);
    this.regions = settings.immutable ? this.storageReplication.regions : literalRegions(props.location, (l) => [normalizeRegion(l)]);

    this.namePrefix = this.workspaceName(props);
    this.workspace = this.createWorkspace();
    this.workspaceId = this.workspace.id;
    const accountName = settings.immutable ? this.storageAccountName(props) : undefined;
    if (accountName) {
      this.storageAccount = createAuditStorage(this, {
        name: accountName,
        resourceGroupName: props.resourceGroupName,
        location: props.location,
        retentionDays: settings.retentionDays,
        workspaceId: this.workspace.id,
        replicationType: this.storageReplication.type,
      });
    }
    this.actionGroup = this.createActionGroup(settings, props.alertWebhookUrl);
    this.escalationActionGroup = this.createEscalationActionGroup(settings);
    this.auditRecordChangeAlert = this.createAlerts(accountName);
    this.auditStoreChangeAlert = this.createAuditStoreChangeAlert();
    this.grantAuditors(props.auditors ?? []);
    if (this.storageAccount) {
      const storageAccount = this.storageAccount;
      Aspects.of(this).add({ visit: (node) => { if (node === this) requireAzureAdStorageAccess(this, storageAccount); } });
    }
    recordAuditSinkEvidence(this);
  }

  public attach(target: IConstruct, resourceId: string, location?: string): void {
    if (this.attached.has(target.node.path)) return;
    const audited = auditedResource(target);
    this.requireSameRegion(target, location ?? audited?.location);
    this.attached.add(target.node.path);
    this.attachedIds.push(resourceId);
    const setting = new MonitorDiagnosticSetting(target, DIAGNOSTICS_ID, {
      name: 'cloud-kms-audit',
      targetResourceId: resourceId,
      logAnalyticsWorkspaceId: this.workspace.id,
      // Resource-specific table AZKVAuditLogs (vaults and Managed HSMs alike), which the alert queries read; the default
      // would be the shared AzureDiagnostics table.
      logAnalyticsDestinationType: 'Dedicated',
      storageAccountId: this.storageAccount?.id,
      enabledLog: [{ categoryGroup: 'audit' }],
      enabledMetric: [{ category: 'AllMetrics' }],
    });
    const alert = this.accessChangeAlert ??= new MonitorActivityLogAlert(this, 'KeyStoreChangeAlert', {
      name: `${this.namePrefix}-key-store-change`,
      resourceGroupName: this.resourceGroupName,
      location: 'global',
      description: 'any create, update, delete or action on an audited vault or Managed HSM: role assignments on it, its ' +
        'diagnostic settings, network and purge settings, deletion; and on the audit-store alert rule',
      // The audit-store alert watches the log alert rules and the action group; this one watches it in turn (the other
      // way round would be a dependency cycle).
      scopes: Lazy.listValue({ produce: () => [...this.attachedIds, this.auditStoreChangeAlert.id] }),
      criteria: { category: ADMINISTRATIVE, levels: ALL_LEVELS },
      action: this.actionGroup ? [{ actionGroupId: this.actionGroup.id }] : undefined,
    });
    recordAttachment(this, target, setting, audited?.hsm ?? false, alert, this.attached);
  }

  private workspaceName(props: KeyAuditSinkProps): string {
    const workspaceName = props.workspaceName ?? stableName(this, 'log-kms-', 63);
    if (!/^[A-Za-z0-9][A-Za-z0-9-]{2,61}[A-Za-z0-9]$/.test(workspaceName)) {
      throw new ValidationError(`workspaceName must be 4 to 63 letters, digits and hyphens, starting and ending with a letter or digit, got ${shown(workspaceName)}`);
    }
    return workspaceName;
  }

  private createWorkspace(): LogAnalyticsWorkspace {
    return new LogAnalyticsWorkspace(this, 'Workspace', {
      name: this.namePrefix,
      resourceGroupName: this.resourceGroupName,
      location: this.location,
      sku: 'PerGB2018',
      retentionInDays: Math.max(30, Math.min(this.retentionDays, WORKSPACE_MAX_RETENTION_DAYS)),
      localAuthenticationEnabled: false,
      lifecycle: { preventDestroy: true },
    });
  }

  private storageAccountName(props: KeyAuditSinkProps): string {
    const accountName = props.storageAccountName ?? azureGlobalName(this, AZURE_GLOBAL_NAMES.storageAccount);
    if (!/^[a-z0-9]{3,24}$/.test(accountName)) {
      throw new ValidationError(`storageAccountName must be 3 to 24 lower-case letters and digits, got ${shown(accountName)}`);
    }
    return accountName;
  }

  private createActionGroup(settings: AuditSinkSettings, webhook: string | undefined): MonitorActionGroup | undefined {
    if (settings.emails.length === 0 && webhook === undefined) return undefined;
    return new MonitorActionGroup(this, 'AlertActionGroup', {
      name: `${this.namePrefix}-alerts`,
      resourceGroupName: this.resourceGroupName,
      location: 'global',
      // At most 12 characters; shown as the sender of e-mails.
      shortName: 'cloudkmsaudt',
      emailReceiver: settings.emails.map((emailAddress, i) => ({ name: `email-${i + 1}`, emailAddress, useCommonAlertSchema: true })),
      webhookReceiver: webhook === undefined ? undefined
        : [{ name: 'webhook', serviceUri: webhook, useCommonAlertSchema: true }],
    });
  }

  private createEscalationActionGroup(settings: AuditSinkSettings): MonitorActionGroup | undefined {
    if (settings.escalationEmails.length === 0) return undefined;
    return new MonitorActionGroup(this, 'EscalationActionGroup', {
      name: `${this.namePrefix}-escalation`,
      resourceGroupName: this.resourceGroupName,
      location: 'global',
      shortName: 'cloudkmsesc',
      emailReceiver: settings.escalationEmails.map((emailAddress, i) => ({ name: `email-${i + 1}`, emailAddress, useCommonAlertSchema: true })),
    });
  }

  private get alertContext(): AuditAlertContext {
    return {
      scope: this,
      namePrefix: this.namePrefix,
      resourceGroupName: this.resourceGroupName,
      location: this.location,
      workspace: this.workspace,
      actionGroup: this.actionGroup,
    };
  }

  /** The log search alert rules, and the alerts on the alerting path; returns the audit-record alert, when there is a container. */
  private createAlerts(accountName: string | undefined): MonitorScheduledQueryRulesAlertV2 | undefined {
    const ctx = this.alertContext;
    const burst = this.failedAuthorizationBurstThreshold;
    for (const alert of KEY_AUDIT_ALERTS) {
      this.alertRules[alert.id] = logAlert(ctx, alert.id, alert.description, alert.severity, keyAuditQuery(alert), 'GreaterThan', 0);
    }
    this.alertRules.FailedAuthorizationBurst = logAlert(ctx, 'FailedAuthorizationBurst',
      `${burst} or more requests refused with 403 (forbidden) within 15 minutes`, 1,
      'AZKVAuditLogs\n| where HttpStatusCode == 403', 'GreaterThanOrEqual', burst);
    const auditRecordChangeAlert = accountName ? logAlert(ctx, 'AuditRecordChange',
      `a blob or the container ${AUDIT_CONTAINER} of ${accountName} was deleted, overwritten or altered (or someone tried)`, 0,
      auditRecordChangeQuery(accountName), 'GreaterThan', 0) : undefined;
    createAlertingPathAlerts(ctx, this.escalationActionGroup, this.alertingPathAlerts);
    return auditRecordChangeAlert;
  }

  /**
   * Activity Log alert scopes are prefixes: an operation on a child (a container's immutability policy, a role
   * assignment or diagnostic setting on the resource, a workspace table) falls under its parent's id.
   * @see https://learn.microsoft.com/rest/api/monitor/activity-log-alerts/create-or-update
   */
  private createAuditStoreChangeAlert(): MonitorActivityLogAlert {
    return new MonitorActivityLogAlert(this, 'AuditStoreChangeAlert', {
      name: `${this.namePrefix}-audit-store-change`,
      resourceGroupName: this.resourceGroupName,
      location: 'global',
      description: 'any create, update, delete or action on the audit workspace (purge, retention, tables) or the audit storage ' +
        '(immutability policy, container, role assignments, diagnostic settings), and on the alert rules and action group',
      scopes: [this.workspace.id, ...(this.storageAccount ? [this.storageAccount.id] : []),
        ...Object.values(this.alertRules).map((r) => r.id), ...(this.auditRecordChangeAlert ? [this.auditRecordChangeAlert.id] : []),
        ...(this.actionGroup ? [this.actionGroup.id] : []), ...Object.values(this.alertingPathAlerts).map((a) => a.id)],
      criteria: { category: ADMINISTRATIVE, levels: ALL_LEVELS },
      action: this.actionGroup ? [{ actionGroupId: this.actionGroup.id }] : undefined,
    });
  }

  /** "Log Analytics Reader" on the workspace and "Storage Blob Data Reader" on the logs, for each auditor. */
  private grantAuditors(auditors: string[]): void {
    for (const auditor of azureAssignments(CustodianRole.AUDITOR, 'auditors', auditors)) {
      new RoleAssignment(this, `WorkspaceReader${stableGuid(auditor.identity).slice(0, 8)}`, {
        name: stableGuid(this.node.path, 'workspace-reader', auditor.identity),
        scope: this.workspace.id,
        roleDefinitionName: BUILT_IN.LOG_ANALYTICS_READER,
        principalId: auditor.label!,
      });
      if (this.storageAccount) {
        new RoleAssignment(this, `LogsReader${stableGuid(auditor.identity).slice(0, 8)}`, {
          name: stableGuid(this.node.path, 'blob-reader', auditor.identity),
          scope: this.storageAccount.id,
          roleDefinitionName: BUILT_IN.STORAGE_BLOB_DATA_READER,
          principalId: auditor.label!,
        });
      }
    }
  }


  /**
   * A diagnostic setting's storage account must be in the region of the regional resource it logs; the workspace need not.
   * @see https://learn.microsoft.com/azure/azure-monitor/essentials/diagnostic-settings#destinations
   */
  private requireSameRegion(target: IConstruct, location: string | undefined): void {
    if (!this.storageAccount || location === undefined || Token.isUnresolved(location) || Token.isUnresolved(this.location)) return;
    if (normalizeRegion(location) !== normalizeRegion(this.location)) {
      throw new ValidationError(`location of ${target.node.path} must be the region of its auditSink ${this.node.path}: ` +
        'a diagnostic setting\'s storage account must be in the same region as the vault or Managed HSM it logs, got ' +
        `'${location}' and the sink's storage account in '${this.location}'`);
    }
  }
}

/** The vault or Managed HSM resource a target holds (its own child), for its region and kind. */
function auditedResource(target: IConstruct): { location?: string; hsm: boolean } | undefined {
  for (const child of target.node.children) {
    if (!(child instanceof TerraformResource)) continue;
    const type = child.terraformResourceType;
    if (type === 'azurerm_key_vault' || type === 'azurerm_key_vault_managed_hardware_security_module') {
      return { location: (child as unknown as { locationInput?: string }).locationInput, hsm: type !== 'azurerm_key_vault' };
    }
  }
  return undefined;
}

function inheritedOptOut(target: IConstruct): string | undefined {
  for (const scope of [...target.node.scopes].reverse()) {
    const reason = OPT_OUTS.get(scope);
    if (reason !== undefined) return reason;
  }
  return undefined;
}
