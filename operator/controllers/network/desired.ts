// Network + Subnets → one Kube-OVN Subnet and one Multus NetworkAttachmentDefinition. Pure.
//
// How Neutron's model maps onto Kube-OVN's:
// - Neutron gives a network any number of subnets; a port gets one address from each.
//   Kube-OVN gives a pod attachment (one provider) one logical switch, which holds at most
//   one IPv4 and one IPv6 block ("10.0.0.0/24,fd00:10::/64", protocol Dual). So a Network
//   becomes ONE Kube-OVN Subnet named `<namespace>.<network>`, rebuilt from the Network's
//   Subnets: the oldest IPv4 Subnet and the oldest IPv6 Subnet. Further Subnets of a family
//   already taken are reported as Unsupported on their own status, and every NIC on the
//   network gets an IPv4 and an IPv6 address when both exist — dual stack.
// - The NetworkAttachmentDefinition is named like the Network, in its namespace, with the
//   provider `<network>.<namespace>.ovn` that ties NIC annotations to the Kube-OVN Subnet.
// - Allocation pools become excludeIps (everything else in the block, plus the gateway).
// - DHCP, DNS servers and host routes become OVN DHCP options; IPv6 address modes become
//   router-advertisement settings on the Vpc router port.
// - Tenant networks live in the project's Vpc (`stratus-<project>`, made by the Project
//   controller). External networks (in the shared namespace) go to Kube-OVN's default Vpc;
//   their provider mapping (flat/vlan underlay) is the Router/FloatingIP controllers' part.
import type { NetworkObject } from '../../kinds/network.js';
import type { SubnetObject } from '../../kinds/subnet.js';
import type { ConditionInput } from '../../runtime/conditions.js';
import { BACKEND_REJECTED, type BackendRejection } from '../../runtime/errors.js';
import type { StatusView } from '../../runtime/status.js';
import {
  kubeOvnProvider,
  kubeOvnSubnetName,
  type KubeOvnSubnet,
  type KubeOvnSubnetSpec,
  type NetworkAttachmentDefinition,
} from '../engines.js';

import { ownedMetadata, type Child } from '../children.js';
import { canonicalCidr, canonicalIP, excludedRanges, firstHost, parseCidr } from '../../domain/address.js';
import { LABELS, MANAGED_BY, vpcName } from '../../domain/naming.js';
import { subnetGateway, type PrimarySubnets } from '../../domain/subnet.js';

export const NETWORK_LABELS = {
  /** On the cluster-scoped Kube-OVN Subnet: which Network it belongs to (no owner reference can say so). */
  network: 'stratus.dev/network',
  networkNamespace: 'stratus.dev/network-namespace',
} as const;

/** Where Kube-OVN's CNI plugin listens on every node (its default). */
export const KUBE_OVN_SOCKET = '/run/openvswitch/kube-ovn-daemon.sock';

/**
 * Kube-OVN always has a gateway address (its Vpc router port). A Neutron subnet without a
 * gateway still gets the first host there; instances just get no default route for it.
 */
function kubeOvnGateway(subnet: SubnetObject): string {
  const cidr = parseCidr(subnet.spec.cidr);
  return subnetGateway(subnet) ?? (cidr ? firstHost(cidr) : '');
}

/** OVN DHCPv4 options beyond Kube-OVN's defaults (lease, router, server id/mac, mtu). */
export function dhcpV4Options(subnet: SubnetObject): string | undefined {
  const options: string[] = [];
  const dns = subnet.spec.dnsNameservers ?? [];
  if (dns.length > 0) options.push(`dns_server={${dns.map(canonicalIP).join(',')}}`);
  const routes = subnet.spec.hostRoutes ?? [];
  if (routes.length > 0) {
    // RFC 3442: a client given classless routes ignores the router option, so the default
    // route must be listed too.
    const gateway = subnetGateway(subnet);
    const all = [
      ...routes.map((r) => `${canonicalCidr(r.destination)},${canonicalIP(r.nexthop)}`),
      ...(gateway ? [`0.0.0.0/0,${gateway}`] : []),
    ];
    options.push(`classless_static_route={${all.join(', ')}}`);
  }
  return options.length > 0 ? options.join(',') : undefined;
}

/** Kube-OVN's RA address_mode spelling of a Neutron IPv6 mode. */
export function raAddressMode(subnet: SubnetObject): 'slaac' | 'dhcpv6_stateful' | 'dhcpv6_stateless' {
  const mode = subnet.spec.ipv6RAMode ?? subnet.spec.ipv6AddressMode ?? 'dhcpv6-stateful';
  return mode.replace('-', '_') as 'slaac' | 'dhcpv6_stateful' | 'dhcpv6_stateless';
}

function labelsFor(network: NetworkObject): Record<string, string> {
  const namespace = network.metadata.namespace!;
  return {
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.project]: namespace,
    [NETWORK_LABELS.network]: network.metadata.name!,
    [NETWORK_LABELS.networkNamespace]: namespace,
  };
}

