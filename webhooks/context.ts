// What a validator or mutator sees: the request in plain terms and the lookup for other
// objects. Kind modules export a KindAdmission; the server dispatches by resource.
import type { Denial, JsonPatchOperation, KubeObject } from './admission.js';
import type { ObjectLookup } from './lookup.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface WebhookSettings {
  /** Namespace of shared objects (public images, external networks). */
  publicNamespace: string;
}

export const defaultSettings: WebhookSettings = { publicNamespace: 'stratus-public' };

export interface AdmissionContext<Spec = unknown> {
  operation: Operation;
  namespace: string | undefined;
  name: string;
  /** The object as it will be stored (CREATE, UPDATE). */
  object: (KubeObject & { spec: Spec }) | undefined;
  /** The object as it was (UPDATE, DELETE). */
  oldObject: (KubeObject & { spec: Spec }) | undefined;
  lookup: ObjectLookup;
  settings: WebhookSettings;
  username: string | undefined;
}

export interface KindAdmission {
  /** The resource plural this admits, e.g. "instances". */
  plural: string;
  scope: 'Namespaced' | 'Cluster';
  /** Operations to intercept; DELETE only where deletion can be refused (in use). */
  operations: Operation[];
  /** Defaults that need context, as a JSON patch against the incoming object. */
  mutate?: (ctx: AdmissionContext) => Promise<JsonPatchOperation[]> | JsonPatchOperation[];
  /** Cross-object rules; an empty list admits. */
  validate?: (ctx: AdmissionContext) => Promise<Denial[]> | Denial[];
}
