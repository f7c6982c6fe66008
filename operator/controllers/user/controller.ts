// User → password hash Secret (scrypt; the plaintext is read, never copied) and RoleBindings
// for its project roles. Project namespaces that do not exist yet are retried: the User
// becomes Ready once every binding is in place.
import { hashPassword } from '../../crypto/password.js';
import { setCondition } from '../../runtime/conditions.js';
import { controllerFor } from '../../runtime/controller.js';
import type { KubeObject } from '../../runtime/store.js';
import { ApiError } from '../../runtime/watch.js';
import type { UserObject } from '../../kinds/user.js';
import { desiredPasswordHashSecret, desiredUserRoleBindings } from './desired.js';
import { LABELS, passwordHashSecretName } from '../../domain/naming.js';
import { Project, User, resourceOf } from '../../kinds/index.js';
import { kube, type SecretObject } from '../../kinds/external.js';

export interface UserControllerOptions {
  /** The operator's namespace, where password hashes live. */
  namespace: string;
  /** How often to look for a changed password Secret (we do not watch every Secret). */
  passwordRecheckMs?: number;
}

export function userController(options: UserControllerOptions) {
  const recheck = options.passwordRecheckMs ?? 60_000;
  return (
    controllerFor<UserObject>(resourceOf(User))
      .named('user')
      .owns(kube.roleBindings)
      // A project appearing (or its namespace) lets waiting bindings land.
      .watches(resourceOf(Project), (project: KubeObject, manager) =>
        manager
          .informer<UserObject>(resourceOf(User))
          .store.list()
          .filter((u) => (u.spec?.projects ?? []).some((p) => p.project === project.metadata?.name))
          .map((u) => ({ name: u.metadata.name! })),
      )
      .reconcile(async (user, ctx) => {
        if (user.metadata.deletionTimestamp) return;
        const name = user.metadata.name!;
        const problems: string[] = [];
        const status: Record<string, unknown> = { loginName: user.spec.loginName ?? name };

        // Password: re-hash only when the plaintext Secret changed (its resourceVersion).
        const ref = user.spec.passwordSecretRef;
        if (ref) {
          const hashName = passwordHashSecretName(name);
          const source = await ctx.client.get<SecretObject>(kube.secrets, ref.name, ref.namespace);
          const encoded = source?.data?.[ref.key ?? 'password'];
          if (!source || encoded === undefined) {
            problems.push(
              `password Secret ${ref.namespace}/${ref.name} (key ${ref.key ?? 'password'}) not found`,
            );
          } else {
            const existing = await ctx.client.get<SecretObject>(kube.secrets, hashName, options.namespace);
            const annotations = existing?.metadata?.annotations ?? {};
            const sourceVersion = `${source.metadata?.uid}/${source.metadata?.resourceVersion}`;
            let updatedAt = annotations['stratus.dev/password-updated-at'];
            if (annotations['stratus.dev/password-source-version'] !== sourceVersion || !updatedAt) {
              updatedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
              const hash = await hashPassword(Buffer.from(encoded, 'base64').toString('utf8'));
              await ctx.client.apply(
                kube.secrets,
                desiredPasswordHashSecret(user, options.namespace, hash, sourceVersion, updatedAt),
              );
              ctx.logger.info('password hashed', { user: name });
            }
            status.passwordHashSecret = hashName;
            status.passwordUpdatedAt = updatedAt;
          }
        }

        // Role bindings, in each project's namespace.
        const desired = desiredUserRoleBindings(user);
        for (const rb of desired) {
          try {
            await ctx.client.apply(kube.roleBindings, rb);
          } catch (error) {
            if (error instanceof ApiError && (error.code === 404 || error.code === 403)) {
              problems.push(`project namespace ${rb.metadata.namespace} is not ready (${error.reason})`);
            } else {
              throw error;
            }
          }
        }
        const wanted = new Set(desired.map((rb) => `${rb.metadata.namespace}/${rb.metadata.name}`));
        const stale = ctx.manager
          .informer(kube.roleBindings)
          .store.list({ labels: { [LABELS.user]: name } })
          .filter((rb) => rb.metadata?.ownerReferences?.some((o) => o.uid === user.metadata.uid))
          .filter((rb) => !wanted.has(`${rb.metadata?.namespace}/${rb.metadata?.name}`));
        await Promise.all(
          stale.map((rb) =>
            ctx.client.delete(kube.roleBindings, rb.metadata!.name!, rb.metadata!.namespace, {
              uid: rb.metadata?.uid,
            }),
          ),
        );

        const generation = user.metadata.generation;
        const conditions = setCondition(
          user.status?.conditions,
          problems.length === 0
            ? {
                type: 'Ready',
                status: 'True',
                reason: 'Provisioned',
                message: 'password hash and role bindings are in place',
              }
            : { type: 'Ready', status: 'False', reason: 'Waiting', message: problems.join('; ') },
          generation,
        );
        await ctx.client.apply(
          resourceOf(User),
          { metadata: { name }, status: { ...status, conditions, observedGeneration: generation } },
          { subresource: 'status' },
        );
        return { requeueAfterMs: problems.length > 0 ? Math.min(recheck, 5_000) : recheck };
      })
  );
}