/** The Vpc a network's logical switch belongs to; none (Kube-OVN's default) for external ones. */
export function networkVpc(network: NetworkObject): string | undefined {
  return network.spec.external ? undefined : vpcName(network.metadata.namespace!);
}

/**
 * The Kube-OVN Subnet of a network with at least one Subnet, else undefined. Cluster-scoped,
 * so it carries labels instead of an owner reference (a cluster-scoped object cannot be owned
 * by a namespaced one); the Network's finalizer deletes it.
 */
export function desiredKubeOvnSubnet(
  network: NetworkObject,
  primaries: PrimarySubnets,
): (Child & KubeOvnSubnet) | undefined {
  const blocks = [primaries.v4, primaries.v6].filter((s): s is SubnetObject => s !== undefined);
  if (blocks.length === 0) return undefined;
  const namespace = network.metadata.namespace!;
  const name = network.metadata.name!;
  const spec: KubeOvnSubnetSpec = {
    protocol: blocks.length === 2 ? 'Dual' : primaries.v4 ? 'IPv4' : 'IPv6',
    cidrBlock: blocks.map((s) => canonicalCidr(s.spec.cidr)).join(','),
    gateway: blocks.map(kubeOvnGateway).join(','),
    excludeIps: blocks.flatMap((s) =>
      excludedRanges(s.spec.cidr, s.spec.allocationPools ?? [], [kubeOvnGateway(s)]),
    ),
    provider: kubeOvnProvider(namespace, name),
    gatewayType: 'distributed',
    // The check pings the gateway from a pod's primary interface; our attachments are
    // secondary and may legitimately have no route to it yet.
    disableGatewayCheck: true,
    enableDHCP: blocks.some((s) => s.spec.enableDHCP),
  };
  // Go's sort.Strings over both families, as Kube-OVN keeps them.
  spec.excludeIps.sort();
  const vpc = networkVpc(network);
  if (vpc) spec.vpc = vpc;
  if (primaries.v4?.spec.enableDHCP) {
    const options = dhcpV4Options(primaries.v4);
    if (options) spec.dhcpV4Options = options;
  }
  const v6 = primaries.v6;
  if (v6?.spec.enableDHCP) {
    const dns = v6.spec.dnsNameservers ?? [];
    if (dns.length > 0) spec.dhcpV6Options = `dns_server={${dns.map(canonicalIP).join(',')}}`;
    spec.enableIPv6RA = true;
    spec.ipv6RAConfigs = `address_mode=${raAddressMode(v6)},max_interval=30,min_interval=5,send_periodic=true`;
  }
  if (network.spec.mtu !== undefined) spec.mtu = network.spec.mtu;
  return {
    apiVersion: 'kubeovn.io/v1',
    kind: 'Subnet',
    metadata: { name: kubeOvnSubnetName(namespace, name), labels: labelsFor(network) },
    spec,
  };
}

/** The Multus attachment NICs on this network use; Kube-OVN's CNI plugin serves it. */
export function desiredNetworkAttachmentDefinition(
  network: NetworkObject,
): Child & NetworkAttachmentDefinition {
  const namespace = network.metadata.namespace!;
  const name = network.metadata.name!;
  return {
    apiVersion: 'k8s.cni.cncf.io/v1',
    kind: 'NetworkAttachmentDefinition',
    metadata: ownedMetadata(network, name, labelsFor(network)),
    spec: {
      config: JSON.stringify({
        cniVersion: '0.3.1',
        type: 'kube-ovn',
        server_socket: KUBE_OVN_SOCKET,
        provider: kubeOvnProvider(namespace, name),
      }),
    },
  };
}

/** Kube-OVN's verdict on its Subnet: Ready, failed (with the reason), or not yet known. */
export function kubeOvnReadiness(
  subnet: KubeOvnSubnet | undefined,
): { ready: boolean; message?: string } | undefined {
  const conditions = subnet?.status?.conditions ?? [];
  const ready = conditions.find((c) => c.type === 'Ready');
  if (ready?.status === 'True') return { ready: true };
  const error = conditions.find((c) => c.type === 'Error' && c.status === 'True');
  const validated = conditions.find((c) => c.type === 'Validated' && c.status === 'False');
  const failure = error ?? validated;
  if (failure) return { ready: false, message: failure.message || failure.reason || 'rejected by Kube-OVN' };
  return undefined;
}

export interface NetworkObservation {
  subnets: PrimarySubnets;
  kubeOvnSubnet?: KubeOvnSubnet;
  /** Whether the NAD and (if any) Kube-OVN Subnet were applied in this reconcile. */
  applied: boolean;
}

