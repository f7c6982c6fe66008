import { describe, expect, it } from 'vitest';
import { serverActionRoute, serverActionRules } from './server-actions.js';

describe('server actions', () => {
  it('are registered by their Nova names on one action route', () => {
    expect(Object.keys(serverActionRules)).toEqual(['os-start', 'os-stop', 'reboot']);
    expect(serverActionRoute.actions?.map((a) => a.name)).toEqual(['os-start', 'os-stop', 'reboot']);
    expect(serverActionRoute.path).toBe('/v2.1/servers/:id/action');
  });

  it('start a stopped server and stop a running one', () => {
    expect(serverActionRules['os-start'].from).toEqual(['SHUTOFF']);
    expect(serverActionRules['os-start'].patch({ 'os-start': null })).toEqual({ powerState: 'Running' });
    expect(serverActionRules['os-stop'].from).not.toContain('BUILD');
    expect(serverActionRules['os-stop'].patch({ 'os-stop': null })).toEqual({ powerState: 'Stopped' });
  });

  it('ask for a reboot with a new id each time, the type in capitals', () => {
    const first = serverActionRules.reboot.patch({ reboot: { type: 'hard' } });
    const second = serverActionRules.reboot.patch({ reboot: { type: 'SOFT' } });
    expect(first.rebootRequest).toMatchObject({ type: 'HARD' });
    expect(second.rebootRequest).toMatchObject({ type: 'SOFT' });
    expect(first.rebootRequest!.id).not.toBe(second.rebootRequest!.id);
    expect(serverActionRules.reboot.body.safeParse({ reboot: { type: 'gentle' } }).success).toBe(false);
  });
});
