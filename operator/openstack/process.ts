// The OpenStack API process (the chart's API Deployment): configuration, the token keys,
// the informer caches, the API listener, and /metrics, /healthz and /readyz on the health
// port. SIGTERM: report not ready, stop accepting, finish what is in flight, exit.
import * as k8s from '@kubernetes/client-node';
import express from 'express';
import { setMaxListeners } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { KubeClient } from '../runtime/client.js';
import { createLogger, type Logger } from '../runtime/logger.js';
import { createApiApp } from './app.js';
import { ApiCache } from './cache.js';
import { loadApiConfig, type ApiConfig } from './config.js';
import type { ApiDeps } from './context.js';
import { FIELD_MANAGER, Impersonation } from './impersonation.js';
import { LoginLimiter } from './login-limiter.js';
import { TokenCodec, TokenKeyStore } from './tokens.js';
import { UploadStore } from './uploads.js';

export interface RunningApi {
  /** Base URL of the API listener. */
  url: string;
  /** Base URL of /metrics, /healthz, /readyz. */
  healthUrl: string;
  registry: Registry;
  deps: ApiDeps;
  stop(): Promise<void>;
}

function listen(app: express.Express, port: number, address: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, address, () => resolve(server));
    server.once('error', reject);
  });
}

const urlOf = (server: Server, address: string) => {
  const port = (server.address() as AddressInfo).port;
  const host = address === '0.0.0.0' || address === '::' ? '127.0.0.1' : address;
  return `http://${host}:${port}`;
};

function kubeConfigOf(config: ApiConfig, given: k8s.KubeConfig | undefined): k8s.KubeConfig {
  if (given) return given;
  const kc = new k8s.KubeConfig();
  if (config.KUBECONFIG) kc.loadFromFile(config.KUBECONFIG);
  else kc.loadFromCluster();
  return kc;
}

/** /healthz (alive), /readyz (`ready()`), /metrics. */
function healthApp(ready: () => boolean, registry: Registry): express.Express {
  const health = express();
  health.disable('x-powered-by');
  health.get('/healthz', (_req, res) => void res.type('text/plain').send('ok'));
  health.get('/readyz', (_req, res) => {
    const ok = ready();
    res
      .status(ok ? 200 : 503)
      .type('text/plain')
      .send(ok ? 'ok' : 'not ready');
  });
  health.get(
    '/metrics',
    (_req, res) => void registry.metrics().then((text) => res.type(registry.contentType).send(text)),
  );
  return health;
}

/** Everything the services are wired from, not yet started. */
function wireDeps(config: ApiConfig, kc: k8s.KubeConfig, registry: Registry, logger: Logger): ApiDeps {
  const client = new KubeClient(kc, { fieldManager: FIELD_MANAGER, userAgent: 'stratus-api' });
  const keys = new TokenKeyStore({
    kubeConfig: kc,
    client,
    namespace: config.STRATUS_NAMESPACE,
    secretName: config.STRATUS_API_TOKEN_KEYS_SECRET,
    maxKeys: config.STRATUS_API_TOKEN_MAX_KEYS,
    rotationHours: config.STRATUS_API_TOKEN_ROTATION_HOURS,
    registry,
    logger,
  });
  return {
    config,
    cache: new ApiCache(kc, { registry, logger }),
    impersonation: new Impersonation(kc, {
      groups: config.STRATUS_API_IMPERSONATION_GROUPS,
      cacheSeconds: config.STRATUS_API_AUTHZ_CACHE_SECONDS,
    }),
    client,
    codec: new TokenCodec(keys),
    keys,
    limiter: new LoginLimiter({
      allowed: config.STRATUS_API_LOGIN_FAILURES_ALLOWED,
      maxLockoutMs: config.STRATUS_API_LOGIN_LOCKOUT_MAX_SECONDS * 1000,
    }),
    uploads: new UploadStore(config.STRATUS_API_UPLOAD_DIR, logger),
    logger,
  };
}

/** Start everything; resolves once the caches are warm and the API is serving. */
export async function startApi(
  config: ApiConfig,
  options: { kubeConfig?: k8s.KubeConfig; logger?: Logger; signal?: AbortSignal } = {},
): Promise<RunningApi> {
  const logger =
    options.logger ??
    createLogger({
      level: config.STRATUS_LOG_LEVEL,
      component: 'api',
      fields: { identity: config.STRATUS_IDENTITY },
    });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'stratus_api_process_' });
  const kc = kubeConfigOf(config, options.kubeConfig);
  if (options.signal) setMaxListeners(64, options.signal);

  const deps = wireDeps(config, kc, registry, logger);
  const { cache, keys, uploads } = deps;
  const state = { ready: false };
  const health = healthApp(() => state.ready && cache.synced(), registry);
  const healthServer = await listen(health, config.STRATUS_HEALTH_PORT, config.STRATUS_HEALTH_ADDRESS);

  let apiServer: Server | undefined;
  const stop = async () => {
    state.ready = false;
    await new Promise<void>((resolve) => (apiServer ? apiServer.close(() => resolve()) : resolve()));
    apiServer?.closeAllConnections();
    uploads.stop();
    await keys.stop();
    await cache.stop();
    deps.impersonation.close();
    deps.client.close();
    await new Promise<void>((resolve) => healthServer.close(() => resolve()));
  };
  try {
    await keys.start(options.signal);
    await cache.start(options.signal);
    await uploads.start(cache);
    apiServer = await listen(
      createApiApp(deps, registry),
      config.STRATUS_API_PORT,
      config.STRATUS_API_ADDRESS,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  state.ready = true;
  const url = urlOf(apiServer, config.STRATUS_API_ADDRESS);
  logger.info('serving the OpenStack API', { url, public: config.STRATUS_API_PUBLIC_URL || url });
  return { url, healthUrl: urlOf(healthServer, config.STRATUS_HEALTH_ADDRESS), registry, deps, stop };
}

/** The OpenStack API process: configuration from the environment, stop on SIGTERM/SIGINT. */
export async function runOpenStackApiProcess(): Promise<void> {
  const config = loadApiConfig(process.env);
  const abort = new AbortController();
  const api = await startApi(config, { signal: abort.signal });
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => resolve());
  });
  abort.abort();
  await api.stop();
}
