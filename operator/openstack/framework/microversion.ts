// Microversions (Nova's, and Cinder's later): the client asks with
// `OpenStack-API-Version: <service> X.Y` or a service's legacy header, `latest` meaning the
// newest; without either it gets the minimum. The answer names the version in the same
// headers. A request schema may differ per version range (route.ts VersionedSchema).
import type { z } from 'zod';
import { ApiFault, badRequest } from '../errors.js';
import type { BodySchema } from './route.js';

export interface MicroversionPolicy {
  /** The service name in OpenStack-API-Version, e.g. `compute`. */
  service: string;
  /** The legacy header, e.g. `X-OpenStack-Nova-API-Version`. */
  legacyHeader?: string;
  min: string;
  max: string;
  /** Paths below the prefix that are versioned, e.g. `/v2.1`. */
  under: string;
}

type Version = [number, number];

export const parseVersion = (text: string): Version | undefined => {
  const match = /^(\d+)\.(\d+)$/.exec(text.trim());
  return match ? [Number(match[1]), Number(match[2])] : undefined;
};

export const compareVersions = (a: Version, b: Version) => a[0] - b[0] || a[1] - b[1];

const cmp = (a: string, b: string) => compareVersions(parseVersion(a)!, parseVersion(b)!);

/**
 * The version a request asks for; 400 for a malformed one, 406 for one outside
 * [min, max].
 */
export function negotiate(
  policy: MicroversionPolicy,
  headers: { openstack?: string | undefined; legacy?: string | undefined },
): string {
  let asked: string | undefined;
  for (const part of (headers.openstack ?? '').split(',')) {
    const [service, version] = part.trim().split(/\s+/);
    if (service?.toLowerCase() === policy.service && version) asked = version;
  }
  asked ??= headers.legacy?.trim() || undefined;
  if (!asked) return policy.min;
  if (asked.toLowerCase() === 'latest') return policy.max;
  const version = parseVersion(asked);
  if (!version) throw badRequest(`API version string ${asked} format is not valid; use X.Y, e.g. 2.1.`);
  if (
    compareVersions(version, parseVersion(policy.min)!) < 0 ||
    compareVersions(version, parseVersion(policy.max)!) > 0
  ) {
    throw new ApiFault(
      406,
      `Version ${asked} is not supported by the API. Minimum is ${policy.min} and maximum is ${policy.max}.`,
    );
  }
  return `${version[0]}.${version[1]}`;
}

/** The response headers that name the negotiated version. */
export function versionHeaders(policy: MicroversionPolicy, version: string): Record<string, string> {
  const legacy = policy.legacyHeader;
  return {
    'OpenStack-API-Version': `${policy.service} ${version}`,
    ...(legacy ? { [legacy]: version } : {}),
    Vary: ['OpenStack-API-Version', ...(legacy ? [legacy] : [])].join(', '),
  };
}

/** The schema that applies at `version` (the plain schema when not versioned). */
export function schemaAt<T>(body: BodySchema<T>, version: string | undefined): z.ZodType<T> | undefined {
  if (!('versions' in body)) return body;
  if (version === undefined) return body.versions[0]?.schema;
  return body.versions.find((v) => cmp(version, v.min) >= 0 && (!v.max || cmp(version, v.max) <= 0))?.schema;
}
