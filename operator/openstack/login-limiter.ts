// Failed logins are rate-limited per user name and per client address, with exponential
// lockout: after `allowed` failures in a row, each further failure locks the key for
// 1 s, 2 s, 4 s, ... up to `maxLockoutMs`. While locked, logins are refused before the
// password is even checked (so a locked account costs no scrypt time). A success clears
// the user's count; an address's count only decays, so one correct password does not
// reset a sprayer's budget. State is per replica, in memory: a bound on guessing speed,
// not an account state (Keystone's lockout lives in its database; ours would need a write
// per failure).

interface Entry {
  failures: number;
  lockedUntil: number;
  last: number;
}

export interface LoginLimiterOptions {
  /** Failures per user before lockout starts. */
  allowed: number;
  maxLockoutMs: number;
  /** Client addresses get this many times the user allowance (offices share an address). */
  addressFactor?: number;
  now?: () => number;
}

export class LoginLimiter {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(private readonly options: LoginLimiterOptions) {
    this.now = options.now ?? Date.now;
  }

  private allowance(key: string): number {
    return key.startsWith('address:')
      ? this.options.allowed * (this.options.addressFactor ?? 4)
      : this.options.allowed;
  }

  /** Milliseconds until every one of `keys` may try again (0: now). */
  lockedFor(keys: readonly string[]): number {
    const now = this.now();
    return Math.max(0, ...keys.map((k) => (this.entries.get(k)?.lockedUntil ?? 0) - now));
  }

  failure(keys: readonly string[]): void {
    const now = this.now();
    for (const key of keys) {
      const entry = this.fresh(key, now) ?? { failures: 0, lockedUntil: 0, last: now };
      entry.failures++;
      entry.last = now;
      const over = entry.failures - this.allowance(key);
      if (over >= 0) {
        entry.lockedUntil = now + Math.min(this.options.maxLockoutMs, 1000 * 2 ** Math.min(over, 30));
      }
      this.entries.set(key, entry);
    }
    if (this.entries.size > 100_000) this.prune(now);
  }

  success(key: string): void {
    this.entries.delete(key);
  }

  /** The entry, unless it has been quiet long enough to be forgotten. */
  private fresh(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && now - entry.last > 2 * this.options.maxLockoutMs && entry.lockedUntil <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private prune(now: number): void {
    for (const key of [...this.entries.keys()]) this.fresh(key, now);
  }
}

export const userKey = (login: string): string => `user:${login.toLowerCase()}`;
export const addressKey = (address: string): string => `address:${address}`;
