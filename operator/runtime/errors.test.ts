import { describe, expect, it } from 'vitest';
import {
  BACKEND_REJECTED,
  BACKEND_RETRY_MS,
  backendRejection,
  TerminalError,
  terminalConditions,
} from './errors.js';
import { nextStatus } from './status.js';
import { ApiError } from './watch.js';

describe('TerminalError', () => {
  it('is reported as Ready=False and Degraded=True with its reason, beside the status it carries', () => {
    const error = TerminalError.of({
      status: { state: 'killed', message: 'disk format ova is not supported' },
      ready: { type: 'Ready', status: 'False', reason: 'UnsupportedFormat', message: 'ova' },
    });
    expect(error).toBeInstanceOf(TerminalError);
    expect(error.reason).toBe('UnsupportedFormat');
    const written = nextStatus(
      { metadata: { generation: 2 } },
      error.status!,
      terminalConditions(error),
      new Date('2026-01-01T00:00:00Z'),
    );
    expect(written).toEqual({
      state: 'killed',
      message: 'disk format ova is not supported',
      observedGeneration: 2,
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'UnsupportedFormat',
          message: 'ova',
          lastTransitionTime: '2026-01-01T00:00:00Z',
          observedGeneration: 2,
        },
        {
          type: 'Degraded',
          status: 'True',
          reason: 'UnsupportedFormat',
          message: 'ova',
          lastTransitionTime: '2026-01-01T00:00:00Z',
          observedGeneration: 2,
        },
      ],
    });
  });
});

describe('backendRejection', () => {
  it('is an admission refusal (400, 403, 422), retried after one interval with one reason', () => {
    for (const code of [400, 403, 422]) {
      expect(
        backendRejection(new ApiError(code, 'Invalid', 'gateway in use'), 'Kube-OVN refused subnet a.b'),
      ).toEqual({
        reason: BACKEND_REJECTED,
        message: 'Kube-OVN refused subnet a.b: gateway in use',
        requeueAfterMs: BACKEND_RETRY_MS,
      });
    }
  });

  it('leaves conflicts, throttling, outages and other errors to ordinary backoff', () => {
    for (const code of [404, 409, 429, 500, 503]) {
      expect(
        backendRejection(new ApiError(code, 'X', 'x'), 'KubeVirt refused the virtual machine'),
      ).toBeUndefined();
    }
    expect(backendRejection(new Error('socket hang up'), 'x')).toBeUndefined();
  });
});
