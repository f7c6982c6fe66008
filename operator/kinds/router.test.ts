import { describe, expect, it } from 'vitest';
import { columns, field, render, rules } from './crd-testing.js';
import { Router, routerSpec } from './router.js';

describe('Router', () => {
  it('parses a router with an external gateway and an interface, defaults applied', () => {
    expect(
      routerSpec.parse({
        externalGateway: { network: { name: 'public', namespace: 'stratus-public' } },
        interfaces: [{ subnet: 'private-v4' }],
      }),
    ).toEqual({
      adminStateUp: true,
      externalGateway: { network: { name: 'public', namespace: 'stratus-public' }, enableSNAT: true },
      interfaces: [{ subnet: 'private-v4' }],
    });
  });

  it('parses a router without gateway, with routes; refuses a bad route destination type', () => {
    expect(
      routerSpec.parse({ routes: [{ destination: '192.168.0.0/16', nexthop: '10.0.0.5' }] }).routes,
    ).toHaveLength(1);
    expect(routerSpec.safeParse({ routes: [{ destination: 42, nexthop: '10.0.0.5' }] }).success).toBe(false);
  });

  it('renders CEL rules: interface is a subnet or a port, unique interfaces, route families', () => {
    const { crd, version } = render(Router);
    expect(crd.spec.names.shortNames).toEqual(['rtr']);
    expect(rules(version, 'spec.interfaces.[]')).toEqual(['has(self.subnet) != has(self.port)']);
    expect(rules(version, 'spec.interfaces')[0]).toContain('exists_one');
    expect(rules(version, 'spec.routes.[]')[0]).toContain(
      'cidr(self.destination).ip().family() == ip(self.nexthop).family()',
    );
    expect(rules(version, 'spec.routes.[].destination')).toHaveLength(2);
    expect(field(version, 'spec.externalGateway.enableSNAT').default).toBe(true);
    expect(field(version, 'status.state').enum).toEqual(['ACTIVE', 'BUILD', 'DOWN', 'ERROR']);
    expect(columns(version).slice(0, 4)).toEqual(['External-Network', 'External-IP', 'Subnets', 'Status']);
  });
});
