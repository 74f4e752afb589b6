import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import { StorageContainerImmutabilityPolicy } from '@cdktf/provider-azurerm/lib/storage-container-immutability-policy';
import { TerraformStack, Token } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { AUDIT_CONTAINER } from './audit-alerts';
import { ValidationError } from '../../core/validation';

/** Where the write-once copy of a `KeyAuditSink`'s logs goes. */
export interface AuditStorageOptions {
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  readonly retentionDays: number;
  /** The workspace the blob service logs (writes and deletes on the audit container) go to. */
  readonly workspaceId: string;
  /** `GRS`, or `LRS` where the profile does not allow the paired region GRS copies to. */
  readonly replicationType: string;
}

/**
 * The storage account of the write-once copy, its audit container under a locked time-based immutability policy, and the
 * blob service logs an alert rule watches.
 */
export function createAuditStorage(scope: Construct, options: AuditStorageOptions): StorageAccount {
  const storageAccount = new StorageAccount(scope, 'Storage', {
    name: options.name,
    resourceGroupName: options.resourceGroupName,
    location: options.location,
    accountTier: 'Standard',
    accountReplicationType: options.replicationType,
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
      changeFeedRetentionInDays: options.retentionDays,
      deleteRetentionPolicy: { days: 365 },
      containerDeleteRetentionPolicy: { days: 365 },
    },
    lifecycle: { preventDestroy: true },
  });
  const container = new StorageContainer(scope, 'AuditContainer', {
    name: AUDIT_CONTAINER,
    storageAccountId: storageAccount.id,
    containerAccessType: 'private',
  });
  new StorageContainerImmutabilityPolicy(scope, 'Immutability', {
    storageContainerResourceManagerId: container.resourceManagerId,
    immutabilityPeriodInDays: options.retentionDays,
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
  new MonitorDiagnosticSetting(scope, 'BlobServiceDiagnostics', {
    name: 'cloud-kms-audit-integrity',
    targetResourceId: `${storageAccount.id}/blobServices/default`,
    logAnalyticsWorkspaceId: options.workspaceId,
    enabledLog: [{ category: 'StorageWrite' }, { category: 'StorageDelete' }],
  });
  return storageAccount;
}

/**
 * The audit storage account disables shared keys, so the azurerm provider must reach its data plane with Entra ID
 * (`storage_use_azuread`), or Terraform fails creating the container. Set on the stack's provider when left unset;
 * refused when set otherwise.
 * @see https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs#storage_use_azuread
 */
export function requireAzureAdStorageAccess(sink: IConstruct, storageAccount: StorageAccount): void {
  const stack = TerraformStack.of(sink);
  const providers = stack.node.findAll().filter((c): c is AzurermProvider => c instanceof AzurermProvider);
  const provider = (storageAccount.provider as AzurermProvider | undefined) ?? providers.find((p) => p.alias === undefined);
  const fix = 'add storageUseAzuread: true to the AzurermProvider, since the audit storage account has shared keys disabled';
  if (!provider) {
    throw new ValidationError(`stack ${stack.node.path} has no default AzurermProvider for audit sink ${sink.node.path}: ${fix}`);
  }
  const value = provider.storageUseAzuread;
  if (value === undefined) {
    provider.storageUseAzuread = true;
  } else if (value !== true) {
    throw new ValidationError(`storageUseAzuread of provider ${provider.node.path} must be true for audit sink ${sink.node.path}: ${fix}, got ${Token.isUnresolved(value) ? 'a token' : value}`);
  }
}
