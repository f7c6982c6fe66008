// Nova keypairs: KeyPair objects of the caller's project, found by their OpenStack name
// among those the caller sees (their own and unowned ones).
import type { KeyPairObject } from '../../kinds/keypair.js';
import type { ScopedSession } from '../context.js';
import { toDnsLabel } from '../common.js';
import { ApiFault, conflict, notFound } from '../errors.js';
import { route, type ComputeEnv, type NovaContext } from './env.js';
import { keyPairCreate, type KeyPairCreateRequest } from './schemas.js';
import { keyPairDetail, keyPairName, keyPairSummary } from './views/keypairs.js';
import { KeyPair } from '../../kinds/index.js';

async function findKeyPair({ env, session, params }: NovaContext): Promise<KeyPairObject> {
  const name = params.name!;
  const found = (await env.keyPairs.list(session)).find((k) => keyPairName(k) === name);
  if (!found)
    throw notFound(`Keypair ${name} not found for user ${session.user.metadata.uid}`, 'KeypairNotFound');
  return found;
}

/**
 * Create the KeyPair and wait until the operator has fingerprinted it (and, for a generated
 * pair, made the key): Nova answers with the result. Undone, and 503, if that takes too long.
 */
async function createProcessed(
  env: ComputeEnv,
  session: ScopedSession,
  keypair: KeyPairCreateRequest,
): Promise<KeyPairObject> {
  const spec = {
    displayName: keypair.name,
    type: keypair.type ?? 'ssh',
    user: session.userName,
    ...(keypair.public_key ? { publicKey: keypair.public_key.trim() } : {}),
  };
  const created = await env.keyPairs.create(session, spec, toDnsLabel(keypair.name, 'keypair'));
  const ready = await env.cache.until<KeyPairObject>(
    KeyPair,
    created,
    (k) =>
      !!k &&
      k.metadata.uid === created.metadata.uid &&
      !!k.status?.fingerprint &&
      (!!keypair.public_key || !!k.status.privateKeySecret),
    30_000,
  );
  if (!ready) {
    await env.keyPairs.delete(session, created).catch(() => undefined);
    throw new ApiFault(503, 'The key pair was not processed in time; is the operator running? Try again.');
  }
  return ready;
}

export const keyPairRoutes = [
  route({
    method: 'GET',
    path: '/v2.1/os-keypairs',
    summary: 'List your key pairs (and those of no user)',
    auth: 'project',
    status: 200,
    errors: [],
    handler: async ({ env, session }) => ({
      keypairs: (await env.keyPairs.list(session)).map((k) => ({ keypair: keyPairSummary(k) })),
    }),
  }),
  route({
    method: 'GET',
    path: '/v2.1/os-keypairs/:name',
    summary: 'Show a key pair by name',
    auth: 'project',
    status: 200,
    errors: [404],
    handler: async (context) => ({ keypair: keyPairDetail(await findKeyPair(context), context.env.lookup) }),
  }),
  route({
    method: 'POST',
    path: '/v2.1/os-keypairs',
    summary: 'Import a public key, or generate a pair and get its private key (once)',
    auth: 'project',
    body: keyPairCreate,
    status: 200,
    errors: [400, 409],
    async handler({ env, session, body: { keypair } }) {
      if ((await env.keyPairs.list(session)).some((k) => keyPairName(k) === keypair.name)) {
        throw conflict(`Key pair '${keypair.name}' already exists.`, 'KeyPairExists');
      }
      const ready = await createProcessed(env, session, keypair);
      const view: Record<string, unknown> = { ...keyPairSummary(ready), user_id: session.user.metadata.uid };
      const secretName = ready.status?.privateKeySecret;
      if (!keypair.public_key && secretName) {
        view.private_key = await env.takePrivateKey(session.namespace, secretName);
        if (view.private_key === undefined)
          throw new ApiFault(
            503,
            'The generated private key is gone; delete the key pair and create it again.',
          );
      }
      return { keypair: view };
    },
  }),
  route({
    method: 'DELETE',
    path: '/v2.1/os-keypairs/:name',
    summary: 'Delete a key pair by name and wait until it is gone',
    auth: 'project',
    status: 202,
    errors: [404, 409],
    async handler(context) {
      await context.env.keyPairs.delete(context.session, await findKeyPair(context));
    },
  }),
];
