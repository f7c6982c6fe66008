// Benchmark: admission latency of the webhooks on loopback. 1,000 reviews of an Instance
// CREATE (the kind with the most cross-object lookups) against the example tenant, sent
// straight to /validate and /mutate over one keep-alive TLS connection.
import * as k8s from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { repoRoot } from '../../harness/binaries.js';
import { startBenchEnvironment } from './support/environment.js';

const N = Number(process.env.BENCH_REQUESTS ?? 1000);
const env = await startBenchEnvironment();
try {
  const { binaries, controlPlane: cp, kubeConfig: kc, webhooks } = env;
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await core.createNamespace({
    body: { metadata: { name: 'demo', labels: { 'stratus.dev/project': 'demo' } } },
  });
  await core.createNamespace({ body: { metadata: { name: 'stratus-public' } } });
  // Asynchronously: the webhooks answering kubectl's writes run in this very process.
  await promisify(execFile)(binaries.kubectl, [
    '--kubeconfig',
    cp.kubeconfigPath,
    'apply',
    '-f',
    join(repoRoot, 'examples'),
  ]);

  const instance = {
    apiVersion: 'stratus.dev/v1alpha1',
    kind: 'Instance',
    metadata: { name: 'bench', namespace: 'demo' },
    spec: {
      flavor: 'm1.tiny',
      image: { name: 'cirros', namespace: 'stratus-public' },
      keyName: 'alice-key',
      networks: [{ network: { name: 'private' }, fixedIPs: ['10.0.0.99'] }],
      securityGroups: ['web'],
      powerState: 'Running',
    },
  };
  const review = () =>
    JSON.stringify({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: randomUUID(),
        kind: { group: 'stratus.dev', version: 'v1alpha1', kind: 'Instance' },
        resource: { group: 'stratus.dev', version: 'v1alpha1', resource: 'instances' },
        name: 'bench',
        namespace: 'demo',
        operation: 'CREATE',
        userInfo: { username: 'alice' },
        object: instance,
      },
    });
  const agent = new Agent({ keepAlive: true, ca: webhooks.caPem });
  const post = (path: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      const req = request(
        new URL(path, webhooks.url),
        { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          res.on('end', () =>
            res.statusCode === 200
              ? resolve(performance.now() - started)
              : reject(new Error(`HTTP ${res.statusCode}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(review());
    });

  const measure = async (path: string): Promise<void> => {
    for (let i = 0; i < 50; i++) await post(path); // warm-up: JIT, TLS session, connections
    const samples: number[] = [];
    for (let i = 0; i < N; i++) samples.push(await post(path));
    samples.sort((a, b) => a - b);
    const pct = (p: number) =>
      samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))]!.toFixed(2);
    console.log(
      `webhook ${path.padEnd(9)} Instance CREATE x${N}: p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${samples.at(-1)!.toFixed(2)} ms`,
    );
  };
  await measure('/validate');
  await measure('/mutate');
  agent.destroy();
} finally {
  await env.close();
}
