// Nova keypair bodies from KeyPair objects.
import type { KeyPairObject } from '../../../kinds/keypair.js';
import { isoSeconds } from '../../common.js';
import type { ComputeLookup } from './lookup.js';

/** The OpenStack name of a key pair: its display name, else its object name. */
export const keyPairName = (k: KeyPairObject): string => k.spec.displayName ?? k.metadata.name!;

/** What list entries and create answers show. */
export function keyPairSummary(k: KeyPairObject) {
  return {
    name: keyPairName(k),
    public_key: k.status?.publicKey ?? k.spec.publicKey ?? '',
    fingerprint: k.status?.fingerprint ?? '',
  };
}

/** What GET /os-keypairs/{name} shows. */
export function keyPairDetail(k: KeyPairObject, lookup: Pick<ComputeLookup, 'creatorId'>) {
  return {
    ...keyPairSummary(k),
    user_id: lookup.creatorId(k),
    created_at: isoSeconds(k.metadata.creationTimestamp),
    updated_at: null,
    deleted: false,
    deleted_at: null,
    // Nova's integer row id; ours is the uid, which clients do not parse.
    id: k.metadata.uid,
  };
}
