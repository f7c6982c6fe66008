// The one round trip between an OpenStack resource and its custom resource:
//   find     by OpenStack id (the uid), among what the caller may see — the same 404 for
//            "not yours" and "not there", after RBAC said the caller may read the kind
//   create   as the caller (impersonated, so RBAC and the webhooks decide), named after
//            the OpenStack name when free, then wait until the cache holds it
//   patch    a merge patch of the spec as the caller, then wait for the cache
//   delete   as the caller (uid precondition), then wait until the cache no longer has it
// The waits give read-your-writes: `openstack network create` followed at once by a list
// sees the new network.
import type { z } from 'zod';
import { API_VERSION } from '../../kinds/meta.js';
import type { KindDefinition, KindObject } from '../../kinds/kind.js';
import { resourceOf } from '../../kinds/registry.js';
import type { KubeClient } from '../../runtime/client.js';
import type { ResourceDescriptor } from '../../runtime/resource.js';
import type { KubeObject } from '../../runtime/store.js';
import { ApiError } from '../../runtime/watch.js';
import type { ServedKind } from '../cache.js';
import type { ApiDeps, ScopedSession } from '../context.js';
import { forbidden, notFound, type ApiFault } from '../errors.js';
import type { AccessQuery } from '../impersonation.js';

/** RBAC's answers for the caller, asked before anything is served from the cache. */
export class Access {
  constructor(private readonly deps: Pick<ApiDeps, 'impersonation' | 'config'>) {}

  /** Throw 403 unless RBAC lets the caller do `query`. */
  async authorize(session: ScopedSession, query: AccessQuery): Promise<void> {
    if (!(await this.deps.impersonation.can(session.userName, query))) {
      const where = query.namespace ? ` in project ${session.project.metadata.name}` : '';
      throw forbidden(`Policy does not allow ${query.verb} of ${query.resource}${where} for this user.`);
    }
  }

  /**
   * The namespaces whose `resource` the caller may list: the project's own and, for shared
   * kinds (images, networks), the public namespace. Refuses (403) when not even the project's.
   */
  async readableNamespaces(session: ScopedSession, resource: string, shared: boolean): Promise<string[]> {
    await this.authorize(session, { verb: 'list', resource, namespace: session.namespace });
    const namespaces = [session.namespace];
    const publicNs = this.deps.config.STRATUS_PUBLIC_NAMESPACE;
    if (shared && publicNs !== session.namespace) {
      const query: AccessQuery = { verb: 'list', resource, namespace: publicNs };
      if (await this.deps.impersonation.can(session.userName, query)) namespaces.push(publicNs);
    }
    return namespaces;
  }
}

/**
 * Create an object named after its OpenStack name when that name is free (what a kubectl
 * user would have picked), else with a generated suffix: OpenStack names repeat, object
 * names cannot.
 */
export async function createNamed<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceDescriptor,
  object: KubeObject & { metadata: { namespace?: string } },
  preferred: string,
): Promise<T> {
  try {
    return await client.create<T>(resource, {
      ...object,
      metadata: { ...object.metadata, name: preferred },
    } as T);
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 409 && error.reason === 'AlreadyExists')) throw error;
  }
  const generateName = `${preferred.slice(0, 57)}-`;
  return client.create<T>(resource, { ...object, metadata: { ...object.metadata, generateName } } as T);
}

/** A spec as a client may send it (defaults not applied). */
export type SpecInput<D extends KindDefinition> = z.input<D['spec']>;

/** A merge patch of a spec: a field set, or null to remove it. */
export type SpecPatch<D extends KindDefinition> = { [K in keyof SpecInput<D>]?: SpecInput<D>[K] | null };

