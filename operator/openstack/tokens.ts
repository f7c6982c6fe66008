// Keystone-style tokens: what Fernet tokens are to Keystone, with AES-256-GCM in place of
// Fernet's AES-128-CBC + HMAC (one authenticated-encryption primitive instead of two).
//
// A token is base64url(0x91 | key id (4) | nonce (12) | ciphertext | tag (16)). The
// plaintext is a small binary record, so tokens stay near 150 characters (clients and
// proxies that store tokens in 255-character columns keep working):
//   version 1 | methods bitmask | flags | issued (u32 s) | expires (u32 s) | user uid (16)
//   | audit id (16) | [project uid (16) if flags&1] | [parent audit id (16) if flags&2]
// The header (first 5 bytes) is authenticated as associated data.
//
// Keys live in a Secret in Keystone's Fernet key-repository layout: data keys "0", "1", …,
// each url-safe base64 of 32 random bytes; "0" is the staged key, the highest number the
// primary. New tokens use the primary; validation accepts every key (a replica that has not
// seen a rotation yet may still issue with the old primary, and tokens outlive rotations).
// Rotation promotes the staged key to primary, stages a fresh "0" and retires the oldest
// beyond the maximum — so every replica can validate a key before any replica issues with it.
//
// Revocations (DELETE /v3/auth/tokens) are kept in the same Secret as one data key per
// revoked audit id, `revoked.<audit id>` = expiry in epoch seconds: adding one is a merge
// patch of one key, so concurrent revocations from several replicas never overwrite each
// other, and an entry is pruned once the token it revokes has expired anyway.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import type { KubeClient } from '../runtime/client.js';
import { Informer } from '../runtime/informer.js';
import type { Logger } from '../runtime/logger.js';
import { ApiError } from '../runtime/watch.js';
import { kube, type SecretObject } from '../kinds/external.js';

export type AuthMethod = 'password' | 'token';
const METHOD_BITS: Record<AuthMethod, number> = { password: 1, token: 2 };

export interface TokenClaims {
  userUid: string;
  /** Absent for an unscoped token. */
  projectUid?: string;
  methods: AuthMethod[];
  /** Epoch seconds. */
  issuedAt: number;
  expiresAt: number;
  /** [own] or [own, the token it was rescoped from] (Keystone audit_ids). */
  auditIds: string[];
}

const PREFIX = 0x91;
const VERSION = 1;
const HAS_PROJECT = 1;
const HAS_PARENT = 2;

function uuidBytes(uuid: string): Buffer {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new Error(`not a UUID: ${uuid}`);
  return Buffer.from(hex, 'hex');
}

