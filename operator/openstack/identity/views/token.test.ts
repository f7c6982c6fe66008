import { describe, expect, it } from 'vitest';
import { projectSpec, type ProjectObject } from '../../../kinds/project.js';
import { userSpec, type UserObject } from '../../../kinds/user.js';
import type { CatalogEntry } from '../../catalog.js';
import type { TokenClaims } from '../../tokens.js';
import { keystoneTime, roleView, tokenView } from './token.js';

const user: UserObject = {
  apiVersion: 'stratus.dev/v1alpha1',
  kind: 'User',
  metadata: { name: 'alice', uid: 'uid-alice' },
  spec: userSpec.parse({ loginName: 'alice@example' }),
};
const project: ProjectObject = {
  apiVersion: 'stratus.dev/v1alpha1',
  kind: 'Project',
  metadata: { name: 'demo', uid: 'uid-demo' },
  spec: projectSpec.parse({ displayName: 'Demo' }),
};
const claims: TokenClaims = {
  userUid: 'uid-alice',
  projectUid: 'uid-demo',
  methods: ['password'],
  issuedAt: 1_700_000_000,
  expiresAt: 1_700_003_600,
  auditIds: ['audit-1'],
};
const catalog: CatalogEntry[] = [{ id: 'c', type: 'compute', name: 'nova', endpoints: [] }];

describe('the token view', () => {
  it('shows a scoped token with its project, roles and catalog', () => {
    const { token } = tokenView({ claims, user, project, roles: ['reader', 'member'] }, catalog);
    expect(token).toEqual({
      methods: ['password'],
      user: {
        id: 'uid-alice',
        name: 'alice@example',
        domain: { id: 'default', name: 'Default' },
        password_expires_at: null,
      },
      audit_ids: ['audit-1'],
      issued_at: '2023-11-14T22:13:20.000000Z',
      expires_at: '2023-11-14T23:13:20.000000Z',
      project: { id: 'uid-demo', name: 'Demo', domain: { id: 'default', name: 'Default' } },
      is_domain: false,
      roles: [roleView('reader'), roleView('member')],
      catalog,
    });
  });

  it('leaves the catalog out when not asked for, and the project part for an unscoped token', () => {
    expect(tokenView({ claims, user, project, roles: ['reader'] }).token).not.toHaveProperty('catalog');
    const unscoped = tokenView({ claims: { ...claims, projectUid: undefined }, user, roles: [] }, catalog);
    expect(Object.keys(unscoped.token)).toEqual(['methods', 'user', 'audit_ids', 'issued_at', 'expires_at']);
  });

  it('gives roles stable ids and times in microseconds', () => {
    expect(roleView('admin')).toEqual({ id: roleView('admin').id, name: 'admin', domain_id: null });
    expect(roleView('admin').id).toMatch(/^[0-9a-f]{32}$/);
    expect(roleView('admin').id).not.toBe(roleView('member').id);
    expect(keystoneTime(0)).toBe('1970-01-01T00:00:00.000000Z');
  });
});
