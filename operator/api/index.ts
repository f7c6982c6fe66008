// Every stratus.dev/v1alpha1 kind, in the order the docs and generators list them.
import { Flavor } from './flavor.js';
import type { KindDefinition } from './kind.js';

export const kinds: KindDefinition[] = [Flavor];

export { Flavor };
export * from './meta.js';
export * from './kind.js';
