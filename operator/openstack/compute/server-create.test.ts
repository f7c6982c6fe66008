import { describe, expect, it } from 'vitest';
import { faultOf } from './test/fault.js';
import type { References } from './lookup.js';
import { resolveNics, resolveSecurityGroups } from './server-create.js';
import { network, port, securityGroup } from './test/objects.js';

const own = network({ name: 'private', namespace: 'p1', uid: 'n-own' }, {});
const shared = network({ name: 'public', namespace: 'stratus-public', uid: 'n-shared' }, { external: true });
const nic = port({ name: 'nic-1', namespace: 'p1', uid: 'port-1' }, { network: { name: 'private' } });
const web = securityGroup({ name: 'web-x1', namespace: 'p1', uid: 'sg-1' }, { displayName: 'web' });
const ssh = securityGroup({ name: 'ssh', namespace: 'p1', uid: 'sg-2' }, {});

/** What project p1 sees; the lists for "auto" are given per test. */
const refs = (projectNetworks = [own]): References => ({
  publicFlavors: () => [],
  flavorById: () => undefined,
  image: () => undefined,
  network: (id, project) => [own, shared].find((n) => n.metadata.uid === id && project === 'p1'),
  port: (id, project) => (id === 'port-1' && project === 'p1' ? nic : undefined),
  projectNetworks: () => projectNetworks,
  securityGroups: () => [web, ssh],
});

describe('server create references', () => {
  it('turn networks and ports into NICs, shared networks with their namespace', () => {
    expect(
      resolveNics(refs(), 'p1', [
        { uuid: 'n-own', fixed_ip: '10.0.0.9' },
        { uuid: 'n-shared' },
        { port: 'port-1' },
      ]),
    ).toEqual([
      { network: { name: 'private' }, fixedIPs: ['10.0.0.9'] },
      { network: { name: 'public', namespace: 'stratus-public' } },
      { port: 'nic-1' },
    ]);
  });

  it('give "auto" the project’s one network, none for "none", and refuse an ambiguous auto', () => {
    expect(resolveNics(refs(), 'p1', undefined)).toEqual([{ network: { name: 'private' } }]);
    expect(resolveNics(refs(), 'p1', 'auto')).toEqual([{ network: { name: 'private' } }]);
    expect(resolveNics(refs([]), 'p1', 'auto')).toEqual([]);
    expect(resolveNics(refs(), 'p1', 'none')).toEqual([]);
    expect(faultOf(() => resolveNics(refs([own, own]), 'p1', 'auto'))?.status).toBe(409);
  });

  it('refuse what the project cannot see with 400 naming it', () => {
    expect(faultOf(() => resolveNics(refs(), 'p2', [{ uuid: 'n-own' }]))?.message).toBe(
      'Network n-own could not be found.',
    );
    expect(faultOf(() => resolveNics(refs(), 'p1', [{ port: 'port-2' }]))?.type).toBe('PortNotFound');
    expect(faultOf(() => resolveNics(refs(), 'p1', [{ tag: 'x' }]))?.message).toMatch(
      /networks\[0\]: give a uuid or a port/,
    );
  });

  it('find security groups by id, display name or object name', () => {
    const project = { namespace: 'p1', id: 'p-1' };
    expect(
      resolveSecurityGroups(refs(), project, [{ name: 'sg-2' }, { name: 'web' }, { name: 'web-x1' }]),
    ).toEqual(['ssh', 'web-x1', 'web-x1']);
    expect(resolveSecurityGroups(refs(), project, [])).toBeUndefined();
    expect(faultOf(() => resolveSecurityGroups(refs(), project, [{ name: 'db' }]))?.message).toBe(
      'Security group db not found for project p-1.',
    );
  });
});
