import { describe, expect, it } from 'vitest';
import { catalog } from './catalog.js';

describe('the catalog', () => {
  it('lists every service once, with public, internal and admin endpoints in the region', () => {
    const entries = catalog('https://cloud.example.com/', 'RegionOne');
    expect(entries.map((e) => [e.type, e.name])).toEqual([
      ['identity', 'keystone'],
      ['compute', 'nova'],
      ['image', 'glance'],
      ['network', 'neutron'],
    ]);
    const nova = entries.find((e) => e.type === 'compute')!;
    expect(nova.endpoints.map((e) => e.interface)).toEqual(['public', 'internal', 'admin']);
    expect(new Set(nova.endpoints.map((e) => e.url))).toEqual(
      new Set(['https://cloud.example.com/compute/v2.1']),
    );
    expect(nova.endpoints.every((e) => e.region === 'RegionOne' && e.region_id === 'RegionOne')).toBe(true);
    // Ids are stable across replicas and restarts.
    expect(catalog('https://cloud.example.com', 'RegionOne')).toEqual(entries);
  });
});
