// An informer keeps a Store in step with one resource and tells handlers what changed.
//
// The cycle is client-go's reflector and kube-rs' watcher: list (in pages), then watch from
// the list's resourceVersion, resuming each new watch from the last version seen (bookmarks
// advance it while nothing changes). Everything that can go wrong ends in one of two moves:
//   - the resume point is gone (410, e.g. after an apiserver restart or etcd compaction):
//     list again, and turn the difference between the store and the fresh list into
//     deletes and updates, so handlers never miss an event for good;
//   - anything else (connection refused, stream cut, 5xx): wait (exponential backoff with
//     jitter) and watch again from the same point.
// A watch can also die without telling anyone (a NAT or load balancer drops an idle TCP
// flow; no FIN ever arrives). The apiserver sends a bookmark about once a minute on every
// watch, so a watch that has said nothing for longer than a bound is dead: the watchdog
// aborts it and a new one resumes where it left off.
import type { KubeConfig } from '@kubernetes/client-node';
import { Counter, Gauge, type Registry } from 'prom-client';
import { apiVersionOf, resourceName, type ResourceDescriptor } from './resource.js';
import { objectKey, Store, type IndexFunc, type KubeObject, type StoreReader } from './store.js';
import { silentLogger, type Logger } from './logger.js';
import { ApiError, listPage, watch, type WatchEventType } from './watch.js';

export interface EventHandlers<T extends KubeObject> {
  onAdd?(object: T): void;
  /** `oldObject === newObject` for a periodic resync (nothing changed on the server). */
  onUpdate?(oldObject: T, newObject: T): void;
  /**
   * `finalStateUnknown`: the object vanished while we were not watching (found missing by a
   * relist), so `object` is the last state we saw, not the state it was deleted in.
   */
  onDelete?(object: T, info: { finalStateUnknown: boolean }): void;
}

/** How often the apiserver sends a bookmark on an idle watch (its watch cache's fixed interval). */
export const BOOKMARK_INTERVAL_MS = 60_000;

export interface InformerOptions<T extends KubeObject> {
  kubeConfig: KubeConfig;
  resource: ResourceDescriptor;
  /** Watch one namespace only; all namespaces (or a cluster-scoped resource) when absent. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Objects per list page (default 500, as client-go). */
  pageSize?: number;
  /**
   * Restart a watch that has delivered nothing (not even a bookmark) for this long.
   * Default twice the bookmark interval: one missed bookmark is tolerated, two are not.
   */
  stallTimeoutMs?: number;
  /**
   * Server-side lifetime of each watch. Default: random in [5, 10) minutes, so many
   * informers started together do not all reconnect at the same instant.
   */
  watchTimeoutSeconds?: number;
  /** Re-deliver every cached object as an update this often; 0 (default) never. */
  resyncPeriodMs?: number;
  /** A list page request that is silent this long fails and is retried. Default 60 s. */
  requestTimeoutMs?: number;
  backoff?: { initialMs?: number; maxMs?: number };
  /** Metrics go here; none are registered without one. */
  registry?: Registry;
  /** The `informer` label of metrics and logs; default the resource (and namespace). */
  name?: string;
  logger?: Logger;
  indexers?: Record<string, IndexFunc<T>>;
}

/** Why a watch ended and a new one started (the `reason` label). */
export type RestartReason =
  /** the server ended the stream (its timeout, or a graceful shutdown) */
  | 'closed'
  /** the watchdog found it silent for too long */
  | 'stalled'
  /** 410: the resume point is gone; a relist follows */
  | 'gone'
  /** connection failure, error status or malformed stream */
  | 'error';

/** Why the informer listed again after its first list (the `reason` label). */
export type RelistReason =
  /** a watch answered 410 */
  | 'gone'
  /** the continue token of a paged list expired between pages */
  | 'expired';

class StalledWatch extends Error {
  override name = 'StalledWatch';
}

class Stopped extends Error {
  override name = 'Stopped';
  constructor() {
    super('informer stopped');
  }
}

class ExpiredContinue extends Error {
  override name = 'ExpiredContinue';
}

/** Exponential backoff with jitter: 0.5x to 1x of the doubling step, capped. */
class Backoff {
  private attempt = 0;
  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
  ) {}

  next(): number {
    const step = Math.min(this.maxMs, this.initialMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    // Jitter so that informers cut off together (an apiserver restart) do not come back together.
    return step / 2 + (Math.random() * step) / 2;
  }

  reset(): void {
    this.attempt = 0;
  }
}

