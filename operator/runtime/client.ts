// Typed-enough REST calls for the runtime: get, create, delete, patch (JSON, merge) and
// server-side apply (objects and their status) with one field manager. Raw node:https with a
// keep-alive agent: one TLS handshake per client rather than per call, and every failure
// surfaces as an ApiError carrying the apiserver's code and reason.
import type { KubeConfig } from '@kubernetes/client-node';
import { Agent, request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import { apiVersionOf, objectPath, collectionPath, type ResourceDescriptor } from './resource.js';
import type { KubeObject } from './store.js';
import { ApiError, type ApiStatus } from './watch.js';

/** The one field manager of everything the operator writes. */
export const FIELD_MANAGER = 'stratus-operator';

export type PatchType = 'json' | 'merge' | 'apply';

const CONTENT_TYPES: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  apply: 'application/apply-patch+yaml', // JSON is YAML: SSA accepts a JSON body
};

export interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'test';
  path: string;
  value?: unknown;
}

export interface ClientOptions {
  fieldManager?: string;
  userAgent?: string;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /**
   * Act as this user (Impersonate-User / Impersonate-Group headers): the apiserver then
   * authorizes every call as them. The OpenStack API uses it to act as its callers.
   */
  impersonate?: { user: string; groups?: readonly string[] };
}

export class KubeClient {
  readonly fieldManager: string;
  private agent: Agent | undefined;
  private readonly userAgent: string;
  private readonly timeoutMs: number;
  private readonly impersonate: ClientOptions['impersonate'];

  constructor(
    readonly kubeConfig: KubeConfig,
    options: ClientOptions = {},
  ) {
    this.fieldManager = options.fieldManager ?? FIELD_MANAGER;
    this.userAgent = options.userAgent ?? 'stratus-operator';
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.impersonate = options.impersonate;
  }

  /** The object, or undefined when it does not exist. */
  async get<T extends KubeObject>(
    resource: ResourceDescriptor,
    name: string,
    namespace?: string,
  ): Promise<T | undefined> {
    try {
      return await this.call<T>('GET', objectPath(resource, name, namespace));
    } catch (error) {
      if (error instanceof ApiError && error.code === 404) return undefined;
      throw error;
    }
  }

  /** Every object of a collection (one consistent read, no paging: for small collections). */
  async list<T extends KubeObject>(
    resource: ResourceDescriptor,
    options: { namespace?: string; labelSelector?: string } = {},
  ): Promise<T[]> {
    const query: Record<string, string> = {};
    if (options.labelSelector) query.labelSelector = options.labelSelector;
    const path = collectionPath(resource, resource.namespaced ? options.namespace : undefined);
    const list = await this.call<{ items: T[] }>('GET', path, undefined, undefined, query);
    return list.items;
  }

  async create<T extends KubeObject>(resource: ResourceDescriptor, object: T): Promise<T> {
    const body = { apiVersion: apiVersionOf(resource), kind: resource.kind, ...object };
    return this.call<T>(
      'POST',
      collectionPath(resource, resource.namespaced ? object.metadata?.namespace : undefined),
      body,
    );
  }

