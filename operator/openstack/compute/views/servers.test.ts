import { describe, expect, it } from 'vitest';
import type { ComputeLookup } from './lookup.js';
import { serverCreated, serverDetail, serverSummary } from './servers.js';
import { flavor, image, instance, keyPair, network, securityGroup } from '../test/objects.js';

const base = 'https://cloud';

const spec = {
  displayName: 'Web 1',
  flavor: 'm1-small',
  image: { name: 'cirros', namespace: 'stratus-public' },
  keyName: 'my-key',
  securityGroups: ['web', 'gone'],
  metadata: { role: 'web' },
};
const metadata = {
  name: 'web-1',
  namespace: 'p1',
  uid: 's-1',
  creationTimestamp: new Date('2026-12-01T10:00:00Z'),
};
const web = instance(metadata, spec, {
  state: 'ACTIVE',
  powerState: 'RUNNING',
  launchedAt: '2026-12-01T10:01:02Z',
  addresses: [
    {
      network: { name: 'net' },
      version: 4,
      address: '10.0.0.5',
      macAddress: 'AA:BB:CC:00:00:01',
      type: 'fixed',
    },
    {
      network: { name: 'ext', namespace: 'stratus-public' },
      version: 4,
      address: '203.0.113.9',
      type: 'floating',
    },
  ],
  volumesAttached: [{ volume: 'data' }],
});

/** Only what the lookup is asked for exists; everything else is missing. */
const lookup: ComputeLookup = {
  creatorId: () => 'u-alice',
  flavor: (name) =>
    name === 'm1-small' ? flavor({ name, uid: 'f-1' }, { vcpus: 1, ramMiB: 512, diskGiB: 1 }) : undefined,
  image: (name, ns) =>
    name === 'cirros' && ns === 'stratus-public' ? image({ name, uid: 'i-1' }, {}) : undefined,
  network: (name, ns) =>
    name === 'net' && ns === 'p1' ? network({ name }, { displayName: 'private' }) : undefined,
  keyPair: (name, ns) =>
    name === 'my-key' && ns === 'p1' ? keyPair({ name }, { displayName: 'my key' }) : undefined,
  securityGroup: (name, ns) =>
    name === 'web' && ns === 'p1' ? securityGroup({ name }, { displayName: 'Web' }) : undefined,
};

describe('server views', () => {
  it('show id, name and links in a summary', () => {
    expect(serverSummary(web, base)).toEqual({
      id: 's-1',
      name: 'Web 1',
      links: [
        { rel: 'self', href: 'https://cloud/compute/v2.1/servers/s-1' },
        { rel: 'bookmark', href: 'https://cloud/compute/servers/s-1' },
      ],
    });
  });

  it('name references by id and display name through the lookup', () => {
    const detail = serverDetail(web, base, 'p-1', lookup);
    expect(detail).toMatchObject({
      status: 'ACTIVE',
      tenant_id: 'p-1',
      user_id: 'u-alice',
      metadata: { role: 'web' },
      image: { id: 'i-1', links: [{ rel: 'bookmark', href: 'https://cloud/compute/images/i-1' }] },
      flavor: { id: 'f-1', links: [{ rel: 'bookmark', href: 'https://cloud/compute/flavors/f-1' }] },
      key_name: 'my key',
      security_groups: [{ name: 'Web' }, { name: 'gone' }],
      created: '2026-12-01T10:00:00Z',
      progress: 100,
      config_drive: 'True',
      'OS-EXT-AZ:availability_zone': 'nova',
      'OS-EXT-STS:task_state': null,
      'OS-EXT-STS:vm_state': 'active',
      'OS-EXT-STS:power_state': 1,
      'OS-SRV-USG:launched_at': '2026-12-01T10:01:02.000000',
      'OS-SRV-USG:terminated_at': null,
      'os-extended-volumes:volumes_attached': [{ id: 'data' }],
    });
    expect(detail.addresses).toEqual({
      private: [
        {
          version: 4,
          addr: '10.0.0.5',
          'OS-EXT-IPS:type': 'fixed',
          'OS-EXT-IPS-MAC:mac_addr': 'aa:bb:cc:00:00:01',
        },
      ],
      ext: [{ version: 4, addr: '203.0.113.9', 'OS-EXT-IPS:type': 'floating' }],
    });
    expect(detail).not.toHaveProperty('fault');
  });

  it('fall back to object names when the referred objects are gone', () => {
    const none: ComputeLookup = {
      creatorId: () => '',
      flavor: () => undefined,
      image: () => undefined,
      network: () => undefined,
      keyPair: () => undefined,
      securityGroup: () => undefined,
    };
    const detail = serverDetail(web, base, 'p-1', none);
    expect(detail.image).toEqual({
      id: 'cirros',
      links: [{ rel: 'bookmark', href: 'https://cloud/compute/images/cirros' }],
    });
    expect(detail.flavor.id).toBe('m1-small');
    expect(detail.key_name).toBe('my-key');
    expect(Object.keys(detail.addresses)).toEqual(['net', 'ext']);
  });

  it('show a building server, a deleting one, and the fault of a failed one', () => {
    const building = serverDetail(
      instance(metadata, { ...spec, image: undefined, keyName: undefined }),
      base,
      'p',
      lookup,
    );
    expect(building).toMatchObject({
      status: 'BUILD',
      image: '',
      key_name: null,
      progress: 0,
      'OS-EXT-STS:vm_state': 'building',
      'OS-EXT-STS:power_state': 0,
      'OS-SRV-USG:launched_at': null,
    });
    const deleting = serverDetail(
      instance({ ...metadata, deletionTimestamp: new Date() }, spec),
      base,
      'p',
      lookup,
    );
    expect(deleting['OS-EXT-STS:task_state']).toBe('deleting');
    const failed = serverDetail(
      instance(metadata, spec, {
        state: 'ERROR',
        fault: { code: 500, message: 'no host', createdAt: '2026-12-01T10:05:00.5Z' },
      }),
      base,
      'p',
      lookup,
    );
    expect(failed.fault).toEqual({ code: 500, message: 'no host', created: '2026-12-01T10:05:00Z' });
    expect(failed['OS-EXT-STS:vm_state']).toBe('error');
  });

  it('answer a create with the requested security groups, default when none', () => {
    expect(serverCreated(web, base, undefined)).toEqual({
      id: 's-1',
      links: serverSummary(web, base).links,
      'OS-DCF:diskConfig': 'MANUAL',
      security_groups: [{ name: 'default' }],
    });
    expect(serverCreated(web, base, [{ name: 'web' }]).security_groups).toEqual([{ name: 'web' }]);
  });
});
