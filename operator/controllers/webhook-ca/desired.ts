// The webhooks' serving certificate when no cert-manager is there: what the Secret should
// hold, whether the stored certificate is still good, and the caBundle the two webhook
// configurations should carry. Pure; the controller does the I/O.
//
// Each issue mints a fresh CA, signs one serving certificate with it, and throws the CA's
// key away: no CA key is ever stored, so a leaked Secret can never sign anything else. A
// renewal would otherwise cut off the webhooks — the pods load the new certificate only
// when the kubelet refreshes the mounted Secret, up to a minute or more later — so the
// caBundle trusts the previous CA alongside the new one until the next renewal.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { type Child } from '../children.js';
import { LABELS, MANAGED_BY } from '../../domain/naming.js';

export interface WebhookCaSettings {
  /** Namespace of the Secret and of the webhooks' Service. */
  namespace: string;
  secretName: string;
  serviceName: string;
  /** Name of the Validating- and MutatingWebhookConfiguration. */
  configurationName: string;
  validityDays: number;
}

/** Keys of the Secret: the kubernetes.io/tls pair, the CA that signed it, what the apiserver trusts. */
export const SECRET_KEYS = {
  cert: 'tls.crt',
  key: 'tls.key',
  ca: 'ca.crt',
  bundle: 'ca-bundle.crt',
} as const;

/** Renew once this fraction of the lifetime has passed (cert-manager's default, 2/3). */
export const RENEW_AT_FRACTION = 2 / 3;