function bytesUuid(bytes: Buffer): string {
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A fresh audit id: 16 random bytes, url-safe base64 (22 characters), as Keystone's. */
export function newAuditId(): string {
  return randomBytes(16).toString('base64url');
}

export function encodeClaims(claims: TokenClaims): Buffer {
  const [own, parent] = claims.auditIds;
  if (!own) throw new Error('a token needs an audit id');
  const methods = claims.methods.reduce((bits, m) => bits | METHOD_BITS[m], 0);
  const flags = (claims.projectUid ? HAS_PROJECT : 0) | (parent ? HAS_PARENT : 0);
  const head = Buffer.alloc(11);
  head.writeUInt8(VERSION, 0);
  head.writeUInt8(methods, 1);
  head.writeUInt8(flags, 2);
  head.writeUInt32BE(claims.issuedAt, 3);
  head.writeUInt32BE(claims.expiresAt, 7);
  const parts = [head, uuidBytes(claims.userUid), Buffer.from(own, 'base64url')];
  if (claims.projectUid) parts.push(uuidBytes(claims.projectUid));
  if (parent) parts.push(Buffer.from(parent, 'base64url'));
  return Buffer.concat(parts);
}

export function decodeClaims(data: Buffer): TokenClaims | undefined {
  if (data.length < 43 || data.readUInt8(0) !== VERSION) return undefined;
  const bits = data.readUInt8(1);
  const flags = data.readUInt8(2);
  const expected = 43 + (flags & HAS_PROJECT ? 16 : 0) + (flags & HAS_PARENT ? 16 : 0);
  if (data.length !== expected) return undefined;
  let offset = 43;
  const claims: TokenClaims = {
    methods: (Object.keys(METHOD_BITS) as AuthMethod[]).filter((m) => bits & METHOD_BITS[m]),
    issuedAt: data.readUInt32BE(3),
    expiresAt: data.readUInt32BE(7),
    userUid: bytesUuid(data.subarray(11, 27)),
    auditIds: [data.subarray(27, 43).toString('base64url')],
  };
  if (flags & HAS_PROJECT) {
    claims.projectUid = bytesUuid(data.subarray(offset, offset + 16));
    offset += 16;
  }
  if (flags & HAS_PARENT) claims.auditIds.push(data.subarray(offset, offset + 16).toString('base64url'));
  return claims;
}

/** The 4-byte id of a key in tokens: a hash prefix, so a token names its key without revealing it. */
export function keyId(key: Buffer): Buffer {
  return createHash('sha256').update(key).digest().subarray(0, 4);
}

/** Encrypt claims with `key` (32 bytes). */
export function sealToken(claims: TokenClaims, key: Buffer): string {
  const header = Buffer.concat([Buffer.from([PREFIX]), keyId(key)]);
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(header);
  const body = Buffer.concat([cipher.update(encodeClaims(claims)), cipher.final()]);
  return Buffer.concat([header, nonce, body, cipher.getAuthTag()]).toString('base64url');
}

/** Decrypt with whichever of `keys` sealed it; undefined for anything forged, garbled or foreign. */
export function openToken(token: string, keys: readonly Buffer[]): TokenClaims | undefined {
  if (token.length > 512 || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  const raw = Buffer.from(token, 'base64url');
  if (raw.length < 5 + 12 + 43 + 16 || raw[0] !== PREFIX) return undefined;
  const header = raw.subarray(0, 5);
  const id = raw.subarray(1, 5);
  const nonce = raw.subarray(5, 17);
  const body = raw.subarray(17, raw.length - 16);
  const tag = raw.subarray(raw.length - 16);
  for (const key of keys) {
    if (!keyId(key).equals(id)) continue;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, nonce);
      decipher.setAAD(header);
      decipher.setAuthTag(tag);
      return decodeClaims(Buffer.concat([decipher.update(body), decipher.final()]));
    } catch {
      // another key with the same id prefix (2^-32), or a forgery: try the next
    }
  }
  return undefined;
}

// ---- The key repository (Secret data) ---------------------------------------------------

export const REVOKED_PREFIX = 'revoked.';
const ROTATED_AT = 'stratus.dev/token-keys-rotated-at';

/** A new key as the Secret holds it (decoded data): url-safe base64 of 32 random bytes. */
export const newKeyText = (): string => randomBytes(32).toString('base64url');

export interface KeyRing {
  /** The key new tokens are sealed with. */
  primary: Buffer;
  /** Every key tokens may be sealed with (primary first). */
  all: Buffer[];
}

/** Keys from decoded Secret data ("0": staged, highest number: primary). */
export function keyRing(data: Record<string, string>): KeyRing | undefined {
  const numbered = Object.entries(data)
    .filter(([name]) => /^\d+$/.test(name))
    .map(([name, text]) => ({ index: Number(name), key: Buffer.from(text.trim(), 'base64url') }))
    .filter(({ key }) => key.length === 32)
    .sort((a, b) => b.index - a.index);
  if (numbered.length === 0) return undefined;
  return { primary: numbered[0]!.key, all: numbered.map((k) => k.key) };
}

/**
 * Keystone's rotation: the staged key "0" becomes the new primary (highest number + 1), a
 * fresh key is staged, and the oldest keys beyond `maxKeys` retire. Returns the data keys
 * to set (a string) or remove (null).
 */
