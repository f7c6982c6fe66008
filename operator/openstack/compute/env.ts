// What the Nova handlers share, wired once per process: the round trips of Instance and
// KeyPair objects with who sees what, RBAC's answers, the lookup the views read names
// through, and the references a create request may name.
import { Instance } from '../../kinds/instance.js';
import { KeyPair, type KeyPairObject } from '../../kinds/keypair.js';
import { kube, type SecretObject } from '../../kinds/external.js';
import type { ApiCache } from '../cache.js';
import type { ApiDeps, ScopedSession } from '../context.js';
import { badRequest } from '../errors.js';
import type { PagePolicy } from '../framework/listing.js';
import { Access, CrObjects } from '../framework/objects.js';
import { routeFor, type RouteContext } from '../framework/route.js';
import { cacheLookup, cacheReferences, type References } from './lookup.js';
import type { ComputeLookup } from './views/lookup.js';

export interface ComputeEnv {
  servers: CrObjects<typeof Instance>;
  keyPairs: CrObjects<typeof KeyPair>;
  access: Access;
  lookup: ComputeLookup;
  refs: References;
  cache: ApiCache;
  /**
   * A generated private key, from its one-shot Secret: read once with the API's own identity
   * (tenants cannot read Secrets), then deleted; undefined when it is gone.
   */
  takePrivateKey(namespace: string, secretName: string): Promise<string | undefined>;
}

/** A tenant sees their own key pairs and those belonging to no user. */
export const keyPairVisible = (k: KeyPairObject, session: ScopedSession): boolean =>
  !k.spec.user || k.spec.user === session.userName;

export function wireNova(deps: ApiDeps): ComputeEnv {
  const servers = new CrObjects(deps, {
    definition: Instance,
    label: 'Instance',
    access: { resource: 'instances', shared: false },
    seenWhileDeleting: true,
  });
  const keyPairs = new CrObjects(deps, {
    definition: KeyPair,
    label: 'Keypair',
    access: { resource: 'keypairs', shared: false },
    visible: keyPairVisible,
  });
  return {
    servers,
    keyPairs,
    access: new Access(deps),
    lookup: cacheLookup(deps.cache),
    refs: cacheReferences(deps.cache, deps.config.STRATUS_PUBLIC_NAMESPACE),
    cache: deps.cache,
    async takePrivateKey(namespace, secretName) {
      const secret = await deps.client.get<SecretObject>(kube.secrets, secretName, namespace);
      const privateKey = secret?.data?.privateKey;
      if (!privateKey) return undefined;
      await deps.client.delete(kube.secrets, secretName, namespace, { uid: secret.metadata?.uid });
      return Buffer.from(privateKey, 'base64').toString('utf8');
    },
  };
}

/** Nova's paging: at most 1000 a page; an unknown marker is 400. */
export const NOVA_PAGES: PagePolicy = {
  maxLimit: 1000,
  missingMarker: (marker: string) => badRequest(`marker [${marker}] not found`),
};

/** Nova's route declaration. */
export const route = routeFor<ComputeEnv>();

/** What a Nova handler gets (framework/route.ts), its body typed `B`. */
export type NovaContext<B = unknown> = RouteContext<ComputeEnv, 'project', B>;
