import { PrivateDnsZone } from '@cdktf/provider-azurerm/lib/private-dns-zone';
import { PrivateDnsZoneVirtualNetworkLink } from '@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { ITerraformDependable, TerraformStack, Token } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { Control } from '../../core/controls';
import { EvidenceLedger, EvidenceStatus } from '../../core/evidence';
import { stableGuid } from '../../core/naming';
import { shown, ValidationError } from '../../core/validation';
import type { VaultAllowListOptions, VaultNetworkMode, VaultPrivateEndpointOptions } from '../vault-network-options';

/**
 * Private Link names per service: the private endpoint's subresource (group id) and the private DNS zone its record goes
 * in, from Microsoft's table (Azure public cloud names; a zone brought by id may be another cloud's).
 * @see https://learn.microsoft.com/azure/private-link/private-endpoint-dns (Key Vault: `vault`,
 * `privatelink.vaultcore.azure.net`; Managed HSM: `managedhsm`, `privatelink.managedhsm.azure.net`)
 * @see https://learn.microsoft.com/azure/key-vault/managed-hsm/private-link
 */
const SERVICES = {
  vault: { subresource: 'vault', zone: 'privatelink.vaultcore.azure.net', zonePrefix: 'privatelink.vaultcore.', label: 'Key Vault' },
  managedhsm: { subresource: 'managedhsm', zone: 'privatelink.managedhsm.azure.net', zonePrefix: 'privatelink.managedhsm.', label: 'Managed HSM' },
};

export type VaultService = keyof typeof SERVICES;

/** The `network_acls` block a vault or Managed HSM gets. */
export interface NetworkAcls {
  readonly defaultAction: string;
  readonly bypass: string;
  readonly ipRules?: string[];
  readonly virtualNetworkSubnetIds?: string[];
}

/** What a vault or Managed HSM hands its network. */
export interface NetworkTarget {
  readonly service: VaultService;
  /** The vault's or HSM's resource id. */
  readonly resourceId: string;
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /** Writes the firewall settings onto the resource (again, when the bypass changes). */
  readonly putAcls: (acls: NetworkAcls) => void;
  /**
   * Records, in the evidence ledger, which network path exists (again, when the bypass changes), and whether that is the
   * whole of what the network controls ask (SATISFIED) or the description says what is missing (PARTIALLY_SATISFIED).
   */
  readonly record: (value: string, description: string, status: EvidenceStatus) => void;
}

/** What the network path of a vault or Managed HSM is evidence for: least privilege, and key access restricted to the fewest. */
const NETWORK_CONTROLS = [Control.NIST_AC_6, Control.PCI_3_6_1];

/**
 * Records which network path a vault or Managed HSM has (a `NetworkTarget.record`), as evidence about `subject` and
 * its `resource`.
 */
export function recordNetworkPath(subject: IConstruct, resource: IConstruct, setting: string, value: string, description: string,
  status: EvidenceStatus): void {
  for (const control of NETWORK_CONTROLS) {
    EvidenceLedger.of(subject).record({ control, status, subject: subject.node.path, resource: resource.node.path, setting, value, description });
  }
}

/** Whether the resource should be created with public network access, before its network is attached. */
export function publicAccessFor(allow: VaultAllowListOptions | undefined): boolean {
  return allow !== undefined;
}

const IPV4_CIDR = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}(\/([0-9]|[12]\d|3[0-2]))?$/;

/** Private ranges, which Key Vault's firewall refuses. */
const PRIVATE_V4 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

/**
 * Special-purpose blocks no client reaches Key Vault's public endpoint from, so an IP rule naming them lets nobody in that
 * should be, and a rule spanning them was not made from real egress addresses.
 * @see https://www.iana.org/assignments/iana-ipv4-special-registry/iana-ipv4-special-registry.xhtml
 */
const SPECIAL_V4: ReadonlyArray<readonly [string, string]> = [
  ['0.0.0.0/8', '"this network", RFC 1122'],
  ...PRIVATE_V4.map((b) => [b, 'private, RFC 1918'] as const),
  ['100.64.0.0/10', 'shared address space for carrier-grade NAT, RFC 6598'],
  ['127.0.0.0/8', 'loopback, RFC 1122'],
  ['169.254.0.0/16', 'link-local, RFC 3927'],
  ['224.0.0.0/4', 'multicast, RFC 5771'],
  ['240.0.0.0/4', 'reserved, RFC 1112'],
];

