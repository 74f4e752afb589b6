import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { requireDefined, requireMatch, shown, ValidationError } from '../core/validation';
import { optionalBoolean, optionalList, requireString } from '../terraform/input';
import { requireLocation, requireResourceGroupName } from './private/input';
import { attachNetwork, AttachedNetwork, NetworkTarget } from './private/network';

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

// Azure resource ids of subnets and virtual networks (compared without case by Azure).
const SUBNET_ID = /^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+\/subnets\/[^/]+$/i;
const SUBNET_ID_RULE = '/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Network/virtualNetworks/<network>/subnets/<subnet>';
const VNET_ID = /^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+$/i;

/** A resource id prop: a string of the given form, or a token. */
function requireResourceId(prop: string, value: unknown, pattern: RegExp, rule: string): void {
  const id = requireString(prop, value);
  if (!Token.isUnresolved(id)) requireMatch(prop, id, pattern, `an Azure resource id ${rule}`);
}

/**
 * The network path to a Key Vault or Managed HSM. There is no default: a vault closed to every network could not be
 * given keys by Terraform, and one open to every network is not what a key store should be. Choose one:
 *
 * - `VaultNetwork.privateEndpoint({ subnetId, privateDnsZoneId })`: public access disabled; a private endpoint with a
 *   DNS zone group in the `privatelink` zone. Terraform must run inside the virtual network or a peered one that
 *   resolves the zone.
 * - `VaultNetwork.allowList({ ipRanges, subnetIds })` (Key Vault only): public access enabled, firewall default Deny,
 *   only the listed ranges and subnets. Terraform's egress IP must be in the list.
 *
 * Either way the firewall bypass for trusted Microsoft services is off unless a key is granted to a service
 * (`grantServiceEncryption`) or `allowTrustedServices` is set.
 */
export class VaultNetwork {
  /**
   * Public network access disabled; reachable only through a private endpoint whose name resolves in a private DNS zone.
   */
  public static privateEndpoint(options: VaultPrivateEndpointOptions): VaultNetwork {
    if (options === undefined || options === null || typeof options !== 'object') {
      throw new ValidationError(`VaultNetwork.privateEndpoint needs options with subnetId, the subnet the private endpoint goes in, got ${shown(options)}`);
    }
    requireDefined('subnetId', options.subnetId);
    requireResourceId('subnetId', options.subnetId, SUBNET_ID, SUBNET_ID_RULE);
    for (const vnet of optionalList('linkedVirtualNetworkIds', options.linkedVirtualNetworkIds)) {
      requireResourceId('linkedVirtualNetworkIds', vnet, VNET_ID, '/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Network/virtualNetworks/<name>');
    }
    if (options.privateDnsZoneId !== undefined) requireString('privateDnsZoneId', options.privateDnsZoneId);
    if (options.resourceGroupName !== undefined) requireResourceGroupName('resourceGroupName', options.resourceGroupName);
    if (options.location !== undefined) requireLocation('location', options.location);
    optionalBoolean('allowTrustedServices', options.allowTrustedServices);
    const zone = options.privateDnsZoneId;
    const links = options.linkedVirtualNetworkIds ?? [];
    if (!zone && links.length === 0) {
      throw new ValidationError('VaultNetwork.privateEndpoint needs privateDnsZoneId (an existing privatelink zone) or linkedVirtualNetworkIds ' +
        `(a zone created here, linked to those networks), got neither${options.linkedVirtualNetworkIds ? ' (linkedVirtualNetworkIds is empty)' : ''}: ` +
        'without the zone the vault\'s name resolves to its public ' +
        'address, which refuses every request once public network access is disabled');
    }
    if (zone && links.length > 0) {
      throw new ValidationError('VaultNetwork.privateEndpoint takes privateDnsZoneId (an existing zone) or linkedVirtualNetworkIds (a zone created here), ' +
        `not both, got privateDnsZoneId ${shown(zone)} and ${links.length} linkedVirtualNetworkIds`);
    }
    return new VaultNetwork(VaultNetworkMode.PRIVATE_ENDPOINT, options, undefined);
  }

  /**
   * Public network access enabled, firewall default Deny, with only these IP ranges and subnets allowed (Key Vault only:
   * a Managed HSM takes no IP or virtual network rules).
   */
  public static allowList(options: VaultAllowListOptions): VaultNetwork {
    const ipRanges = optionalList('ipRanges', options?.ipRanges);
    const subnetIds = optionalList('subnetIds', options?.subnetIds);
    for (const range of ipRanges) requireString('ipRanges', range);
    for (const subnet of subnetIds) requireResourceId('subnetIds', subnet, SUBNET_ID, SUBNET_ID_RULE);
    optionalBoolean('allowTrustedServices', options?.allowTrustedServices);
    if (ipRanges.length === 0 && subnetIds.length === 0) {
      throw new ValidationError('VaultNetwork.allowList needs ipRanges or subnetIds, got neither: a firewall that denies by default with an empty ' +
        'list would refuse Terraform too');
    }
    return new VaultNetwork(VaultNetworkMode.ALLOW_LIST, undefined, options);
  }

  /** Which network path this is. */
  public readonly mode: VaultNetworkMode;
  private readonly endpoint?: VaultPrivateEndpointOptions;
  private readonly allow?: VaultAllowListOptions;

  private constructor(mode: VaultNetworkMode, endpoint: VaultPrivateEndpointOptions | undefined, allow: VaultAllowListOptions | undefined) {
    this.mode = mode;
    this.endpoint = endpoint;
    this.allow = allow;
  }

  /** @internal Creates what this network needs for one vault or Managed HSM. */
  public _attach(scope: Construct, target: NetworkTarget): AttachedNetwork {
    return attachNetwork(scope, target, this.endpoint, this.allow);
  }
}
