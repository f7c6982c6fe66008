// Keystone's request bodies. Only POST /v3/auth/tokens takes one: the identity (password or
// token method) and the scope (a project by id, or by name within its domain; or unscoped).
// Domain, system and trust scopes parse, so that they can be refused in Keystone's words
// (401) rather than as malformed input (400).
import { z } from 'zod';

const domainRef = z.strictObject({
  id: z.string().min(1).max(64).optional(),
  name: z.string().min(1).max(64).optional(),
});

/** A user or project named by id, or by name within a domain. */
export interface NamedRef {
  id?: string;
  name?: string;
  domain?: { id?: string; name?: string };
}

export const authRequest = z.object({
  auth: z.object({
    identity: z.object({
      methods: z.array(z.enum(['password', 'token', 'application_credential', 'totp'])).min(1),
      password: z
        .object({
          user: z.object({
            id: z.string().min(1).max(255).optional(),
            name: z.string().min(1).max(255).optional(),
            domain: domainRef.optional(),
            password: z.string().max(4096),
          }),
        })
        .optional(),
      token: z.object({ id: z.string().min(1).max(1024) }).optional(),
    }),
    scope: z
      .union([
        z.literal('unscoped'),
        z.object({
          project: z
            .object({
              id: z.string().min(1).max(255).optional(),
              name: z.string().min(1).max(255).optional(),
              domain: domainRef.optional(),
            })
            .optional(),
          domain: domainRef.optional(),
          system: z.unknown().optional(),
          'OS-TRUST:trust': z.unknown().optional(),
        }),
      ])
      .optional(),
  }),
});

export type AuthRequest = z.infer<typeof authRequest>;
export type AuthIdentity = AuthRequest['auth']['identity'];
export type AuthScope = AuthRequest['auth']['scope'];
