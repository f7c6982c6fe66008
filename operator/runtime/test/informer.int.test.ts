// The informer against a real apiserver: list+watch, paging, and convergence after the
// failures it exists to survive — an apiserver restart, a watch that goes silent without
// closing, 410 Gone on the watch, and a continue token that expires in the middle of a
// paged list. "Converged" always means the same thing: the store AND a view rebuilt only
// from handler events both equal what the apiserver lists, resourceVersions included.
import * as k8s from '@kubernetes/client-node';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { request } from 'node:http';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { ControlPlane } from '../../../harness/control-plane.js';
import { eventually } from '../../../harness/testing/eventually.js';
import { freshNamespace, kubeConfig, randomSuffix } from '../../../harness/testing/kube.js';
import { Informer, type InformerOptions } from '../informer.js';
import { createLogger } from '../logger.js';
import { objectKey } from '../store.js';
import { kube } from '../../kinds/external.js';

type ConfigMap = k8s.V1ConfigMap;

// ---------------------------------------------------------------------------------------
// A TCP proxy on loopback that can misbehave on command. TLS passes through untouched (the
// apiserver's certificate names 127.0.0.1, whatever the port).

interface Pair {
  client: Socket;
  upstream: Socket;
  frozen: boolean;
}

class LoopbackProxy {
  /** Connections accepted so far. */
  opened = 0;
  private readonly pairs = new Set<Pair>();
  private readonly held = new Set<Socket>();
  /** How many more connections go through before new ones are held; Infinity: none held. */
  private budget = Infinity;

  private constructor(
    private readonly server: Server,
    private readonly targetPort: number,
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  static async start(targetPort: number): Promise<LoopbackProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new LoopbackProxy(server, targetPort);
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  /** Connections waiting in hold(). */
  get waiting(): number {
    return this.held.size;
  }

  /**
   * Every open connection stops forwarding bytes, both ways, and nothing closes: what a
   * NAT table that forgot the flow looks like to both ends. New connections still work.
   */
  freeze(): void {
    for (const pair of this.pairs) pair.frozen = true;
  }

  /** Let `after` more connections through, then keep new ones waiting (accepted, not forwarded). */
  hold(after = 0): void {
    this.budget = after;
  }

  /** Forward held connections and stop holding. */
  release(): void {
    this.budget = Infinity;
    for (const client of this.held) this.forward(client);
    this.held.clear();
  }

  async close(): Promise<void> {
    for (const client of this.held) client.destroy();
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    await new Promise((resolve) => this.server.close(resolve));
  }

  private accept(client: Socket): void {
    this.opened++;
    client.on('error', () => {});
    if (this.budget <= 0) {
      this.held.add(client);
      client.on('close', () => this.held.delete(client));
      return;
    }
    this.budget--;
    this.forward(client);
  }

  private forward(client: Socket): void {
    const upstream = connect(this.targetPort, '127.0.0.1');
    const pair: Pair = { client, upstream, frozen: false };
    this.pairs.add(pair);
    upstream.on('error', () => {});
    client.on('data', (data) => void (pair.frozen || upstream.write(data)));
    upstream.on('data', (data) => void (pair.frozen || client.write(data)));
    // A frozen connection hides even the server's close from the client.
    upstream.on('close', () => void (pair.frozen || client.destroy()));
    client.on('close', () => {
      upstream.destroy();
      this.pairs.delete(pair);
    });
  }
}

/** The same credentials, but connecting through the proxy. */
function viaProxy(kc: k8s.KubeConfig, proxy: LoopbackProxy): k8s.KubeConfig {
  const copy = new k8s.KubeConfig();
  copy.loadFromString(kc.exportConfig());
  copy.clusters = copy.clusters.map((c) => ({ ...c, server: `https://127.0.0.1:${proxy.port}` }));
  return copy;
}

function portOf(kc: k8s.KubeConfig): number {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('kubeconfig has no server');
  return Number(new URL(server).port);
}

// ---------------------------------------------------------------------------------------
// Watching the informer

type Delivered =
  | { type: 'add'; key: string; rv?: string }
  | { type: 'update'; key: string; oldRv?: string; rv?: string }
  | { type: 'delete'; key: string; finalStateUnknown: boolean };

/** Handlers that rebuild the world from events alone, and remember what they were told. */
class Recorder {
  readonly view = new Map<string, string | undefined>();
  readonly delivered: Delivered[] = [];

