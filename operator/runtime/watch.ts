// Raw list and watch over node:https. client-node's own Watch hides the socket, so it cannot
// tell a silent stall from a quiet resource, and it turns 410 Gone into a generic error;
// here the caller owns the request (an AbortSignal ends it at once) and sees every event as
// the apiserver sent it, ERROR and BOOKMARK included.
import type { KubeConfig } from '@kubernetes/client-node';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { collectionPath, type ResourceDescriptor } from './resource.js';
import type { KubeObject } from './store.js';

/** A meta/v1 Status: what the apiserver answers on failure and sends in ERROR events. */
export interface ApiStatus {
  kind?: string;
  apiVersion?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  metadata?: { continue?: string; resourceVersion?: string };
}

/** A failed API call, with the HTTP code and the Status reason (`Expired`, `Forbidden`...). */
export class ApiError extends Error {
  override name = 'ApiError';

  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly status?: ApiStatus,
    /** From a Retry-After header (429, 503): how long the server asks us to wait. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  /**
   * 410: the resourceVersion (or continue token) we asked from is older than what the
   * server still has. The only way forward is a fresh list.
   */
  get gone(): boolean {
    return this.code === 410;
  }

  static fromStatus(status: ApiStatus, httpCode?: number, retryAfterSeconds?: number): ApiError {
    const code = status.code ?? httpCode ?? 0;
    const reason = status.reason ?? 'Unknown';
    return new ApiError(
      code,
      reason,
      `${code} ${reason}: ${status.message ?? 'no message'}`,
      status,
      retryAfterSeconds,
    );
  }
}

export interface QueryOptions {
  /** Only this namespace (namespaced resources); all namespaces when absent. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  signal?: AbortSignal;
}

export interface ListOptions extends QueryOptions {
  limit?: number;
  continue?: string;
  /**
   * Unset (the default) asks for a consistent read of the newest data. `0` would accept
   * whatever the apiserver's cache holds, which after an apiserver restart can be older
   * than what we already saw.
   */
  resourceVersion?: string;
  /** Give up when the connection is silent this long (connect included). Default 60 s. */
  idleTimeoutMs?: number;
}

export interface ListPage<T extends KubeObject> {
  apiVersion?: string;
  kind?: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

export interface WatchOptions extends QueryOptions {
  /** Where the stream starts; events after this version are delivered. */
  resourceVersion?: string;
  /** The server ends the stream cleanly after this long. */
  timeoutSeconds?: number;
  /** Ask for BOOKMARK events (default true): they advance the resume point of a quiet watch. */
  allowWatchBookmarks?: boolean;
}

/** A bookmark carries only the resourceVersion the stream has reached. */
export interface BookmarkObject {
  kind?: string;
  apiVersion?: string;
  metadata: { resourceVersion: string; annotations?: Record<string, string> };
}

export type WatchEvent<T extends KubeObject = KubeObject> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T }
  | { type: 'BOOKMARK'; object: BookmarkObject }
  | { type: 'ERROR'; object: ApiStatus };

export type WatchEventType = WatchEvent['type'];

const USER_AGENT = 'stratus-operator';

/** GET a collection path, resolving once the response headers are in (status < 300). */
async function open(
  kc: KubeConfig,
  path: string,
  query: URLSearchParams,
  options: { signal?: AbortSignal; idleTimeoutMs?: number },
): Promise<IncomingMessage> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const url = new URL(cluster.server);
  // A server URL may carry a path prefix (an API proxy); keep it.
  url.pathname = url.pathname.replace(/\/+$/, '') + path;
  url.search = query.toString();

  // Applied per request: exec plugins and token files rotate credentials.
  const requestOptions: RequestOptions = {
    method: 'GET',
    headers: { Accept: 'application/json', 'User-Agent': USER_AGENT },
  };
  await kc.applyToHTTPSOptions(requestOptions);
  options.signal?.throwIfAborted();
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;

  return new Promise<IncomingMessage>((resolve, reject) => {
    const req = send(url, { ...requestOptions, signal: options.signal }, (res) => {
      const code = res.statusCode ?? 0;
      if (code < 300) {
        resolve(res);
        return;
      }
      readBody(res).then(
        (body) => reject(errorFromResponse(code, body, res.headers['retry-after'])),
        (error: unknown) => reject(asError(error, options.signal)),
      );
    });
    if (options.idleTimeoutMs) {
      req.setTimeout(options.idleTimeoutMs, () => {
        req.destroy(new Error(`GET ${path}: no data for ${options.idleTimeoutMs} ms`));
      });
    }
    req.on('error', (error) => reject(asError(error, options.signal)));
    req.end();
  });
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (body += chunk));
    res.on('end', () => resolve(body));
    res.on('error', reject);
  });
}

function errorFromResponse(code: number, body: string, retryAfter: string | undefined): ApiError {
  const seconds = retryAfter !== undefined && /^\d+$/.test(retryAfter) ? Number(retryAfter) : undefined;
  try {
    const status = JSON.parse(body) as ApiStatus;
    if (status && typeof status === 'object' && status.kind === 'Status') {
      return ApiError.fromStatus(status, code, seconds);
    }
  } catch {
    // not JSON: a proxy or load balancer answered
  }
  return new ApiError(code, 'Unknown', `${code}: ${body.slice(0, 500) || 'no body'}`, undefined, seconds);
}

