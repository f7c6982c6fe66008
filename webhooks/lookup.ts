// Cross-object reads for admission decisions. Validators see only this interface, so the
// rules stay pure functions of (request, what exists).
import type * as k8s from '@kubernetes/client-node';
import { KubeClient } from '../operator/runtime/client.js';
import { type ResourceDescriptor } from '../operator/runtime/resource.js';
import type { KubeObject } from './admission.js';
import { kube } from '../operator/kinds/external.js';
import { resourceOf, stratusKinds } from '../operator/kinds/index.js';

export interface ObjectLookup {
  /** A stratus.dev object by plural, or undefined if it does not exist. */
  get(plural: string, namespace: string | undefined, name: string): Promise<KubeObject | undefined>;
  /** All stratus.dev objects of a kind in a namespace (or cluster-wide for cluster stratusKinds). */
  list(plural: string, namespace: string | undefined): Promise<KubeObject[]>;
  /** Whether a namespace exists, its labels, and whether it is being deleted. */
  namespace(name: string): Promise<{ labels: Record<string, string>; terminating: boolean } | undefined>;
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

  private resource(plural: string): ResourceDescriptor {
    const kind = stratusKinds.find((k) => k.plural === plural);
    if (!kind) throw new Error(`unknown stratus.dev resource ${plural}`);
    return resourceOf(kind);
  }

  async get(plural: string, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    const resource = this.resource(plural);
    return (await withRetry(() =>
      this.client.get(resource, name, resource.namespaced ? namespace : undefined),
    )) as KubeObject | undefined;
  }

  async list(plural: string, namespace: string | undefined): Promise<KubeObject[]> {
    const resource = this.resource(plural);
    return (await withRetry(() => this.client.list(resource, { namespace }))) as KubeObject[];
  }

  async namespace(
    name: string,
  ): Promise<{ labels: Record<string, string>; terminating: boolean } | undefined> {
    const ns = await withRetry(() => this.client.get(kube.namespaces, name));
    return ns
      ? { labels: ns.metadata?.labels ?? {}, terminating: !!ns.metadata?.deletionTimestamp }
      : undefined;
  }

  close(): void {
    this.client.close();
  }
}
