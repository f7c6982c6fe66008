// Cross-object reads for admission decisions, keyed by kind definition and typed by it
// (`lookup.get(Network, ns, name)` is a NetworkObject). Validators see only this interface,
// so the rules stay pure functions of (request, what exists).
import type * as k8s from '@kubernetes/client-node';
import { KubeClient } from '../operator/runtime/client.js';
import { kube } from '../operator/kinds/external.js';
import type { KindDefinition, KindObject } from '../operator/kinds/kind.js';
import { resourceOf } from '../operator/kinds/registry.js';

/** What admission needs to know of a namespace. */
export interface NamespaceFacts {
  labels: Record<string, string>;
  /** Being deleted: everything in it goes, so "in use" no longer matters. */
  terminating: boolean;
}

export function namespaceFacts(namespace: {
  metadata?: { labels?: Record<string, string>; deletionTimestamp?: unknown };
}): NamespaceFacts {
  return {
    labels: namespace.metadata?.labels ?? {},
    terminating: !!namespace.metadata?.deletionTimestamp,
  };
}

export interface ObjectLookup {
  /** A stratus.dev object, or undefined if it does not exist. */
  get<D extends KindDefinition>(
    kind: D,
    namespace: string | undefined,
    name: string,
  ): Promise<KindObject<D> | undefined>;
  /** All objects of a kind in a namespace (every namespace when undefined, or for cluster kinds). */
  list<D extends KindDefinition>(kind: D, namespace: string | undefined): Promise<KindObject<D>[]>;
  /** Whether a namespace exists, its labels, and whether it is being deleted. */
  namespace(name: string): Promise<NamespaceFacts | undefined>;
}

function codeOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'number'
    ? error.code
    : undefined;
}

/**
 * Retry what the apiserver asks us to retry: 429 (for example "storage is (re)initializing"
 * right after a CRD is installed) and 5xx, a few times within the webhook's deadline.
 */
async function withRetry<T>(call: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const code = codeOf(error);
      const retryable = code === 429 || (code !== undefined && code >= 500);
      if (!retryable || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
}

/** Reads straight from the apiserver with the webhook's own credentials (keep-alive). */
export class ApiLookup implements ObjectLookup {
  private readonly client: KubeClient;

  constructor(kc: k8s.KubeConfig) {
    this.client = new KubeClient(kc, { userAgent: 'stratus-webhooks' });
  }

  async get<D extends KindDefinition>(
    kind: D,
    namespace: string | undefined,
    name: string,
  ): Promise<KindObject<D> | undefined> {
    const resource = resourceOf(kind);
    const object = await withRetry(() =>
      this.client.get(resource, name, resource.namespaced ? namespace : undefined),
    );
    return object as KindObject<D> | undefined;
  }

  async list<D extends KindDefinition>(kind: D, namespace: string | undefined): Promise<KindObject<D>[]> {
    const objects = await withRetry(() => this.client.list(resourceOf(kind), { namespace }));
    return objects as KindObject<D>[];
  }

  async namespace(name: string): Promise<NamespaceFacts | undefined> {
    const ns = await withRetry(() => this.client.get(kube.namespaces, name));
    return ns ? namespaceFacts(ns) : undefined;
  }

  close(): void {
    this.client.close();
  }
}
