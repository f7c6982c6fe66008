import { describe, expect, it } from 'vitest';
import { checkQuota, cidrContains, cidrsOverlap } from './common.js';

describe('address arithmetic', () => {
  it('knows which addresses a CIDR holds', () => {
    expect(cidrContains('10.0.0.0/24', '10.0.0.255')).toBe(true);
    expect(cidrContains('10.0.0.0/24', '10.0.1.0')).toBe(false);
    expect(cidrContains('fd00:10::/64', 'fd00:10::1')).toBe(true);
    expect(cidrContains('fd00:10::/64', '10.0.0.1')).toBe(false);
    expect(cidrContains('not-a-cidr', '10.0.0.1')).toBe(false);
  });

  it('detects overlapping CIDRs in either direction, and only within a family', () => {
    expect(cidrsOverlap('10.0.0.0/24', '10.0.0.128/25')).toBe(true);
    expect(cidrsOverlap('10.0.0.128/25', '10.0.0.0/16')).toBe(true);
    expect(cidrsOverlap('10.0.0.0/25', '10.0.0.128/25')).toBe(false);
    expect(cidrsOverlap('10.0.0.0/8', 'fd00::/8')).toBe(false);
  });
});

describe('checkQuota', () => {
  it('admits within the limit, and always when unlimited (-1) or unset', () => {
    expect(checkQuota({ cores: 4 }, 'cores', 'vCPUs', 2, 2, 'spec.flavor', 'p')).toBeUndefined();
    expect(checkQuota({ cores: -1 }, 'cores', 'vCPUs', 99, 99, 'spec.flavor', 'p')).toBeUndefined();
    expect(checkQuota({}, 'cores', 'vCPUs', 99, 99, 'spec.flavor', 'p')).toBeUndefined();
  });

  it('refuses with 403 and the numbers when over', () => {
    expect(checkQuota({ cores: 4 }, 'cores', 'vCPUs', 3, 2, 'spec.flavor', 'demo')).toEqual({
      field: 'spec.flavor',
      code: 403,
      message:
        'exceeds the quota of project "demo": quota.cores is 4 vCPUs, 3 in use, this needs 2 more; free some up or ask an admin to raise spec.quota.cores on Project demo',
    });
  });
});
