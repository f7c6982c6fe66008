import { describe, expect, it } from 'vitest';
import { isReady, setCondition } from './conditions.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:05:00Z');

describe('setCondition', () => {
  it('adds a condition with the transition time and generation', () => {
    expect(
      setCondition(undefined, { type: 'Ready', status: 'False', reason: 'Creating', message: 'm' }, 1, t0),
    ).toEqual([
      {
        type: 'Ready',
        status: 'False',
        reason: 'Creating',
        message: 'm',
        lastTransitionTime: '2026-01-01T00:00:00Z',
        observedGeneration: 1,
      },
    ]);
  });

  it('keeps lastTransitionTime when only reason, message or generation change', () => {
    const first = setCondition(
      undefined,
      { type: 'Ready', status: 'False', reason: 'A', message: 'a' },
      1,
      t0,
    );
    const second = setCondition(first, { type: 'Ready', status: 'False', reason: 'B', message: 'b' }, 2, t1);
    expect(second[0]).toMatchObject({
      reason: 'B',
      message: 'b',
      observedGeneration: 2,
      lastTransitionTime: '2026-01-01T00:00:00Z',
    });
  });

  it('moves lastTransitionTime on a real transition and leaves other conditions alone', () => {
    const list = setCondition(
      setCondition(undefined, { type: 'Ready', status: 'False', reason: 'A', message: '' }, 1, t0),
      { type: 'Degraded', status: 'False', reason: 'Fine', message: '' },
      1,
      t0,
    );
    const next = setCondition(list, { type: 'Ready', status: 'True', reason: 'Ready', message: '' }, 1, t1);
    expect(next.find((c) => c.type === 'Ready')?.lastTransitionTime).toBe('2026-01-01T00:05:00Z');
    expect(next.find((c) => c.type === 'Degraded')).toEqual(list.find((c) => c.type === 'Degraded'));
  });
});

describe('isReady', () => {
  it('needs Ready=True observed at the current generation', () => {
    const conditions = setCondition(
      undefined,
      { type: 'Ready', status: 'True', reason: 'R', message: '' },
      1,
      t0,
    );
    expect(isReady({ metadata: { generation: 1 }, status: { conditions } })).toBe(true);
    expect(isReady({ metadata: { generation: 2 }, status: { conditions } })).toBe(false);
    expect(isReady({ metadata: { generation: 1 }, status: {} })).toBe(false);
  });
});
