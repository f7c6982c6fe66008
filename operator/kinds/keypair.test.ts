import { describe, expect, it } from 'vitest';
import { celRules, columns, field, render } from './crd-testing.js';
import { KeyPair, keyPairSpec, PEM_CERTIFICATE, SSH_PUBLIC_KEY } from './keypair.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIL4xnt2i3+nktXbz4sc5nZP9KAmRV8cQX0DCvtmRQdmD alice@demo';

describe('KeyPair', () => {
  it('parses an imported key and a key to generate, with defaults applied', () => {
    expect(keyPairSpec.parse({ displayName: 'alice key', publicKey: KEY })).toEqual({
      displayName: 'alice key',
      publicKey: KEY,
      type: 'ssh',
    });
    expect(keyPairSpec.parse({})).toEqual({ type: 'ssh' });
    expect(keyPairSpec.safeParse({ displayName: 'alice/key' }).success).toBe(false);
  });

  it('recognises OpenSSH public key lines and PEM certificates', () => {
    expect(SSH_PUBLIC_KEY.test(KEY)).toBe(true);
    expect(SSH_PUBLIC_KEY.test('ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 \n')).toBe(true);
    expect(SSH_PUBLIC_KEY.test('not a key')).toBe(false);
    expect(SSH_PUBLIC_KEY.test(`${KEY}\nssh-rsa AAAAB3Nza`)).toBe(false);
    expect(PEM_CERTIFICATE.test('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n')).toBe(true);
    expect(PEM_CERTIFICATE.test(KEY)).toBe(false);
  });

  it('renders CEL rules: key format per type, immutable key, name, type and user', () => {
    const { crd, version } = render(KeyPair);
    expect(crd.spec.names.shortNames).toEqual(['kp']);
    expect(celRules(version, 'spec.type')[0]?.rule).toBe('self == oldSelf');
    const specRules = celRules(version, 'spec');
    expect(specRules.map((r) => r.fieldPath)).toEqual(['.publicKey', '.publicKey', '.displayName', '.user']);
    expect(specRules[0]?.rule).toContain('ssh-ed25519');
    const status = field(version, 'status').properties;
    expect(Object.keys(status)).toEqual(
      expect.arrayContaining([
        'conditions',
        'observedGeneration',
        'fingerprint',
        'generated',
        'privateKeySecret',
      ]),
    );
    expect(status).not.toHaveProperty('privateKey');
    expect(columns(version).slice(0, 2)).toEqual(['Type', 'Fingerprint']);
  });
});
