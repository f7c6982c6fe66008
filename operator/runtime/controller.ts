// Controllers in the shape controller-runtime made familiar:
//
//   controller(projects).owns(namespaces).watches(users, mapFn).reconcile(fn)
//
// A Manager (manager.ts) holds one shared informer per resource (every controller of the process reads
// the same cache, through indexes it registers with `indexField`) and runs the controllers.
// A reconcile gets the object from the cache and answers { requeueAfterMs? }, or throws: a
// TerminalError is not retried and is written to the object's Ready/Degraded conditions;
// any other error is retried with backoff.
//
// The runtime, not each controller, owns what every controller would otherwise re-roll:
// an object being deleted is never reconciled; one with a `cleanup` gets our finalizer
// (see finalizer.ts for the state machine and its guarantees); status is written one way,
// `ctx.status` (see status.ts).
import type { KubeClient } from './client.js';
import type { EventRecorder } from './events.js';
import { type Logger } from './logger.js';
import { apiVersionOf, type ResourceDescriptor } from './resource.js';
import { type StatusObject, type StatusView } from './status.js';
import { type IndexFunc, type KubeObject } from './store.js';
import type { Manager } from './manager.js';

export interface ObjectRef {
  name: string;
  namespace?: string;
}

export interface ReconcileResult {
  /** Reconcile again after this long even if nothing changes (polling a backend). */
  requeueAfterMs?: number;
}

export { TerminalError } from './errors.js';

export interface ReconcileContext {
  client: KubeClient;
  logger: Logger;
  events: EventRecorder;
  signal: AbortSignal;
  manager: Manager;
  /**
   * Write the reconciled object's status: the view's fields with its Ready condition, in
   * one server-side apply, skipped when nothing would change (see status.ts). A terminal
   * view is thrown instead, as a TerminalError, for the runtime to report.
   */
  status(object: StatusObject, view: StatusView): Promise<void>;
}

export type Reconcile<T extends KubeObject> = (
  object: T,
  ctx: ReconcileContext,
) => Promise<ReconcileResult | void>;

/** Maps a changed object to the keys to reconcile; may read the manager's caches. */
export type MapFunc<W extends KubeObject = KubeObject> = (object: W, manager: Manager) => ObjectRef[];

export interface Watched {
  resource: ResourceDescriptor;
  map: MapFunc;
  uses?: (object: KubeObject) => unknown;
}

export interface WatchOptions<W extends KubeObject> {
  /**
   * What the reconciled objects read of a watched one. An update that leaves it unchanged
   * wakes nobody: a Subnet's usage counters tick with every address handed out, and
   * without this each tick would reconcile every instance on the network.
   */
  uses?: (object: W) => unknown;
}

/** A field index on a shared informer, as controller-runtime's IndexField. */
export interface FieldIndex {
  resource: ResourceDescriptor;
  name: string;
  index: IndexFunc<KubeObject>;
}

export interface ControllerSpec<T extends KubeObject> {
  name: string;
  resource: ResourceDescriptor;
  watched: Watched[];
  indexes: FieldIndex[];
  /** Make the world match the object; never called for an object being deleted. */
  reconcile: Reconcile<T>;
  /** Undo what reconcile did outside the API server; its presence gives objects our finalizer. */
  cleanup?: Reconcile<T>;
  concurrency: number;
  /** Milliseconds an ordinary (not urgent) wake-up waits so that a flurry merges; 0 = none. */
  coalesceMs: number;
  /** Called when a key comes up whose object is gone, to drop what the reconciler kept of it. */
  whenGone?: (ref: ObjectRef) => void;
}

/** Children whose controller owner reference points at an object of `owner`. */
function ownerOf(owner: ResourceDescriptor): (object: KubeObject) => ObjectRef[] {
  const apiVersion = apiVersionOf(owner);
  return (object) =>
    (object.metadata?.ownerReferences ?? [])
      .filter((ref) => ref.controller && ref.kind === owner.kind && ref.apiVersion === apiVersion)
      // An owner is cluster-scoped or in the child's namespace; a namespaced owner cannot own
      // across namespaces.
      .map((ref) => ({
        name: ref.name,
        namespace: owner.namespaced ? object.metadata?.namespace : undefined,
      }));
}

export class ControllerBuilder<T extends KubeObject> {
  private readonly watched: Watched[] = [];
  private readonly indexes: FieldIndex[] = [];
  private cleanupFn: Reconcile<T> | undefined;
  private concurrency = 4;
  private coalesceMs = 0;
  private gone: ((ref: ObjectRef) => void) | undefined;
  private name: string;

  constructor(private readonly resource: ResourceDescriptor) {
    this.name = resource.plural;
  }

  /** Reconcile the owner when an object it controls (controller owner reference) changes. */
  owns(child: ResourceDescriptor): this {
    this.watched.push({ resource: child, map: ownerOf(this.resource) });
    return this;
  }

  /** Reconcile the objects `map` names when an object of `resource` changes. */
  watches<W extends KubeObject>(
    resource: ResourceDescriptor,
    map: MapFunc<W>,
    options: WatchOptions<W> = {},
  ): this {
    this.watched.push({
      resource,
      map: map as MapFunc,
      ...(options.uses ? { uses: options.uses as (object: KubeObject) => unknown } : {}),
    });
    return this;
  }

  /**
   * Index the shared informer of `resource` by the values `index` gives for each object, so
   * a map function or reconcile finds them with `manager.byIndex(resource, name, value)`
   * instead of scanning the kind. One name means one index across all controllers.
   */
  indexField<W extends KubeObject>(
    resource: ResourceDescriptor,
    name: string,
    index: (object: W) => readonly string[],
  ): this {
    this.indexes.push({ resource, name, index: index as IndexFunc<KubeObject> });
    return this;
  }

  /**
   * Give the objects our finalizer and run `fn` when one is deleted, before the finalizer
   * is removed (kube-rs's `finalizer()`; see finalizer.ts). For what owner references cannot
   * reach: children in another scope, state in a backend.
   */
  cleanup(fn: Reconcile<T>): this {
    this.cleanupFn = fn;
    return this;
  }

  named(name: string): this {
    this.name = name;
    return this;
  }

  withConcurrency(workers: number): this {
    this.concurrency = workers;
    return this;
  }

  /**
   * Let ordinary wake-ups (children's and neighbours' events, status echoes, resyncs) wait
   * `ms` before the reconcile, so a flurry of them (a VM, its VMI and its disk moving through
   * their phases within a few milliseconds) costs one reconcile and one status write instead
   * of one each. A new or edited object (urgent) is never delayed.
   */
  coalescing(ms: number): this {
    this.coalesceMs = ms;
    return this;
  }

  /**
   * Call `fn` once an object is gone (its key comes up and the cache no longer holds it), for
   * a reconciler that keeps something in memory per object.
   */
  whenGone(fn: (ref: ObjectRef) => void): this {
    this.gone = fn;
    return this;
  }

  reconcile(fn: Reconcile<T>): ControllerSpec<T> {
    return {
      coalesceMs: this.coalesceMs,
      ...(this.gone ? { whenGone: this.gone } : {}),
      name: this.name,
      resource: this.resource,
      watched: [...this.watched],
      indexes: [...this.indexes],
      reconcile: fn,
      ...(this.cleanupFn ? { cleanup: this.cleanupFn } : {}),
      concurrency: this.concurrency,
    };
  }
}

/** Start describing a controller for a kind. */
export function controllerFor<T extends KubeObject>(resource: ResourceDescriptor): ControllerBuilder<T> {
  return new ControllerBuilder<T>(resource);
}
