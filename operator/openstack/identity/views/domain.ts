// The one domain: every user and project lives in Keystone's `default` domain.
export const DOMAIN = { id: 'default', name: 'Default' } as const;

export function domainView(base: string) {
  return {
    ...DOMAIN,
    description: 'The default domain',
    enabled: true,
    tags: [],
    options: {},
    links: { self: `${base}/identity/v3/domains/default` },
  };
}

/** Whether a domain reference (by id or name, or none) names the default domain. */
export function isDefaultDomain(domain: { id?: string; name?: string } | undefined): boolean {
  if (!domain) return true;
  if (domain.id !== undefined && domain.id !== DOMAIN.id) return false;
  if (domain.name !== undefined && domain.name !== DOMAIN.name) return false;
  return true;
}
