import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decodeClaims,
  encodeClaims,
  keyRing,
  newAuditId,
  newKeyText,
  openToken,
  rotation,
  sealToken,
  TokenCodec,
  type TokenClaims,
} from './tokens.js';

const claims = (extra: Partial<TokenClaims> = {}): TokenClaims => ({
  userUid: randomUUID(),
  methods: ['password'],
  issuedAt: 1_700_000_000,
  expiresAt: 1_700_003_600,
  auditIds: [newAuditId()],
  ...extra,
});

describe('token claims encoding', () => {
  it('round-trips unscoped, scoped and rescoped claims', () => {
    for (const c of [
      claims(),
      claims({ projectUid: randomUUID() }),
      claims({
        projectUid: randomUUID(),
        methods: ['password', 'token'],
        auditIds: [newAuditId(), newAuditId()],
      }),
    ]) {
      expect(decodeClaims(encodeClaims(c))).toEqual(c);
    }
  });

  it('refuses truncated or padded records', () => {
    const data = encodeClaims(claims({ projectUid: randomUUID() }));
    expect(decodeClaims(data.subarray(0, data.length - 1))).toBeUndefined();
    expect(decodeClaims(Buffer.concat([data, Buffer.from([0])]))).toBeUndefined();
  });
});

describe('sealed tokens', () => {
  const key = randomBytes(32);

  it('open with the key that sealed them, and stay short enough for 255-character columns', () => {
    const c = claims({ projectUid: randomUUID(), auditIds: [newAuditId(), newAuditId()] });
    const token = sealToken(c, key);
    expect(token.length).toBeLessThan(200);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(openToken(token, [randomBytes(32), key])).toEqual(c);
  });

  it('do not open with another key, nor when a single bit changes', () => {
    const token = sealToken(claims(), key);
    expect(openToken(token, [randomBytes(32)])).toBeUndefined();
    const raw = Buffer.from(token, 'base64url');
    for (const index of [0, 3, 10, 30, raw.length - 1]) {
      const tampered = Buffer.from(raw);
      tampered[index]! ^= 1;
      expect(openToken(tampered.toString('base64url'), [key])).toBeUndefined();
    }
    expect(openToken('not-a-token', [key])).toBeUndefined();
    expect(openToken('', [key])).toBeUndefined();
  });

  it('the codec refuses expired tokens and seals with the primary key', () => {
    const ring = keyRing({ '0': newKeyText(), '1': newKeyText(), '2': newKeyText() })!;
    const codec = new TokenCodec({ ring });
    const c = claims();
    const token = codec.seal(c);
    expect(openToken(token, [ring.primary])).toEqual(c);
    expect(codec.open(token, (c.expiresAt - 1) * 1000)).toEqual(c);
    expect(codec.open(token, c.expiresAt * 1000)).toBeUndefined();
  });
});

describe('the key repository', () => {
  it('takes the highest number as primary and every key for validation', () => {
    const data = {
      '0': newKeyText(),
      '1': newKeyText(),
      '10': newKeyText(),
      '2': newKeyText(),
      'revoked.x': '1',
    };
    const ring = keyRing(data)!;
    expect(ring.primary).toEqual(Buffer.from(data['10'], 'base64url'));
    expect(ring.all).toHaveLength(4);
    expect(keyRing({ 'revoked.x': '1' })).toBeUndefined();
    expect(keyRing({ '1': 'too-short' })).toBeUndefined();
  });

  it("rotates like Keystone's fernet_rotate: staged becomes primary, a new key is staged, the oldest retire", () => {
    const data = { '0': 'staged', '1': 'k1', '2': 'k2', '3': 'primary' };
    expect(rotation(data, 4, 'fresh')).toEqual({ '4': 'staged', '0': 'fresh', '1': null });
    expect(rotation({ '0': 'staged', '1': 'primary' }, 5, 'fresh')).toEqual({ '2': 'staged', '0': 'fresh' });
    // After applying, the old primary still validates: tokens outlive a rotation.
    const after = { ...data, '4': 'staged', '0': 'fresh' } as Record<string, string>;
    delete after['1'];
    expect(Object.keys(after).sort()).toEqual(['0', '2', '3', '4']);
  });
});
