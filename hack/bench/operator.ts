// Benchmarks of the operator runtime against a real control plane:
// - reconcile throughput: Projects created in a burst until all are Ready (each is a
//   namespace, a quota, a binding, a security group and a status write);
// - memory of the informer cache per 1,000 cached objects (ConfigMaps of ~1 KiB).
import * as k8s from '@kubernetes/client-node';
import { loadConfig } from '../../operator/config.js';
import { runOperator } from '../../operator/process.js';
import { Informer } from '../../operator/runtime/informer.js';
import { kube } from '../../operator/kinds/external.js';
import { startBenchEnvironment } from './support/environment.js';

const PROJECTS = Number(process.env.BENCH_PROJECTS ?? 300);
const OBJECTS = Number(process.env.BENCH_OBJECTS ?? 5000);

const env = await startBenchEnvironment();
try {
  const kc = env.kubeConfig;
  const cp = env.controlPlane;
  const objects = kc.makeApiClient(k8s.CustomObjectsApi);

  // --- reconcile throughput
  const stop = new AbortController();
  const config = loadConfig({
    KUBECONFIG: cp.kubeconfigPath,
    STRATUS_HEALTH_PORT: '0',
    STRATUS_HEALTH_ADDRESS: '127.0.0.1',
    STRATUS_LEADER_ELECT: 'false',
    STRATUS_LOG_LEVEL: 'error',
  });
  const running = runOperator(config, stop.signal);
  const t0 = performance.now();
  const names = Array.from({ length: PROJECTS }, (_, i) => `bench-${i}`);
  for (let i = 0; i < names.length; i += 20) {
    await Promise.all(
      names.slice(i, i + 20).map((name) =>
        objects.createClusterCustomObject({
          group: 'stratus.dev',
          version: 'v1alpha1',
          plural: 'projects',
          body: {
            apiVersion: 'stratus.dev/v1alpha1',
            kind: 'Project',
            metadata: { name },
            spec: { members: [{ kind: 'Group', name: `${name}-team`, role: 'member' }] },
          },
        }),
      ),
    );
  }
  for (;;) {
    const list = (await objects.listClusterCustomObject({
      group: 'stratus.dev',
      version: 'v1alpha1',
      plural: 'projects',
    })) as {
      items: Array<{ status?: { conditions?: Array<{ type: string; status: string }> } }>;
    };
    const ready = list.items.filter((p) =>
      p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    ).length;
    if (ready === PROJECTS) break;
    await new Promise((resolve) => setTimeout(resolve, 200)); // polling interval of the measurement
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    `reconcile throughput: ${PROJECTS} Projects Ready in ${seconds.toFixed(1)} s = ${(PROJECTS / seconds).toFixed(1)} Projects/s`,
  );
  stop.abort();
  await running;

  // --- cache memory per 1,000 objects
  const coreApi = kc.makeApiClient(k8s.CoreV1Api);
  await coreApi.createNamespace({ body: { metadata: { name: 'cache-bench' } } });
  for (let i = 0; i < OBJECTS; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, OBJECTS - i) }, (_, j) =>
        coreApi.createNamespacedConfigMap({
          namespace: 'cache-bench',
          body: {
            metadata: { name: `cm-${i + j}`, labels: { app: 'bench', shard: String((i + j) % 10) } },
            data: { payload: 'x'.repeat(1024) },
          },
        }),
      ),
    );
  }
  const gc = (globalThis as { gc?: () => void }).gc;
  const measure = () => {
    gc?.();
    return process.memoryUsage();
  };
  const before = measure();
  const informer = new Informer({ kubeConfig: kc, resource: kube.configMaps, namespace: 'cache-bench' });
  informer.start();
  await informer.waitForSync();
  const after = measure();
  const per1000 = (bytes: number) => ((bytes / informer.store.size) * 1000) / (1024 * 1024);
  console.log(
    // Heap is the figure: RSS also moves with pages the collector returns to the system.
    `informer cache: ${informer.store.size} ConfigMaps (1 KiB data each): ${per1000(after.heapUsed - before.heapUsed).toFixed(2)} MiB heap per 1,000 cached objects (process RSS ${(after.rss / 2 ** 20).toFixed(0)} MiB)${gc ? '' : ' (run with --expose-gc for steadier figures)'}`,
  );
  await informer.stop();
} finally {
  await env.close();
}
