import { describe, expect, it } from 'vitest';
import { keyPairDetail, keyPairName, keyPairSummary } from './keypairs.js';
import { keyPair } from '../test/objects.js';

const metadata = {
  name: 'my-key',
  namespace: 'p1',
  uid: 'k-1',
  creationTimestamp: new Date('2026-12-01T10:00:00.123Z'),
};
const generated = keyPair(
  metadata,
  { displayName: 'my key', user: 'alice' },
  { fingerprint: 'aa:bb', publicKey: 'ssh-ed25519 AAAA', generated: true },
);

describe('keypair views', () => {
  it('name a key pair by its display name, else its object name', () => {
    expect(keyPairName(generated)).toBe('my key');
    expect(keyPairName(keyPair(metadata, {}))).toBe('my-key');
  });

  it('show the key in effect: the generated one, else the imported one', () => {
    expect(keyPairSummary(generated)).toEqual({
      name: 'my key',
      public_key: 'ssh-ed25519 AAAA',
      fingerprint: 'aa:bb',
    });
    const imported = keyPair(metadata, { displayName: 'mine', publicKey: 'ssh-ed25519 BBBB' });
    expect(keyPairSummary(imported)).toEqual({
      name: 'mine',
      public_key: 'ssh-ed25519 BBBB',
      fingerprint: '',
    });
  });

  it('show the creator, the creation time in seconds and the uid as id in the detail', () => {
    const detail = keyPairDetail(generated, { creatorId: (o) => `user-of-${o.metadata?.name}` });
    expect(detail).toEqual({
      name: 'my key',
      public_key: 'ssh-ed25519 AAAA',
      fingerprint: 'aa:bb',
      user_id: 'user-of-my-key',
      created_at: '2026-12-01T10:00:00Z',
      updated_at: null,
      deleted: false,
      deleted_at: null,
      id: 'k-1',
    });
  });
});
