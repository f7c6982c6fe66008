import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password.js';

// A low cost keeps the unit test quick; the format and the checks are the same.
const cheap = { ln: 10, r: 8, p: 1 };

describe('password hashing', () => {
  it('verifies the right password and rejects a wrong one', async () => {
    const hash = await hashPassword('correct horse', cheap);
    expect(hash).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    expect(await verifyPassword('correct horsE', hash)).toBe(false);
  });

  it('salts: the same password hashes differently each time', async () => {
    expect(await hashPassword('pw', cheap)).not.toBe(await hashPassword('pw', cheap));
  });

  it('uses a slow default cost (N = 2^17)', async () => {
    expect(await hashPassword('pw')).toMatch(/^\$scrypt\$ln=17,r=8,p=1\$/);
  });

  it('answers false for malformed or absurd hashes instead of throwing', async () => {
    expect(await verifyPassword('pw', 'not-a-hash')).toBe(false);
    expect(await verifyPassword('pw', '$scrypt$ln=30,r=8,p=1$AAAA$AAAA')).toBe(false);
  });
});
