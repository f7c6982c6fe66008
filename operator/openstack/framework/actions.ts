// Actions registered by name, as Nova's server actions are: one POST path (e.g.
// `/v2.1/servers/:id/action`) whose body's single key names the action
// (`{"os-start": null}`, `{"reboot": {"type": "SOFT"}}`). Each action declares its own body
// schema, success code and errors like a route; the reference lists each one.
import type { z } from 'zod';
import { badRequest } from '../errors.js';
import { parseBody } from '../validation.js';
import { Reply, reply, type AuthLevel, type Route, type RouteContext } from './route.js';

export interface Action<Env = unknown> {
  /** The body key: `os-start`, `reboot`, ... */
  name: string;
  summary: string;
  /** The schema of the whole body, e.g. `{ "reboot": { "type": ... } }`. */
  body: z.ZodType;
  status: number;
  errors: readonly number[];
  handler(context: RouteContext<Env, AuthLevel, unknown>): unknown;
}

/** The action declaration, typed for a service's env: `const action = actionFor<NovaEnv>()`. */
export function actionFor<Env>() {
  return <A extends AuthLevel, B>(spec: {
    name: string;
    summary: string;
    body: z.ZodType<B>;
    status: number;
    errors: readonly number[];
    handler(context: RouteContext<Env, A, B>): unknown;
  }): Action<Env> => spec;
}

/** The action a body names: its first key (Nova reads the first as well). */
const actionName = (body: unknown): string | undefined =>
  body && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body)[0] : undefined;

/**
 * One route dispatching to `actions` by name; an unknown name is 400 "There is no such
 * action". Its success codes and errors are the union of its actions'.
 */
export function actionRoute<Env>(spec: {
  path: string;
  summary: string;
  auth: AuthLevel;
  actions: readonly Action<Env>[];
}): Route<Env> {
  const statuses = [...new Set(spec.actions.map((a) => a.status))];
  const byName = new Map(spec.actions.map((a) => [a.name, a]));
  return {
    method: 'POST',
    path: spec.path,
    summary: spec.summary,
    auth: spec.auth,
    status: statuses[0] ?? 202,
    also: statuses.slice(1),
    errors: [...new Set([400, ...spec.actions.flatMap((a) => a.errors)])],
    actions: spec.actions,
    async handler(context) {
      const name = actionName(context.body);
      const action = name === undefined ? undefined : byName.get(name);
      if (!action) throw badRequest(`There is no such action: ${name ?? '(none)'}`);
      const result = await action.handler({ ...context, body: parseBody(action.body, context.body) });
      return result instanceof Reply ? result : reply(result, { status: action.status });
    },
  };
}
