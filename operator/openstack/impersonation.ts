// Acting as the caller. Every write goes through a Kubernetes client that impersonates the
// Stratus User (`stratus:user:<name>`, group stratus:users; the apiserver adds
// system:authenticated itself), so the apiserver's RBAC and admission decide it exactly as
// they would decide the same user's kubectl.
//
// Reads are served from the API's informer cache (cache.ts), which sees everything — so a
// read is only served after RBAC said yes: `can()` asks the apiserver, as the caller, with a
// SelfSubjectAccessReview (which every authenticated identity may create, so the API needs no
// right beyond impersonation), and remembers the answer for a few seconds. The choice over
// reading through the impersonating client: lists and shows stay cache-fast and the cache
// stays the one read path, while the decision is still RBAC's; a revoked role takes effect
// within the cache period.
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../runtime/client.js';

import { GROUP } from '../kinds/meta.js';
import { userSubject } from '../domain/naming.js';
import { kube } from '../kinds/external.js';

export const FIELD_MANAGER = 'stratus-api';

export interface AccessQuery {
  verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';
  /** Plural, e.g. `instances`. */
  resource: string;
  /** Default stratus.dev. */
  group?: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

interface SelfSubjectAccessReview {
  metadata?: Record<string, never>;
  spec: { resourceAttributes: Record<string, string> };
  status?: { allowed: boolean; denied?: boolean; reason?: string };
}

export interface ImpersonationOptions {
  groups: readonly string[];
  /** How long an answer is reused (0: ask every time). */
  cacheSeconds: number;
  /** Impersonating clients kept open (one keep-alive connection pool each). */
  maxClients?: number;
}

export class Impersonation {
  private readonly clients = new Map<string, KubeClient>();
  private readonly answers = new Map<string, { at: number; allowed: Promise<boolean> }>();

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly options: ImpersonationOptions,
  ) {}

  /** A client acting as the Stratus User `userName`. */
  client(userName: string): KubeClient {
    let client = this.clients.get(userName);
    if (client) {
      // Most recently used last: the first entry is the one to evict.
      this.clients.delete(userName);
      this.clients.set(userName, client);
      return client;
    }
    client = new KubeClient(this.kubeConfig, {
      fieldManager: FIELD_MANAGER,
      userAgent: 'stratus-api',
      impersonate: { user: userSubject(userName), groups: this.options.groups },
    });
    this.clients.set(userName, client);
    const max = this.options.maxClients ?? 256;
    while (this.clients.size > max) {
      const [oldest, evicted] = this.clients.entries().next().value as [string, KubeClient];
      this.clients.delete(oldest);
      evicted.close();
    }
    return client;
  }

  /** Whether RBAC lets `userName` do `query`; asked as the user, remembered briefly. */
  can(userName: string, query: AccessQuery): Promise<boolean> {
    const attributes: Record<string, string> = {
      verb: query.verb,
      group: query.group ?? GROUP,
      resource: query.resource,
      ...(query.namespace ? { namespace: query.namespace } : {}),
      ...(query.name ? { name: query.name } : {}),
      ...(query.subresource ? { subresource: query.subresource } : {}),
    };
    const key = `${userName}\u0000${JSON.stringify(attributes)}`;
    const now = Date.now();
    const cached = this.answers.get(key);
    if (cached && now - cached.at < this.options.cacheSeconds * 1000) return cached.allowed;
    const allowed = this.client(userName)
      .create<SelfSubjectAccessReview>(kube.selfSubjectAccessReviews, {
        spec: { resourceAttributes: attributes },
      })
      .then((review) => review.status?.allowed === true);
    // Only answers are remembered; a failed review is asked again next time.
    allowed.catch(() => this.answers.delete(key));
    this.answers.set(key, { at: now, allowed });
    if (this.answers.size > 10_000) this.prune(now);
    return allowed;
  }

  /** Forget what a user was allowed (after their roles are known to have changed). */
  forget(userName: string): void {
    for (const key of this.answers.keys()) if (key.startsWith(`${userName}\u0000`)) this.answers.delete(key);
  }

  private prune(now: number): void {
    for (const [key, entry] of this.answers) {
      if (now - entry.at >= this.options.cacheSeconds * 1000) this.answers.delete(key);
    }
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
