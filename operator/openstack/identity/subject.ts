// Which session the X-Subject-Token of GET, HEAD and DELETE /v3/auth/tokens names. By
// Keystone's default policy a user may only validate and revoke their own tokens.
import type { Session } from '../context.js';
import { badRequest, forbidden, notFound } from '../errors.js';
import type { IdentityEnv } from './env.js';

/** The session of the X-Subject-Token, which must be the caller's own. */
export async function subjectSession(
  env: Pick<IdentityEnv, 'authenticate'>,
  subject: string | undefined,
  caller: Session,
): Promise<Session> {
  if (!subject) throw badRequest('X-Subject-Token header is required');
  const session = subject === caller.token ? caller : await env.authenticate(subject);
  if (!session) throw notFound(`Could not find token: ${subject.slice(0, 12)}...`, 'TokenNotFound');
  // Keystone's default policy: a user may validate and revoke their own tokens.
  if (session.user.metadata.uid !== caller.user.metadata.uid) {
    throw forbidden('You are not authorized to perform the requested action on another user’s token.');
  }
  return session;
}
