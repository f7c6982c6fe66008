import { describe, expect, it } from 'vitest';
import {
  Delays,
  formatQuantity,
  jsonEqual,
  refsOf,
  parseDelay,
  parseQuantity,
  setCondition,
  type CdiCondition,
  type KubeOvnCondition,
} from './common.js';
import { parseArgs } from './main.js';

describe('quantities', () => {
  it('parses binary and decimal suffixes, rounding up', () => {
    expect(parseQuantity('10Gi')).toBe(10n << 30n);
    expect(parseQuantity('1.5Gi')).toBe(3n << 29n);
    expect(parseQuantity('2G')).toBe(2_000_000_000n);
    expect(parseQuantity('1073741824')).toBe(1n << 30n);
    expect(parseQuantity('0.1')).toBe(1n);
    expect(parseQuantity(512)).toBe(512n);
    expect(parseQuantity('ten')).toBeUndefined();
    expect(parseQuantity(undefined)).toBeUndefined();
  });

  it('prints the largest binary unit that divides', () => {
    expect(formatQuantity(10n << 30n)).toBe('10Gi');
    expect(formatQuantity(1536n << 20n)).toBe('1536Mi');
    expect(formatQuantity(1000n)).toBe('1000');
    expect(formatQuantity(0n)).toBe('0');
  });
});

describe('delays', () => {
  it('parses a fixed delay or a range', () => {
    expect(parseDelay('0')).toEqual({ minMs: 0, maxMs: 0 });
    expect(parseDelay('50-300')).toEqual({ minMs: 50, maxMs: 300 });
    expect(() => parseDelay('300-50')).toThrow(/max is below min/);
    expect(() => parseDelay('fast')).toThrow(/milliseconds/);
  });

  it('starts a step clock at the first ask and draws a stable length from the range', () => {
    let now = 1000;
    const delays = new Delays({ minMs: 50, maxMs: 300 }, () => now);
    const length = delays.lengthOf('uid/Pending');
    expect(length).toBeGreaterThanOrEqual(50);
    expect(length).toBeLessThanOrEqual(300);
    expect(delays.lengthOf('uid/Pending')).toBe(length);
    expect(delays.remaining('uid/Pending')).toBe(length);
    now += 20;
    expect(delays.remaining('uid/Pending')).toBe(length - 20);
    now += length;
    expect(delays.remaining('uid/Pending')).toBe(0);
    // Another step has its own clock.
    expect(delays.remaining('uid/Scheduling')).toBe(delays.lengthOf('uid/Scheduling'));
    expect(delays.remaining('uid/retry', 5000)).toBe(5000);
  });

  it('is instant with a zero delay', () => {
    expect(new Delays({ minMs: 0, maxMs: 0 }).remaining('x')).toBe(0);
  });
});

describe('conditions', () => {
  it('moves lastTransitionTime only on a status change, heartbeats on any change (CDI)', () => {
    let list: CdiCondition[] = setCondition(
      'cdi',
      [],
      { type: 'Bound', status: 'False', reason: 'Pending', message: 'm' },
      't1',
    );
    expect(list).toEqual([
      {
        type: 'Bound',
        status: 'False',
        reason: 'Pending',
        message: 'm',
        lastTransitionTime: 't1',
        lastHeartbeatTime: 't1',
      },
    ]);
    const same = setCondition(
      'cdi',
      list,
      { type: 'Bound', status: 'False', reason: 'Pending', message: 'm' },
      't2',
    );
    expect(jsonEqual(same, list)).toBe(true);
    list = setCondition('cdi', list, { type: 'Bound', status: 'False', reason: 'Other', message: 'm' }, 't3');
    expect(list[0]).toMatchObject({ lastTransitionTime: 't1', lastHeartbeatTime: 't3' });
    list = setCondition('cdi', list, { type: 'Bound', status: 'True', reason: 'Bound', message: '' }, 't4');
    expect(list[0]).toMatchObject({ lastTransitionTime: 't4', lastHeartbeatTime: 't4' });
  });

  it('uses each engine shape', () => {
    expect(setCondition('kubevirt', [], { type: 'Ready', status: 'True' }, 't')).toEqual([
      { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: 't' },
    ]);
    const ovn: KubeOvnCondition[] = setCondition(
      'kubeovn',
      [],
      { type: 'Ready', status: 'True', reason: 'R' },
      't',
      3,
    );
    expect(ovn).toEqual([
      {
        type: 'Ready',
        status: 'True',
        reason: 'R',
        lastUpdateTime: 't',
        lastTransitionTime: 't',
        observedGeneration: 3,
      },
    ]);
  });
});

describe('refsOf', () => {
  it('maps the objects a predicate picks to the refs a watch enqueues', () => {
    const objects = [{ metadata: { name: 'a', namespace: 'demo' } }, { metadata: { name: 'b' } }];
    expect(refsOf(objects)).toEqual([
      { name: 'a', namespace: 'demo' },
      { name: 'b', namespace: undefined },
    ]);
    expect(refsOf(objects, (o) => o.metadata.name === 'b')).toEqual([{ name: 'b', namespace: undefined }]);
  });
});

describe('jsonEqual', () => {
  it('ignores key order and undefined values', () => {
    expect(jsonEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1, d: undefined })).toBe(true);
    expect(jsonEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(jsonEqual({ a: null }, { a: {} })).toBe(false);
  });
});

describe('command line', () => {
  it('takes flags over environment over defaults', () => {
    expect(parseArgs([], {})).toEqual({ delay: { minMs: 50, maxMs: 300 }, logLevel: 'info', fixtures: true });
    expect(parseArgs([], { KUBECONFIG: '/k', STRATUS_SIM_DELAY_MS: '0' })).toMatchObject({
      kubeconfig: '/k',
      delay: { minMs: 0, maxMs: 0 },
    });
    expect(
      parseArgs(['--kubeconfig=/x', '--delay-ms=10-20', '--log-level=debug', '--no-fixtures'], {
        KUBECONFIG: '/k',
      }),
    ).toEqual({ kubeconfig: '/x', delay: { minMs: 10, maxMs: 20 }, logLevel: 'debug', fixtures: false });
  });

  it('refuses what it does not know, with usage', () => {
    expect(() => parseArgs(['--delay=5'], {})).toThrow(/unknown argument "--delay=5"[\s\S]*usage:/);
    expect(() => parseArgs(['--delay-ms=soon'], {})).toThrow(/delay/);
    expect(() => parseArgs(['--log-level=loud'], {})).toThrow(/logLevel/);
  });
});
