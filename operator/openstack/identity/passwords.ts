// Password checks against the hash in the user's password-hash Secret (read with the API's
// own identity). scrypt is deliberately expensive, so at most two run at once, and a login
// name that does not exist costs the same time as one that does.
import type { UserObject } from '../../kinds/user.js';
import { hashPassword, verifyPassword } from '../../crypto/password.js';
import { passwordHashSecretName } from '../../domain/naming.js';
import { kube, type SecretObject } from '../../kinds/external.js';
import type { ApiDeps } from '../context.js';

/** At most `slots` tasks at once; the rest wait in order. */
export class Semaphore {
  private active = 0;
  private readonly queue: Array<() => void> = [];
  constructor(private readonly slots: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.slots) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}

/** At most two scrypt computations at once: each takes 128 MiB. */
const scryptSlots = new Semaphore(2);
let decoyHash: Promise<string> | undefined;

export async function passwordMatches(
  deps: Pick<ApiDeps, 'client' | 'config'>,
  user: UserObject | undefined,
  password: string,
): Promise<boolean> {
  let hash: string | undefined;
  if (user) {
    const secretName = user.status?.passwordHashSecret ?? passwordHashSecretName(user.metadata.name!);
    const secret = await deps.client.get<SecretObject>(
      kube.secrets,
      secretName,
      deps.config.STRATUS_NAMESPACE,
    );
    const encoded = secret?.data?.hash;
    if (encoded) hash = Buffer.from(encoded, 'base64').toString('utf8');
  }
  // No user or no password: spend the same time on a decoy, so timing does not tell
  // which login names exist.
  const target = hash ?? (await (decoyHash ??= hashPassword('decoy')));
  const ok = await scryptSlots.run(() => verifyPassword(password, target));
  return ok && hash !== undefined;
}
