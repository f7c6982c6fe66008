import { describe, expect, it } from 'vitest';
import { celRules, columns, field, render } from './crd-testing.js';
import { Instance, instanceSpec, instanceStatus } from './instance.js';

const image = { name: 'cirros', namespace: 'stratus-public' };

describe('Instance', () => {
  it('parses web-1 with defaults applied', () => {
    const spec = instanceSpec.parse({
      flavor: 'm1.small',
      image,
      keyName: 'alice-key',
      networks: [{ network: { name: 'private' }, fixedIPs: ['10.0.0.10'] }],
      securityGroups: ['web'],
      volumes: [{ volume: 'data', device: '/dev/vdb' }],
      userData: '#!/bin/sh\necho hi\n',
      metadata: { role: 'web' },
    });
    expect(spec.powerState).toBe('Running');
    expect(spec.configDrive).toBe(true);
    expect(spec.networks?.[0]?.network?.name).toBe('private');
    expect(spec.rebootRequest).toBeUndefined();
  });

  it('defaults the reboot type and refuses bad shapes', () => {
    const spec = instanceSpec.parse({
      flavor: 'm1.tiny',
      bootVolume: 'cirros-boot',
      rebootRequest: { id: '1' },
    });
    expect(spec.rebootRequest).toEqual({ id: '1', type: 'SOFT' });
    expect(instanceSpec.safeParse({ flavor: 'm1.tiny', image, powerState: 'Paused' }).success).toBe(false);
    expect(instanceSpec.safeParse({ flavor: 'm1.tiny', image, userDataBase64: 'not base64!' }).success).toBe(
      false,
    );
    const badDevice = { flavor: 'm1.tiny', image, volumes: [{ volume: 'data', device: 'vdb' }] };
    expect(instanceSpec.safeParse(badDevice).success).toBe(false);
  });

  it('parses a status with addresses, fault and the booted flavor', () => {
    const network = { name: 'private' };
    const status = instanceStatus.parse({
      state: 'ERROR',
      powerState: 'NOSTATE',
      fault: { code: 500, message: 'No valid host was found.' },
      addresses: [
        { network, version: 4, address: '10.0.0.10', macAddress: 'fa:16:3e:00:00:01', type: 'fixed' },
        { network, version: 4, address: '203.0.113.10', type: 'floating' },
      ],
      flavor: { name: 'm1.small', vcpus: 1, ramMiB: 2048, diskGiB: 20 },
    });
    expect(status.addresses).toHaveLength(2);
    const v5 = { addresses: [{ network, version: 5, address: '::1', type: 'fixed' }] };
    expect(instanceStatus.safeParse(v5).success).toBe(false);
  });

  it('renders CEL rules: one boot source, immutable fields, NIC shape, printer columns', () => {
    const { crd, version } = render(Instance);
    expect(crd.spec.names.shortNames).toEqual(['inst']);
    expect(field(version, 'spec').required).toEqual(['flavor']);
    expect(celRules(version, 'spec.flavor')[0]?.message).toContain('resize is not supported yet');
    expect(celRules(version, 'spec.configDrive')[0]?.rule).toBe('self == oldSelf');
    const specRules = celRules(version, 'spec');
    expect(specRules[0]?.rule).toBe('has(self.image) != has(self.bootVolume)');
    expect(specRules.filter((r) => r.rule.includes('oldSelf')).map((r) => r.fieldPath)).toEqual([
      '.image',
      '.bootVolume',
      '.rootDiskGiB',
      '.keyName',
      '.userData',
      '.userDataBase64',
      '.availabilityZone',
    ]);
    expect(celRules(version, 'spec.networks.[]')[0]?.rule).toBe('has(self.network) != has(self.port)');
    expect(celRules(version, 'spec.networks.[].fixedIPs.[]')[0]?.rule).toBe('isIP(self)');
    expect(field(version, 'spec.volumes')['x-kubernetes-list-map-keys']).toEqual(['volume']);
    expect(celRules(version, 'spec.rebootRequest')[0]?.rule).toContain('oldSelf.id');
    expect(field(version, 'status.state').enum).toEqual(
      expect.arrayContaining(['BUILD', 'ACTIVE', 'SHUTOFF', 'REBOOT', 'HARD_REBOOT', 'ERROR', 'DELETED']),
    );
    expect(field(version, 'status.addresses.[].version')).toMatchObject({ type: 'integer', enum: [4, 6] });
    expect(columns(version).slice(0, 5)).toEqual(['Flavor', 'Image', 'Status', 'IPs', 'Power']);
  });
});
