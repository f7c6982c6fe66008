import { describe, expect, it } from 'vitest';
import { addressKey, LoginLimiter, userKey } from './login-limiter.js';

function limiter(allowed = 3, maxLockoutMs = 60_000) {
  let now = 1_000_000;
  const l = new LoginLimiter({ allowed, maxLockoutMs, now: () => now });
  return { l, advance: (ms: number) => (now += ms) };
}

describe('LoginLimiter', () => {
  it('locks a user out after the allowed failures, for exponentially longer each time, up to the cap', () => {
    const { l, advance } = limiter(3, 10_000);
    const keys = [userKey('Alice')];
    l.failure(keys);
    l.failure(keys);
    expect(l.lockedFor(keys)).toBe(0);
    l.failure(keys); // third: 1 s
    expect(l.lockedFor(keys)).toBe(1000);
    advance(1000);
    l.failure(keys); // fourth: 2 s
    expect(l.lockedFor(keys)).toBe(2000);
    advance(2000);
    l.failure(keys);
    expect(l.lockedFor(keys)).toBe(4000);
    for (let i = 0; i < 10; i++) l.failure(keys);
    expect(l.lockedFor(keys)).toBe(10_000);
    expect(l.lockedFor([userKey('alice')])).toBe(10_000); // names are case-insensitive
  });

  it('a success clears the user but not the client address', () => {
    const { l } = limiter(2);
    const keys = [userKey('bob'), addressKey('10.0.0.1')];
    for (let i = 0; i < 8; i++) l.failure(keys);
    expect(l.lockedFor([keys[0]!])).toBeGreaterThan(0);
    expect(l.lockedFor([keys[1]!])).toBeGreaterThan(0); // addresses get 4x the allowance: 8 >= 8
    l.success(keys[0]!);
    expect(l.lockedFor([keys[0]!])).toBe(0);
    expect(l.lockedFor(keys)).toBeGreaterThan(0);
  });

  it('forgets a quiet key', () => {
    const { l, advance } = limiter(1, 1000);
    l.failure([userKey('carol')]);
    advance(5000);
    l.failure([userKey('carol')]);
    expect(l.lockedFor([userKey('carol')])).toBe(1000); // counted from 1 again, not 2
  });
});
