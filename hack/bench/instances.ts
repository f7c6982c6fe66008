// Benchmark: a burst of Instances against the simulated engines. For each Instance, the time
// from its create call returning to the operator's VirtualMachine appearing (seen by a watch
// on a thread of its own, so the simulator's work here does not delay the reading); then all
// Instances reaching Ready, a duplicate check, and the operator's resident memory. The
// operator runs as its own process; the simulator (SIMULATION) and the webhooks run here.
// Two bursts of 500 by default, 10 and then 25 create calls in flight (BENCH_INSTANCES,
// BENCH_CONCURRENCY=10,25); BENCH_APISERVER_METRICS=PREFIX saves the apiserver's /metrics
// around each (PREFIX.c10.before, PREFIX.c10.after, ...) for analysis.
import * as k8s from '@kubernetes/client-node';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { obtainBinaries } from '../../harness/binaries.js';
import { ControlPlane } from '../../harness/control-plane.js';
import { applyCrds } from '../../harness/crds.js';
import { startSimulator } from '../../simulator/simulator.js';
import { startLocalWebhooks } from '../../harness/webhooks.js';
import { sample, spawnOperator } from '../../operator/test/support.js';
import type { InstanceObject } from '../../operator/kinds/instance.js';
import { isReady, type Condition } from '../../operator/runtime/conditions.js';
import { Informer } from '../../operator/runtime/informer.js';
import { epochMs, watchArrivals } from './support/arrivals.js';
import { silentLogger } from '../../operator/runtime/logger.js';
import { Instance, resourceOf } from '../../operator/kinds/index.js';
import { engines } from '../../operator/kinds/external.js';

const COUNT = Number(process.env.BENCH_INSTANCES ?? 500);
// Bursts, one after the other (each leaves its Instances in place): how many create calls are
// in flight at a time in each. Terraform's default parallelism is 10.
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '10,25').split(',').map(Number);
if (CONCURRENCY.some((c) => !Number.isInteger(c) || c < 1))
  throw new Error(
    `BENCH_CONCURRENCY must be positive integers separated by commas (got ${process.env.BENCH_CONCURRENCY})`,
  );
const G = { group: 'stratus.dev', version: 'v1alpha1' };
const API = 'stratus.dev/v1alpha1';

