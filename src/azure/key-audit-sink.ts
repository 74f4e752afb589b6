import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { MonitorActionGroup } from '@cdktf/provider-azurerm/lib/monitor-action-group';
import { MonitorActivityLogAlert } from '@cdktf/provider-azurerm/lib/monitor-activity-log-alert';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { MonitorScheduledQueryRulesAlertV2 } from '@cdktf/provider-azurerm/lib/monitor-scheduled-query-rules-alert-v2';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import { StorageContainerImmutabilityPolicy } from '@cdktf/provider-azurerm/lib/storage-container-immutability-policy';
import { Aspects, ITerraformDependable, Lazy, TerraformResource, TerraformStack, Token } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { azureAssignments } from './custodians';
import { Control } from '../core/controls';
import { CustodianRole } from '../core/custodians';
import { EvidenceLedger, EvidenceStatus } from '../core/evidence';
import { stableGuid, stableName } from '../core/naming';
import { AZURE_GLOBAL_NAMES, azureGlobalName, literalSubscriptionId } from './private/naming';
import { Period } from '../core/period';
import { ComplianceProfile } from '../core/profile';
import { days, requireDefined, requireRange, shown, ValidationError } from '../core/validation';
import { optionalBoolean, optionalList, optionalPeriod, optionalProfile } from '../terraform/input';
import { requireLocation, requireResourceGroupName } from './private/input';
import { literalDays } from '../terraform/period';
import { BUILT_IN } from './private/roles';

/**
 * Where Azure vaults and Managed HSMs send their audit logs.
 */
export interface IKeyAuditSink extends IConstruct {
  /** Whether records are write-once (a locked time-based immutability policy). */
  readonly immutable: boolean;
  /** How long records are kept, in days. */
  readonly retentionDays: number;
  /** The Log Analytics workspace the logs and metrics go to. */
  readonly workspaceId: string;
  /**
   * Sends the audit category group and all metrics of a Key Vault or Managed HSM to the sink, and puts it under the
   * sink's alerts (the AuditEvent rules read the workspace it writes to; the Activity Log alert takes its id as a scope).
   * @param target the construct the diagnostic setting belongs to (its path names the setting)
   * @param resourceId the ARM id of the vault or Managed HSM
   * @param location the region of the vault or Managed HSM, when the target's own resource does not tell it
   */
  attach(target: IConstruct, resourceId: string, location?: string): void;
}

/**
 * Properties of an Azure `KeyAuditSink`.
 */
export interface KeyAuditSinkProps {
  /** Resource group of the workspace and storage account. */
  readonly resourceGroupName: string;
  /** Azure region. */
  readonly location: string;

  /**
   * The profile whose retention and immutability rules the sink follows.
   * @default ComplianceProfile.COMMERCIAL
   */
  readonly profile?: ComplianceProfile;

  /**
   * How long audit records are kept: the storage immutability period, and the workspace retention up to the
   * workspace maximum of 730 days. A literal period of whole days (a token is refused).
   * @default - the profile's audit retention
   */
  readonly retention?: Period;

  /**
   * Keep a write-once copy of the audit logs in a storage container with a locked time-based immutability policy.
   * A locked policy can be extended but never shortened or removed, so `acknowledgeLockedRetention` must be set.
   * @default true
   * @see https://learn.microsoft.com/azure/storage/blobs/immutable-time-based-retention-policy-overview
   */
  readonly immutable?: boolean;

  /**
   * Confirms you know a locked immutability policy is permanent for its period: no one can delete the logs or the
   * storage account before it ends. Required when `immutable` is true.
   * @default false
   */
  readonly acknowledgeLockedRetention?: boolean;

  /**
   * Object ids of auditors, given "Log Analytics Reader" on the workspace and "Storage Blob Data Reader" on the logs.
   * @default - none
   */
  readonly auditors?: string[];

  /**
   * Name of the Log Analytics workspace.
   * @default - derived from the construct path
   */
  readonly workspaceName?: string;

  /**
   * Name of the storage account (3–24 lower-case letters and digits, globally unique).
   * @default - the construct's id and a hash of the subscription and construct path (see README "Names", `NamingContext`)
   */
  readonly storageAccountName?: string;

  /**
   * E-mail addresses the alert action group notifies (key destruction, disabling, rotation-policy changes, imports,
   * backups and restores, access changes, failed-authorization bursts, and any attempt to change the audit records).
   * Under every profile that requires an audit sink, this or `alertWebhookUrl` is required: an alert nobody receives
   * is not a review (NIST AU-6, SOC 2 CC7.2, PCI DSS 10.3.4).
   * @default - none: the alert rules fire in Azure Monitor but notify nobody (allowed only where no sink is required)
   * @see https://learn.microsoft.com/azure/azure-monitor/alerts/action-groups
   */
  readonly notificationEmails?: string[];

