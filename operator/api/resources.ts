// Every stratus.dev kind as an API resource (group, version, plural, scope), under the name
// code uses for it: the operator, the webhooks and the API shim share this one map.
import { resourceOf, type ResourceDescriptor } from '../runtime/resource.js';
import { Flavor } from './flavor.js';
import { FloatingIP } from './floatingip.js';
import { Image } from './image.js';
import { Instance } from './instance.js';
import { KeyPair } from './keypair.js';
import { Network } from './network.js';
import { Port } from './port.js';
import { Project } from './project.js';
import { Router } from './router.js';
import { SecurityGroup } from './securitygroup.js';
import { Snapshot } from './snapshot.js';
import { Subnet } from './subnet.js';
import { User } from './user.js';
import { Volume } from './volume.js';

export const stratusResources = {
  projects: resourceOf(Project),
  users: resourceOf(User),
  flavors: resourceOf(Flavor),
  images: resourceOf(Image),
  keyPairs: resourceOf(KeyPair),
  instances: resourceOf(Instance),
  volumes: resourceOf(Volume),
  snapshots: resourceOf(Snapshot),
  networks: resourceOf(Network),
  subnets: resourceOf(Subnet),
  routers: resourceOf(Router),
  ports: resourceOf(Port),
  floatingIPs: resourceOf(FloatingIP),
  securityGroups: resourceOf(SecurityGroup),
} as const satisfies Record<string, ResourceDescriptor>;
