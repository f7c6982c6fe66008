import { describe, expect, it } from 'vitest';
import { userSpec, type UserObject } from '../../../kinds/user.js';
import { userView } from './user.js';

const user = (spec: Record<string, unknown>, status?: UserObject['status']): UserObject => ({
  apiVersion: 'stratus.dev/v1alpha1',
  kind: 'User',
  metadata: { name: 'alice', uid: 'uid-alice' },
  spec: userSpec.parse(spec),
  ...(status ? { status } : {}),
});

const lookup = { projectUid: (name: string) => (name === 'demo' ? 'uid-demo' : undefined) };

describe('the user view', () => {
  it('shows the login name, the optional fields that are set and the default project id', () => {
    const alice = user(
      { loginName: 'alice@example', email: 'a@example.com', defaultProject: 'demo' },
      { passwordExpiresAt: '2030-01-01T00:00:00Z' },
    );
    expect(userView(alice, 'https://cloud', lookup)).toEqual({
      id: 'uid-alice',
      name: 'alice@example',
      domain_id: 'default',
      enabled: true,
      email: 'a@example.com',
      default_project_id: 'uid-demo',
      password_expires_at: '2030-01-01T00:00:00Z',
      options: {},
      links: { self: 'https://cloud/identity/v3/users/uid-alice' },
    });
  });

  it('leaves out what is unset or unknown', () => {
    const view = userView(user({ defaultProject: 'gone', description: 'x' }), 'https://cloud', lookup);
    expect(view).not.toHaveProperty('email');
    expect(view).not.toHaveProperty('default_project_id');
    expect(view).toMatchObject({ name: 'alice', description: 'x', password_expires_at: null });
  });
});
