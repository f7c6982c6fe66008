import { describe, expect, it } from 'vitest';
import { faultOf } from './test/fault.js';
import { filterServers, newestFirst } from './server-filters.js';
import { flavor, image, instance } from './test/objects.js';

const server = (
  name: string,
  created: string,
  extra: { flavor?: string; state?: 'ACTIVE'; ip?: string } = {},
) =>
  instance(
    { name, namespace: 'p1', uid: `uid-${name}`, creationTimestamp: new Date(created) },
    { displayName: name.toUpperCase(), flavor: extra.flavor ?? 'small', image: { name: 'cirros' } },
    {
      ...(extra.state ? { state: extra.state } : {}),
      ...(extra.ip
        ? { addresses: [{ network: { name: 'net' }, version: 4, address: extra.ip, type: 'fixed' }] }
        : {}),
    },
  );

const web = server('web', '2026-12-01T10:00:00Z', { state: 'ACTIVE', ip: '10.0.0.5' });
const db = server('db', '2026-12-02T10:00:00Z', { flavor: 'large', ip: '10.0.1.7' });
const lookup = {
  flavorById: (id: string) =>
    id === 'f-large' ? flavor({ name: 'large' }, { vcpus: 4, ramMiB: 8192, diskGiB: 40 }) : undefined,
  image: (name: string, ns: string) =>
    name === 'cirros' && ns === 'p1' ? image({ name, uid: 'i-1' }, {}) : undefined,
};
const names = (query: Record<string, unknown>) =>
  filterServers([db, web], query, lookup).map((s) => s.metadata.name);

describe('server filters', () => {
  it('list newest first', () => {
    expect([web, db].sort(newestFirst).map((s) => s.metadata.name)).toEqual(['db', 'web']);
  });

  it('match name and ip as regular expressions, status, flavor and image by id', () => {
    expect(names({})).toEqual(['db', 'web']);
    expect(names({ name: '^W' })).toEqual(['web']);
    expect(names({ ip: '10\\.0\\.1\\.' })).toEqual(['db']);
    expect(names({ status: 'build' })).toEqual(['db']);
    expect(names({ flavor: 'f-large' })).toEqual(['db']);
    expect(names({ flavor: 'small' })).toEqual(['web']);
    expect(names({ image: 'i-1' })).toEqual(['db', 'web']);
    expect(names({ image: 'i-2' })).toEqual([]);
    expect(names({ name: 'W', status: 'ACTIVE', unknown: 'x' })).toEqual(['web']);
  });

  it('refuse a malformed regular expression or timestamp with 400', () => {
    const fault = (query: Record<string, unknown>) => faultOf(() => names(query));
    expect(fault({ name: '(' })?.status).toBe(400);
    expect(fault({ 'changes-since': 'yesterday' })?.message).toMatch(/changes-since: not a timestamp/);
  });
});
