// The self-managed webhook CA against the real apiserver, together with the webhook server
// process code (webhooks/process.ts): what the controller injects into caBundle must verify
// the certificate the server presents — at first issue, across a renewal, and after the
// Secret is deleted — without restarting the server.
import * as k8s from '@kubernetes/client-node';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { Registry } from 'prom-client';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { eventually } from '../../../../harness/testing/eventually.js';
import { freshNamespace, kubeConfig, randomSuffix, statusOf } from '../../../../harness/testing/kube.js';
import { loadWebhookConfig, startWebhooks } from '../../../../webhooks/process.js';
import { silentLogger } from '../../../runtime/logger.js';
import { webhookCaController } from '../controller.js';
import { serviceDnsNames, splitPemBundle } from '../desired.js';
import { Manager } from '../../../runtime/manager.js';

const DAY = 24 * 60 * 60 * 1000;
const SERVICE = 'stratus-webhooks';
const SECRET = 'stratus-webhook-tls';

/** Configurations for a group that does not exist: they intercept nothing on the shared apiserver. */
async function inertConfigurations(namespace: string): Promise<string> {
  const name = `stratus-ca-test-${randomSuffix()}`;
  const api = kubeConfig().makeApiClient(k8s.AdmissionregistrationV1Api);
  const hook = (hookName: string, path: string) => ({
    name: hookName,
    clientConfig: { service: { namespace, name: SERVICE, path } },
    rules: [
      {
        apiGroups: ['ca-test.stratus.dev'],
        apiVersions: ['v1'],
        resources: ['nothings'],
        operations: ['CREATE' as const],
      },
    ],
    failurePolicy: 'Fail',
    sideEffects: 'None',
    admissionReviewVersions: ['v1'],
  });
  await api.createValidatingWebhookConfiguration({
    body: { metadata: { name }, webhooks: [hook('validation.ca-test.stratus.dev', '/validate')] },
  });
  await api.createMutatingWebhookConfiguration({
    body: { metadata: { name }, webhooks: [hook('defaults.ca-test.stratus.dev', '/mutate')] },
  });
  onTestFinished(async () => {
    await api.deleteValidatingWebhookConfiguration({ name }).catch(() => undefined);
    await api.deleteMutatingWebhookConfiguration({ name }).catch(() => undefined);
  });
  return name;
}

/** A verified TLS handshake as the apiserver makes it; resolves to the served certificate's fingerprint. */
function handshake(port: number, servername: string, caPem: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: '127.0.0.1', port, servername, ca: caPem, rejectUnauthorized: true },
      () => {
        const fingerprint = socket.getPeerCertificate().fingerprint256;
        socket.end();
        resolve(fingerprint);
      },
    );
    socket.once('error', reject);
  });
}

