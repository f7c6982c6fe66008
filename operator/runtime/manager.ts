// The Manager: one shared informer per resource (every controller of the process reads the
// same cache, through the indexes controllers register), and the loop that runs each
// controller's reconciles off its work queue — finalizers, terminal errors and status writes
// included, so no controller re-rolls them (see controller.ts for how a controller is declared).
import type { KubeConfig } from '@kubernetes/client-node';
import { getMaxListeners, setMaxListeners } from 'node:events';
import { isDeepStrictEqual } from 'node:util';
import { Counter, Histogram, type Registry } from 'prom-client';
import { KubeClient } from './client.js';
import { TerminalError, terminalConditions } from './errors.js';
import { EventRecorder } from './events.js';
import { finalizer } from './finalizer.js';
import { Informer, type EventHandlers } from './informer.js';
import { silentLogger, type Logger } from './logger.js';
import { resourceName, type ResourceDescriptor } from './resource.js';
import { writeStatus } from './status.js';
import { objectKey, splitKey, type KubeObject } from './store.js';
import { WorkQueue } from './workqueue.js';
import type { ControllerSpec, ObjectRef, ReconcileContext, ReconcileResult, Watched } from './controller.js';

function controllerMetrics(registry: Registry | undefined) {
  const registers = registry ? [registry] : [];
  return {
    total: new Counter({
      name: 'stratus_controller_reconcile_total',
      help: 'Reconciles by controller and result (success, requeue, error, terminal)',
      labelNames: ['controller', 'result'] as const,
      registers,
    }),
    errors: new Counter({
      name: 'stratus_controller_reconcile_errors_total',
      help: 'Reconciles that failed, by controller',
      labelNames: ['controller'] as const,
      registers,
    }),
    duration: new Histogram({
      name: 'stratus_controller_reconcile_time_seconds',
      help: 'Time per reconcile, by controller',
      labelNames: ['controller'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
  };
}

export interface ManagerOptions {
  kubeConfig: KubeConfig;
  registry?: Registry;
  logger?: Logger;
  /** Identity in Events (reportingInstance): pod name or host. */
  identity?: string;
  /** Options for every informer (timeouts; tests shorten them). */
  informer?: { stallTimeoutMs?: number; resyncPeriodMs?: number };
}

/** Whether the object's spec has changed since its status last said it was observed. */
export function specPending(object: KubeObject): boolean {
  const generation = object.metadata?.generation;
  const observed = (object as { status?: { observedGeneration?: number } }).status?.observedGeneration;
  return generation !== undefined && generation !== observed;
}

/**
 * Informer handlers for a watched resource: each event queues the objects `watched.map`
 * names (for an update, those named by the old and the new version), unless the update
 * leaves what they use unchanged.
 */
export function watchHandlers(
  watched: Pick<Watched, 'map' | 'uses'>,
  manager: Manager,
  enqueue: (ref: ObjectRef) => void,
): EventHandlers<KubeObject> {
  const mapped = (object: KubeObject) => {
    for (const ref of watched.map(object, manager)) enqueue(ref);
  };
  return {
    onAdd: mapped,
    onUpdate: (old, object) => {
      if (watched.uses && isDeepStrictEqual(watched.uses(old), watched.uses(object))) return;
      mapped(old);
      mapped(object);
    },
    onDelete: mapped,
  };
}

/**
 * How events reach a controller's queue. The primary object with a spec not yet acted on
 * (new, edited) is queued at once and ahead of the rest; any other wake-up (`wake`: a
 * status echo, a child's or neighbour's event, a resync) waits `coalesceMs`, merged with
 * whatever else arrives for the key meanwhile.
 */
export function queueFeeder(queue: Pick<WorkQueue, 'add' | 'addAfter'>, coalesceMs: number) {
  const wake = (key: string) => (coalesceMs > 0 ? queue.addAfter(key, coalesceMs) : queue.add(key));
  const enqueue = (object: KubeObject) =>
    specPending(object) ? queue.add(objectKey(object), { urgent: true }) : wake(objectKey(object));
  return { wake, enqueue };
}

/**
 * Shared informers plus the controllers that use them. Informers may start before
 * leadership (a warm cache lets a new leader act at once); controllers run only while
 * `runControllers` is in progress.
 */
export class Manager {
  readonly client: KubeClient;
  readonly events: EventRecorder;
  readonly logger: Logger;
  private readonly informers = new Map<string, Informer>();
  private readonly specs: Array<ControllerSpec<KubeObject>> = [];
  private readonly metrics: ReturnType<typeof controllerMetrics>;

  constructor(private readonly options: ManagerOptions) {
    this.logger = options.logger ?? silentLogger();
    this.client = new KubeClient(options.kubeConfig);
    this.events = new EventRecorder(
      this.client,
      'stratus-operator',
      options.identity ?? 'stratus-operator',
      this.logger,
    );
    this.metrics = controllerMetrics(options.registry);
  }

  /** The shared informer of a resource (created on first use, started by `start`). */
  informer<T extends KubeObject = KubeObject>(resource: ResourceDescriptor): Informer<T> {
    const key = resourceName(resource);
    let informer = this.informers.get(key);
    if (!informer) {
      informer = new Informer({
        kubeConfig: this.options.kubeConfig,
        resource,
        registry: this.options.registry,
        logger: this.logger,
        ...this.options.informer,
      });
      this.informers.set(key, informer);
    }
    return informer as unknown as Informer<T>;
  }

  /** Objects of `resource` filed under `value` in the field index `name` (see indexField). */
  byIndex<T extends KubeObject = KubeObject>(resource: ResourceDescriptor, name: string, value: string): T[] {
    return this.informer<T>(resource).store.byIndex(name, value);
  }

  /** The cached object, if any. */
  cached<T extends KubeObject = KubeObject>(resource: ResourceDescriptor, ref: ObjectRef): T | undefined {
    return this.informer<T>(resource).store.get(objectKey(ref));
  }

  add<T extends KubeObject>(spec: ControllerSpec<T>): void {
    this.specs.push(spec as unknown as ControllerSpec<KubeObject>);
    this.informer(spec.resource);
    for (const w of spec.watched) this.informer(w.resource);
    for (const i of spec.indexes) this.informer(i.resource).addIndex(i.name, i.index);
  }

  /** Start every informer and wait until all have synced. */
  async startInformers(signal?: AbortSignal): Promise<void> {
    // Every informer waits on the same signal; more than Node's default of 10 is expected.
    if (signal) setMaxListeners(Math.max(getMaxListeners(signal), this.informers.size + 10), signal);
    for (const informer of this.informers.values()) informer.start();
    await Promise.all([...this.informers.values()].map((i) => i.waitForSync(signal)));
  }

  async stopInformers(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
    this.client.close();
  }

  /** Run every controller until `signal` aborts; resolves once in-flight reconciles finish. */
  async runControllers(signal: AbortSignal): Promise<void> {
    await this.startInformers(signal);
    await Promise.all(this.specs.map((spec) => this.runController(spec, signal)));
  }

  private async runController(spec: ControllerSpec<KubeObject>, signal: AbortSignal): Promise<void> {
    const logger = this.logger.child({ controller: spec.name });
    const queue = new WorkQueue({ name: spec.name, registry: this.options.registry, logger });
    const primary = this.informer(spec.resource);
    // A spec not yet acted on (a new object, an edit) is what someone is waiting for: it
    // goes ahead of status refreshes and of events from children.
    const { wake, enqueue } = queueFeeder(queue, spec.coalesceMs);
    const unsubscribe = [
      primary.addHandler({
        onAdd: enqueue,
        // Resyncs (same object twice) and status-only writes still enqueue: level-triggered,
        // so a reconcile that lost a race simply runs again.
        onUpdate: (_old, object) => enqueue(object),
        onDelete: enqueue,
      }),
      ...spec.watched.map((w) =>
        this.informer(w.resource).addHandler(watchHandlers(w, this, (ref) => wake(objectKey(ref)))),
      ),
    ];
    const stop = () => void queue.shutdown();
    signal.addEventListener('abort', stop, { once: true });
    try {
      await queue.run(
        async (key, workerSignal) => {
          const ref = splitKey(key);
          const object = primary.store.get(key);
          if (!object) {
            queue.forget(key); // gone: owner references and finalizers have done the rest
            spec.whenGone?.(ref);
            return;
          }
          const log = logger.child({ namespace: ref.namespace, name: ref.name });
          const end = this.metrics.duration.startTimer({ controller: spec.name });
          try {
            const result = await this.reconcileOne(spec, object, {
              client: this.client,
              logger: log,
              events: this.events,
              signal: workerSignal,
              manager: this,
              status: async (target, view) => {
                if (view.terminal) throw TerminalError.of(view);
                await writeStatus(this.client, spec.resource, target, view.status, view.ready);
              },
            });
            queue.forget(key);
            if (result?.requeueAfterMs !== undefined) {
              queue.addAfter(key, result.requeueAfterMs);
              this.metrics.total.inc({ controller: spec.name, result: 'requeue' });
            } else {
              this.metrics.total.inc({ controller: spec.name, result: 'success' });
            }
          } catch (error) {
            this.metrics.errors.inc({ controller: spec.name });
            if (error instanceof TerminalError) {
              queue.forget(key);
              this.metrics.total.inc({ controller: spec.name, result: 'terminal' });
              log.warn('reconcile failed; not retrying until the object changes', {
                reason: error.reason,
                error: error.message,
              });
              await this.reportTerminal(spec.resource, object, error).catch((e: unknown) =>
                log.error('could not report the failure on the object', { error: String(e) }),
              );
            } else {
              this.metrics.total.inc({ controller: spec.name, result: 'error' });
              log.error('reconcile failed; retrying with backoff', {
                error: error instanceof Error ? error.message : String(error),
                retries: queue.retries(key),
              });
              queue.addRateLimited(key);
            }
          } finally {
            end();
          }
        },
        { concurrency: spec.concurrency },
      );
    } finally {
      signal.removeEventListener('abort', stop);
      for (const off of unsubscribe) off();
    }
  }

  /** Reconcile, or clean up through our finalizer, or leave alone an object being deleted. */
  private async reconcileOne(
    spec: ControllerSpec<KubeObject>,
    object: KubeObject,
    ctx: ReconcileContext,
  ): Promise<ReconcileResult | void> {
    const { cleanup } = spec;
    if (cleanup) {
      return finalizer(this.client, spec.resource, object, {
        apply: (current) => spec.reconcile(current, ctx),
        cleanup: (current) => cleanup(current, ctx),
      });
    }
    // Owner references hand the children to the garbage collector: nothing to do.
    if (object.metadata?.deletionTimestamp) return;
    return spec.reconcile(object, ctx);
  }

  /**
   * Ready=False and Degraded=True with the reason, beside the status fields the error
   * carries (else the object's current ones), and a Warning event.
   */
  private async reportTerminal(
    resource: ResourceDescriptor,
    object: KubeObject,
    error: TerminalError,
  ): Promise<void> {
    const {
      conditions: _conditions,
      observedGeneration: _generation,
      ...current
    } = (object as { status?: Record<string, unknown> }).status ?? {};
    const written = await writeStatus(
      this.client,
      resource,
      object,
      error.status ?? current,
      ...terminalConditions(error),
    );
    // Once per failure, not once per wake-up of an object that stays failed.
    if (written) await this.events.record(resource, object, 'Warning', error.reason, error.message);
  }
}