  /**
   * An HTTPS endpoint (a SIEM, a paging service) the action group posts every alert to, in the common alert schema.
   * @default - none
   * @see https://learn.microsoft.com/azure/azure-monitor/alerts/alerts-common-schema
   */
  readonly alertWebhookUrl?: string;

  /**
   * E-mail addresses of a second, independent action group that receives the alerts about the alerting path itself:
   * a change to or deletion of either action group, and the creation, change or deletion of an alert processing rule
   * anywhere in the subscription (a rule with `RemoveAllActionGroups` silences every notification). Without it those
   * alerts go only to the action group they are about, so disabling or redirecting that group is reported only if it
   * still delivers. Give addresses outside the team that administers the subscription's monitoring.
   * @default - none: the alerting path reports to the one action group (NIST AU-6 and SOC 2 CC7.2 then read partially satisfied)
   * @see https://learn.microsoft.com/azure/azure-monitor/alerts/alerts-processing-rules
   */
  readonly escalationEmails?: string[];

  /**
   * How many requests refused with 403 (all vaults and HSMs of the sink) within 15 minutes raise the
   * failed-authorization alert. 401s are not counted: every client's first request is an unauthenticated challenge.
   * @default 10
   * @see https://learn.microsoft.com/azure/key-vault/general/authentication-requests-and-responses
   */
  readonly failedAuthorizationBurstThreshold?: number;
}

/**
 * One alert rule on the Key Vault / Managed HSM `AuditEvent` stream. With `log_analytics_destination_type = Dedicated`
 * both vaults and Managed HSMs write it to the resource-specific table `AZKVAuditLogs`.
 * @see https://learn.microsoft.com/azure/azure-monitor/reference/supported-logs/microsoft-keyvault-vaults-logs
 * @see https://learn.microsoft.com/azure/azure-monitor/reference/supported-logs/microsoft-keyvault-managedhsms-logs
 */
export interface KeyAuditAlert {
  /** Construct id and name suffix of the rule. */
  readonly id: string;
  /** What fires it. */
  readonly description: string;
  /** Operation names it matches exactly (the `OperationName` column). */
  readonly operations: string[];
  /** Operation-name fragments it matches (`contains`), for Managed HSM operations the logging page does not list by name. */
  readonly operationFragments?: string[];
  /** Azure Monitor severity, 0 (critical) to 4. */
  readonly severity: number;
}

/**
 * Key Vault `AuditEvent` operation names, from "Azure Key Vault logging", operation names table (keys):
 * https://learn.microsoft.com/azure/key-vault/general/logging#operation-names-table . Managed HSM logs the same
 * key operation names (https://learn.microsoft.com/azure/key-vault/managed-hsm/logging). Every attempt counts, failed
 * or not: a refused KeyPurge is as telling as a successful one.
 */
export const KEY_AUDIT_ALERTS: KeyAuditAlert[] = [
  { id: 'KeyDestruction', description: 'a key was deleted or purged (or someone tried)', operations: ['KeyDelete', 'KeyPurge'], severity: 1 },
  // The log records the update, not the attribute it set: every KeyUpdate alerts, disabling (enabled=false) among them.
  { id: 'KeyUpdate', description: 'a key\'s attributes were updated (disable, expiry, permitted operations)', operations: ['KeyUpdate'], severity: 1 },
  { id: 'RotationPolicyChange', description: 'a key rotation policy was set or changed', operations: ['KeyRotationPolicySet'], severity: 2 },
  { id: 'KeyImport', description: 'key material was imported', operations: ['KeyImport'], severity: 1 },
  {
    id: 'BackupRestore',
    description: 'a key was backed up or restored (a backup restores into any vault of the subscription), or a Managed HSM full backup or restore ran',
    operations: ['KeyBackup', 'KeyRestore'],
    operationFragments: ['Backup', 'Restore'],
    severity: 1,
  },
  {
    id: 'HsmAccessChange',
    description: 'a Managed HSM local role assignment or role definition was written or deleted, or its security domain was touched',
    operations: [],
    // Managed HSM local RBAC and security-domain calls are data-plane operations logged in AuditEvent; matched by name
    // fragment, reads (Get, List) excluded.
    operationFragments: ['RoleAssignment', 'RoleDefinition', 'SecurityDomain'],
    severity: 1,
  },
];

/** Activity Log category of every create, update, delete and action on a resource (reads are not logged). */
const ADMINISTRATIVE = 'Administrative';
/**
 * Every Activity Log level. The service refuses an Administrative alert with no condition but the category
 * ("Specify additional conditions for this category: Administrative", Azure/azure-cli issue 8732); all levels adds
 * one without narrowing it.
 */
const ALL_LEVELS = ['Critical', 'Error', 'Warning', 'Informational', 'Verbose'];

