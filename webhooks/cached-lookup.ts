// Cross-object reads for admission: references from informer caches, so most decisions cost
// no API round trip. A cache can trail the apiserver by a moment, so a miss on `get` falls
// back to a live read (a user who just created a network and now creates its subnet is never
// told it is missing). Lists decide conflicts (is this volume attached elsewhere?), where a
// stale answer would admit what it should refuse, so they are read live.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import { Informer } from '../operator/runtime/informer.js';
import type { Logger } from '../operator/runtime/logger.js';
import { objectKey } from '../operator/runtime/store.js';
import type { KubeObject } from './admission.js';
import { ApiLookup, type ObjectLookup } from './lookup.js';
import { kube } from '../operator/kinds/external.js';
import { resourceOf, stratusKinds } from '../operator/kinds/index.js';

export class CachedLookup implements ObjectLookup {
  private readonly informers = new Map<string, Informer>();
  private readonly namespaces: Informer;
  private readonly live: ApiLookup;

  constructor(kubeConfig: KubeConfig, options: { registry?: Registry; logger?: Logger } = {}) {
    this.live = new ApiLookup(kubeConfig);
    for (const kind of stratusKinds) {
      this.informers.set(
        kind.plural,
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

  async start(signal?: AbortSignal): Promise<void> {
    const all = [...this.informers.values(), this.namespaces];
    for (const informer of all) informer.start();
    await Promise.all(all.map((i) => i.waitForSync(signal)));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values(), this.namespaces].map((i) => i.stop()));
    this.live.close();
  }

  async get(plural: string, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    const informer = this.informers.get(plural);
    const cached = informer?.store.get(objectKey({ namespace, name }));
    if (cached) return cached as KubeObject;
    return this.live.get(plural, namespace, name);
  }

  list(plural: string, namespace: string | undefined): Promise<KubeObject[]> {
    return this.live.list(plural, namespace);
  }

  async namespace(
    name: string,
  ): Promise<{ labels: Record<string, string>; terminating: boolean } | undefined> {
    const cached = this.namespaces.store.get(name);
    if (cached)
      return { labels: cached.metadata?.labels ?? {}, terminating: !!cached.metadata?.deletionTimestamp };
    return this.live.namespace(name);
  }
}
