// Render a kind's CustomResourceDefinition from its zod schemas: zod → OpenAPI 3.0 JSON
// Schema → a structural schema the apiserver accepts, with descriptions everywhere.
import { z } from 'zod';
import { CATEGORY, GROUP, VERSION } from './meta.js';
import type { KindDefinition, PrinterColumn } from './kind.js';

type Schema = Record<string, unknown>;

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * Make zod's JSON Schema structural (https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema):
 * every node typed, no `additionalProperties: false`, no `const`, no type-bearing unions.
 * Fails loudly on shapes a CRD cannot express, and on fields without a description,
 * because `kubectl explain` is how tenants learn the API.
 */
export function structural(node: Schema, path: string, needsDescription = true): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    switch (key) {
      case '$schema':
      case '$id':
      case 'id':
        break;
      case 'additionalProperties':
        if (value === false) break;
        out[key] = value === true ? value : structural(value as Schema, `${path}[*]`, false);
        break;
      case 'properties':
        out[key] = Object.fromEntries(
          Object.entries(value as Record<string, Schema>).map(([name, child]) => [
            name,
            structural(child, `${path}.${name}`),
          ]),
        );
        break;
      case 'items':
        out[key] = structural(value as Schema, `${path}[]`, false);
        break;
      case 'const':
        out.enum = [value];
        break;
      case 'maximum':
        if (value !== MAX_SAFE) out[key] = value;
        break;
      case 'minimum':
        if (value !== -MAX_SAFE) out[key] = value;
        break;
      case 'propertyNames':
        // Key constraints of records; CRDs cannot express them (CEL rules can, where needed).
        break;
      case 'anyOf':
      case 'oneOf':
      case 'allOf':
      case 'not':
      case '$ref':
      case '$defs':
        throw new Error(
          `${path}: '${key}' cannot be expressed in a structural CRD schema; use optional fields and a CEL rule`,
        );
      default:
        out[key] = value;
    }
  }
  if (
    out.type === undefined &&
    out['x-kubernetes-int-or-string'] !== true &&
    out['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    throw new Error(`${path}: no type (structural schemas type every node)`);
  }
  if (needsDescription && (typeof out.description !== 'string' || out.description.trim() === '')) {
    throw new Error(`${path}: missing description (every field needs one for kubectl explain)`);
  }
  return out;
}

export function openApiSchema(schema: z.ZodType, path: string): Schema {
  const json = z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io: 'input',
    unrepresentable: 'throw',
  }) as Schema;
  return structural(json, path);
}

const standardColumns: PrinterColumn[] = [
  {
    name: 'Ready',
    type: 'string',
    jsonPath: '.status.conditions[?(@.type=="Ready")].status',
    description: 'Whether the object is ready',
  },
  {
    name: 'Reason',
    type: 'string',
    jsonPath: '.status.conditions[?(@.type=="Ready")].reason',
    description: 'Why the object is (not) ready',
    priority: 1,
  },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Time since creation' },
];

/** The CustomResourceDefinition object for a kind. Pure: same input, same output. */
export function renderCrd(def: KindDefinition): Schema {
  const spec = openApiSchema(def.spec, `${def.kind}.spec`);
  const status = openApiSchema(def.status, `${def.kind}.status`);
  const root: Schema = {
    type: 'object',
    description: def.description,
    required: ['spec'],
    properties: {
      apiVersion: {
        type: 'string',
        description: `APIVersion defines the versioned schema of this representation of an object: ${GROUP}/${VERSION}.`,
      },
      kind: { type: 'string', description: `Kind is the type of this object: ${def.kind}.` },
      // The apiserver owns metadata's schema; it forbids anything beyond the type here.
      metadata: { type: 'object' },
      spec,
      status,
    },
  };
  if (def.rootRules?.length) root['x-kubernetes-validations'] = def.rootRules;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${def.plural}.${GROUP}`,
      labels: { 'app.kubernetes.io/part-of': 'stratus' },
    },
    spec: {
      group: GROUP,
      scope: def.scope,
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.singular,
        shortNames: def.shortNames,
        categories: [CATEGORY],
      },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [...def.printerColumns, ...standardColumns],
          schema: { openAPIV3Schema: root },
        },
      ],
    },
  };
}
