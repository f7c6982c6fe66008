// Cross-object reads for admission: references from the webhook process's own informer
// caches (one per stratus.dev kind of the registry, and namespaces), so most decisions cost
// no API round trip. A cache can trail the apiserver by a moment, so a miss on `get` falls
// back to a live read (a user who just created a network and now creates its subnet is never
// told it is missing). Lists decide conflicts (is this volume attached elsewhere?), where a
// stale answer would admit what it should refuse, so they are read live.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import { Informer } from '../operator/runtime/informer.js';
import type { Logger } from '../operator/runtime/logger.js';
import { objectKey } from '../operator/runtime/store.js';
import { kube } from '../operator/kinds/external.js';
import type { KindDefinition, KindObject } from '../operator/kinds/kind.js';
import { resourceOf, stratusKinds } from '../operator/kinds/registry.js';
import { ApiLookup, namespaceFacts, type NamespaceFacts, type ObjectLookup } from './lookup.js';

export class CachedLookup implements ObjectLookup {
  private readonly informers = new Map<KindDefinition, Informer>();
  private readonly namespaces: Informer;
  private readonly live: ApiLookup;

  constructor(kubeConfig: KubeConfig, options: { registry?: Registry; logger?: Logger } = {}) {
    this.live = new ApiLookup(kubeConfig);
    for (const kind of stratusKinds) {
      this.informers.set(
        kind,
        new Informer({ kubeConfig, resource: resourceOf(kind), name: `webhook/${kind.plural}`, ...options }),
      );
    }
    this.namespaces = new Informer({
      kubeConfig,
      resource: kube.namespaces,
      name: 'webhook/namespaces',
      ...options,
    });
  }

  private all(): Informer[] {
    return [...this.informers.values(), this.namespaces];
  }

  async start(signal?: AbortSignal): Promise<void> {
    for (const informer of this.all()) informer.start();
    await Promise.all(this.all().map((i) => i.waitForSync(signal)));
  }

  async stop(): Promise<void> {
    await Promise.all(this.all().map((i) => i.stop()));
    this.live.close();
  }

  async get<D extends KindDefinition>(
    kind: D,
    namespace: string | undefined,
    name: string,
  ): Promise<KindObject<D> | undefined> {
    const key = objectKey({ namespace: resourceOf(kind).namespaced ? namespace : undefined, name });
    const cached = this.informers.get(kind)?.store.get(key);
    if (cached) return cached as unknown as KindObject<D>;
    return this.live.get(kind, namespace, name);
  }

  list<D extends KindDefinition>(kind: D, namespace: string | undefined): Promise<KindObject<D>[]> {
    return this.live.list(kind, namespace);
  }

  async namespace(name: string): Promise<NamespaceFacts | undefined> {
    const cached = this.namespaces.store.get(name);
    if (cached) return namespaceFacts(cached);
    return this.live.namespace(name);
  }
}