function counter<L extends string>(
  registry: Registry | undefined,
  config: { name: string; help: string; labelNames: readonly L[] },
): Counter<L> {
  const existing = registry?.getSingleMetric(config.name);
  if (existing) return existing as Counter<L>;
  return new Counter({ ...config, registers: registry ? [registry] : [] });
}

function gauge<L extends string>(
  registry: Registry | undefined,
  config: { name: string; help: string; labelNames: readonly L[] },
): Gauge<L> {
  const existing = registry?.getSingleMetric(config.name);
  if (existing) return existing as Gauge<L>;
  return new Gauge({ ...config, registers: registry ? [registry] : [] });
}

/** Informer metrics; several informers share them through one registry (label `informer`). */
function informerMetrics(registry: Registry | undefined) {
  return {
    watchRestarts: counter(registry, {
      name: 'stratus_informer_watch_restarts_total',
      help: 'Watches that ended and were started again, by reason (closed, stalled, gone, error)',
      labelNames: ['informer', 'reason'],
    }),
    relists: counter(registry, {
      name: 'stratus_informer_relists_total',
      help: 'Full lists after the first one, by reason (gone: watch got 410; expired: continue token expired)',
      labelNames: ['informer', 'reason'],
    }),
    events: counter(registry, {
      name: 'stratus_informer_events_total',
      help: 'Watch events received, by type',
      labelNames: ['informer', 'type'],
    }),
    storeObjects: gauge(registry, {
      name: 'stratus_informer_store_objects',
      help: 'Objects in the informer cache',
      labelNames: ['informer'],
    }),
  };
}

export class Informer<T extends KubeObject = KubeObject> {
  private readonly cache: Store<T>;
  readonly name: string;
  private readonly options: InformerOptions<T>;
  private readonly handlers = new Set<EventHandlers<T>>();
  private readonly abort = new AbortController();
  private readonly backoff: Backoff;
  private readonly metrics: ReturnType<typeof informerMetrics>;
  private readonly logger: Logger;
  private readonly stallTimeoutMs: number;
  private running: Promise<void> | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private synced = false;
  private readonly syncWaiters = new Set<{ resolve: () => void; reject: (error: Error) => void }>();

  constructor(options: InformerOptions<T>) {
    this.options = options;
    this.cache = new Store<T>({ indexers: options.indexers });
    this.name =
      options.name ??
      (options.namespace
        ? `${options.namespace}/${resourceName(options.resource)}`
        : resourceName(options.resource));
    this.backoff = new Backoff(options.backoff?.initialMs ?? 500, options.backoff?.maxMs ?? 30_000);
    this.metrics = informerMetrics(options.registry);
    this.logger = (options.logger ?? silentLogger()).child({ component: 'informer', informer: this.name });
    this.stallTimeoutMs = options.stallTimeoutMs ?? 2 * BOOKMARK_INTERVAL_MS;
  }

  /**
   * Register handlers. If the informer has synced already, `onAdd` is called at once for
   * every cached object, so a late subscriber sees the same world as an early one.
   * Returns a function that unregisters them.
   */
  addHandler(handlers: EventHandlers<T>): () => void {
    this.handlers.add(handlers);
    if (this.synced) {
      for (const object of this.cache.list()) this.call('onAdd', object, () => handlers.onAdd?.(object));
    }
    return () => void this.handlers.delete(handlers);
  }

  /** Start listing and watching. An informer runs once: after stop(), make a new one. */
  start(): void {
    if (this.abort.signal.aborted) throw new Error(`informer ${this.name} was stopped; create a new one`);
    if (this.running) return;
    this.running = this.run();
    const resync = this.options.resyncPeriodMs ?? 0;
    if (resync > 0) this.resyncTimer = setInterval(() => this.resync(), resync);
  }

  /** Stop watching; resolves when the current request has been torn down. Idempotent. */
  async stop(): Promise<void> {
    if (!this.abort.signal.aborted) this.abort.abort(new Stopped());
    clearInterval(this.resyncTimer);
    for (const waiter of this.syncWaiters)
      waiter.reject(new Error(`informer ${this.name} stopped before it synced`));
    this.syncWaiters.clear();
    await this.running;
  }

