// Address arithmetic (cidrContains, cidrsOverlap) is tested with its one library,
// operator/domain/address.test.ts.
import { describe, expect, it } from 'vitest';
import { checkQuota } from './common.js';

const cores = (used: number, requested: number) =>
  ({ key: 'cores', unit: 'vCPUs', used, requested, field: 'spec.flavor' }) as const;

describe('checkQuota', () => {
  it('admits within the limit, and always when unlimited (-1) or unset', () => {
    expect(checkQuota({ cores: 4 }, cores(2, 2), 'p')).toBeUndefined();
    expect(checkQuota({ cores: -1 }, cores(99, 99), 'p')).toBeUndefined();
    expect(checkQuota({}, cores(99, 99), 'p')).toBeUndefined();
  });

  it('refuses with 403 and the numbers when over', () => {
    expect(checkQuota({ cores: 4 }, cores(3, 2), 'demo')).toEqual({
      field: 'spec.flavor',
      code: 403,
      message:
        'exceeds the quota of project "demo": quota.cores is 4 vCPUs, 3 in use, this needs 2 more; free some up or ask an admin to raise spec.quota.cores on Project demo',
    });
  });
});
