// A User CR as Keystone shows a user: its id is the object's uid, its name the login name.
import type { UserObject } from '../../../kinds/user.js';
import { loginNameOf } from '../../cache.js';
import { DOMAIN } from './domain.js';

/** What the user view needs to know beyond the user. */
export interface UserLookup {
  /** The uid of the Project with this object name, if there is one. */
  projectUid(name: string): string | undefined;
}

export function userView(user: UserObject, base: string, lookup: UserLookup) {
  const id = user.metadata.uid!;
  const defaultProjectId = user.spec.defaultProject ? lookup.projectUid(user.spec.defaultProject) : undefined;
  return {
    id,
    name: loginNameOf(user),
    domain_id: DOMAIN.id,
    enabled: user.spec.enabled,
    ...(user.spec.email ? { email: user.spec.email } : {}),
    ...(user.spec.description ? { description: user.spec.description } : {}),
    ...(defaultProjectId ? { default_project_id: defaultProjectId } : {}),
    password_expires_at: user.status?.passwordExpiresAt ?? null,
    options: {},
    links: { self: `${base}/identity/v3/users/${id}` },
  };
}