/** When our signal ended a request, surface its reason (not node's generic AbortError). */
function asError(error: unknown, signal: AbortSignal | undefined): Error {
  if (signal?.aborted && signal.reason instanceof Error) return signal.reason;
  return error instanceof Error ? error : new Error(String(error));
}

function queryFor(options: QueryOptions): URLSearchParams {
  const query = new URLSearchParams();
  if (options.labelSelector) query.set('labelSelector', options.labelSelector);
  if (options.fieldSelector) query.set('fieldSelector', options.fieldSelector);
  return query;
}

/** One page of a list. Follow `metadata.continue` for the next one. */
export async function listPage<T extends KubeObject = KubeObject>(
  kc: KubeConfig,
  resource: ResourceDescriptor,
  options: ListOptions = {},
): Promise<ListPage<T>> {
  const query = queryFor(options);
  if (options.limit !== undefined) query.set('limit', String(options.limit));
  if (options.continue) query.set('continue', options.continue);
  if (options.resourceVersion !== undefined) query.set('resourceVersion', options.resourceVersion);
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  const res = await open(kc, collectionPath(resource, options.namespace), query, {
    signal: options.signal,
    idleTimeoutMs,
  });
  let body: string;
  try {
    body = await readBody(res);
  } catch (error) {
    throw asError(error, options.signal);
  }
  const page = JSON.parse(body) as ListPage<T>;
  if (!page || !Array.isArray(page.items) || typeof page.metadata !== 'object') {
    throw new Error(`GET ${collectionPath(resource, options.namespace)}: not a list: ${body.slice(0, 200)}`);
  }
  return page;
}

/**
 * Open a watch and yield its events as they arrive. The generator ends when the server
 * closes the stream (its timeoutSeconds passed, or it is shutting down) and throws when
 * the connection fails or the signal aborts (with the signal's reason). ERROR events are
 * yielded, not thrown: the caller decides what a 410 means to it.
 */
export async function* watch<T extends KubeObject = KubeObject>(
  kc: KubeConfig,
  resource: ResourceDescriptor,
  options: WatchOptions = {},
): AsyncGenerator<WatchEvent<T>, void, undefined> {
  const query = queryFor(options);
  query.set('watch', '1');
  if (options.allowWatchBookmarks ?? true) query.set('allowWatchBookmarks', 'true');
  if (options.resourceVersion) query.set('resourceVersion', options.resourceVersion);
  if (options.timeoutSeconds !== undefined) query.set('timeoutSeconds', String(options.timeoutSeconds));
  // No idle timeout here: a watch may rightly be quiet; the caller's watchdog decides.
  const res = await open(kc, collectionPath(resource, options.namespace), query, { signal: options.signal });
  res.setEncoding('utf8'); // decodes multi-byte characters split across chunks
  try {
    for await (const line of lines(res as AsyncIterable<string>)) yield parseEvent<T>(line);
  } catch (error) {
    throw asError(error, options.signal);
  } finally {
    res.destroy(); // the consumer may stop early; never leave the socket open
  }
}

/**
 * Split a stream of text chunks into its non-blank lines. A chunk may hold many events or
 * a piece of one. Only new text is scanned for newlines and the buffer is cut once per
 * chunk, so both a large object in many chunks and many events in one chunk cost linear time.
 */
export async function* lines(chunks: AsyncIterable<string>): AsyncGenerator<string, void, undefined> {
  let buffer = '';
  for await (const chunk of chunks) {
    const scanFrom = buffer.length;
    buffer += chunk;
    let start = 0;
    for (let nl = buffer.indexOf('\n', scanFrom); nl >= 0; nl = buffer.indexOf('\n', start)) {
      const line = buffer.slice(start, nl);
      start = nl + 1;
      if (line.trim() !== '') yield line;
    }
    if (start > 0) buffer = buffer.slice(start);
  }
  if (buffer.trim() !== '') yield buffer;
}

const EVENT_TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

/** Parse one line of a watch stream. Exported for tests. */
export function parseEvent<T extends KubeObject>(line: string): WatchEvent<T> {
  let event: unknown;
  try {
    event = JSON.parse(line);
  } catch {
    throw new Error(`watch: not a JSON event: ${line.slice(0, 200)}`);
  }
  const { type, object } = (event ?? {}) as { type?: unknown; object?: unknown };
  if (typeof type !== 'string' || !EVENT_TYPES.has(type) || typeof object !== 'object' || object === null) {
    throw new Error(`watch: malformed event: ${line.slice(0, 200)}`);
  }
  if (type === 'BOOKMARK') {
    const rv = (object as BookmarkObject).metadata?.resourceVersion;
    if (typeof rv !== 'string' || rv === '') throw new Error(`watch: bookmark without resourceVersion`);
  }
  return event as WatchEvent<T>;
}
