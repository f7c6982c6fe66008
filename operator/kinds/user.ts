// User — a Keystone user: someone who logs in to the OpenStack API (and, through
// impersonation, to Kubernetes). Cluster-scoped; the operator keeps a slow salted hash of
// the password in a Secret of its own and grants the user's project roles as RoleBindings.
import { z } from 'zod';
import { defineKind, type KindObject, column, wideColumn } from './kind.js';
import { DNS_LABEL, baseStatus, description, displayName, subdomainName } from './meta.js';
import { domainField, projectRole } from './project.js';

/** Deliberately loose (the full RFC 5322 grammar is not worth it): one @, a dot in the domain. */
export const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export const passwordSecretRef = z
  .object({
    namespace: z
      .string()
      .min(1)
      .max(63)
      .regex(DNS_LABEL)
      .describe(
        "Namespace of the Secret. Choose one that only identity administrators can read (the operator's own namespace, for example), not a project namespace.",
      ),
    name: subdomainName('Name of the Secret.'),
    key: z
      .string()
      .min(1)
      .max(253)
      .regex(/^[-._a-zA-Z0-9]+$/)
      .default('password')
      .describe('Key in the Secret whose value is the plaintext password.'),
  })
  .describe(
    'Secret holding the plaintext password. The operator reads it, stores only a slow salted hash (status.passwordHashSecret) and re-hashes whenever the Secret changes; the password itself is never copied into this object. Omit for a user who cannot log in with a password.',
  );

export const userProject = z
  .object({
    project: z
      .string()
      .min(1)
      .max(63)
      .regex(DNS_LABEL)
      .describe('Name of the Project (cluster-scoped) the roles apply to.'),
    roles: z.array(projectRole).min(1).max(3).meta({
      description:
        'Roles of the user in the project: reader, member and/or admin (each implies the ones before it, so one is enough).',
      'x-kubernetes-list-type': 'set',
    }),
  })
  .describe("The user's roles in one project.");

export const userOptions = z
  .object({
    ignoreChangePasswordUponFirstUse: z
      .boolean()
      .optional()
      .describe(
        'Do not ask the user to change the password on first use (Keystone ignore_change_password_upon_first_use).',
      ),
    ignorePasswordExpiry: z
      .boolean()
      .optional()
      .describe('The password never expires (Keystone ignore_password_expiry).'),
    ignoreLockoutFailureAttempts: z
      .boolean()
      .optional()
      .describe('Failed logins never lock the user out (Keystone ignore_lockout_failure_attempts).'),
    lockPassword: z
      .boolean()
      .optional()
      .describe('The user may not change their own password (Keystone lock_password).'),
  })
  .describe('Keystone per-user options.');

export const userSpec = z
  .object({
    loginName: z
      .string()
      .min(1)
      .max(255)
      .regex(/^\S(.*\S)?$/)
      .optional()
      .describe(
        'Name the user logs in with (the Keystone user name); unique within the domain. Defaults to metadata.name; set it when the login name is not a valid object name, e.g. an email address.',
      ),
    displayName,
    description,
    email: z
      .string()
      .max(254)
      .regex(EMAIL)
      .optional()
      .describe('Email address of the user, for example alice@example.com.'),
    enabled: z
      .boolean()
      .default(true)
      .describe(
        'Whether the user may log in. Disabling a user also invalidates the tokens already issued to them.',
      ),
    domain: domainField('user'),
    defaultProject: z
      .string()
      .min(1)
      .max(63)
      .regex(DNS_LABEL)
      .optional()
      .describe(
        'Project a token is scoped to when the login names none (Keystone default_project_id). Grants nothing by itself: the roles come from projects.',
      ),
    passwordSecretRef: passwordSecretRef.optional(),
    projects: z
      .array(userProject)
      .max(256)
      .optional()
      .meta({
        description:
          "The user's role assignments, one entry per project; they become RoleBindings in each project's namespace. (Subjects the cluster authenticates itself are listed in Project spec.members instead.)",
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['project'],
      }),
    options: userOptions.optional(),
  })
  .describe('Desired state of the user.');

export const userStatus = z
  .object({
    ...baseStatus,
    loginName: z
      .string()
      .max(255)
      .optional()
      .describe('The login name in effect: spec.loginName, or metadata.name when that is unset.'),
    passwordHashSecret: z
      .string()
      .max(253)
      .optional()
      .describe("Name of the Secret, in the operator's namespace, that holds the password hash."),
    passwordUpdatedAt: z
      .string()
      .meta({ format: 'date-time' })
      .optional()
      .describe('When the password (hash) last changed.'),
    passwordExpiresAt: z
      .string()
      .meta({ format: 'date-time' })
      .optional()
      .describe('When the password expires (Keystone password_expires_at); unset if it never does.'),
  })
  .describe('Observed state of the user.');

export const User = defineKind({
  kind: 'User',
  plural: 'users',
  singular: 'user',
  shortNames: ['usr'],
  scope: 'Cluster',
  openstack: 'Keystone user',
  description:
    'User is someone who logs in to the OpenStack API, like a Keystone user. Cluster-scoped: the password lives only as a hash, and the roles in spec.projects become RoleBindings in those projects.',
  spec: userSpec,
  status: userStatus,
  printerColumns: [
    column('Email', 'string', '.spec.email', 'Email address'),
    column('Enabled', 'boolean', '.spec.enabled', 'Whether the user may log in'),
    column('Default-Project', 'string', '.spec.defaultProject', 'Project a login is scoped to by default'),
    wideColumn('Login', 'string', '.status.loginName', 'Login name in effect'),
  ],
});

export type UserObject = KindObject<typeof User>;
