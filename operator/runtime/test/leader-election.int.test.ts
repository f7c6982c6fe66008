// Lease leader election against the real apiserver: candidates in one process, each with
// its own identity, racing for one Lease in a fresh namespace. Durations are short (lease
// 3 s, renew deadline 2 s, retry 0.5 s) to keep the tests quick; nothing asserts on timing.
import * as k8s from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { describe, expect, it, onTestFinished } from 'vitest';
import { eventually } from '../../../harness/testing/eventually.js';
import { freshNamespace, kubeConfig, randomSuffix } from '../../../harness/testing/kube.js';
import { LeaderElector, type LeaderElectionOptions } from '../leader-election.js';
import { Logger } from '../logger.js';

const FAST = { leaseDurationSeconds: 3, renewDeadlineSeconds: 2, retryPeriodSeconds: 0.5 };
const LEASE = 'stratus-operator';

interface Candidate {
  identity: string;
  elector: LeaderElector;
  registry: Registry;
  /** Identities reported by onNewLeader, in order. */
  newLeaders: string[];
  /** The signal of its term, once it started leading. */
  signal?: AbortSignal;
  /** Wall-clock time (ms) it started leading. */
  startedAt?: number;
  /** Its log entries, parsed. */
  logs: Array<Record<string, unknown>>;
  /** Settles when run() does. */
  finished: Promise<void>;
  isFinished: () => boolean;
}

/**
 * Candidates for one Lease, with a referee: it records leadership as the callbacks report
 * it and samples `isLeader` continuously, noting any moment two candidates led at once.
 */
function election(namespace: string) {
  const leading = new Set<string>();
  const overlaps: string[] = [];
  const started: string[] = [];
  const stopped: string[] = [];
  const candidates: Candidate[] = [];

  const sampler = setInterval(() => {
    const leaders = candidates.filter((c) => c.elector.isLeader).map((c) => c.identity);
    if (leaders.length > 1) overlaps.push(`sampled at once: ${leaders.join(', ')}`);
  }, 5);
  onTestFinished(() => clearInterval(sampler));

  function candidate(
    identity: string,
    options: { kc?: k8s.KubeConfig } & Partial<LeaderElectionOptions> = {},
  ): Candidate {
    const { kc = kubeConfig(), ...overrides } = options;
    const registry = new Registry();
    const newLeaders: string[] = [];
    const logs: Array<Record<string, unknown>> = [];
    const logger = Logger.create({
      level: 'debug',
      sink: (line) => logs.push(JSON.parse(line) as Record<string, unknown>),
    });
    const self: Partial<Candidate> = { identity, registry, newLeaders, logs };
    const elector = new LeaderElector(kc, {
      namespace,
      name: LEASE,
      identity,
      ...FAST,
      registry,
      logger,
      onStartedLeading: (signal) => {
        if (leading.size > 0) overlaps.push(`${identity} started while ${[...leading].join(', ')} led`);
        leading.add(identity);
        started.push(identity);
        self.signal = signal;
        self.startedAt = Date.now();
      },
      onStoppedLeading: () => {
        leading.delete(identity);
        stopped.push(identity);
      },
      onNewLeader: (leader) => newLeaders.push(leader),
      ...overrides,
    });
    let finished = false;
    const done = elector.run().finally(() => (finished = true));
    Object.assign(self, { elector, finished: done, isFinished: () => finished });
    candidates.push(self as Candidate);
    onTestFinished(async () => {
      elector.abandon();
      await done;
    });
    return self as Candidate;
  }

  /** The one candidate that leads, once exactly one does. */
  async function soleLeader(description = 'exactly one leader'): Promise<Candidate> {
    return eventually(
      () => {
        const leaders = candidates.filter((c) => c.elector.isLeader);
        return leaders.length === 1 && leading.size === 1 ? leaders[0] : undefined;
      },
      { description },
    );
  }

  return { candidate, soleLeader, leading, overlaps, started, stopped };
}

async function holderOf(namespace: string): Promise<string | undefined> {
  const coordination = kubeConfig().makeApiClient(k8s.CoordinationV1Api);
  const lease = await coordination.readNamespacedLease({ name: LEASE, namespace });
  return lease.spec?.holderIdentity;
}

async function readLease(namespace: string): Promise<k8s.V1Lease> {
  return kubeConfig().makeApiClient(k8s.CoordinationV1Api).readNamespacedLease({ name: LEASE, namespace });
}

