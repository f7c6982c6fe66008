// Lease-based leader election (coordination.k8s.io/v1), in the spirit of client-go's
// tools/leaderelection: candidates race to write themselves into one Lease with optimistic
// concurrency (resourceVersion), the holder renews it every retry period, and the others
// take over only once it has gone unrenewed for a lease duration.
//
// Safety rests on two clocks that never meet:
// - the leader stops leading (aborts its work, calls onStoppedLeading) when no renewal has
//   succeeded for `renewDeadline`, measured from the moment it *sent* the last successful
//   renewal, by its own monotonic clock, whether or not a request is still hanging;
// - a candidate treats the Lease as expired only when *both* its renewTime is older than the
//   lease duration by the candidate's wall clock *and* the candidate itself has seen no
//   change to the Lease for a lease duration by its monotonic clock. The first is the
//   documented Lease contract; the second (client-go's rule) keeps us safe when the
//   candidate's wall clock runs ahead of the leader's.
// Since leaseDuration > renewDeadline, the old leader has stopped before anyone takes over,
// with a margin of leaseDuration − renewDeadline for timer lateness.
//
// Requests go over node:https with the KubeConfig's credentials rather than through
// client-node's generated client, so every call has a hard timeout and can be aborted: a
// leader must never sit on a hung request while its lease runs out.
import type { KubeConfig } from '@kubernetes/client-node';
import * as http from 'node:http';
import * as https from 'node:https';
import { Gauge, type Registry } from 'prom-client';
import { silentLogger, type Logger } from './logger.js';

export interface LeaderElectionCallbacks {
  /**
   * This candidate now leads. Start the work that only a leader may do; stop it when
   * `signal` aborts. If the returned promise rejects, leadership is released.
   */
  onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  /**
   * Leadership ended (lost, released or abandoned); called once per term, after the
   * signal aborted. On `release()` the Lease is handed over only after the returned promise
   * settles (the lease keeps being renewed meanwhile), so this is the place to drain work.
   */
  onStoppedLeading?: () => void | Promise<void>;
  /** The observed holder of the Lease changed (including to this candidate). */
  onNewLeader?: (identity: string) => void;
}

export interface LeaderElectionOptions extends LeaderElectionCallbacks {
  namespace: string;
  /** Name of the Lease, and the `name` label of the metric. */
  name: string;
  /** Unique per process (e.g. pod name plus a random suffix); two processes must never share one. */
  identity: string;
  /** How long a Lease lasts without renewal before others may take it. Whole seconds; default 15. */
  leaseDurationSeconds?: number;
  /** How long the leader keeps trying to renew before it gives up leading. Default 10. */
  renewDeadlineSeconds?: number;
  /** Pause between attempts to acquire or renew. Default 2. */
  retryPeriodSeconds?: number;
  registry?: Registry;
  logger?: Logger;
}

/** The fields of a coordination.k8s.io/v1 Lease we read and write (times as MicroTime strings). */
export interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; [key: string]: unknown };
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
    [key: string]: unknown;
  };
}

/** An unexpected answer from the apiserver. */
export class LeaseRequestError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'LeaseRequestError';
  }
}

type Attempt = 'holding' | 'held-by-other' | 'failed';

export class LeaderElector {
  private readonly leaseDurationMs: number;
  private readonly leaseDurationSeconds: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly client: LeaseClient;
  private readonly log: Logger;
  private readonly gauge: Gauge<'name'> | undefined;

  /** Ends the campaign and renew loops (release and abandon). */
  private readonly stop = new AbortController();
  /** Aborts requests in flight (abandon only: release lets them finish). */
  private readonly kill = new AbortController();
  private releaseRequested = false;
  private running: Promise<void> | undefined;

  /** We believe the Lease is ours (between a successful write and losing or releasing it). */
  private holding = false;
  /** The leader's work; present while it runs. */
  private term: AbortController | undefined;
  private termEnded: Promise<void> | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  /** Monotonic time the last successful acquire/renew was sent. */
  private lastRenewSentAt = 0;

  /** The last Lease we read or wrote. */
  private lease: Lease | undefined;
  private observedResourceVersion: string | undefined;
  /** Monotonic time we last saw the Lease change. */
  private observedAt = 0;
  private reportedLeader = '';

