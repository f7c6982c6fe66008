// KeyPair → status (fingerprint, public key), and for a pair we generate, the one-shot
// private-key Secret. Nothing is reconciled onto an engine: Instances read the public key.
//
// The private key is never logged, never put in the status, and written exactly once: the
// Secret is created (not applied), and a reconcile that finds it already there reads the
// public key back from it instead of generating another pair. We do not watch Secrets (that
// would cache every Secret of the cluster); while one is outstanding we look it up on a
// timer, clear status.privateKeySecret once its reader deleted it, and delete it ourselves
// when it expires unread.
import { controllerFor, type ReconcileContext, type ReconcileResult } from '../../runtime/controller.js';
import { ApiError } from '../../runtime/watch.js';
import type { KeyPairObject } from '../../kinds/keypair.js';
import { ANNOTATIONS } from '../engines.js';
import {
  desiredPrivateKeySecret,
  generatedKeyPairStatus,
  generateRsaKeyPair,
  importedKeyPairStatus,
  privateKeySecretName,
  PUBLIC_KEY,
  x509GenerationStatus,
} from './desired.js';
import { KeyPair, resourceOf } from '../../kinds/index.js';
import { kube, type SecretObject } from '../../kinds/external.js';

export interface KeyPairControllerOptions {
  /** How long an unread private key is kept (default one hour). */
  privateKeyTtlMs?: number;
  /** How often to look for the reader having taken the key (default 30 s). */
  recheckMs?: number;
}

/** Where a generated pair stands: its public key, and whether its private key awaits its reader. */
interface Generated {
  publicKey: string;
  outstanding: boolean;
  requeueAfterMs?: number;
}

/**
 * Make sure the pair exists (generate it once, or read back the one a previous reconcile
 * made) and handle its one-shot Secret: delete it when it expired unread, look again while
 * it waits. Undefined when another reconcile created the Secret first.
 */
async function ensureGenerated(
  keyPair: KeyPairObject,
  ctx: ReconcileContext,
  timing: { ttl: number; recheck: number },
): Promise<Generated | undefined> {
  const namespace = keyPair.metadata.namespace!;
  const secretName = privateKeySecretName(keyPair.metadata.name!);
  const secret = await ctx.client.get<SecretObject>(kube.secrets, secretName, namespace);
  const recorded = keyPair.status?.generated ? keyPair.status.publicKey : undefined;
  if (recorded) {
    if (!secret) return { publicKey: recorded, outstanding: false };
    const expiresAt = Date.parse(secret.metadata?.annotations?.[ANNOTATIONS.expiresAt] ?? '');
    if (Number.isFinite(expiresAt) && expiresAt <= Date.now()) {
      await ctx.client.delete(kube.secrets, secretName, namespace, { uid: secret.metadata?.uid });
      ctx.logger.info('deleted an unread private key after it expired', { secret: secretName });
      return { publicKey: recorded, outstanding: false };
    }
    const untilExpiry = Number.isFinite(expiresAt) ? expiresAt - Date.now() : Infinity;
    return { publicKey: recorded, outstanding: true, requeueAfterMs: Math.min(timing.recheck, untilExpiry) };
  }
  const stored = secret?.data?.[PUBLIC_KEY];
  // A previous reconcile made the pair but did not get to record it.
  if (stored) return { publicKey: Buffer.from(stored, 'base64').toString('utf8'), outstanding: true };
  const pair = generateRsaKeyPair(`Generated-by-Stratus ${keyPair.metadata.name}`);
  try {
    await ctx.client.create(
      kube.secrets,
      desiredPrivateKeySecret(keyPair, pair, new Date(Date.now() + timing.ttl)),
    );
  } catch (error) {
    // Someone created it first (a duplicate reconcile): theirs is the pair.
    if (error instanceof ApiError && error.code === 409) return undefined;
    throw error;
  }
  ctx.logger.info('generated a keypair; the private key waits in its one-shot Secret', {
    secret: secretName,
  });
  return { publicKey: pair.publicKey, outstanding: true };
}

export function keyPairController(options: KeyPairControllerOptions = {}) {
  const timing = { ttl: options.privateKeyTtlMs ?? 60 * 60_000, recheck: options.recheckMs ?? 30_000 };
  return controllerFor<KeyPairObject>(resourceOf(KeyPair))
    .named('keypair')
    .reconcile(async (keyPair, ctx): Promise<ReconcileResult | void> => {
      // Imported: nothing to keep but its fingerprint.
      if (keyPair.spec.publicKey) {
        await ctx.status(keyPair, importedKeyPairStatus(keyPair.spec.type, keyPair.spec.publicKey.trim()));
        return;
      }
      if (keyPair.spec.type === 'x509') {
        await ctx.status(keyPair, x509GenerationStatus);
        return;
      }
      const generated = await ensureGenerated(keyPair, ctx, timing);
      if (!generated) return { requeueAfterMs: 0 };
      const secretName = privateKeySecretName(keyPair.metadata.name!);
      await ctx.status(
        keyPair,
        generatedKeyPairStatus(generated.publicKey, generated.outstanding ? secretName : undefined),
      );
      if (!generated.outstanding) return;
      return { requeueAfterMs: generated.requeueAfterMs ?? timing.recheck };
    });
}