const binaries = await obtainBinaries();
const cp = await ControlPlane.start({ binaries, log: () => {} });
const kc = new k8s.KubeConfig();
kc.loadFromFile(cp.kubeconfigPath);
const objects = kc.makeApiClient(k8s.CustomObjectsApi);
const logDir = mkdtempSync(join(tmpdir(), 'stratus-bench-'));
try {
  applyCrds(binaries.kubectl, cp.kubeconfigPath);
  const simulator = await startSimulator({
    kubeConfig: kc,
    delay: { minMs: 0, maxMs: 0 },
    logger: silentLogger(),
  });
  const webhooks = await startLocalWebhooks(cp.kubeconfigPath);
  const operator = await spawnOperator(
    cp.kubeconfigPath,
    { STRATUS_LEADER_ELECT: 'false', STRATUS_LOG_LEVEL: 'error' },
    join(logDir, 'operator.log'),
  );

  const create = (
    plural: string,
    namespace: string | undefined,
    kind: string,
    name: string,
    spec: object,
  ) => {
    const body = { apiVersion: API, kind, metadata: { name }, spec };
    return namespace
      ? objects.createNamespacedCustomObject({ ...G, namespace, plural, body })
      : objects.createClusterCustomObject({ ...G, plural, body });
  };
  const readyCount = async (plural: string, namespace: string): Promise<number> => {
    const list = (await objects.listNamespacedCustomObject({ ...G, namespace, plural })) as {
      items: Array<{ status?: { conditions?: Condition[] } }>;
    };
    return list.items.filter(isReady).length;
  };
  const waitFor = async (what: string, probe: () => Promise<boolean>, timeoutMs = 300_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await probe())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 250)); // polling interval of the measurement
    }
  };

  // The tenant: a project with room for the burst, a flavor, an image, a network.
  await create('projects', undefined, 'Project', 'bench', {
    quota: { instances: -1, cores: -1, ramMiB: -1, ports: -1 },
  });
  await waitFor('project bench', async () => {
    const p = (await objects.getClusterCustomObject({ ...G, plural: 'projects', name: 'bench' })) as {
      status?: { conditions?: Array<{ type: string; status: string }> };
    };
    return !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
  });
  await create('flavors', undefined, 'Flavor', 'b1.tiny', { vcpus: 1, ramMiB: 256, diskGiB: 1 });
  await create('images', 'bench', 'Image', 'cirros', {
    source: { url: 'https://images.example.com/cirros.qcow2' },
    diskFormat: 'qcow2',
    minDiskGiB: 1,
  });
  await create('networks', 'bench', 'Network', 'net', {});
  await create('subnets', 'bench', 'Subnet', 'net-v4', {
    network: 'net',
    ipVersion: 4,
    cidr: '10.20.0.0/21',
  });
  await waitFor(
    'image and network',
    async () => (await readyCount('images', 'bench')) === 1 && (await readyCount('networks', 'bench')) === 1,
  );

  // Watch VirtualMachines appear (on a thread of its own: see support/arrivals.ts).
  const vms = await watchArrivals({
    kubeconfigPath: cp.kubeconfigPath,
    resource: engines.virtualMachines,
    namespace: 'bench',
  });
  const vmSeen = vms.seen;
  // And Instances become Ready, from a watch too: polling lists of 500 Instances would load
  // the apiserver under test with the measurement itself.
  const ready = new Set<string>();
  const instances = new Informer<InstanceObject>({
    kubeConfig: kc,
    resource: resourceOf(Instance),
    namespace: 'bench',
  });
  const noteReady = (instance: InstanceObject) => {
    if (isReady(instance)) ready.add(instance.metadata.name!);
  };
  instances.addHandler({ onAdd: noteReady, onUpdate: (_old, instance) => noteReady(instance) });
  instances.start();
  await instances.waitForSync();

  const apiserverMetrics = (file: string) => {
    if (process.env.BENCH_APISERVER_METRICS)
      writeFileSync(
        `${process.env.BENCH_APISERVER_METRICS}.${file}`,
        execFileSync(binaries.kubectl, ['--kubeconfig', cp.kubeconfigPath, 'get', '--raw', '/metrics'], {
          maxBuffer: 64 << 20,
        }),
      );
  };
  const countNamed = async (
    group: string,
    version: string,
    plural: string,
    matches: (n: string) => boolean,
  ) =>
    (
      (await objects.listNamespacedCustomObject({ group, version, namespace: 'bench', plural })) as {
        items: Array<{ metadata: { name: string } }>;
      }
    ).items.filter((o) => matches(o.metadata.name)).length;
  // The operator's own view (its counters are cumulative: each burst reports its share).
  const operatorView = async () => {
    const metrics = await operator.metrics();
    const labels = { name: 'instance' };
    return {
      reconciles: sample(metrics, 'stratus_controller_reconcile_total', { controller: 'instance' }),
      queueSum: sample(metrics, 'stratus_workqueue_queue_duration_seconds_sum', labels),
      queueCount: sample(metrics, 'stratus_workqueue_queue_duration_seconds_count', labels),
      workSum: sample(metrics, 'stratus_workqueue_work_duration_seconds_sum', labels),
      workCount: sample(metrics, 'stratus_workqueue_work_duration_seconds_count', labels),
    };
  };

  /** One burst of COUNT Instances, `concurrency` create calls in flight at a time. */
  const burst = async (concurrency: number) => {
    const prefix = `c${concurrency}-`;
    const created = new Map<string, number>();
    const createCalls: number[] = [];
    const names = Array.from({ length: COUNT }, (_, i) => `${prefix}vm-${i}`);
    const before = await operatorView();
    apiserverMetrics(`c${concurrency}.before`);
    const burstStart = performance.now();
    for (let i = 0; i < names.length; i += concurrency) {
      await Promise.all(
        names.slice(i, i + concurrency).map(async (name) => {
          const called = epochMs();
          await create('instances', 'bench', 'Instance', name, {
            flavor: 'b1.tiny',
            image: { name: 'cirros' },
            networks: [{ network: { name: 'net' } }],
          });
          const returned = epochMs();
          created.set(name, returned);
          createCalls.push(returned - called);
        }),
      );
    }
    await waitFor('every VirtualMachine', () => Promise.resolve(names.every((n) => vmSeen.has(n))));
    await waitFor('every Instance Ready', () => Promise.resolve(names.every((n) => ready.has(n))));
    const allReady = (performance.now() - burstStart) / 1000;
    apiserverMetrics(`c${concurrency}.after`);

    const latencies = names.map((n) => vmSeen.get(n)! - created.get(n)!).sort((a, b) => a - b);
    const pct = (p: number) =>
      Math.max(0, latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!);
    const ours = (n: string) => n.startsWith(prefix);
    const vmCount = await countNamed('kubevirt.io', 'v1', 'virtualmachines', ours);
    const dvCount = await countNamed('cdi.kubevirt.io', 'v1beta1', 'datavolumes', ours);
    const rssKiB = Number(
      /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${operator.child.pid}/status`, 'utf8'))?.[1] ?? 0,
    );
    const after = await operatorView();
    const reconciles = after.reconciles - before.reconciles;
    const meanMs = (sum: number, count: number) => (1000 * sum) / Math.max(1, count);
    createCalls.sort((a, b) => a - b);
    console.log(
      `instances: ${COUNT} created ${concurrency} at a time; create -> VirtualMachine p50 ${pct(50).toFixed(0)} ms, p99 ${pct(99).toFixed(0)} ms; all Ready after ${allReady.toFixed(1)} s`,
    );
    console.log(
      `instances: create call (admission included) p50 ${createCalls[Math.floor(createCalls.length / 2)]!.toFixed(0)} ms; operator: ${reconciles} instance reconciles (${(reconciles / COUNT).toFixed(1)} per instance), queue wait mean ${meanMs(after.queueSum - before.queueSum, after.queueCount - before.queueCount).toFixed(0)} ms, work mean ${meanMs(after.workSum - before.workSum, after.workCount - before.workCount).toFixed(0)} ms`,
    );
    console.log(
      `instances: ${vmCount} VirtualMachines and ${dvCount} root DataVolumes for ${COUNT} Instances; operator RSS afterwards ${(rssKiB / 1024).toFixed(0)} MiB`,
    );
  };
  for (const concurrency of CONCURRENCY) await burst(concurrency);

  await vms.stop();
  await instances.stop();
  await operator.kill('SIGTERM');
  await webhooks.close();
  await simulator.stop();
} finally {
  await cp.stop();
}