  /** True once the first full list is in the store (and handlers have seen it). */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves once synced; rejects if the informer is stopped first or `signal` aborts. */
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.synced) return Promise.resolve();
    if (this.abort.signal.aborted) return Promise.reject(new Error(`informer ${this.name} is stopped`));
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (error: Error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      const onAbort = () => {
        this.syncWaiters.delete(waiter);
        reject(signal?.reason instanceof Error ? signal.reason : new Error('waitForSync aborted'));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.add(waiter);
    });
  }

  /** Add an index to the cache (controller-runtime's IndexField); see Store.addIndex. */
  addIndex(name: string, fn: IndexFunc<T>): void {
    this.cache.addIndex(name, fn);
  }

  /** The cache. Read-only: only the informer writes it, so it never disagrees with the server for long. */
  get store(): StoreReader<T> {
    return this.cache;
  }

  /** The resourceVersion the next watch resumes from. */
  get lastSyncResourceVersion(): string {
    return this.cache.resourceVersion;
  }

  private get signal(): AbortSignal {
    return this.abort.signal;
  }

  private async run(): Promise<void> {
    let relist: RelistReason | 'initial' | undefined = 'initial';
    let expiredInARow = 0;
    while (!this.signal.aborted) {
      let watching = false;
      try {
        if (relist) {
          await this.list();
          relist = undefined;
          expiredInARow = 0;
          this.backoff.reset();
        }
        watching = true;
        const { events } = await this.watchOnce();
        this.restarted('closed', { events });
        // A stream that closes before saying anything is a server in trouble; don't spin.
        if (events === 0) await this.sleep(this.backoff.next());
      } catch (error) {
        if (this.signal.aborted) break;
        if (error instanceof StalledWatch) {
          this.restarted('stalled', { error: error.message });
        } else if (error instanceof ExpiredContinue) {
          // The store keeps serving the previous (consistent) state while we start over.
          relist = 'expired';
          this.metrics.relists.inc({ informer: this.name, reason: relist });
          this.logger.info('continue token expired during list; listing again');
          if (++expiredInARow > 1) await this.sleep(this.backoff.next());
        } else if (error instanceof ApiError && error.gone && watching) {
          this.restarted('gone', { error: error.message });
          relist = 'gone';
          this.metrics.relists.inc({ informer: this.name, reason: relist });
        } else {
          if (watching) this.restarted('error', { error: describe(error) });
          else this.logger.warn('list failed; retrying with backoff', { error: describe(error) });
          const retryAfterMs =
            error instanceof ApiError && error.retryAfterSeconds ? error.retryAfterSeconds * 1000 : 0;
          await this.sleep(Math.max(this.backoff.next(), retryAfterMs));
        }
      }
    }
  }

  private restarted(reason: RestartReason, detail: Record<string, unknown>): void {
    this.metrics.watchRestarts.inc({ informer: this.name, reason });
    this.logger.log(reason === 'closed' ? 'debug' : 'info', 'watch restarting', {
      reason,
      resourceVersion: this.cache.resourceVersion,
      ...detail,
    });
  }

  /** Wait, unless stop() comes first. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.signal.addEventListener('abort', done, { once: true });
    });
  }

  /** List every page, then make the store equal to the result. */
  private async list(): Promise<void> {
    const { kubeConfig, resource, namespace, labelSelector, fieldSelector } = this.options;
    const items: T[] = [];
    let resourceVersion = '';
    let next: string | undefined;
    let pages = 0;
    do {
      let page;
      try {
        page = await listPage<T>(kubeConfig, resource, {
          namespace,
          labelSelector,
          fieldSelector,
          limit: this.options.pageSize ?? 500,
          continue: next,
          signal: this.signal,
          idleTimeoutMs: this.options.requestTimeoutMs,
        });
      } catch (error) {
        // A continue token pins the snapshot of the first page; once etcd compacts past
        // it the rest of that snapshot is gone. Half a list cannot tell us what was
        // deleted, so start over instead of taking the "inconsistent" token offered.
        if (error instanceof ApiError && error.gone && next) throw new ExpiredContinue(error.message);
        throw error;
      }
      pages++;
      for (const item of page.items) items.push(this.stamp(item));
      resourceVersion = page.metadata.resourceVersion ?? '';
      next = page.metadata.continue || undefined;
    } while (next);
    if (!resourceVersion) throw new Error('list response without metadata.resourceVersion');
    this.logger.debug('listed', { objects: items.length, pages, resourceVersion });
    this.replace(items, resourceVersion);
  }

  /**
   * Swap in a fresh list and tell handlers what differs from what they saw: objects gone
   * from the list are deletes (final state unknown), new ones adds, and ones whose
   * resourceVersion moved updates. Unchanged objects are not re-announced.
   */
  private replace(items: T[], resourceVersion: string): void {
    const previous = new Map(this.cache.keys().map((key) => [key, this.cache.get(key) as T]));
    this.cache.replace(items, resourceVersion);
    this.updateSize();
    const firstSync = !this.synced;
    this.synced = true;

    for (const [key, old] of previous) {
      if (!this.cache.has(key)) this.emitDelete(old, true);
    }
    for (const key of this.cache.keys()) {
      const current = this.cache.get(key) as T;
      const old = previous.get(key);
      if (!old) this.emitAdd(current);
      else if (old.metadata?.resourceVersion !== current.metadata?.resourceVersion)
        this.emitUpdate(old, current);
    }
    if (firstSync) {
      this.logger.info('synced', { objects: this.cache.size, resourceVersion });
      for (const waiter of this.syncWaiters) waiter.resolve();
      this.syncWaiters.clear();
    }
  }

  /** Watch from the store's resourceVersion until the stream ends (returns) or fails (throws). */
  private async watchOnce(): Promise<{ events: number }> {
    const { kubeConfig, resource, namespace, labelSelector, fieldSelector } = this.options;
    const controller = new AbortController();
    const onStop = () => controller.abort(this.signal.reason);
    this.signal.addEventListener('abort', onStop, { once: true });
    let watchdog: NodeJS.Timeout | undefined;
    const rearm = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(
        () => controller.abort(new StalledWatch(`no event for ${this.stallTimeoutMs} ms`)),
        this.stallTimeoutMs,
      );
    };
    rearm(); // the connection and its response headers count too
    let events = 0;
    try {
      const stream = watch<T>(kubeConfig, resource, {
        namespace,
        labelSelector,
        fieldSelector,
        resourceVersion: this.cache.resourceVersion,
        timeoutSeconds: this.options.watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 300),
        allowWatchBookmarks: true,
        signal: controller.signal,
      });
      for await (const event of stream) {
        rearm();
        events++;
        // The stream works; the next failure starts its backoff from the bottom.
        if (event.type !== 'ERROR') this.backoff.reset();
        this.metrics.events.inc({ informer: this.name, type: event.type satisfies WatchEventType });
        switch (event.type) {
          case 'ERROR':
            throw ApiError.fromStatus(event.object);
          case 'BOOKMARK':
            this.cache.resourceVersion = event.object.metadata.resourceVersion;
            break;
          case 'ADDED':
          case 'MODIFIED':
            this.applyUpsert(this.stamp(event.object));
            break;
          case 'DELETED':
            this.applyDelete(this.stamp(event.object));
            break;
        }
      }
      return { events };
    } finally {
      clearTimeout(watchdog);
      this.signal.removeEventListener('abort', onStop);
    }
  }

  private applyUpsert(object: T): void {
    const previous = this.cache.upsert(object);
    this.advance(object);
    const current = this.cache.get(objectKey(object)) as T;
    if (!previous) {
      this.updateSize();
      this.emitAdd(current);
    } else if (previous.metadata?.resourceVersion !== current.metadata?.resourceVersion) {
      this.emitUpdate(previous, current);
    }
  }

  private applyDelete(object: T): void {
    const previous = this.cache.delete(objectKey(object));
    this.advance(object);
    if (previous) {
      this.updateSize();
      this.emitDelete(object, false);
    }
  }

  private advance(object: T): void {
    const rv = object.metadata?.resourceVersion;
    if (rv) this.cache.resourceVersion = rv;
  }

  /** List items come without apiVersion and kind; give every stored object both. */
  private stamp(object: T): T {
    if (object.apiVersion && object.kind) return object;
    return { ...object, apiVersion: apiVersionOf(this.options.resource), kind: this.options.resource.kind };
  }

  private resync(): void {
    if (!this.synced || this.signal.aborted) return;
    for (const object of this.cache.list()) this.emitUpdate(object, object);
  }

  private updateSize(): void {
    this.metrics.storeObjects.set({ informer: this.name }, this.cache.size);
  }

  private emitAdd(object: T): void {
    for (const h of this.handlers) this.call('onAdd', object, () => h.onAdd?.(object));
  }

  private emitUpdate(oldObject: T, newObject: T): void {
    for (const h of this.handlers) this.call('onUpdate', newObject, () => h.onUpdate?.(oldObject, newObject));
  }

  private emitDelete(object: T, finalStateUnknown: boolean): void {
    for (const h of this.handlers) {
      this.call('onDelete', object, () => h.onDelete?.(object, { finalStateUnknown }));
    }
  }

  /** A throwing handler must not stop the informer or the other handlers. */
  private call(handler: keyof EventHandlers<T>, object: T, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.logger.error('event handler failed', {
        handler,
        namespace: object.metadata?.namespace,
        name: object.metadata?.name,
        error: describe(error),
      });
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
