// The operator process: configuration, logs, /metrics, /healthz, /readyz, leader election,
// and the controllers. SIGTERM: stop reconciling, release the Lease so the next replica
// takes over at once, exit.
import * as k8s from '@kubernetes/client-node';
import express from 'express';
import type { Server } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { loadConfig, type OperatorConfig } from './config.js';
import { projectController } from './controllers/project/controller.js';
import { tenantBindings, tenantClusterRoles } from './controllers/rbac.js';
import { userController } from './controllers/user/controller.js';
import { ENGINE_GROUPS } from './controllers/engines.js';
import { flavorController } from './controllers/flavor/controller.js';
import { imageController } from './controllers/image/controller.js';
import { instanceController } from './controllers/instance/controller.js';
import { keyPairController } from './controllers/keypair/controller.js';
import { networkController, subnetController } from './controllers/network/controller.js';
import { webhookCaController } from './controllers/webhook-ca/controller.js';
import type { KubeClient } from './runtime/client.js';
import { LeaderElector } from './runtime/leader-election.js';
import { createLogger, type Logger } from './runtime/logger.js';
import { kube } from './kinds/external.js';
import { Manager } from './runtime/manager.js';

/** Cluster-wide objects the operator owns: tenant roles, the shared namespace's read access. */
async function ensureBaseObjects(client: KubeClient, config: OperatorConfig): Promise<void> {
  for (const ns of [config.STRATUS_NAMESPACE, config.STRATUS_PUBLIC_NAMESPACE]) {
    await client.apply(kube.namespaces, { metadata: { name: ns } });
  }
  // Under the chart these are Helm's (STRATUS_MANAGE_CLUSTER_RBAC=false): no escalate right needed.
  const clusterRbac = config.STRATUS_MANAGE_CLUSTER_RBAC;
  if (clusterRbac) {
    for (const role of tenantClusterRoles() as Array<{ metadata: { name: string } }>)
      await client.apply(kube.clusterRoles, role);
  }
  for (const binding of tenantBindings(config.STRATUS_PUBLIC_NAMESPACE) as Array<{
    kind: string;
    metadata: { name: string };
  }>) {
    if (binding.kind !== 'RoleBinding' && !clusterRbac) continue;
    await client.apply(
      binding.kind === 'RoleBinding' ? kube.roleBindings : kube.clusterRoleBindings,
      binding,
    );
  }
}

function serveHealth(
  config: OperatorConfig,
  registry: Registry,
  state: { ready: boolean; leader: boolean },
  logger: Logger,
): Promise<Server> {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => void res.type('text/plain').send('ok'));
  // Ready once the caches are warm; a standby replica is ready too (it serves nothing but waits).
  app.get(
    '/readyz',
    (_req, res) =>
      void res
        .status(state.ready ? 200 : 503)
        .type('text/plain')
        .send(state.ready ? 'ok' : 'caches not synced'),
  );
  app.get('/metrics', (_req, res) => {
    void registry.metrics().then((text) => res.type(registry.contentType).send(text));
  });
  return new Promise((resolve) => {
    const server = app.listen(config.STRATUS_HEALTH_PORT, config.STRATUS_HEALTH_ADDRESS, () => {
      const address = server.address();
      logger.info('serving health and metrics', {
        address: typeof address === 'object' ? address?.port : address,
      });
      resolve(server);
    });
  });
}

