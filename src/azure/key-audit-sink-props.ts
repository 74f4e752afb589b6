import { IConstruct } from 'constructs';
import { Period } from '../core/period';
import { ComplianceProfile } from '../core/profile';

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
