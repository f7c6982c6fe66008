// Nova keypairs: GET/POST /os-keypairs, GET/DELETE /os-keypairs/{name}. A key pair is found
// by its OpenStack name among those the caller sees (their own and unowned ones).
import type { KindInput } from '../../kinds/kind.js';
import { KeyPair, type KeyPairObject } from '../../kinds/keypair.js';
import { API_VERSION } from '../../kinds/meta.js';
import { kube, type SecretObject } from '../../kinds/external.js';
import { served } from '../cache.js';
import { authorize, createNamed, toDnsLabel } from '../common.js';
import { ApiFault, conflict, notFound } from '../errors.js';
import { parseBody } from '../validation.js';
import type { Handler, NovaRequest } from './context.js';
import { visibleKeyPairs } from './lookup.js';
import { keyPairCreate } from './schemas.js';
import { keyPairDetail, keyPairName, keyPairSummary } from './views/keypairs.js';

type KeyPairRequest = (typeof keyPairCreate)['_output']['keypair'];

function findKeyPair({ deps, session, params }: NovaRequest): KeyPairObject {
  const name = params.name!;
  const found = visibleKeyPairs(deps, session).find((k) => keyPairName(k) === name);
  if (!found)
    throw notFound(`Keypair ${name} not found for user ${session.user.metadata.uid}`, 'KeypairNotFound');
  return found;
}

const authorizeRead = ({ deps, session }: NovaRequest) =>
  authorize(deps, session, { verb: 'list', resource: 'keypairs', namespace: session.namespace });

export const listKeyPairs: Handler = async (request) => {
  await authorizeRead(request);
  const keypairs = visibleKeyPairs(request.deps, request.session);
  return { body: { keypairs: keypairs.map((k) => ({ keypair: keyPairSummary(k) })) } };
};

export const showKeyPair: Handler = async (request) => {
  await authorizeRead(request);
  return { body: { keypair: keyPairDetail(findKeyPair(request), request.lookup) } };
};

/**
 * Create the KeyPair and wait until the operator has fingerprinted it (and, for a generated
 * pair, made the key): Nova answers with the result. Undone, and 503, if that takes too long.
 */
async function createProcessed(request: NovaRequest, keypair: KeyPairRequest): Promise<KeyPairObject> {
  const { deps, session } = request;
  const client = request.client();
  const object: KindInput<typeof KeyPair> = {
    apiVersion: API_VERSION,
    kind: KeyPair.kind,
    metadata: { namespace: session.namespace },
    spec: {
      displayName: keypair.name,
      type: keypair.type ?? 'ssh',
      user: session.userName,
      ...(keypair.public_key ? { publicKey: keypair.public_key.trim() } : {}),
    },
  };
  const created = await createNamed<KeyPairObject>(
    client,
    served.keyPairs,
    object,
    toDnsLabel(keypair.name, 'keypair'),
  );
  const ready = await deps.cache.until<KeyPairObject>(
    'keyPairs',
    created,
    (k) =>
      !!k &&
      k.metadata.uid === created.metadata.uid &&
      !!k.status?.fingerprint &&
      (!!keypair.public_key || !!k.status.privateKeySecret),
    30_000,
  );
  if (!ready) {
    await client.delete(served.keyPairs, created.metadata.name!, session.namespace).catch(() => undefined);
    throw new ApiFault(503, 'The key pair was not processed in time; is the operator running? Try again.');
  }
  return ready;
}

/**
 * The generated private key, from its one-shot Secret: read once with the API's own identity
 * (tenants cannot read Secrets), then deleted. Only the creator ever gets here.
 */
async function takePrivateKey({ deps, session }: NovaRequest, secretName: string): Promise<string> {
  const secret = await deps.client.get<SecretObject>(kube.secrets, secretName, session.namespace);
  const privateKey = secret?.data?.privateKey;
  if (!privateKey)
    throw new ApiFault(503, 'The generated private key is gone; delete the key pair and create it again.');
  await deps.client.delete(kube.secrets, secretName, session.namespace, { uid: secret.metadata?.uid });
  return Buffer.from(privateKey, 'base64').toString('utf8');
}

export const createKeyPair: Handler = async (request) => {
  const { session } = request;
  const { keypair } = parseBody(keyPairCreate, request.body);
  if (visibleKeyPairs(request.deps, session).some((k) => keyPairName(k) === keypair.name)) {
    throw conflict(`Key pair '${keypair.name}' already exists.`, 'KeyPairExists');
  }
  const ready = await createProcessed(request, keypair);
  const view: Record<string, unknown> = { ...keyPairSummary(ready), user_id: session.user.metadata.uid };
  const secretName = ready.status?.privateKeySecret;
  if (!keypair.public_key && secretName) view.private_key = await takePrivateKey(request, secretName);
  return { status: 200, body: { keypair: view } };
};

export const deleteKeyPair: Handler = async (request) => {
  const keyPair = findKeyPair(request);
  await request.client().delete(served.keyPairs, keyPair.metadata.name!, request.session.namespace);
  await request.deps.cache.waitFor('keyPairs', keyPair, { gone: true });
  return { status: 202 };
};