/** Retention of the sink a vault or HSM gets when it is given none: a year, in the workspace only. */
const DEFAULT_SINK_RETENTION_DAYS = 365;
const DEFAULT_SINK_ID = 'CloudKmsDefaultAuditSink';
/** Construct id of the diagnostic setting on each attached vault or HSM, which keys and HSM roles wait for. */
const DIAGNOSTICS_ID = 'AuditDiagnostics';
const OPT_OUTS = new WeakMap<IConstruct, string>();
/** Log analytics query windows overlap the evaluation period by ten minutes: Key Vault logs arrive up to ten minutes late. */
const EVALUATION_FREQUENCY = 'PT5M';
const WINDOW = 'PT15M';

/** Log Analytics keeps data interactively for at most this many days. */
const WORKSPACE_MAX_RETENTION_DAYS = 730;
/** The container Azure Monitor writes the AuditEvent category to. */
const AUDIT_CONTAINER = 'insights-logs-auditevent';

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
      const ledger = EvidenceLedger.of(target);
      ledger.acknowledge({ subject: target.node.path, resource: target.node.path, rule: 'audit-sink-opt-out', reason });
      for (const control of [Control.NIST_AU_2, Control.NIST_AU_12, Control.PCI_10_2_1, Control.HIPAA_164_312_B, Control.ISO_A_8_15]) {
        ledger.record({
          control,
          status: EvidenceStatus.NOT_SATISFIED,
          subject: target.node.path,
          resource: target.node.path,
          setting: 'diagnostic setting',
          value: 'none (opted out)',
          description: `no AuditEvent diagnostic setting, by choice: ${reason}`,
        });
      }
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
  private readonly location: string;
  private readonly namePrefix: string;

  constructor(scope: Construct, id: string, props: KeyAuditSinkProps) {
    super(scope, id);
    requireDefined('props', props);
    requireResourceGroupName('resourceGroupName', props.resourceGroupName);
    requireLocation('location', props.location);
    optionalBoolean('immutable', props.immutable);
    optionalProfile('profile', props.profile);
    optionalPeriod('retention', props.retention);
    // Checked as a whole list before anything exists: an id twice is refused by name.
    azureAssignments(CustodianRole.AUDITOR, 'auditors', optionalList('auditors', props.auditors));
    const profile = props.profile ?? ComplianceProfile.COMMERCIAL;
    const retention = props.retention ?? Period.days(profile.auditRetentionDays);
    const retentionDays = literalDays(this, 'retention', retention);
    requireRange('retention', retentionDays, 1, 36500, 'days');
    if (!Number.isInteger(retentionDays)) throw new ValidationError(`retention must be a whole number of days, got ${retention.toHumanString()}`);
    if (retentionDays < profile.auditRetentionDays) {
      throw new ValidationError(`retention must be at least ${days(profile.auditRetentionDays)} under profile ${profile.name}, got ${days(retentionDays)}`);
    }
    const immutable = props.immutable ?? true;
    if (!immutable && profile.immutableAuditRequired) {
      throw new ValidationError(`immutable must be true under profile ${profile.name}, got false`);
    }
    if (immutable && props.acknowledgeLockedRetention !== true) {
      throw new ValidationError(
        `acknowledgeLockedRetention must be true: a locked immutability policy keeps the audit logs (and their storage account) for ${days(retentionDays)} ` +
        `and cannot be shortened or removed, got ${shown(props.acknowledgeLockedRetention)}`);
    }
    if (!immutable && retentionDays > WORKSPACE_MAX_RETENTION_DAYS) {
      throw new ValidationError(`retention must be at most ${WORKSPACE_MAX_RETENTION_DAYS} days without the immutable storage copy, got ${days(retentionDays)}`);
    }
    const emails = optionalList('notificationEmails', props.notificationEmails);
    const escalationEmails = optionalList('escalationEmails', props.escalationEmails);
    for (const [prop, list] of [['notificationEmails', emails], ['escalationEmails', escalationEmails]] as const) {
      for (const email of list) {
        if (typeof email !== 'string' || (!Token.isUnresolved(email) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email))) {
          throw new ValidationError(`${prop} must hold e-mail addresses, got ${shown(email)}`);
        }
      }
    }
    if (props.alertWebhookUrl !== undefined && (typeof props.alertWebhookUrl !== 'string' ||
      (!Token.isUnresolved(props.alertWebhookUrl) && !/^https:\/\/[^\s/]+\S*$/.test(props.alertWebhookUrl)))) {
      throw new ValidationError(`alertWebhookUrl must be an https:// URL, got ${shown(props.alertWebhookUrl)}`);
    }
    if (profile.auditSinkRequired && emails.length === 0 && props.alertWebhookUrl === undefined) {
      throw new ValidationError(
        `notificationEmails must name at least one address (or alertWebhookUrl be set) under profile ${profile.name}: ` +
        'alerts on key destruction and on audit-record changes must reach someone, got none');
    }
    const burst = props.failedAuthorizationBurstThreshold ?? 10;
    if (!Number.isInteger(burst) || burst < 1 || burst > 100000) {
      throw new ValidationError(`failedAuthorizationBurstThreshold must be a whole number between 1 and 100000, got ${shown(burst)}`);
    }
    this.immutable = immutable;
    this.retentionDays = retentionDays;
    this.profile = profile;
    this.failedAuthorizationBurstThreshold = burst;
    this.resourceGroupName = props.resourceGroupName;
    this.location = props.location;

    const workspaceName = props.workspaceName ?? stableName(this, 'log-kms-', 63);
    if (!/^[A-Za-z0-9][A-Za-z0-9-]{2,61}[A-Za-z0-9]$/.test(workspaceName)) {
      throw new ValidationError(`workspaceName must be 4 to 63 letters, digits and hyphens, starting and ending with a letter or digit, got ${shown(workspaceName)}`);
    }
    this.namePrefix = workspaceName;
    this.workspace = new LogAnalyticsWorkspace(this, 'Workspace', {
      name: workspaceName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      sku: 'PerGB2018',
      retentionInDays: Math.max(30, Math.min(retentionDays, WORKSPACE_MAX_RETENTION_DAYS)),
      localAuthenticationEnabled: false,
      lifecycle: { preventDestroy: true },
    });
    this.workspaceId = this.workspace.id;

    let accountName: string | undefined;
    if (immutable) {
      accountName = props.storageAccountName ?? azureGlobalName(this, AZURE_GLOBAL_NAMES.storageAccount);
      if (!/^[a-z0-9]{3,24}$/.test(accountName)) {
        throw new ValidationError(`storageAccountName must be 3 to 24 lower-case letters and digits, got ${shown(accountName)}`);
      }
      this.storageAccount = new StorageAccount(this, 'Storage', {
        name: accountName,
        resourceGroupName: props.resourceGroupName,
        location: props.location,
        accountTier: 'Standard',
        accountReplicationType: 'GRS',
        accountKind: 'StorageV2',
        minTlsVersion: 'TLS1_2',
        httpsTrafficOnlyEnabled: true,
        allowNestedItemsToBePublic: false,
        sharedAccessKeyEnabled: false,
        defaultToOauthAuthentication: true,
        infrastructureEncryptionEnabled: true,
        crossTenantReplicationEnabled: false,
        // Azure Monitor reaches the account as a trusted service; nothing else does.
        networkRules: { defaultAction: 'Deny', bypass: ['AzureServices'] },
        blobProperties: {
          versioningEnabled: true,
          // The change feed is the account's own ordered, read-only record of every blob create, update and delete.
          // https://learn.microsoft.com/azure/storage/blobs/storage-blob-change-feed
          changeFeedEnabled: true,
          changeFeedRetentionInDays: retentionDays,
          deleteRetentionPolicy: { days: 365 },
          containerDeleteRetentionPolicy: { days: 365 },
        },
        lifecycle: { preventDestroy: true },
      });
      const container = new StorageContainer(this, 'AuditContainer', {
        name: AUDIT_CONTAINER,
        storageAccountId: this.storageAccount.id,
        containerAccessType: 'private',
      });
      new StorageContainerImmutabilityPolicy(this, 'Immutability', {
        storageContainerResourceManagerId: container.resourceManagerId,
        immutabilityPeriodInDays: retentionDays,
        // Azure Monitor writes append blobs only: appends to them stay possible (AppendBlock), while block blobs get no
        // appends (the "all" variant would allow Put Block to them too), and changes and deletions stay refused.
        // https://learn.microsoft.com/azure/storage/blobs/immutable-time-based-retention-policy-overview#allow-protected-append-blobs-writes
        protectedAppendWritesEnabled: true,
        locked: true,
      });
      // Every write and delete on the blob service (attempts refused by the immutability policy included) goes to the
      // workspace's StorageBlobLogs table, where an alert rule watches the audit container. Storage logs go to
      // resource-specific tables only, so no destination type is set.
      // https://learn.microsoft.com/azure/storage/blobs/monitor-blob-storage-reference
      new MonitorDiagnosticSetting(this, 'BlobServiceDiagnostics', {
        name: 'cloud-kms-audit-integrity',
        targetResourceId: `${this.storageAccount.id}/blobServices/default`,
        logAnalyticsWorkspaceId: this.workspace.id,
        enabledLog: [{ category: 'StorageWrite' }, { category: 'StorageDelete' }],
      });
    }

    if (emails.length > 0 || props.alertWebhookUrl !== undefined) {
      this.actionGroup = new MonitorActionGroup(this, 'AlertActionGroup', {
        name: `${workspaceName}-alerts`,
        resourceGroupName: props.resourceGroupName,
        location: 'global',
        // At most 12 characters; shown as the sender of e-mails.
        shortName: 'cloudkmsaudt',
        emailReceiver: emails.map((emailAddress, i) => ({ name: `email-${i + 1}`, emailAddress, useCommonAlertSchema: true })),
        webhookReceiver: props.alertWebhookUrl === undefined ? undefined
          : [{ name: 'webhook', serviceUri: props.alertWebhookUrl, useCommonAlertSchema: true }],
      });
    }
    if (escalationEmails.length > 0) {
      this.escalationActionGroup = new MonitorActionGroup(this, 'EscalationActionGroup', {
        name: `${workspaceName}-escalation`,
        resourceGroupName: props.resourceGroupName,
        location: 'global',
        shortName: 'cloudkmsesc',
        emailReceiver: escalationEmails.map((emailAddress, i) => ({ name: `email-${i + 1}`, emailAddress, useCommonAlertSchema: true })),
      });
    }

    for (const alert of KEY_AUDIT_ALERTS) {
      this.alertRules[alert.id] = this.logAlert(alert.id, alert.description, alert.severity, keyAuditQuery(alert), 'GreaterThan', 0);
    }
    this.alertRules.FailedAuthorizationBurst = this.logAlert('FailedAuthorizationBurst',
      `${burst} or more requests refused with 403 (forbidden) within 15 minutes`, 1,
      'AZKVAuditLogs\n| where HttpStatusCode == 403', 'GreaterThanOrEqual', burst);
    if (accountName) {
      this.auditRecordChangeAlert = this.logAlert('AuditRecordChange',
        `a blob or the container ${AUDIT_CONTAINER} of ${accountName} was deleted, overwritten or altered (or someone tried)`, 0,
        auditRecordChangeQuery(accountName), 'GreaterThan', 0);
    }
    this.createAlertingPathAlerts(workspaceName);
    // Activity Log alert scopes are prefixes: an operation on a child (a container's immutability policy, a role
    // assignment or diagnostic setting on the resource, a workspace table) falls under its parent's id.
    // https://learn.microsoft.com/rest/api/monitor/activity-log-alerts/create-or-update
    this.auditStoreChangeAlert = new MonitorActivityLogAlert(this, 'AuditStoreChangeAlert', {
      name: `${workspaceName}-audit-store-change`,
      resourceGroupName: props.resourceGroupName,
      location: 'global',
      description: 'any create, update, delete or action on the audit workspace (purge, retention, tables) or the audit storage ' +
        '(immutability policy, container, role assignments, diagnostic settings), and on the alert rules and action group',
      scopes: [this.workspace.id, ...(this.storageAccount ? [this.storageAccount.id] : []),
        ...Object.values(this.alertRules).map((r) => r.id), ...(this.auditRecordChangeAlert ? [this.auditRecordChangeAlert.id] : []),
        ...(this.actionGroup ? [this.actionGroup.id] : []), ...Object.values(this.alertingPathAlerts).map((a) => a.id)],
      criteria: { category: ADMINISTRATIVE, levels: ALL_LEVELS },
      action: this.actionGroup ? [{ actionGroupId: this.actionGroup.id }] : undefined,
    });

    for (const auditor of azureAssignments(CustodianRole.AUDITOR, 'auditors', props.auditors ?? [])) {
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
    if (this.storageAccount) {
      Aspects.of(this).add({ visit: (node) => { if (node === this) this.requireAzureAdStorageAccess(); } });
    }
    this.recordEvidence();
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
    const ledger = EvidenceLedger.of(this);
    for (const control of [Control.NIST_AU_2, Control.NIST_AU_12, Control.PCI_10_2_1, Control.HIPAA_164_312_B, Control.ISO_A_8_15]) {
      ledger.record({
        control,
        status: EvidenceStatus.SATISFIED,
        subject: this.node.path,
        resource: setting.node.path,
        setting: 'enabled_log.category_group',
        value: 'audit',
        description: `every AuditEvent (management and cryptographic operations) of ${target.node.path} goes to the workspace${this.storageAccount ? ' and the write-once container' : ''}`,
      });
    }
    const [status, notified] = this.alertStatus();
    if (audited?.hsm) {
      const rule = this.alertRules.HsmAccessChange;
      for (const control of [Control.NIST_AU_6, Control.SOC2_CC7_2]) {
        ledger.record({
          control,
          status: EvidenceStatus.PARTIALLY_SATISFIED,
          subject: this.node.path,
          resource: rule.node.path,
          setting: 'operation names (Managed HSM)',
          value: `${target.node.path}: HsmAccessChange, BackupRestore (fragments)`,
          description: `Managed HSM ${target.node.path}: the HsmAccessChange alert (local role assignments and definitions, ` +
            'security domain) and the full-backup/restore half of BackupRestore match operation-name fragments ' +
            `(${[...new Set(KEY_AUDIT_ALERTS.flatMap((a) => a.operationFragments ?? []))].join(', ')}) that Microsoft does ` +
            'not document; a wrong guess matches nothing, so a change to the HSM\'s local role assignments or definitions ' +
            'may go unalerted. The key operations (KeyDelete, KeyPurge, KeyUpdate, KeyRotationPolicySet, KeyImport, ' +
            'KeyBackup, KeyRestore) are documented names',
        });
      }
    }
    for (const control of [Control.NIST_AU_6, Control.SOC2_CC7_2]) {
      ledger.record({
        control,
        status,
        subject: this.node.path,
        resource: alert.node.path,
        setting: 'activity log alert (scopes, category)',
        value: `every attached vault and Managed HSM, ${ADMINISTRATIVE}`,
        description: `every administrative operation on ${[...this.attached].join(', ')} and its children (role assignments, ` +
          `diagnostic settings, vault settings, deletion) raises an alert${notified}`,
      });
    }
  }

  /**
   * The alerts on what could silence the others. An alert processing rule (`Microsoft.AlertsManagement/actionRules`,
   * action `RemoveAllActionGroups`) at the subscription or a resource group suppresses every notification without
   * touching a watched resource, so its creation, change and deletion anywhere in the subscription alert; and every
   * administrative operation on the action groups (disable, receivers, deletion). Both go to the escalation group too.
   * @see https://learn.microsoft.com/azure/azure-monitor/alerts/alerts-processing-rules
   * @see https://learn.microsoft.com/azure/role-based-access-control/resource-provider-operations
   */
  private createAlertingPathAlerts(workspaceName: string): void {
    const subscription = literalSubscriptionId(this)
      // Unknown at synthesis (ARM_SUBSCRIPTION_ID): the subscription the provider deploys to, read at apply time.
      ?? new DataAzurermClientConfig(this, 'ClientConfig', {}).subscriptionId;
    const groups = [this.actionGroup, this.escalationActionGroup].filter((g): g is MonitorActionGroup => g !== undefined);
    const action = groups.length > 0 ? groups.map((g) => ({ actionGroupId: g.id })) : undefined;
    for (const [id, operation] of [['ProcessingRuleWrite', 'write'], ['ProcessingRuleDelete', 'delete']]) {
      this.alertingPathAlerts[id] = new MonitorActivityLogAlert(this, `${id}Alert`, {
        name: `${workspaceName}-processing-rule-${operation}`,
        resourceGroupName: this.resourceGroupName,
        location: 'global',
        description: `an alert processing rule was ${operation === 'write' ? 'created or changed' : 'deleted'} anywhere in the ` +
          'subscription (a RemoveAllActionGroups rule silences every alert notification)',
        scopes: [`/subscriptions/${subscription}`],
        criteria: { category: ADMINISTRATIVE, operationName: `Microsoft.AlertsManagement/actionRules/${operation}` },
        action,
      });
    }
    if (groups.length > 0) {
      this.alertingPathAlerts.ActionGroupChange = new MonitorActivityLogAlert(this, 'ActionGroupChangeAlert', {
        name: `${workspaceName}-action-group-change`,
        resourceGroupName: this.resourceGroupName,
        location: 'global',
        description: 'any create, update, delete or action on the alert action groups (disabling, receivers), and on the ' +
          'processing-rule alerts',
        scopes: [...groups.map((g) => g.id), this.alertingPathAlerts.ProcessingRuleWrite.id, this.alertingPathAlerts.ProcessingRuleDelete.id],
        criteria: { category: ADMINISTRATIVE, levels: ALL_LEVELS },
        action,
      });
    }
  }

  /**
   * A diagnostic setting's storage account must be in the region of the regional resource it logs; the workspace need not.
   * @see https://learn.microsoft.com/azure/azure-monitor/essentials/diagnostic-settings#destinations
   */
  private requireSameRegion(target: IConstruct, location: string | undefined): void {
    if (!this.storageAccount || location === undefined || Token.isUnresolved(location) || Token.isUnresolved(this.location)) return;
    if (normaliseRegion(location) !== normaliseRegion(this.location)) {
      throw new ValidationError(`location of ${target.node.path} must be the region of its auditSink ${this.node.path}: ` +
        'a diagnostic setting\'s storage account must be in the same region as the vault or Managed HSM it logs, got ' +
        `'${location}' and the sink's storage account in '${this.location}'`);
    }
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
  private recordAlertingPath(record: (controls: Control[], status: EvidenceStatus, resource: string, setting: string,
    value: string, description: string) => void): void {
    const write = this.alertingPathAlerts.ProcessingRuleWrite;
    const escalation = this.escalationActionGroup;
    const path = this.alertingPathAlerts.ActionGroupChange
      ? `; every administrative operation on the action group${escalation ? 's' : ''} (disabling, receivers, deletion) alerts ` +
        (escalation ? `to both groups, so disabling or redirecting ${this.actionGroup?.node.path ?? 'the first group'} is reported by the ` +
          `independent ${escalation.node.path}` : `only through ${this.actionGroup!.node.path} itself: silencing by someone who can change ` +
          'the action group or create processing rules is detected only if that group still delivers (set escalationEmails)')
      : '; there is no action group';
    record([Control.NIST_AU_6, Control.SOC2_CC7_2], escalation ? EvidenceStatus.SATISFIED : EvidenceStatus.PARTIALLY_SATISFIED, write.node.path,
      'activity log alerts (alerting path)', 'Microsoft.AlertsManagement/actionRules/write|delete at the subscription; action groups',
      `creating, changing or deleting an alert processing rule anywhere in the subscription raises an alert${path}. Not ` +
      'covered: a processing rule with RemoveAllActionGroups removes every action group, the escalation group too, from the ' +
      'alerts in its scope, so it may suppress the notification of its own creation (the alert still fires and stays in ' +
      'Azure Monitor\'s alert list, and the Activity Log keeps the write); whoever holds actionRules/write on the subscription or a ' +
      'resource group (Owner, Contributor, Monitoring Contributor, and the deployment identity) can silence notifications that way. ' +
      'This app grants none of those rights: they are trusted outside it (govern them with PIM and organization guardrails)');
  }

  /** The action group's receivers, or why the alerts reach nobody. */
  private alertStatus(): [EvidenceStatus, string] {
    return this.actionGroup ? [EvidenceStatus.SATISFIED, ` to ${this.actionGroup.node.path}`]
      : [EvidenceStatus.PARTIALLY_SATISFIED, ', but nobody is notified: set notificationEmails or alertWebhookUrl'];
  }

  private logAlert(id: string, description: string, severity: number, query: string, operator: string,
    threshold: number): MonitorScheduledQueryRulesAlertV2 {
    return new MonitorScheduledQueryRulesAlertV2(this, `${id}Alert`, {
      name: `${this.namePrefix}-${id.replace(/[A-Z]/g, (c, i) => `${i ? '-' : ''}${c.toLowerCase()}`)}`,
      resourceGroupName: this.resourceGroupName,
      location: this.location,
      description,
      // Log search alert rules take exactly one scope; every attached vault and HSM writes into this workspace.
      scopes: [this.workspace.id],
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
      action: this.actionGroup ? { actionGroups: [this.actionGroup.id] } : undefined,
    });
  }

  /**
   * The audit storage account disables shared keys, so the azurerm provider must reach its data plane with Entra ID
   * (`storage_use_azuread`), or Terraform fails creating the container. Set on the stack's provider when left unset;
   * refused when set otherwise.
   * @see https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs#storage_use_azuread
   */
  private requireAzureAdStorageAccess(): void {
    const stack = TerraformStack.of(this);
    const providers = stack.node.findAll().filter((c): c is AzurermProvider => c instanceof AzurermProvider);
    const provider = (this.storageAccount!.provider as AzurermProvider | undefined) ?? providers.find((p) => p.alias === undefined);
    const fix = 'add storageUseAzuread: true to the AzurermProvider, since the audit storage account has shared keys disabled';
    if (!provider) {
      throw new ValidationError(`stack ${stack.node.path} has no default AzurermProvider for audit sink ${this.node.path}: ${fix}`);
    }
    const value = provider.storageUseAzuread;
    if (value === undefined) {
      provider.storageUseAzuread = true;
    } else if (value !== true) {
      throw new ValidationError(`storageUseAzuread of provider ${provider.node.path} must be true for audit sink ${this.node.path}: ${fix}, got ${Token.isUnresolved(value) ? 'a token' : value}`);
    }
  }

  private recordEvidence(): void {
    const ledger = EvidenceLedger.of(this);
    ledger.registerAuditSink({
      path: this.node.path,
      stack: TerraformStack.of(this).node.path,
      cloud: 'azure',
      immutable: this.immutable,
      retentionDays: this.retentionDays,
    });
    const record = (controls: Control[], status: EvidenceStatus, resource: string, setting: string, value: string, description: string) => {
      for (const control of controls) ledger.record({ control, status, subject: this.node.path, resource, setting, value, description });
    };
    const storage = this.storageAccount?.node.path ?? this.workspace.node.path;
    record([Control.NIST_AU_9_4, Control.PCI_10_3_2], this.immutable ? EvidenceStatus.SATISFIED : EvidenceStatus.NOT_SATISFIED, storage,
      'immutability_period_in_days, locked', this.immutable ? `${this.retentionDays}, true` : 'none',
      this.immutable ? 'audit logs are write-once: a locked time-based immutability policy allows appends only'
        : 'no write-once copy: workspace data can be purged by its administrators');
    record([Control.NIST_AU_11, Control.PCI_10_5_1], this.retentionDays >= 365 ? EvidenceStatus.SATISFIED : EvidenceStatus.NOT_SATISFIED,
      storage, 'retention', String(this.retentionDays), `audit logs kept ${days(this.retentionDays)}`);
    record([Control.NIST_AU_9, Control.NIST_AU_9_2], EvidenceStatus.SATISFIED, this.workspace.node.path, 'local_authentication_enabled', 'false',
      'logs live in a dedicated workspace (Entra authentication only) and storage account, apart from the vaults they describe');

    const [status, notified] = this.alertStatus();
    for (const [id, rule] of Object.entries(this.alertRules)) {
      const query = (rule.criteriaInput as { query: string }[])[0].query;
      // One entry per rule: the ledger keeps one entry per subject, control and setting.
      const alert = KEY_AUDIT_ALERTS.find((a) => a.id === id);
      const undocumented = alert?.operationFragments
        ? `; the name fragments ${alert.operationFragments.join(', ')} are not documented operation names (Managed HSM), ` +
          'so that part may match nothing' : '';
      record([Control.NIST_AU_6, Control.SOC2_CC7_2], status, rule.node.path, `criteria.query (${id})`, query.replace(/\s*\n\s*/g, ' '),
        `${rule.descriptionInput} raises an alert within about 15 minutes (Key Vault logs arrive within 10)${notified}${undocumented}`);
    }
    this.recordAlertingPath(record);

    if (this.storageAccount && this.auditRecordChangeAlert) {
      record([Control.PCI_10_3_4], status, this.auditRecordChangeAlert.node.path,
        'immutability policy (locked, appends only); StorageWrite/StorageDelete logs; alert rules', 'audit container, workspace, storage account',
        'existing audit records cannot be changed: the container\'s locked immutability policy refuses every overwrite and ' +
        'delete, and every attempt (refused or not) on the container other than Azure Monitor\'s creation of new append ' +
        'blobs raises an alert from the blob service logs; every administrative operation on the storage account and ' +
        'workspace (immutability policy, role assignments, diagnostic settings, workspace purge, table retention, deletion) ' +
        `raises an Activity Log alert (${this.auditStoreChangeAlert.node.path}), as does any change to the vaults' diagnostic ` +
        `settings; versioning and the change feed keep a record of every blob change${notified}. Not proven: that Microsoft ` +
        'stored what the vaults logged (there are no signed digests as CloudTrail has); and new blobs and appends are not ' +
        'attributed: a principal given blob write access (granting it on the account alerts) can append forged records or ' +
        'create a later hour\'s PT1H.json before Azure Monitor does, and neither is told apart from Azure Monitor\'s writes');
    } else {
      record([Control.PCI_10_3_4], EvidenceStatus.PARTIALLY_SATISFIED, this.auditStoreChangeAlert.node.path, 'activity log alert (scopes, category)',
        `${this.workspace.node.path}, ${ADMINISTRATIVE}`,
        'workspace records cannot be edited in place, and a purge, table-retention change or deletion of the workspace raises an ' +
        `alert${notified}; but nothing prevents the purge and there is no write-once copy (immutable is false)`);
    }
  }
}

