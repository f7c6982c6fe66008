// The example tenant on `make dev`, through kubectl only: apply examples/, wait for the
// instance, stop/start/reboot it, delete it. The VMs are SIMULATED (simulator/): what is
// real is every object the operator writes and reads back.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { obtainBinaries, repoRoot } from '../harness/binaries.js';
import { eventually } from '../harness/testing/eventually.js';
import { cleanUpAfterEach, startMakeDev, waitUntilUp } from './support.js';

cleanUpAfterEach();

describe('the example tenant on make dev', () => {
  it('boots web-1 and follows stop, start, reboot and delete', async () => {
    const { kubectl: kubectlBinary } = await obtainBinaries();
    const run = startMakeDev();
    const { kubeconfig } = await waitUntilUp(run);
    const kubectl = (...args: string[]) => {
      const result = spawnSync(kubectlBinary, ['--kubeconfig', kubeconfig, ...args], { encoding: 'utf8' });
      return { ...result, out: result.stdout.trim() };
    };
    const field = (kind: string, name: string, path: string) =>
      kubectl('get', `${kind}`, name, '-n', 'demo', '-o', `jsonpath={${path}}`).out;

    // The seeded project is Ready before the kubeconfig appears, so the tenant applies at once.
    const apply = kubectl('apply', '-f', join(repoRoot, 'examples'));
    expect(apply.stderr).toBe('');
    const wait = kubectl('wait', '--for=condition=Ready', '--timeout=180s', 'instance/web-1', '-n', 'demo');
    expect(wait.out, wait.stderr).toContain('condition met');
    expect(field('instance.stratus.dev', 'web-1', '.status.state')).toBe('ACTIVE');
    expect(field('instance.stratus.dev', 'web-1', '.status.addresses[0].address')).toBe('10.0.0.10');
    expect(field('virtualmachine.kubevirt.io', 'web-1', '.spec.runStrategy')).toBe('Always');
    const firstVmi = field('virtualmachineinstance.kubevirt.io', 'web-1', '.metadata.uid');
    expect(firstVmi).not.toBe('');

    // Stop and start.
    kubectl(
      'patch',
      'instance.stratus.dev',
      'web-1',
      '-n',
      'demo',
      '--type=merge',
      '-p',
      '{"spec":{"powerState":"Stopped"}}',
    );
    await eventually(() => field('instance.stratus.dev', 'web-1', '.status.state') === 'SHUTOFF', {
      timeoutMs: 60_000,
      description: 'SHUTOFF',
    });
    expect(field('virtualmachine.kubevirt.io', 'web-1', '.spec.runStrategy')).toBe('Halted');
    kubectl(
      'patch',
      'instance.stratus.dev',
      'web-1',
      '-n',
      'demo',
      '--type=merge',
      '-p',
      '{"spec":{"powerState":"Running"}}',
    );
    await eventually(() => field('instance.stratus.dev', 'web-1', '.status.state') === 'ACTIVE', {
      timeoutMs: 60_000,
      description: 'ACTIVE again',
    });

    // Reboot: a new request id, answered once.
    const running = field('virtualmachineinstance.kubevirt.io', 'web-1', '.metadata.uid');
    kubectl(
      'patch',
      'instance.stratus.dev',
      'web-1',
      '-n',
      'demo',
      '--type=merge',
      '-p',
      '{"spec":{"rebootRequest":{"id":"e2e-1","type":"SOFT"}}}',
    );
    await eventually(
      () =>
        field('instance.stratus.dev', 'web-1', '.status.lastReboot.id') === 'e2e-1' &&
        field('instance.stratus.dev', 'web-1', '.status.state') === 'ACTIVE',
      {
        timeoutMs: 60_000,
        description: 'the reboot to complete',
      },
    );
    expect(field('virtualmachineinstance.kubevirt.io', 'web-1', '.metadata.uid')).not.toBe(running);

    // Delete: the VM goes with it.
    const del = kubectl(
      'delete',
      'instance.stratus.dev',
      'web-1',
      '-n',
      'demo',
      '--wait=true',
      '--timeout=120s',
    );
    expect(del.status, del.stderr).toBe(0);
    await eventually(() => kubectl('get', 'virtualmachine.kubevirt.io', 'web-1', '-n', 'demo').status !== 0, {
      timeoutMs: 120_000,
      description: 'the VirtualMachine to be deleted',
    });
    process.kill(-run.child.pid!, 'SIGINT');
    await run.exited;
  });
});
