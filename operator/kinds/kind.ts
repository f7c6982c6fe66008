// A stratus.dev kind: its zod schemas plus what the CRD needs to be pleasant in kubectl.
import type { V1ObjectMeta } from '@kubernetes/client-node';
import type { z } from 'zod';
import type { API_VERSION } from './meta.js';
import { type CelRule } from './meta.js';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description: string;
  /** 0 shows in `kubectl get`; 1 only with `-o wide`. */
  priority?: 0 | 1;
}

/** A printer column shown by `kubectl get`. */
export function column(
  name: string,
  type: PrinterColumn['type'],
  jsonPath: string,
  description: string,
): PrinterColumn {
  return { name, type, jsonPath, description };
}

/** A printer column shown only by `kubectl get -o wide`. */
export function wideColumn(
  name: string,
  type: PrinterColumn['type'],
  jsonPath: string,
  description: string,
): PrinterColumn {
  return { ...column(name, type, jsonPath, description), priority: 1 };
}

export interface KindDefinition<Spec extends z.ZodType = z.ZodType, Status extends z.ZodType = z.ZodType> {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  scope: 'Namespaced' | 'Cluster';
  /** What the kind is, for `kubectl explain <plural>`. */
  description: string;
  /** The OpenStack resource this kind twins, for the docs. */
  openstack: string;
  spec: Spec;
  status: Status;
  /** Columns before the standard Ready and Age columns. */
  printerColumns: PrinterColumn[];
  /** CEL rules on the whole object (they may read metadata.name). */
  rootRules?: CelRule[];
}

export function defineKind<Spec extends z.ZodType, Status extends z.ZodType>(
  definition: KindDefinition<Spec, Status>,
): KindDefinition<Spec, Status> {
  return definition;
}

/** The TypeScript type of an object of a kind, as stored (defaults applied). */
export interface KindObject<D extends KindDefinition> {
  apiVersion: typeof API_VERSION;
  kind: string;
  metadata: V1ObjectMeta;
  spec: z.output<D['spec']>;
  status?: z.output<D['status']>;
}

/** What a client may send: defaults not yet applied. */
export interface KindInput<D extends KindDefinition> {
  apiVersion: typeof API_VERSION;
  kind: string;
  metadata: V1ObjectMeta;
  spec: z.input<D['spec']>;
}
