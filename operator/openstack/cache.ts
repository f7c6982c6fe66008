// The API's read side: one informer per kind it serves, watched with its own (service
// account) identity. Reads never go to the apiserver; who may see what is decided by
// the caller's RBAC before anything is served from here (framework/objects.ts Access).
//
// After a write made as the caller, a handler waits until the cache has caught up with the
// object it wrote (`waitFor`), so the client's next read — `openstack server create --wait`
// polls at once — sees its own write.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import {
  Flavor,
  Image,
  Instance,
  KeyPair,
  Network,
  Port,
  Project,
  resourceOf,
  SecurityGroup,
  Subnet,
  User,
  type KindDefinition,
  type KindObject,
} from '../kinds/index.js';
import type { UserObject } from '../kinds/user.js';
import { Informer } from '../runtime/informer.js';
import type { Logger } from '../runtime/logger.js';
import { objectKey, UID_INDEX, type KubeObject } from '../runtime/store.js';

/** The kinds the API serves, one informer each. */
export const servedKinds = [
  Project,
  User,
  Flavor,
  Image,
  KeyPair,
  Instance,
  Network,
  Subnet,
  Port,
  SecurityGroup,
] as const satisfies readonly KindDefinition[];

/** A kind the API serves: its definition, as the registry names it. */
export type ServedKind = (typeof servedKinds)[number];

/** Filed under the user's login name (spec.loginName, else the object name). */
export const LOGIN_INDEX = 'login';

export function loginNameOf(user: { metadata?: { name?: string }; spec?: { loginName?: string } }): string {
  return user.spec?.loginName ?? user.metadata?.name ?? '';
}

interface Waiter {
  key: string;
  done: (object: KubeObject | undefined) => boolean;
  resolve: () => void;
}

export class ApiCache {
  private readonly informers = new Map<KindDefinition, Informer>();
  private readonly waiters = new Map<KindDefinition, Set<Waiter>>();

  constructor(kubeConfig: KubeConfig, options: { registry?: Registry; logger?: Logger } = {}) {
    for (const kind of servedKinds) {
      const resource = resourceOf(kind);
      const informer = new Informer({
        kubeConfig,
        resource,
        name: `api/${resource.plural}`,
        registry: options.registry,
        logger: options.logger,
        ...(kind === User ? { indexers: { [LOGIN_INDEX]: (u: KubeObject) => [loginNameOf(u)] } } : {}),
      });
      const waiters = new Set<Waiter>();
      const check = (object: KubeObject) => {
        const key = objectKey(object);
        for (const waiter of waiters) {
          if (waiter.key === key && waiter.done(informer.store.get(key))) {
            waiters.delete(waiter);
            waiter.resolve();
          }
        }
      };
      informer.addHandler({ onAdd: check, onUpdate: (_old, object) => check(object), onDelete: check });
      this.informers.set(kind, informer);
      this.waiters.set(kind, waiters);
    }
  }

  async start(signal?: AbortSignal): Promise<void> {
    for (const informer of this.informers.values()) informer.start();
    await Promise.all([...this.informers.values()].map((i) => i.waitForSync(signal)));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }

  synced(): boolean {
    return [...this.informers.values()].every((i) => i.hasSynced());
  }

  // The informers hold what the apiserver sent for the kind, which its CRD's schema shaped.
  private informer<D extends ServedKind>(kind: D): Informer<KindObject<D>> {
    return this.informers.get(kind) as unknown as Informer<KindObject<D>>;
  }

  get<D extends ServedKind>(kind: D, name: string, namespace?: string): KindObject<D> | undefined {
    return this.informer(kind).store.get(objectKey({ name, namespace }));
  }

  list<D extends ServedKind>(kind: D, namespace?: string): KindObject<D>[] {
    return this.informer(kind).store.list(namespace === undefined ? {} : { namespace });
  }

  /** The object with this uid (the OpenStack ID), optionally only in these namespaces. */
  byUid<D extends ServedKind>(
    kind: D,
    uid: string,
    namespaces?: readonly string[],
  ): KindObject<D> | undefined {
    const found = this.informer(kind).store.byIndex(UID_INDEX, uid)[0];
    if (!found) return undefined;
    if (namespaces && !namespaces.includes(found.metadata?.namespace ?? '')) return undefined;
    return found;
  }

  userByLogin(login: string): UserObject[] {
    return this.informer(User).store.byIndex(LOGIN_INDEX, login);
  }

  /**
   * Resolve once the cache holds `written` (the object a write returned) or something newer,
   * or no longer holds it when `gone`, with what it then holds (`written` if that is
   * nothing). Gives up quietly after `timeoutMs`: the write happened; at worst the next read
   * is a moment stale.
   */
  async waitFor<T extends KubeObject>(
    kind: KindDefinition,
    written: T,
    options: { gone?: boolean; timeoutMs?: number } = {},
  ): Promise<T> {
    const version = Number(written.metadata?.resourceVersion ?? 0);
    const uid = written.metadata?.uid;
    const cached = await this.until<T>(
      kind,
      written,
      (object) => {
        if (options.gone)
          return !object || object.metadata?.uid !== uid || !!object.metadata?.deletionTimestamp;
        if (!object || object.metadata?.uid !== uid) return false;
        // resourceVersions are etcd revisions; comparing them is what "caught up" means here.
        return Number(object.metadata?.resourceVersion ?? 0) >= version;
      },
      options.timeoutMs ?? 3000,
    );
    return cached ?? written;
  }

  /** The cached object once `done` accepts it (undefined after `timeoutMs`). */
  until<T extends KubeObject>(
    kind: KindDefinition,
    ref: KubeObject | { name: string; namespace?: string },
    done: (object: T | undefined) => boolean,
    timeoutMs: number,
  ): Promise<T | undefined> {
    const key = objectKey(ref);
    const store = (this.informers.get(kind) as Informer<T> | undefined)?.store;
    if (!store) throw new Error(`the API does not cache ${kind.plural}`);
    const current = store.get(key);
    if (done(current)) return Promise.resolve(current);
    return new Promise((resolve) => {
      const waiters = this.waiters.get(kind)!;
      const waiter: Waiter = {
        key,
        done: done as Waiter['done'],
        resolve: () => {
          clearTimeout(timer);
          resolve(store.get(key));
        },
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        resolve(undefined);
      }, timeoutMs);
      waiters.add(waiter);
    });
  }
}
