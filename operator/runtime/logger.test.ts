import { describe, expect, it } from 'vitest';
import { Logger, isLogLevel } from './logger.js';

function capture(options: Parameters<typeof Logger.create>[0] = {}) {
  const lines: string[] = [];
  const logger = Logger.create({
    now: () => new Date('2024-05-06T07:08:09.010Z'),
    sink: (line) => lines.push(line),
    ...options,
  });
  const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, entries };
}

describe('logger', () => {
  it('writes one JSON object per entry with level, time, msg, component and fields', () => {
    const { logger, lines, entries } = capture({ component: 'instance-controller' });
    logger.info('reconciled', { namespace: 'demo', name: 'web-1', durationMs: 12 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(entries()[0]).toEqual({
      level: 'info',
      time: '2024-05-06T07:08:09.010Z',
      msg: 'reconciled',
      component: 'instance-controller',
      namespace: 'demo',
      name: 'web-1',
      durationMs: 12,
    });
    // The fixed keys come first so a human reading raw lines sees them at once.
    expect(Object.keys(entries()[0]!).slice(0, 3)).toEqual(['level', 'time', 'msg']);
  });

  it('drops entries below the threshold', () => {
    const { logger, entries } = capture({ level: 'warn' });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(entries().map((e) => e.level)).toEqual(['warn', 'error']);
    expect(logger.enabled('info')).toBe(false);
    expect(logger.enabled('error')).toBe(true);
  });

  it('defaults to info', () => {
    const { logger, entries } = capture();
    logger.debug('d');
    logger.info('i');
    expect(entries().map((e) => e.msg)).toEqual(['i']);
  });

  it('child loggers add fields, share the sink and follow the threshold', () => {
    const { logger, entries } = capture({ component: 'operator', fields: { pod: 'p-1' } });
    const child = logger.child({ controller: 'volume', namespace: 'demo' });
    const grandchild = child.child({ name: 'data', namespace: 'other' });
    grandchild.info('hello', { step: 2 });
    child.debug('hidden');
    logger.setLevel('debug');
    child.debug('shown');
    expect(entries()).toEqual([
      expect.objectContaining({
        msg: 'hello',
        component: 'operator',
        pod: 'p-1',
        controller: 'volume',
        namespace: 'other',
        name: 'data',
        step: 2,
      }),
      expect.objectContaining({ msg: 'shown', level: 'debug', controller: 'volume' }),
    ]);
    expect(entries()[1]).not.toHaveProperty('name');
  });

  it('never lets fields overwrite level, time or msg; omits undefined fields', () => {
    const { logger, entries } = capture();
    logger.warn('real', { msg: 'fake', level: 'debug', time: 'never', gone: undefined });
    expect(entries()[0]).toEqual({ level: 'warn', time: '2024-05-06T07:08:09.010Z', msg: 'real' });
  });

  it('serializes errors with message, name, code and cause', () => {
    const { logger, entries } = capture();
    const cause = new Error('socket hang up');
    const error = Object.assign(new Error('request failed', { cause }), { code: 409 });
    logger.error('apply failed', { error });
    const logged = entries()[0]!.error as Record<string, unknown>;
    expect(logged).toMatchObject({ name: 'Error', message: 'request failed', code: 409 });
    expect(logged.stack).toEqual(expect.stringContaining('request failed'));
    expect(logged.cause).toMatchObject({ message: 'socket hang up' });
  });

  it('survives values JSON cannot represent', () => {
    const { logger, entries } = capture();
    const loop: Record<string, unknown> = { a: 1 };
    loop.self = loop;
    logger.info('odd', { loop, big: 10n });
    expect(entries()[0]).toMatchObject({ msg: 'odd', loop: { a: 1, self: '[Circular]' }, big: '10' });
  });

  it('does not throw when the sink does', () => {
    const logger = Logger.create({
      sink: () => {
        throw new Error('EPIPE');
      },
    });
    expect(() => logger.info('x')).not.toThrow();
  });

  it('recognises level names from configuration', () => {
    expect(isLogLevel('debug')).toBe(true);
    expect(isLogLevel('trace')).toBe(false);
    expect(isLogLevel(3)).toBe(false);
  });
});
