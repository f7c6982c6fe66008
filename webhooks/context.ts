// What a validator or mutator sees: the request in plain terms, typed by the kind it admits
// (`KindObject<typeof Instance>`: the schema's own type, the apiserver validated the object
// against it), and the lookup for other objects. Kind modules export a KindAdmission; the
// server dispatches by the kind's resource.
import type { KindDefinition, KindObject } from '../operator/kinds/kind.js';
import type { Denial, JsonPatchOperation } from './admission.js';
import type { ObjectLookup } from './lookup.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface WebhookSettings {
  /** Namespace of shared objects (public images, external networks). */
  publicNamespace: string;
}

export const defaultSettings: WebhookSettings = { publicNamespace: 'stratus-public' };

export interface AdmissionContext<D extends KindDefinition = KindDefinition> {
  /** The kind being admitted. */
  kind: D;
  operation: Operation;
  namespace: string | undefined;
  name: string;
  /** The object as it will be stored (CREATE, UPDATE). */
  object: KindObject<D> | undefined;
  /** The object as it was (UPDATE, DELETE). */
  oldObject: KindObject<D> | undefined;
  lookup: ObjectLookup;
  settings: WebhookSettings;
  username: string | undefined;
}

export interface KindAdmission<D extends KindDefinition = KindDefinition> {
  /** The kind this admits. */
  kind: D;
  /** The kind's plural and scope, spelled out for callers that only register the resource. */
  plural: string;
  scope: KindDefinition['scope'];
  /** Operations to intercept; DELETE only where deletion can be refused (in use). */
  operations: Operation[];
  /** Defaults that need context, as a JSON patch against the incoming object. */
  mutate?(this: void, ctx: AdmissionContext<D>): Promise<JsonPatchOperation[]> | JsonPatchOperation[];
  /** Cross-object rules; an empty list admits. */
  validate?(this: void, ctx: AdmissionContext<D>): Promise<Denial[]> | Denial[];
}

/** A kind's admission, its resource taken from the kind definition. */
export function kindAdmission<D extends KindDefinition>(
  kind: D,
  rules: Omit<KindAdmission<D>, 'kind' | 'plural' | 'scope'>,
): KindAdmission<D> {
  return { kind, plural: kind.plural, scope: kind.scope, ...rules };
}
