import { describe, expect, it } from 'vitest';
import { nextStatus, stableJson } from './status.js';

describe('stableJson', () => {
  it('ignores key order but not array order', () => {
    expect(stableJson({ b: 1, a: { d: [2, 1], c: null } })).toBe(
      stableJson({ a: { c: null, d: [2, 1] }, b: 1 }),
    );
    expect(stableJson({ a: [1, 2] })).not.toBe(stableJson({ a: [2, 1] }));
  });
});

describe('nextStatus', () => {
  const ready = { type: 'Ready', status: 'True', reason: 'Provisioned', message: 'in place' } as const;
  const at = new Date('2026-01-01T00:00:00Z');

  it('adds the conditions and observedGeneration to the view fields', () => {
    const next = nextStatus({ metadata: { generation: 3 } }, { state: 'ACTIVE' }, [ready], at);
    expect(next).toEqual({
      state: 'ACTIVE',
      observedGeneration: 3,
      conditions: [{ ...ready, lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: 3 }],
    });
  });

  it('answers undefined when the status would not change (no write, no wake-up)', () => {
    const first = nextStatus({ metadata: { generation: 1 } }, { a: 1 }, [ready], at)!;
    const object = { metadata: { generation: 1 }, status: first as never };
    expect(nextStatus(object, { a: 1 }, [ready], new Date('2026-02-01T00:00:00Z'))).toBeUndefined();
    expect(nextStatus(object, { a: 2 }, [ready])).toBeDefined();
  });

  it('keeps a transition time while the status holds and drops conditions not given', () => {
    const degraded = { type: 'Degraded', status: 'True', reason: 'InvalidKey', message: 'bad' } as const;
    const failed = { ...ready, status: 'False', reason: 'InvalidKey', message: 'bad' } as const;
    const terminal = nextStatus({ metadata: { generation: 1 } }, {}, [failed, degraded], at)!;
    expect((terminal.conditions as unknown[]).length).toBe(2);
    const object = { metadata: { generation: 2 }, status: terminal as never };
    const later = new Date('2026-03-01T00:00:00Z');
    const recovered = nextStatus(object, {}, [ready], later)!;
    expect(recovered.conditions).toEqual([
      { ...ready, lastTransitionTime: '2026-03-01T00:00:00Z', observedGeneration: 2 },
    ]);
    const stillFailed = nextStatus(object, {}, [{ ...failed, message: 'worse' }], later)!;
    expect((stillFailed.conditions as Array<{ lastTransitionTime: string }>)[0]!.lastTransitionTime).toBe(
      '2026-01-01T00:00:00Z',
    );
  });
});
