// User → password hash Secret (scrypt; the plaintext is read, never copied) and RoleBindings
// for its project roles. Project namespaces that do not exist yet are retried: the User
// becomes Ready once every binding is in place.
//
// resolve: the plaintext password Secret; desired: desiredPasswordHashSecret and
// desiredUserRoleBindings; apply (stale bindings deleted); status: userStatus.
import { hashPassword } from '../../crypto/password.js';
import { controllerFor, type ReconcileContext } from '../../runtime/controller.js';
import type { KubeObject } from '../../runtime/store.js';
import { ApiError } from '../../runtime/watch.js';
import type { UserObject } from '../../kinds/user.js';
import { desiredPasswordHashSecret, desiredUserRoleBindings, userStatus } from './desired.js';
import { LABELS, passwordHashSecretName } from '../../domain/naming.js';
import { Project, User, resourceOf } from '../../kinds/index.js';
import { kube, type SecretObject } from '../../kinds/external.js';
import type { Child } from '../children.js';

export interface UserControllerOptions {
  /** The operator's namespace, where password hashes live. */
  namespace: string;
  /** How often to look for a changed password Secret (we do not watch every Secret). */
  passwordRecheckMs?: number;
}

/** Field index of Users by the projects they have roles in. */
export const USERS_BY_PROJECT = 'user.spec.projects';

type Password = { passwordHashSecret: string; passwordUpdatedAt: string };

/**
 * Hash the password when the plaintext Secret changed (its uid/resourceVersion, recorded
 * on the hash Secret). Answers the hash's status fields, or a problem when the Secret or
 * its key is missing.
 */
async function ensurePasswordHash(
  user: UserObject,
  ctx: ReconcileContext,
  namespace: string,
): Promise<Password | string | undefined> {
  const ref = user.spec.passwordSecretRef;
  if (!ref) return undefined;
  const key = ref.key ?? 'password';
  const source = await ctx.client.get<SecretObject>(kube.secrets, ref.name, ref.namespace);
  const encoded = source?.data?.[key];
  if (!source || encoded === undefined) {
    return `password Secret ${ref.namespace}/${ref.name} (key ${key}) not found`;
  }
  const hashName = passwordHashSecretName(user.metadata.name!);
  const existing = await ctx.client.get<SecretObject>(kube.secrets, hashName, namespace);
  const annotations = existing?.metadata?.annotations ?? {};
  const sourceVersion = `${source.metadata?.uid}/${source.metadata?.resourceVersion}`;
  let updatedAt = annotations['stratus.dev/password-updated-at'];
  if (annotations['stratus.dev/password-source-version'] !== sourceVersion || !updatedAt) {
    updatedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const hash = await hashPassword(Buffer.from(encoded, 'base64').toString('utf8'));
    await ctx.client.apply(
      kube.secrets,
      desiredPasswordHashSecret(user, namespace, hash, sourceVersion, updatedAt),
    );
    ctx.logger.info('password hashed', { user: user.metadata.name });
  }
  return { passwordHashSecret: hashName, passwordUpdatedAt: updatedAt };
}

/** Apply the bindings; a project namespace not there (yet) is a problem to report, not an error. */
async function applyBindings(bindings: Child[], ctx: ReconcileContext): Promise<string[]> {
  const problems: string[] = [];
  for (const rb of bindings) {
    try {
      await ctx.client.apply(kube.roleBindings, rb);
    } catch (error) {
      if (!(error instanceof ApiError && (error.code === 404 || error.code === 403))) throw error;
      problems.push(`project namespace ${rb.metadata.namespace} is not ready (${error.reason})`);
    }
  }
  return problems;
}

/** Bindings of roles the user no longer has (ours only: label and owner). */
async function deleteStaleBindings(user: UserObject, bindings: Child[], ctx: ReconcileContext) {
  const wanted = new Set(bindings.map((rb) => `${rb.metadata.namespace}/${rb.metadata.name}`));
  const stale = ctx.manager
    .informer(kube.roleBindings)
    .store.list({ labels: { [LABELS.user]: user.metadata.name! } })
    .filter((rb) => rb.metadata?.ownerReferences?.some((o) => o.uid === user.metadata.uid))
    .filter((rb) => !wanted.has(`${rb.metadata?.namespace}/${rb.metadata?.name}`));
  await Promise.all(
    stale.map((rb) =>
      ctx.client.delete(kube.roleBindings, rb.metadata!.name!, rb.metadata!.namespace, {
        uid: rb.metadata?.uid,
      }),
    ),
  );
}

export function userController(options: UserControllerOptions) {
  const recheck = options.passwordRecheckMs ?? 60_000;
  return (
    controllerFor<UserObject>(resourceOf(User))
      .named('user')
      .indexField(resourceOf(User), USERS_BY_PROJECT, (user: UserObject) =>
        (user.spec?.projects ?? []).map((p) => p.project),
      )
      .owns(kube.roleBindings)
      // A project appearing (or its namespace) lets waiting bindings land.
      .watches(resourceOf(Project), (project: KubeObject, manager) =>
        manager
          .byIndex<UserObject>(resourceOf(User), USERS_BY_PROJECT, project.metadata?.name ?? '')
          .map((u) => ({ name: u.metadata.name! })),
      )
      .reconcile(async (user, ctx) => {
        const password = await ensurePasswordHash(user, ctx, options.namespace);
        const bindings = desiredUserRoleBindings(user);
        const problems = await applyBindings(bindings, ctx);
        if (typeof password === 'string') problems.unshift(password);
        await deleteStaleBindings(user, bindings, ctx);
        await ctx.status(
          user,
          userStatus(user, typeof password === 'object' ? password : undefined, problems),
        );
        return { requeueAfterMs: problems.length > 0 ? Math.min(recheck, 5_000) : recheck };
      })
  );
}