  constructor(
    kc: KubeConfig,
    private readonly options: LeaderElectionOptions,
  ) {
    const lease = options.leaseDurationSeconds ?? 15;
    const renew = options.renewDeadlineSeconds ?? 10;
    const retry = options.retryPeriodSeconds ?? 2;
    if (!options.namespace || !options.name || !options.identity)
      throw new Error('leader election needs a namespace, a lease name and an identity');
    if (!Number.isInteger(lease) || lease < 1)
      throw new Error(`leaseDurationSeconds must be a whole number of seconds >= 1 (got ${lease})`);
    if (!(retry > 0 && renew > retry && lease > renew))
      throw new Error(
        `leader election needs leaseDuration > renewDeadline > retryPeriod > 0 (got ${lease}s, ${renew}s, ${retry}s)`,
      );
    this.leaseDurationSeconds = lease;
    this.leaseDurationMs = lease * 1000;
    this.renewDeadlineMs = renew * 1000;
    this.retryPeriodMs = retry * 1000;
    this.client = new LeaseClient(kc, options.namespace, options.name, this.renewDeadlineMs);
    this.log = (options.logger ?? silentLogger()).child({
      component: 'leader-election',
      namespace: options.namespace,
      name: options.name,
      identity: options.identity,
    });
    if (options.registry) {
      this.gauge = leaderGauge(options.registry);
      this.gauge.set({ name: options.name }, 0);
    }
  }

  /** Whether this candidate currently leads (its work is running). */
  get isLeader(): boolean {
    return this.term !== undefined && !this.term.signal.aborted;
  }

  /** The holder of the Lease as last observed, if any. */
  get leader(): string | undefined {
    return this.lease?.spec?.holderIdentity || undefined;
  }

  /**
   * Campaign until this candidate leads, then lead until leadership is lost, released or
   * abandoned. Resolves when that term is over (after onStoppedLeading settled); a process
   * usually exits then, as controller-runtime's managers do. One term per elector.
   */
  run(): Promise<void> {
    this.running ??= this.campaignAndLead();
    return this.running;
  }

  /**
   * Graceful shutdown: stop the work (awaiting onStoppedLeading while still renewing), then
   * clear the Lease's holder so the next candidate takes over at once instead of waiting
   * for it to expire. Resolves when done; safe to call at any time and more than once.
   */
  async release(): Promise<void> {
    this.releaseRequested = true;
    if (this.holding) await this.endTerm('released');
    this.stop.abort();
    await this.running;
  }

  /**
   * Stop at once without touching the Lease, as if the process had died: requests in
   * flight are aborted, the work's signal aborts and onStoppedLeading is called, but others
   * must wait for the Lease to expire. For tests and for a process that is going down hard.
   */
  abandon(): void {
    this.kill.abort();
    this.stop.abort();
    this.holding = false;
    this.clearWatchdog();
    void this.endTerm('abandoned');
  }

  private async campaignAndLead(): Promise<void> {
    let outcome: Attempt = 'failed';
    while (!this.stop.signal.aborted) {
      outcome = await this.tryAcquireOrRenew();
      if (outcome === 'holding') break;
      // Jitter spreads candidates that started together, like client-go's JitterUntil.
      await sleep(this.retryPeriodMs * (1 + 0.5 * Math.random()), this.stop.signal);
    }
    if (outcome !== 'holding') return;
    if (this.stop.signal.aborted) {
      // Stopped while an acquire was in flight and it succeeded: never start leading.
      if (this.releaseRequested) await this.clearHolder();
      return;
    }
    this.startTerm();
    await this.renewLoop();
    await this.termEnded;
  }

