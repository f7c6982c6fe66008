import { describe, expect, it } from 'vitest';
import { columns, field, render, rules } from './crd-testing.js';
import { Snapshot, snapshotSpec } from './snapshot.js';

describe('Snapshot', () => {
  it('parses a snapshot with defaults applied', () => {
    expect(snapshotSpec.parse({ volume: 'data' })).toEqual({ volume: 'data', force: false });
    expect(snapshotSpec.safeParse({}).success).toBe(false);
    expect(snapshotSpec.safeParse({ volume: 'Not_A_Name' }).success).toBe(false);
  });

  it('renders a CRD with an immutable volume and Cinder states', () => {
    const { crd, version } = render(Snapshot);
    expect(crd.spec.names.shortNames).toEqual(['snap']);
    expect(field(version, 'spec').required).toEqual(['volume']);
    expect(rules(version, 'spec.volume')).toEqual(['self == oldSelf']);
    expect(rules(version, 'spec.force')).toEqual(['self == oldSelf']);
    expect(field(version, 'status.state').enum).toEqual([
      'creating',
      'available',
      'deleting',
      'error',
      'error_deleting',
      'restoring',
      'unmanaging',
      'backing-up',
    ]);
    expect(columns(version).slice(0, 3)).toEqual(['Volume', 'Size', 'Status']);
  });
});
