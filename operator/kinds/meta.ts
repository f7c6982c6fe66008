// Shared schema fragments for every stratus.dev kind: conditions, references, names and
// CEL rule helpers. Kinds compose these so the API reads the same everywhere.
import { z } from 'zod';

export const GROUP = 'stratus.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
/** `kubectl get stratus` lists every kind. */
export const CATEGORY = 'stratus';

/** A CEL rule as the apiserver evaluates it (x-kubernetes-validations). */
export interface CelRule {
  rule: string;
  message: string;
  /** JSONPath of the field the error names, relative to where the rule sits (e.g. `.size`). */
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
  /** Transition rules (using oldSelf) only run on update; set for optional-field rules. */
  optionalOldSelf?: boolean;
}

/** Attach CEL rules (and an optional description) to a schema. */
export function withRules<T extends z.ZodType>(schema: T, rules: CelRule[], description?: string): T {
  const previous = (schema.meta() ?? {}) as Record<string, unknown>;
  const existing = (previous['x-kubernetes-validations'] as CelRule[] | undefined) ?? [];
  return schema.meta({
    ...previous,
    ...(description ? { description } : {}),
    'x-kubernetes-validations': [...existing, ...rules],
  });
}

/** A field that cannot change once set. */
export function immutable(what: string): CelRule {
  return { rule: 'self == oldSelf', message: `${what} is immutable; create a new object instead` };
}

/** DNS-1123 label: the shape of every namespaced object name we reference. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** DNS-1123 subdomain: names of cluster-scoped objects such as Flavors. */
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Name of an object in the same namespace. */
export function localName(description: string): z.ZodString {
  return z.string().min(1).max(63).regex(DNS_LABEL).describe(description);
}

/** A DNS-1123 subdomain: the name of a cluster-scoped object (Flavor, User) or a hostname. */
export function subdomainName(description: string): z.ZodString {
  return z.string().min(1).max(253).regex(DNS_SUBDOMAIN).describe(description);
}

/**
 * A reference that may point at a shared object (public image, external network): `name`
 * in the same namespace unless `namespace` names the shared one.
 */
export function sharedRef(what: string) {
  return z
    .object({
      name: localName(`Name of the ${what}.`),
      namespace: z
        .string()
        .min(1)
        .max(63)
        .regex(DNS_LABEL)
        .optional()
        .describe(`Namespace of a shared ${what}; omit for one in this namespace.`),
    })
    .describe(`Reference to ${/^[aeiou]/i.test(what) ? 'an' : 'a'} ${what}.`);
}

/** OpenStack names are free text and may repeat; object names are DNS labels. */
export const displayName = z
  .string()
  .max(255)
  .optional()
  .describe('Human-readable name shown by the OpenStack API; free text, need not be unique.');

export const description = z.string().max(1024).optional().describe('Free-text description.');

/** OpenStack-style key/value metadata (Nova metadata, Glance properties, tags). */
export const metadataMap = z.record(z.string().min(1).max(255), z.string().max(255)).optional().meta({
  description: 'Key/value metadata as the OpenStack API exposes it (at most 128 entries).',
  maxProperties: 128,
});

export const tags = z
  .array(z.string().min(1).max(255))
  .max(64)
  .optional()
  .meta({ description: 'Tags as the OpenStack API exposes them.', 'x-kubernetes-list-type': 'set' });

/** The standard Kubernetes condition (metav1.Condition). */
export const condition = z
  .object({
    type: z.string().min(1).max(316).describe('Type of condition in CamelCase, e.g. Ready.'),
    status: z.enum(['True', 'False', 'Unknown']).describe('Status of the condition: True, False or Unknown.'),
    reason: z.string().max(1024).describe('Machine-readable CamelCase reason for the last transition.'),
    message: z.string().max(32768).describe('Human-readable details about the last transition.'),
    lastTransitionTime: z.string().meta({ format: 'date-time' }).describe('When the status last changed.'),
    observedGeneration: z
      .int()
      .min(0)
      .optional()
      .describe('The .metadata.generation the condition was set from.'),
  })
  .describe('A condition in the standard Kubernetes shape.');

export const conditions = z
  .array(condition)
  .max(32)
  .optional()
  .meta({
    description: 'Observed conditions; Ready is always present once the object has been reconciled.',
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['type'],
  });

export const observedGeneration = z
  .int()
  .min(0)
  .optional()
  .describe('The .metadata.generation the status was computed from.');

/** Fields every status has. */
export const baseStatus = {
  conditions,
  observedGeneration,
};

export const IPV4 = String.raw`^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$`;

/** An IPv4 or IPv6 address, checked by the apiserver's CEL `isIP`. */
export function ipAddress(description: string) {
  return withRules(z.string().max(45).describe(description), [
    { rule: 'isIP(self)', message: 'must be a valid IPv4 or IPv6 address' },
  ]);
}

/** A CIDR, checked by CEL `isCIDR`; canonical form (no host bits) is required. */
export function cidr(description: string) {
  return withRules(z.string().max(49).describe(description), [
    { rule: 'isCIDR(self)', message: 'must be a CIDR such as 10.0.0.0/24 or fd00::/64' },
    {
      rule: '!isCIDR(self) || cidr(self).masked() == cidr(self)',
      message: 'must not have host bits set (for example 10.0.0.0/24, not 10.0.0.1/24)',
    },
  ]);
}

/** Quantities are strings like "10Gi"; kept as string (int-or-string in Kubernetes). */
export const MAC_ADDRESS = /^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/;
