// Keystone through the API against the real apiserver: password and token logins scoped by
// name or id, unscoped and default-project tokens, validation and revocation, roles as RBAC
// answers them, tokens that survive a restart and a key rotation, and failed-login lockout.
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- response bodies are JSON (support.ts Json); the assertions check their shape */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../harness/testing/eventually.js';
import { call, environment, login, type Environment } from './support.js';

let env: Environment;
let base: string;

beforeAll(async () => {
  env = await environment({
    prefix: 'api-id',
    projects: 2,
    users: {
      alice: [{ project: 0, roles: ['member'] }],
      bob: [{ project: 1, roles: ['reader'] }],
      carol: [{ project: 0, roles: ['member'] }],
    },
    env: { STRATUS_API_LOGIN_FAILURES_ALLOWED: '3' },
  });
  base = env.api.url;
});

afterAll(async () => {
  await env?.stop();
});

describe('Keystone v3', () => {
  it('serves version discovery at /identity and /identity/v3', async () => {
    const root = await call(base, 'GET', '/identity/');
    expect(root.status).toBe(300);
    expect(root.body.versions.values[0]).toMatchObject({ id: 'v3.14', status: 'stable' });
    const v3 = await call(base, 'GET', '/identity/v3');
    expect(v3.body.version.links[0].href).toBe(`${base}/identity/v3/`);
  });

  it('issues a project-scoped token by project name, with the catalog and the RBAC roles', async () => {
    const { token, body, status } = await login(base, env.users.alice!, { project: env.projects[0] });
    expect(status).toBe(201);
    expect(token).toMatch(/^[A-Za-z0-9_-]{100,200}$/);
    expect(body.token.methods).toEqual(['password']);
    expect(body.token.user).toMatchObject({
      name: env.users.alice!.name,
      domain: { id: 'default', name: 'Default' },
    });
    expect(body.token.project.name).toBe(env.projects[0]);
    expect(body.token.roles.map((r: { name: string }) => r.name)).toEqual(['reader', 'member']);
    expect(body.token.catalog.map((c: { type: string }) => c.type)).toEqual([
      'identity',
      'compute',
      'image',
      'network',
    ]);
    expect(Date.parse(body.token.expires_at) - Date.parse(body.token.issued_at)).toBe(3600_000);

    // By id too; and a reader is a reader only.
    const byId = await login(base, env.users.alice!, { projectId: body.token.project.id });
    expect(byId.body.token.project.id).toBe(body.token.project.id);
    const reader = await login(base, env.users.bob!, { project: env.projects[1] });
    expect(reader.body.token.roles.map((r: { name: string }) => r.name)).toEqual(['reader']);
  });

  it('issues unscoped tokens, and scopes to the default project when no scope is given', async () => {
    const unscoped = await login(base, env.users.alice!, { unscoped: true });
    expect(unscoped.status).toBe(201);
    expect(unscoped.body.token.project).toBeUndefined();
    expect(unscoped.body.token.catalog).toBeUndefined();
    const defaulted = await login(base, env.users.alice!);
    expect(defaulted.body.token.project.name).toBe(env.projects[0]);

    // The token method rescopes an unscoped token; the new token dies with the old one.
    const rescoped = await call(base, 'POST', '/identity/v3/auth/tokens', {
      json: {
        auth: {
          identity: { methods: ['token'], token: { id: unscoped.token } },
          scope: { project: { name: env.projects[0], domain: { name: 'Default' } } },
        },
      },
    });
    expect(rescoped.status).toBe(201);
    expect(rescoped.body.token.expires_at).toBe(unscoped.body.token.expires_at);
    expect(rescoped.body.token.audit_ids[1]).toBe(unscoped.body.token.audit_ids[0]);
  });

  it('refuses wrong passwords, unknown users and projects without a role, in Keystone’s error format', async () => {
    const wrong = await login(
      base,
      { name: env.users.carol!.name, password: 'nope' },
      { project: env.projects[0] },
    );
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({
      error: {
        code: 401,
        title: 'Unauthorized',
        message: 'The request you have made requires authentication.',
      },
    });
    expect((await login(base, { name: 'nobody-at-all', password: 'x' })).status).toBe(401);
    const elsewhere = await login(base, env.users.alice!, { project: env.projects[1] });
    expect(elsewhere.status).toBe(401);
    expect(elsewhere.body.error.message).toMatch(/has no access to project/);
    const malformed = await call(base, 'POST', '/identity/v3/auth/tokens', {
      body: '{"auth": ',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe(400);
    const typo = await call(base, 'POST', '/identity/v3/auth/tokens', {
      json: { auth: { identity: { methods: 'password' } } },
    });
    expect(typo.status).toBe(400);
    expect(typo.body.error.message).toMatch(/auth\.identity\.methods/);
  });

  it('validates (GET, HEAD) and revokes (DELETE) tokens', async () => {
    const { token } = await login(base, env.users.alice!, { project: env.projects[0] });
    const other = await login(base, env.users.alice!, { project: env.projects[0] });
    const headers = { 'X-Subject-Token': other.token };
    const shown = await call(base, 'GET', '/identity/v3/auth/tokens', { token, headers });
    expect(shown.status).toBe(200);
    expect(shown.headers.get('x-subject-token')).toBe(other.token);
    expect(shown.body.token.project.name).toBe(env.projects[0]);
    expect((await call(base, 'HEAD', '/identity/v3/auth/tokens', { token, headers })).status).toBe(200);
    expect((await call(base, 'DELETE', '/identity/v3/auth/tokens', { token, headers })).status).toBe(204);
    expect((await call(base, 'HEAD', '/identity/v3/auth/tokens', { token, headers })).status).toBe(404);
    expect((await call(base, 'GET', '/identity/v3/auth/projects', { token: other.token })).status).toBe(401);
    expect((await call(base, 'GET', '/identity/v3/auth/projects', { token })).status).toBe(200);
    expect((await call(base, 'GET', '/identity/v3/auth/projects')).status).toBe(401);

    // Another user's token is not ours to look at.
    const bob = await login(base, env.users.bob!, { project: env.projects[1] });
    const foreign = await call(base, 'GET', '/identity/v3/auth/tokens', {
      token,
      headers: { 'X-Subject-Token': bob.token },
    });
    expect(foreign.status).toBe(403);
  });

  it('lists the caller’s projects and shows the caller only', async () => {
    const { token, body } = await login(base, env.users.alice!, { project: env.projects[0] });
    for (const path of [
      '/identity/v3/auth/projects',
      '/identity/v3/projects',
      `/identity/v3/users/${body.token.user.id}/projects`,
    ]) {
      const reply = await call(base, 'GET', path, { token });
      expect(reply.status, path).toBe(200);
      expect(reply.body.projects.map((p: { name: string }) => p.name)).toEqual([env.projects[0]]);
    }
    const me = await call(base, 'GET', `/identity/v3/users/${body.token.user.id}`, { token });
    expect(me.body.user).toMatchObject({
      name: env.users.alice!.name,
      default_project_id: body.token.project.id,
    });
    const bob = await login(base, env.users.bob!, { project: env.projects[1] });
    expect((await call(base, 'GET', `/identity/v3/users/${bob.body.token.user.id}`, { token })).status).toBe(
      403,
    );
    const catalog = await call(base, 'GET', '/identity/v3/auth/catalog', { token });
    expect(catalog.body.catalog).toHaveLength(4);
  });

  it('keeps tokens valid across a restart and a key rotation; revocations too', async () => {
    const before = await login(base, env.users.alice!, { project: env.projects[0] });
    const revoked = await login(base, env.users.alice!, { project: env.projects[0] });
    await call(base, 'DELETE', '/identity/v3/auth/tokens', {
      token: before.token,
      headers: { 'X-Subject-Token': revoked.token },
    });

    // A second process on the same Secret: what one issued, the other accepts.
    const second = await env.startApi();
    const check = (api: string, token: string) =>
      call(api, 'HEAD', '/identity/v3/auth/tokens', { token, headers: { 'X-Subject-Token': token } });
    expect((await check(second.url, before.token)).status).toBe(200);
    expect((await check(second.url, revoked.token)).status).toBe(401);

    // Rotation: the staged key becomes primary; old tokens still validate everywhere.
    expect(await second.deps.keys.rotateIfDue(Date.now(), true)).toBe(true);
    const after = await login(second.url, env.users.alice!, { project: env.projects[0] });
    await eventually(async () => (await check(base, after.token)).status === 200, {
      description: 'the first replica to see the rotated keys',
    });
    expect((await check(base, before.token)).status).toBe(200);
    expect((await check(second.url, before.token)).status).toBe(200);
    await second.stop();
  });

  it('locks out a user after repeated failures, even with the right password', async () => {
    const carol = env.users.carol!;
    for (let i = 0; i < 3; i++) {
      expect((await login(base, { ...carol, password: 'wrong' }, { project: env.projects[0] })).status).toBe(
        401,
      );
    }
    const locked = await call(base, 'POST', '/identity/v3/auth/tokens', {
      json: {
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: carol.name, domain: { id: 'default' }, password: carol.password } },
          },
        },
      },
    });
    expect(locked.status).toBe(401);
    expect(locked.body.error.message).toMatch(/locked/);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
