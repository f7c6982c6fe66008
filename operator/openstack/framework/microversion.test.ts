import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { negotiate, schemaAt, versionHeaders, type MicroversionPolicy } from './microversion.js';

const nova: MicroversionPolicy = {
  service: 'compute',
  legacyHeader: 'X-OpenStack-Nova-API-Version',
  min: '2.1',
  max: '2.5',
  under: '/v2.1',
};

describe('microversion negotiation', () => {
  it('takes the service’s entry of OpenStack-API-Version, else the legacy header, else the minimum', () => {
    expect(negotiate(nova, {})).toBe('2.1');
    expect(negotiate(nova, { openstack: 'volume 3.0, compute 2.3' })).toBe('2.3');
    expect(negotiate(nova, { legacy: '2.2' })).toBe('2.2');
    expect(negotiate(nova, { openstack: 'compute latest' })).toBe('2.5');
  });

  it('refuses a malformed version with 400 and one out of range with 406', () => {
    expect(() => negotiate(nova, { openstack: 'compute two' })).toThrow(
      expect.objectContaining({ status: 400 }),
    );
    expect(() => negotiate(nova, { openstack: 'compute 2.6' })).toThrow(
      expect.objectContaining({ status: 406 }),
    );
    expect(() => negotiate(nova, { legacy: '2.0' })).toThrow(expect.objectContaining({ status: 406 }));
  });

  it('names the version in the response headers', () => {
    expect(versionHeaders(nova, '2.1')).toEqual({
      'OpenStack-API-Version': 'compute 2.1',
      'X-OpenStack-Nova-API-Version': '2.1',
      Vary: 'OpenStack-API-Version, X-OpenStack-Nova-API-Version',
    });
  });

  it('picks the request schema of the version range', () => {
    const early = z.object({ a: z.string() });
    const late = z.object({ b: z.string() });
    const body = {
      versions: [
        { min: '2.1', max: '2.9', schema: early },
        { min: '2.10', schema: late },
      ],
    };
    expect(schemaAt<unknown>(body, '2.9')).toBe(early);
    expect(schemaAt<unknown>(body, '2.10')).toBe(late);
    expect(schemaAt<unknown>(body, '2.99')).toBe(late);
    expect(schemaAt(early, '2.50')).toBe(early);
  });
});
