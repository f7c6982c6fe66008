import { describe, expect, it } from 'vitest';
import { type ObjectRef } from './controller.js';
import { ManualClock } from './manual-clock.js';
import type { KubeObject } from './store.js';
import { WorkQueue } from './workqueue.js';
import type { Manager } from './manager.js';
import { queueFeeder, specPending, watchHandlers } from './manager.js';

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

describe('queueFeeder', () => {
  /** Keys handed out right now, in order. */
  async function take(q: WorkQueue): Promise<string[]> {
    const keys: string[] = [];
    while (q.len() > 0) {
      const key = (await q.get())!;
      keys.push(key);
      q.done(key);
    }
    return keys;
  }
  const object = (name: string, generation: number, observedGeneration?: number): KubeObject => ({
    metadata: { name, namespace: 'demo', generation },
    ...(observedGeneration !== undefined ? { status: { observedGeneration } } : {}),
  });

  it('merges a flurry of wake-ups into one run after the window, and never delays a pending spec', async () => {
    const clock = new ManualClock();
    const q = new WorkQueue({ name: 'feeder', clock, rateLimit: false });
    const { wake, enqueue } = queueFeeder(q, 200);
    wake('demo/a'); // the VM changed
    clock.advance(50);
    wake('demo/a'); // its VMI
    enqueue(object('a', 1, 1)); // the status write echoed back
    enqueue(object('b', 2, 1)); // b was edited: at once
    expect(await take(q)).toEqual(['demo/b']);
    clock.advance(149);
    expect(await take(q)).toEqual([]);
    clock.advance(1); // 200 ms after the first wake-up, once for all three
    expect(await take(q)).toEqual(['demo/a']);
    clock.advance(1_000);
    expect(await take(q)).toEqual([]);
    // An edit while a wake-up waits goes at once, and the wait is dropped.
    wake('demo/a');
    enqueue(object('a', 2, 1));
    expect(await take(q)).toEqual(['demo/a']);
    clock.advance(1_000);
    expect(await take(q)).toEqual([]);
    await q.shutdown();
  });

  it('without a window, every wake-up queues at once', async () => {
    const clock = new ManualClock();
    const q = new WorkQueue({ name: 'feeder-now', clock, rateLimit: false });
    const { wake, enqueue } = queueFeeder(q, 0);
    wake('demo/a');
    enqueue(object('b', 1, 1));
    expect(await take(q)).toEqual(['demo/a', 'demo/b']);
    await q.shutdown();
  });
});
