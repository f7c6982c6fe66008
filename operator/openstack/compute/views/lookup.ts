// What the Nova views need to know beyond the object they render, injected so that they
// stay pure: the API wires it to its caches (../lookup.ts), the unit tests to literals.
import type { FlavorObject } from '../../../kinds/flavor.js';
import type { ImageObject } from '../../../kinds/image.js';
import type { KeyPairObject } from '../../../kinds/keypair.js';
import type { NetworkObject } from '../../../kinds/network.js';
import type { SecurityGroupObject } from '../../../kinds/securitygroup.js';
import type { KubeObject } from '../../../runtime/store.js';

export interface ComputeLookup {
  /** The Keystone id of the user who created `object` (its creator stamp when unknown). */
  creatorId: (object: KubeObject) => string;
  /** A Flavor by object name (flavors are cluster-scoped). */
  flavor: (name: string) => FlavorObject | undefined;
  image: (name: string, namespace: string) => ImageObject | undefined;
  network: (name: string, namespace: string) => NetworkObject | undefined;
  keyPair: (name: string, namespace: string) => KeyPairObject | undefined;
  securityGroup: (name: string, namespace: string) => SecurityGroupObject | undefined;
}