  private startTerm(): void {
    const term = new AbortController();
    this.term = term;
    this.gauge?.set({ name: this.options.name }, 1);
    this.log.info('started leading');
    this.armWatchdog();
    let work: Promise<void>;
    try {
      work = Promise.resolve(this.options.onStartedLeading(term.signal));
    } catch (error) {
      work = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    work.catch((error: unknown) => {
      // Work that ends with an error because its term ended is not a failure.
      if (term.signal.aborted) return;
      this.log.error('leader work failed; releasing leadership', { error });
      void this.release();
    });
  }

  private async renewLoop(): Promise<void> {
    while (this.holding && !this.stop.signal.aborted) {
      await sleep(this.retryPeriodMs, this.stop.signal);
      if (!this.holding || this.stop.signal.aborted) break;
      const outcome = await this.tryAcquireOrRenew();
      if (!this.holding) break; // the watchdog fired while we waited
      if (outcome === 'holding') {
        this.armWatchdog();
      } else if (outcome === 'held-by-other') {
        this.stepDown(`the lease is now held by ${this.leader ?? 'another candidate'}`);
      }
      // 'failed': keep trying until the watchdog gives up.
    }
    if (this.stop.signal.aborted && this.holding && this.releaseRequested) await this.clearHolder();
    this.holding = false;
    this.clearWatchdog();
  }

  /** One attempt to take or keep the Lease. */
  private async tryAcquireOrRenew(): Promise<Attempt> {
    // Taken before any request: the server stamps a later time, so measuring the renew
    // deadline from here errs on the side of stepping down early.
    const sentAt = performance.now();
    const now = microTime(new Date());
    const signal = this.kill.signal;
    try {
      // Fast path for a leader: renew from the Lease it wrote last, one request instead of
      // two. Any write by someone else makes this a conflict, and the slow path looks.
      const mine = this.lease;
      if (this.holding && mine?.spec?.holderIdentity === this.options.identity) {
        const renewed = await this.client.replace(
          { ...mine, spec: { ...mine.spec, renewTime: now } },
          signal,
        );
        if (renewed) return this.held(renewed, sentAt);
      }
      const current = await this.client.get(signal);
      if (!current) {
        const created = await this.client.create(
          {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name: this.options.name, namespace: this.options.namespace },
            spec: {
              holderIdentity: this.options.identity,
              leaseDurationSeconds: this.leaseDurationSeconds,
              acquireTime: now,
              renewTime: now,
              leaseTransitions: 0,
            },
          },
          signal,
        );
        if (!created) return 'failed'; // another candidate created it first
        return this.held(created, sentAt);
      }
      this.observe(current);
      const spec = current.spec ?? {};
      const holder = spec.holderIdentity ?? '';
      if (holder && holder !== this.options.identity && !this.expired(current)) return 'held-by-other';
      const takeover = holder !== this.options.identity;
      const updated = await this.client.replace(
        {
          ...current,
          spec: {
            ...spec,
            holderIdentity: this.options.identity,
            leaseDurationSeconds: this.leaseDurationSeconds,
            acquireTime: takeover ? now : (spec.acquireTime ?? now),
            renewTime: now,
            leaseTransitions: (spec.leaseTransitions ?? 0) + (takeover ? 1 : 0),
          },
        },
        signal,
      );
      // A conflict means someone wrote since we read: re-read next time round.
      if (!updated) return 'failed';
      return this.held(updated, sentAt);
    } catch (error) {
      if (signal.aborted) return 'failed';
      this.log.warn(this.holding ? 'renewing the lease failed' : 'acquiring the lease failed', { error });
      return 'failed';
    }
  }

  private held(lease: Lease, sentAt: number): Attempt {
    this.observe(lease);
    // A success that lands after stepping down or abandoning changes nothing: that term is over.
    if (this.kill.signal.aborted) return 'failed';
    this.lastRenewSentAt = sentAt;
    if (!this.holding) this.log.debug('acquired the lease');
    this.holding = true;
    return 'holding';
  }

  private observe(lease: Lease): void {
    this.lease = lease;
    if (lease.metadata.resourceVersion !== this.observedResourceVersion) {
      this.observedResourceVersion = lease.metadata.resourceVersion;
      this.observedAt = performance.now();
    }
    const holder = lease.spec?.holderIdentity ?? '';
    if (holder !== this.reportedLeader) {
      this.reportedLeader = holder;
      if (holder) {
        this.log.info('new leader observed', { leader: holder });
        try {
          this.options.onNewLeader?.(holder);
        } catch (error) {
          this.log.error('onNewLeader failed', { error });
        }
      }
    }
  }

  private expired(lease: Lease): boolean {
    const durationMs = (lease.spec?.leaseDurationSeconds ?? this.leaseDurationSeconds) * 1000;
    const renewed = Date.parse(lease.spec?.renewTime ?? lease.spec?.acquireTime ?? '');
    const staleByRenewTime = Number.isNaN(renewed) || Date.now() >= renewed + durationMs;
    const staleByObservation = performance.now() >= this.observedAt + durationMs;
    return staleByRenewTime && staleByObservation;
  }

  private armWatchdog(): void {
    this.clearWatchdog();
    const remaining = this.lastRenewSentAt + this.renewDeadlineMs - performance.now();
    this.watchdog = setTimeout(
      () => this.stepDown(`no renewal succeeded within ${this.renewDeadlineMs / 1000}s`),
      Math.max(0, remaining),
    );
  }

