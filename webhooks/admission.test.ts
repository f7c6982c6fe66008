import { describe, expect, it } from 'vitest';
import { allow, deny, internalError } from './admission.js';

describe('AdmissionReview answers', () => {
  it('allows with a base64 JSON patch only when there is one', () => {
    expect(allow('u1')).toEqual({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: 'u1', allowed: true },
    });
    const patched = allow('u2', [{ op: 'add', path: '/spec/x', value: 1 }]) as {
      response: { patch: string; patchType: string };
    };
    expect(patched.response.patchType).toBe('JSONPatch');
    expect(JSON.parse(Buffer.from(patched.response.patch, 'base64').toString())).toEqual([
      { op: 'add', path: '/spec/x', value: 1 },
    ]);
  });

  it('denies naming every field, with the strongest code', () => {
    const answer = deny('u3', [
      { field: 'spec.a', message: 'is wrong' },
      { field: 'spec.b', message: 'is taken', code: 409 },
    ]) as { response: { allowed: boolean; status: { code: number; reason: string; message: string } } };
    expect(answer.response.allowed).toBe(false);
    expect(answer.response.status).toEqual({
      code: 409,
      reason: 'Conflict',
      message: 'spec.a: is wrong; spec.b: is taken',
    });
  });

  it('fails closed when it cannot decide', () => {
    const answer = internalError('u4', 'boom') as {
      response: { allowed: boolean; status: { code: number } };
    };
    expect(answer.response.allowed).toBe(false);
    expect(answer.response.status.code).toBe(500);
  });
});
