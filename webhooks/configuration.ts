// The Validating/MutatingWebhookConfigurations for our kinds. Pure: the integration tests,
// `make dev` and the chart render the same objects, differing only in clientConfig.
import { GROUP, VERSION } from '../operator/kinds/meta.js';
import type { KindAdmission } from './context.js';

export type ClientConfig =
  | { url: string; caBundle: string }
  | { service: { namespace: string; name: string; port?: number }; caBundle: string };

function withPath(clientConfig: ClientConfig, path: string): Record<string, unknown> {
  if ('url' in clientConfig)
    return { url: `${clientConfig.url.replace(/\/$/, '')}${path}`, caBundle: clientConfig.caBundle };
  return { service: { ...clientConfig.service, path }, caBundle: clientConfig.caBundle };
}

function webhook(
  name: string,
  clientConfig: ClientConfig,
  path: string,
  kinds: KindAdmission[],
  mutating: boolean,
) {
  return {
    name,
    clientConfig: withPath(clientConfig, path),
    rules: kinds.map((k) => ({
      apiGroups: [GROUP],
      apiVersions: [VERSION],
      // The main resource only: status writes by the operator never pass through us.
      resources: [k.kind.plural],
      operations: mutating ? k.operations.filter((op) => op !== 'DELETE') : k.operations,
      scope: k.kind.scope,
    })),
    // Fail closed: if we cannot answer, the write is refused rather than admitted unchecked.
    failurePolicy: 'Fail',
    sideEffects: 'None',
    admissionReviewVersions: ['v1'],
    matchPolicy: 'Equivalent',
    timeoutSeconds: 10,
    ...(mutating ? { reinvocationPolicy: 'Never' } : {}),
  };
}

export function webhookConfigurations(
  name: string,
  clientConfig: ClientConfig,
  kinds: KindAdmission[],
): object[] {
  const configurations = [
    {
      kind: 'MutatingWebhookConfiguration',
      webhook: `defaults.${GROUP}`,
      path: '/mutate',
      kinds: kinds.filter((k) => k.mutate),
      mutating: true,
    },
    {
      kind: 'ValidatingWebhookConfiguration',
      webhook: `validation.${GROUP}`,
      path: '/validate',
      kinds: kinds.filter((k) => k.validate),
      mutating: false,
    },
  ];
  return configurations
    .filter((c) => c.kinds.length > 0)
    .map((c) => ({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: c.kind,
      metadata: { name, labels: { 'app.kubernetes.io/part-of': 'stratus' } },
      webhooks: [webhook(c.webhook, clientConfig, c.path, c.kinds, c.mutating)],
    }));
}
