import { describe, expect, it } from 'vitest';
import { serverActions } from './server-actions.js';

describe('server actions', () => {
  it('are registered by their Nova names', () => {
    expect(Object.keys(serverActions)).toEqual(['os-start', 'os-stop', 'reboot']);
  });

  it('start a stopped server and stop a running one', () => {
    expect(serverActions['os-start']!.from).toEqual(['SHUTOFF']);
    expect(serverActions['os-start']!.patchFor(null)).toEqual({ powerState: 'Running' });
    expect(serverActions['os-stop']!.from).not.toContain('BUILD');
    expect(serverActions['os-stop']!.patchFor(null)).toEqual({ powerState: 'Stopped' });
  });

  it('ask for a reboot with a new id each time, the type in capitals', () => {
    const first = serverActions.reboot!.patchFor({ type: 'hard' });
    const second = serverActions.reboot!.patchFor({ type: 'SOFT' });
    expect(first.rebootRequest).toMatchObject({ type: 'HARD' });
    expect(second.rebootRequest).toMatchObject({ type: 'SOFT' });
    expect(first.rebootRequest!.id).not.toBe(second.rebootRequest!.id);
    expect(() => serverActions.reboot!.patchFor({ type: 'gentle' })).toThrow();
  });
});
