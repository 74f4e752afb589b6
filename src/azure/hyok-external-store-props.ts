import type { AzureCustodians } from './custodians';
import type { IKeyAuditSink } from './key-audit-sink-props';
import type { VaultNetwork } from './vault-network';
import type { Period } from '../core/period';
import type { ComplianceProfile } from '../core/profile';

/**
 * Properties of an Azure `HyokExternalStore` (a Managed HSM whose security domain the customer holds).
 */
export interface HyokExternalStoreProps {
  /** Resource group of the Managed HSM. */
  readonly resourceGroupName: string;
  /** Azure region. */
  readonly location: string;

  /**
   * Regions to extend the Managed HSM pool to (Managed HSM multi-region replication). Not available: the pinned
   * @cdktf/provider-azurerm (azurerm_key_vault_managed_hardware_security_module) has no argument for it, so any region
   * given is refused rather than silently left out. The pool stays in `location`.
   * @default - none: the pool and its key material stay in `location`
   * @see https://learn.microsoft.com/azure/key-vault/managed-hsm/multi-region-replication
   */
  readonly replicaRegions?: string[];

  /**
   * A Managed HSM bills by the hour from creation (roughly US$3 an hour, over US$2,000 a month) until it is
   * deleted and purged. Set to true to confirm.
   * @see https://azure.microsoft.com/pricing/details/key-vault/
   */
  readonly acknowledgeHourlyBilling: boolean;

  /**
   * Ids of 3 to 10 Key Vault certificates (RSA, customer-held private keys) that encrypt the security domain. The
   * security domain — the HSM's root of trust — can be restored only by `securityDomainQuorum` of their holders.
   * @see https://learn.microsoft.com/azure/key-vault/managed-hsm/security-domain
   */
  readonly securityDomainCertificateIds: string[];

  /** How many certificate holders must cooperate to recover the security domain (M of N, at least 2). */
  readonly securityDomainQuorum: number;

  /**
   * Object ids holding the "Managed HSM Administrator" local role: security domain, backup and role management,
   * no key operations. The deployment principal is added so Terraform can manage roles and keys. Fixed when the HSM is
   * created (`admin_object_ids` is ForceNew and ignored afterwards): later changes are local role assignments, made by an
   * HSM administrator (README, "HyokExternalStore (Azure)").
   */
  readonly hsmAdministrators: string[];

  /** Key custodians, by object id: administrators (no cryptographic use), users (per key), auditors (read only). */
  readonly custodians: AzureCustodians;

  /**
   * How Terraform and clients reach the HSM's data plane (keys, local roles, security domain):
   * `VaultNetwork.privateEndpoint(...)`, with the `privatelink.managedhsm.azure.net` zone. A Managed HSM takes no IP or
   * virtual network rules, so `VaultNetwork.allowList` is refused.
   * @see https://learn.microsoft.com/azure/key-vault/managed-hsm/private-link
   */
  readonly network: VaultNetwork;

  /**
   * Whether this deployment activates the HSM: Terraform downloads the security domain (a data-plane call, encrypted to
   * `securityDomainCertificateIds`), then creates the local roles and keys. Terraform reaches the data plane only
   * through the private endpoint, which can be created only once the HSM exists; so a new HSM takes two deployments:
   * first `activate: false` (the HSM, its private endpoint and DNS record; no roles and no keys), then `activate: true`,
   * run from inside the virtual network (or one resolving the private DNS zone). Never `true` on the first deployment:
   * the download is part of creating the HSM and cannot wait for the private endpoint.
   * @see https://learn.microsoft.com/azure/key-vault/managed-hsm/quick-create-cli#activate-your-managed-hsm
   */
  readonly activate: boolean;

  /**
   * The compliance profile.
   * @default ComplianceProfile.COMMERCIAL
   */
  readonly profile?: ComplianceProfile;

  /**
   * Where audit logs go.
   * @default - the stack's default sink (`KeyAuditSink` with a workspace only, kept a year, created once per stack);
   * required by profiles that require an audit sink
   */
  readonly auditSink?: IKeyAuditSink;

  /**
   * Leaves the Managed HSM without an AuditEvent diagnostic setting, for this reason, which the compliance report
   * shows. Refused where the profile requires an audit sink, and with `auditSink`.
   * @default - audited: the given sink, else the stack's default sink
   */
  readonly auditOptOutReason?: string;

  /**
   * Name of the Managed HSM (3–24 letters, digits and hyphens).
   * @default - the construct's id and a hash of the subscription and construct path (see README "Names", `NamingContext`)
   */
  readonly name?: string;

  /**
   * Soft-delete retention: 7–90 days, a literal period (a token is refused: it is fixed at creation and must be
   * checked against the profile first). Purge protection is always on.
   * @default Period.days(90)
   */
  readonly softDeleteRetention?: Period;

  /**
   * Object id Terraform deploys with. It is in `admin_object_ids` ("Managed HSM Administrator": it creates the local role
   * definitions and assignments, so it can also grant itself a crypto role) and holds a local role that creates and
   * updates keys. It is recorded as a custodian (the deployment identity), and the access matrix counts its path; the
   * README says how to take it out after activation. Its place in `admin_object_ids` is fixed at creation: a later run
   * under another identity changes neither the HSM's administrators nor the plan; the local "cloud-kms key deployer"
   * assignment does follow it, which the new identity can create only once an HSM administrator has given it a local
   * role-management role (README).
   * @default - the object id Terraform runs as
   */
  readonly deploymentPrincipalId?: string;
}
