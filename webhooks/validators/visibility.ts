// Which shared objects (in the public namespace) every tenant may use. Each returns why
// not, or undefined when visible.
import type { AdmissionContext } from '../context.js';
import type { ImageObject } from '../../operator/kinds/image.js';
import { Network, type NetworkObject } from '../../operator/kinds/network.js';
import { sharedRef, type RefResult, type SharedRef } from './refs.js';

export function imageVisibility(image: ImageObject): string | undefined {
  const visibility = image.spec?.visibility;
  return visibility === 'public' || visibility === 'community'
    ? undefined
    : `is ${visibility ?? 'private'}, not public; ask an admin to publish it or upload your own`;
}

export function networkVisibility(network: NetworkObject): string | undefined {
  return network.spec?.shared
    ? undefined
    : 'is not shared; instances and ports attach to shared networks only';
}

/** External networks are visible to every tenant as gateways and floating IP pools. */
export function externalNetwork(network: NetworkObject): string | undefined {
  return network.spec?.external
    ? undefined
    : 'is not an external network; use an external network such as "public"';
}

/** An external network (a router's gateway, a floating IP's pool), in any visible namespace. */
export async function externalNetworkRef(
  ctx: AdmissionContext,
  field: string,
  ref: SharedRef,
): Promise<RefResult<typeof Network>> {
  const result = await sharedRef(ctx, field, Network, ref);
  const why = result.object ? externalNetwork(result.object) : undefined;
  return why ? { denial: { field: `${field}.name`, message: `network "${ref.name}" ${why}` } } : result;
}