  /** Delete; a missing object is not an error. Returns whether something was deleted. */
  async delete(
    resource: ResourceDescriptor,
    name: string,
    namespace?: string,
    options: { propagationPolicy?: 'Foreground' | 'Background' | 'Orphan'; uid?: string } = {},
  ): Promise<boolean> {
    const body: Record<string, unknown> = { apiVersion: 'v1', kind: 'DeleteOptions' };
    if (options.propagationPolicy) body.propagationPolicy = options.propagationPolicy;
    if (options.uid) body.preconditions = { uid: options.uid };
    try {
      await this.call('DELETE', objectPath(resource, name, namespace), body);
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.code === 404) return false;
      throw error;
    }
  }

  async patch<T extends KubeObject>(
    resource: ResourceDescriptor,
    name: string,
    namespace: string | undefined,
    patch: unknown,
    type: Exclude<PatchType, 'apply'>,
    subresource?: 'status',
  ): Promise<T> {
    const path = objectPath(resource, name, namespace) + (subresource ? `/${subresource}` : '');
    return this.call<T>('PATCH', path, patch, CONTENT_TYPES[type], { fieldManager: this.fieldManager });
  }

  /**
   * Server-side apply: we state the fields we own and the apiserver merges, keeping fields
   * other writers own. `force` takes over fields another manager set (we are the controller
   * of these objects); the status variant applies to the status subresource.
   */
  async apply<T extends KubeObject>(
    resource: ResourceDescriptor,
    object: {
      metadata: { name: string; namespace?: string; [field: string]: unknown };
      [field: string]: unknown;
    },
    options: { subresource?: 'status'; force?: boolean } = {},
  ): Promise<T> {
    const { name, namespace } = object.metadata;
    const body = { apiVersion: apiVersionOf(resource), kind: resource.kind, ...object };
    const path =
      objectPath(resource, name, resource.namespaced ? namespace : undefined) +
      (options.subresource ? `/${options.subresource}` : '');
    const query: Record<string, string> = { fieldManager: this.fieldManager };
    if (options.force ?? true) query.force = 'true';
    return this.call<T>('PATCH', path, body, CONTENT_TYPES.apply, query);
  }

  private agentFor(options: RequestOptions): Agent {
    this.agent ??= new Agent({
      keepAlive: true,
      maxSockets: 64,
      ca: options.ca,
      cert: options.cert,
      key: options.key,
      rejectUnauthorized: options.rejectUnauthorized,
    });
    return this.agent;
  }

  /** Whether the apiserver serves an API group version (an engine's CRDs are installed). */
  async serves(group: string, version: string): Promise<boolean> {
    try {
      await this.call('GET', group ? `/apis/${group}/${version}` : `/api/${version}`);
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.code === 404) return false;
      throw error;
    }
  }

  /** Close pooled connections (tests and shutdown). */
  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }

  private async call<T>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
    query: Record<string, string> = {},
  ): Promise<T> {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    const url = new URL(cluster.server);
    url.pathname = url.pathname.replace(/\/+$/, '') + path;
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const options: RequestOptions = {
      method,
      headers: { Accept: 'application/json', 'User-Agent': this.userAgent },
    };
    // Applied per request: exec plugins and token files rotate credentials.
    await this.kubeConfig.applyToHTTPSOptions(options);
    if (this.impersonate) {
      // Set after the kubeconfig's own headers, so a kubeconfig that impersonates cannot
      // widen who we act as. Node sends an array as one header line per value, as the
      // apiserver expects for several groups.
      const headers = options.headers as Record<string, string | string[]>;
      headers['Impersonate-User'] = this.impersonate.user;
      if (this.impersonate.groups?.length) headers['Impersonate-Group'] = [...this.impersonate.groups];
      else delete headers['Impersonate-Group'];
    }
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (payload !== undefined) {
      // An explicit length: node sends a DELETE body with neither Content-Length nor chunked
      // encoding, and the apiserver then reads it as the start of the next request on the
      // keep-alive connection, failing that one with a bare 400.
      const headers = options.headers as Record<string, string>;
      headers['Content-Type'] = contentType;
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const secure = url.protocol !== 'http:';
    if (secure) options.agent = this.agentFor(options);
    const send = secure ? httpsRequest : httpRequest;
    return new Promise<T>((resolve, reject) => {
      const req = send(url, options, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          if (code < 300) {
            resolve((text ? JSON.parse(text) : undefined) as T);
            return;
          }
          const retryAfter = res.headers['retry-after'];
          const seconds = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) : undefined;
          try {
            const status = JSON.parse(text) as ApiStatus;
            if (status.kind === 'Status') {
              reject(ApiError.fromStatus(status, code, seconds));
              return;
            }
          } catch {
            // not a Status
          }
          reject(
            new ApiError(
              code,
              'Unknown',
              `${method} ${path}: ${code} ${text.slice(0, 300)}`,
              undefined,
              seconds,
            ),
          );
        });
        res.on('error', reject);
      });
      req.setTimeout(this.timeoutMs, () =>
        req.destroy(new Error(`${method} ${path}: timed out after ${this.timeoutMs} ms`)),
      );
      req.on('error', reject);
      req.end(payload);
    });
  }
}
