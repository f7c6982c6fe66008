import fc from 'fast-check';
import { type MetricValueWithName, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { Logger } from './logger.js';
import { ManualClock } from './manual-clock.js';
import { ExponentialBackoff, TokenBucket, WorkQueue, type WorkQueueOptions } from './workqueue.js';

function queue(options: Partial<WorkQueueOptions> = {}) {
  const clock = new ManualClock();
  const { backoff, ...rest } = options;
  const q = new WorkQueue({
    name: 'test',
    clock,
    rateLimit: false,
    ...rest,
    backoff: { baseDelayMs: 5, maxDelayMs: 1_000, jitter: 0, ...backoff },
  });
  return { q, clock };
}

/** A small deterministic PRNG (mulberry32), so a failing property replays exactly. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Let promise callbacks and resolved awaits run (no time passes on the manual clock). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Keys that are ready right now, taking each (and marking it done unless told not to). */
async function drainReady(q: WorkQueue, options: { done?: boolean } = {}): Promise<string[]> {
  const keys: string[] = [];
  while (q.len() > 0) {
    const key = await q.get();
    if (key === undefined) break;
    keys.push(key);
    if (options.done !== false) q.done(key);
  }
  return keys;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function sample(registry: Registry, name: string, metricName = name): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return undefined;
  const data = await metric.get();
  const values = data.values as Array<MetricValueWithName<string>>;
  return values.find(
    (v) => (v.metricName ?? name) === metricName && v.labels.name === 'test' && !('le' in v.labels),
  )?.value;
}

describe('WorkQueue', () => {
  it('merges a key added again while it waits', async () => {
    const { q } = queue();
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.len()).toBe(2);
    expect(await drainReady(q)).toEqual(['a', 'b']);
  });

  it('hands a key re-added during processing out again once, after done', async () => {
    const { q } = queue();
    q.add('a');
    const first = await q.get();
    expect(first).toBe('a');
    q.add('a');
    q.add('a');
    // Dirty, but not handed out while the first run is in flight.
    expect(q.len()).toBe(0);
    let second: string | undefined;
    void q.get().then((key) => (second = key));
    await settle();
    expect(second).toBeUndefined();
    q.done('a');
    await settle();
    expect(second).toBe('a');
    q.done('a');
    expect(q.len()).toBe(0);
  });

  it('hands urgent keys out before ordinary ones, and promotes a waiting key added as urgent', async () => {
    const { q } = queue();
    q.add('status-1');
    q.add('status-2');
    q.add('new', { urgent: true });
    q.add('status-2', { urgent: true }); // an edit arrives for a key already waiting
    q.add('new'); // an ordinary add does not demote it
    expect(q.len()).toBe(3);
    expect(await drainReady(q)).toEqual(['new', 'status-2', 'status-1']);
  });

  it('keeps the urgency of a key re-added as urgent while it is in flight', async () => {
    const { q } = queue();
    q.add('a');
    expect(await q.get()).toBe('a');
    q.add('a', { urgent: true });
    q.add('b');
    q.done('a');
    expect(await drainReady(q)).toEqual(['a', 'b']);
  });

  it('never runs one key on two workers at once, while other keys run in parallel', async () => {
    const { q } = queue();
    const active = new Map<string, number>();
    let maxPerKey = 0;
    let maxTotal = 0;
    let total = 0;
    const runs: string[] = [];
    const gates: Array<() => void> = [];
    const running = q.run(
      async (key) => {
        runs.push(key);
        active.set(key, (active.get(key) ?? 0) + 1);
        total++;
        maxPerKey = Math.max(maxPerKey, active.get(key)!);
        maxTotal = Math.max(maxTotal, total);
        const gate = deferred();
        gates.push(gate.resolve);
        await gate.promise;
        active.set(key, active.get(key)! - 1);
        total--;
      },
      { concurrency: 4 },
    );
    for (const key of ['a', 'b', 'c']) q.add(key);
    await settle();
    // Hammer 'a' while it runs: four workers are free-ish, yet it must wait.
    for (let i = 0; i < 10; i++) q.add('a');
    await settle();
    expect(runs.filter((k) => k === 'a')).toHaveLength(1);
    // Release everything until the queue is idle.
    while (gates.length > 0) {
      for (const open of gates.splice(0)) open();
      await settle();
    }
    expect(maxPerKey).toBe(1);
    expect(maxTotal).toBe(3);
    expect(runs.filter((k) => k === 'a')).toHaveLength(2); // once more for the adds during the run
    expect(runs.filter((k) => k === 'b')).toHaveLength(1);
    await q.shutdown();
    await running;
  });

  it('addAfter: the earliest deadline wins and the later one is dropped', async () => {
    const { q, clock } = queue();
    q.addAfter('a', 100);
    q.addAfter('a', 50);
    q.addAfter('b', 50);
    q.addAfter('b', 100);
    clock.advance(49);
    expect(q.len()).toBe(0);
    clock.advance(1);
    expect(await drainReady(q)).toEqual(['a', 'b']);
    clock.advance(1_000);
    expect(q.len()).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('add supersedes a pending addAfter, and addAfter on a queued key does nothing', async () => {
    const { q, clock } = queue();
    q.addAfter('a', 100);
    q.add('a');
    expect(await drainReady(q)).toEqual(['a']);
    clock.advance(200);
    expect(q.len()).toBe(0);

    q.add('b');
    q.addAfter('b', 10);
    expect(await drainReady(q)).toEqual(['b']);
    clock.advance(20);
    expect(q.len()).toBe(0);
  });

  it('addAfter on a key in flight queues it once more when both the deadline passed and the run ended', async () => {
    const { q, clock } = queue();
    q.add('a');
    await q.get();
    q.addAfter('a', 10);
    clock.advance(10);
    expect(q.len()).toBe(0); // still processing
    q.done('a');
    expect(await drainReady(q)).toEqual(['a']);
  });

  it('backs off exponentially per key up to the cap, and forget resets', async () => {
    const { q, clock } = queue({ backoff: { baseDelayMs: 5, maxDelayMs: 40, jitter: 0 } });
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      q.addRateLimited('a');
      // Find when it becomes ready, one millisecond at a time.
      let waited = 0;
      while (q.len() === 0) {
        clock.advance(1);
        waited++;
      }
      delays.push(waited);
      await drainReady(q);
    }
    expect(delays).toEqual([5, 10, 20, 40, 40, 40]);
    expect(q.retries('a')).toBe(6);
    // Another key has its own count.
    expect(q.retries('b')).toBe(0);
    q.forget('a');
    expect(q.retries('a')).toBe(0);
    q.addRateLimited('a');
    clock.advance(4);
    expect(q.len()).toBe(0);
    clock.advance(1);
    expect(q.len()).toBe(1);
  });

  it('keeps jittered delays within [d·(1−jitter), d]', () => {
    for (const random of [() => 0, () => 0.5, () => 0.999999]) {
      const backoff = new ExponentialBackoff({ baseDelayMs: 5, maxDelayMs: 300_000, jitter: 0.5, random });
      for (let n = 0; n < 30; n++) {
        const d = Math.min(300_000, 5 * 2 ** n);
        const delay = backoff.next('k');
        expect(delay).toBeGreaterThanOrEqual(d * 0.5);
        expect(delay).toBeLessThanOrEqual(d);
      }
    }
    // With real randomness the delays differ (that is the point of jitter).
    const backoff = new ExponentialBackoff({ jitter: 0.5 });
    const firsts = new Set(Array.from({ length: 20 }, (_, i) => backoff.next(`k${i}`)));
    expect(firsts.size).toBeGreaterThan(1);
  });

  it('rejects nonsensical backoff and rate limit settings', () => {
    expect(() => new ExponentialBackoff({ baseDelayMs: 10, maxDelayMs: 5 })).toThrow(/maxDelayMs/);
    expect(() => new ExponentialBackoff({ jitter: 1 })).toThrow(/jitter/);
    expect(() => new TokenBucket({ qps: 0, burst: 1 })).toThrow(/qps/);
  });

  it('limits rate-limited re-adds globally with a token bucket', async () => {
    const { q, clock } = queue({
      backoff: { baseDelayMs: 1, maxDelayMs: 1 },
      rateLimit: { qps: 10, burst: 2 },
    });
    for (const key of ['a', 'b', 'c', 'd']) q.addRateLimited(key);
    clock.advance(1);
    // The burst passes after the per-key backoff; then one token per 100 ms.
    expect(await drainReady(q)).toEqual(['a', 'b']);
    clock.advance(98);
    expect(q.len()).toBe(0);
    clock.advance(1);
    expect(await drainReady(q)).toEqual(['c']);
    clock.advance(99);
    expect(q.len()).toBe(0);
    clock.advance(1);
    expect(await drainReady(q)).toEqual(['d']);
    // The bucket refills over time.
    clock.advance(1_000);
    q.addRateLimited('e');
    q.addRateLimited('f');
    clock.advance(1);
    expect(await drainReady(q)).toEqual(['e', 'f']);
  });

  it('does not rate limit plain adds', async () => {
    const { q } = queue({ rateLimit: { qps: 1, burst: 1 } });
    for (let i = 0; i < 50; i++) q.add(`k${i}`);
    expect(await drainReady(q)).toHaveLength(50);
  });

  it('retries a key whose worker throws, with backoff, and logs the error', async () => {
    const lines: string[] = [];
    const logger = Logger.create({ sink: (line) => lines.push(line) });
    const { q, clock } = queue({ logger });
    let calls = 0;
    const running = q.run(() => {
      calls++;
      return calls === 1 ? Promise.reject(new Error('boom')) : Promise.resolve();
    });
    q.add('a');
    await settle();
    expect(calls).toBe(1);
    expect(q.retries('a')).toBe(1);
    clock.advance(5);
    await settle();
    expect(calls).toBe(2);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'error',
      component: 'workqueue',
      queue: 'test',
      key: 'a',
      error: { message: 'boom' },
    });
    await q.shutdown();
    await running;
  });

  it('shutdown drains work in flight, drops queued keys and stops accepting adds', async () => {
    const { q, clock } = queue();
    const gate = deferred();
    const started: string[] = [];
    let signal: AbortSignal | undefined;
    const running = q.run(async (key, s) => {
      started.push(key);
      signal = s;
      await gate.promise;
    });
    q.add('a');
    q.add('b');
    q.addAfter('c', 10);
    await settle();
    expect(started).toEqual(['a']);

    let stopped = false;
    const shutdown = q.shutdown().then(() => (stopped = true));
    expect(signal?.aborted).toBe(true);
    await settle();
    expect(stopped).toBe(false); // 'a' still running

    q.add('d');
    clock.advance(100);
    gate.resolve();
    await shutdown;
    await running;
    expect(stopped).toBe(true);
    expect(started).toEqual(['a']); // neither queued 'b', delayed 'c' nor late 'd' ran
    expect(await q.get()).toBeUndefined();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('wakes workers blocked in get on shutdown', async () => {
    const { q } = queue();
    const waiting = q.get();
    await q.shutdown();
    expect(await waiting).toBeUndefined();
  });

  it('records depth, adds, retries, queue and work durations and the longest running processor', async () => {
    const registry = new Registry();
    const { q, clock } = queue({ registry });
    // Series exist before anything happens.
    expect(await sample(registry, 'stratus_workqueue_adds_total')).toBe(0);
    expect(await sample(registry, 'stratus_workqueue_depth')).toBe(0);

    q.add('a');
    q.add('b');
    q.add('a'); // merged: not an add
    expect(await sample(registry, 'stratus_workqueue_depth')).toBe(2);
    expect(await sample(registry, 'stratus_workqueue_adds_total')).toBe(2);

    clock.advance(250);
    const a = await q.get();
    expect(await sample(registry, 'stratus_workqueue_depth')).toBe(1);
    clock.advance(2_000);
    expect(await sample(registry, 'stratus_workqueue_longest_running_processor_seconds')).toBe(2);
    q.done(a!);
    expect(await sample(registry, 'stratus_workqueue_longest_running_processor_seconds')).toBe(0);

    const queueDuration = 'stratus_workqueue_queue_duration_seconds';
    expect(await sample(registry, queueDuration, `${queueDuration}_count`)).toBe(1);
    expect(await sample(registry, queueDuration, `${queueDuration}_sum`)).toBeCloseTo(0.25);
    const workDuration = 'stratus_workqueue_work_duration_seconds';
    expect(await sample(registry, workDuration, `${workDuration}_count`)).toBe(1);
    expect(await sample(registry, workDuration, `${workDuration}_sum`)).toBeCloseTo(2);

    q.addRateLimited('c');
    q.addRateLimited('c');
    expect(await sample(registry, 'stratus_workqueue_retries_total')).toBe(2);
    clock.advance(5);
    expect(await sample(registry, 'stratus_workqueue_adds_total')).toBe(3);

    const text = await registry.metrics();
    expect(text).toContain('stratus_workqueue_queue_duration_seconds_bucket{le="0.5",name="test"} 1');
  });

  it('shares a registry between queues, one series per name, and refuses duplicate names', async () => {
    const registry = new Registry();
    const clock = new ManualClock();
    const one = new WorkQueue({ name: 'one', registry, clock });
    const two = new WorkQueue({ name: 'two', registry, clock });
    one.add('x');
    two.add('x');
    two.add('y');
    const depth = await registry.getSingleMetric('stratus_workqueue_depth')!.get();
    expect(depth.values.map((v) => [v.labels.name, v.value])).toEqual([
      ['one', 1],
      ['two', 2],
    ]);
    expect(() => new WorkQueue({ name: 'one', registry, clock })).toThrow(/already registered/);
    await one.shutdown();
    // After shutdown the name is free again (for example a controller restarted after
    // regaining leadership).
    expect(() => new WorkQueue({ name: 'one', registry, clock })).not.toThrow();
  });
});

describe('WorkQueue under random operations', () => {
  type Op =
    | { op: 'add' | 'addUrgent' | 'addRateLimited' | 'forget'; key: string }
    | { op: 'addAfter'; key: string; ms: number }
    | { op: 'advance'; ms: number }
    | { op: 'get' }
    | { op: 'done'; index: number };
  const key = fc.constantFrom('a', 'b', 'c', 'd');
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({
      op: fc.constantFrom('add' as const, 'addUrgent' as const, 'addRateLimited' as const, 'forget' as const),
      key,
    }),
    fc.record({ op: fc.constant('addAfter' as const), key, ms: fc.integer({ min: 0, max: 200 }) }),
    fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 300 }) }),
    fc.record({ op: fc.constant('get' as const) }),
    fc.record({ op: fc.constant('done' as const), index: fc.nat() }),
  );

  it('never hands out a key twice at once, and never loses a request', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { maxLength: 80, size: 'max' }),
        fc.noBias(fc.nat()),
        async (ops, seed) => {
          const { q, clock } = queue({
            rateLimit: { qps: 50, burst: 3 },
            backoff: { jitter: 0.5, random: seededRandom(seed) },
          });
          const held: string[] = [];
          // Keys asked for since they were last handed out: each must be handed out again.
          const owed = new Set<string>();
          const take = async () => {
            const k = await q.get();
            expect(k).toBeDefined();
            expect(held).not.toContain(k);
            held.push(k!);
            owed.delete(k!);
          };
          for (const step of ops) {
            switch (step.op) {
              case 'add':
              case 'addRateLimited':
                q[step.op](step.key);
                owed.add(step.key);
                break;
              case 'addUrgent':
                q.add(step.key, { urgent: true });
                owed.add(step.key);
                break;
              case 'addAfter':
                q.addAfter(step.key, step.ms);
                owed.add(step.key);
                break;
              case 'forget':
                q.forget(step.key);
                break;
              case 'advance':
                clock.advance(step.ms);
                break;
              case 'get':
                if (q.len() > 0) await take();
                break;
              case 'done':
                if (held.length > 0) q.done(held.splice(step.index % held.length, 1)[0]!);
                break;
            }
            expect(new Set(held).size).toBe(held.length);
          }
          // Quiesce: finish everything, let every deadline pass, and run what is due.
          for (;;) {
            for (const k of held.splice(0)) q.done(k);
            clock.advance(10 * 60_000);
            if (q.len() === 0) break;
            while (q.len() > 0) await take();
          }
          expect([...owed]).toEqual([]);
          expect(clock.pendingTimers()).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('TokenBucket', () => {
  it('lets a burst through, then paces reservations at qps', () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ qps: 4, burst: 3 }, clock);
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 0, 0]);
    expect(bucket.reserve()).toBe(250);
    expect(bucket.reserve()).toBe(500);
    clock.advance(500);
    // Both promised tokens have been earned by now; the bucket is empty again.
    expect(bucket.reserve()).toBe(250);
  });
});
