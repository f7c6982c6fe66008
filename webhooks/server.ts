// The admission webhook HTTP app: POST /validate and /mutate take AdmissionReviews and
// always answer one (HTTP 200), or HTTP 400 for a body that is not an AdmissionReview.
// Any failure to decide is a refusal with a message (fail closed), never a 500.
import express, { type NextFunction, type Request, type Response } from 'express';
import { Counter, Histogram, type Registry } from 'prom-client';
import { admissionReview, allow, deny, internalError, type AdmissionRequest } from './admission.js';
import type { AdmissionContext, KindAdmission, WebhookSettings } from './context.js';
import { defaultSettings } from './context.js';
import type { ObjectLookup } from './lookup.js';
import { GROUP } from '../operator/kinds/meta.js';

export interface WebhookAppOptions {
  kinds: KindAdmission[];
  lookup: ObjectLookup;
  settings?: WebhookSettings;
  registry?: Registry;
  log?: (entry: Record<string, unknown>) => void;
  /** Called for every well-formed review (readiness probes count these). */
  onReview?: () => void;
}

type Webhook = 'validate' | 'mutate';

function metrics(registry: Registry | undefined) {
  const registers = registry ? [registry] : [];
  return {
    requests: new Counter({
      name: 'stratus_webhook_admission_requests_total',
      help: 'Admission reviews answered, by webhook, resource, operation and outcome',
      labelNames: ['webhook', 'resource', 'operation', 'allowed'] as const,
      registers,
    }),
    duration: new Histogram({
      name: 'stratus_webhook_admission_duration_seconds',
      help: 'Time to answer an admission review',
      labelNames: ['webhook', 'resource', 'operation'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
  };
}

export function createWebhookApp(options: WebhookAppOptions): express.Express {
  const settings = options.settings ?? defaultSettings;
  const byPlural = new Map(options.kinds.map((k) => [k.kind.plural, k]));
  const log = options.log ?? (() => {});
  const { requests, duration } = metrics(options.registry);
  const app = express();
  app.disable('x-powered-by');
  // Objects are at most 1.5 MiB in etcd; a review carries the old and the new one.
  app.use(express.json({ limit: '8mb', strict: true, type: () => true }));

  const decide = async (webhook: Webhook, request: AdmissionRequest): Promise<object> => {
    const admission = request.resource.group === GROUP ? byPlural.get(request.resource.resource) : undefined;
    if (!admission || request.operation === 'CONNECT') return allow(request.uid);
    const ctx: AdmissionContext = {
      kind: admission.kind,
      operation: request.operation,
      namespace: request.namespace || undefined,
      name: request.name ?? request.object?.metadata?.name ?? '',
      object: (request.object ?? undefined) as AdmissionContext['object'],
      oldObject: (request.oldObject ?? undefined) as AdmissionContext['oldObject'],
      lookup: options.lookup,
      settings,
      username: request.userInfo?.username,
    };
    if (webhook === 'mutate') {
      if (!admission.mutate || !ctx.object) return allow(request.uid);
      return allow(request.uid, await admission.mutate(ctx));
    }
    if (!admission.validate) return allow(request.uid);
    // A namespace being deleted takes everything in it; "in use" no longer matters.
    if (
      request.operation === 'DELETE' &&
      ctx.namespace &&
      (await options.lookup.namespace(ctx.namespace))?.terminating
    ) {
      return allow(request.uid);
    }
    const denials = await admission.validate(ctx);
    return denials.length > 0 ? deny(request.uid, denials) : allow(request.uid);
  };

  const handler = (webhook: Webhook) => async (req: Request, res: Response) => {
    const parsed = admissionReview.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      res.status(400).json({
        error: `not an admission.k8s.io/v1 AdmissionReview: ${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid body'}`,
      });
      return;
    }
    const request = parsed.data.request;
    options.onReview?.();
    const labels = { webhook, resource: request.resource.resource, operation: request.operation };
    const stop = duration.startTimer(labels);
    let answer: object;
    try {
      answer = await decide(webhook, request);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log({
        level: 'error',
        msg: 'admission failed',
        ...labels,
        name: request.name,
        namespace: request.namespace,
        error: message,
      });
      answer = internalError(request.uid, message);
    }
    stop();
    const allowed = (answer as { response: { allowed: boolean } }).response.allowed;
    requests.inc({ ...labels, allowed: String(allowed) });
    res.status(200).json(answer);
  };

  app.post('/validate', handler('validate'));
  app.post('/mutate', handler('mutate'));
  app.get('/healthz', (_req, res) => void res.type('text/plain').send('ok'));
  // Malformed JSON, bodies over the limit, wrong methods: say so in 4xx, never 500.
  app.use(
    (
      error: Error & { status?: number; type?: string },
      _req: Request,
      res: Response,
      _next: NextFunction,
    ) => {
      const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 400;
      res.status(status).json({ error: `bad request: ${error.type ?? error.message}` });
    },
  );
  return app;
}