/** Azure accepts a region's display name and its programmatic name alike ('West Europe', 'westeurope'). */
function normaliseRegion(region: string): string {
  return region.replace(/\s+/g, '').toLowerCase();
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

/** The AuditEvent query of an alert: exact operation names, or name fragments without reads. */
function keyAuditQuery(alert: KeyAuditAlert): string {
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
function auditRecordChangeQuery(accountName: string): string {
  return [
    'StorageBlobLogs',
    `| where AccountName =~ "${accountName}" and Uri contains "/${AUDIT_CONTAINER}"`,
    '| where Category == "StorageDelete" or (Category == "StorageWrite" and not(OperationName in ("PutBlob", "AppendBlock") ' +
      'and toint(StatusCode) between (200 .. 299)))',
  ].join('\n');
}

function requireReason(prop: string, reason: string): string {
  if (typeof reason !== 'string' || reason.trim().length < 10) {
    throw new ValidationError(`${prop} must give a reason of at least 10 characters that the compliance report shows, got ${typeof reason === 'string' ? `'${reason}'` : shown(reason)}`);
  }
  return reason.trim();
}

function inheritedOptOut(target: IConstruct): string | undefined {
  for (const scope of [...target.node.scopes].reverse()) {
    const reason = OPT_OUTS.get(scope);
    if (reason !== undefined) return reason;
  }
  return undefined;
}
