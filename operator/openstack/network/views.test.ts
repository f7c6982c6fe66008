import { describe, expect, it } from 'vitest';
import type { NetworkObject } from '../../kinds/network.js';
import type { SubnetObject } from '../../kinds/subnet.js';
import { defaultPools, networkView, subnetView, type NeutronLookup } from './views.js';

const lookup: NeutronLookup = {
  projectId: (namespace) => ({ 'proj-a': 'uid-proj-a' })[namespace] ?? namespace,
  subnetIds: (network) => (network.metadata.name === 'net' ? ['uid-sub'] : []),
  networkId: (namespace, name) => (namespace === 'proj-a' && name === 'net' ? 'uid-net' : undefined),
};

const network: NetworkObject = {
  apiVersion: 'stratus.dev/v1alpha1',
  kind: 'Network',
  metadata: {
    name: 'net',
    namespace: 'proj-a',
    uid: 'uid-net',
    generation: 3,
    creationTimestamp: '2026-01-02T03:04:05.678Z' as never,
  },
  spec: {
    displayName: 'net one',
    adminStateUp: true,
    shared: false,
    external: false,
    portSecurityEnabled: true,
  },
  status: {
    state: 'ACTIVE',
    mtu: 1400,
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'Ready',
        message: '',
        lastTransitionTime: '2026-01-02T03:05:00Z',
      },
    ],
  } as never,
};

const subnet: SubnetObject = {
  apiVersion: 'stratus.dev/v1alpha1',
  kind: 'Subnet',
  metadata: {
    name: 'sub',
    namespace: 'proj-a',
    uid: 'uid-sub',
    creationTimestamp: '2026-01-02T03:04:05Z' as never,
  },
  spec: { network: 'net', ipVersion: 4, cidr: '10.9.8.7/24', disableGateway: false, enableDHCP: true },
};

describe('the Neutron network view', () => {
  it('shows the network with its project, subnets and state', () => {
    expect(networkView(network, lookup)).toEqual({
      id: 'uid-net',
      name: 'net one',
      description: '',
      tenant_id: 'uid-proj-a',
      project_id: 'uid-proj-a',
      admin_state_up: true,
      status: 'ACTIVE',
      subnets: ['uid-sub'],
      shared: false,
      'router:external': false,
      mtu: 1400,
      port_security_enabled: true,
      availability_zone_hints: [],
      availability_zones: [],
      ipv4_address_scope: null,
      ipv6_address_scope: null,
      is_default: false,
      tags: [],
      created_at: '2026-01-02T03:04:05Z',
      updated_at: '2026-01-02T03:05:00Z',
      revision_number: 3,
    });
  });

  it('is BUILD before the operator reports, named by the object, with provider attributes when set', () => {
    const view = networkView(
      {
        ...network,
        metadata: { ...network.metadata, namespace: 'stratus-public', generation: undefined },
        spec: {
          ...network.spec,
          displayName: undefined,
          provider: { networkType: 'vlan', physicalNetwork: 'phys' },
        },
        status: undefined,
      },
      lookup,
    );
    expect(view).toMatchObject({
      name: 'net',
      status: 'BUILD',
      mtu: 1442,
      project_id: 'stratus-public',
      revision_number: 1,
      'provider:network_type': 'vlan',
      'provider:physical_network': 'phys',
      'provider:segmentation_id': null,
    });
  });
});

describe('the Neutron subnet view', () => {
  it('shows the canonical CIDR, the derived gateway and the default pools', () => {
    expect(subnetView(subnet, lookup)).toMatchObject({
      id: 'uid-sub',
      name: 'sub',
      network_id: 'uid-net',
      project_id: 'uid-proj-a',
      ip_version: 4,
      cidr: '10.9.8.0/24',
      gateway_ip: '10.9.8.1',
      enable_dhcp: true,
      allocation_pools: [{ start: '10.9.8.2', end: '10.9.8.254' }],
      dns_nameservers: [],
      host_routes: [],
      ipv6_address_mode: null,
      tags: [],
    });
  });

  it('has no gateway when disabled, and names its network when the network is not known', () => {
    const view = subnetView(
      {
        ...subnet,
        metadata: { ...subnet.metadata, namespace: 'proj-b' },
        spec: { ...subnet.spec, disableGateway: true },
      },
      lookup,
    );
    expect(view.gateway_ip).toBeNull();
    expect(view.network_id).toBe('net');
    expect(view.allocation_pools).toEqual([{ start: '10.9.8.1', end: '10.9.8.254' }]);
  });
});

describe("Neutron's default allocation pools", () => {
  it('are the host addresses without the gateway', () => {
    expect(defaultPools('10.0.0.0/24', '10.0.0.1')).toEqual([{ start: '10.0.0.2', end: '10.0.0.254' }]);
    expect(defaultPools('10.0.0.0/24', '10.0.0.100')).toEqual([
      { start: '10.0.0.1', end: '10.0.0.99' },
      { start: '10.0.0.101', end: '10.0.0.254' },
    ]);
    expect(defaultPools('10.0.0.0/24', undefined)).toEqual([{ start: '10.0.0.1', end: '10.0.0.254' }]);
    expect(defaultPools('fd00::/64', 'fd00::1')).toEqual([
      { start: 'fd00::2', end: 'fd00::ffff:ffff:ffff:ffff' },
    ]);
  });
});
