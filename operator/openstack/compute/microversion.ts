// Nova microversions. Only 2.1 is implemented, so only 2.1 is advertised; a request for a
// later one gets 406, as from a Nova that predates it.
import { ApiFault, badRequest } from '../errors.js';

export const MIN_MICROVERSION = '2.1';
export const MAX_MICROVERSION = '2.1';

const parseVersion = (text: string): [number, number] | undefined => {
  const match = /^(\d+)\.(\d+)$/.exec(text.trim());
  return match ? [Number(match[1]), Number(match[2])] : undefined;
};

const compareVersions = (a: [number, number], b: [number, number]) => a[0] - b[0] || a[1] - b[1];

/**
 * The microversion a request asks for: `OpenStack-API-Version: compute X.Y` or the legacy
 * `X-OpenStack-Nova-API-Version: X.Y`, `latest` meaning the newest; 2.1 when absent.
 * Throws 400 for a malformed one, 406 for one outside what we implement.
 */
export function requestedMicroversion(headers: {
  openstack?: string | undefined;
  legacy?: string | undefined;
}): string {
  let asked: string | undefined;
  for (const part of (headers.openstack ?? '').split(',')) {
    const [service, version] = part.trim().split(/\s+/);
    if (service?.toLowerCase() === 'compute' && version) asked = version;
  }
  asked ??= headers.legacy?.trim() || undefined;
  if (!asked) return MIN_MICROVERSION;
  if (asked.toLowerCase() === 'latest') return MAX_MICROVERSION;
  const version = parseVersion(asked);
  if (!version) throw badRequest(`API version string ${asked} format is not valid; use X.Y, e.g. 2.1.`);
  if (
    compareVersions(version, parseVersion(MIN_MICROVERSION)!) < 0 ||
    compareVersions(version, parseVersion(MAX_MICROVERSION)!) > 0
  ) {
    throw new ApiFault(
      406,
      `Version ${asked} is not supported by the API. Minimum is ${MIN_MICROVERSION} and maximum is ${MAX_MICROVERSION}.`,
    );
  }
  return `${version[0]}.${version[1]}`;
}

/** The headers that answer every versioned request: the version served and what it varies on. */
export const microversionHeaders = (version: string) => ({
  'OpenStack-API-Version': `compute ${version}`,
  'X-OpenStack-Nova-API-Version': version,
  Vary: 'OpenStack-API-Version, X-OpenStack-Nova-API-Version',
});
