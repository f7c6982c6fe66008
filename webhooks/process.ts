// The admission webhook process (the chart's webhooks Deployment): HTTPS admission reviews
// with the certificate from a mounted Secret, /metrics, /healthz and /readyz on a plain
// HTTP port, structured JSON logs, graceful shutdown on SIGTERM.
//
// The certificate rotates (cert-manager, or the operator's own CA renewing it): the kubelet
// rewrites the mounted files in place, so they are re-read every few seconds and a changed
// pair becomes the server's secure context for new connections, without a restart. Polling
// rather than fs.watch: the kubelet swaps a `..data` symlink, which inotify reports on the
// directory inconsistently across filesystems; reading two small files is cheaper than
// getting that wrong.
import * as k8s from '@kubernetes/client-node';
import express from 'express';
import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { z } from 'zod';
import { createLogger, LOG_LEVELS, type Logger } from '../operator/runtime/logger.js';
import { CachedLookup } from './cached-lookup.js';
import { createWebhookApp } from './server.js';
import { admissions } from './validators/index.js';

const port = z.coerce.number().int().min(0).max(65535);

export const webhookConfigSchema = z.object({
  /** Path of a kubeconfig; empty means in-cluster service-account credentials. */
  KUBECONFIG: z.string().default(''),
  /** HTTPS port of the admission server (the Service's 443 targets it). */
  STRATUS_WEBHOOK_PORT: port.default(9443),
  STRATUS_WEBHOOK_ADDRESS: z.string().default('0.0.0.0'),
  /** Directory of tls.crt and tls.key (the mounted certificate Secret). */
  STRATUS_WEBHOOK_CERT_DIR: z.string().min(1).default('/etc/stratus/webhook-tls'),
  /** How often the certificate files are checked for a rotation. */
  STRATUS_CERT_RELOAD_SECONDS: z.coerce.number().min(0.1).default(10),
  /** /metrics, /healthz and /readyz (plain HTTP). */
  STRATUS_HEALTH_PORT: port.default(8081),
  STRATUS_HEALTH_ADDRESS: z.string().default('0.0.0.0'),
  /** Shared namespace of public images and external networks. */
  STRATUS_PUBLIC_NAMESPACE: z.string().min(1).default('stratus-public'),
  STRATUS_LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /**
   * On SIGTERM, report not ready and keep answering this long before closing: the Service's
   * endpoints drop the pod asynchronously, and a review sent to a closed port is a refused
   * write (the webhooks fail closed).
   */
  STRATUS_SHUTDOWN_DELAY_SECONDS: z.coerce.number().min(0).default(5),
});

export type WebhookConfig = z.output<typeof webhookConfigSchema>;

