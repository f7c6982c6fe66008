// POST /servers/{id}/action: Nova's server actions, registered by name as Nova registers
// them (@wsgi.action('os-start')). Each declares the body it takes, the server statuses it
// may run from (otherwise 409 InstanceInvalidState, in Nova's words) and the change to the
// Instance's spec that asks the operator for it; the answer is 202 once the cache holds it.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Instance, InstanceObject } from '../../kinds/instance.js';
import type { KindInput } from '../../kinds/kind.js';
import { served } from '../cache.js';
import { badRequest, conflict } from '../errors.js';
import { parseBody } from '../validation.js';
import type { Handler } from './context.js';
import { actionBodies } from './schemas.js';
import { findServer } from './servers.js';
import { serverState, vmStateOf } from './views/servers.js';

type SpecPatch = Partial<KindInput<typeof Instance>['spec']>;

/** A registered action: its name, body schema, allowed statuses and spec change. */
interface ServerAction {
  name: keyof typeof actionBodies;
  /** The verb of Nova's refusal: "Cannot 'start' instance ...". */
  verb: string;
  /** Server statuses the action may run from. */
  from: readonly string[];
  /** The spec change asked for by the action's (already validated) body. */
  patchFor(body: unknown): SpecPatch;
}

function defineAction<Body extends z.ZodType>(action: {
  name: keyof typeof actionBodies;
  body: Body;
  verb: string;
  from: readonly string[];
  patch: (body: z.output<Body>) => SpecPatch;
}): ServerAction {
  const { body: schema, patch, ...rest } = action;
  return { ...rest, patchFor: (body) => patch(schema.parse(body)) };
}

/** The actions served, by name. */
export const serverActions: Record<string, ServerAction> = Object.fromEntries(
  [
    defineAction({
      name: 'os-start',
      body: actionBodies['os-start'],
      verb: 'start',
      from: ['SHUTOFF'],
      patch: () => ({ powerState: 'Running' }),
    }),
    defineAction({
      name: 'os-stop',
      body: actionBodies['os-stop'],
      verb: 'stop',
      from: ['ACTIVE', 'ERROR', 'REBOOT', 'HARD_REBOOT'],
      patch: () => ({ powerState: 'Stopped' }),
    }),
    defineAction({
      name: 'reboot',
      body: actionBodies.reboot,
      verb: 'reboot',
      from: ['ACTIVE', 'REBOOT', 'HARD_REBOOT', 'ERROR'],
      patch: ({ type }) => ({
        rebootRequest: {
          id: randomUUID(),
          type: type.toUpperCase() === 'HARD' ? 'HARD' : 'SOFT',
          requestedAt: new Date().toISOString(),
        },
      }),
    }),
  ].map((action) => [action.name, action]),
);

/**
 * The action body: exactly one of the actions, with its own body. One union, so that a
 * malformed body is refused in the same words whichever action it names.
 */
const actionBody = z.union(
  Object.values(serverActions).map(({ name }) => z.strictObject({ [name]: actionBodies[name] })),
);

export const serverAction: Handler = async (request) => {
  const body = request.body as Record<string, unknown> | undefined;
  const name = body && typeof body === 'object' ? Object.keys(body)[0] : undefined;
  const action = name === undefined || !Object.hasOwn(serverActions, name) ? undefined : serverActions[name];
  if (!action) throw badRequest(`There is no such action: ${name ?? '(none)'}`);
  parseBody(actionBody, body);
  const inst = findServer(request);
  const state = serverState(inst);
  if (!action.from.includes(state)) {
    throw conflict(
      `Cannot '${action.verb}' instance ${inst.metadata.uid} while it is in vm_state ${vmStateOf(state)}`,
      'InstanceInvalidState',
    );
  }
  const spec = action.patchFor(body![action.name]);
  const updated = await request
    .client()
    .patch<InstanceObject>(
      served.instances,
      inst.metadata.name!,
      request.session.namespace,
      { spec },
      'merge',
    );
  await request.deps.cache.waitFor('instances', updated);
  return { status: 202 };
};