async function isLeaderGauge(registry: Registry): Promise<number | undefined> {
  const metric = registry.getSingleMetric('stratus_leader_election_is_leader');
  const data = await metric?.get();
  return data?.values.find((v) => v.labels.name === LEASE)?.value;
}

describe('LeaderElector', () => {
  it('refuses timings that would let two leaders overlap', () => {
    const base = { namespace: 'x', name: LEASE, identity: 'i', onStartedLeading: () => {} };
    const make = (timing: Partial<LeaderElectionOptions>) => () =>
      new LeaderElector(kubeConfig(), { ...base, ...timing });
    expect(make({ leaseDurationSeconds: 10, renewDeadlineSeconds: 10 })).toThrow(
      /leaseDuration > renewDeadline/,
    );
    expect(make({ renewDeadlineSeconds: 2, retryPeriodSeconds: 2 })).toThrow(/renewDeadline > retryPeriod/);
    expect(make({ leaseDurationSeconds: 2.5 })).toThrow(/whole number/);
    expect(make({ identity: '' })).toThrow(/identity/);
    expect(make({})).not.toThrow();
  });

  it('elects exactly one of two candidates, keeps it through renewals, and hands over on release', async () => {
    const namespace = await freshNamespace('leader');
    const e = election(namespace);
    const a = e.candidate('candidate-a');
    const b = e.candidate('candidate-b');

    const leader = await e.soleLeader();
    const follower = leader === a ? b : a;
    expect(await holderOf(namespace)).toBe(leader.identity);
    expect(await isLeaderGauge(leader.registry)).toBe(1);
    expect(await isLeaderGauge(follower.registry)).toBe(0);
    await eventually(() => follower.newLeaders.includes(leader.identity), {
      description: 'the follower to observe the leader',
    });
    expect(leader.newLeaders).toEqual([leader.identity]);

    // Leadership survives several renewals: the Lease moves on, its holder does not.
    const renewTimes = new Set<string>();
    await eventually(
      async () => {
        renewTimes.add(String((await readLease(namespace)).spec?.renewTime));
        return renewTimes.size >= 3;
      },
      { description: 'the leader to renew the Lease a few times' },
    );
    expect(await holderOf(namespace)).toBe(leader.identity);
    expect(e.leading).toEqual(new Set([leader.identity]));

    await leader.elector.release();
    expect(leader.isFinished()).toBe(true);
    expect(leader.signal?.aborted).toBe(true);
    expect(leader.elector.isLeader).toBe(false);
    expect(await isLeaderGauge(leader.registry)).toBe(0);

    const next = await e.soleLeader('the follower to take over');
    expect(next).toBe(follower);
    expect(await holderOf(namespace)).toBe(follower.identity);
    expect((await readLease(namespace)).spec?.leaseTransitions).toBe(1);
    expect(await isLeaderGauge(follower.registry)).toBe(1);
    expect(e.started).toEqual([leader.identity, follower.identity]);
    expect(e.stopped).toEqual([leader.identity]);
    expect(e.overlaps).toEqual([]);
  });

  it('takes over from a leader that died without releasing, once the lease expires', async () => {
    const namespace = await freshNamespace('leader');
    const e = election(namespace);
    const a = e.candidate('candidate-a');
    const b = e.candidate('candidate-b');
    const leader = await e.soleLeader();
    const follower = leader === a ? b : a;

    leader.elector.abandon(); // as if the process were killed: the Lease is left as it was
    await leader.finished;
    expect(leader.signal?.aborted).toBe(true);
    const abandoned = await readLease(namespace);
    expect(abandoned.spec?.holderIdentity).toBe(leader.identity);

    expect(await e.soleLeader('the follower to take over the expired lease')).toBe(follower);
    // Not a timing goal but the safety rule: no takeover before renewTime + leaseDuration.
    const expiry = Date.parse(String(abandoned.spec?.renewTime)) + FAST.leaseDurationSeconds * 1000;
    expect(follower.startedAt).toBeGreaterThanOrEqual(expiry);
    expect(await holderOf(namespace)).toBe(follower.identity);
    expect(e.started).toEqual([leader.identity, follower.identity]);
    expect(e.overlaps).toEqual([]);
  });

  it('steps down when it can no longer renew (RBAC revoked), and another candidate takes over', async () => {
    const namespace = await freshNamespace('leader');
    const rbac = kubeConfig().makeApiClient(k8s.RbacAuthorizationV1Api);
    const user = `leader-${randomSuffix()}`;
    await rbac.createNamespacedRole({
      namespace,
      body: {
        metadata: { name: 'lease-holder' },
        rules: [
          { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
        ],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: 'lease-holder' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'lease-holder' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
      },
    });
    const e = election(namespace);
    const doomed = e.candidate('doomed', { kc: kubeConfig({ as: user }) });
    expect(await e.soleLeader('the restricted candidate to lead')).toBe(doomed);
    const heir = e.candidate('heir');
    await eventually(() => heir.newLeaders.includes('doomed'), { description: 'the heir to see the leader' });

    await rbac.deleteNamespacedRoleBinding({ namespace, name: 'lease-holder' });

    await eventually(() => e.stopped.includes('doomed'), { description: 'the leader to step down' });
    await doomed.finished;
    // It was refused, kept trying, and gave up at the renew deadline.
    const refused = doomed.logs.find((entry) => entry.msg === 'renewing the lease failed');
    expect(refused?.error).toMatchObject({ code: 403 });
    const gaveUp = doomed.logs.find((entry) => entry.msg === 'stepping down');
    expect(gaveUp?.reason).toMatch(/no renewal succeeded/);
    expect(doomed.signal?.aborted).toBe(true);
    expect(doomed.elector.isLeader).toBe(false);
    expect(await isLeaderGauge(doomed.registry)).toBe(0);

    expect(await e.soleLeader('the heir to take over')).toBe(heir);
    expect(await holderOf(namespace)).toBe('heir');
    expect(e.started).toEqual(['doomed', 'heir']);
    expect(e.overlaps).toEqual([]);
  });

  it('steps down at once when the Lease is recreated held by someone else', async () => {
    const namespace = await freshNamespace('leader');
    const e = election(namespace);
    const a = e.candidate('candidate-a');
    expect(await e.soleLeader()).toBe(a);

    const coordination = kubeConfig().makeApiClient(k8s.CoordinationV1Api);
    // The leader may recreate the Lease between our delete and create; then go again.
    await eventually(
      async () => {
        await coordination.deleteNamespacedLease({ name: LEASE, namespace }).catch(() => undefined);
        const now = new k8s.V1MicroTime();
        await coordination.createNamespacedLease({
          namespace,
          body: {
            metadata: { name: LEASE },
            spec: { holderIdentity: 'usurper', leaseDurationSeconds: 3600, acquireTime: now, renewTime: now },
          },
        });
        return true;
      },
      { description: 'the Lease to be recreated for the usurper' },
    );

    await eventually(() => e.stopped.includes('candidate-a'), { description: 'the leader to step down' });
    await a.finished;
    expect(a.logs.find((entry) => entry.msg === 'stepping down')?.reason).toMatch(/held by usurper/);
    expect(a.signal?.aborted).toBe(true);
    expect(a.elector.isLeader).toBe(false);
    expect(a.newLeaders).toEqual(['candidate-a', 'usurper']);
    expect(await holderOf(namespace)).toBe('usurper');
    expect(e.started).toEqual(['candidate-a']);
  });

  it('a candidate that is not leading can withdraw without touching the Lease', async () => {
    const namespace = await freshNamespace('leader');
    const e = election(namespace);
    const a = e.candidate('candidate-a');
    expect(await e.soleLeader()).toBe(a);
    const b = e.candidate('candidate-b');
    await eventually(() => b.newLeaders.includes('candidate-a'), { description: 'b to see the leader' });

    await b.elector.release();
    expect(b.isFinished()).toBe(true);
    expect(await holderOf(namespace)).toBe('candidate-a');
    expect(a.elector.isLeader).toBe(true);
    expect(e.started).toEqual(['candidate-a']);
    expect(e.stopped).toEqual([]);
  });

  it('releases leadership when the leader work fails, so another candidate can lead', async () => {
    const namespace = await freshNamespace('leader');
    const e = election(namespace);
    const broken = e.candidate('broken', {
      onStartedLeading: () => Promise.reject(new Error('cannot start controllers')),
    });
    await broken.finished;
    const lease = await readLease(namespace);
    expect(lease.spec?.holderIdentity).toBeUndefined();
    expect(broken.newLeaders).toEqual(['broken']);

    const next = e.candidate('next');
    expect(await e.soleLeader('the next candidate to lead')).toBe(next);
  });
});