/** The names the apiserver may use for the Service (it dials `<service>.<namespace>.svc`). */
export function serviceDnsNames(service: string, namespace: string): string[] {
  return [
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.cluster.local`,
    `${service}.${namespace}`,
    service,
  ];
}

export interface StoredCertificate {
  certPem?: string;
  keyPem?: string;
  caPem?: string;
  bundlePem?: string;
}

/** The PEMs of a Secret's data (base64), whatever of them is there. */
export function readStoredCertificate(
  secret: { data?: Record<string, string> } | undefined,
): StoredCertificate {
  const get = (key: string): string | undefined => {
    const value = secret?.data?.[key];
    return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
  };
  return {
    certPem: get(SECRET_KEYS.cert),
    keyPem: get(SECRET_KEYS.key),
    caPem: get(SECRET_KEYS.ca),
    bundlePem: get(SECRET_KEYS.bundle),
  };
}

export type Assessment = { renew: false; renewAt: Date; notAfter: Date } | { renew: true; reason: string };

/** Every PEM certificate block of a bundle. */
export function splitPemBundle(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** When a certificate is due for renewal: RENEW_AT_FRACTION of the way through its life. */
export function renewalTime(cert: X509Certificate): Date {
  const from = new Date(cert.validFrom).getTime();
  const to = new Date(cert.validTo).getTime();
  return new Date(from + (to - from) * RENEW_AT_FRACTION);
}

/**
 * Whether the stored certificate can keep serving: present, readable, signed by the stored
 * CA, matching its key, naming every DNS name, trusted by the stored bundle and not yet due.
 * The reason names the first problem found (it goes into logs and Events).
 */
export function assessCertificate(
  stored: StoredCertificate,
  options: { dnsNames: string[]; now: Date },
): Assessment {
  const { certPem, keyPem, caPem, bundlePem } = stored;
  if (!certPem || !keyPem || !caPem || !bundlePem) return { renew: true, reason: 'no certificate yet' };
  let cert: X509Certificate;
  let ca: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
    ca = new X509Certificate(caPem);
  } catch {
    return { renew: true, reason: 'the stored certificate cannot be read' };
  }
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) {
    return { renew: true, reason: 'the certificate is not signed by the stored CA' };
  }
  try {
    if (!cert.checkPrivateKey(createPrivateKey(keyPem))) {
      return { renew: true, reason: 'the private key does not match the certificate' };
    }
  } catch {
    return { renew: true, reason: 'the private key cannot be read' };
  }
  const names = new Set(
    (cert.subjectAltName ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry.startsWith('DNS:'))
      .map((entry) => entry.slice(4)),
  );
  const missing = options.dnsNames.filter((name) => !names.has(name));
  if (missing.length > 0)
    return { renew: true, reason: `the certificate does not name ${missing.join(', ')}` };
  if (!splitPemBundle(bundlePem).some((pem) => pem.trim() === caPem.trim())) {
    return { renew: true, reason: 'the CA bundle does not contain the CA' };
  }
  const renewAt = renewalTime(cert);
  const notAfter = new Date(cert.validTo);
  if (options.now.getTime() >= renewAt.getTime()) {
    return { renew: true, reason: `the certificate is due for renewal (expires ${notAfter.toISOString()})` };
  }
  return { renew: false, renewAt, notAfter };
}

/**
 * The CA whose certificate the pods may still be serving: the stored one, or — when the
 * Secret is gone or unreadable — the newest CA the configurations trust now (the pods keep
 * serving the last certificate they were given).
 */
export function previousCa(stored: StoredCertificate, liveCaBundle: string | undefined): string | undefined {
  if (stored.caPem && splitPemBundle(stored.caPem).length > 0) return stored.caPem;
  if (!liveCaBundle) return undefined;
  return splitPemBundle(Buffer.from(liveCaBundle, 'base64').toString('utf8'))[0];
}

/**
 * The bundle after a renewal: the new CA first, then the previous one while it is still
 * valid, so certificates it signed — still being served until the pods reload — stay trusted.
 * Only one previous CA: a renewal is two thirds into a certificate's life, long after every
 * pod has picked up the one before.
 */
export function bundleAfterRenewal(newCaPem: string, previousCaPem: string | undefined, now: Date): string {
  const bundle = [newCaPem.trim()];
  if (previousCaPem && previousCaPem.trim() !== newCaPem.trim()) {
    try {
      const old = new X509Certificate(previousCaPem);
      if (new Date(old.validTo).getTime() > now.getTime()) bundle.push(previousCaPem.trim());
    } catch {
      // An unreadable old CA signed nothing the webhooks could be serving.
    }
  }
  return `${bundle.join('\n')}\n`;
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** The Secret the webhook pods mount (they read tls.crt and tls.key). */
export function desiredSecret(
  settings: Pick<WebhookCaSettings, 'namespace' | 'secretName'>,
  material: { certPem: string; keyPem: string; caPem: string; bundlePem: string },
): Child {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: settings.secretName,
      namespace: settings.namespace,
      labels: { [LABELS.managedBy]: MANAGED_BY },
    },
    type: 'kubernetes.io/tls',
    data: {
      [SECRET_KEYS.cert]: b64(material.certPem),
      [SECRET_KEYS.key]: b64(material.keyPem),
      [SECRET_KEYS.ca]: b64(material.caPem),
      [SECRET_KEYS.bundle]: b64(material.bundlePem),
    },
  };
}

export type WebhookConfigurationKind = 'ValidatingWebhookConfiguration' | 'MutatingWebhookConfiguration';

export interface WebhookConfigurationObject {
  metadata?: { name?: string };
  webhooks?: Array<{ name: string; clientConfig?: { caBundle?: string } }>;
}

/** The caBundle value (base64 of the PEM bundle), as the configurations carry it. */
export const caBundleOf = (bundlePem: string): string => b64(bundlePem);

/** Whether any webhook of the configuration lacks exactly this caBundle. */
export function needsInjection(config: WebhookConfigurationObject, caBundle: string): boolean {
  return (config.webhooks ?? []).some((webhook) => webhook.clientConfig?.caBundle !== caBundle);
}

/**
 * A server-side apply of only the caBundle of each webhook: the list is keyed by webhook
 * name, so everything else (rules, service, failurePolicy) stays with whoever set it (Helm).
 */
export function caBundlePatch(
  kind: WebhookConfigurationKind,
  config: WebhookConfigurationObject,
  caBundle: string,
): Child {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind,
    metadata: { name: config.metadata?.name ?? '' },
    webhooks: (config.webhooks ?? []).map((webhook) => ({ name: webhook.name, clientConfig: { caBundle } })),
  };
}