/** The Network's status fields other than conditions, and its Ready condition. */
export function networkStatus(network: NetworkObject, observation: NetworkObservation): StatusView {
  const { subnets, kubeOvnSubnet } = observation;
  const names = [subnets.v4, subnets.v6, ...subnets.extra]
    .filter((s): s is SubnetObject => s !== undefined)
    .map((s) => s.metadata.name!)
    .sort();
  const hasBlocks = subnets.v4 !== undefined || subnets.v6 !== undefined;
  const verdict = hasBlocks ? kubeOvnReadiness(kubeOvnSubnet) : { ready: true };
  const vpc = networkVpc(network);
  const status: Record<string, unknown> = {
    subnets: names,
    networkAttachmentDefinition: network.metadata.name,
    ...(vpc ? { vpc } : {}),
    ...(network.spec.mtu !== undefined ? { mtu: network.spec.mtu } : {}),
  };
  let ready: ConditionInput;
  if (verdict?.ready === false) {
    status.state = 'ERROR';
    ready = {
      type: 'Ready',
      status: 'False',
      reason: BACKEND_REJECTED,
      message: `Kube-OVN refused subnet ${kubeOvnSubnetName(network.metadata.namespace!, network.metadata.name!)}: ${verdict.message}`,
    };
  } else if (!verdict) {
    status.state = 'BUILD';
    ready = {
      type: 'Ready',
      status: 'False',
      reason: 'Provisioning',
      message: `waiting for Kube-OVN to report subnet ${kubeOvnSubnetName(network.metadata.namespace!, network.metadata.name!)} ready`,
    };
  } else {
    status.state = network.spec.adminStateUp ? 'ACTIVE' : 'DOWN';
    ready = {
      type: 'Ready',
      status: 'True',
      reason: 'Provisioned',
      message: hasBlocks
        ? `attachment ${network.metadata.name} and Kube-OVN subnet ${kubeOvnSubnetName(network.metadata.namespace!, network.metadata.name!)} are in place`
        : `attachment ${network.metadata.name} is in place; add a Subnet to give NICs addresses`,
    };
  }
  return { status, ready };
}

/** A Subnet's status fields other than conditions, and its Ready condition. */
export function subnetStatus(
  subnet: SubnetObject,
  network: NetworkObject | undefined,
  subnets: PrimarySubnets,
  kubeOvnSubnet: KubeOvnSubnet | undefined,
): StatusView {
  const name = subnet.metadata.name!;
  const namespace = subnet.metadata.namespace!;
  const gateway = subnetGateway(subnet);
  const base: Record<string, unknown> = { gatewayIP: gateway ?? '' };
  if (!network) {
    return {
      status: { ...base, state: 'BUILD' },
      ready: {
        type: 'Ready',
        status: 'False',
        reason: 'WaitingForNetwork',
        message: `network ${namespace}/${subnet.spec.network} not found`,
      },
    };
  }
  const family = subnet.spec.ipVersion === 6 ? 'v6' : 'v4';
  const primary = subnets[family];
  if (primary?.metadata.name !== name) {
    return {
      status: { ...base, state: 'ERROR' },
      ready: {
        type: 'Ready',
        status: 'False',
        reason: 'Unsupported',
        message: `network ${subnet.spec.network} already has the IPv${subnet.spec.ipVersion} subnet ${primary?.metadata.name}; Kube-OVN gives a network one IPv4 and one IPv6 block, so this subnet carries no addresses — delete it or use another network`,
      },
      // As specified it never carries addresses; the sibling's departure wakes it.
      terminal: true,
    };
  }
  const kubeOvnName = kubeOvnSubnetName(namespace, subnet.spec.network);
  const counts = kubeOvnSubnet?.status ?? {};
  const used = family === 'v4' ? counts.v4usingIPs : counts.v6usingIPs;
  const available = family === 'v4' ? counts.v4availableIPs : counts.v6availableIPs;
  const status: Record<string, unknown> = {
    ...base,
    kubeOvnSubnet: kubeOvnName,
    ...(typeof used === 'number' ? { usedIPs: used } : {}),
    ...(typeof available === 'number' ? { availableIPs: available } : {}),
  };
  const verdict = kubeOvnReadiness(kubeOvnSubnet);
  if (verdict?.ready) {
    return {
      status: { ...status, state: 'ACTIVE' },
      ready: {
        type: 'Ready',
        status: 'True',
        reason: 'Provisioned',
        message: `block of Kube-OVN subnet ${kubeOvnName}`,
      },
    };
  }
  if (verdict) {
    return {
      status: { ...status, state: 'ERROR' },
      ready: {
        type: 'Ready',
        status: 'False',
        reason: BACKEND_REJECTED,
        message: `Kube-OVN: ${verdict.message}`,
      },
    };
  }
  return {
    status: { ...status, state: 'BUILD' },
    ready: {
      type: 'Ready',
      status: 'False',
      reason: 'Provisioning',
      message: `waiting for Kube-OVN to report subnet ${kubeOvnName} ready`,
    },
  };
}

/**
 * The Network's status when Kube-OVN's admission refused its subnet (a new gateway while
 * addresses are in use, overlapping blocks): ERROR until the tenant acts, the other fields
 * as last written.
 */
export function networkRejectedStatus(network: NetworkObject, rejection: BackendRejection): StatusView {
  const { conditions: _conditions, observedGeneration: _generation, ...fields } = network.status ?? {};
  return {
    status: { ...fields, state: 'ERROR' },
    ready: { type: 'Ready', status: 'False', reason: rejection.reason, message: rejection.message },
  };
}
