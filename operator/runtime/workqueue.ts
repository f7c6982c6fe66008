// A keyed work queue for level-triggered controllers, in the spirit of client-go's
// rate-limited delaying queue and kube-rs' scheduler.
//
// Guarantees (what the controllers rely on):
// - A key is queued at most once: adding a key that is already waiting does nothing.
// - A key is never handed to two workers at once. Adding a key while it is being processed
//   marks it dirty; it is queued again (once) when the current run calls `done`.
// - A key has at most one pending deadline, and the earliest wins: `add` supersedes a later
//   `addAfter`, and of two `addAfter`s the sooner one stays. Because reconcilers are
//   level-triggered, running once at the earliest requested time satisfies every request.
// - `addRateLimited` delays a key by the larger of its own exponential backoff (with jitter,
//   reset by `forget`) and a global token bucket, so a systemic failure (apiserver down,
//   10 000 keys failing) cannot turn into a retry storm.
// - `shutdown` stops handing out keys at once, drops what is queued (the next leader
//   relists everything anyway) and resolves when in-flight work has called `done`.
//
// As in client-go, plain `add`s are not rate limited: an informer event is news that should
// be acted on promptly; only retries are throttled.
//
// Two priorities, as in controller-runtime's priority queue: a key added as `urgent` (a
// user asked for something: a new object, a changed spec) is handed out before ordinary
// keys (status refreshes, resyncs, events from children), so a burst of status churn cannot
// hold up the one change someone is waiting for. A key keeps the highest priority it was
// added with until it is handed out.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { silentLogger, type Logger } from './logger.js';

/** Time source; injectable so tests drive time by hand instead of sleeping. */
export interface Clock {
  /** Monotonic milliseconds (only differences matter). */
  now(): number;
  /** Call `fn` after `ms` milliseconds; returns a function that cancels the call. */
  setTimer(fn: () => void, ms: number): () => void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer(fn, ms) {
    const timer = setTimeout(fn, ms);
    // A delayed requeue alone must not keep a process alive that is otherwise done.
    timer.unref();
    return () => clearTimeout(timer);
  },
};

export interface BackoffOptions {
  /** Delay after the first failure. Default 5 ms. */
  baseDelayMs?: number;
  /** Upper bound of the delay. Default 5 minutes. */
  maxDelayMs?: number;
  /**
   * Fraction of the delay that is random, in [0, 1). After n earlier failures the delay is
   * drawn from [d·(1−jitter), d] with d = min(max, base·2ⁿ): retries of keys that failed
   * together spread out, while delays keep growing and never exceed the cap. Default 0.5.
   */
  jitter?: number;
  /** Uniform random numbers in [0, 1); injectable for tests. */
  random?: () => number;
}

/** Per-key exponential backoff: each failure doubles the key's delay, up to a cap. */
export class ExponentialBackoff {
  private readonly failures = new Map<string, number>();
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly jitter: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.baseDelayMs = options.baseDelayMs ?? 5;
    this.maxDelayMs = options.maxDelayMs ?? 5 * 60_000;
    this.jitter = options.jitter ?? 0.5;
    this.random = options.random ?? Math.random;
    if (!(this.baseDelayMs >= 0) || !(this.maxDelayMs >= this.baseDelayMs))
      throw new Error(
        `backoff needs 0 <= baseDelayMs <= maxDelayMs (got ${this.baseDelayMs}, ${this.maxDelayMs})`,
      );
    if (!(this.jitter >= 0 && this.jitter < 1))
      throw new Error(`backoff jitter must be in [0, 1) (got ${this.jitter})`);
  }

  /** Record a failure of `key` and return how long to wait before retrying it. */
  next(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    // 2ⁿ overflows to Infinity for large n, which the cap absorbs.
    const delay = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** n);
    return delay * (1 - this.jitter * this.random());
  }

  /** Failures recorded for `key` since it was last forgotten. */
  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }
}

export interface RateLimit {
  /** Sustained rate in tokens per second. */
  qps: number;
  /** Tokens available at once (and the bucket's capacity). */
  burst: number;
}

/**
 * A token bucket that hands out reservations: `reserve()` always takes a token and says how
 * long to wait until it is really yours, so callers schedule instead of polling.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: Clock = systemClock,
  ) {
    if (!(limit.qps > 0) || !(limit.burst >= 1))
      throw new Error(`rate limit needs qps > 0 and burst >= 1 (got ${limit.qps}, ${limit.burst})`);
    this.tokens = limit.burst;
    this.last = clock.now();
  }

  /** Take one token; returns the milliseconds until it may be used (0: now). */
  reserve(): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) * this.limit.qps) / 1000);
    this.last = now;
    this.tokens -= 1;
    // A negative balance is a queue of reservations already promised to earlier callers.
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.limit.qps;
  }
}