  private clearWatchdog(): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = undefined;
  }

  /** Leadership is lost: stop the work now. The renew loop notices and ends the term. */
  private stepDown(reason: string): void {
    if (!this.holding) return;
    this.holding = false;
    this.clearWatchdog();
    this.log.warn('stepping down', { reason });
    // One term per elector: a request still hanging has nothing left to decide.
    this.stop.abort();
    this.kill.abort();
    void this.endTerm('lost');
  }

  /** Abort the work and call onStoppedLeading, once per term. */
  private endTerm(why: 'lost' | 'released' | 'abandoned'): Promise<void> {
    const term = this.term;
    if (!term) return Promise.resolve();
    this.termEnded ??= (async () => {
      term.abort(new Error(`leadership ${why}`));
      this.gauge?.set({ name: this.options.name }, 0);
      this.log.info('stopped leading', { why });
      try {
        await this.options.onStoppedLeading?.();
      } catch (error) {
        this.log.error('onStoppedLeading failed', { error });
      }
    })();
    return this.termEnded;
  }

  /** Hand the Lease over: no holder, and a 1 s duration for candidates that ignore the holder. */
  private async clearHolder(): Promise<void> {
    let lease = this.lease;
    for (let attempt = 0; attempt < 3 && lease; attempt++) {
      if (lease.spec?.holderIdentity !== this.options.identity) return; // not ours to release
      const now = microTime(new Date());
      try {
        const spec = { ...lease.spec };
        delete spec.holderIdentity;
        const released = await this.client.replace(
          { ...lease, spec: { ...spec, leaseDurationSeconds: 1, acquireTime: now, renewTime: now } },
          this.kill.signal,
        );
        if (released) {
          this.lease = released;
          this.log.info('released the lease');
          return;
        }
        lease = await this.client.get(this.kill.signal); // conflict: look again
      } catch (error) {
        this.log.warn('releasing the lease failed; others will take over when it expires', { error });
        return;
      }
    }
  }
}

/** The is-leader gauge, shared by all electors of a registry (one series per lease name). */
function leaderGauge(registry: Registry): Gauge<'name'> {
  const name = 'stratus_leader_election_is_leader';
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Gauge<'name'>;
  return new Gauge({
    name,
    help: '1 while this process leads (holds the Lease and runs the leader work), else 0.',
    labelNames: ['name'],
    registers: [registry],
  });
}

/** Resolve after `ms`, or at once when `signal` aborts (never rejects). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** RFC 3339 with microseconds, the only shape the apiserver accepts for MicroTime. */
function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Get, create and replace one Lease, each with a hard timeout. */
class LeaseClient {
  private readonly collection: string;

  constructor(
    private readonly kc: KubeConfig,
    namespace: string,
    private readonly name: string,
    private readonly timeoutMs: number,
  ) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    // Appended, not resolved: a server URL may carry a path prefix (API proxies do).
    this.collection = `${cluster.server.replace(/\/+$/, '')}/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`;
  }

  /** The Lease, or undefined when it does not exist. */
  async get(signal: AbortSignal): Promise<Lease | undefined> {
    const res = await this.request('GET', this.item(), undefined, signal);
    if (res.status === 404) return undefined;
    return this.expect(res, 200);
  }

  /** The created Lease, or undefined when one already exists. */
  async create(lease: Lease, signal: AbortSignal): Promise<Lease | undefined> {
    const res = await this.request('POST', this.collection, lease, signal);
    if (res.status === 409) return undefined;
    return this.expect(res, 201, 200);
  }

  /** The replaced Lease, or undefined when its resourceVersion is stale (or it is gone). */
  async replace(lease: Lease, signal: AbortSignal): Promise<Lease | undefined> {
    const res = await this.request('PUT', this.item(), lease, signal);
    if (res.status === 409 || res.status === 404) return undefined;
    return this.expect(res, 200);
  }

  private item(): string {
    return `${this.collection}/${encodeURIComponent(this.name)}`;
  }

  private expect(res: { status: number; body: unknown }, ...statuses: number[]): Lease {
    if (statuses.includes(res.status) && isLease(res.body)) return res.body;
    const message =
      res.body && typeof res.body === 'object' && 'message' in res.body
        ? String(res.body.message)
        : 'no message';
    throw new LeaseRequestError(res.status, `lease request answered ${res.status}: ${message}`);
  }

  private async request(
    method: string,
    url: string,
    body: unknown,
    signal: AbortSignal,
  ): Promise<{ status: number; body: unknown }> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const options: https.RequestOptions = {
      method,
      headers: {
        Accept: 'application/json',
        ...(payload === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
    };
    await this.kc.applyToHTTPSOptions(options);
    options.signal = AbortSignal.any([signal, AbortSignal.timeout(this.timeoutMs)]);
    const target = new URL(url);
    const transport = target.protocol === 'http:' ? http : https;
    return new Promise((resolve, reject) => {
      const req = transport.request(target, options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON (a proxy's error page): keep the text for the message
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  }
}

function isLease(value: unknown): value is Lease {
  return (
    typeof value === 'object' &&
    value !== null &&
    'metadata' in value &&
    typeof value.metadata === 'object' &&
    value.metadata !== null
  );
}
