import { describe, expect, it } from 'vitest';
import { ApiError, lines, parseEvent } from './watch.js';

function toAsync<T>(items: T[]): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      let i = 0;
      return {
        next: () =>
          Promise.resolve(
            i < items.length ? { value: items[i++] as T, done: false } : { value: undefined, done: true },
          ),
      };
    },
  };
}

async function collect(chunks: string[]): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines(toAsync(chunks))) out.push(line);
  return out;
}

describe('lines', () => {
  it('splits events however the chunks fall', async () => {
    const a = '{"type":"ADDED","object":{"metadata":{"name":"a"}}}';
    const b = '{"type":"DELETED","object":{"metadata":{"name":"ü"}}}';
    const text = `${a}\n${b}\n`;
    // every split point, including inside a line and right at the newline
    for (let i = 0; i <= text.length; i++) {
      expect(await collect([text.slice(0, i), text.slice(i)])).toEqual([a, b]);
    }
    expect(await collect([...text])).toEqual([a, b]);
  });

  it('skips blank lines and yields a final line without a newline', async () => {
    expect(await collect(['\n  \nx\n\n', 'y'])).toEqual(['x', 'y']);
    expect(await collect([])).toEqual([]);
  });
});

describe('parseEvent', () => {
  it('reads the five event types', () => {
    expect(parseEvent('{"type":"ADDED","object":{"metadata":{"name":"a"}}}')).toEqual({
      type: 'ADDED',
      object: { metadata: { name: 'a' } },
    });
    expect(parseEvent('{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"12"}}}').type).toBe(
      'BOOKMARK',
    );
    const error = parseEvent(
      '{"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old resource version: 1 (2)"}}',
    );
    expect(error.type).toBe('ERROR');
  });

  it.each([
    ['not json', /not a JSON event/],
    ['{"type":"ADDED"}', /malformed event/],
    ['{"type":"SOMETHING","object":{}}', /malformed event/],
    ['{"type":"BOOKMARK","object":{"metadata":{}}}', /bookmark without resourceVersion/],
    ['null', /malformed event/],
  ])('refuses %s', (line, message) => {
    expect(() => parseEvent(line)).toThrow(message);
  });
});

describe('ApiError', () => {
  it('carries code and reason from a Status, and knows 410 means gone', () => {
    const error = ApiError.fromStatus({
      kind: 'Status',
      code: 410,
      reason: 'Expired',
      message: 'too old resource version: 1 (2)',
    });
    expect(error.code).toBe(410);
    expect(error.reason).toBe('Expired');
    expect(error.gone).toBe(true);
    expect(error.message).toBe('410 Expired: too old resource version: 1 (2)');
    expect(ApiError.fromStatus({ reason: 'Forbidden' }, 403).gone).toBe(false);
    expect(ApiError.fromStatus({ reason: 'Forbidden' }, 403).code).toBe(403);
  });
});
