// KeyPair — a Nova keypair: a public key (or X.509 certificate) injected into instances
// through cloud-init. Namespaced; nothing is reconciled onto a backend: Instances read it.
// When no public key is given the operator generates a pair and hands out the private key
// once, through a short-lived Secret, never through the status.
import { z } from 'zod';
import { defineKind, type KindObject, column, wideColumn } from './kind.js';
import { baseStatus, withRules, subdomainName } from './meta.js';

/** Key types an OpenSSH authorized_keys line may start with. */
export const SSH_KEY_TYPES = [
  'ssh-rsa',
  'ssh-dss',
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
] as const;

/** One OpenSSH public key line: type, base64 blob, optional comment. */
export const SSH_PUBLIC_KEY = new RegExp(
  `^(${SSH_KEY_TYPES.map((t) => t.replaceAll('.', '\\.')).join('|')}) AAAA[A-Za-z0-9+/]+={0,3}( [^\\r\\n]*)?\\r?\\n?$`,
);
/** A PEM-encoded X.509 certificate (Nova x509 keypairs, used by Windows guests). */
export const PEM_CERTIFICATE =
  /^-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*$/;

/** Nova keypair names (microversion 2.92): letters, digits, spaces, '@', '.', '_' and '-'. */
export const KEYPAIR_NAME = /^[a-zA-Z0-9 @._-]+$/;

export const keyPairSpec = withRules(
  z.object({
    displayName: z
      .string()
      .min(1)
      .max(255)
      .regex(KEYPAIR_NAME)
      .optional()
      .describe(
        "The Nova keypair name, which is what Nova users refer to the keypair by (letters, digits, spaces, '@', '.', '_', '-'). Omit it to use metadata.name. Immutable: Nova keypairs cannot be renamed.",
      ),
    type: withRules(
      z
        .enum(['ssh', 'x509'])
        .default('ssh')
        .describe('Key type (Nova keypair type): ssh for an OpenSSH public key, x509 for a certificate.'),
      [{ rule: 'self == oldSelf', message: 'type is immutable; create a new keypair instead' }],
    ),
    publicKey: z
      .string()
      .min(1)
      .max(16_384)
      .optional()
      .describe(
        'The public key to import: one OpenSSH authorized_keys line (type ssh) or a PEM certificate (type x509). Omit it to have the operator generate a pair: the private key is then handed out once in the Secret named by status.privateKeySecret. Immutable.',
      ),
    user: subdomainName(
      'Name of the User (cluster-scoped) the keypair belongs to, as Nova keypairs belong to users (user_id); the OpenStack API sets it to the caller and lists a user only their own keypairs. Omit it for a keypair every project member sees. Immutable.',
    ).optional(),
  }),
  [
    {
      // JSON string literals are valid CEL string literals (same escapes).
      rule: `!has(self.publicKey) || (self.type == 'ssh' ? self.publicKey.matches(${JSON.stringify(SSH_PUBLIC_KEY.source)}) : self.publicKey.matches(${JSON.stringify(PEM_CERTIFICATE.source)}))`,
      message:
        "publicKey must be one OpenSSH public key line such as 'ssh-ed25519 AAAA... comment' for type ssh, or a PEM certificate (-----BEGIN CERTIFICATE-----) for type x509",
      fieldPath: '.publicKey',
    },
    {
      rule: 'has(self.publicKey) == has(oldSelf.publicKey) && (!has(self.publicKey) || self.publicKey == oldSelf.publicKey)',
      message:
        'publicKey is immutable (it cannot be added, changed or removed); create a new keypair instead',
      fieldPath: '.publicKey',
    },
    {
      rule: 'has(self.displayName) == has(oldSelf.displayName) && (!has(self.displayName) || self.displayName == oldSelf.displayName)',
      message: 'displayName is immutable (Nova keypairs cannot be renamed); create a new keypair instead',
      fieldPath: '.displayName',
    },
    {
      rule: 'has(self.user) == has(oldSelf.user) && (!has(self.user) || self.user == oldSelf.user)',
      message: 'user is immutable; create a new keypair for the other user instead',
      fieldPath: '.user',
    },
  ],
  'Desired keypair: a public key to import, or none to have one generated.',
);

export const keyPairStatus = z
  .object({
    ...baseStatus,
    fingerprint: z
      .string()
      .max(128)
      .optional()
      .describe(
        'Fingerprint of the public key as Nova reports it: MD5 in colon-separated hex for ssh, SHA-1 for x509.',
      ),
    publicKey: z
      .string()
      .max(16_384)
      .optional()
      .describe(
        'The public key in effect: spec.publicKey, or the generated one when the operator made the pair.',
      ),
    generated: z
      .boolean()
      .optional()
      .describe('True when the operator generated the pair because spec.publicKey was omitted.'),
    privateKeySecret: z
      .string()
      .max(253)
      .optional()
      .describe(
        'Name of the Secret (same namespace, key privateKey) holding the generated private key. It is written once and never again: read it, store the key, then delete the Secret (the OpenStack API returns it in the create response and deletes it). Empty once the Secret is gone; the private key is never kept in the status.',
      ),
  })
  .describe('Observed state of the keypair.');

export const KeyPair = defineKind({
  kind: 'KeyPair',
  plural: 'keypairs',
  singular: 'keypair',
  shortNames: ['kp'],
  scope: 'Namespaced',
  openstack: 'Nova keypair',
  description:
    'KeyPair is an SSH public key (or X.509 certificate) that instances get through cloud-init, like a Nova keypair. Import a public key, or omit it and the operator generates a pair and hands out the private key once.',
  spec: keyPairSpec,
  status: keyPairStatus,
  printerColumns: [
    column('Type', 'string', '.spec.type', 'Key type: ssh or x509'),
    column('Fingerprint', 'string', '.status.fingerprint', 'Fingerprint of the public key'),
    wideColumn('Generated', 'boolean', '.status.generated', 'Whether the operator generated the pair'),
  ],
});

export type KeyPairObject = KindObject<typeof KeyPair>;
