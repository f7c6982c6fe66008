import { describe, expect, it } from 'vitest';
import { userSpec, type UserObject } from '../../kinds/user.js';
import type { Session } from '../context.js';
import { subjectSession } from './subject.js';

const user = (name: string): UserObject => ({
  apiVersion: 'stratus.dev/v1alpha1',
  kind: 'User',
  metadata: { name, uid: `uid-${name}` },
  spec: userSpec.parse({}),
});

const session = (token: string, who: UserObject): Session => ({
  token,
  claims: {
    userUid: who.metadata.uid!,
    methods: ['password'],
    issuedAt: 1,
    expiresAt: 2,
    auditIds: [`audit-${token}`],
  },
  user: who,
  userName: who.metadata.name!,
  roles: [],
});

const alice = user('alice');
const caller = session('mine', alice);
const sessions = new Map([
  ['other-of-mine', session('other-of-mine', alice)],
  ['bobs', session('bobs', user('bob'))],
]);
const env = { authenticate: (token: string) => Promise.resolve(sessions.get(token)) };

describe('the subject token', () => {
  it('is the caller’s own token or another good token of the same user', async () => {
    expect(await subjectSession(env, 'mine', caller)).toBe(caller);
    expect((await subjectSession(env, 'other-of-mine', caller)).token).toBe('other-of-mine');
  });

  it('is required (400), must be good (404) and must be the caller’s (403)', async () => {
    await expect(subjectSession(env, undefined, caller)).rejects.toMatchObject({ status: 400 });
    await expect(subjectSession(env, 'forged-token-value', caller)).rejects.toMatchObject({
      status: 404,
      message: 'Could not find token: forged-token...',
    });
    await expect(subjectSession(env, 'bobs', caller)).rejects.toMatchObject({ status: 403 });
  });
});
