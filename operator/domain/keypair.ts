// KeyPair rules the keypair and instance controllers share.
import type { KeyPairObject } from '../kinds/keypair.js';

/** The public key in effect: the imported one, else the one generated earlier. */
export function effectivePublicKey(keyPair: KeyPairObject): string | undefined {
  return keyPair.spec.publicKey?.trim() || keyPair.status?.publicKey || undefined;
}
