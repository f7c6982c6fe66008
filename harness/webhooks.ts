// Run the webhooks beside a control plane on this machine: a TLS server on loopback with a
// CA of its own, registered with the apiserver by URL. `make dev` and the integration tests
// use this; a cluster install uses the chart (Service + the same configurations).
import * as k8s from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { createCertificateAuthority } from '../operator/crypto/pki.js';
import { API_VERSION } from '../operator/kinds/meta.js';
import { eventually } from './testing/eventually.js';
import { webhookConfigurations } from '../webhooks/configuration.js';
import type { KindAdmission } from '../webhooks/context.js';
import { CachedLookup } from '../webhooks/cached-lookup.js';
import { createWebhookApp } from '../webhooks/server.js';
import { serveTls } from '../webhooks/serve.js';
import { admissions } from '../webhooks/validators/index.js';

export interface LocalWebhooks {
  url: string;
  caPem: string;
  registry: Registry;
  close(): Promise<void>;
}

const CONFIG_NAME = 'stratus-webhooks';
const FIELD_MANAGER = 'stratus-local-webhooks';

export async function startLocalWebhooks(
  kubeconfigPath: string,
  options: { kinds?: KindAdmission[]; log?: (entry: Record<string, unknown>) => void } = {},
): Promise<LocalWebhooks> {
  const kinds = options.kinds ?? admissions;
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfigPath);

  const ca = await createCertificateAuthority('stratus-webhook-ca');
  const serving = await ca.issue({
    commonName: 'stratus-webhooks',
    ipAddresses: ['127.0.0.1'],
    dnsNames: ['localhost'],
    usage: 'server',
  });
  const registry = new Registry();
  const lookup = new CachedLookup(kc, { registry });
  await lookup.start();
  let reviews = 0;
  const app = createWebhookApp({
    kinds,
    lookup,
    registry,
    log: options.log,
    onReview: () => void reviews++,
  });
  const server = await serveTls(app, serving);
  const url = `https://127.0.0.1:${server.port}`;

  const client = k8s.KubernetesObjectApi.makeApiClient(kc);
  const configs = webhookConfigurations(
    CONFIG_NAME,
    { url, caBundle: Buffer.from(ca.certPem).toString('base64') },
    kinds,
  );
  for (const config of configs) {
    await client.patch(config, undefined, undefined, FIELD_MANAGER, true, k8s.PatchStrategy.ServerSideApply);
  }

  // The apiserver picks configurations up through an informer; wait until a dry-run write
  // of one of our kinds actually reaches us, so callers never race the registration.
  const probeKind = kinds.find((k) => k.mutate) ?? kinds[0];
  if (probeKind) {
    const objects = kc.makeApiClient(k8s.CustomObjectsApi);
    const [group, version] = API_VERSION.split('/') as [string, string];
    await eventually(
      async () => {
        const before = reviews;
        const body = {
          apiVersion: API_VERSION,
          kind: 'Probe',
          metadata: { name: 'webhook-probe' },
          spec: {},
        };
        const req =
          probeKind.scope === 'Cluster'
            ? objects.createClusterCustomObject({
                group,
                version,
                plural: probeKind.plural,
                body,
                dryRun: 'All',
              })
            : objects.createNamespacedCustomObject({
                group,
                version,
                namespace: 'default',
                plural: probeKind.plural,
                body,
                dryRun: 'All',
              });
        await req.catch(() => undefined);
        return reviews > before;
      },
      { timeoutMs: 30_000, description: 'the apiserver to call the webhooks' },
    );
  }

  return {
    url,
    caPem: ca.certPem,
    registry,
    close: async () => {
      await server.close();
      await lookup.stop();
    },
  };
}

/** Remove the configurations (when the server goes away but the cluster stays). */
export async function unregisterLocalWebhooks(kubeconfigPath: string): Promise<void> {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const api = kc.makeApiClient(k8s.AdmissionregistrationV1Api);
  await api.deleteValidatingWebhookConfiguration({ name: CONFIG_NAME }).catch(() => undefined);
  await api.deleteMutatingWebhookConfiguration({ name: CONFIG_NAME }).catch(() => undefined);
}
