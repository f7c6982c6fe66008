// A route of an OpenStack service, declared the way Nova declares its API: method, path,
// request schema (per microversion where versions differ), success code, the error codes
// it may answer with, who may call it, and a handler that receives validated input. A
// service's routes form an ordered table (first match wins, as in express: `/servers/detail`
// before `/servers/:id`); the table is data, so the reference in docs/openstack-api.md is
// generated from it (hack/openstack-reference.ts).
import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { ScopedSession, Session } from '../context.js';
import type { Action } from './actions.js';

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** 'none': anyone; 'token': any valid token; 'project': a project-scoped token. */
export type AuthLevel = 'none' | 'token' | 'project';

export type SessionFor<A extends AuthLevel> = A extends 'project'
  ? ScopedSession
  : A extends 'token'
    ? Session
    : undefined;

/** A request schema for a range of microversions (`max` absent: and every later one). */
export interface VersionedSchema<T = unknown> {
  min: string;
  max?: string;
  schema: z.ZodType<T>;
}

export type BodySchema<T> = z.ZodType<T> | { versions: readonly VersionedSchema<T>[] };

/** What a handler gets: the validated request, its session and the service's wiring. */
export interface RouteContext<Env, A extends AuthLevel = AuthLevel, B = unknown> {
  env: Env;
  session: SessionFor<A>;
  body: B;
  params: Record<string, string>;
  query: Request['query'];
  /** The base URL clients use (configured, else this request's host). */
  base: string;
  /** The negotiated microversion, for services that have them. */
  microversion?: string;
  req: Request;
  res: Response;
}

/**
 * A handler's answer when the success code's JSON body alone is not enough: extra headers
 * (X-Subject-Token, Location), or a status other than the route's (declared in `also`).
 */
export class Reply {
  constructor(
    readonly body: unknown,
    readonly options: { headers?: Record<string, string>; status?: number } = {},
  ) {}
}

export const reply = (body: unknown, options?: { headers?: Record<string, string>; status?: number }) =>
  new Reply(body, options);

/** A route as declared, with its auth level and body type (routeFor infers both). */
export interface RouteSpec<Env, A extends AuthLevel, B> {
  method: Method;
  /** Express path below the service prefix, e.g. `/v2.0/networks/:id`. */
  path: string;
  /** One line for the generated reference. */
  summary: string;
  auth: A;
  body?: BodySchema<B>;
  /** The success code: the handler's value is sent with it (204: no body). */
  status: number;
  /** Other success codes a handler may pick with reply(..., { status }). */
  also?: readonly number[];
  /**
   * The error codes the handler may raise, beyond those every route of its kind may (see
   * implicitErrors). Any other code is a bug: logged and answered with 500.
   */
  errors: readonly number[];
  /** The handler writes the response itself (streams, HEAD); its return value is ignored. */
  raw?: boolean;
  /** For an action route (actions.ts): the actions it dispatches to by name. */
  actions?: readonly Action[];
  /** Without a body schema, `body` is the parsed JSON as sent (or undefined). */
  handler(context: RouteContext<Env, A, B>): unknown;
}

export type Route<Env = unknown> = RouteSpec<Env, AuthLevel, unknown>;

export type RouteTable<Env = unknown> = readonly Route<Env>[];

/** The route declaration, typed for a service's env: `const route = routeFor<NetworkEnv>()`. */
export function routeFor<Env>() {
  return <A extends AuthLevel, B = unknown>(spec: RouteSpec<Env, A, B>): Route<Env> => spec;
}

/** Error codes any route may answer with, given what it declares. */
export function implicitErrors(route: Route<unknown>, microversioned: boolean): number[] {
  const codes = [429, 503];
  if (route.auth !== 'none') codes.push(401);
  if (route.auth === 'project') codes.push(403);
  if (route.body || route.raw) codes.push(400, 413, 415);
  if (microversioned) codes.push(400, 406);
  return codes;
}

/** Every error code a route may answer with, sorted. */
export function allowedErrors(route: Route<unknown>, microversioned: boolean): number[] {
  return [...new Set([...route.errors, ...implicitErrors(route, microversioned)])].sort((a, b) => a - b);
}

/** Microversion ranges a route's body is declared for (empty: one schema for all). */
export function schemaVersions(route: Route<unknown>): string[] {
  const body = route.body;
  if (!body || !('versions' in body)) return [];
  return body.versions.map((v) => (v.max ? `${v.min}-${v.max}` : `${v.min}+`));
}