export async function runOperator(config: OperatorConfig, signal: AbortSignal): Promise<void> {
  const logger = createLogger({
    level: config.STRATUS_LOG_LEVEL,
    component: 'operator',
    fields: { identity: config.STRATUS_IDENTITY },
  });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'stratus_operator_' });
  const kc = new k8s.KubeConfig();
  if (config.KUBECONFIG) kc.loadFromFile(config.KUBECONFIG);
  else kc.loadFromCluster();

  const state = { ready: false, leader: false };
  const server = await serveHealth(config, registry, state, logger);
  const manager = new Manager({
    kubeConfig: kc,
    registry,
    logger,
    identity: config.STRATUS_IDENTITY,
    informer: { stallTimeoutMs: config.STRATUS_WATCH_STALL_SECONDS * 1000 },
  });
  try {
    // Each engine's controllers run only where the engine's API is served.
    const served = Object.fromEntries(
      await Promise.all(
        Object.entries(ENGINE_GROUPS).map(async ([engine, [group, version]]) => [
          engine,
          await manager.client.serves(group, version),
        ]),
      ),
    ) as Record<keyof typeof ENGINE_GROUPS, boolean>;
    const kubeOvn = served.kubeOvn;
    logger.info('engines', served);
    manager.add(projectController({ kubeOvn }));
    manager.add(
      userController({
        namespace: config.STRATUS_NAMESPACE,
        passwordRecheckMs: config.STRATUS_PASSWORD_RECHECK_SECONDS * 1000,
      }),
    );
    if (config.STRATUS_WEBHOOK_CA_MODE === 'self') {
      manager.add(
        webhookCaController({
          namespace: config.STRATUS_NAMESPACE,
          secretName: config.STRATUS_WEBHOOK_SECRET_NAME,
          serviceName: config.STRATUS_WEBHOOK_SERVICE_NAME,
          configurationName: config.STRATUS_WEBHOOK_CONFIGURATION_NAME,
          validityDays: config.STRATUS_WEBHOOK_CERT_VALIDITY_DAYS,
        }),
      );
    }
    manager.add(keyPairController());
    if (served.instancetypes) manager.add(flavorController());
    if (served.cdi) {
      manager.add(
        imageController({
          storageClass: config.STRATUS_STORAGE_CLASS,
          defaultDiskGiB: config.STRATUS_IMAGE_DISK_GIB,
        }),
      );
    }
    if (served.kubeOvn && served.multus) {
      manager.add(networkController());
      manager.add(subnetController());
    }
    if (served.kubevirt && served.cdi) {
      manager.add(instanceController({ storageClass: config.STRATUS_STORAGE_CLASS, kubeOvn }));
    }
    await manager.startInformers(signal);
    state.ready = true;

    const lead = async (term: AbortSignal): Promise<void> => {
      state.leader = true;
      logger.info('leading: starting controllers');
      await ensureBaseObjects(manager.client, config);
      await manager.runControllers(term);
    };
    if (!config.STRATUS_LEADER_ELECT) {
      await lead(signal);
      return;
    }
    const elector = new LeaderElector(kc, {
      namespace: config.STRATUS_NAMESPACE,
      name: config.STRATUS_LEASE_NAME,
      identity: config.STRATUS_IDENTITY,
      leaseDurationSeconds: config.STRATUS_LEASE_DURATION_SECONDS,
      renewDeadlineSeconds: config.STRATUS_RENEW_DEADLINE_SECONDS,
      retryPeriodSeconds: config.STRATUS_RETRY_PERIOD_SECONDS,
      registry,
      logger,
      onStartedLeading: lead,
      onStoppedLeading: () => {
        state.leader = false;
        logger.info('stopped leading');
      },
      onNewLeader: (identity) => logger.info('new leader', { leader: identity }),
    });
    // The Lease lives in the operator namespace; make sure it exists before campaigning.
    await manager.client.apply(kube.namespaces, { metadata: { name: config.STRATUS_NAMESPACE } });
    const onAbort = () => void elector.release();
    signal.addEventListener('abort', onAbort, { once: true });
    await elector.run();
    signal.removeEventListener('abort', onAbort);
    if (!signal.aborted) throw new Error('lost leadership; exiting so a fresh process campaigns again');
  } finally {
    await manager.stopInformers();
    server.close();
  }
}

/** The operator process: configuration from the environment, stop on SIGTERM/SIGINT. */
export async function runOperatorProcess(): Promise<void> {
  const config = loadConfig(process.env, process.argv.slice(2));
  const stop = new AbortController();
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => stop.abort());
  await runOperator(config, stop.signal);
}
