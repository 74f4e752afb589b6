import type { IKeyAuditSink } from './key-audit-sink-props';
import type { VaultNetwork } from './vault-network';
import type { Period } from '../core/period';
import type { ComplianceProfile } from '../core/profile';

/**
 * Key Vault pricing tier.
 * @see https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates#key-vault-pricing-tiers
 */
export enum VaultSku {
  /** Software-protected keys only (FIPS 140 Level 1). */
  STANDARD = 'standard',
  /** Adds HSM-protected keys (FIPS 140-3 Level 3). */
  PREMIUM = 'premium',
}

/**
 * Properties of an Azure `KeyVault`.
 */
export interface KeyVaultProps {
  /** Resource group of the vault. */
  readonly resourceGroupName: string;
  /** Azure region. */
  readonly location: string;

  /**
   * Purge protection stops anyone, even subscription owners, from purging the vault or its keys during the
   * soft-delete period, and it can never be turned off. Set to true to confirm.
   * @see https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview#purge-protection
   */
  readonly acknowledgePurgeProtectionIsPermanent: boolean;

  /**
   * Vault name: 3–24 letters, digits and hyphens, globally unique.
   * @default - the construct's id and a hash of the subscription and construct path (see README "Names", `NamingContext`)
   */
  readonly name?: string;

  /**
   * Pricing tier. Standard holds only software keys.
   * @default VaultSku.PREMIUM
   */
  readonly sku?: VaultSku;

  /**
   * Microsoft Entra tenant id.
   * @default - the tenant Terraform runs in
   */
  readonly tenantId?: string;

  /**
   * How long deleted keys and the vault can be recovered: 7–90 days, a literal period (a token is refused).
   * @default Period.days(90)
   */
  readonly softDeleteRetention?: Period;

  /**
   * The compliance profile the vault serves (soft-delete minimum, audit sink, dual control).
   * @default ComplianceProfile.COMMERCIAL
   */
  readonly profile?: ComplianceProfile;

  /**
   * Where the vault's audit logs go.
   * @default - the stack's default sink (`KeyAuditSink` with a workspace only, kept a year, created once per stack);
   * required by profiles that require an audit sink
   */
  readonly auditSink?: IKeyAuditSink;

  /**
   * Leaves the vault without an AuditEvent diagnostic setting (CIS Azure "logging for Key Vault enabled"), for this
   * reason, which the compliance report shows. Refused where the profile requires an audit sink, and with `auditSink`.
   * `KeyAuditSink.optOut(scope, reason)` does the same for every vault under a scope.
   * @default - audited: the given sink, else the stack's default sink
   */
  readonly auditOptOutReason?: string;

  /**
   * How Terraform and every other client reach the vault's data plane: `VaultNetwork.privateEndpoint(...)` (public
   * access disabled, private endpoint and DNS zone group; Terraform runs inside the virtual network or a peered one) or
   * `VaultNetwork.allowList(...)` (firewall default Deny; Terraform's egress address in the list). Required: without one
   * of them Terraform could not create the vault's keys.
   * @see https://learn.microsoft.com/azure/key-vault/general/network-security
   */
  readonly network: VaultNetwork;

  /**
   * Object ids of key administrators. They get a custom role that manages keys and rotation policies but has no
   * cryptographic data actions. Under dual control the role is only eligible (Privileged Identity Management):
   * each activation needs an approver and MFA.
   * @default - none (keys add their own)
   */
  readonly administrators?: string[];

  /**
   * Object ids of the approvers of administrators' activations (dual control). At least two under a profile that
   * requires dual control.
   * @default - none
   */
  readonly approvers?: string[];

  /**
   * Object id of the principal Terraform deploys with. It gets a role of its own that creates keys and rotation policies
   * (and, without dual control, updates keys): no delete, purge, backup, restore, recover or cryptographic use. It is
   * recorded as a custodian (the deployment identity) of the vault and of every key in it.
   * @default - the object id Terraform runs as
   */
  readonly deploymentPrincipalId?: string;

  /**
   * Object ids of backup operators: they alone may back up and restore keys (a custom role with `keys/backup/action` and
   * `keys/restore/action`, on this vault). A backup restores into any vault of the same subscription and geography, so
   * no administrator holds these rights, and a backup operator can hold no other role (separation of duties). Under dual
   * control their assignment is eligible only, activated with an approver's consent and MFA like the administrators'.
   * @default - none: nobody this app names can back up or restore keys
   */
  readonly backupOperators?: string[];
}
