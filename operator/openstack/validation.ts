// Request bodies are checked with zod; the first problem becomes a 400 naming the field, in
// Nova's words ("Invalid input for field/attribute server.name: ..."), which clients show
// as is. Unknown fields in strict objects are refused the same way.
import type { z } from 'zod';
import { badRequest } from './errors.js';

function pathOf(path: readonly PropertyKey[]): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
    .join('.')
    .replace(/\.\[/g, '[');
}

/** The issue in words: a field name and what is wrong with it. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    const where = pathOf(issue.path);
    const keys = issue.keys.map((k) => `'${k}'`).join(', ');
    return `Invalid input for field/attribute ${where ? `${where}.` : ''}${issue.keys[0]}: additional properties are not allowed (${keys} ${issue.keys.length > 1 ? 'were' : 'was'} unexpected)`;
  }
  const where = pathOf(issue.path) || 'body';
  return `Invalid input for field/attribute ${where}: ${issue.message}`;
}

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  if (body === undefined) throw badRequest('The request body is missing; send a JSON object.');
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw badRequest(describeIssue(parsed.error.issues[0]!));
  return parsed.data;
}