export function rotation(
  data: Record<string, string>,
  maxKeys: number,
  fresh = newKeyText(),
): Record<string, string | null> {
  const indexes = Object.keys(data)
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .sort((a, b) => a - b);
  const changes: Record<string, string | null> = {};
  const staged = data['0'];
  const top = indexes.length ? indexes[indexes.length - 1]! : 0;
  if (staged) changes[String(top + 1)] = staged;
  changes['0'] = fresh;
  // Keep "0", the new primary and the newest others up to maxKeys in all.
  const survivors = [...indexes.filter((i) => i !== 0), ...(staged ? [top + 1] : [])].sort((a, b) => b - a);
  for (const index of survivors.slice(maxKeys - 1)) changes[String(index)] = null;
  return changes;
}

const decode = (data: Record<string, string> | undefined): Record<string, string> =>
  Object.fromEntries(
    Object.entries(data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );

export interface TokenKeyStoreOptions {
  kubeConfig: KubeConfig;
  /** Writes as the API's own identity (never as a caller). */
  client: KubeClient;
  namespace: string;
  secretName: string;
  maxKeys: number;
  /** 0: never rotate. */
  rotationHours: number;
  registry?: Registry;
  logger: Logger;
}

/**
 * The Secret as a live key ring plus revocation list: watched (so a rotation or revocation
 * by another replica applies here at once), created on first start when missing.
 */
export class TokenKeyStore {
  private readonly informer: Informer<SecretObject>;
  private parsed: { version: string; ring: KeyRing | undefined; revoked: Map<string, number> } | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: TokenKeyStoreOptions) {
    this.informer = new Informer<SecretObject>({
      kubeConfig: options.kubeConfig,
      resource: kube.secrets,
      namespace: options.namespace,
      fieldSelector: `metadata.name=${options.secretName}`,
      name: 'api/token-keys',
      registry: options.registry,
      logger: options.logger,
    });
  }

  async start(signal?: AbortSignal): Promise<void> {
    await this.ensure();
    this.informer.start();
    await this.informer.waitForSync(signal);
    // Housekeeping once a minute: rotate when due, prune expired revocations.
    this.timer = setInterval(() => void this.maintain(), 60_000);
    this.timer.unref();
    await this.maintain();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.informer.stop();
  }

  private get secret(): SecretObject | undefined {
    return this.informer.store.get(`${this.options.namespace}/${this.options.secretName}`);
  }

  private current(): NonNullable<TokenKeyStore['parsed']> {
    const secret = this.secret;
    const version = secret?.metadata?.resourceVersion ?? '';
    if (this.parsed?.version !== version || !secret) {
      const data = decode(secret?.data);
      const revoked = new Map<string, number>();
      for (const [name, value] of Object.entries(data)) {
        if (name.startsWith(REVOKED_PREFIX)) revoked.set(name.slice(REVOKED_PREFIX.length), Number(value));
      }
      this.parsed = { version, ring: keyRing(data), revoked };
    }
    return this.parsed;
  }

  get ring(): KeyRing {
    const ring = this.current().ring;
    if (!ring) throw new Error(`Secret ${this.options.secretName} holds no token keys`);
    return ring;
  }

  isRevoked(auditIds: readonly string[]): boolean {
    const revoked = this.current().revoked;
    return auditIds.some((id) => revoked.has(id));
  }

  /** Record a revocation until `expiresAt` (epoch seconds), when the token dies anyway. */
  async revoke(auditId: string, expiresAt: number): Promise<void> {
    const { client, secretName, namespace } = this.options;
    await client.patch(
      kube.secrets,
      secretName,
      namespace,
      { data: { [`${REVOKED_PREFIX}${auditId}`]: Buffer.from(String(expiresAt)).toString('base64') } },
      'merge',
    );
    // Apply it here at once, whatever the watch's delay: the caller expects the token dead.
    this.current().revoked.set(auditId, expiresAt);
  }

  /** Create the Secret with a staged and a primary key if it does not exist. */
  private async ensure(): Promise<void> {
    const { client, secretName, namespace } = this.options;
    const existing = await client.get<SecretObject>(kube.secrets, secretName, namespace);
    if (existing && keyRing(decode(existing.data))) return;
    const keys = { '0': newKeyText(), '1': newKeyText() };
    const encoded = Object.fromEntries(
      Object.entries(keys).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    );
    if (existing) {
      await client.patch(kube.secrets, secretName, namespace, { data: encoded }, 'merge');
      return;
    }
    try {
      await client.create(kube.secrets, {
        metadata: {
          name: secretName,
          namespace,
          labels: { 'app.kubernetes.io/managed-by': 'stratus-api' },
          annotations: { [ROTATED_AT]: new Date().toISOString() },
        },
        type: 'Opaque',
        data: encoded,
      });
      this.options.logger.info('created the token key Secret', { secret: secretName });
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 409)) throw error; // another replica won
    }
  }

  private async maintain(): Promise<void> {
    try {
      await this.pruneRevocations();
      await this.rotateIfDue();
    } catch (error) {
      this.options.logger.warn('token key maintenance failed; retrying in a minute', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  private async pruneRevocations(): Promise<void> {
    const now = Math.floor(Date.now() / 1000);
    const expired = [...this.current().revoked].filter(([, until]) => !(until > now)).map(([id]) => id);
    if (expired.length === 0) return;
    const { client, secretName, namespace } = this.options;
    const data = Object.fromEntries(expired.map((id) => [`${REVOKED_PREFIX}${id}`, null]));
    await client.patch(kube.secrets, secretName, namespace, { data }, 'merge');
  }

  /**
   * Rotate when the last rotation is older than the period. The JSON patch tests the
   * resourceVersion, so of several replicas deciding at once exactly one rotates.
   */
  async rotateIfDue(now = Date.now(), force = false): Promise<boolean> {
    const { rotationHours, maxKeys, client, secretName, namespace } = this.options;
    if (rotationHours <= 0 && !force) return false;
    const secret = await client.get<SecretObject>(kube.secrets, secretName, namespace);
    if (!secret) return false;
    const last = Date.parse(secret.metadata?.annotations?.[ROTATED_AT] ?? '');
    if (!force && Number.isFinite(last) && now - last < rotationHours * 3_600_000) return false;
    const changes = rotation(decode(secret.data), maxKeys);
    const ops: Array<{ op: string; path: string; value?: unknown }> = [
      { op: 'test', path: '/metadata/resourceVersion', value: secret.metadata?.resourceVersion },
    ];
    for (const [key, value] of Object.entries(changes)) {
      ops.push(
        value === null
          ? { op: 'remove', path: `/data/${key}` }
          : { op: 'add', path: `/data/${key}`, value: Buffer.from(value).toString('base64') },
      );
    }
    const stamp = new Date(now).toISOString();
    ops.push(
      secret.metadata?.annotations
        ? { op: 'add', path: `/metadata/annotations/${ROTATED_AT.replace('/', '~1')}`, value: stamp }
        : { op: 'add', path: '/metadata/annotations', value: { [ROTATED_AT]: stamp } },
    );
    try {
      await client.patch(kube.secrets, secretName, namespace, ops, 'json');
    } catch (error) {
      // Someone else changed the Secret first (their rotation, or a revocation): next time.
      if (error instanceof ApiError && (error.code === 409 || error.code === 422)) return false;
      throw error;
    }
    this.options.logger.info('rotated the token keys', { secret: secretName });
    return true;
  }
}

/** Seal and open tokens with a key store's current ring. */
export class TokenCodec {
  constructor(private readonly keys: { readonly ring: KeyRing }) {}

  seal(claims: TokenClaims): string {
    return sealToken(claims, this.keys.ring.primary);
  }

  /** The claims of an authentic token that has not expired (revocation is checked elsewhere). */
  open(token: string, now = Date.now()): TokenClaims | undefined {
    const claims = openToken(token, this.keys.ring.all);
    if (!claims || claims.expiresAt * 1000 <= now) return undefined;
    return claims;
  }
}
