// A service as an express router: JSON bodies (capped), version documents, microversion
// negotiation, the route table — each route authenticated, its body validated, its answer
// sent with its declared code — then 404 for the rest, and every error
// rendered in the service's format. An error code a route did not declare is a bug: it is
// logged and the client gets 500, so the generated reference stays the truth.
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { baseUrl, type ApiDeps } from '../context.js';
import { ApiFault, errorBody, faultFromKube, type Service as ErrorFormat } from '../errors.js';
import { parseBody } from '../validation.js';
import { sessionFor } from './auth.js';
import { negotiate, schemaAt, versionHeaders } from './microversion.js';
import { allowedErrors, Reply, type Route } from './route.js';
import type { ServiceDefinition } from './service.js';

const INTERNAL_ERROR = 'The server has either erred or is incapable of performing the requested operation.';

/** An error of the body parser (or a thrown fault) as a fault; undefined if unexpected. */
function faultOf(error: unknown, maxBodyBytes: number): ApiFault | undefined {
  const fault = faultFromKube(error);
  if (fault) return fault;
  const { status, type } = error as { status?: number; type?: string };
  const message = (error as Error).message;
  if (type === 'entity.too.large' || status === 413) {
    return new ApiFault(413, `Request body too large: at most ${maxBodyBytes} bytes.`);
  }
  if (type === 'entity.parse.failed') {
    return new ApiFault(400, `Malformed request body: ${message}`, 'MalformedRequestBody');
  }
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return new ApiFault(415, message);
  if (status && status >= 400 && status < 500) return new ApiFault(status, message);
  return undefined;
}

/** Render any error in the service's format; unexpected ones are logged and become 500. */
export function errorHandler(deps: ApiDeps, format: ErrorFormat) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    let fault = faultOf(error, deps.config.STRATUS_API_MAX_BODY_BYTES);
    if (!fault) {
      deps.logger.error('request failed', {
        service: format,
        method: req.method,
        path: req.path,
        requestId: res.locals.requestId,
        error,
      });
      fault = new ApiFault(500, INTERNAL_ERROR);
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res
      .status(fault.status)
      .set(fault.headers)
      .json(errorBody(format, fault.status, fault.message, fault.type));
  };
}

/** A fault the route did not declare, as the bug it is. */
function undeclared(deps: ApiDeps, route: Route, status: number, error: unknown): ApiFault {
  deps.logger.error('route answered with an undeclared status', {
    route: `${route.method} ${route.path}`,
    status,
    error,
  });
  return new ApiFault(500, INTERNAL_ERROR);
}

function send(deps: ApiDeps, route: Route, res: Response, result: unknown): void {
  const answer = result instanceof Reply ? result : new Reply(result);
  const status = answer.options.status ?? route.status;
  if (status !== route.status && !route.also?.includes(status))
    throw undeclared(deps, route, status, undefined);
  res.status(status).set(answer.options.headers ?? {});
  if (status === 204 || route.method === 'HEAD' || answer.body === undefined) res.end();
  else res.json(answer.body);
}

/** The express handler of one route. */
function handle(deps: ApiDeps, service: ServiceDefinition, env: unknown, route: Route) {
  const allowed = new Set(allowedErrors(route, !!service.microversions));
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      const session = await sessionFor(deps, route.auth, req, res);
      const microversion = res.locals.microversion as string | undefined;
      const schema = route.body ? schemaAt(route.body, microversion) : undefined;
      const result = await route.handler({
        env,
        session,
        body: schema ? parseBody(schema, req.body) : (req.body as unknown),
        params: req.params as Record<string, string>,
        query: req.query,
        base: baseUrl(deps, req),
        ...(microversion ? { microversion } : {}),
        req,
        res,
      });
      if (!route.raw) send(deps, route, res, result);
    } catch (error) {
      const fault = faultFromKube(error);
      next(fault && !allowed.has(fault.status) ? undeclared(deps, route, fault.status, error) : error);
    }
  };
}

const METHODS = {
  GET: 'get',
  HEAD: 'head',
  POST: 'post',
  PUT: 'put',
  PATCH: 'patch',
  DELETE: 'delete',
} as const;

export function serviceRouter(deps: ApiDeps, service: ServiceDefinition): Router {
  const router = express.Router();
  // Glance's PATCH uses application/openstack-images-v2.1-json-patch; every JSON-ish type parses.
  router.use(
    express.json({
      limit: deps.config.STRATUS_API_MAX_BODY_BYTES,
      strict: false,
      type: (req) => /json/i.test(String(req.headers['content-type'] ?? '')),
    }),
  );
  for (const doc of service.versions) {
    router.get(
      [...doc.paths],
      (req, res) => void res.status(doc.status).json(doc.document(baseUrl(deps, req))),
    );
  }
  const policy = service.microversions;
  if (policy) {
    router.use(policy.under, (req, res, next) => {
      const version = negotiate(policy, {
        openstack: req.get('openstack-api-version'),
        legacy: policy.legacyHeader ? req.get(policy.legacyHeader) : undefined,
      });
      res.locals.microversion = version;
      res.set(versionHeaders(policy, version));
      next();
    });
  }
  const env = service.wire(deps);
  for (const route of service.routes)
    router[METHODS[route.method]](route.path, handle(deps, service, env, route));
  router.use((req: Request) => {
    throw new ApiFault(
      404,
      `The resource could not be found: ${req.method} ${req.originalUrl.split('?')[0]}`,
    );
  });
  router.use(errorHandler(deps, service.errorFormat));
  return router;
}
