// When objects of one resource appear, as a watch sees them, timed on a thread of its own.
//
// The Instance bench hosts the simulator and the webhooks in its process; a VM's watch event
// timed on that busy event loop waited tens of milliseconds behind simulated engine work
// before anyone looked at the clock — measurement error, not operator latency. A worker
// thread has its own event loop, so the time taken is when the event arrived.
import * as k8s from '@kubernetes/client-node';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Informer } from '../../../operator/runtime/informer.js';
import type { ResourceDescriptor } from '../../../operator/runtime/resource.js';

/** Wall-clock milliseconds with sub-millisecond precision, comparable across threads. */
export const epochMs = (): number => performance.timeOrigin + performance.now();

interface Job {
  kubeconfigPath: string;
  resource: ResourceDescriptor;
  namespace?: string;
}

type Message = { synced: true } | { name: string; at: number };

export interface Arrivals {
  /** Name → epochMs() when the watch delivered its ADDED event. */
  readonly seen: ReadonlyMap<string, number>;
  stop(): Promise<void>;
}

/** Start watching; resolves once the watch has listed what exists (those count as seen). */
export async function watchArrivals(job: Job): Promise<Arrivals> {
  const seen = new Map<string, number>();
  // Loader hooks are per thread: the worker registers tsx's before it imports this module.
  const worker = new Worker(
    `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); });`,
    { eval: true, workerData: job },
  );
  await new Promise<void>((resolve, reject) => {
    worker.on('message', (message: Message) => {
      if ('synced' in message) resolve();
      else if (!seen.has(message.name)) seen.set(message.name, message.at);
    });
    worker.once('error', reject);
  });
  return {
    seen,
    stop: async () => {
      await worker.terminate();
    },
  };
}

if (!isMainThread && parentPort) {
  const { kubeconfigPath, resource, namespace } = workerData as Job;
  const port = parentPort;
  const kubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  const informer = new Informer({ kubeConfig, resource, ...(namespace ? { namespace } : {}) });
  informer.addHandler({
    onAdd: (object) =>
      port.postMessage({ name: object.metadata?.name ?? '', at: epochMs() } satisfies Message),
  });
  informer.start();
  await informer.waitForSync();
  port.postMessage({ synced: true } satisfies Message);
}
