import { describe, expect, it } from 'vitest';
import type { NetworkObject } from '../../kinds/network.js';
import type { SubnetObject } from '../../kinds/subnet.js';
import type { KubeOvnSubnet } from '../engines.js';
import {
  desiredKubeOvnSubnet,
  desiredNetworkAttachmentDefinition,
  dhcpV4Options,
  networkStatus,
  subnetStatus,
} from './desired.js';
import { primarySubnets, subnetGateway } from '../../domain/subnet.js';

function network(
  spec: Partial<NetworkObject['spec']> = {},
  name = 'net1',
  namespace = 'demo',
): NetworkObject {
  return {
    apiVersion: 'stratus.dev/v1alpha1',
    kind: 'Network',
    metadata: { name, namespace, uid: 'net-uid', generation: 1 },
    spec: { adminStateUp: true, shared: false, external: false, portSecurityEnabled: true, ...spec },
  };
}

function subnet(
  name: string,
  spec: Partial<SubnetObject['spec']> & { cidr: string },
  created = '2025-01-01T00:00:00Z',
): SubnetObject {
  return {
    apiVersion: 'stratus.dev/v1alpha1',
    kind: 'Subnet',
    metadata: { name, namespace: 'demo', uid: `${name}-uid`, creationTimestamp: created as unknown as Date },
    spec: { network: 'net1', ipVersion: 4, disableGateway: false, enableDHCP: true, ...spec },
  };
}

const v4 = subnet('v4', {
  cidr: '10.0.0.0/24',
  allocationPools: [{ start: '10.0.0.10', end: '10.0.0.200' }],
  dnsNameservers: ['8.8.8.8', '1.1.1.1'],
});
const v6 = subnet('v6', {
  cidr: 'FD00:10::/64',
  ipVersion: 6,
  ipv6AddressMode: 'slaac',
  ipv6RAMode: 'slaac',
  dnsNameservers: ['2001:4860:4860::8888'],
});

describe('primarySubnets', () => {
  it('takes the oldest subnet of each family and reports the rest as extra', () => {
    const later = subnet('v4-later', { cidr: '10.1.0.0/24' }, '2025-02-01T00:00:00Z');
    const other = { ...subnet('elsewhere', { cidr: '10.9.0.0/24' }), spec: { ...v4.spec, network: 'net2' } };
    const result = primarySubnets('net1', [later, v6, v4, other]);
    expect(result.v4?.metadata.name).toBe('v4');
    expect(result.v6?.metadata.name).toBe('v6');
    expect(result.extra.map((s) => s.metadata.name)).toEqual(['v4-later']);
  });
});

describe('desiredKubeOvnSubnet', () => {
  it('is one dual-stack Kube-OVN Subnet in the project Vpc, in the form Kube-OVN keeps', () => {
    const kovn = desiredKubeOvnSubnet(network(), primarySubnets('net1', [v4, v6]))!;
    expect(kovn.apiVersion).toBe('kubeovn.io/v1');
    expect(kovn.kind).toBe('Subnet');
    expect(kovn.metadata).toEqual({
      name: 'demo.net1',
      labels: {
        'app.kubernetes.io/managed-by': 'stratus-operator',
        'stratus.dev/project': 'demo',
        'stratus.dev/network': 'net1',
        'stratus.dev/network-namespace': 'demo',
      },
    });
    expect(kovn.spec).toEqual({
      vpc: 'stratus-demo',
      protocol: 'Dual',
      cidrBlock: '10.0.0.0/24,fd00:10::/64',
      gateway: '10.0.0.1,fd00:10::1',
      excludeIps: ['10.0.0.1..10.0.0.9', '10.0.0.201..10.0.0.254', 'fd00:10::1'],
      provider: 'net1.demo.ovn',
      gatewayType: 'distributed',
      disableGatewayCheck: true,
      enableDHCP: true,
      dhcpV4Options: 'dns_server={8.8.8.8,1.1.1.1}',
      dhcpV6Options: 'dns_server={2001:4860:4860::8888}',
      enableIPv6RA: true,
      ipv6RAConfigs: 'address_mode=slaac,max_interval=30,min_interval=5,send_periodic=true',
    });
  });

  it('is single-stack with one family, carries the MTU, and is absent without subnets', () => {
    const kovn = desiredKubeOvnSubnet(network({ mtu: 1400 }), primarySubnets('net1', [v4]))!;
    expect(kovn.spec.protocol).toBe('IPv4');
    expect(kovn.spec.cidrBlock).toBe('10.0.0.0/24');
    expect(kovn.spec.mtu).toBe(1400);
    expect(kovn.spec.dhcpV6Options).toBeUndefined();
    expect(desiredKubeOvnSubnet(network(), primarySubnets('net1', []))).toBeUndefined();
  });

  it('places external networks in Kube-OVN’s default Vpc', () => {
    const kovn = desiredKubeOvnSubnet(network({ external: true }, 'ext', 'stratus-public'), {
      v4: {
        ...v4,
        metadata: { ...v4.metadata, namespace: 'stratus-public' },
        spec: { ...v4.spec, network: 'ext' },
      },
      extra: [],
    })!;
    expect(kovn.metadata.name).toBe('stratus-public.ext');
    expect(kovn.spec.vpc).toBeUndefined();
    expect(kovn.spec.provider).toBe('ext.stratus-public.ovn');
  });
});

