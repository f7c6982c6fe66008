import { describe, expect, it } from 'vitest';
import { overlappingSubnets, subnetsHolding } from './subnet.js';

const subnet = (name: string, cidr: string) => ({ metadata: { name }, spec: { cidr } });

describe('overlappingSubnets', () => {
  const subnets = [subnet('a', '10.0.0.0/16'), subnet('b', '10.1.0.0/24'), subnet('c', 'fd00:10::/64')];

  it('finds every subnet sharing an address, in either direction', () => {
    expect(overlappingSubnets('10.0.5.0/24', subnets).map((s) => s.metadata.name)).toEqual(['a']);
    expect(overlappingSubnets('10.0.0.0/8', subnets).map((s) => s.metadata.name)).toEqual(['a', 'b']);
    expect(overlappingSubnets('fd00:10::/48', subnets).map((s) => s.metadata.name)).toEqual(['c']);
  });

  it('finds none for a disjoint block or one of the other family', () => {
    expect(overlappingSubnets('10.2.0.0/16', subnets)).toEqual([]);
    expect(overlappingSubnets('fd00:11::/64', subnets)).toEqual([]);
  });
});

describe('subnetsHolding', () => {
  it('finds the subnets whose CIDR holds an address', () => {
    const subnets = [subnet('v4', '192.168.5.0/24'), subnet('v6', 'fd00:10::/64')];
    expect(subnetsHolding('192.168.5.5', subnets).map((s) => s.metadata.name)).toEqual(['v4']);
    expect(subnetsHolding('fd00:10::5', subnets).map((s) => s.metadata.name)).toEqual(['v6']);
    expect(subnetsHolding('192.168.6.5', subnets)).toEqual([]);
  });
});