describe('self-managed webhook CA', () => {
  it('issues, injects, and renews a certificate the webhook server serves without a restart', async () => {
    const namespace = await freshNamespace('webhook-ca');
    const name = await inertConfigurations(namespace);
    const kc = kubeConfig();
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const admission = kc.makeApiClient(k8s.AdmissionregistrationV1Api);

    // A clock the test can make jump ahead for one reading, so the next reconcile finds the
    // certificate due. One reading only: the certificates themselves are dated by the real
    // clock, so a clock left ahead would find every new certificate due as well.
    let jump = false;
    const now = () => {
      const ahead = jump ? 25 * DAY : 0;
      jump = false;
      return new Date(Date.now() + ahead);
    };
    const manager = new Manager({ kubeConfig: kc, registry: new Registry() });
    manager.add(
      webhookCaController({
        namespace,
        secretName: SECRET,
        serviceName: SERVICE,
        configurationName: name,
        validityDays: 30,
        // Short, so a deleted Secret is noticed quickly (the Secret is read, not watched).
        recheckMs: 300,
        now,
      }),
    );
    const stop = new AbortController();
    const running = manager.runControllers(stop.signal);
    onTestFinished(async () => {
      stop.abort();
      await running;
      await manager.stopInformers();
    });

    const secretData = async () =>
      (
        await core.readNamespacedSecret({ name: SECRET, namespace }).catch((e: unknown) => {
          if (statusOf(e) === 404) return undefined;
          throw e;
        })
      )?.data;
    const caBundles = async () => [
      (await admission.readValidatingWebhookConfiguration({ name })).webhooks?.[0],
      (await admission.readMutatingWebhookConfiguration({ name })).webhooks?.[0],
    ];
    /** Wait until the Secret holds a certificate other than `previous` and both configurations trust its bundle. */
    const settled = (previous?: string) =>
      eventually(
        async () => {
          const data = await secretData();
          if (!data?.['tls.crt'] || data['tls.crt'] === previous) return undefined;
          const hooks = await caBundles();
          return hooks.every((h) => h?.clientConfig.caBundle === data['ca-bundle.crt']) ? data : undefined;
        },
        { description: 'a certificate in the Secret and its CA bundle in both configurations' },
      );
    const decode = (value: string | undefined) => Buffer.from(value ?? '', 'base64').toString('utf8');

    // 1. First issue: a certificate for the Service's names, its CA injected into both.
    const first = await settled();
    expect(Object.keys(first).sort()).toEqual(['ca-bundle.crt', 'ca.crt', 'tls.crt', 'tls.key']);
    expect(splitPemBundle(decode(first['ca-bundle.crt']))).toHaveLength(1);
    // Only caBundle changed: the rules and the fail-closed policy stay as their owner set them.
    for (const hook of await caBundles()) {
      expect(hook?.failurePolicy).toBe('Fail');
      expect(hook?.rules?.[0]?.apiGroups).toEqual(['ca-test.stratus.dev']);
      expect(hook?.clientConfig.service?.name).toBe(SERVICE);
    }

    // 2. The webhook server loads the mounted pair; the injected bundle verifies it.
    const certDir = mkdtempSync(join(tmpdir(), 'stratus-webhook-tls-'));
    onTestFinished(() => rmSync(certDir, { recursive: true, force: true }));
    const mount = (data: Record<string, string>) => {
      writeFileSync(join(certDir, 'tls.crt'), decode(data['tls.crt']));
      writeFileSync(join(certDir, 'tls.key'), decode(data['tls.key']));
    };
    mount(first);
    const server = await startWebhooks(
      {
        ...loadWebhookConfig({}),
        KUBECONFIG: inject('kubeconfig'),
        STRATUS_WEBHOOK_PORT: 0,
        STRATUS_WEBHOOK_ADDRESS: '127.0.0.1',
        STRATUS_HEALTH_PORT: 0,
        STRATUS_HEALTH_ADDRESS: '127.0.0.1',
        STRATUS_WEBHOOK_CERT_DIR: certDir,
        // The test reloads explicitly; the timer would only race it.
        STRATUS_CERT_RELOAD_SECONDS: 3600,
      },
      { logger: silentLogger() },
    );
    onTestFinished(() => server.close());
    const servername = serviceDnsNames(SERVICE, namespace)[0]!;
    const firstPrint = await handshake(server.port, servername, decode(first['ca-bundle.crt']));

    // 3. Two thirds into its life: renewed with a fresh CA; the old CA stays trusted.
    jump = true;
    const second = await settled(first['tls.crt']);
    const bundle = decode(second['ca-bundle.crt']);
    expect(splitPemBundle(bundle).map((p) => p.trim())).toEqual([
      decode(second['ca.crt']).trim(),
      decode(first['ca.crt']).trim(),
    ]);
    // The pods have not reloaded yet: the certificate they serve is still trusted.
    expect(await handshake(server.port, servername, bundle)).toBe(firstPrint);
    // The kubelet updates the mount: the server switches without a restart.
    mount(second);
    expect(await server.reloadCertificate()).toBe(true);
    expect(await server.reloadCertificate()).toBe(false);
    const secondPrint = await handshake(server.port, servername, bundle);
    expect(secondPrint).not.toBe(firstPrint);

    // 4. The Secret is deleted: a new certificate, trusted beside the one still being served.
    await core.deleteNamespacedSecret({ name: SECRET, namespace });
    const third = await settled(second['tls.crt']);
    const thirdBundle = decode(third['ca-bundle.crt']);
    expect(splitPemBundle(thirdBundle)).toHaveLength(2);
    expect(await handshake(server.port, servername, thirdBundle)).toBe(secondPrint);
  });
});
