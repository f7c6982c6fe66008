import { describe, expect, it } from 'vitest';
import { SERVICES } from '../operator/openstack/services.js';
import { openstackReference } from './openstack-reference.js';

describe('the OpenStack route reference', () => {
  it('has a section per service of the registry and a row per route of every table', () => {
    const text = openstackReference();
    for (const service of SERVICES) {
      expect(text).toContain(`## ${service.title}: \`${service.prefix}\``);
      for (const route of service.routes) {
        const path = `${service.prefix}${route.path.replace(/:(\w+)/g, '{$1}')}`;
        expect(text).toContain(`| ${route.method} | \`${path}\` | ${route.status}`);
      }
    }
    expect(text).toContain(
      '| DELETE | `/network/v2.0/subnets/{id}` | 204 | 400, 401, 403, 404, 409, 429, 503 | project |',
    );
  });
});
