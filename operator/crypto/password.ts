// Password hashing for Stratus users: scrypt (memory-hard) with a random salt, stored as a
// PHC string. Cost: N=2^17, r=8, p=1 (128 MiB, OWASP's scrypt recommendation), slower than
// Keystone's default bcrypt at 12 rounds. Verification compares in constant time.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) =>
    scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))),
  );

export interface ScryptCost {
  /** log2 of N, the CPU/memory cost. */
  ln: number;
  r: number;
  p: number;
}

export const DEFAULT_COST: ScryptCost = { ln: 17, r: 8, p: 1 };
const KEY_LENGTH = 32;
const b64 = (buffer: Buffer) => buffer.toString('base64').replace(/=+$/, '');

function options(cost: ScryptCost): ScryptOptions {
  const N = 2 ** cost.ln;
  // Node refuses by default above 32 MiB; allow what the cost needs (128 * N * r bytes) and a margin.
  return { N, r: cost.r, p: cost.p, maxmem: 256 * N * cost.r };
}

/** `$scrypt$ln=17,r=8,p=1$<salt>$<hash>` (base64, no padding). */
export async function hashPassword(password: string, cost: ScryptCost = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LENGTH, options(cost));
  return `$scrypt$ln=${cost.ln},r=${cost.r},p=${cost.p}$${b64(salt)}$${b64(key)}`;
}

const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/** Whether `password` matches `hash`; false (never a throw) for a malformed hash. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const match = PHC.exec(hash);
  if (!match) return false;
  const [, ln, r, p, salt, expected] = match;
  const cost = { ln: Number(ln), r: Number(r), p: Number(p) };
  if (cost.ln < 10 || cost.ln > 20 || cost.r < 1 || cost.p < 1) return false;
  const want = Buffer.from(expected!, 'base64');
  const got = await scrypt(password, Buffer.from(salt!, 'base64'), want.length, options(cost));
  return got.length === want.length && timingSafeEqual(got, want);
}
