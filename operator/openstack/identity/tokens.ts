// /v3/auth/tokens: issue (POST), validate (GET, HEAD) and revoke (DELETE) tokens. The token
// to validate or revoke is the X-Subject-Token; by Keystone's default policy a user may only
// validate and revoke their own.
import type { Request, RequestHandler, Response, Router } from 'express';
import { catalog } from '../catalog.js';
import { baseUrl, sessionOf, type ApiDeps, type Session } from '../context.js';
import { badRequest, forbidden, notFound } from '../errors.js';
import { parseBody } from '../validation.js';
import { login } from './login.js';
import { authRequest } from './schemas.js';
import { authenticate } from './sessions.js';
import { tokenView, type TokenSubject } from './views/token.js';

/** The session of the X-Subject-Token, which must be the caller's own. */
async function subjectSession(deps: ApiDeps, req: Request, res: Response): Promise<Session> {
  const caller = sessionOf(res);
  const subject = req.get('x-subject-token');
  if (!subject) throw badRequest('X-Subject-Token header is required');
  const session = subject === caller.token ? caller : await authenticate(deps, subject);
  if (!session) throw notFound(`Could not find token: ${subject.slice(0, 12)}...`, 'TokenNotFound');
  // Keystone's default policy: a user may validate and revoke their own tokens.
  if (session.user.metadata.uid !== caller.user.metadata.uid) {
    throw forbidden('You are not authorized to perform the requested action on another user’s token.');
  }
  return session;
}

function tokenBody(deps: ApiDeps, req: Request, subject: TokenSubject) {
  const withCatalog = req.query.nocatalog === undefined;
  return tokenView(
    subject,
    withCatalog ? catalog(baseUrl(deps, req), deps.config.STRATUS_API_REGION) : undefined,
  );
}

export function tokenRoutes(router: Router, deps: ApiDeps, auth: RequestHandler): void {
  router.post('/v3/auth/tokens', async (req, res) => {
    const request = parseBody(authRequest, req.body);
    const issued = await login(deps, request, req.ip ?? '');
    const token = deps.codec.seal(issued.claims);
    res.locals.user = issued.user.metadata.name;
    res
      .status(201)
      .set('X-Subject-Token', token)
      .json(tokenBody(deps, req, issued));
  });

  router.get('/v3/auth/tokens', auth, async (req, res) => {
    const session = await subjectSession(deps, req, res);
    res.set('X-Subject-Token', session.token).json(tokenBody(deps, req, session));
  });

  router.head('/v3/auth/tokens', auth, async (req, res) => {
    const session = await subjectSession(deps, req, res);
    res.status(200).set('X-Subject-Token', session.token).end();
  });

  router.delete('/v3/auth/tokens', auth, async (req, res) => {
    const session = await subjectSession(deps, req, res);
    await deps.keys.revoke(session.claims.auditIds[0]!, session.claims.expiresAt);
    deps.logger.info('token revoked', { user: session.userName, auditId: session.claims.auditIds[0] });
    res.status(204).end();
  });
}