describe('DHCP and gateways', () => {
  it('lists host routes with the default route, as RFC 3442 clients need', () => {
    const s = subnet('r', {
      cidr: '10.0.0.0/24',
      gatewayIP: '10.0.0.254',
      hostRoutes: [{ destination: '192.168.0.0/16', nexthop: '10.0.0.5' }],
    });
    expect(dhcpV4Options(s)).toBe('classless_static_route={192.168.0.0/16,10.0.0.5, 0.0.0.0/0,10.0.0.254}');
    expect(subnetGateway(s)).toBe('10.0.0.254');
    expect(subnetGateway(subnet('n', { cidr: '10.0.0.0/24', disableGateway: true }))).toBeUndefined();
    expect(dhcpV4Options(subnet('plain', { cidr: '10.0.0.0/24' }))).toBeUndefined();
  });
});

describe('desiredNetworkAttachmentDefinition', () => {
  it('is a kube-ovn attachment with the network’s provider, owned by the network', () => {
    const nad = desiredNetworkAttachmentDefinition(network());
    expect(nad.metadata.name).toBe('net1');
    expect(nad.metadata.namespace).toBe('demo');
    expect(nad.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'stratus.dev/v1alpha1',
        kind: 'Network',
        name: 'net1',
        uid: 'net-uid',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(JSON.parse(nad.spec.config)).toEqual({
      cniVersion: '0.3.1',
      type: 'kube-ovn',
      server_socket: '/run/openvswitch/kube-ovn-daemon.sock',
      provider: 'net1.demo.ovn',
    });
  });
});

describe('statuses', () => {
  const ready: KubeOvnSubnet = {
    spec: {} as KubeOvnSubnet['spec'],
    status: { conditions: [{ type: 'Ready', status: 'True' }], v4usingIPs: 3, v4availableIPs: 188 },
  };
  it('reports the network ACTIVE once Kube-OVN says its subnet is ready', () => {
    const subnets = primarySubnets('net1', [v4]);
    expect(networkStatus(network(), { subnets, applied: true }).ready.reason).toBe('Provisioning');
    const { status, ready: condition } = networkStatus(network(), {
      subnets,
      kubeOvnSubnet: ready,
      applied: true,
    });
    expect(condition.status).toBe('True');
    expect(status).toMatchObject({
      state: 'ACTIVE',
      subnets: ['v4'],
      networkAttachmentDefinition: 'net1',
      vpc: 'stratus-demo',
    });
  });

  it('reports a subnet’s block, counts and gateway, and refuses a second block of a family', () => {
    const later = subnet('v4-later', { cidr: '10.1.0.0/24' }, '2025-02-01T00:00:00Z');
    const subnets = primarySubnets('net1', [v4, later]);
    const first = subnetStatus(v4, network(), subnets, ready);
    expect(first.status).toEqual({
      gatewayIP: '10.0.0.1',
      kubeOvnSubnet: 'demo.net1',
      usedIPs: 3,
      availableIPs: 188,
      state: 'ACTIVE',
    });
    const second = subnetStatus(later, network(), subnets, ready);
    expect(second.ready).toMatchObject({ status: 'False', reason: 'Unsupported' });
    expect(second.terminal).toBe(true);
    expect(subnetStatus(v4, undefined, subnets, undefined).ready.reason).toBe('WaitingForNetwork');
  });
});