/** Validate the environment once, naming every bad variable. */
export function loadWebhookConfig(env: NodeJS.ProcessEnv): WebhookConfig {
  const parsed = webhookConfigSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

interface KeyPair {
  cert: string;
  key: string;
  /** Fingerprint of both files, to notice a change. */
  digest: string;
}

async function readKeyPair(dir: string): Promise<KeyPair> {
  const [cert, key] = await Promise.all([
    readFile(join(dir, 'tls.crt'), 'utf8'),
    readFile(join(dir, 'tls.key'), 'utf8'),
  ]);
  // Throws on a half-written or mismatched pair, so we never switch to one.
  createSecureContext({ cert, key });
  return { cert, key, digest: createHash('sha256').update(cert).update('\0').update(key).digest('hex') };
}

export interface RunningWebhooks {
  /** Bound ports (useful when 0 asked for any free port). */
  port: number;
  healthPort: number;
  /** Reads the certificate files now and switches if they changed; resolves to whether it did. */
  reloadCertificate(): Promise<boolean>;
  /** Report not ready (/readyz 503) while still serving: the start of a graceful shutdown. */
  drain(): void;
  close(): Promise<void>;
}

function listen(server: HttpServer | HttpsServer, portNumber: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(portNumber, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: HttpServer | HttpsServer): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/**
 * Start the webhooks: caches first (references are read from them), then the HTTPS
 * listener with the mounted certificate, then readiness. Resolves once serving.
 */
export async function startWebhooks(
  config: WebhookConfig,
  options: { logger?: Logger; signal?: AbortSignal } = {},
): Promise<RunningWebhooks> {
  const logger = options.logger ?? createLogger({ level: config.STRATUS_LOG_LEVEL, component: 'webhooks' });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'stratus_webhooks_' });
  const kc = new k8s.KubeConfig();
  if (config.KUBECONFIG) kc.loadFromFile(config.KUBECONFIG);
  else kc.loadFromCluster();

  let ready = false;
  const health = express();
  health.disable('x-powered-by');
  health.get('/healthz', (_req, res) => void res.type('text/plain').send('ok'));
  health.get(
    '/readyz',
    (_req, res) =>
      void res
        .status(ready ? 200 : 503)
        .type('text/plain')
        .send(ready ? 'ok' : 'starting'),
  );
  health.get('/metrics', (_req, res) => {
    void registry.metrics().then((text) => res.type(registry.contentType).send(text));
  });
  const healthHttp = createHttpServer(health);
  const healthPort = await listen(healthHttp, config.STRATUS_HEALTH_PORT, config.STRATUS_HEALTH_ADDRESS);
  logger.info('serving health and metrics', { port: healthPort });

  const lookup = new CachedLookup(kc, { registry, logger });
  let https: HttpsServer | undefined;
  let reloader: NodeJS.Timeout | undefined;
  try {
    await lookup.start(options.signal);
    const app = createWebhookApp({
      kinds: admissions,
      lookup,
      settings: { publicNamespace: config.STRATUS_PUBLIC_NAMESPACE },
      registry,
      log: ({ level, msg, ...fields }) =>
        logger.log(
          (LOG_LEVELS as readonly unknown[]).includes(level)
            ? (level as (typeof LOG_LEVELS)[number])
            : 'info',
          typeof msg === 'string' ? msg : 'admission',
          fields,
        ),
    });

    let current = await readKeyPair(config.STRATUS_WEBHOOK_CERT_DIR);
    const server = createServer({ cert: current.cert, key: current.key, minVersion: 'TLSv1.2' }, app);
    https = server;
    // The apiserver keeps connections alive between reviews; don't hold shutdown hostage.
    server.keepAliveTimeout = 30_000;
    const boundPort = await listen(server, config.STRATUS_WEBHOOK_PORT, config.STRATUS_WEBHOOK_ADDRESS);
    logger.info('serving admission reviews', { port: boundPort, certDir: config.STRATUS_WEBHOOK_CERT_DIR });

    const reloadCertificate = async (): Promise<boolean> => {
      let next: KeyPair;
      try {
        next = await readKeyPair(config.STRATUS_WEBHOOK_CERT_DIR);
      } catch (error) {
        // Mid-rotation the pair can be briefly inconsistent; keep serving the last good one.
        logger.warn('could not read the certificate; keeping the current one', {
          error: error instanceof Error ? error.message : String(error),
        });
        return false;
      }
      if (next.digest === current.digest) return false;
      server.setSecureContext({ cert: next.cert, key: next.key, minVersion: 'TLSv1.2' });
      current = next;
      logger.info('loaded a rotated serving certificate');
      return true;
    };
    reloader = setInterval(() => void reloadCertificate(), config.STRATUS_CERT_RELOAD_SECONDS * 1000);
    reloader.unref();
    ready = true;

    return {
      port: boundPort,
      healthPort,
      reloadCertificate,
      drain: () => {
        ready = false;
      },
      close: async () => {
        ready = false;
        clearInterval(reloader);
        await closeServer(server);
        await lookup.stop();
        await closeServer(healthHttp);
      },
    };
  } catch (error) {
    clearInterval(reloader);
    if (https) await closeServer(https);
    await lookup.stop();
    await closeServer(healthHttp);
    throw error;
  }
}

/** The webhook process: configuration from the environment, drain and stop on SIGTERM/SIGINT. */
export async function runWebhooksProcess(): Promise<void> {
  const config = loadWebhookConfig(process.env);
  const logger = createLogger({ level: config.STRATUS_LOG_LEVEL, component: 'webhooks' });
  const stop = new AbortController();
  // Every informer's sync wait listens on this one signal: more than Node's default of ten.
  setMaxListeners(64, stop.signal);
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => stop.abort());
  const running = await startWebhooks(config, { logger, signal: stop.signal });
  await new Promise<void>((resolve) => {
    if (stop.signal.aborted) resolve();
    else stop.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  logger.info('shutting down', { delaySeconds: config.STRATUS_SHUTDOWN_DELAY_SECONDS });
  running.drain();
  await new Promise((resolve) => setTimeout(resolve, config.STRATUS_SHUTDOWN_DELAY_SECONDS * 1000));
  await running.close();
}
