import { describe, expect, it } from 'vitest';
import { specPending, watchHandlers, type Manager, type ObjectRef } from './controller.js';
import type { KubeObject } from './store.js';

interface Subnet extends KubeObject {
  spec: { network: string; cidr: string };
  status?: { usedIPs?: number };
}

function subnet(network: string, cidr: string, usedIPs?: number): Subnet {
  return {
    metadata: { name: 's1', namespace: 'demo' },
    spec: { network, cidr },
    ...(usedIPs !== undefined ? { status: { usedIPs } } : {}),
  };
}

/** Handlers that map a subnet to the instance named like its network, and what they queued. */
function handlers(uses?: (object: KubeObject) => unknown) {
  const queued: ObjectRef[] = [];
  const h = watchHandlers(
    {
      map: (object) => [{ namespace: 'demo', name: `on-${(object as Subnet).spec.network}` }],
      ...(uses ? { uses } : {}),
    },
    {} as Manager,
    (ref) => queued.push(ref),
  );
  return { h, queued: () => queued.map((r) => r.name) };
}

describe('watchHandlers', () => {
  it('without uses, every update queues the objects named by the old and the new version', () => {
    const { h, queued } = handlers();
    h.onUpdate!(subnet('a', '10.0.0.0/24', 1), subnet('a', '10.0.0.0/24', 2));
    expect(queued()).toEqual(['on-a', 'on-a']);
  });

  it('with uses, an update that leaves what is used unchanged queues nothing', () => {
    const { h, queued } = handlers((s) => (s as Subnet).spec);
    h.onUpdate!(subnet('a', '10.0.0.0/24', 1), subnet('a', '10.0.0.0/24', 2)); // counters tick
    expect(queued()).toEqual([]);
    h.onUpdate!(subnet('a', '10.0.0.0/24'), subnet('b', '10.0.0.0/24')); // moved to network b
    expect(queued()).toEqual(['on-a', 'on-b']);
  });

  it('adds and deletes always queue', () => {
    const { h, queued } = handlers((s) => (s as Subnet).spec);
    h.onAdd!(subnet('a', '10.0.0.0/24'));
    h.onDelete!(subnet('a', '10.0.0.0/24'), { finalStateUnknown: false });
    expect(queued()).toEqual(['on-a', 'on-a']);
  });
});

describe('specPending', () => {
  it('is true for a spec its status has not observed yet, false once it has or without generations', () => {
    expect(specPending({ metadata: { generation: 1 } })).toBe(true);
    expect(
      specPending({ metadata: { generation: 2 }, status: { observedGeneration: 1 } } as KubeObject),
    ).toBe(true);
    expect(
      specPending({ metadata: { generation: 2 }, status: { observedGeneration: 2 } } as KubeObject),
    ).toBe(false);
    expect(specPending({ metadata: {} })).toBe(false);
  });
});
