import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import { StorageContainerImmutabilityPolicy } from '@cdktf/provider-azurerm/lib/storage-container-immutability-policy';
import { Duration } from 'aws-cdk-lib';
import { TerraformStack } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { azureAssignments } from './custodians';
import { Control } from '../core/controls';
import { CustodianRole } from '../core/custodians';
import { EvidenceLedger, EvidenceStatus } from '../core/evidence';
import { stableGuid, stableName } from '../core/naming';
import { AZURE_GLOBAL_NAMES, azureGlobalName } from './private/naming';
import { ComplianceProfile } from '../core/profile';
import { days, requireRange, ValidationError } from '../core/validation';
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
   * Sends the audit category group and all metrics of a Key Vault or Managed HSM to the sink.
   * @param target the construct the diagnostic setting belongs to (its path names the setting)
   * @param resourceId the ARM id of the vault or Managed HSM
   */
  attach(target: IConstruct, resourceId: string): void;
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
   * workspace maximum of 730 days.
   * @default - the profile's audit retention
   */
  readonly retention?: Duration;

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
}

/** Log Analytics keeps data interactively for at most this many days. */
const WORKSPACE_MAX_RETENTION_DAYS = 730;
/** The container Azure Monitor writes the AuditEvent category to. */
const AUDIT_CONTAINER = 'insights-logs-auditevent';

/**
 * One audit sink for Azure key vaults and Managed HSMs: a Log Analytics workspace (Entra authentication only) with
 * retention per profile, and a storage account whose audit container carries a locked time-based immutability policy
 * (append-only for Azure Monitor's append blobs). Every vault or HSM that takes the sink gets a diagnostic setting
 * sending the `audit` category group (all AuditEvent logs) and all metrics to both.
 */
export class KeyAuditSink extends Construct implements IKeyAuditSink {
  public readonly immutable: boolean;
  public readonly retentionDays: number;
  public readonly profile: ComplianceProfile;
  public readonly workspace: LogAnalyticsWorkspace;
  public readonly workspaceId: string;
  /** The storage account holding the write-once copy, when `immutable`. */
  public readonly storageAccount?: StorageAccount;
  private readonly attached = new Set<string>();

  constructor(scope: Construct, id: string, props: KeyAuditSinkProps) {
    super(scope, id);
    const profile = props.profile ?? ComplianceProfile.COMMERCIAL;
    const retention = props.retention ?? Duration.days(profile.auditRetentionDays);
    const retentionDays = retention.toDays({ integral: false });
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
        `and cannot be shortened or removed, got ${props.acknowledgeLockedRetention}`);
    }
    if (!immutable && retentionDays > WORKSPACE_MAX_RETENTION_DAYS) {
      throw new ValidationError(`retention must be at most ${WORKSPACE_MAX_RETENTION_DAYS} days without the immutable storage copy, got ${days(retentionDays)}`);
    }
    this.immutable = immutable;
    this.retentionDays = retentionDays;
    this.profile = profile;

    const workspaceName = props.workspaceName ?? stableName(this, 'log-kms-', 63);
    if (!/^[A-Za-z0-9][A-Za-z0-9-]{2,61}[A-Za-z0-9]$/.test(workspaceName)) {
      throw new ValidationError(`workspaceName must be 4 to 63 letters, digits and hyphens, starting and ending with a letter or digit, got ${workspaceName}`);
    }
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

    if (immutable) {
      const accountName = props.storageAccountName ?? azureGlobalName(this, AZURE_GLOBAL_NAMES.storageAccount);
      if (!/^[a-z0-9]{3,24}$/.test(accountName)) {
        throw new ValidationError(`storageAccountName must be 3 to 24 lower-case letters and digits, got ${accountName}`);
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
        // Azure Monitor writes append blobs; appends stay possible, changes and deletions do not.
        protectedAppendWritesAllEnabled: true,
        locked: true,
      });
    }

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
    this.recordEvidence();
  }

  public attach(target: IConstruct, resourceId: string): void {
    if (this.attached.has(target.node.path)) return;
    this.attached.add(target.node.path);
    const setting = new MonitorDiagnosticSetting(target, 'AuditDiagnostics', {
      name: 'cloud-kms-audit',
      targetResourceId: resourceId,
      logAnalyticsWorkspaceId: this.workspace.id,
      storageAccountId: this.storageAccount?.id,
      enabledLog: [{ categoryGroup: 'audit' }],
      enabledMetric: [{ category: 'AllMetrics' }],
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
    // Not built yet on Azure; the report shows them unmet until an alert rule and an integrity check exist or are acknowledged.
    record([Control.NIST_AU_6, Control.SOC2_CC7_2], EvidenceStatus.NOT_SATISFIED, this.workspace.node.path, 'alert rules', 'none',
      'no alert is raised on key deletion or disabling: the workspace is queryable, but nothing watches it');
    record([Control.PCI_10_3_4], EvidenceStatus.NOT_SATISFIED, storage, 'integrity validation', 'none',
      'write-once storage prevents changes, but nothing validates the logs\' integrity (no digest files as CloudTrail has)');
  }
}
