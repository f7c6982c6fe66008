// Neutron's subnet rules, for every component that applies them: which Subnets a Network's
// Kube-OVN logical switch carries and the gateway a Subnet reports (the operator and the
// OpenStack API), which CIDRs overlap and which subnets hold an address (admission).
import type { SubnetObject } from '../kinds/subnet.js';
import { canonicalIP, cidrContains, cidrsOverlap, firstHost, parseCidr } from './address.js';

export interface PrimarySubnets {
  v4?: SubnetObject;
  v6?: SubnetObject;
  /** Subnets of a family the network already has: Kube-OVN cannot carry them. */
  extra: SubnetObject[];
}

function byAge(a: SubnetObject, b: SubnetObject): number {
  const ta = a.metadata.creationTimestamp ? String(a.metadata.creationTimestamp) : '';
  const tb = b.metadata.creationTimestamp ? String(b.metadata.creationTimestamp) : '';
  // RFC 3339 timestamps of one apiserver sort as strings; the name breaks ties.
  return ta < tb ? -1 : ta > tb ? 1 : (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/** The Subnets of `network`, split into the one IPv4 and one IPv6 block Kube-OVN carries. */
export function primarySubnets(network: string, subnets: readonly SubnetObject[]): PrimarySubnets {
  const result: PrimarySubnets = { extra: [] };
  const mine = subnets.filter((s) => s.spec.network === network && !s.metadata.deletionTimestamp);
  for (const subnet of [...mine].sort(byAge)) {
    const family = subnet.spec.ipVersion === 6 ? 'v6' : 'v4';
    if (result[family]) result.extra.push(subnet);
    else result[family] = subnet;
  }
  return result;
}

/** The gateway Neutron reports: gatewayIP, the first host by default, none when disabled. */
export function subnetGateway(subnet: SubnetObject): string | undefined {
  if (subnet.spec.disableGateway) return undefined;
  if (subnet.spec.gatewayIP) return canonicalIP(subnet.spec.gatewayIP);
  const cidr = parseCidr(subnet.spec.cidr);
  return cidr ? firstHost(cidr) : undefined;
}

/**
 * The subnets whose CIDR shares an address with `cidr`. Neutron refuses overlapping CIDRs
 * on one router domain; in Stratus every subnet of a project is routed by the project's one
 * Kube-OVN Vpc, so none of a project's subnets may overlap.
 */
export function overlappingSubnets<S extends { spec: { cidr: string } }>(
  cidr: string,
  subnets: readonly S[],
): S[] {
  return subnets.filter((subnet) => subnet.spec?.cidr !== undefined && cidrsOverlap(cidr, subnet.spec.cidr));
}

/** The subnets whose CIDR holds `ip` (a fixed IP must lie in a subnet of its network). */
export function subnetsHolding<S extends { spec: { cidr: string } }>(ip: string, subnets: readonly S[]): S[] {
  return subnets.filter((subnet) => cidrContains(subnet.spec?.cidr ?? '', ip));
}
