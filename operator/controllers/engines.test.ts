import { describe, expect, it } from 'vitest';
import { stableJson } from './engines.js';

describe('stableJson', () => {
  it('ignores key order in objects at any depth but keeps array order', () => {
    expect(stableJson({ b: 1, a: { d: [2, 1], c: null } })).toBe(
      stableJson({ a: { c: null, d: [2, 1] }, b: 1 }),
    );
    expect(stableJson({ a: [1, 2] })).not.toBe(stableJson({ a: [2, 1] }));
  });
});
