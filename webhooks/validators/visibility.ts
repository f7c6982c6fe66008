// Which shared objects (in the public namespace) every tenant may use. Each returns why
// not, or undefined when visible.
import type { KubeObject } from '../admission.js';
import { specOf } from './common.js';

export function imageVisibility(image: KubeObject): string | undefined {
  const visibility = specOf<{ visibility?: string }>(image)?.visibility;
  return visibility === 'public' || visibility === 'community'
    ? undefined
    : `is ${visibility ?? 'private'}, not public; ask an admin to publish it or upload your own`;
}

export function networkVisibility(network: KubeObject): string | undefined {
  const spec = specOf<{ shared?: boolean; external?: boolean }>(network);
  return spec?.shared ? undefined : 'is not shared; instances and ports attach to shared networks only';
}

/** External networks are visible to every tenant as gateways and floating IP pools. */
export function externalNetwork(network: KubeObject): string | undefined {
  return specOf<{ external?: boolean }>(network)?.external
    ? undefined
    : 'is not an external network; use an external network such as "public"';
}
