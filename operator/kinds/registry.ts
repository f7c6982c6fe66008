// The one registry of stratus.dev kinds. A kind is known by its definition (the zod module
// that also generates its CRD); everything else is derived from it here: the API resource
// the runtime lists and watches, the order the docs and generators use, and the typed
// object (`KindObject<typeof Instance>`). Controllers, webhooks, the OpenStack API's cache
// and the generators all ask this module.
import type { ResourceDescriptor } from '../runtime/resource.js';
import { Flavor } from './flavor.js';
import { FloatingIP } from './floatingip.js';
import { Image } from './image.js';
import { Instance } from './instance.js';
import { KeyPair } from './keypair.js';
import type { KindDefinition } from './kind.js';
import { GROUP, VERSION } from './meta.js';
import { Network } from './network.js';
import { Port } from './port.js';
import { Project } from './project.js';
import { Router } from './router.js';
import { SecurityGroup } from './securitygroup.js';
import { Snapshot } from './snapshot.js';
import { Subnet } from './subnet.js';
import { User } from './user.js';
import { Volume } from './volume.js';

/** Every stratus.dev/v1alpha1 kind, in the order the docs and generators list them. */
export const stratusKinds: readonly KindDefinition[] = [
  Project,
  User,
  Flavor,
  Image,
  KeyPair,
  Instance,
  Volume,
  Snapshot,
  Network,
  Subnet,
  Router,
  Port,
  FloatingIP,
  SecurityGroup,
];

const resources = new Map<Pick<KindDefinition, 'kind' | 'plural' | 'scope'>, ResourceDescriptor>();

/** The API resource of a stratus.dev kind: group, version, plural, kind, scope. */
export function resourceOf(
  definition: Pick<KindDefinition, 'kind' | 'plural' | 'scope'>,
): ResourceDescriptor {
  let resource = resources.get(definition);
  if (!resource) {
    resource = {
      group: GROUP,
      version: VERSION,
      plural: definition.plural,
      kind: definition.kind,
      namespaced: definition.scope === 'Namespaced',
    };
    resources.set(definition, resource);
  }
  return resource;
}

/** The definition of a stratus.dev kind by its Kind name (`Instance`), if it is one. */
export function definitionOf(kind: string): KindDefinition | undefined {
  return stratusKinds.find((definition) => definition.kind === kind);
}
