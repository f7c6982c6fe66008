import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('operator configuration', () => {
  it('has defaults for everything', () => {
    const config = loadConfig({});
    expect(config.STRATUS_NAMESPACE).toBe('stratus-system');
    expect(config.STRATUS_LEADER_ELECT).toBe(true);
    expect(config.STRATUS_HEALTH_PORT).toBe(8081);
  });

  it('takes flags over the environment', () => {
    const config = loadConfig({ STRATUS_HEALTH_PORT: '9000' }, [
      '--health-port=9100',
      '--leader-elect=false',
    ]);
    expect(config.STRATUS_HEALTH_PORT).toBe(9100);
    expect(config.STRATUS_LEADER_ELECT).toBe(false);
  });

  it('names the bad variable', () => {
    expect(() => loadConfig({ STRATUS_HEALTH_PORT: 'eighty' })).toThrow(/STRATUS_HEALTH_PORT/);
    expect(() => loadConfig({ STRATUS_LOG_LEVEL: 'loud' })).toThrow(/STRATUS_LOG_LEVEL/);
    expect(() => loadConfig({}, ['--helth-port=1'])).toThrow(/unknown flag\(s\): STRATUS_HELTH_PORT/);
  });
});