/** Ranges broader than this are recorded as partial evidence: the firewall then admits far more than a runner's egress. */
const BROADEST_EVIDENCED_PREFIX = 16;

interface V4Block { readonly base: number; readonly prefix: number }

function parseV4(range: string): V4Block {
  const [address, prefix] = range.split('/');
  return { base: address.split('.').reduce((a, octet) => a * 256 + Number(octet), 0), prefix: prefix === undefined ? 32 : Number(prefix) };
}

/** Whether two CIDR blocks share an address (arithmetic, not 32-bit shifts, so /0 works). */
function overlaps(a: V4Block, b: V4Block): boolean {
  const size = 2 ** (32 - Math.min(a.prefix, b.prefix));
  return Math.floor(a.base / size) === Math.floor(b.base / size);
}

/**
 * Key Vault firewall rules: public IPv4 addresses or ranges only (private ranges and IPv6 are refused), at most 1,000
 * IP rules and 200 virtual network rules. Ranges within or spanning a special-purpose block are refused too.
 * @see https://learn.microsoft.com/azure/key-vault/general/network-security
 */
function checkAllowList(allow: VaultAllowListOptions, subject: string): void {
  const ipRanges = allow.ipRanges ?? [];
  const subnetIds = allow.subnetIds ?? [];
  for (const range of ipRanges) {
    if (Token.isUnresolved(range)) continue;
    if (!IPV4_CIDR.test(range)) {
      throw new ValidationError(`network ipRanges must be IPv4 addresses or CIDR ranges (Key Vault takes no IPv6), got ${shown(range)} for ${subject}`);
    }
    const block = parseV4(range);
    for (const [special, what] of SPECIAL_V4) {
      const s = parseV4(special);
      if (!overlaps(block, s)) continue;
      if (block.prefix >= s.prefix && PRIVATE_V4.includes(special)) {
        throw new ValidationError('network ipRanges must be public addresses: Key Vault refuses private (RFC 1918) ranges; reach the vault from a ' +
          `virtual network through subnetIds or VaultNetwork.privateEndpoint, got ${shown(range)} for ${subject}`);
      }
      throw new ValidationError(`network ipRanges must be public addresses a client can reach Key Vault from: ${range} ` +
        `${block.prefix >= s.prefix ? 'is within' : 'spans'} ${special} (${what}); list Terraform's and the clients' egress addresses, ` +
        `got ${shown(range)} for ${subject}`);
    }
  }
  if (ipRanges.length > 1000) throw new ValidationError(`network ipRanges must be at most 1000 ranges, got ${ipRanges.length} for ${subject}`);
  if (subnetIds.length > 200) throw new ValidationError(`network subnetIds must be at most 200 subnets, got ${subnetIds.length} for ${subject}`);
}

/**
 * Why an allow list proves less than "only known clients reach the data plane": ranges broader than /16, and ranges known
 * only at deploy time (not checked at synthesis). Empty when the evidence is whole.
 */
function allowListGaps(ipRanges: string[]): string[] {
  const gaps: string[] = [];
  const unknown = ipRanges.filter((r) => Token.isUnresolved(r)).length;
  if (unknown > 0) {
    gaps.push(`${unknown} IP range${unknown === 1 ? ' is' : 's are'} known only at deploy time and not checked at synthesis`);
  }
  for (const range of ipRanges) {
    if (Token.isUnresolved(range)) continue;
    const { prefix } = parseV4(range);
    if (prefix < BROADEST_EVIDENCED_PREFIX) {
      gaps.push(`${range} admits ${2 ** (32 - prefix)} addresses (broader than /${BROADEST_EVIDENCED_PREFIX})`);
    }
  }
  return gaps;
}

/**
 * One vault's or Managed HSM's network: its firewall, and its private endpoint with the DNS zone group. Trusted
 * Microsoft services get through the firewall only while something asks for them (a service-encryption grant, or
 * `allowTrustedServices`), and the evidence says which.
 */
