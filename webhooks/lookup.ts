// Cross-object reads for admission decisions. Validators see only this interface, so the
// rules stay pure functions of (request, what exists).
import * as k8s from '@kubernetes/client-node';
import { GROUP, VERSION } from '../operator/api/meta.js';
import type { KubeObject } from './admission.js';

export interface ObjectLookup {
  /** A stratus.dev object by plural, or undefined if it does not exist. */
  get(plural: string, namespace: string | undefined, name: string): Promise<KubeObject | undefined>;
  /** All stratus.dev objects of a kind in a namespace (or cluster-wide for cluster kinds). */
  list(plural: string, namespace: string | undefined): Promise<KubeObject[]>;
  /** Whether a namespace exists, and its labels. */
  namespace(name: string): Promise<{ labels: Record<string, string> } | undefined>;
}

function codeOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'number'
    ? error.code
    : undefined;
}

function isNotFound(error: unknown): boolean {
  return codeOf(error) === 404;
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

/** Reads straight from the apiserver with the webhook's own credentials. */
export class ApiLookup implements ObjectLookup {
  private readonly objects: k8s.CustomObjectsApi;
  private readonly core: k8s.CoreV1Api;

  constructor(kc: k8s.KubeConfig) {
    this.objects = kc.makeApiClient(k8s.CustomObjectsApi);
    this.core = kc.makeApiClient(k8s.CoreV1Api);
  }

  async get(plural: string, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    try {
      const found: unknown = namespace
        ? await this.objects.getNamespacedCustomObject({
            group: GROUP,
            version: VERSION,
            namespace,
            plural,
            name,
          })
        : await this.objects.getClusterCustomObject({ group: GROUP, version: VERSION, plural, name });
      return found as KubeObject;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async list(plural: string, namespace: string | undefined): Promise<KubeObject[]> {
    const list = (await withRetry(() =>
      namespace
        ? this.objects.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural })
        : this.objects.listClusterCustomObject({ group: GROUP, version: VERSION, plural }),
    )) as { items?: KubeObject[] };
    return list.items ?? [];
  }

  async namespace(name: string): Promise<{ labels: Record<string, string> } | undefined> {
    try {
      const ns = await withRetry(() => this.core.readNamespace({ name }));
      return { labels: ns.metadata?.labels ?? {} };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}
