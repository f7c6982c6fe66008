import { describe, expect, it } from 'vitest';
import { conditionOf, type KubeOvnCondition } from './common.js';
import {
  competingFip,
  eipNat,
  ipAddressesOf,
  nadNetwork,
  overlappingSubnet,
  portName,
  satisfies,
  securityGroupStatus,
  subnetDefaults,
  subnetStatus,
  vpcStatus,
  type FipRule,
  type Ip,
  type Nad,
  type SnatRule,
  type Subnet,
} from './kubeovn.js';

const subnet = (name: string, spec: Subnet['spec']): Subnet => ({ metadata: { name, generation: 1 }, spec });

describe('names and attachments', () => {
  it('names ports (and IP objects) as Kube-OVN does', () => {
    expect(portName('web', 'demo', 'ovn')).toBe('web.demo');
    expect(portName('web', 'demo', 'net1.demo.ovn')).toBe('web.demo.net1.demo.ovn');
  });

  it('derives the provider of a Kube-OVN NetworkAttachmentDefinition', () => {
    const nad = (config: string): Nad => ({
      metadata: { name: 'net1', namespace: 'demo' },
      spec: { config },
    });
    expect(nadNetwork(nad('{"type":"kube-ovn","provider":"net1.demo.ovn"}'))).toEqual({
      kind: 'kube-ovn',
      provider: 'net1.demo.ovn',
    });
    expect(nadNetwork(nad('{"cniVersion":"0.3.1","plugins":[{"type":"kube-ovn"}]}'))).toMatchObject({
      kind: 'kube-ovn',
    });
    expect(nadNetwork(nad('{"type":"macvlan"}'))).toEqual({ kind: 'other', type: 'macvlan' });
    expect(nadNetwork(nad('not json'))).toMatchObject({ kind: 'invalid' });
  });
});

describe('Subnet spec defaults (formatSubnet)', () => {
  it('fills in what Kube-OVN writes back', () => {
    expect(
      subnetDefaults(subnet('s', { cidrBlock: '10.0.0.5/24,fd00::1/64', provider: 'net1.demo.ovn' })),
    ).toEqual({
      cidrBlock: '10.0.0.0/24,fd00::/64',
      gateway: '10.0.0.1,fd00::1',
      excludeIps: ['10.0.0.1', 'fd00::1'],
      protocol: 'Dual',
      vpc: 'ovn-cluster',
      gatewayType: 'distributed',
    });
  });

  it('adds the gateway to given excludeIps unless a range covers it, and changes nothing twice', () => {
    const spec = {
      cidrBlock: '10.0.0.0/24',
      provider: 'p.ns.ovn',
      vpc: 'v',
      protocol: 'IPv4',
      gateway: '10.0.0.1',
    };
    expect(subnetDefaults(subnet('s', { ...spec, excludeIps: ['10.0.0.200..10.0.0.250'] }))).toEqual({
      excludeIps: ['10.0.0.1', '10.0.0.200..10.0.0.250'],
    });
    expect(subnetDefaults(subnet('s', { ...spec, excludeIps: ['10.0.0.1..10.0.0.9'] }))).toEqual({});
    expect(subnetDefaults(subnet('s', { ...spec, excludeIps: ['10.0.0.1'] }))).toEqual({});
  });

  it('completes a dual-stack gateway and refuses a bad CIDR', () => {
    expect(
      subnetDefaults(
        subnet('s', { cidrBlock: '10.0.0.0/24,fd00::/64', gateway: '10.0.0.254', vpc: 'v', provider: 'x' }),
      ),
    ).toMatchObject({
      gateway: '10.0.0.254,fd00::1',
    });
    expect(subnetDefaults(subnet('s', { cidrBlock: '10.0.0.0/99' }))).toBeUndefined();
  });
});

