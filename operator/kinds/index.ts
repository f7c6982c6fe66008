// The stratus.dev/v1alpha1 API: every kind's definition, the registry and the shared schema
// vocabulary, from one import.
export { Flavor } from './flavor.js';
export { FloatingIP } from './floatingip.js';
export { Image } from './image.js';
export { Instance } from './instance.js';
export { KeyPair } from './keypair.js';
export { Network } from './network.js';
export { Port } from './port.js';
export { Project } from './project.js';
export { Router } from './router.js';
export { SecurityGroup } from './securitygroup.js';
export { Snapshot } from './snapshot.js';
export { Subnet } from './subnet.js';
export { User } from './user.js';
export { Volume } from './volume.js';
export * from './registry.js';
export * from './meta.js';
export * from './kind.js';
