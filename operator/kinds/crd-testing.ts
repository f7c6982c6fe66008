// Reading a rendered CRD in unit tests: its one version, the schema at a path, the CEL
// rules there, and the printer columns.
import { renderCrd } from './crd.js';
import type { KindDefinition } from './kind.js';

export interface Rule {
  rule: string;
  message: string;
  fieldPath?: string;
}

/** The parts of a rendered schema the tests read. */
export interface Schema {
  type?: string;
  description?: string;
  properties: Record<string, Schema>;
  items: Schema;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  maxItems?: number;
  maxProperties?: number;
  'x-kubernetes-validations'?: Rule[];
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
}

export interface Version {
  additionalPrinterColumns: { name: string; jsonPath: string; priority?: number; type?: string }[];
  schema: { openAPIV3Schema: Schema };
}

export interface Crd {
  spec: { scope: string; names: { shortNames: string[]; categories: string[] }; versions: Version[] };
}

/** The rendered CRD and its only version. */
export function render(kind: KindDefinition): { crd: Crd; version: Version } {
  const crd = renderCrd(kind) as unknown as Crd;
  const version = crd.spec.versions[0];
  if (!version) throw new Error('no version');
  return { crd, version };
}

/** The schema at a dotted path from the root, `[]` for list items, e.g. `spec.rules.[]`. */
export function field(version: Version, path: string): Schema {
  let node: Schema | undefined = version.schema.openAPIV3Schema;
  for (const key of path ? path.split('.') : []) {
    node = key === '[]' ? node?.items : node?.properties?.[key];
  }
  if (!node) throw new Error(`no field ${path}`);
  return node;
}

/** The CEL rules (with messages) of the field at a path. */
export function celRules(version: Version, path: string): Rule[] {
  return field(version, path)['x-kubernetes-validations'] ?? [];
}

/** The CEL rule texts of the field at a path. */
export function rules(version: Version, path: string): string[] {
  return celRules(version, path).map((r) => r.rule);
}

export function columns(version: Version): string[] {
  return version.additionalPrinterColumns.map((c) => c.name);
}
