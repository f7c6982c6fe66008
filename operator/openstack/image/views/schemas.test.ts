import { describe, expect, it } from 'vitest';
import { imageSchema, imagesSchema } from './schemas.js';

describe('the image schemas', () => {
  it('marks computed attributes read-only and lets custom properties be strings', () => {
    const schema = imageSchema();
    expect(schema.additionalProperties).toEqual({ type: 'string' });
    expect(schema.properties.status).toMatchObject({ readOnly: true });
    expect(schema.properties.status.enum[0]).toBe('queued');
    expect(schema.properties.disk_format.enum).toContain('qcow2');
    expect(schema.properties.name).toEqual({ type: ['null', 'string'], maxLength: 255 });
  });

  it('describes the list with first, next and schema links', () => {
    const schema = imagesSchema();
    expect(schema.properties.images.items).toEqual(imageSchema());
    expect(schema.links.map((l) => l.rel)).toEqual(['first', 'next', 'describedby']);
  });
});
