// /v3/auth/tokens: issue (POST), validate (GET, HEAD) and revoke (DELETE) tokens. The token
// to validate or revoke is the X-Subject-Token; by Keystone's default policy a user may only
// validate and revoke their own.
import { reply, type RouteContext } from '../framework/route.js';
import type { IdentityEnv } from './env.js';
import { route } from './route.js';
import { authRequest } from './schemas.js';
import { subjectSession } from './subject.js';
import { tokenView, type TokenSubject } from './views/token.js';

/** The token body; with the catalog unless the client asked for ?nocatalog. */
function tokenBody(context: RouteContext<IdentityEnv>, subject: TokenSubject) {
  const withCatalog = context.query.nocatalog === undefined;
  return tokenView(subject, withCatalog ? context.env.catalog(context.base) : undefined);
}

/** What GET answers, HEAD too (headers, Content-Type and Content-Length; express drops the body). */
async function validate(context: RouteContext<IdentityEnv, 'token'>) {
  const session = await subjectSession(context.env, context.req.get('x-subject-token'), context.session);
  return reply(tokenBody(context, session), { headers: { 'X-Subject-Token': session.token } });
}

const SUBJECT_ERRORS = [400, 403, 404];

export const tokenRoutes = [
  route({
    method: 'POST',
    path: '/v3/auth/tokens',
    summary: 'Issue a token (password or token method; project-scoped or unscoped)',
    auth: 'none',
    body: authRequest,
    status: 201,
    errors: [401],
    async handler(context) {
      const issued = await context.env.login(context.body, context.req.ip ?? '');
      const token = context.env.seal(issued.claims);
      context.res.locals.user = issued.user.metadata.name;
      return reply(tokenBody(context, issued), { headers: { 'X-Subject-Token': token } });
    },
  }),
  route({
    method: 'HEAD',
    path: '/v3/auth/tokens',
    summary: 'Check the X-Subject-Token (the caller’s own)',
    auth: 'token',
    status: 200,
    errors: SUBJECT_ERRORS,
    raw: true,
    async handler(context) {
      const answer = await validate(context);
      context.res.status(200).set(answer.options.headers).json(answer.body);
    },
  }),
  route({
    method: 'GET',
    path: '/v3/auth/tokens',
    summary: 'Validate the X-Subject-Token (the caller’s own)',
    auth: 'token',
    status: 200,
    errors: SUBJECT_ERRORS,
    handler: validate,
  }),
  route({
    method: 'DELETE',
    path: '/v3/auth/tokens',
    summary: 'Revoke the X-Subject-Token (the caller’s own)',
    auth: 'token',
    status: 204,
    errors: SUBJECT_ERRORS,
    async handler({ env, req, session }) {
      await env.revoke(await subjectSession(env, req.get('x-subject-token'), session));
    },
  }),
];