export interface ObjectKind<D extends ServedKind> {
  /** The kind, as the registry names it; the API's cache holds it. */
  definition: D;
  /** The OpenStack name of the resource, for messages: `Network` → NetworkNotFound. */
  label: string;
  /** The service's own words where they are not `<Label>NotFound` (Glance's, for one). */
  faults?: { notFound?: (id: string) => ApiFault; notOwn?: (id: string) => ApiFault };
  /** The RBAC resource a read needs, and whether the public namespace holds shared ones. */
  access: { resource: string; shared: boolean };
  /** Which objects of a readable namespace the caller sees (default: all). */
  visible?: (object: KindObject<D>, session: ScopedSession) => boolean;
  /**
   * Whether an object being deleted is still seen (default: no). Nova shows a server being
   * deleted, with task_state `deleting`, until it is gone.
   */
  seenWhileDeleting?: boolean;
}

/** The round trip for one kind; a service makes one per kind it serves, once. */
export class CrObjects<D extends ServedKind> {
  private readonly resource: ResourceDescriptor;
  private readonly access: Access;

  constructor(
    private readonly deps: ApiDeps,
    private readonly kind: ObjectKind<D>,
  ) {
    this.resource = resourceOf(kind.definition);
    this.access = new Access(deps);
  }

  private seen(object: KindObject<D> | undefined, session: ScopedSession): object is KindObject<D> {
    if (!object || (object.metadata.deletionTimestamp && !this.kind.seenWhileDeleting)) return false;
    return this.kind.visible ? this.kind.visible(object, session) : true;
  }

  /** Everything of the kind the caller may see (403 when RBAC refuses the project's). */
  async list(session: ScopedSession): Promise<KindObject<D>[]> {
    const { resource, shared } = this.kind.access;
    const namespaces = await this.access.readableNamespaces(session, resource, shared);
    return namespaces.flatMap((ns) =>
      this.deps.cache.list(this.kind.definition, ns).filter((o) => this.seen(o, session)),
    );
  }

  /**
   * The visible object with this OpenStack id, else 404 `<Label>NotFound` (a name is not an
   * id: openstacksdk's find falls back to listing by name on 404). `own` refuses (403) an
   * object of the cloud's shared namespace, for writes.
   */
  async find(session: ScopedSession, id: string, options: { own?: boolean } = {}): Promise<KindObject<D>> {
    const { resource, shared } = this.kind.access;
    const namespaces = await this.access.readableNamespaces(session, resource, shared);
    const found = this.deps.cache.byUid(this.kind.definition, id, namespaces);
    const label = this.kind.label;
    const faults = this.kind.faults;
    if (!this.seen(found, session))
      throw faults?.notFound?.(id) ?? notFound(`${label} ${id} could not be found.`, `${label}NotFound`);
    if (options.own && found.metadata.namespace !== session.namespace) {
      throw (
        faults?.notOwn?.(id) ?? forbidden(`${label} ${id} belongs to the cloud; only admins may change it.`)
      );
    }
    return found;
  }

  private client(session: ScopedSession): KubeClient {
    return this.deps.impersonation.client(session.userName);
  }

  /** Create in the caller's project, as the caller, and wait until the cache has it. */
  async create(session: ScopedSession, spec: SpecInput<D>, preferredName: string): Promise<KindObject<D>> {
    const object = {
      apiVersion: API_VERSION,
      kind: this.kind.definition.kind,
      metadata: { namespace: session.namespace },
      spec,
    };
    const created = await createNamed<KindObject<D>>(
      this.client(session),
      this.resource,
      object,
      preferredName,
    );
    return this.deps.cache.waitFor(this.kind.definition, created);
  }

  /** Merge-patch the spec as the caller and wait until the cache has the result. */
  async patch(session: ScopedSession, existing: KindObject<D>, spec: SpecPatch<D>): Promise<KindObject<D>> {
    const { name, namespace } = existing.metadata;
    const updated = await this.client(session).patch<KindObject<D>>(
      this.resource,
      name!,
      namespace,
      { spec },
      'merge',
    );
    return this.deps.cache.waitFor(this.kind.definition, updated);
  }

  /** Delete as the caller (this very object: uid precondition) and wait until it is gone. */
  async delete(session: ScopedSession, existing: KindObject<D>): Promise<void> {
    const { name, namespace, uid } = existing.metadata;
    await this.client(session).delete(this.resource, name!, namespace, { uid });
    await this.deps.cache.waitFor(this.kind.definition, existing, { gone: true });
  }
}
