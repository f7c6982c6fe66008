import { describe, expect, it } from 'vitest';
import { domainView, isDefaultDomain } from './domain.js';

describe('the default domain', () => {
  it('is shown with its self link', () => {
    expect(domainView('https://cloud.example.com')).toEqual({
      id: 'default',
      name: 'Default',
      description: 'The default domain',
      enabled: true,
      tags: [],
      options: {},
      links: { self: 'https://cloud.example.com/identity/v3/domains/default' },
    });
  });

  it('is what a reference names by id or name, or by saying nothing', () => {
    expect(isDefaultDomain(undefined)).toBe(true);
    expect(isDefaultDomain({ id: 'default' })).toBe(true);
    expect(isDefaultDomain({ name: 'Default' })).toBe(true);
    expect(isDefaultDomain({ id: 'default', name: 'Other' })).toBe(false);
    expect(isDefaultDomain({ id: 'other' })).toBe(false);
  });
});
