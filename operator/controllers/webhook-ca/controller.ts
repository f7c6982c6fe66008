// The self-managed webhook CA (STRATUS_WEBHOOK_CA_MODE=self, the chart without
// cert-manager): keep a serving certificate for the webhooks' Service in a Secret — issue it
// when missing or wrong, renew it two thirds into its life — and keep the two webhook
// configurations' caBundle trusting it.
//
// The ValidatingWebhookConfiguration is the primary object (it always exists where the
// webhooks run: every kind but Flavor validates); changes to the Mutating one map onto it.
// The Secret is not watched — that would need a cluster-wide Secret informer — but read on
// every reconcile, and the reconcile repeats at least every `recheckMs`, so a deleted or
// edited Secret is put right within that time.
//
// Order matters on a renewal: the new CA goes into caBundle (beside the old one) before the
// Secret changes, so the apiserver already trusts whichever certificate a pod serves.
import { X509Certificate } from 'node:crypto';
import { createCertificateAuthority } from '../../crypto/pki.js';
import { controllerFor } from '../../runtime/controller.js';
import { type ResourceDescriptor } from '../../runtime/resource.js';
import type { KubeObject } from '../../runtime/store.js';
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
  type WebhookCaSettings,
  type WebhookConfigurationKind,
  type WebhookConfigurationObject,
} from './desired.js';
import { kube } from '../../kinds/external.js';

const admission = (plural: string, kind: WebhookConfigurationKind): ResourceDescriptor => ({
  group: 'admissionregistration.k8s.io',
  version: 'v1',
  plural,
  kind,
  namespaced: false,
});

export const webhookConfigurationResources = {
  validating: admission('validatingwebhookconfigurations', 'ValidatingWebhookConfiguration'),
  mutating: admission('mutatingwebhookconfigurations', 'MutatingWebhookConfiguration'),
} as const;

export interface WebhookCaControllerOptions extends WebhookCaSettings {
  /** Reconcile at least this often (default 10 minutes). */
  recheckMs?: number;
  /** The clock; tests move it forward to force a renewal. */
  now?: () => Date;
}

type ConfigurationObject = KubeObject & WebhookConfigurationObject;

const firstCaBundle = (config: ConfigurationObject): string | undefined =>
  config.webhooks?.find((webhook) => webhook.clientConfig?.caBundle)?.clientConfig?.caBundle;

export function webhookCaController(options: WebhookCaControllerOptions) {
  const recheckMs = options.recheckMs ?? 10 * 60_000;
  const now = options.now ?? (() => new Date());
  const dnsNames = serviceDnsNames(options.serviceName, options.namespace);
  const { validating, mutating } = webhookConfigurationResources;
  const ours = (object: KubeObject) => object.metadata?.name === options.configurationName;

  return (
    controllerFor<ConfigurationObject>(validating)
      .named('webhook-ca')
      .watches(mutating, (object: KubeObject) => (ours(object) ? [{ name: options.configurationName }] : []))
      // One certificate: never issue two at once.
      .withConcurrency(1)
      .reconcile(async (config, ctx) => {
        if (!ours(config)) return;
        const at = now();
        const secret = await ctx.client.get<KubeObject & { data?: Record<string, string> }>(
          kube.secrets,
          options.secretName,
          options.namespace,
        );
        const stored = readStoredCertificate(secret);
        const assessment = assessCertificate(stored, { dnsNames, now: at });

        let bundlePem: string;
        let renewAt: Date;
        let issued: { certPem: string; keyPem: string; caPem: string } | undefined;
        if (assessment.renew) {
          // A fresh CA per issue; its key lives only in this closure (see desired.ts).
          const ca = await createCertificateAuthority(
            `${options.serviceName}.${options.namespace} webhook CA ${at.toISOString()}`,
            options.validityDays + 1,
          );
          const serving = await ca.issue({
            commonName: dnsNames[0]!,
            dnsNames,
            usage: 'server',
            validDays: options.validityDays,
          });
          issued = { certPem: serving.certPem, keyPem: serving.keyPem, caPem: ca.certPem };
          bundlePem = bundleAfterRenewal(ca.certPem, previousCa(stored, firstCaBundle(config)), at);
          renewAt = renewalTime(new X509Certificate(serving.certPem));
        } else {
          bundlePem = stored.bundlePem!;
          renewAt = assessment.renewAt;
        }

        // Trust first, then serve: inject the bundle, then write the Secret the pods mount.
        const caBundle = caBundleOf(bundlePem);
        const configurations: Array<[ResourceDescriptor, ConfigurationObject | undefined]> = [
          [validating, config],
          [mutating, ctx.manager.cached<ConfigurationObject>(mutating, { name: options.configurationName })],
        ];
        for (const [resource, live] of configurations) {
          if (!live || !needsInjection(live, caBundle)) continue;
          await ctx.client.apply(
            resource,
            caBundlePatch(resource.kind as WebhookConfigurationKind, live, caBundle),
          );
          ctx.logger.info('injected the webhook CA bundle', {
            kind: resource.kind,
            name: live.metadata?.name,
          });
        }
        if (issued) {
          await ctx.client.apply(kube.secrets, desiredSecret(options, { ...issued, bundlePem }));
          const reason = assessment.renew ? assessment.reason : '';
          ctx.logger.info('issued the webhook serving certificate', {
            namespace: options.namespace,
            secret: options.secretName,
            why: reason,
            renewAt: renewAt.toISOString(),
          });
          await ctx.events.record(
            validating,
            config,
            'Normal',
            'CertificateIssued',
            `Issued the serving certificate in Secret ${options.namespace}/${options.secretName} (${reason}); renewal due ${renewAt.toISOString()}`,
          );
        }
        const untilRenewal = renewAt.getTime() - now().getTime();
        return { requeueAfterMs: Math.max(1_000, Math.min(recheckMs, untilRenewal)) };
      })
  );
}
