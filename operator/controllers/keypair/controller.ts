// KeyPair → status (fingerprint, public key), and for a pair we generate, the one-shot
// private-key Secret. Nothing is reconciled onto an engine: Instances read the public key.
//
// The private key is never logged, never put in the status, and written exactly once: the
// Secret is created (not applied), and a reconcile that finds it already there reads the
// public key back from it instead of generating another pair. We do not watch Secrets (that
// would cache every Secret of the cluster); while one is outstanding we look it up on a
// timer, clear status.privateKeySecret once its reader deleted it, and delete it ourselves
// when it expires unread.
import { controllerFor } from '../../runtime/controller.js';
import { ApiError } from '../../runtime/watch.js';
import type { KeyPairObject } from '../../kinds/keypair.js';
import { ANNOTATIONS, applyStatus } from '../engines.js';
import {
  desiredPrivateKeySecret,
  fingerprint,
  generateRsaKeyPair,
  privateKeySecretName,
  PUBLIC_KEY,
} from './desired.js';
import { KeyPair, resourceOf } from '../../kinds/index.js';
import { kube, type SecretObject } from '../../kinds/external.js';

export interface KeyPairControllerOptions {
  /** How long an unread private key is kept (default one hour). */
  privateKeyTtlMs?: number;
  /** How often to look for the reader having taken the key (default 30 s). */
  recheckMs?: number;
}

export function keyPairController(options: KeyPairControllerOptions = {}) {
  const ttl = options.privateKeyTtlMs ?? 60 * 60_000;
  const recheck = options.recheckMs ?? 30_000;
  return controllerFor<KeyPairObject>(resourceOf(KeyPair))
    .named('keypair')
    .reconcile(async (keyPair, ctx) => {
      if (keyPair.metadata.deletionTimestamp) return;
      const namespace = keyPair.metadata.namespace!;
      const type = keyPair.spec.type;

      // Imported: nothing to keep but its fingerprint.
      if (keyPair.spec.publicKey) {
        const publicKey = keyPair.spec.publicKey.trim();
        let print: string;
        try {
          print = fingerprint(type, publicKey);
        } catch (error) {
          await applyStatus(
            ctx,
            resourceOf(KeyPair),
            keyPair,
            { generated: false },
            {
              type: 'Ready',
              status: 'False',
              reason: 'InvalidKey',
              message: `publicKey cannot be read as ${type === 'x509' ? 'a PEM certificate' : 'an OpenSSH public key'}: ${error instanceof Error ? error.message : String(error)}`,
            },
          );
          return;
        }
        await applyStatus(
          ctx,
          resourceOf(KeyPair),
          keyPair,
          { fingerprint: print, publicKey, generated: false },
          { type: 'Ready', status: 'True', reason: 'Imported', message: 'the public key is imported' },
        );
        return;
      }

      if (type === 'x509') {
        await applyStatus(
          ctx,
          resourceOf(KeyPair),
          keyPair,
          {},
          {
            type: 'Ready',
            status: 'False',
            reason: 'Unsupported',
            message: 'x509 keypairs cannot be generated; import a PEM certificate in spec.publicKey',
          },
        );
        return;
      }

      const secretName = privateKeySecretName(keyPair.metadata.name!);
      let publicKey = keyPair.status?.generated ? keyPair.status.publicKey : undefined;
      let outstanding = false;
      let requeueAfterMs: number | undefined;

      const secret = await ctx.client.get<SecretObject>(kube.secrets, secretName, namespace);
      if (!publicKey) {
        const stored = secret?.data?.[PUBLIC_KEY];
        if (stored) {
          // A previous reconcile made the pair but did not get to record it.
          publicKey = Buffer.from(stored, 'base64').toString('utf8');
        } else {
          const pair = generateRsaKeyPair(`Generated-by-Stratus ${keyPair.metadata.name}`);
          try {
            await ctx.client.create(
              kube.secrets,
              desiredPrivateKeySecret(keyPair, pair, new Date(Date.now() + ttl)),
            );
          } catch (error) {
            // Someone created it first (a duplicate reconcile): theirs is the pair.
            if (error instanceof ApiError && error.code === 409) return { requeueAfterMs: 0 };
            throw error;
          }
          publicKey = pair.publicKey;
          ctx.logger.info('generated a keypair; the private key waits in its one-shot Secret', {
            secret: secretName,
          });
        }
        outstanding = true;
      } else if (secret) {
        const expiresAt = Date.parse(secret.metadata?.annotations?.[ANNOTATIONS.expiresAt] ?? '');
        if (Number.isFinite(expiresAt) && expiresAt <= Date.now()) {
          await ctx.client.delete(kube.secrets, secretName, namespace, { uid: secret.metadata?.uid });
          ctx.logger.info('deleted an unread private key after it expired', { secret: secretName });
        } else {
          outstanding = true;
          requeueAfterMs = Number.isFinite(expiresAt) ? Math.min(recheck, expiresAt - Date.now()) : recheck;
        }
      }
      if (outstanding) requeueAfterMs ??= recheck;

      await applyStatus(
        ctx,
        resourceOf(KeyPair),
        keyPair,
        {
          fingerprint: fingerprint('ssh', publicKey),
          publicKey,
          generated: true,
          ...(outstanding ? { privateKeySecret: secretName } : {}),
        },
        {
          type: 'Ready',
          status: 'True',
          reason: 'Generated',
          message: outstanding
            ? `generated; the private key is in Secret ${secretName} (key privateKey) once: read it, store it, delete the Secret`
            : 'generated; the private key was handed out',
        },
      );
      return requeueAfterMs === undefined ? undefined : { requeueAfterMs };
    });
}
