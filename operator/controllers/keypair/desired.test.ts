import { X509Certificate, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { KeyPairObject } from '../../kinds/keypair.js';
import { createCertificateAuthority } from '../../crypto/pki.js';
import {
  desiredPrivateKeySecret,
  generatedKeyPairStatus,
  generateRsaKeyPair,
  importedKeyPairStatus,
  sshFingerprint,
  x509Fingerprint,
  x509GenerationStatus,
} from './desired.js';

// `ssh-keygen -l -E md5` prints 61:4c:f4:15:ff:2e:96:a2:3d:08:ed:c5:c8:1b:fe:f8 for this key.
const ED25519 =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILhiGOzN75I3ltJMjUTitTiaKJ4puw2YxDskw3j2aW1N alice@example';

describe('fingerprints, as Nova computes them', () => {
  it('ssh: MD5 of the key blob in colon-separated hex', () => {
    expect(sshFingerprint(ED25519)).toBe('61:4c:f4:15:ff:2e:96:a2:3d:08:ed:c5:c8:1b:fe:f8');
    expect(sshFingerprint(`${ED25519}\n`)).toBe(sshFingerprint(ED25519));
    expect(() => sshFingerprint('not a key')).toThrow();
  });

  it('x509: SHA-1 of the DER certificate', async () => {
    const ca = await createCertificateAuthority('fingerprint-test');
    expect(x509Fingerprint(ca.certPem)).toBe(new X509Certificate(ca.certPem).fingerprint.toLowerCase());
  });
});

describe('generated pairs', () => {
  it('are RSA 2048 with an OpenSSH public key line matching the private key', () => {
    const pair = generateRsaKeyPair('Generated-by-Stratus demo');
    expect(pair.privateKey).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    const [type, blob, comment] = pair.publicKey.split(' ');
    expect(type).toBe('ssh-rsa');
    expect(comment).toBe('Generated-by-Stratus');
    // The blob carries the private key's own modulus and exponent.
    const jwk = createPublicKey(pair.privateKey).export({ format: 'jwk' });
    const data = Buffer.from(blob!, 'base64');
    const read = (offset: number) => {
      const length = data.readUInt32BE(offset);
      return { value: data.subarray(offset + 4, offset + 4 + length), next: offset + 4 + length };
    };
    const name = read(0);
    const e = read(name.next);
    const n = read(e.next);
    expect(name.value.toString()).toBe('ssh-rsa');
    expect(e.value.toString('base64url')).toBe(jwk.e);
    expect(n.value.subarray(1).toString('base64url')).toBe(jwk.n); // leading zero: mpint sign byte
    expect(n.value.length).toBe(257);
  });

  it('hand out the private key once, in a Secret owned by the key pair that names its expiry', () => {
    const keyPair: KeyPairObject = {
      apiVersion: 'stratus.dev/v1alpha1',
      kind: 'KeyPair',
      metadata: { name: 'mykey', namespace: 'demo', uid: 'kp-uid' },
      spec: { type: 'ssh' },
    };
    const secret = desiredPrivateKeySecret(
      keyPair,
      { privateKey: 'PRIVATE', publicKey: 'ssh-rsa AAAA x' },
      new Date('2030-01-01T00:00:00.123Z'),
    );
    expect(secret.metadata).toMatchObject({
      name: 'mykey-private-key',
      namespace: 'demo',
      annotations: { 'stratus.dev/one-shot': 'true', 'stratus.dev/expires-at': '2030-01-01T00:00:00Z' },
      ownerReferences: [
        expect.objectContaining({ kind: 'KeyPair', name: 'mykey', uid: 'kp-uid', controller: true }),
      ],
    });
    expect(secret.type).toBe('stratus.dev/private-key');
    expect(secret.data).toEqual({
      privateKey: Buffer.from('PRIVATE').toString('base64'),
      publicKey: Buffer.from('ssh-rsa AAAA x').toString('base64'),
    });
  });
});

describe('key pair status', () => {
  it('records an imported key with its fingerprint', () => {
    expect(importedKeyPairStatus('ssh', ED25519)).toEqual({
      status: { fingerprint: sshFingerprint(ED25519), publicKey: ED25519, generated: false },
      ready: { type: 'Ready', status: 'True', reason: 'Imported', message: 'the public key is imported' },
    });
  });

  it('is a terminal failure for a key that cannot be read, and for generating an x509 pair', () => {
    const invalid = importedKeyPairStatus('ssh', 'not a key');
    expect(invalid).toMatchObject({
      status: { generated: false },
      ready: { status: 'False', reason: 'InvalidKey' },
      terminal: true,
    });
    expect(invalid.ready.message).toMatch(/^publicKey cannot be read as an OpenSSH public key: /);
    expect(importedKeyPairStatus('x509', 'not a pem').ready.message).toMatch(/as a PEM certificate/);
    expect(x509GenerationStatus).toMatchObject({ ready: { reason: 'Unsupported' }, terminal: true });
  });

  it('names the one-shot Secret while the private key waits, and drops it once handed out', () => {
    const waiting = generatedKeyPairStatus(ED25519, 'k-private-key');
    expect(waiting.status).toEqual({
      fingerprint: sshFingerprint(ED25519),
      publicKey: ED25519,
      generated: true,
      privateKeySecret: 'k-private-key',
    });
    expect(waiting.ready.message).toContain('Secret k-private-key');
    const taken = generatedKeyPairStatus(ED25519, undefined);
    expect(taken.status).not.toHaveProperty('privateKeySecret');
    expect(taken.ready).toMatchObject({
      status: 'True',
      reason: 'Generated',
      message: 'generated; the private key was handed out',
    });
  });
});