describe('Subnet status', () => {
  const s = subnet('s', {
    cidrBlock: '10.0.0.0/24',
    gateway: '10.0.0.1',
    excludeIps: ['10.0.0.1'],
    vpc: 'v',
  });

  it('counts addresses and sets Validated and Ready', () => {
    const status = subnetStatus(s, { valid: true, vpcExists: true, used: ['10.0.0.2', '10.0.0.3'] }, 't');
    expect(status).toMatchObject({
      v4usingIPs: 2,
      v4availableIPs: 251,
      v4usingIPrange: '10.0.0.2-10.0.0.3',
      v6availableIPs: 0,
    });
    const conditions = status.conditions as KubeOvnCondition[];
    expect(conditionOf(conditions, 'Validated')).toMatchObject({
      status: 'True',
      reason: 'ValidateLogicalSwitchSuccess',
    });
    expect(conditionOf(conditions, 'Ready')).toMatchObject({
      status: 'True',
      reason: 'ResetLogicalSwitchAclSuccess',
    });
  });

  it('is not ready without its VPC, and not valid when it overlaps', () => {
    const noVpc = subnetStatus(s, { valid: true, vpcExists: false, used: [] }, 't');
    expect(conditionOf(noVpc.conditions as KubeOvnCondition[], 'Ready')).toMatchObject({
      status: 'False',
      reason: 'VpcNotFound',
    });
    const invalid = subnetStatus(
      s,
      { valid: false, invalidMessage: 'overlap', vpcExists: true, used: [] },
      't',
    );
    expect(conditionOf(invalid.conditions as KubeOvnCondition[], 'Validated')).toMatchObject({
      status: 'False',
      message: 'overlap',
    });
  });

  it('refuses the newer of two overlapping subnets in the same VPC', () => {
    const at = (name: string, spec: Subnet['spec'], created: string): Subnet => ({
      metadata: { name, creationTimestamp: new Date(created) },
      spec,
    });
    const a = at('a', { cidrBlock: '10.0.0.0/24', vpc: 'v' }, '2024-01-01T00:00:00Z');
    const b = at('b', { cidrBlock: '10.0.0.128/25', vpc: 'v' }, '2024-01-02T00:00:00Z');
    const c = at('c', { cidrBlock: '10.0.0.0/24', vpc: 'other' }, '2024-01-03T00:00:00Z');
    const d = at('d', { cidrBlock: '10.0.1.0/24', vpc: 'v' }, '2024-01-04T00:00:00Z');
    const all = [a, b, c, d];
    expect(overlappingSubnet(b, all)?.metadata.name).toBe('a');
    expect(overlappingSubnet(a, all)).toBeUndefined();
    expect(overlappingSubnet(d, all)).toBeUndefined();
    expect(overlappingSubnet(c, all)).toBeUndefined();
    // Created in the same second: the one already validated was there first.
    const validated = {
      conditions: [
        { type: 'Validated', status: 'True' as const, lastUpdateTime: 't', lastTransitionTime: 't' },
      ],
    };
    const x = {
      ...at('x', { cidrBlock: '10.9.0.0/24', vpc: 'v' }, '2024-01-05T00:00:00Z'),
      status: validated,
    };
    const w = at('w', { cidrBlock: '10.9.0.0/25', vpc: 'v' }, '2024-01-05T00:00:00Z');
    expect(overlappingSubnet(w, [x, w])?.metadata.name).toBe('x');
    expect(overlappingSubnet(x, [x, w])).toBeUndefined();
  });
});

describe('Vpc, security groups, NAT', () => {
  it('lists a VPC’s subnets', () => {
    const subnets = [
      subnet('b', { vpc: 'v' }),
      subnet('a', { vpc: 'v' }),
      subnet('x', { vpc: 'w' }),
      subnet('ovn-default', {}),
    ];
    expect(vpcStatus({ metadata: { name: 'v' }, spec: {} }, subnets)).toEqual({
      standby: true,
      default: false,
      router: 'v',
      subnets: ['a', 'b'],
      defaultLogicalSwitch: '',
      enableExternal: false,
      enableBfd: false,
    });
    expect(vpcStatus({ metadata: { name: 'ovn-cluster' }, spec: {} }, subnets)).toMatchObject({
      default: true,
      subnets: ['ovn-default'],
      defaultLogicalSwitch: 'ovn-default',
    });
  });

  it('gives a security group its port group and rule digests', () => {
    const status = securityGroupStatus({
      metadata: { name: 'web-sg' },
      spec: { ingressRules: [{ protocol: 'tcp' }] },
    });
    expect(status).toMatchObject({
      portGroup: 'ovn.sg.web.sg',
      allowSameGroupTraffic: false,
      ingressLastSyncSuccess: true,
    });
    expect(status.ingressMd5).toMatch(/^[0-9a-f]{32}$/);
    expect(status.ingressMd5).not.toBe(status.egressMd5);
  });

  it('lists the NAT kinds using an EIP, and lets only the oldest FIP have it', () => {
    const fip = (name: string, created: string): FipRule => ({
      metadata: { name, creationTimestamp: new Date(created) },
      spec: { eip: 'e' },
    });
    const snat: SnatRule = { metadata: { name: 's' }, spec: { eip: 'e' } };
    const [a, b] = [fip('a', '2024-01-01T00:00:00Z'), fip('b', '2024-01-02T00:00:00Z')];
    expect(eipNat('e', [a], [snat])).toBe('fip,snat');
    expect(eipNat('e', [], [snat])).toBe('snat');
    expect(eipNat('other', [a], [snat])).toBe('');
    expect(competingFip(b, [a, b])?.metadata.name).toBe('a');
    expect(competingFip(a, [a, b])).toBeUndefined();
  });
});

describe('IP objects', () => {
  it('reads addresses canonically, in family order', () => {
    const ip: Ip = { metadata: { name: 'x' }, spec: { ipAddress: 'FD00::5,10.0.0.5' } };
    expect(ipAddressesOf(ip)).toEqual(['10.0.0.5', 'fd00::5']);
    expect(ipAddressesOf({ metadata: { name: 'y' }, spec: { v4IpAddress: '10.0.0.6' } })).toEqual([
      '10.0.0.6',
    ]);
  });

  it('checks a request against what an IP holds', () => {
    expect(satisfies(['10.0.0.5', 'fd00::5'], undefined)).toBe(true);
    expect(satisfies(['10.0.0.5', 'fd00::5'], 'fd00:0::5')).toBe(true);
    expect(satisfies(['10.0.0.5'], '10.0.0.6')).toBe(false);
  });
});
