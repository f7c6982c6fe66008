// Every stratus.dev/v1alpha1 kind, in the order the docs and generators list them.
import { Flavor } from './flavor.js';
import { Image } from './image.js';
import { Instance } from './instance.js';
import { KeyPair } from './keypair.js';
import { Project } from './project.js';
import { Snapshot } from './snapshot.js';
import { User } from './user.js';
import { Volume } from './volume.js';
import { FloatingIP } from './floatingip.js';
import { Network } from './network.js';
import { Port } from './port.js';
import { Router } from './router.js';
import { SecurityGroup } from './securitygroup.js';
import { Subnet } from './subnet.js';
import type { KindDefinition } from './kind.js';

export const kinds: KindDefinition[] = [
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

export { Flavor };
export { Image, KeyPair, Instance };
export { Project, User, Volume, Snapshot };
export { Network, Subnet, Router, Port, FloatingIP, SecurityGroup };
export * from './meta.js';
export * from './kind.js';