export interface WorkQueueOptions {
  /** Names the queue in metrics and logs (usually the controller's name). */
  name: string;
  clock?: Clock;
  backoff?: BackoffOptions;
  /** Global limit on rate-limited re-adds; `false` disables it. Default 10 qps, burst 100. */
  rateLimit?: RateLimit | false;
  /** Where to register the queue's metrics; none are recorded without one. */
  registry?: Registry;
  logger?: Logger;
}

export interface RunOptions {
  /** How many keys may be processed at once (never the same key twice). Default 1. */
  concurrency?: number;
}

/**
 * Processes one key. The signal aborts when the queue shuts down, so long work can stop
 * early. A worker decides what happens next: `forget` on success, `addAfter` for a
 * requeue, `addRateLimited` for a retry. A thrown error is logged and retried with backoff.
 */
export type Worker = (key: string, signal: AbortSignal) => Promise<void>;

export class WorkQueue {
  readonly name: string;
  private readonly clock: Clock;
  private readonly backoff: ExponentialBackoff;
  private readonly bucket: TokenBucket | undefined;
  private readonly logger: Logger;
  private readonly metrics: QueueMetrics | undefined;

  /** Keys ready for a worker, in the order they became ready: urgent ones, then the rest. */
  private readonly urgent = new Set<string>();
  private readonly ready = new Set<string>();
  /** Dirty keys added as urgent (those in flight go to `urgent` when they are done). */
  private readonly urgentDirty = new Set<string>();
  /** Keys that need a run: everything in `ready` plus keys re-added while processing. */
  private readonly dirty = new Set<string>();
  /** Keys handed to a worker and not yet `done`, with the time they were handed out. */
  private readonly processing = new Map<string, number>();
  /** When each dirty key was added, for the queue-duration histogram. */
  private readonly addedAt = new Map<string, number>();
  /** The pending deadline of each delayed key (the heap may hold stale entries). */
  private readonly delayed = new Map<string, number>();
  private readonly heap = new DeadlineHeap();
  private timer: { at: number; cancel: () => void } | undefined;

  private readonly waiters: Array<(key: string | undefined) => void> = [];
  private readonly stopping = new AbortController();
  private drained: (() => void) | undefined;
  private readonly drainedPromise: Promise<void>;

  constructor(options: WorkQueueOptions) {
    this.name = options.name;
    this.clock = options.clock ?? systemClock;
    this.backoff = new ExponentialBackoff(options.backoff);
    const limit = options.rateLimit === undefined ? { qps: 10, burst: 100 } : options.rateLimit;
    this.bucket = limit ? new TokenBucket(limit, this.clock) : undefined;
    this.logger = (options.logger ?? silentLogger()).child({ component: 'workqueue', queue: this.name });
    this.metrics = options.registry ? QueueMetrics.for(options.registry) : undefined;
    this.metrics?.attach(this);
    this.drainedPromise = new Promise((resolve) => (this.drained = resolve));
  }

  /**
   * Queue `key` now (merged with any queued or pending instance of it). An `urgent` key goes
   * ahead of every ordinary one.
   */
  add(key: string, options: { urgent?: boolean } = {}): void {
    if (this.shuttingDown) return;
    // An immediate run satisfies any later deadline: earliest wins.
    this.delayed.delete(key);
    if (this.dirty.has(key)) {
      if (options.urgent && !this.urgentDirty.has(key)) {
        this.urgentDirty.add(key);
        if (this.ready.delete(key)) this.urgent.add(key); // promoted while it waits
      }
      return;
    }
    this.dirty.add(key);
    if (options.urgent) this.urgentDirty.add(key);
    this.addedAt.set(key, this.clock.now());
    this.metrics?.adds.inc({ name: this.name });
    if (this.processing.has(key)) return; // `done` will queue it again
    this.enqueueReady(key);
  }

  /** Queue `key` after `delayMs`, unless it is already due sooner. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (!(delayMs > 0)) {
      this.add(key);
      return;
    }
    // A dirty key runs as soon as a worker (or its current run) is free: sooner than this.
    if (this.dirty.has(key)) return;
    const at = this.clock.now() + delayMs;
    const pending = this.delayed.get(key);
    if (pending !== undefined && pending <= at) return;
    this.delayed.set(key, at);
    this.heap.push(key, at);
    this.armTimer();
  }

  /** Queue `key` again after its backoff and the global rate limit allow it. */
  addRateLimited(key: string): void {
    if (this.shuttingDown) return;
    this.metrics?.retries.inc({ name: this.name });
    const delay = Math.max(this.backoff.next(key), this.bucket?.reserve() ?? 0);
    this.addAfter(key, delay);
  }

