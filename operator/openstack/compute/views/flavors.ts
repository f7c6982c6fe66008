// Nova flavor bodies from Flavor objects.
import type { FlavorObject } from '../../../kinds/flavor.js';
import { resourceLinks } from './links.js';

/** The OpenStack name of a flavor: its display name, else its object name. */
export const flavorName = (f: FlavorObject): string => f.spec.displayName || f.metadata.name!;

export function flavorView(f: FlavorObject, base: string, detail: boolean) {
  const id = f.metadata.uid!;
  const summary = { id, name: flavorName(f), links: resourceLinks(base, 'flavors', id) };
  if (!detail) return summary;
  return {
    ...summary,
    ram: f.spec.ramMiB,
    disk: f.spec.diskGiB,
    vcpus: f.spec.vcpus,
    swap: f.spec.swapMiB || '',
    'OS-FLV-EXT-DATA:ephemeral': f.spec.ephemeralGiB,
    'OS-FLV-DISABLED:disabled': false,
    rxtx_factor: 1.0,
    'os-flavor-access:is_public': f.spec.isPublic,
  };
}
