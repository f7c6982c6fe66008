import { X509Certificate, createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCertificateAuthority, createSigningKey } from './pki.js';

describe('pki', () => {
  it('issues a server certificate signed by the CA with the requested names', async () => {
    const ca = await createCertificateAuthority('test-ca');
    const leaf = await ca.issue({
      commonName: 'srv',
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
      usage: 'server',
    });
    const caCert = new X509Certificate(ca.certPem);
    const cert = new X509Certificate(leaf.certPem);
    expect(caCert.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkHost('example.com')).toBeUndefined();
    expect(cert.keyUsage).toContain('1.3.6.1.5.5.7.3.1'); // serverAuth
    expect(cert.keyUsage).not.toContain('1.3.6.1.5.5.7.3.2');
    // The key matches the certificate.
    expect(cert.checkPrivateKey(createPrivateKey(leaf.keyPem))).toBe(true);
  });

  it('puts organisations in the subject of client certificates (Kubernetes groups)', async () => {
    const ca = await createCertificateAuthority('test-ca');
    const leaf = await ca.issue({ commonName: 'admin', organizations: ['system:masters'], usage: 'client' });
    const cert = new X509Certificate(leaf.certPem);
    expect(cert.subject).toContain('O=system:masters');
    expect(cert.subject).toContain('CN=admin');
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
  });

  it('creates PEM signing keys', async () => {
    const key = await createSigningKey();
    expect(key.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(key.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(createPrivateKey(key.keyPem).asymmetricKeyType).toBe('ec');
  });
});
