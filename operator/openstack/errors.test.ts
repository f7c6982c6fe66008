import { describe, expect, it } from 'vitest';
import { ApiError } from '../runtime/watch.js';
import { errorBody, faultFromKube, kubeMessage } from './errors.js';

describe('error bodies, as each service writes them', () => {
  it('Keystone, Nova, Neutron and Glance', () => {
    expect(errorBody('identity', 401, 'no')).toEqual({
      error: { code: 401, title: 'Unauthorized', message: 'no' },
    });
    expect(errorBody('compute', 404, 'gone')).toEqual({ itemNotFound: { code: 404, message: 'gone' } });
    expect(errorBody('compute', 409, 'busy')).toEqual({ conflictingRequest: { code: 409, message: 'busy' } });
    expect(errorBody('compute', 500, 'x')).toEqual({ computeFault: { code: 500, message: 'x' } });
    expect(errorBody('volume', 404, 'gone')).toEqual({ itemNotFound: { code: 404, message: 'gone' } });
    expect(errorBody('network', 404, 'gone', 'NetworkNotFound')).toEqual({
      NeutronError: { type: 'NetworkNotFound', message: 'gone', detail: '' },
    });
    expect(errorBody('network', 413, 'big')).toEqual({
      NeutronError: { type: 'RequestEntityTooLarge', message: 'big', detail: '' },
    });
    expect(errorBody('image', 404, 'gone')).toEqual({
      code: '404 Not Found',
      title: 'Not Found',
      message: 'gone',
    });
  });
});

describe('apiserver answers in OpenStack terms', () => {
  const status = (code: number, reason: string, message: string) =>
    ApiError.fromStatus({ kind: 'Status', code, reason, message }, code);

  it('keeps RBAC, conflicts and not-found; validation and admission become 400', () => {
    expect(faultFromKube(status(403, 'Forbidden', 'no'))?.status).toBe(403);
    expect(faultFromKube(status(409, 'AlreadyExists', 'dup'))?.status).toBe(409);
    expect(faultFromKube(status(404, 'NotFound', 'x'))?.status).toBe(404);
    expect(faultFromKube(status(422, 'Invalid', 'spec.cidr: bad'))?.status).toBe(400);
    expect(faultFromKube(status(500, 'InternalError', 'boom'))?.status).toBe(503);
    expect(faultFromKube(new Error('not from the apiserver'))).toBeUndefined();
  });

  it('keeps only what the webhook said of an admission denial', () => {
    const error = status(
      403,
      'Forbidden',
      'admission webhook "validate.stratus.dev" denied the request: spec.image: image demo/x not found',
    );
    expect(kubeMessage(error)).toBe('spec.image: image demo/x not found');
  });
});
