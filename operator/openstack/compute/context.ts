// What a Nova handler gets for one request, built once by the service (index.ts) so that the
// handlers need neither express nor the whole ApiDeps threaded through them.
import type { Request, Response } from 'express';
import type { KubeClient } from '../../runtime/client.js';
import { baseUrl, scopedSessionOf, type ApiDeps, type ScopedSession } from '../context.js';
import { cacheLookup } from './lookup.js';
import type { ComputeLookup } from './views/lookup.js';

export interface NovaRequest {
  deps: ApiDeps;
  session: ScopedSession;
  /** The base URL clients use, for links. */
  base: string;
  lookup: ComputeLookup;
  /** The apiserver as the caller (RBAC and admission decide every write). */
  client: () => KubeClient;
  params: Record<string, string>;
  query: Request['query'];
  body: unknown;
}

/** What a handler answers: a status, a JSON body (none for 202/204 without one), headers. */
export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (request: NovaRequest) => Promise<Reply>;

export function novaRequest(deps: ApiDeps, req: Request, res: Response): NovaRequest {
  const session = scopedSessionOf(res);
  return {
    deps,
    session,
    base: baseUrl(deps, req),
    lookup: cacheLookup(deps),
    client: () => deps.impersonation.client(session.userName),
    params: Object.fromEntries(Object.entries(req.params).map(([k, v]) => [k, String(v)])),
    query: req.query,
    body: req.body,
  };
}
