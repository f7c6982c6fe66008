// The one HTTP listener of every OpenStack service of the registry (services.ts), each
// under its path prefix (framework/mount.ts builds each service's router), plus
// /image-data/<name>, where the image importer fetches uploaded image data.
//
// Cross-cutting: a request id (x-openstack-request-id, and a service's own copy such as
// Nova's x-compute-request-id), one JSON log line per request, and metrics by service and
// status code.
import express from 'express';
import { randomUUID } from 'node:crypto';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { ApiDeps } from './context.js';
import { serviceRouter } from './framework/mount.js';
import { serviceAt, type ServiceDefinition } from './framework/service.js';
import { SERVICES } from './services.js';

function apiMetrics(registry: Registry | undefined) {
  const registers = registry ? [registry] : [];
  return {
    requests: new Counter({
      name: 'stratus_api_requests_total',
      help: 'OpenStack API requests answered, by service, method and HTTP status code',
      labelNames: ['service', 'method', 'code'] as const,
      registers,
    }),
    duration: new Histogram({
      name: 'stratus_api_request_duration_seconds',
      help: 'Time to answer an OpenStack API request, by service and method',
      labelNames: ['service', 'method'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
  };
}

export function createApiApp(
  deps: ApiDeps,
  registry?: Registry,
  services: readonly ServiceDefinition[] = SERVICES,
): express.Express {
  const metrics = apiMetrics(registry);
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');

  app.use((req, res, next) => {
    const requestId = `req-${randomUUID()}`;
    res.locals.requestId = requestId;
    res.set('x-openstack-request-id', requestId);
    const path = req.originalUrl.split('?')[0] ?? '';
    const definition = serviceAt(services, path);
    const service = definition?.type ?? 'other';
    if (definition?.requestIdHeader) res.set(definition.requestIdHeader, requestId);
    const end = metrics.duration.startTimer({ service, method: req.method });
    res.on('finish', () => {
      const seconds = end();
      metrics.requests.inc({ service, method: req.method, code: String(res.statusCode) });
      deps.logger.info('request', {
        service,
        method: req.method,
        // No query string: it may carry names a tenant considers private; never a token.
        path,
        status: res.statusCode,
        durationMs: Math.round(seconds * 1000),
        requestId,
        user: res.locals.user,
        remote: req.ip,
        userAgent: req.get('user-agent'),
      });
    });
    next();
  });

  app.get(['/image-data/:name'], (req, res) => deps.uploads.serve(req, res));
  app.head(['/image-data/:name'], (req, res) => deps.uploads.serve(req, res));
  for (const service of services) app.use(service.prefix, serviceRouter(deps, service));
  app.use((req, res) => {
    res
      .status(404)
      .json({ error: { code: 404, title: 'Not Found', message: `no OpenStack service at ${req.path}` } });
  });
  return app;
}
