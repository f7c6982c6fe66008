import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { ApiFault } from './errors.js';
import { parseBody } from './validation.js';

const schema = z.strictObject({
  server: z.strictObject({ name: z.string(), networks: z.array(z.object({ uuid: z.string() })) }),
});

function message(body: unknown): string {
  try {
    parseBody(schema, body);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiFault);
    expect((error as ApiFault).status).toBe(400);
    return (error as Error).message;
  }
  throw new Error('accepted');
}

describe('request validation', () => {
  it('names the wrongly typed field', () => {
    expect(message({ server: { name: 1, networks: [] } })).toMatch(
      /^Invalid input for field\/attribute server\.name: /,
    );
    expect(message({ server: { name: 'a', networks: [{ uuid: 2 }] } })).toMatch(
      /server\.networks\[0\]\.uuid/,
    );
  });

  it('names an unknown field', () => {
    expect(message({ server: { name: 'a', networks: [], colour: 'red' } })).toBe(
      "Invalid input for field/attribute server.colour: additional properties are not allowed ('colour' was unexpected)",
    );
  });

  it('refuses a missing body', () => {
    expect(message(undefined)).toMatch(/body is missing/);
  });
});
