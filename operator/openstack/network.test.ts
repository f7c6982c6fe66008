import { describe, expect, it } from 'vitest';
import { defaultPools } from './network.js';

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
