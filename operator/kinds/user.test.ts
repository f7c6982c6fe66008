import { describe, expect, it } from 'vitest';
import { columns, field, render, rules } from './crd-testing.js';
import { User, userSpec } from './user.js';

describe('User', () => {
  it('parses a user with defaults applied', () => {
    const spec = userSpec.parse({
      email: 'alice@example.com',
      passwordSecretRef: { namespace: 'stratus-system', name: 'alice-password' },
      projects: [{ project: 'demo', roles: ['member'] }],
    });
    expect(spec.enabled).toBe(true);
    expect(spec.domain).toBe('Default');
    expect(spec.passwordSecretRef?.key).toBe('password');
    expect(spec.loginName).toBeUndefined();
  });

  it('accepts login names that are not object names, and refuses bad emails and roles', () => {
    expect(userSpec.safeParse({ loginName: 'alice@example.com' }).success).toBe(true);
    expect(userSpec.safeParse({ loginName: ' alice' }).success).toBe(false);
    expect(userSpec.safeParse({ email: 'alice-at-example.com' }).success).toBe(false);
    expect(userSpec.safeParse({ projects: [{ project: 'demo', roles: ['owner'] }] }).success).toBe(false);
    expect(userSpec.safeParse({ projects: [{ project: 'demo', roles: [] }] }).success).toBe(false);
  });

  it('renders a cluster-scoped CRD: projects keyed by project, no password field', () => {
    const { crd, version } = render(User);
    expect(crd.spec.scope).toBe('Cluster');
    expect(field(version, 'spec.projects')['x-kubernetes-list-type']).toBe('map');
    expect(field(version, 'spec.projects')['x-kubernetes-list-map-keys']).toEqual(['project']);
    expect(field(version, 'spec.projects.[].roles')['x-kubernetes-list-type']).toBe('set');
    expect(rules(version, 'spec.domain')).toEqual(['self == oldSelf']);
    expect(field(version, 'spec.email').pattern).toBeDefined();
    expect(field(version, 'spec').properties).not.toHaveProperty('password');
    expect(field(version, 'spec.passwordSecretRef').required).toEqual(['namespace', 'name']);
    expect(columns(version)).toContain('Email');
  });
});