export class AttachedNetwork {
  /** Whether public network access is enabled (allow list) or disabled (private endpoint). */
  public readonly publicNetworkAccessEnabled: boolean;
  /** The private endpoint, when there is one. */
  public readonly privateEndpoint?: PrivateEndpoint;
  /** The private DNS zone the endpoint's record is in, when there is one. */
  public readonly privateDnsZoneId?: string;
  /**
   * What a resource calling the data plane (a key) must wait for: the private endpoint (its zone group writes the DNS
   * record) and the zone's virtual network links. Empty for an allow list.
   */
  public readonly dependables: ITerraformDependable[] = [];
  private readonly target: NetworkTarget;
  private readonly allow?: VaultAllowListOptions;
  private readonly endpointSubnetId?: string;
  private readonly zoneSource?: string;
  private readonly reasons: string[] = [];

  constructor(scope: Construct, target: NetworkTarget, endpoint: VaultPrivateEndpointOptions | undefined, allow: VaultAllowListOptions | undefined) {
    this.target = target;
    this.allow = allow;
    const service = SERVICES[target.service];
    const subject = scope.node.path;
    this.publicNetworkAccessEnabled = publicAccessFor(allow);
    if (allow) {
      if (target.service === 'managedhsm') {
        // https://learn.microsoft.com/azure/key-vault/managed-hsm/private-link ("does not currently support IP rules or Virtual
        // Network Service Endpoints"; the IP firewall is a preview that needs subscription enablement)
        throw new ValidationError(`network must be VaultNetwork.privateEndpoint for Managed HSM ${subject}: azurerm sets no IP or virtual network ` +
          'rules on a Managed HSM (its network_acls has only bypass and default_action), so an allow list could not let Terraform in, got VaultNetwork.allowList');
      }
      checkAllowList(allow, subject);
    } else {
      const options = endpoint!;
      const links = options.linkedVirtualNetworkIds ?? [];
      if (options.privateDnsZoneId && !Token.isUnresolved(options.privateDnsZoneId)) {
        const zoneName = /\/providers\/Microsoft\.Network\/privateDnsZones\/([^/]+)$/i.exec(options.privateDnsZoneId)?.[1];
        if (!zoneName || !zoneName.toLowerCase().startsWith(service.zonePrefix)) {
          throw new ValidationError(`network privateDnsZoneId must be the id of a ${service.zone} private DNS zone for ${service.label} ${subject}, ` +
            `got ${shown(options.privateDnsZoneId)}`);
        }
      }
      const rg = options.resourceGroupName ?? target.resourceGroupName;
      let zoneId = options.privateDnsZoneId;
      if (!zoneId) {
        const shared = sharedZone(scope, target.service, rg, subject);
        zoneId = shared.zone.id;
        links.forEach((vnetId, i) => this.dependables.push(linkZone(shared, vnetId, `${subject}#${i}`, subject)));
        this.zoneSource = `${service.zone} created in resource group ${readable(shared.resourceGroupName, 'known at deploy time')}, linked to ${links.length} ` +
          `virtual network${links.length === 1 ? '' : 's'} (${links.map((l) => readable(l, 'known at deploy time')).join(', ')})`;
      } else {
        this.zoneSource = `${service.zone} (${readable(zoneId, 'a zone id known at deploy time')})`;
      }
      this.privateDnsZoneId = zoneId;
      this.endpointSubnetId = readable(options.subnetId, 'known at deploy time');
      // The zone group writes the endpoint's A record into the zone, so the vault's name resolves to the private address
      // from every network linked to it.
      // https://registry.terraform.io/providers/hashicorp/azurerm/4.55.0/docs/resources/private_endpoint#private_dns_zone_group
      this.privateEndpoint = new PrivateEndpoint(scope, 'PrivateEndpoint', {
        name: `pe-${target.name}`,
        resourceGroupName: rg,
        location: options.location ?? target.location,
        subnetId: options.subnetId,
        privateServiceConnection: {
          name: `psc-${target.name}`,
          privateConnectionResourceId: target.resourceId,
          subresourceNames: [service.subresource],
          isManualConnection: false,
        },
        privateDnsZoneGroup: { name: 'default', privateDnsZoneIds: [zoneId] },
      });
      this.dependables.push(this.privateEndpoint);
    }
    const asked = allow?.allowTrustedServices ?? endpoint?.allowTrustedServices ?? false;
    if (asked) this.reasons.push('allowTrustedServices');
    this.apply();
  }

