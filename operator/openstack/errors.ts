// Errors the way each OpenStack service writes them, because clients parse them:
//   Keystone  {"error": {"code": 404, "title": "Not Found", "message": "..."}}
//   Nova      {"itemNotFound": {"code": 404, "message": "..."}}  (the key names the fault)
//   Neutron   {"NeutronError": {"type": "NetworkNotFound", "message": "...", "detail": ""}}
//   Glance    {"code": "404 Not Found", "title": "Not Found", "message": "..."} (webob's JSON)
//   Cinder    as Nova (its fault wrapper is Nova's)
// Handlers throw ApiFault; the service's error middleware renders it. Failures of the
// Kubernetes calls made as the caller become faults too, so RBAC's 403 reaches the user as
// a 403 and an admission webhook's message as a 400 naming the field.
import { STATUS_CODES } from 'node:http';
import { ApiError } from '../runtime/watch.js';

/** Whose error format: the services' catalog types. */
export type Service = 'identity' | 'compute' | 'image' | 'network' | 'volume';

export class ApiFault extends Error {
  override name = 'ApiFault';
  constructor(
    readonly status: number,
    message: string,
    /** Neutron's error type (NetworkNotFound, ...); derived from the status when absent. */
    readonly type?: string,
    /** Extra headers, e.g. Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string, type?: string) =>
  new ApiFault(400, message, type ?? 'BadRequest');
export const unauthorized = (message = 'The request you have made requires authentication.') =>
  new ApiFault(401, message, 'NotAuthenticated');
export const forbidden = (message: string) => new ApiFault(403, message, 'Forbidden');
export const notFound = (message: string, type?: string) => new ApiFault(404, message, type ?? 'NotFound');
export const conflict = (message: string, type?: string) => new ApiFault(409, message, type ?? 'Conflict');

/** Nova's fault keys by status (nova/api/openstack/wsgi.py Fault._fault_names). */
const NOVA_FAULTS: Record<number, string> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'itemNotFound',
  405: 'badMethod',
  406: 'notAcceptable',
  409: 'conflictingRequest',
  413: 'overLimit',
  415: 'badMediaType',
  429: 'overLimit',
  501: 'notImplemented',
  503: 'serviceUnavailable',
};

/** Neutron's generic types by status, for faults that name none. */
const NEUTRON_TYPES: Record<number, string> = {
  400: 'BadRequest',
  401: 'NotAuthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'HTTPMethodNotAllowed',
  409: 'Conflict',
  413: 'RequestEntityTooLarge',
  429: 'OverQuota',
  503: 'ServiceUnavailable',
};

export function errorBody(service: Service, status: number, message: string, type?: string): unknown {
  const title = STATUS_CODES[status] ?? 'Error';
  switch (service) {
    case 'identity':
      return { error: { code: status, title, message } };
    case 'compute':
    case 'volume':
      return { [NOVA_FAULTS[status] ?? 'computeFault']: { code: status, message } };
    case 'network':
      return {
        NeutronError: { type: type ?? NEUTRON_TYPES[status] ?? 'NeutronError', message, detail: '' },
      };
    case 'image':
      return { code: `${status} ${title}`, title, message };
  }
}

/**
 * The apiserver's answer to a call made as the caller, in OpenStack terms. Admission and
 * schema errors carry the field and what to do; they are the client's to fix (400), except
 * quota and permission denials (403) and conflicts (409) which keep their codes.
 */
export function faultFromKube(error: unknown): ApiFault | undefined {
  if (error instanceof ApiFault) return error;
  if (!(error instanceof ApiError)) return undefined;
  const message = kubeMessage(error);
  switch (error.code) {
    case 400:
    case 422:
      return new ApiFault(400, message, 'BadRequest');
    case 401:
    case 403:
      return new ApiFault(403, message, 'Forbidden');
    case 404:
      return new ApiFault(404, message, 'NotFound');
    case 409:
      return new ApiFault(409, message, 'Conflict');
    case 429:
      return new ApiFault(429, message, 'OverQuota', {
        'Retry-After': String(error.retryAfterSeconds ?? 1),
      });
    default:
      return new ApiFault(503, `the cloud could not complete the request: ${message}`, 'ServiceUnavailable');
  }
}

/** The human part of an apiserver Status: the message, without the "code Reason:" prefix. */
export function kubeMessage(error: ApiError): string {
  const raw = error.status?.message ?? error.message;
  // Admission denials read "admission webhook \"x\" denied the request: <what to do>".
  const denied = /denied the request: (.*)$/s.exec(raw);
  return (denied?.[1] ?? raw).trim();
}
