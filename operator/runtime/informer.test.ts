// What the informer does without an apiserver to talk to. Everything that needs one
// (list, watch, relist, the watchdog) is proven against a real apiserver in
// test/informer.int.test.ts.
import { KubeConfig } from '@kubernetes/client-node';
import { createServer } from 'node:net';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { eventually } from '../../harness/testing/eventually.js';
import { Informer } from './informer.js';
import { createLogger } from './logger.js';
import { kube } from '../kinds/external.js';

/** A kubeconfig pointing at a loopback port nothing listens on. */
async function unreachable(): Promise<KubeConfig> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `https://127.0.0.1:${port}` }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

describe('Informer without an apiserver', () => {
  it('keeps retrying the list, never claims to be synced, and stops promptly', async () => {
    const lines: string[] = [];
    const informer = new Informer({
      kubeConfig: await unreachable(),
      resource: kube.configMaps,
      backoff: { initialMs: 10, maxMs: 20 },
      logger: createLogger({ sink: (line) => lines.push(line) }),
    });
    const synced = informer.waitForSync();
    informer.start();
    await eventually(() => lines.filter((l) => l.includes('list failed')).length >= 3, {
      description: 'three failed lists',
    });
    expect(informer.hasSynced()).toBe(false);
    await informer.stop();
    await expect(synced).rejects.toThrow(/stopped before it synced/);
    await expect(informer.waitForSync()).rejects.toThrow(/is stopped/);
    expect(() => informer.start()).toThrow(/was stopped/);
    await informer.stop(); // idempotent
    const entry = JSON.parse(lines.find((l) => l.includes('list failed')) ?? '{}') as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 'warn', component: 'informer', informer: 'configmaps.v1' });
  });

  it('lets a waitForSync caller give up with its own signal', async () => {
    const informer = new Informer({ kubeConfig: await unreachable(), resource: kube.configMaps });
    const controller = new AbortController();
    const waiting = informer.waitForSync(controller.signal);
    controller.abort(new Error('caller gave up'));
    await expect(waiting).rejects.toThrow(/caller gave up/);
    await informer.stop();
  });

  it('shares metrics between informers on one registry, told apart by the informer label', async () => {
    const registry = new Registry();
    const kubeConfig = await unreachable();
    const a = new Informer({ kubeConfig, resource: kube.configMaps, namespace: 'a', registry });
    const b = new Informer({ kubeConfig, resource: kube.configMaps, namespace: 'b', registry });
    expect([a.name, b.name]).toEqual(['a/configmaps.v1', 'b/configmaps.v1']);
    const names = (await registry.getMetricsAsJSON()).map((m) => m.name).sort();
    expect(names).toEqual([
      'stratus_informer_events_total',
      'stratus_informer_relists_total',
      'stratus_informer_store_objects',
      'stratus_informer_watch_restarts_total',
    ]);
    await Promise.all([a.stop(), b.stop()]);
  });
});
