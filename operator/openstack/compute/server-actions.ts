// POST /servers/{id}/action: Nova's server actions, registered by name as Nova registers
// them (@wsgi.action('os-start')) through the framework's action route. Each declares its
// body, the server statuses it may run from (otherwise 409 InstanceInvalidState, in Nova's
// words) and the change to the Instance's spec that asks the operator for it; the answer
// is 202 once the cache holds the change.
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Instance } from '../../kinds/instance.js';
import { conflict } from '../errors.js';
import { actionFor, actionRoute } from '../framework/actions.js';
import type { SpecPatch } from '../framework/objects.js';
import type { ComputeEnv } from './env.js';
import { osStart, osStop, reboot } from './schemas.js';
import { serverState, vmStateOf } from './views/servers.js';

/** What an action is, apart from its plumbing: its body and Nova's rules for it. */
export interface ServerActionRule<B> {
  name: string;
  summary: string;
  body: z.ZodType<B>;
  /** The verb of Nova's refusal: "Cannot 'start' instance ...". */
  verb: string;
  /** Server statuses the action may run from. */
  from: readonly string[];
  /** The spec change the action's body asks for. */
  patch: (body: B) => SpecPatch<typeof Instance>;
}

const rule = <B>(r: ServerActionRule<B>) => r;

/** The actions served, by name. */
export const serverActionRules = {
  'os-start': rule({
    name: 'os-start',
    summary: 'Start a stopped server',
    body: osStart,
    verb: 'start',
    from: ['SHUTOFF'],
    patch: () => ({ powerState: 'Running' }),
  }),
  'os-stop': rule({
    name: 'os-stop',
    summary: 'Stop a server (disks and addresses are kept)',
    body: osStop,
    verb: 'stop',
    from: ['ACTIVE', 'ERROR', 'REBOOT', 'HARD_REBOOT'],
    patch: () => ({ powerState: 'Stopped' }),
  }),
  reboot: rule({
    name: 'reboot',
    summary: 'Reboot a server, SOFT (the guest restarts) or HARD (power cycle)',
    body: reboot,
    verb: 'reboot',
    from: ['ACTIVE', 'REBOOT', 'HARD_REBOOT', 'ERROR'],
    patch: ({ reboot: { type } }) => ({
      rebootRequest: {
        id: randomUUID(),
        type: type.toUpperCase() === 'HARD' ? 'HARD' : 'SOFT',
        requestedAt: new Date().toISOString(),
      },
    }),
  }),
};

const action = actionFor<ComputeEnv>();

/** One rule as a registered action: find the server, check its status, patch, wait. */
function serverAction<B>(r: ServerActionRule<B>) {
  return action<'project', B>({
    name: r.name,
    summary: r.summary,
    body: r.body,
    status: 202,
    errors: [404, 409],
    async handler({ env, session, params, body }) {
      const inst = await env.servers.find(session, params.id!);
      const state = serverState(inst);
      if (!r.from.includes(state)) {
        throw conflict(
          `Cannot '${r.verb}' instance ${inst.metadata.uid} while it is in vm_state ${vmStateOf(state)}`,
          'InstanceInvalidState',
        );
      }
      await env.servers.patch(session, inst, r.patch(body));
    },
  });
}

export const serverActionRoute = actionRoute<ComputeEnv>({
  path: '/v2.1/servers/:id/action',
  summary: 'Act on a server: the body names the action',
  auth: 'project',
  actions: [
    serverAction(serverActionRules['os-start']),
    serverAction(serverActionRules['os-stop']),
    serverAction(serverActionRules.reboot),
  ],
});
