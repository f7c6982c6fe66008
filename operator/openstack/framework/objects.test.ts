import { describe, expect, it } from 'vitest';
import { Network, type NetworkObject } from '../../kinds/network.js';
import type { ProjectObject } from '../../kinds/project.js';
import { ApiError } from '../../runtime/watch.js';
import type { ApiDeps, ScopedSession } from '../context.js';
import { CrObjects } from './objects.js';

const net = (name: string, namespace: string, extra: Partial<NetworkObject['spec']> = {}): NetworkObject => ({
  apiVersion: 'stratus.dev/v1alpha1',
  kind: 'Network',
  metadata: { name, namespace, uid: `uid-${namespace}-${name}`, resourceVersion: '1' },
  spec: { adminStateUp: true, shared: false, external: false, portSecurityEnabled: true, ...extra },
});

const stored = [
  net('mine', 'proj-a'),
  net('theirs', 'proj-b'),
  net('shared', 'public', { shared: true }),
  net('private', 'public'),
  {
    ...net('going', 'proj-a'),
    metadata: { ...net('going', 'proj-a').metadata, deletionTimestamp: new Date() },
  },
];

const session = {
  userName: 'alice',
  namespace: 'proj-a',
  project: { metadata: { name: 'proj-a', uid: 'p-a' } } as ProjectObject,
} as ScopedSession;

function fixture(grants: Record<string, boolean> = { 'proj-a': true, public: true }) {
  const calls: string[] = [];
  const client = {
    create: (_r: unknown, object: NetworkObject) => {
      calls.push(`create ${object.metadata.name ?? `${object.metadata.generateName}*`}`);
      if (object.metadata.name === 'taken') throw new ApiError(409, 'AlreadyExists', 'exists');
      return {
        ...object,
        metadata: { ...object.metadata, name: object.metadata.name ?? 'taken-x1', uid: 'new' },
      };
    },
    patch: (_r: unknown, name: string, namespace: string, patch: unknown, type: string) => {
      calls.push(`patch ${namespace}/${name} ${JSON.stringify(patch)} ${type}`);
      return net(name, namespace);
    },
    delete: (_r: unknown, name: string, namespace: string, options: unknown) => {
      calls.push(`delete ${namespace}/${name} ${JSON.stringify(options)}`);
    },
  };
  const deps = {
    config: { STRATUS_PUBLIC_NAMESPACE: 'public' },
    impersonation: {
      can: (_user: string, q: { namespace?: string }) => Promise.resolve(grants[q.namespace ?? ''] ?? false),
      client: () => client,
    },
    cache: {
      list: (_kind: string, ns: string) => stored.filter((o) => o.metadata.namespace === ns),
      byUid: (_kind: string, uid: string, namespaces: string[]) =>
        stored.find((o) => o.metadata.uid === uid && namespaces.includes(o.metadata.namespace!)),
      waitFor: (_kind: string, object: NetworkObject, options?: { gone?: boolean }) => {
        calls.push(options?.gone ? `gone ${object.metadata.name}` : `cached ${object.metadata.name}`);
        return Promise.resolve(object);
      },
    },
  } as unknown as ApiDeps;
  const objects = new CrObjects(deps, {
    definition: Network,
    label: 'Network',
    access: { resource: 'networks', shared: true },
    visible: (n, s) => n.metadata.namespace === s.namespace || n.spec.shared,
  });
  return { objects, calls };
}

describe('the CR round trip', () => {
  it('lists what the caller may see: its project and the shared objects of the public namespace', async () => {
    const { objects } = fixture();
    expect((await objects.list(session)).map((n) => n.metadata.name)).toEqual(['mine', 'shared']);
    const noPublic = fixture({ 'proj-a': true });
    expect((await noPublic.objects.list(session)).map((n) => n.metadata.name)).toEqual(['mine']);
  });

  it('refuses (403) when RBAC does not let the caller read its own project', async () => {
    await expect(fixture({}).objects.list(session)).rejects.toMatchObject({ status: 403 });
  });

  it('answers the same 404 for another project’s object, an invisible one, one going away and none', async () => {
    const { objects } = fixture();
    expect((await objects.find(session, 'uid-proj-a-mine')).metadata.name).toBe('mine');
    for (const id of ['uid-proj-b-theirs', 'uid-public-private', 'uid-proj-a-going', 'nothing']) {
      await expect(objects.find(session, id)).rejects.toMatchObject({
        status: 404,
        message: `Network ${id} could not be found.`,
        type: 'NetworkNotFound',
      });
    }
  });

  it('refuses (403) to change a shared object of the cloud', async () => {
    const { objects } = fixture();
    await expect(objects.find(session, 'uid-public-shared', { own: true })).rejects.toMatchObject({
      status: 403,
    });
  });

  it('creates under the preferred name, else a generated one, and waits for the cache', async () => {
    const { objects, calls } = fixture();
    await objects.create(session, { displayName: 'x' }, 'free');
    await objects.create(session, { displayName: 'x' }, 'taken');
    expect(calls).toEqual([
      'create free',
      'cached free',
      'create taken',
      'create taken-*',
      'cached taken-x1',
    ]);
  });

  it('patches and deletes as the caller, waiting for the cache each time', async () => {
    const { objects, calls } = fixture();
    const mine = await objects.find(session, 'uid-proj-a-mine');
    await objects.patch(session, mine, { displayName: 'y', mtu: null });
    await objects.delete(session, mine);
    expect(calls).toEqual([
      'patch proj-a/mine {"spec":{"displayName":"y","mtu":null}} merge',
      'cached mine',
      'delete proj-a/mine {"uid":"uid-proj-a-mine"}',
      'gone mine',
    ]);
  });
});
