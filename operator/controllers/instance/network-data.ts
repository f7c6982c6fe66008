// The guest's network configuration in the two formats cloud-init reads: OpenStack's
// network_data.json (config drive) and netplan-style v2 (NoCloud). Pure; the NICs were
// resolved beforehand (resolve.ts), with their MACs chosen so the files can name them.
import { cidrContains, netmask, parseCidr } from '../../domain/address.js';
import type { ResolvedNic, ResolvedSubnet } from './desired.js';

function fixedIPFor(nic: ResolvedNic, subnet: ResolvedSubnet): string | undefined {
  return nic.fixedIPs.find((ip) => cidrContains(subnet.cidr, ip));
}

function ipv6DynamicType(subnet: ResolvedSubnet): string {
  switch (subnet.ipv6AddressMode) {
    case 'slaac':
      return 'ipv6_slaac';
    case 'dhcpv6-stateless':
      return 'ipv6_dhcpv6-stateless';
    default:
      return 'ipv6_dhcpv6-stateful';
  }
}

/**
 * network_data.json in OpenStack's format (nova/virt/netutils.py get_network_metadata), so
 * cloud-init's ConfigDrive source configures the NICs by MAC. A requested fixed IP is
 * configured statically (Nova's `ipv4`/`ipv6` entries with routes and DNS); an address
 * Kube-OVN allocates when the VM starts cannot be known now, so those blocks are DHCP /
 * router-advertisement entries that OVN's DHCP answers with the allocated address. A block
 * without DHCP and without a fixed IP gets no entry (the NIC is up, unaddressed).
 */
export function networkData(nics: readonly ResolvedNic[]): Record<string, unknown> {
  const links: Array<Record<string, unknown>> = [];
  const networks: Array<Record<string, unknown>> = [];
  const services: Array<{ type: 'dns'; address: string }> = [];
  for (const nic of nics) {
    const link = `tap${nic.id.slice(0, 11)}`;
    links.push({
      id: link,
      vif_id: nic.id,
      type: 'ovs',
      ethernet_mac_address: nic.mac,
      ...(nic.network.mtu !== undefined ? { mtu: nic.network.mtu } : {}),
    });
    for (const subnet of nic.subnets) {
      const id = `network${networks.length}`;
      const dns = subnet.dns.map((address) => ({ type: 'dns' as const, address }));
      for (const service of dns) {
        if (!services.some((s) => s.address === service.address)) services.push(service);
      }
      const fixed = fixedIPFor(nic, subnet);
      const cidr = parseCidr(subnet.cidr);
      if (fixed && cidr) {
        const any = subnet.version === 4 ? '0.0.0.0' : '::';
        const routes = [
          ...(subnet.gateway ? [{ network: any, netmask: any, gateway: subnet.gateway }] : []),
          ...subnet.hostRoutes.flatMap((r) => {
            const destination = parseCidr(r.destination);
            return destination
              ? [{ network: r.destination.split('/')[0], netmask: netmask(destination), gateway: r.nexthop }]
              : [];
          }),
        ];
        networks.push({
          id,
          type: `ipv${subnet.version}`,
          link,
          ip_address: fixed,
          netmask: netmask(cidr),
          routes,
          network_id: nic.network.uid,
          services: dns,
        });
      } else if (subnet.enableDHCP) {
        networks.push({
          id,
          type: subnet.version === 4 ? 'ipv4_dhcp' : ipv6DynamicType(subnet),
          link,
          network_id: nic.network.uid,
        });
      }
    }
  }
  return { links, networks, services };
}

/**
 * The same configuration as cloud-init network config version 2, for instances without a
 * config drive (NoCloud reads netplan-style config, not OpenStack's JSON).
 */
export function networkConfigV2(nics: readonly ResolvedNic[]): Record<string, unknown> {
  const ethernets: Record<string, unknown> = {};
  for (const nic of nics) {
    const entry: Record<string, unknown> = { match: { macaddress: nic.mac }, dhcp4: false, dhcp6: false };
    const addresses: string[] = [];
    const routes: Array<Record<string, string>> = [];
    const dns: string[] = [];
    for (const subnet of nic.subnets) {
      dns.push(...subnet.dns.filter((d) => !dns.includes(d)));
      const fixed = fixedIPFor(nic, subnet);
      const cidr = parseCidr(subnet.cidr);
      if (fixed && cidr) {
        addresses.push(`${fixed}/${cidr.prefix}`);
        if (subnet.gateway)
          routes.push({ to: subnet.version === 4 ? '0.0.0.0/0' : '::/0', via: subnet.gateway });
        for (const r of subnet.hostRoutes) routes.push({ to: r.destination, via: r.nexthop });
      } else if (subnet.enableDHCP) {
        if (subnet.version === 4) entry.dhcp4 = true;
        else if (subnet.ipv6AddressMode === 'slaac') entry['accept-ra'] = true;
        else entry.dhcp6 = true;
      }
    }
    if (addresses.length > 0) entry.addresses = addresses;
    if (routes.length > 0) entry.routes = routes;
    if (dns.length > 0) entry.nameservers = { addresses: dns };
    if (nic.network.mtu !== undefined) entry.mtu = nic.network.mtu;
    ethernets[nic.name] = entry;
  }
  return { version: 2, ethernets };
}
