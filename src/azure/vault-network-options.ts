/**
 * How Terraform (and every other client) reaches a vault's or Managed HSM's data plane.
 */
export enum VaultNetworkMode {
  /** Public network access disabled; a private endpoint in a subnet, resolved through a private DNS zone. */
  PRIVATE_ENDPOINT = 'PRIVATE_ENDPOINT',
  /** Public network access enabled behind a firewall that denies everything but the listed IP ranges and subnets. */
  ALLOW_LIST = 'ALLOW_LIST',
}

/**
 * Options for `VaultNetwork.privateEndpoint`.
 */
export interface VaultPrivateEndpointOptions {
  /** The subnet the private endpoint's network interface goes in (same region as its virtual network). */
  readonly subnetId: string;

  /**
   * An existing private DNS zone the endpoint registers its A record in: `privatelink.vaultcore.azure.net` for a Key
   * Vault, `privatelink.managedhsm.azure.net` for a Managed HSM (hub-and-spoke: the zone the connectivity subscription
   * owns, already linked to the virtual networks that must resolve the vault, Terraform's included). Give this or
   * `linkedVirtualNetworkIds`.
   * @default - none: give `linkedVirtualNetworkIds` to have the zone created here
   * @see https://learn.microsoft.com/azure/private-link/private-endpoint-dns
   */
  readonly privateDnsZoneId?: string;

  /**
   * Virtual networks to link a private DNS zone created in this stack to (one zone per stack and service, in the resource
   * group of the first vault that asks, shared by every vault of the stack). Terraform must run in one of them, or in a
   * network whose DNS forwards to them. Azure links a network to only one zone of a name: a network already linked to
   * another `privatelink` zone of this service (the hub's, another stack's) must not be listed; give that zone's id as
   * `privateDnsZoneId` instead. Two stacks of one app listing the same network are refused at synthesis. Give this or
   * `privateDnsZoneId`.
   * @see https://learn.microsoft.com/azure/private-link/private-link-faq
   * @default - none: give `privateDnsZoneId`
   */
  readonly linkedVirtualNetworkIds?: string[];

  /**
   * Resource group of the private endpoint, and of the DNS zone created here when this is the stack's first vault of the
   * service to ask for one.
   * @default - the vault's
   */
  readonly resourceGroupName?: string;

  /**
   * Region of the private endpoint: its virtual network's.
   * @default - the vault's
   */
  readonly location?: string;

  /**
   * Let trusted Microsoft services through the firewall (`bypass: AzureServices`) even without a service-encryption
   * grant. Grants to services (`grantServiceEncryption`, `KeyUserRole.SERVICE_ENCRYPTION_USER`) turn it on by
   * themselves.
   * @default false
   * @see https://learn.microsoft.com/azure/key-vault/general/overview-vnet-service-endpoints#trusted-services
   */
  readonly allowTrustedServices?: boolean;
}

/**
 * Options for `VaultNetwork.allowList`.
 */
export interface VaultAllowListOptions {
  /**
   * Public IPv4 addresses or CIDR ranges allowed through the firewall (Terraform's egress address among them). Key
   * Vault refuses private (RFC 1918) ranges and IPv6; ranges within or spanning other special-purpose blocks (this
   * network, loopback, link-local, carrier-grade NAT, multicast, reserved) are refused here. The network evidence is
   * partial for a range broader than /16 or one known only at deploy time.
   * @default - none
   * @see https://learn.microsoft.com/azure/key-vault/general/network-security
   */
  readonly ipRanges?: string[];

  /**
   * Subnet ids allowed through the firewall; each needs the `Microsoft.KeyVault` service endpoint.
   * @default - none
   */
  readonly subnetIds?: string[];

  /**
   * Let trusted Microsoft services through the firewall (`bypass: AzureServices`) even without a service-encryption
   * grant. Grants to services turn it on by themselves.
   * @default false
   */
  readonly allowTrustedServices?: boolean;
}