  attach(informer: Informer<ConfigMap>): void {
    informer.addHandler({
      onAdd: (o) => {
        this.view.set(objectKey(o), o.metadata?.resourceVersion);
        this.delivered.push({ type: 'add', key: objectKey(o), rv: o.metadata?.resourceVersion });
      },
      onUpdate: (old, o) => {
        this.view.set(objectKey(o), o.metadata?.resourceVersion);
        this.delivered.push({
          type: 'update',
          key: objectKey(o),
          oldRv: old.metadata?.resourceVersion,
          rv: o.metadata?.resourceVersion,
        });
      },
      onDelete: (o, { finalStateUnknown }) => {
        this.view.delete(objectKey(o));
        this.delivered.push({ type: 'delete', key: objectKey(o), finalStateUnknown });
      },
    });
  }

  saw(type: Delivered['type'], key: string): Delivered[] {
    return this.delivered.filter((d) => d.type === type && d.key === key);
  }
}

function describeDiff(want: Map<string, string | undefined>, got: Map<string, string | undefined>): string[] {
  const diff: string[] = [];
  for (const [key, rv] of want)
    if (got.get(key) !== rv) diff.push(`${key}: want rv ${rv}, have ${got.get(key)}`);
  for (const key of got.keys()) if (!want.has(key)) diff.push(`${key}: should be gone`);
  return diff;
}

/** Wait until the store and the handler-built view both equal the server's list. */
async function converged(
  kc: k8s.KubeConfig,
  informer: Informer<ConfigMap>,
  recorder: Recorder,
  namespace: string,
  labelSelector?: string,
): Promise<void> {
  const api = kc.makeApiClient(k8s.CoreV1Api);
  await eventually(
    async () => {
      const list = await api.listNamespacedConfigMap({ namespace, labelSelector });
      const want = new Map(list.items.map((o) => [objectKey(o), o.metadata?.resourceVersion]));
      const store = new Map(informer.store.list().map((o) => [objectKey(o), o.metadata?.resourceVersion]));
      const diff = [
        ...describeDiff(want, store).map((d) => `store ${d}`),
        ...describeDiff(want, recorder.view).map((d) => `handlers ${d}`),
      ];
      if (diff.length > 0) throw new Error(diff.join('; '));
      return true;
    },
    { timeoutMs: 60_000, description: `informer ${informer.name} to converge` },
  );
}

async function metric(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const found = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (found?.values ?? []) as Array<{ value: number; labels: Record<string, string | number> }>;
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}

function startInformer(
  options: Partial<InformerOptions<ConfigMap>> & Pick<InformerOptions<ConfigMap>, 'kubeConfig' | 'namespace'>,
): { informer: Informer<ConfigMap>; recorder: Recorder; registry: Registry; logs: string[] } {
  const registry = new Registry();
  const logs: string[] = [];
  const informer = new Informer<ConfigMap>({
    resource: kube.configMaps,
    registry,
    backoff: { initialMs: 100, maxMs: 1_000 },
    logger: createLogger({ level: 'debug', sink: (line) => logs.push(line) }),
    ...options,
  });
  const recorder = new Recorder();
  recorder.attach(informer);
  informer.start();
  onTestFinished(() => informer.stop());
  return { informer, recorder, registry, logs };
}

function configMap(name: string, data: Record<string, string> = {}, labels: Record<string, string> = {}) {
  return { metadata: { name, labels }, data };
}

// ---------------------------------------------------------------------------------------

describe('informer against the shared apiserver', () => {
  it('lists, then delivers adds, updates and deletes from the watch', async () => {
    const namespace = await freshNamespace('informer');
    const kc = kubeConfig();
    const api = kc.makeApiClient(k8s.CoreV1Api);
    await api.createNamespacedConfigMap({ namespace, body: configMap('before', { a: '1' }) });

    const { informer, recorder, registry } = startInformer({ kubeConfig: kc, namespace });
    await informer.waitForSync();
    expect(informer.hasSynced()).toBe(true);
    expect(recorder.saw('add', `${namespace}/before`)).toHaveLength(1);
    const cached = informer.store.get(`${namespace}/before`);
    expect(cached?.data).toEqual({ a: '1' });
    expect(cached?.kind).toBe('ConfigMap'); // list items come without; the cache stamps them
    expect(cached?.metadata?.managedFields).toBeUndefined();

    const created = await api.createNamespacedConfigMap({ namespace, body: configMap('live', { v: '1' }) });
    await eventually(() => recorder.saw('add', `${namespace}/live`).length === 1, {
      description: 'add of live',
    });

    const updated = await api.replaceNamespacedConfigMap({
      name: 'live',
      namespace,
      body: { ...created, data: { v: '2' } },
    });
    await eventually(() => recorder.saw('update', `${namespace}/live`).length === 1, {
      description: 'update of live',
    });
    expect(recorder.saw('update', `${namespace}/live`)[0]).toEqual({
      type: 'update',
      key: `${namespace}/live`,
      oldRv: created.metadata?.resourceVersion,
      rv: updated.metadata?.resourceVersion,
    });
    expect(informer.store.get(`${namespace}/live`)?.data).toEqual({ v: '2' });

    await api.deleteNamespacedConfigMap({ name: 'live', namespace });
    await eventually(() => recorder.saw('delete', `${namespace}/live`).length === 1, {
      description: 'delete of live',
    });
    expect(recorder.saw('delete', `${namespace}/live`)[0]).toMatchObject({ finalStateUnknown: false });
    expect(informer.store.get(`${namespace}/live`)).toBeUndefined();

    await converged(kc, informer, recorder, namespace);
    expect(
      await metric(registry, 'stratus_informer_events_total', { type: 'DELETED' }),
    ).toBeGreaterThanOrEqual(1);
    expect(await metric(registry, 'stratus_informer_store_objects', {})).toBe(informer.store.size);
    expect(informer.lastSyncResourceVersion).not.toBe('');

    // A handler added late is told about everything already cached.
    const late: string[] = [];
    informer.addHandler({ onAdd: (o) => late.push(objectKey(o)) });
    expect(late.sort()).toEqual(informer.store.keys().sort());
  });

  it('lists in pages and gets every object', async () => {
    const namespace = await freshNamespace('informer-paged');
    const kc = kubeConfig();
    const api = kc.makeApiClient(k8s.CoreV1Api);
    const selector = 'stratus.dev/informer-test=paged';
    for (let i = 0; i < 23; i++) {
      await api.createNamespacedConfigMap({
        namespace,
        body: configMap(`cm-${i}`, {}, { 'stratus.dev/informer-test': 'paged' }),
      });
    }
    await api.createNamespacedConfigMap({ namespace, body: configMap('unlabelled') });

    const { informer, recorder, logs } = startInformer({
      kubeConfig: kc,
      namespace,
      labelSelector: selector,
      pageSize: 5,
    });
    await informer.waitForSync();
    expect(informer.store.size).toBe(23);
    expect(recorder.delivered.filter((d) => d.type === 'add')).toHaveLength(23);
    expect(informer.store.get(`${namespace}/unlabelled`)).toBeUndefined();
    const listed = logs
      .map((l) => JSON.parse(l) as { msg: string; pages?: number })
      .find((e) => e.msg === 'listed');
    expect(listed?.pages).toBe(5); // 23 objects, 5 per page
    await converged(kc, informer, recorder, namespace, selector);
  });

  it('re-delivers every cached object as an update on resync', async () => {
    const namespace = await freshNamespace('informer-resync');
    const kc = kubeConfig();
    await kc.makeApiClient(k8s.CoreV1Api).createNamespacedConfigMap({ namespace, body: configMap('steady') });
    const { informer, recorder } = startInformer({ kubeConfig: kc, namespace, resyncPeriodMs: 200 });
    await informer.waitForSync();
    const key = `${namespace}/steady`;
    const rv = informer.store.get(key)?.metadata?.resourceVersion;
    await eventually(() => recorder.saw('update', key).length >= 2, { description: 'two resyncs of steady' });
    // Nothing changed on the server: old and new are the cached object itself.
    expect(recorder.saw('update', key)[0]).toEqual({ type: 'update', key, oldRv: rv, rv });
    expect(recorder.saw('add', key)).toHaveLength(1);
  });

  it('restarts a watch that went silent without closing, and converges', async () => {
    const namespace = await freshNamespace('informer-stall');
    const kc = kubeConfig();
    const api = kc.makeApiClient(k8s.CoreV1Api);
    await api.createNamespacedConfigMap({ namespace, body: configMap('doomed') });
    const kept = await api.createNamespacedConfigMap({ namespace, body: configMap('kept', { v: '1' }) });

    const proxy = await LoopbackProxy.start(portOf(kc));
    onTestFinished(() => proxy.close());
    const { informer, recorder, registry } = startInformer({
      kubeConfig: viaProxy(kc, proxy),
      namespace,
      stallTimeoutMs: 2_000,
      // The server must not end the stream for us: only the watchdog may notice.
      watchTimeoutSeconds: 3_600,
    });
    await informer.waitForSync();
    // The watch works before the stall.
    await api.createNamespacedConfigMap({ namespace, body: configMap('first') });
    await eventually(() => recorder.saw('add', `${namespace}/first`).length === 1, {
      description: 'add of first',
    });

    const connectionsBefore = proxy.opened;
    proxy.freeze();
    await api.createNamespacedConfigMap({ namespace, body: configMap('during-stall') });
    await api.replaceNamespacedConfigMap({ name: 'kept', namespace, body: { ...kept, data: { v: '2' } } });
    await api.deleteNamespacedConfigMap({ name: 'doomed', namespace });

    await converged(kc, informer, recorder, namespace);
    expect(
      await metric(registry, 'stratus_informer_watch_restarts_total', { reason: 'stalled' }),
    ).toBeGreaterThanOrEqual(1);
    expect(proxy.opened).toBeGreaterThan(connectionsBefore);
    // The frozen stream never delivered; the new watch resumed, so nothing needed a relist.
    expect(recorder.saw('delete', `${namespace}/doomed`)).toEqual([
      { type: 'delete', key: `${namespace}/doomed`, finalStateUnknown: false },
    ]);
  });
});

// ---------------------------------------------------------------------------------------

describe('informer against an apiserver that restarts', () => {
  let cp: ControlPlane;
  let kc: k8s.KubeConfig;

  beforeAll(async () => {
    cp = await ControlPlane.start({ log: () => {} });
    kc = new k8s.KubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);
  });

  afterAll(async () => {
    await cp?.stop();
  });

  async function namespaceHere(prefix: string): Promise<string> {
    const name = `${prefix}-${randomSuffix()}`;
    await kc.makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name } } });
    return name;
  }

  /** Compact etcd up to its current revision: every older version is gone for good. */
  async function compactEtcd(): Promise<void> {
    const post = (path: string, body: unknown) =>
      new Promise<string>((resolve, reject) => {
        const req = request(`http://127.0.0.1:${cp.ports.etcdClient}${path}`, { method: 'POST' }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () =>
            res.statusCode === 200 ? resolve(text) : reject(new Error(`${path}: ${text}`)),
          );
        });
        req.on('error', reject);
        req.end(JSON.stringify(body));
      });
    const range = JSON.parse(await post('/v3/kv/range', { key: Buffer.from('/').toString('base64') })) as {
      header: { revision: string };
    };
    await post('/v3/kv/compaction', { revision: range.header.revision, physical: true });
  }

  it('converges after kube-apiserver restarts mid-watch', async () => {
    const namespace = await namespaceHere('restart');
    const api = kc.makeApiClient(k8s.CoreV1Api);
    await api.createNamespacedConfigMap({ namespace, body: configMap('doomed') });
    const kept = await api.createNamespacedConfigMap({ namespace, body: configMap('kept', { v: '1' }) });
    const { informer, recorder, registry } = startInformer({ kubeConfig: kc, namespace });
    await informer.waitForSync();
    await api.createNamespacedConfigMap({ namespace, body: configMap('first') });
    await eventually(() => recorder.saw('add', `${namespace}/first`).length === 1, {
      description: 'add of first',
    });

    await cp.restartApiserver();
    await api.createNamespacedConfigMap({ namespace, body: configMap('after-restart') });
    await api.replaceNamespacedConfigMap({ name: 'kept', namespace, body: { ...kept, data: { v: '2' } } });
    await api.deleteNamespacedConfigMap({ name: 'doomed', namespace });

    await converged(kc, informer, recorder, namespace);
    expect(await metric(registry, 'stratus_informer_watch_restarts_total', {})).toBeGreaterThanOrEqual(1);
    expect(recorder.saw('delete', `${namespace}/doomed`)).toHaveLength(1);
  });

  it('relists on 410 Gone and reports what vanished meanwhile as deletes', async () => {
    const namespace = await namespaceHere('gone');
    const api = kc.makeApiClient(k8s.CoreV1Api);
    await api.createNamespacedConfigMap({ namespace, body: configMap('doomed') });
    const kept = await api.createNamespacedConfigMap({ namespace, body: configMap('kept', { v: '1' }) });
    const unchanged = await api.createNamespacedConfigMap({ namespace, body: configMap('unchanged') });

    const proxy = await LoopbackProxy.start(cp.ports.apiserver);
    onTestFinished(() => proxy.close());
    const { informer, recorder, registry } = startInformer({
      kubeConfig: viaProxy(kc, proxy),
      namespace,
      stallTimeoutMs: 2_000,
      watchTimeoutSeconds: 3_600,
    });
    await informer.waitForSync();

    // Cut the informer off, then move the world past its resume point: a restarted
    // apiserver has a fresh watch cache that starts after the informer's resourceVersion,
    // so the informer's next watch is answered with 410.
    proxy.freeze();
    proxy.hold();
    await cp.restartApiserver();
    await api.deleteNamespacedConfigMap({ name: 'doomed', namespace });
    await api.replaceNamespacedConfigMap({ name: 'kept', namespace, body: { ...kept, data: { v: '2' } } });
    await api.createNamespacedConfigMap({ namespace, body: configMap('born') });
    proxy.release();

    await converged(kc, informer, recorder, namespace);
    expect(
      await metric(registry, 'stratus_informer_watch_restarts_total', { reason: 'gone' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      await metric(registry, 'stratus_informer_relists_total', { reason: 'gone' }),
    ).toBeGreaterThanOrEqual(1);
    // The relist found doomed missing: a delete whose final state is unknown.
    expect(recorder.saw('delete', `${namespace}/doomed`)).toEqual([
      { type: 'delete', key: `${namespace}/doomed`, finalStateUnknown: true },
    ]);
    expect(recorder.saw('update', `${namespace}/kept`)).toHaveLength(1);
    // An object the relist found as it was is not announced again.
    expect(recorder.saw('update', `${namespace}/unchanged`)).toHaveLength(0);
    expect(informer.store.get(`${namespace}/unchanged`)?.metadata?.resourceVersion).toBe(
      unchanged.metadata?.resourceVersion,
    );
  });

  it('starts the list over when its continue token expires between pages', async () => {
    const namespace = await namespaceHere('expired');
    const api = kc.makeApiClient(k8s.CoreV1Api);
    for (let i = 0; i < 7; i++)
      await api.createNamespacedConfigMap({ namespace, body: configMap(`cm-${i}`) });

    const proxy = await LoopbackProxy.start(cp.ports.apiserver);
    onTestFinished(() => proxy.close());
    proxy.hold(1); // the first page goes through; the request for the second waits
    const { informer, recorder, registry } = startInformer({
      kubeConfig: viaProxy(kc, proxy),
      namespace,
      pageSize: 2,
      stallTimeoutMs: 30_000,
      requestTimeoutMs: 60_000,
    });
    await eventually(() => proxy.waiting === 1, { description: 'the second page request to be held' });

    // The continue token pins the first page's snapshot. A restarted apiserver has no cached
    // copy of it, and after compaction etcd has none either: the token has expired.
    await cp.restartApiserver();
    await api.deleteNamespacedConfigMap({ name: 'cm-0', namespace });
    await api.createNamespacedConfigMap({ namespace, body: configMap('cm-new') });
    await compactEtcd();
    proxy.release();

    await informer.waitForSync();
    await converged(kc, informer, recorder, namespace);
    expect(
      await metric(registry, 'stratus_informer_relists_total', { reason: 'expired' }),
    ).toBeGreaterThanOrEqual(1);
    // Nothing from the abandoned half-list leaked out: handlers saw one add per object.
    expect(recorder.saw('add', `${namespace}/cm-0`)).toHaveLength(0);
    expect(recorder.delivered.every((d) => d.type === 'add')).toBe(true);
  });
});
