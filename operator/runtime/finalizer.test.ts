import { describe, expect, it } from 'vitest';
import type { JsonPatchOp, KubeClient } from './client.js';
import { FINALIZER, finalizer } from './finalizer.js';
import type { ResourceDescriptor } from './resource.js';
import type { KubeObject } from './store.js';

const networks: ResourceDescriptor = {
  group: 'stratus.dev',
  version: 'v1alpha1',
  plural: 'networks',
  kind: 'Network',
  namespaced: true,
};

/** A client that records JSON patches and answers the object with the patch's finalizers applied. */
function fakeClient() {
  const patches: JsonPatchOp[][] = [];
  const client = {
    patch: (_resource: ResourceDescriptor, name: string, namespace: string, patch: JsonPatchOp[]) => {
      patches.push(patch);
      const added = patch.find((op) => op.op === 'add');
      const finalizers =
        added?.path === '/metadata/finalizers' ? (added.value as string[]) : ['other.dev/hold', FINALIZER];
      return Promise.resolve({ metadata: { name, namespace, finalizers } });
    },
  } as unknown as KubeClient;
  return { client, patches };
}

function network(metadata: KubeObject['metadata'] = {}): KubeObject {
  return { metadata: { name: 'net1', namespace: 'demo', ...metadata } };
}

/** Runs the state machine and says which handler ran, with what. */
async function run(object: KubeObject) {
  const { client, patches } = fakeClient();
  const ran: Array<[string, KubeObject]> = [];
  const result = await finalizer(client, networks, object, {
    apply: (o) => (ran.push(['apply', o]), Promise.resolve('applied')),
    cleanup: (o) => (ran.push(['cleanup', o]), Promise.resolve('cleaned')),
  });
  return { result, ran, patches };
}

describe('finalizer', () => {
  it('adds our finalizer (testing the list is still empty) before apply first runs', async () => {
    const { result, ran, patches } = await run(network());
    expect(patches).toEqual([
      [
        { op: 'test', path: '/metadata/finalizers', value: null },
        { op: 'add', path: '/metadata/finalizers', value: [FINALIZER] },
      ],
    ]);
    expect(result).toBe('applied');
    expect(ran.map(([what]) => what)).toEqual(['apply']);
    // apply sees the object as patched: the finalizer is in place.
    expect(ran[0]![1].metadata?.finalizers).toEqual([FINALIZER]);
  });

  it('appends to another controller’s finalizers without rewriting them', async () => {
    const { patches } = await run(network({ finalizers: ['other.dev/hold'] }));
    expect(patches).toEqual([
      [
        { op: 'test', path: '/metadata/finalizers', value: ['other.dev/hold'] },
        { op: 'add', path: '/metadata/finalizers/-', value: FINALIZER },
      ],
    ]);
  });

  it('applies without a write when the finalizer is there', async () => {
    const { result, patches } = await run(network({ finalizers: [FINALIZER] }));
    expect(result).toBe('applied');
    expect(patches).toEqual([]);
  });

  it('on deletion cleans up, then removes only our finalizer (testing its position)', async () => {
    const deleting = network({
      deletionTimestamp: new Date('2026-01-01T00:00:00Z'),
      finalizers: ['other.dev/hold', FINALIZER],
    });
    const { result, ran, patches } = await run(deleting);
    expect(result).toBe('cleaned');
    expect(ran.map(([what]) => what)).toEqual(['cleanup']);
    expect(patches).toEqual([
      [
        { op: 'test', path: '/metadata/finalizers/1', value: FINALIZER },
        { op: 'remove', path: '/metadata/finalizers/1' },
      ],
    ]);
  });

  it('does nothing for a deleted object without our finalizer, and never applies one', async () => {
    const { result, ran, patches } = await run(
      network({ deletionTimestamp: new Date('2026-01-01T00:00:00Z'), finalizers: ['other.dev/hold'] }),
    );
    expect(result).toBeUndefined();
    expect(ran).toEqual([]);
    expect(patches).toEqual([]);
  });

  it('keeps the finalizer when cleanup fails, so cleanup runs again', async () => {
    const { client, patches } = fakeClient();
    const deleting = network({
      deletionTimestamp: new Date('2026-01-01T00:00:00Z'),
      finalizers: [FINALIZER],
    });
    await expect(
      finalizer(client, networks, deleting, {
        apply: () => Promise.resolve(),
        cleanup: () => Promise.reject(new Error('Kube-OVN refused')),
      }),
    ).rejects.toThrow('Kube-OVN refused');
    expect(patches).toEqual([]);
  });
});
