import { describe, expect, it } from 'vitest';
import { loadApiConfig } from './config.js';

describe('API configuration', () => {
  it('has defaults that match the chart', () => {
    const config = loadApiConfig({});
    expect(config.STRATUS_API_PORT).toBe(8080);
    expect(config.STRATUS_HEALTH_PORT).toBe(8081);
    expect(config.STRATUS_API_IMPERSONATION_GROUPS).toEqual(['stratus:users']);
  });

  it('reads the chart’s environment', () => {
    const config = loadApiConfig({
      STRATUS_API_PORT: '9000',
      STRATUS_API_PUBLIC_URL: 'https://cloud.example.com',
      STRATUS_API_TOKEN_KEYS_SECRET: 'x-api-token-keys',
      STRATUS_API_TOKEN_KEYS_DIR: '/etc/stratus/token-keys',
      STRATUS_API_IMPERSONATION_GROUPS: 'stratus:users, extra',
    });
    expect(config.STRATUS_API_PORT).toBe(9000);
    expect(config.STRATUS_API_IMPERSONATION_GROUPS).toEqual(['stratus:users', 'extra']);
  });

  it('names the bad variable', () => {
    expect(() => loadApiConfig({ STRATUS_API_PUBLIC_URL: 'cloud.example.com' })).toThrow(
      /STRATUS_API_PUBLIC_URL/,
    );
    expect(() => loadApiConfig({ STRATUS_API_PORT: 'x' })).toThrow(/STRATUS_API_PORT/);
  });
});
