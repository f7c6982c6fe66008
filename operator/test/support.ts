// Test support for operator integration tests: a private control plane (these tests kill
// and restart the operator, so they must not share the run's cluster with other files),
// the CRDs and webhooks installed as in a real deployment, and the operator as a child
// process that can be killed with SIGKILL.
import * as k8s from '@kubernetes/client-node';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { obtainBinaries, repoRoot } from '../../harness/binaries.js';
import { ControlPlane, httpGet } from '../../harness/control-plane.js';
import { applyCrds } from '../../harness/crds.js';
import { freePort } from '../../harness/ports.js';
import { withParentDeathSignal } from '../../harness/process.js';
import { startLocalWebhooks, type LocalWebhooks } from '../../harness/webhooks.js';
import { API_VERSION, GROUP, VERSION } from '../kinds/meta.js';

export interface Environment {
  cp: ControlPlane;
  webhooks: LocalWebhooks;
  kc: k8s.KubeConfig;
  stop(): Promise<void>;
}

export async function privateEnvironment(): Promise<Environment> {
  const binaries = await obtainBinaries();
  const cp = await ControlPlane.start({ binaries, log: () => {} });
  applyCrds(binaries.kubectl, cp.kubeconfigPath);
  const webhooks = await startLocalWebhooks(cp.kubeconfigPath);
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(cp.kubeconfigPath);
  return {
    cp,
    webhooks,
    kc,
    stop: async () => {
      await webhooks.close();
      await cp.stop();
    },
  };
}

export interface OperatorProcess {
  child: ChildProcess;
  healthPort: number;
  exited: Promise<void>;
  /** Prometheus text from /metrics. */
  metrics(): Promise<string>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** `node --import tsx cmd/operator.ts` with its logs in `logFile`. */
export async function spawnOperator(
  kubeconfig: string,
  env: Record<string, string>,
  logFile: string,
): Promise<OperatorProcess> {
  const healthPort = await freePort();
  const log = createWriteStream(logFile, { flags: 'a' });
  // A test or bench that dies takes its operator with it (it would retry a gone apiserver forever).
  const [command, args] = withParentDeathSignal(process.execPath, [
    '--import',
    'tsx',
    join(repoRoot, 'cmd/operator.ts'),
  ]);
  const child = spawn(command, args, {
    cwd: repoRoot,
    env: {
      ...process.env,
      KUBECONFIG: kubeconfig,
      STRATUS_HEALTH_PORT: String(healthPort),
      STRATUS_HEALTH_ADDRESS: '127.0.0.1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    healthPort,
    exited,
    metrics: async () => (await httpGet(`http://127.0.0.1:${healthPort}/metrics`)).body,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** The value of a Prometheus sample (summed over matching label sets), 0 when absent. */
export function sample(metrics: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-z_:]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const set = match[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => set.includes(`${k}="${v}"`))) total += Number(match[3]);
  }
  return total;
}

/** Create a cluster-scoped stratus.dev object (a Project, a User) as a tenant would. */
export async function createClusterObject(
  objects: k8s.CustomObjectsApi,
  kind: 'Project' | 'User',
  name: string,
  spec: Record<string, unknown>,
): Promise<void> {
  await objects.createClusterCustomObject({
    group: GROUP,
    version: VERSION,
    plural: `${kind.toLowerCase()}s`,
    body: { apiVersion: API_VERSION, kind, metadata: { name }, spec },
  });
}