  /** Reset the backoff of `key` (call after it was processed successfully). */
  forget(key: string): void {
    this.backoff.forget(key);
  }

  /** Rate-limited re-adds of `key` since it was last forgotten. */
  retries(key: string): number {
    return this.backoff.failuresOf(key);
  }

  /** Keys ready and waiting for a worker. */
  len(): number {
    return this.urgent.size + this.ready.size;
  }

  get shuttingDown(): boolean {
    return this.stopping.signal.aborted;
  }

  /**
   * The next key to process, waiting until one is ready; `undefined` once the queue shuts
   * down. Every key obtained must be passed to `done` when its processing ends.
   */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.take();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Mark the processing of `key` finished; a key re-added meanwhile is queued again. */
  done(key: string): void {
    const started = this.processing.get(key);
    if (started === undefined) return;
    this.processing.delete(key);
    this.metrics?.workDuration.observe({ name: this.name }, (this.clock.now() - started) / 1000);
    if (this.shuttingDown) {
      if (this.processing.size === 0) this.drained?.();
      return;
    }
    if (this.dirty.has(key)) this.enqueueReady(key);
  }

  /**
   * Process keys with `concurrency` workers until the queue shuts down. Resolves when every
   * worker has stopped.
   */
  async run(worker: Worker, options: RunOptions = {}): Promise<void> {
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new Error(`concurrency must be a positive integer (got ${concurrency})`);
    const loop = async (): Promise<void> => {
      for (;;) {
        const key = await this.get();
        if (key === undefined) return;
        try {
          await worker(key, this.stopping.signal);
        } catch (error) {
          this.logger.error('worker failed; retrying with backoff', { key, error });
          this.addRateLimited(key);
        } finally {
          this.done(key);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, loop));
  }

  /**
   * Stop: no new keys are accepted or handed out, queued and delayed keys are dropped, and
   * workers' signals abort. Resolves once every key in flight has been marked `done`.
   */
  shutdown(): Promise<void> {
    if (!this.shuttingDown) {
      this.stopping.abort();
      this.timer?.cancel();
      this.timer = undefined;
      this.heap.clear();
      this.delayed.clear();
      this.urgent.clear();
      this.ready.clear();
      this.urgentDirty.clear();
      this.dirty.clear();
      this.addedAt.clear();
      this.updateDepth();
      for (const waiter of this.waiters.splice(0)) waiter(undefined);
      if (this.processing.size === 0) this.drained?.();
      void this.drainedPromise.then(() => this.metrics?.detach(this));
    }
    return this.drainedPromise;
  }

  /** Seconds the longest-running key in flight has been processing (0 when idle). */
  longestRunningSeconds(): number {
    const now = this.clock.now();
    let oldest = now;
    for (const started of this.processing.values()) oldest = Math.min(oldest, started);
    return (now - oldest) / 1000;
  }

  private enqueueReady(key: string): void {
    (this.urgentDirty.has(key) ? this.urgent : this.ready).add(key);
    this.updateDepth();
    this.dispatch();
  }

  private take(): string | undefined {
    const from = this.urgent.size > 0 ? this.urgent : this.ready;
    const next = from.values().next();
    if (next.done) return undefined;
    const key = next.value;
    from.delete(key);
    this.dirty.delete(key);
    this.urgentDirty.delete(key);
    const now = this.clock.now();
    this.processing.set(key, now);
    const added = this.addedAt.get(key);
    this.addedAt.delete(key);
    if (added !== undefined) this.metrics?.queueDuration.observe({ name: this.name }, (now - added) / 1000);
    this.updateDepth();
    return key;
  }

  private dispatch(): void {
    while (this.waiters.length > 0 && this.len() > 0) {
      const key = this.take();
      if (key !== undefined) this.waiters.shift()?.(key);
    }
  }

  private armTimer(): void {
    const next = this.nextDeadline();
    if (next === undefined) {
      this.timer?.cancel();
      this.timer = undefined;
      return;
    }
    if (this.timer && this.timer.at <= next) return; // fires early enough already
    this.timer?.cancel();
    const cancel = this.clock.setTimer(
      () => {
        this.timer = undefined;
        this.fireDue();
      },
      Math.max(0, next - this.clock.now()),
    );
    this.timer = { at: next, cancel };
  }

  private fireDue(): void {
    const now = this.clock.now();
    for (let next = this.nextDeadline(); next !== undefined && next <= now; next = this.nextDeadline()) {
      const entry = this.heap.pop();
      if (entry && this.delayed.get(entry.key) === entry.at) this.add(entry.key);
    }
    this.armTimer();
  }

  /** The earliest live deadline, discarding heap entries superseded since they were pushed. */
  private nextDeadline(): number | undefined {
    for (let top = this.heap.peek(); top; top = this.heap.peek()) {
      if (this.delayed.get(top.key) === top.at) return top.at;
      this.heap.pop();
    }
    return undefined;
  }

  private updateDepth(): void {
    this.metrics?.depth.set({ name: this.name }, this.len());
  }
}

/**
 * A binary min-heap of (key, deadline); superseded entries are skipped by the reader. Equal
 * deadlines come out in the order they went in, so keys due together stay FIFO.
 */
class DeadlineHeap {
  private items: HeapEntry[] = [];
  private seq = 0;