  /** The firewall bypass, as written to the resource. */
  public get bypass(): string {
    return this.reasons.length > 0 ? 'AzureServices' : 'None';
  }

  /**
   * Lets trusted Microsoft services through the firewall (Storage, Disk Encryption and other services using the key with
   * their managed identity come from Microsoft's networks, not from the allow list or the private endpoint). Public
   * network access disabled still lets trusted services in when the bypass is on.
   * @see https://learn.microsoft.com/azure/key-vault/general/network-security#restrictions--considerations
   */
  public allowTrustedServices(reason: string): void {
    if (this.reasons.includes(reason)) return;
    this.reasons.push(reason);
    this.apply();
  }

  private apply(): void {
    const ipRules = this.allow?.ipRanges ?? [];
    const subnetIds = this.allow?.subnetIds ?? [];
    const subnetText = subnetIds.map((id) => readable(id, 'a subnet known at deploy time'));
    this.target.putAcls({
      defaultAction: 'Deny',
      bypass: this.bypass,
      ipRules: ipRules.length > 0 ? ipRules : undefined,
      virtualNetworkSubnetIds: subnetIds.length > 0 ? subnetIds : undefined,
    });
    const bypassText = this.reasons.length > 0
      ? `trusted Microsoft services bypass the firewall (AzureServices) for: ${this.reasons.join('; ')}`
      : 'no firewall bypass (None)';
    if (this.privateEndpoint) {
      this.target.record(
        `public_network_access_enabled false, network_acls Deny/${this.bypass}, private endpoint in ${this.endpointSubnetId}, DNS zone ${this.zoneSource}`,
        `public network access disabled; the data plane is reachable only through the private endpoint in subnet ${this.endpointSubnetId}, ` +
        `whose address the name resolves to in private DNS zone ${this.zoneSource}; ${bypassText}`, EvidenceStatus.SATISFIED);
    } else {
      const ipRanges = (this.allow?.ipRanges ?? []).map((r) => readable(r, 'a range known at deploy time'));
      const gaps = allowListGaps(ipRules);
      this.target.record(
        `public_network_access_enabled true, network_acls Deny/${this.bypass}, ip_rules [${ipRanges.join(', ')}], virtual_network_subnet_ids [${subnetText.join(', ')}]`,
        `firewall default Deny: only ${ipRanges.length} IP range${ipRanges.length === 1 ? '' : 's'} (${ipRanges.join(', ') || 'none'}) and ` +
        `${subnetIds.length} subnet${subnetIds.length === 1 ? '' : 's'} (service endpoints) reach the data plane; ${bypassText}` +
        (gaps.length > 0 ? `; partially: ${gaps.join('; ')}` : ''),
        gaps.length > 0 ? EvidenceStatus.PARTIALLY_SATISFIED : EvidenceStatus.SATISFIED);
    }
  }
}

/** Evidence is read by people: a value Terraform only knows at deploy time is named as such, not as a token. */
function readable(value: string, unknown: string): string {
  return Token.isUnresolved(value) ? `(${unknown})` : value;
}

/** Attaches a network to one vault or Managed HSM. */
export function attachNetwork(scope: Construct, target: NetworkTarget, endpoint: VaultPrivateEndpointOptions | undefined,
  allow: VaultAllowListOptions | undefined): AttachedNetwork {
  return new AttachedNetwork(scope, target, endpoint, allow);
}

/** A private DNS zone created here, with the resource group it was created in (the zone's own attribute is a token). */
interface SharedZone {
  readonly zone: PrivateDnsZone;
  readonly resourceGroupName: string;
  readonly service: VaultService;
}

