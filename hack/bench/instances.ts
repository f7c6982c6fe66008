// Benchmark: a burst of Instances against the simulated engines. For each Instance, the time
// from its create call returning to the operator's VirtualMachine appearing (seen by a watch
// on a thread of its own, so the simulator's work here does not delay the reading); then all
// Instances reaching Ready, a duplicate check, and the operator's resident memory. The
// operator runs as its own process; the simulator (SIMULATION) and the webhooks run here.
// BENCH_INSTANCES and BENCH_CONCURRENCY size the burst; BENCH_APISERVER_METRICS=PREFIX saves
// the apiserver's /metrics before and after it (PREFIX.before, PREFIX.after) for analysis.
import * as k8s from '@kubernetes/client-node';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { obtainBinaries } from '../controlplane/binaries.js';
import { ControlPlane } from '../controlplane/control-plane.js';
import { applyCrds } from '../controlplane/crds.js';
import { startSimulator } from '../simulator/simulator.js';
import { startLocalWebhooks } from '../../webhooks/local.js';
import { sample, spawnOperator } from '../../operator/test/support.js';
import { Informer } from '../../operator/runtime/informer.js';
import { epochMs, watchArrivals } from './support/arrivals.js';
import { silentLogger } from '../../operator/runtime/logger.js';

const COUNT = Number(process.env.BENCH_INSTANCES ?? 500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 25);
const G = { group: 'stratus.dev', version: 'v1alpha1' };
const API = 'stratus.dev/v1alpha1';

const binaries = await obtainBinaries();
const cp = await ControlPlane.start({ binaries, log: () => {} });
const kc = new k8s.KubeConfig();
kc.loadFromFile(cp.kubeconfigPath);
const objects = kc.makeApiClient(k8s.CustomObjectsApi);
const core = kc.makeApiClient(k8s.CoreV1Api);
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
      items: Array<{ status?: { conditions?: Array<{ type: string; status: string }> } }>;
    };
    return list.items.filter((o) =>
      o.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    ).length;
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
    resource: {
      group: 'kubevirt.io',
      version: 'v1',
      plural: 'virtualmachines',
      kind: 'VirtualMachine',
      namespaced: true,
    },
    namespace: 'bench',
  });
  const vmSeen = vms.seen;
  // And Instances become Ready, from a watch too: polling lists of 500 Instances would load
  // the apiserver under test with the measurement itself.
  const ready = new Set<string>();
  const instances = new Informer<{
    metadata?: { name?: string };
    status?: { conditions?: Array<{ type: string; status: string }> };
  }>({
    kubeConfig: kc,
    resource: {
      group: 'stratus.dev',
      version: 'v1alpha1',
      plural: 'instances',
      kind: 'Instance',
      namespaced: true,
    },
    namespace: 'bench',
  });
  const noteReady = (instance: {
    metadata?: { name?: string };
    status?: { conditions?: Array<{ type: string; status: string }> };
  }) => {
    if (instance.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
      ready.add(instance.metadata!.name!);
  };
  instances.addHandler({ onAdd: noteReady, onUpdate: (_old, instance) => noteReady(instance) });
  instances.start();
  await instances.waitForSync();

  const created = new Map<string, number>();
  const createCalls: number[] = [];
  const names = Array.from({ length: COUNT }, (_, i) => `vm-${i}`);
  const apiserverMetrics = (file: string) => {
    if (process.env.BENCH_APISERVER_METRICS)
      writeFileSync(
        `${process.env.BENCH_APISERVER_METRICS}.${file}`,
        execFileSync(binaries.kubectl, ['--kubeconfig', cp.kubeconfigPath, 'get', '--raw', '/metrics'], {
          maxBuffer: 64 << 20,
        }),
      );
  };
  apiserverMetrics('before');
  const burstStart = performance.now();
  for (let i = 0; i < names.length; i += CONCURRENCY) {
    await Promise.all(
      names.slice(i, i + CONCURRENCY).map(async (name) => {
        const called = epochMs();
        await create('instances', 'bench', 'Instance', name, {
          flavor: 'b1.tiny',
          image: { name: 'cirros' },
          networks: [{ network: { name: 'net' } }],
        });
        created.set(name, epochMs());
        createCalls.push(epochMs() - called);
      }),
    );
  }
  await waitFor('every VirtualMachine', () => Promise.resolve(vmSeen.size >= COUNT));
  await waitFor('every Instance Ready', () => Promise.resolve(ready.size >= COUNT));
  const allReady = (performance.now() - burstStart) / 1000;
  apiserverMetrics('after');

  const latencies = names.map((n) => vmSeen.get(n)! - created.get(n)!).sort((a, b) => a - b);
  const pct = (p: number) =>
    Math.max(0, latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!);
  const vmList = (await objects.listNamespacedCustomObject({
    group: 'kubevirt.io',
    version: 'v1',
    namespace: 'bench',
    plural: 'virtualmachines',
  })) as { items: unknown[] };
  const dvList = (await objects.listNamespacedCustomObject({
    group: 'cdi.kubevirt.io',
    version: 'v1beta1',
    namespace: 'bench',
    plural: 'datavolumes',
  })) as { items: unknown[] };
  const rssKiB = Number(
    /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${operator.child.pid}/status`, 'utf8'))?.[1] ?? 0,
  );
  console.log(
    `instances: ${COUNT} created ${CONCURRENCY} at a time; create -> VirtualMachine p50 ${pct(50).toFixed(0)} ms, p99 ${pct(99).toFixed(0)} ms; all Ready after ${allReady.toFixed(1)} s`,
  );
  // The operator's own view: how long keys waited and how long reconciles took.
  const metrics = await operator.metrics();
  const mean = (name: string) => {
    const labels = { name: 'instance' };
    return (
      (1000 * sample(metrics, `${name}_sum`, labels)) / Math.max(1, sample(metrics, `${name}_count`, labels))
    );
  };
  const reconciles = sample(metrics, 'stratus_controller_reconcile_total', { controller: 'instance' });
  createCalls.sort((a, b) => a - b);
  console.log(
    `instances: create call (admission included) p50 ${createCalls[Math.floor(createCalls.length / 2)]!.toFixed(0)} ms; operator: ${reconciles} instance reconciles (${(reconciles / COUNT).toFixed(1)} per instance), queue wait mean ${mean('stratus_workqueue_queue_duration_seconds').toFixed(0)} ms, work mean ${mean('stratus_workqueue_work_duration_seconds').toFixed(0)} ms`,
  );
  console.log(
    `instances: ${vmList.items.length} VirtualMachines and ${dvList.items.length} DataVolumes for ${COUNT} Instances (+1 image DataVolume); operator RSS afterwards ${(rssKiB / 1024).toFixed(0)} MiB`,
  );
  await vms.stop();
  await instances.stop();
  await operator.kill('SIGTERM');
  await webhooks.close();
  await simulator.stop();
  void core;
} finally {
  await cp.stop();
}
