import { describe, expect, it } from 'vitest';
import { faultOf } from './test/fault.js';
import { negotiate } from '../framework/microversion.js';
import { novaMicroversions } from './microversion.js';

const requestedMicroversion = (headers: { openstack?: string; legacy?: string }) =>
  negotiate(novaMicroversions, headers);

describe('Nova microversions', () => {
  it('default to 2.1 and honour both headers and latest', () => {
    expect(requestedMicroversion({})).toBe('2.1');
    expect(requestedMicroversion({ openstack: 'compute 2.1' })).toBe('2.1');
    expect(requestedMicroversion({ openstack: 'volume 3.5, compute latest' })).toBe('2.1');
    expect(requestedMicroversion({ legacy: '2.1' })).toBe('2.1');
    expect(requestedMicroversion({ openstack: 'image 2.5' })).toBe('2.1');
  });

  it('refuse what we do not implement with 406, and nonsense with 400', () => {
    expect(faultOf(() => requestedMicroversion({ openstack: 'compute 2.60' }))?.status).toBe(406);
    expect(faultOf(() => requestedMicroversion({ legacy: '2.0' }))?.status).toBe(406);
    expect(faultOf(() => requestedMicroversion({ legacy: 'two' }))?.status).toBe(400);
  });
});
