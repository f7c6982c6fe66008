import { describe, expect, it } from 'vitest';
import { retag } from './tags.js';

describe('retagging an image', () => {
  it('adds a tag once and removes one it has', () => {
    expect(retag(['a'], 'b', true)).toEqual(['a', 'b']);
    expect(retag(['a'], 'a', true)).toEqual(['a']);
    expect(retag(['a', 'b'], 'a', false)).toEqual(['b']);
  });

  it('refuses removing a tag it lacks (404) and tags over 255 characters (400)', () => {
    expect(() => retag(['a'], 'b', false)).toThrow(expect.objectContaining({ status: 404 }));
    expect(() => retag([], 'x'.repeat(256), true)).toThrow(expect.objectContaining({ status: 400 }));
  });
});
