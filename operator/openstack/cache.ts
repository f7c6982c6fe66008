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
} from '../kinds/index.js';
import { Informer } from '../runtime/informer.js';
import type { Logger } from '../runtime/logger.js';
import type { ResourceDescriptor } from '../runtime/resource.js';
import { objectKey, UID_INDEX, type KubeObject } from '../runtime/store.js';

/** The kinds the API serves, one informer each. */
export const served = {
  projects: resourceOf(Project),
  users: resourceOf(User),
  flavors: resourceOf(Flavor),
  images: resourceOf(Image),
  keyPairs: resourceOf(KeyPair),
  instances: resourceOf(Instance),
  networks: resourceOf(Network),
  subnets: resourceOf(Subnet),
  ports: resourceOf(Port),
  securityGroups: resourceOf(SecurityGroup),
} as const satisfies Record<string, ResourceDescriptor>;

export type ServedKind = keyof typeof served;

/** Filed under the user's login name (spec.loginName, else the object name). */
export const LOGIN_INDEX = 'login';

export function loginNameOf(user: {
  metadata?: { name?: string };
  spec?: { loginName?: string };
}): string {
  return user.spec?.loginName ?? user.metadata?.name ?? '';
}

interface Waiter {
  key: string;
  done: (object: KubeObject | undefined) => boolean;
  resolve: () => void;
}

export class ApiCache {
  private readonly informers = new Map<ServedKind, Informer>();
  private readonly waiters = new Map<ServedKind, Set<Waiter>>();

  constructor(kubeConfig: KubeConfig, options: { registry?: Registry; logger?: Logger } = {}) {
    for (const [kind, resource] of Object.entries(served) as Array<[ServedKind, ResourceDescriptor]>) {
      const informer = new Informer({
        kubeConfig,
        resource,
        name: `api/${resource.plural}`,
        registry: options.registry,
        logger: options.logger,
        ...(kind === 'users' ? { indexers: { [LOGIN_INDEX]: (u: KubeObject) => [loginNameOf(u)] } } : {}),
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

  private informer<T extends KubeObject>(kind: ServedKind): Informer<T> {
    return this.informers.get(kind) as unknown as Informer<T>;
  }

  get<T extends KubeObject>(kind: ServedKind, name: string, namespace?: string): T | undefined {
    return this.informer<T>(kind).store.get(objectKey({ name, namespace }));
  }

  list<T extends KubeObject>(kind: ServedKind, namespace?: string): T[] {
    return this.informer<T>(kind).store.list(namespace === undefined ? {} : { namespace });
  }

  /** The object with this uid (the OpenStack ID), optionally only in these namespaces. */
  byUid<T extends KubeObject>(kind: ServedKind, uid: string, namespaces?: readonly string[]): T | undefined {
    const found = this.informer<T>(kind).store.byIndex(UID_INDEX, uid)[0];
    if (!found) return undefined;
    if (namespaces && !namespaces.includes(found.metadata?.namespace ?? '')) return undefined;
    return found;
  }

  userByLogin<T extends KubeObject>(login: string): T[] {
    return this.informer<T>('users').store.byIndex(LOGIN_INDEX, login);
  }

  /**
   * Resolve once the cache holds `written` (the object a write returned) or something newer,
   * or no longer holds it when `gone`, with what it then holds (`written` if that is
   * nothing). Gives up quietly after `timeoutMs`: the write happened; at worst the next read
   * is a moment stale.
   */
  async waitFor<T extends KubeObject>(
    kind: ServedKind,
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
    kind: ServedKind,
    ref: KubeObject | { name: string; namespace?: string },
    done: (object: T | undefined) => boolean,
    timeoutMs: number,
  ): Promise<T | undefined> {
    const key = objectKey(ref);
    const store = this.informer<T>(kind).store;
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