  push(key: string, at: number): void {
    const items = this.items;
    items.push({ key, at, seq: this.seq++ });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i]!, items[parent]!)) break;
      [items[parent], items[i]] = [items[i]!, items[parent]!];
      i = parent;
    }
  }

  peek(): HeapEntry | undefined {
    return this.items[0];
  }

  pop(): HeapEntry | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let first = i;
        if (left < items.length && before(items[left]!, items[first]!)) first = left;
        if (right < items.length && before(items[right]!, items[first]!)) first = right;
        if (first === i) break;
        [items[first], items[i]] = [items[i]!, items[first]!];
        i = first;
      }
    }
    return top;
  }

  clear(): void {
    this.items = [];
  }
}

interface HeapEntry {
  key: string;
  at: number;
  seq: number;
}

function before(a: HeapEntry, b: HeapEntry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

// Seconds, from sub-millisecond hand-offs to retries at the 5-minute backoff cap.
const DURATION_BUCKETS = [0.0001, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60, 300, 1000];

/**
 * The workqueue metrics of one registry, shared by every queue registered there (one
 * series per queue name), with controller-runtime's names under our prefix.
 */
class QueueMetrics {
  private static readonly byRegistry = new WeakMap<Registry, QueueMetrics>();

  readonly depth: Gauge<'name'>;
  readonly adds: Counter<'name'>;
  readonly retries: Counter<'name'>;
  readonly queueDuration: Histogram<'name'>;
  readonly workDuration: Histogram<'name'>;
  readonly longestRunning: Gauge<'name'>;
  private readonly queues = new Set<WorkQueue>();

  static for(registry: Registry): QueueMetrics {
    let metrics = QueueMetrics.byRegistry.get(registry);
    if (!metrics) {
      metrics = new QueueMetrics(registry);
      QueueMetrics.byRegistry.set(registry, metrics);
    }
    return metrics;
  }

  private constructor(registry: Registry) {
    const registers = [registry];
    const labelNames = ['name'] as const;
    this.depth = new Gauge({
      name: 'stratus_workqueue_depth',
      help: 'Keys waiting in the work queue for a worker.',
      labelNames,
      registers,
    });
    this.adds = new Counter({
      name: 'stratus_workqueue_adds_total',
      help: 'Keys added to the work queue (adds merged into a waiting key are not counted).',
      labelNames,
      registers,
    });
    this.retries = new Counter({
      name: 'stratus_workqueue_retries_total',
      help: 'Rate-limited re-adds (retries after failures) to the work queue.',
      labelNames,
      registers,
    });
    this.queueDuration = new Histogram({
      name: 'stratus_workqueue_queue_duration_seconds',
      help: 'How long a key waits in the work queue between becoming due and being processed.',
      labelNames,
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.workDuration = new Histogram({
      name: 'stratus_workqueue_work_duration_seconds',
      help: 'How long processing one key takes.',
      labelNames,
      buckets: DURATION_BUCKETS,
      registers,
    });
    const queues = this.queues;
    this.longestRunning = new Gauge({
      name: 'stratus_workqueue_longest_running_processor_seconds',
      help: 'How long the longest-running key in flight has been processing; a stuck worker shows here.',
      labelNames,
      registers,
      // Computed at scrape time: a stuck worker never calls anything that could update it.
      collect() {
        for (const queue of queues) this.set({ name: queue.name }, queue.longestRunningSeconds());
      },
    });
  }

  attach(queue: WorkQueue): void {
    for (const other of this.queues) {
      if (other.name === queue.name)
        throw new Error(`a work queue named "${queue.name}" is already registered in this registry`);
    }
    this.queues.add(queue);
    // Series exist from the start, so rate() and absent() behave before the first event.
    const labels = { name: queue.name };
    this.depth.set(labels, 0);
    this.adds.inc(labels, 0);
    this.retries.inc(labels, 0);
    this.queueDuration.zero(labels);
    this.workDuration.zero(labels);
    this.longestRunning.set(labels, 0);
  }

  detach(queue: WorkQueue): void {
    this.queues.delete(queue);
    this.longestRunning.set({ name: queue.name }, 0);
  }
}
