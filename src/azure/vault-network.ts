import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { requireDefined, requireMatch, shown, ValidationError } from '../core/validation';
import { optionalBoolean, optionalList, requireString } from '../terraform/input';
import { requireLocation, requireResourceGroupName } from './private/input';
import { attachNetwork, AttachedNetwork, NetworkTarget } from './private/network';
import { VaultAllowListOptions, VaultNetworkMode, VaultPrivateEndpointOptions } from './vault-network-options';

// The options and mode have a file of their own (private/network.ts reads them); importers of this file still find them here.
export * from './vault-network-options';

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
