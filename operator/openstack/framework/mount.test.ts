import express from 'express';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Logger } from '../../runtime/logger.js';
import { apiConfigSchema } from '../config.js';
import type { ApiDeps } from '../context.js';
import { conflict, notFound } from '../errors.js';
import { actionFor, actionRoute } from './actions.js';
import { serviceRouter } from './mount.js';
import { reply, routeFor } from './route.js';
import { defineService } from './service.js';

const route = routeFor<{ greeting: string }>();
const action = actionFor<{ greeting: string }>();
const logged: unknown[] = [];

const service = defineService({
  type: 'volume',
  name: 'cinder',
  title: 'Test service',
  prefix: '/volume',
  endpointSuffix: '/v3',
  errorFormat: 'network',
  microversions: { service: 'volume', min: '3.0', max: '3.2', under: '/v3' },
  versions: [{ paths: ['/'], status: 300, summary: 'versions', document: (base) => ({ base }) }],
  wire: () => ({ greeting: 'hello' }),
  routes: [
    actionRoute({
      path: '/v3/things/:id/action',
      summary: 'act on a thing',
      auth: 'none',
      actions: [
        action({
          name: 'os-poke',
          summary: 'poke',
          body: z.strictObject({ 'os-poke': z.null() }),
          status: 202,
          errors: [],
          handler: () => undefined,
        }),
        action({
          name: 'describe',
          summary: 'describe',
          body: z.strictObject({ describe: z.strictObject({ loud: z.boolean() }) }),
          status: 200,
          errors: [409],
          handler: ({ body, params }) => {
            if (params.id === 'busy') throw conflict('busy');
            return { id: params.id, loud: body.describe.loud };
          },
        }),
      ],
    }),
    route({
      method: 'POST',
      path: '/v3/things',
      summary: 'create',
      auth: 'none',
      body: {
        versions: [
          { min: '3.0', max: '3.1', schema: z.strictObject({ thing: z.strictObject({ name: z.string() }) }) },
          {
            min: '3.2',
            schema: z.strictObject({ thing: z.strictObject({ name: z.string(), size: z.int() }) }),
          },
        ],
      },
      status: 202,
      errors: [],
      handler: ({ env, body, microversion }) => ({ said: env.greeting, body, microversion }),
    }),
    route({
      method: 'GET',
      path: '/v3/things/:id',
      summary: 'show',
      auth: 'none',
      status: 200,
      errors: [404],
      handler: ({ params }) => {
        if (params.id === 'missing') throw notFound('Thing missing could not be found.', 'ThingNotFound');
        if (params.id === 'busy') throw conflict('busy');
        if (params.id === 'header') return reply({ ok: true }, { headers: { 'X-Thing': 'yes' } });
        if (params.id === 'odd') return reply({ ok: true }, { status: 203 });
        return { id: params.id };
      },
    }),
    route({
      method: 'DELETE',
      path: '/v3/things/:id',
      summary: 'delete',
      auth: 'token',
      status: 204,
      errors: [],
      handler: () => ({ ignored: true }),
    }),
  ],
});

let base = '';
let close: () => void = () => {};

beforeAll(async () => {
  const deps = {
    config: apiConfigSchema.parse({ STRATUS_API_PUBLIC_URL: 'https://cloud.test' }),
    logger: Logger.create({ sink: (line: unknown) => void logged.push(line), level: 'error' }),
    codec: { open: () => undefined },
    keys: { isRevoked: () => false },
  } as unknown as ApiDeps;
  const app = express();
  app.use(service.prefix, serviceRouter(deps, service));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/volume`;
  close = () => server.close();
});
afterAll(() => close());

const call = async (
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
) => {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...options.headers },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
  };
};

describe('a service mounted from its route table', () => {
  it('serves its version documents with their status, unauthenticated', async () => {
    expect(await call('GET', '/')).toMatchObject({ status: 300, body: { base: 'https://cloud.test' } });
  });

  it('validates the body with the schema of the negotiated microversion and sends the success code', async () => {
    const old = await call('POST', '/v3/things', { body: { thing: { name: 'a' } } });
    expect(old).toMatchObject({ status: 202, body: { said: 'hello', microversion: '3.0' } });
    expect(old.headers.get('openstack-api-version')).toBe('volume 3.0');
    const newer = await call('POST', '/v3/things', {
      body: { thing: { name: 'a' } },
      headers: { 'OpenStack-API-Version': 'volume 3.2' },
    });
    expect(newer.status).toBe(400);
    expect(newer.body).toEqual({
      NeutronError: {
        type: 'BadRequest',
        message: expect.stringMatching(/thing\.size/) as unknown,
        detail: '',
      },
    });
    const latest = await call('POST', '/v3/things', {
      body: { thing: { name: 'a', size: 1 } },
      headers: { 'OpenStack-API-Version': 'volume latest' },
    });
    expect(latest).toMatchObject({ status: 202, body: { microversion: '3.2' } });
    const unknown = await call('POST', '/v3/things', {
      body: { thing: { name: 'a' } },
      headers: { 'OpenStack-API-Version': 'volume 4.0' },
    });
    expect(unknown.status).toBe(406);
  });

  it('renders declared errors in the service format, and an undeclared one as the bug it is', async () => {
    expect(await call('GET', '/v3/things/missing')).toEqual(
      expect.objectContaining({
        status: 404,
        body: {
          NeutronError: { type: 'ThingNotFound', message: 'Thing missing could not be found.', detail: '' },
        },
      }),
    );
    const busy = await call('GET', '/v3/things/busy');
    expect(busy.status).toBe(500);
    expect(logged.some((l) => JSON.stringify(l).includes('undeclared status'))).toBe(true);
    expect((await call('GET', '/v3/things/odd')).status).toBe(500);
  });

  it('sends replies with their headers, 204 without a body, and 404 for unknown paths', async () => {
    const header = await call('GET', '/v3/things/header');
    expect(header.headers.get('x-thing')).toBe('yes');
    expect((await call('GET', '/v3/nothing')).status).toBe(404);
  });

  it('authenticates routes that need a token', async () => {
    expect((await call('DELETE', '/v3/things/x')).status).toBe(401);
    expect((await call('DELETE', '/v3/things/x', { headers: { 'X-Auth-Token': 'forged' } })).status).toBe(
      401,
    );
  });

  it('refuses malformed JSON with 400 in the service format', async () => {
    const res = await fetch(`${base}/v3/things`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { NeutronError: { type: string } }).NeutronError.type).toBe(
      'MalformedRequestBody',
    );
  });
});

describe('actions registered by name', () => {
  it('dispatch on the body key, each with its schema, success code and errors', async () => {
    const poke = await call('POST', '/v3/things/a/action', { body: { 'os-poke': null } });
    expect(poke.status).toBe(202);
    expect(poke.body).toBeUndefined();
    expect(await call('POST', '/v3/things/a/action', { body: { describe: { loud: true } } })).toMatchObject({
      status: 200,
      body: { id: 'a', loud: true },
    });
    expect(
      (await call('POST', '/v3/things/busy/action', { body: { describe: { loud: true } } })).status,
    ).toBe(409);
    const bad = await call('POST', '/v3/things/a/action', { body: { describe: { loud: 'yes' } } });
    expect(bad.status).toBe(400);
    const unknown = await call('POST', '/v3/things/a/action', { body: { 'os-kick': null } });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('There is no such action: os-kick');
  });
});
