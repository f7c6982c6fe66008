// A throwaway PKI for the local control plane: one CA, serving certificates, client
// certificates (the subject's O becomes the Kubernetes group) and the service-account key.
// ECDSA P-256 keeps generation in milliseconds; kube-apiserver, etcd and Node accept it.
import 'reflect-metadata'; // @peculiar/x509 (through tsyringe) needs a Reflect polyfill
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

x509.cryptoProvider.set(webcrypto);

type CryptoKeyPair = webcrypto.CryptoKeyPair;

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 24 * 60 * 60 * 1000;

export interface KeyPairPem {
  /** PKCS#8 private key, PEM. */
  keyPem: string;
  /** SPKI public key, PEM. */
  publicKeyPem: string;
}

export interface CertificatePem {
  certPem: string;
  keyPem: string;
}

export interface CertificateAuthority extends CertificatePem {
  issue(request: CertificateRequest): Promise<CertificatePem>;
}

export interface CertificateRequest {
  commonName: string;
  /** Organisations; for client certificates Kubernetes maps these to groups. */
  organizations?: string[];
  dnsNames?: string[];
  ipAddresses?: string[];
  usage: 'server' | 'client' | 'both';
  validDays?: number;
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
}

async function toPem(keys: CryptoKeyPair): Promise<KeyPairPem> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const spki = await webcrypto.subtle.exportKey('spki', keys.publicKey);
  return {
    keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'),
    publicKeyPem: x509.PemConverter.encode(spki, 'PUBLIC KEY'),
  };
}

function serialNumber(): string {
  // Positive 128-bit serial: clear the top bit so DER does not read it as negative.
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

function distinguishedName(commonName: string, organizations: string[] = []): x509.JsonName {
  const name: x509.JsonName = organizations.map((o) => ({ O: [o] }));
  name.push({ CN: [commonName] });
  return name;
}

/** A key pair for signing service-account tokens. */
export async function createSigningKey(): Promise<KeyPairPem> {
  return toPem(await generateKeys());
}

export async function createCertificateAuthority(
  commonName: string,
  validDays = 365,
): Promise<CertificateAuthority> {
  const keys = await generateKeys();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: distinguishedName(commonName),
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + validDays * DAY),
    signingAlgorithm: algorithm,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const { keyPem } = await toPem(keys);

  const issue = async (request: CertificateRequest): Promise<CertificatePem> => {
    const leafKeys = await generateKeys();
    const usages: string[] = [];
    if (request.usage !== 'client') usages.push(x509.ExtendedKeyUsage.serverAuth);
    if (request.usage !== 'server') usages.push(x509.ExtendedKeyUsage.clientAuth);
    const altNames: x509.JsonGeneralName[] = [
      ...(request.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
      ...(request.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
    ];
    const extensions: x509.Extension[] = [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension(usages, false),
      await x509.AuthorityKeyIdentifierExtension.create(cert, false),
    ];
    if (altNames.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(altNames, false));
    const leaf = await x509.X509CertificateGenerator.create({
      serialNumber: serialNumber(),
      subject: distinguishedName(request.commonName, request.organizations),
      issuer: cert.subject,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + (request.validDays ?? validDays) * DAY),
      signingAlgorithm: algorithm,
      publicKey: leafKeys.publicKey,
      signingKey: keys.privateKey,
      extensions,
    });
    return { certPem: leaf.toString('pem'), keyPem: (await toPem(leafKeys)).keyPem };
  };

  return { certPem: cert.toString('pem'), keyPem, issue };
}
