import { describe, expect, it } from 'vitest';
import type { UserObject } from '../../kinds/user.js';
import { desiredPasswordHashSecret, desiredUserRoleBindings, userStatus } from './desired.js';

function user(spec: Partial<UserObject['spec']> = {}): UserObject {
  return {
    apiVersion: 'stratus.dev/v1alpha1',
    kind: 'User',
    metadata: { name: 'alice', uid: 'alice-uid', generation: 1 },
    spec: { projects: [{ project: 'demo', roles: ['member', 'reader'] }], ...spec },
  } as UserObject;
}

describe('desiredUserRoleBindings', () => {
  it('binds each role in the project’s namespace, owned by the user', () => {
    const bindings = desiredUserRoleBindings(user());
    expect(bindings.map((b) => b.metadata.namespace)).toEqual(['demo', 'demo']);
    expect(bindings.map((b) => b.metadata.name)).toEqual([
      expect.stringMatching(/^stratus-user-alice-.*-member$/),
      expect.stringMatching(/^stratus-user-alice-.*-reader$/),
    ]);
    expect(bindings[0]!.roleRef).toMatchObject({ kind: 'ClusterRole' });
    expect(bindings[0]!.metadata.ownerReferences).toEqual([expect.objectContaining({ uid: 'alice-uid' })]);
  });
});

describe('desiredPasswordHashSecret', () => {
  it('keeps the hash with the source version it was computed from', () => {
    const secret = desiredPasswordHashSecret(
      user(),
      'stratus-system',
      'HASH',
      'uid/7',
      '2026-01-01T00:00:00Z',
    );
    expect(secret.metadata.namespace).toBe('stratus-system');
    expect(secret.metadata.annotations).toEqual({
      'stratus.dev/password-source-version': 'uid/7',
      'stratus.dev/password-updated-at': '2026-01-01T00:00:00Z',
    });
    expect(secret.stringData).toEqual({ hash: 'HASH' });
  });
});

describe('userStatus', () => {
  it('reports the login name and the password hash, Ready when nothing is missing', () => {
    const password = { passwordHashSecret: 'h', passwordUpdatedAt: '2026-01-01T00:00:00Z' };
    expect(userStatus(user({ loginName: 'alice@example' }), password, [])).toEqual({
      status: { loginName: 'alice@example', ...password },
      ready: {
        type: 'Ready',
        status: 'True',
        reason: 'Provisioned',
        message: 'password hash and role bindings are in place',
      },
    });
  });

  it('waits, listing every problem, and defaults the login name to the object name', () => {
    const waiting = userStatus(user(), undefined, [
      'password Secret x/y (key password) not found',
      'namespace z',
    ]);
    expect(waiting.status).toEqual({ loginName: 'alice' });
    expect(waiting.ready).toMatchObject({
      status: 'False',
      reason: 'Waiting',
      message: 'password Secret x/y (key password) not found; namespace z',
    });
  });
});
