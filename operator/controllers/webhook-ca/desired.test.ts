import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCertificateAuthority } from '../../crypto/pki.js';
import {
  assessCertificate,
  bundleAfterRenewal,
  caBundleOf,
  caBundlePatch,
  desiredSecret,
  needsInjection,
  previousCa,
  readStoredCertificate,
  renewalTime,
  serviceDnsNames,
  splitPemBundle,
  type Assessment,
  type StoredCertificate,
} from './desired.js';

/** The reason of a renewal verdict, or undefined when the certificate is kept. */
const reasonOf = (assessment: Assessment): string | undefined =>
  assessment.renew ? assessment.reason : undefined;

const DAY = 24 * 60 * 60 * 1000;
const names = serviceDnsNames('stratus-webhooks', 'stratus-system');

async function issue(dnsNames = names, validDays = 30) {
  const ca = await createCertificateAuthority('test webhook CA', validDays + 1);
  const serving = await ca.issue({ commonName: dnsNames[0]!, dnsNames, usage: 'server', validDays });
  return {
    ca,
    stored: { certPem: serving.certPem, keyPem: serving.keyPem, caPem: ca.certPem, bundlePem: ca.certPem },
  };
}

describe('serviceDnsNames', () => {
  it('names the Service the ways the apiserver and clients dial it', () => {
    expect(names).toEqual([
      'stratus-webhooks.stratus-system.svc',
      'stratus-webhooks.stratus-system.svc.cluster.local',
      'stratus-webhooks.stratus-system',
      'stratus-webhooks',
    ]);
  });
});

describe('assessCertificate', () => {
  it('asks for a certificate when the Secret is missing or incomplete', () => {
    expect(assessCertificate({}, { dnsNames: names, now: new Date() })).toEqual({
      renew: true,
      reason: 'no certificate yet',
    });
    expect(
      assessCertificate({ certPem: 'x', keyPem: 'y', caPem: 'z' }, { dnsNames: names, now: new Date() })
        .renew,
    ).toBe(true);
  });

  it('keeps a good certificate until two thirds of its life have passed', async () => {
    const { stored } = await issue();
    const now = new Date();
    const kept = assessCertificate(stored, { dnsNames: names, now });
    expect(kept.renew).toBe(false);
    if (kept.renew) return;
    const cert = new X509Certificate(stored.certPem);
    const from = new Date(cert.validFrom).getTime();
    const to = new Date(cert.validTo).getTime();
    expect(kept.renewAt.getTime()).toBe(renewalTime(cert).getTime());
    expect(kept.renewAt.getTime()).toBeCloseTo(from + ((to - from) * 2) / 3, -3);
    const due = assessCertificate(stored, { dnsNames: names, now: new Date(kept.renewAt.getTime() + 1) });
    expect(reasonOf(due)).toMatch(/due for renewal/);
  });

  it('renews a certificate that lacks a name of the Service', async () => {
    const { stored } = await issue(['other.stratus-system.svc']);
    expect(reasonOf(assessCertificate(stored, { dnsNames: names, now: new Date() }))).toContain(
      'stratus-webhooks.stratus-system.svc',
    );
  });

  it('renews when the key, the CA or the bundle do not belong together', async () => {
    const a = await issue();
    const b = await issue();
    const now = new Date();
    const mixed = (change: Partial<StoredCertificate>) =>
      reasonOf(assessCertificate({ ...a.stored, ...change }, { dnsNames: names, now }));
    expect(mixed({ keyPem: b.stored.keyPem })).toMatch(/key/);
    expect(mixed({ caPem: b.stored.caPem, bundlePem: b.stored.caPem })).toMatch(
      /not signed by the stored CA/,
    );
    expect(mixed({ bundlePem: b.stored.caPem })).toMatch(/bundle/);
    expect(mixed({ certPem: 'not a certificate' })).toMatch(/cannot be read/);
  });
});

describe('bundleAfterRenewal', () => {
  it('trusts the new CA and the previous one while it is valid', async () => {
    const old = await issue();
    const fresh = await issue();
    const now = new Date();
    const bundle = bundleAfterRenewal(fresh.ca.certPem, old.ca.certPem, now);
    expect(splitPemBundle(bundle).map((pem) => pem.trim())).toEqual([
      fresh.ca.certPem.trim(),
      old.ca.certPem.trim(),
    ]);
    // An expired previous CA signed nothing that can still be served: dropped.
    const later = new Date(now.getTime() + 40 * DAY);
    expect(splitPemBundle(bundleAfterRenewal(fresh.ca.certPem, old.ca.certPem, later))).toHaveLength(1);
    expect(splitPemBundle(bundleAfterRenewal(fresh.ca.certPem, undefined, now))).toHaveLength(1);
  });

  it('takes the previous CA from the Secret, else from what the configurations trust', async () => {
    const a = await issue();
    const b = await issue();
    const live = caBundleOf(`${b.ca.certPem}${a.ca.certPem}`);
    expect(previousCa(a.stored, live)).toBe(a.ca.certPem);
    // The Secret was deleted: the pods still serve what the newest trusted CA signed.
    expect(previousCa({}, live)?.trim()).toBe(b.ca.certPem.trim());
    expect(previousCa({}, undefined)).toBeUndefined();
  });
});

describe('the Secret and the caBundle', () => {
  it('round-trips the certificate through the Secret', async () => {
    const { stored } = await issue();
    const secret = desiredSecret({ namespace: 'stratus-system', secretName: 'stratus-webhook-tls' }, stored);
    expect(secret).toMatchObject({
      kind: 'Secret',
      type: 'kubernetes.io/tls',
      metadata: { name: 'stratus-webhook-tls', namespace: 'stratus-system' },
    });
    expect(readStoredCertificate({ data: secret.data as Record<string, string> })).toEqual(stored);
    expect(readStoredCertificate(undefined)).toEqual({});
  });

  it('patches only the caBundle of each webhook, keyed by name', () => {
    const live = {
      metadata: { name: 'stratus-webhooks' },
      webhooks: [
        { name: 'validation.stratus.dev', clientConfig: { caBundle: 'old' }, failurePolicy: 'Fail' },
        { name: 'second.stratus.dev', clientConfig: {} },
      ],
    };
    const bundle = caBundleOf('PEM');
    expect(bundle).toBe(Buffer.from('PEM').toString('base64'));
    expect(needsInjection(live, bundle)).toBe(true);
    expect(caBundlePatch('ValidatingWebhookConfiguration', live, bundle)).toEqual({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'stratus-webhooks' },
      webhooks: [
        { name: 'validation.stratus.dev', clientConfig: { caBundle: bundle } },
        { name: 'second.stratus.dev', clientConfig: { caBundle: bundle } },
      ],
    });
    const injected = {
      ...live,
      webhooks: live.webhooks.map((w) => ({ ...w, clientConfig: { caBundle: bundle } })),
    };
    expect(needsInjection(injected, bundle)).toBe(false);
  });
});
