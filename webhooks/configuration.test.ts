import { describe, expect, it } from 'vitest';
import { admissions } from './validators/index.js';
import { webhookConfigurations } from './configuration.js';

describe('webhookConfigurations', () => {
  const configs = webhookConfigurations(
    'stratus',
    { url: 'https://127.0.0.1:9443', caBundle: 'Q0E=' },
    admissions,
  ) as Array<{
    kind: string;
    webhooks: Array<
      Record<string, unknown> & { rules: Array<{ resources: string[]; operations: string[] }> }
    >;
  }>;

  it('fails closed and declares no side effects', () => {
    for (const config of configs) {
      for (const webhook of config.webhooks) {
        expect(webhook.failurePolicy).toBe('Fail');
        expect(webhook.sideEffects).toBe('None');
        expect(webhook.admissionReviewVersions).toEqual(['v1']);
      }
    }
  });

  it('validates every kind with rules and mutates without DELETE', () => {
    const validating = configs.find((c) => c.kind === 'ValidatingWebhookConfiguration')!;
    const mutating = configs.find((c) => c.kind === 'MutatingWebhookConfiguration')!;
    expect(validating.webhooks[0]!.clientConfig).toEqual({
      url: 'https://127.0.0.1:9443/validate',
      caBundle: 'Q0E=',
    });
    expect(validating.webhooks[0]!.rules.map((r) => r.resources[0]).sort()).toEqual(
      admissions.map((a) => a.kind.plural).sort(),
    );
    for (const rule of mutating.webhooks[0]!.rules) expect(rule.operations).not.toContain('DELETE');
    // Status writes by the operator never go through admission.
    for (const rule of validating.webhooks[0]!.rules) expect(rule.resources[0]).not.toContain('/');
  });
});
