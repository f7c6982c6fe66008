// The one HTTP listener of every OpenStack service, each under its path prefix:
//   /identity  Keystone v3      /compute  Nova v2.1
//   /image     Glance v2        /network  Neutron v2.0
// plus /image-data/<name>, where the image importer fetches uploaded image data.
//
// Cross-cutting: a request id (x-openstack-request-id), one JSON log line per request,
// metrics by service and status code, JSON bodies capped (413 beyond the limit), and every
// error — malformed JSON included — rendered in the error format of the service it hit.
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { randomUUID } from 'node:crypto';
import { Counter, Histogram, type Registry } from 'prom-client';
import { computeRouter } from './compute/index.js';
import type { ApiDeps } from './context.js';
import { ApiFault, errorBody, faultFromKube, type Service } from './errors.js';
import { identityRouter } from './identity.js';
import { imageRouter } from './image.js';
import { networkRouter } from './network.js';

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

const serviceOf = (path: string): Service | 'other' => {
  const first = path.split('/')[1];
  return first === 'identity' || first === 'compute' || first === 'image' || first === 'network'
    ? first
    : 'other';
};

/** Render any error in the service's format; unexpected ones are logged and become 500. */
function errorHandler(deps: ApiDeps, service: Service) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    let fault = faultFromKube(error);
    if (!fault) {
      const status = (error as { status?: number; type?: string }).status;
      const type = (error as { type?: string }).type;
      if (type === 'entity.too.large' || status === 413) {
        fault = new ApiFault(
          413,
          `Request body too large: at most ${deps.config.STRATUS_API_MAX_BODY_BYTES} bytes.`,
        );
      } else if (type === 'entity.parse.failed') {
        fault = new ApiFault(
          400,
          `Malformed request body: ${(error as Error).message}`,
          'MalformedRequestBody',
        );
      } else if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
        fault = new ApiFault(415, (error as Error).message);
      } else if (status && status >= 400 && status < 500) {
        fault = new ApiFault(status, (error as Error).message);
      }
    }
    if (!fault) {
      deps.logger.error('request failed', {
        service,
        method: req.method,
        path: req.path,
        requestId: res.locals.requestId,
        error,
      });
      fault = new ApiFault(
        500,
        'The server has either erred or is incapable of performing the requested operation.',
      );
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res
      .status(fault.status)
      .set(fault.headers)
      .json(errorBody(service, fault.status, fault.message, fault.type));
  };
}

function serviceRouter(deps: ApiDeps, service: Service, routes: Router): Router {
  const router = express.Router();
  // Glance's PATCH uses application/openstack-images-v2.1-json-patch; every JSON-ish type parses.
  router.use(
    express.json({
      limit: deps.config.STRATUS_API_MAX_BODY_BYTES,
      strict: false,
      type: (req) => /json/i.test(String(req.headers['content-type'] ?? '')),
    }),
  );
  router.use(routes);
  router.use((req: Request) => {
    throw new ApiFault(
      404,
      `The resource could not be found: ${req.method} ${req.originalUrl.split('?')[0]}`,
    );
  });
  router.use(errorHandler(deps, service));
  return router;
}

export function createApiApp(deps: ApiDeps, registry?: Registry): express.Express {
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
    const service = serviceOf(path);
    if (service === 'compute') res.set('x-compute-request-id', requestId);
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
  app.use('/identity', serviceRouter(deps, 'identity', identityRouter(deps)));
  app.use('/compute', serviceRouter(deps, 'compute', computeRouter(deps)));
  app.use('/image', serviceRouter(deps, 'image', imageRouter(deps)));
  app.use('/network', serviceRouter(deps, 'network', networkRouter(deps)));
  app.use((req, res) => {
    res
      .status(404)
      .json({ error: { code: 404, title: 'Not Found', message: `no OpenStack service at ${req.path}` } });
  });
  return app;
}
