// KeyPair: fingerprints as Nova computes them, the generated pair Nova hands out once, and
// the one-shot Secret that carries its private key, and the key pair's status. Nothing here
// talks to the API server.
//
// Nova's fingerprints (nova/crypto.py): for ssh keys the MD5 of the decoded key blob, for
// x509 certificates the SHA-1 of the DER certificate, both as colon-separated hex pairs.
// A generated pair is RSA 2048 like Nova's, so Windows guests can encrypt their admin
// password to it; the private key is PEM (PKCS#1), which OpenSSH and the OpenStack CLI read.
import { createHash, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import type { KeyPairObject } from '../../kinds/keypair.js';
import type { StatusView } from '../../runtime/status.js';
import { ANNOTATIONS } from '../engines.js';
import { controllerRef, type Child } from '../children.js';
import { LABELS, MANAGED_BY } from '../../domain/naming.js';

export const KEYPAIR_LABEL = 'stratus.dev/keypair';
/** Data keys of the private-key Secret. */
export const PRIVATE_KEY = 'privateKey';
export const PUBLIC_KEY = 'publicKey';
export const PRIVATE_KEY_SECRET_TYPE = 'stratus.dev/private-key';

const colonHex = (digest: Buffer): string => digest.toString('hex').match(/../g)!.join(':');

/** Nova's ssh fingerprint: MD5 of the base64-decoded key blob. Throws on a malformed line. */
export function sshFingerprint(publicKey: string): string {
  const [type, blob] = publicKey.trim().split(/\s+/);
  if (!type || !blob || !/^[A-Za-z0-9+/]+={0,3}$/.test(blob))
    throw new Error('not an OpenSSH public key line');
  const data = Buffer.from(blob, 'base64');
  // The blob starts with its own key type (RFC 4253): a cheap check that it is a key at all.
  const length = data.length >= 4 ? data.readUInt32BE(0) : -1;
  if (length < 0 || data.subarray(4, 4 + length).toString('latin1') !== type) {
    throw new Error(`the key data does not hold a ${type} key`);
  }
  return colonHex(createHash('md5').update(data).digest());
}

/** Nova's x509 fingerprint: SHA-1 of the DER certificate. Throws on a malformed certificate. */
export function x509Fingerprint(pem: string): string {
  return colonHex(createHash('sha1').update(new X509Certificate(pem).raw).digest());
}

export function fingerprint(type: 'ssh' | 'x509', publicKey: string): string {
  return type === 'x509' ? x509Fingerprint(publicKey) : sshFingerprint(publicKey);
}

function sshString(data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  return Buffer.concat([length, data]);
}

/** An SSH mpint: big-endian, with a leading zero byte when the top bit is set. */
function sshMpint(unsigned: Buffer): Buffer {
  let start = 0;
  while (start < unsigned.length - 1 && unsigned[start] === 0) start++;
  const trimmed = unsigned.subarray(start);
  return sshString((trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

/** The OpenSSH authorized_keys line of an RSA public key (RFC 4253 ssh-rsa encoding). */
export function openSshRsaPublicKey(key: KeyObject, comment: string): string {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty !== 'RSA' || !jwk.n || !jwk.e) throw new Error('not an RSA public key');
  const blob = Buffer.concat([
    sshString(Buffer.from('ssh-rsa')),
    sshMpint(Buffer.from(jwk.e, 'base64url')),
    sshMpint(Buffer.from(jwk.n, 'base64url')),
  ]);
  return `ssh-rsa ${blob.toString('base64')} ${comment}`;
}

export interface GeneratedKeyPair {
  privateKey: string;
  publicKey: string;
}

/** A fresh RSA 2048 pair, as Nova generates. Not pure (randomness); the caller stores it once. */
export function generateRsaKeyPair(comment: string): GeneratedKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    publicKey: openSshRsaPublicKey(publicKey, comment),
  };
}

export const privateKeySecretName = (keyPair: string): string => `${keyPair}-private-key`;

/**
 * The one-shot Secret holding a generated private key: written once, read once by the
 * OpenStack API (which returns the key in its create response) or by a kubectl user, then
 * deleted by the reader — or by the operator when it expires unread. It also keeps the
 * public key, so a crash between writing it and writing the status loses nothing.
 */
export function desiredPrivateKeySecret(
  keyPair: KeyPairObject,
  pair: GeneratedKeyPair,
  expiresAt: Date,
): Child {
  const name = keyPair.metadata.name!;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: privateKeySecretName(name),
      namespace: keyPair.metadata.namespace!,
      labels: { [LABELS.managedBy]: MANAGED_BY, [KEYPAIR_LABEL]: name },
      annotations: {
        [ANNOTATIONS.oneShot]: 'true',
        [ANNOTATIONS.expiresAt]: expiresAt.toISOString().replace(/\.\d+Z$/, 'Z'),
      },
      ownerReferences: [controllerRef(keyPair)],
    },
    type: PRIVATE_KEY_SECRET_TYPE,
    data: {
      [PRIVATE_KEY]: Buffer.from(pair.privateKey).toString('base64'),
      [PUBLIC_KEY]: Buffer.from(pair.publicKey).toString('base64'),
    },
  };
}

/**
 * An imported key pair's status: its fingerprint, or — when the key cannot be read — a
 * terminal failure (nothing but a new spec.publicKey can fix it).
 */
export function importedKeyPairStatus(type: 'ssh' | 'x509', publicKey: string): StatusView {
  try {
    return {
      status: { fingerprint: fingerprint(type, publicKey), publicKey, generated: false },
      ready: { type: 'Ready', status: 'True', reason: 'Imported', message: 'the public key is imported' },
    };
  } catch (error) {
    return {
      status: { generated: false },
      ready: {
        type: 'Ready',
        status: 'False',
        reason: 'InvalidKey',
        message: `publicKey cannot be read as ${type === 'x509' ? 'a PEM certificate' : 'an OpenSSH public key'}: ${error instanceof Error ? error.message : String(error)}`,
      },
      terminal: true,
    };
  }
}

/** Nova generates ssh pairs only: an x509 pair without a key to import never converges. */
export const x509GenerationStatus: StatusView = {
  status: {},
  ready: {
    type: 'Ready',
    status: 'False',
    reason: 'Unsupported',
    message: 'x509 keypairs cannot be generated; import a PEM certificate in spec.publicKey',
  },
  terminal: true,
};

/**
 * A generated key pair's status. `privateKeySecret` names the one-shot Secret while its
 * private key is still waiting for its reader; undefined once handed out.
 */
export function generatedKeyPairStatus(publicKey: string, privateKeySecret: string | undefined): StatusView {
  return {
    status: {
      fingerprint: fingerprint('ssh', publicKey),
      publicKey,
      generated: true,
      ...(privateKeySecret ? { privateKeySecret } : {}),
    },
    ready: {
      type: 'Ready',
      status: 'True',
      reason: 'Generated',
      message: privateKeySecret
        ? `generated; the private key is in Secret ${privateKeySecret} (key privateKey) once: read it, store it, delete the Secret`
        : 'generated; the private key was handed out',
    },
  };
}