/**
 * One private DNS zone per stack and service, in the resource group of the first vault (or its endpoint's
 * `resourceGroupName`) that asks: every vault of the stack registers in it, whatever its resource group. Azure links a
 * virtual network to only one zone of a name ("A virtual network cannot be linked to multiple zones with overlapping
 * namespaces"), so a zone per resource group would leave a second vault's links undeployable.
 * @see https://learn.microsoft.com/azure/private-link/private-link-faq ("Creating multiple zones with the same name for a
 * single virtual network is not supported")
 *
 * Its construct id comes from that resource group's name (or, for a name only known at deploy time, from the first
 * vault's path), so it is stable from one synthesis to the next, and the same as when the zone was keyed by resource group.
 */
function sharedZone(scope: Construct, service: VaultService, resourceGroupName: string, requester: string): SharedZone {
  const stack = TerraformStack.of(scope);
  const registry = zones.get(stack) ?? new Map<VaultService, SharedZone>();
  zones.set(stack, registry);
  const existing = registry.get(service);
  if (existing) return existing;
  const seed = Token.isUnresolved(resourceGroupName) ? requester : resourceGroupName.toLowerCase();
  const zone = new PrivateDnsZone(stack, `CloudKmsPrivateDns-${service}-${stableGuid(seed).slice(0, 8)}`, {
    name: SERVICES[service].zone,
    resourceGroupName,
  });
  const shared = { zone, resourceGroupName, service };
  registry.set(service, shared);
  return shared;
}

const zones = new WeakMap<TerraformStack, Map<VaultService, SharedZone>>();

/**
 * Links a zone to a virtual network once, however many vaults ask (Azure links a network to a zone only once), and
 * refuses a network another zone of the same name in the app (another stack's) is already linked to: Azure would refuse
 * the second link at apply time.
 */
function linkZone(shared: SharedZone, virtualNetworkId: string, requester: string, subject: string): PrivateDnsZoneVirtualNetworkLink {
  const zone = shared.zone;
  const registry = links.get(zone) ?? new Map<string, PrivateDnsZoneVirtualNetworkLink>();
  links.set(zone, registry);
  // Resource ids compare without case in Azure.
  const linkKey = Token.isUnresolved(virtualNetworkId) ? virtualNetworkId : virtualNetworkId.toLowerCase();
  const existing = registry.get(linkKey);
  if (existing) return existing;
  if (!Token.isUnresolved(virtualNetworkId)) {
    const linked = appLinks.get(zone.node.root) ?? new Map<string, { zone: string; subject: string }>();
    appLinks.set(zone.node.root, linked);
    const key = `${shared.service}|${virtualNetworkId.toLowerCase()}`;
    const other = linked.get(key);
    if (other && other.zone !== zone.node.path) {
      throw new ValidationError(`network linkedVirtualNetworkIds of ${subject} links virtual network ${shown(virtualNetworkId)} to a second ` +
        `${SERVICES[shared.service].zone} zone: ${other.zone} (created for ${other.subject}) is already linked to it, and Azure links a ` +
        'virtual network to only one zone of a name; give one of them privateDnsZoneId (the other zone\'s id) instead of linkedVirtualNetworkIds');
    }
    linked.set(key, { zone: zone.node.path, subject });
  }
  const seed = Token.isUnresolved(virtualNetworkId) ? requester : virtualNetworkId.toLowerCase();
  const link = new PrivateDnsZoneVirtualNetworkLink(zone, `Link-${stableGuid(seed).slice(0, 12)}`, {
    name: `cloud-kms-${stableGuid(seed).slice(0, 12)}`,
    resourceGroupName: zone.resourceGroupName,
    privateDnsZoneName: zone.name,
    virtualNetworkId,
    // privatelink zones hold only the endpoints' records: no VM auto-registration.
    registrationEnabled: false,
  });
  registry.set(linkKey, link);
  return link;
}

const links = new WeakMap<PrivateDnsZone, Map<string, PrivateDnsZoneVirtualNetworkLink>>();
/** Per app: which zone (construct path) each virtual network is linked to, per service. */
const appLinks = new WeakMap<IConstruct, Map<string, { zone: string; subject: string }>>();

/** A construct that creates its vault needs a network; one given a vault or HSM must not be given another. */
export function checkKeyNetwork(network: { readonly mode: VaultNetworkMode } | undefined, container: IConstruct | undefined, subject: string): void {
  if (network && container) {
    throw new ValidationError(`network applies only to a vault ${subject} creates; ${container.node.path} was given and has its own network`);
  }
}
