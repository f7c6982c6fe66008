// Two operator processes: only the leader reconciles; when the leader dies (kill -9) or
// leaves (SIGTERM, releasing the Lease) the other takes over. Handover times are printed,
// not asserted: they are figures, not pass/fail criteria.
import * as k8s from '@kubernetes/client-node';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../harness/testing/eventually.js';
import {
  createClusterObject,
  privateEnvironment,
  sample,
  spawnOperator,
  type Environment,
  type OperatorProcess,
} from './support.js';

const GROUP = 'stratus.dev';
const VERSION = 'v1alpha1';
const LEASE = {
  STRATUS_LEASE_DURATION_SECONDS: '4',
  STRATUS_RENEW_DEADLINE_SECONDS: '3',
  STRATUS_RETRY_PERIOD_SECONDS: '0.5',
  STRATUS_LOG_LEVEL: 'warn',
};

let env: Environment;
const processes: OperatorProcess[] = [];
const logDir = mkdtempSync(join(tmpdir(), 'stratus-leader-'));

beforeAll(async () => {
  env = await privateEnvironment();
});

afterAll(async () => {
  await Promise.all(processes.map((p) => p.kill('SIGKILL')));
  await env?.stop();
});

async function start(identity: string): Promise<OperatorProcess> {
  const op = await spawnOperator(
    env.cp.kubeconfigPath,
    { ...LEASE, STRATUS_IDENTITY: identity },
    join(logDir, `${identity}.log`),
  );
  processes.push(op);
  return op;
}

const isLeader = async (op: OperatorProcess): Promise<boolean> =>
  sample(await op.metrics().catch(() => ''), 'stratus_leader_election_is_leader') === 1;
const reconciles = async (op: OperatorProcess): Promise<number> =>
  sample(await op.metrics(), 'stratus_controller_reconcile_total');

async function createProjectAndWait(name: string): Promise<void> {
  const objects = env.kc.makeApiClient(k8s.CustomObjectsApi);
  await createClusterObject(objects, 'Project', name, {});
  await eventually(
    async () => {
      const p = (await objects.getClusterCustomObject({
        group: GROUP,
        version: VERSION,
        plural: 'projects',
        name,
      })) as {
        status?: { conditions?: Array<{ type: string; status: string }> };
      };
      return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    },
    { timeoutMs: 120_000, description: `project ${name} to be Ready` },
  );
}

describe('leader election between two operators', () => {
  it(
    'lets only the leader reconcile, and hands over on kill -9 and on SIGTERM',
    { timeout: 180_000 },
    async () => {
      const a = await start('op-a');
      const b = await start('op-b');
      const [leader, follower] = await eventually(
        async () => {
          const [la, lb] = await Promise.all([isLeader(a), isLeader(b)]);
          if (la && lb) throw new Error('two leaders');
          return la ? [a, b] : lb ? [b, a] : undefined;
        },
        { description: 'one of the two to lead' },
      );

      await createProjectAndWait('led-1');
      expect(await reconciles(leader)).toBeGreaterThan(0);
      expect(await reconciles(follower)).toBe(0);
      expect(await isLeader(follower)).toBe(false);

      // Crash: the Lease must expire before the follower may take it.
      let t0 = Date.now();
      await leader.kill('SIGKILL');
      await createProjectAndWait('led-2');
      const crashHandover = (Date.now() - t0) / 1000;
      expect(await isLeader(follower)).toBe(true);

      // Graceful: SIGTERM releases the Lease, so a standby takes over without waiting for expiry.
      const c = await start('op-c');
      await eventually(
        async () => (await c.metrics().catch(() => '')).includes('stratus_leader_election_is_leader'),
        {
          description: 'op-c to be up',
        },
      );
      t0 = Date.now();
      await follower.kill('SIGTERM');
      await createProjectAndWait('led-3');
      const gracefulHandover = (Date.now() - t0) / 1000;
      expect(await isLeader(c)).toBe(true);
      console.log(
        `leader handover (lease 4 s, renew 3 s, retry 0.5 s): after kill -9 ${crashHandover.toFixed(1)} s, after SIGTERM ${gracefulHandover.toFixed(1)} s (to the next Project Ready)`,
      );
    },
  );
});
