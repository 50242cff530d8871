import { describe, expect, it } from 'vitest';
import { CommandError, RecordingRunner } from '../src/net/exec.js';
import {
  defaultRouteSteps,
  staleRoutingSteps,
  tunnelUpSteps,
  type TunnelRouting,
} from '../src/net/routing.js';
import { applySteps, StepError, undoSteps } from '../src/net/steps.js';

const routing: TunnelRouting = {
  interfaceName: 'wg-sluice',
  addresses: ['10.64.0.2/32', 'fc00:bbbb::2/128'],
  mtu: 1380,
  verifyTargets: ['10.64.0.1', 'fc00:bbbb::1'],
  families: [4, 6],
};

describe('routing plan', () => {
  it('brings the tunnel up with wg-quick-style policy rules, and the default route only later', async () => {
    const runner = new RecordingRunner();
    await applySteps(runner, tunnelUpSteps(routing));
    expect(runner.transcript()).toEqual([
      'ip link set dev wg-sluice mtu 1380',
      'ip -4 address add 10.64.0.2/32 dev wg-sluice',
      'ip -6 address add fc00:bbbb::2/128 dev wg-sluice',
      'ip link set dev wg-sluice up',
      'ip -4 rule add table main suppress_prefixlength 0 priority 32760',
      'ip -4 rule add not fwmark 21324 table 21324 priority 32761',
      'ip -6 rule add table main suppress_prefixlength 0 priority 32760',
      'ip -6 rule add not fwmark 21324 table 21324 priority 32761',
      'ip -4 route add 10.64.0.1/32 dev wg-sluice table 21324',
      'ip -6 route add fc00:bbbb::1/128 dev wg-sluice table 21324',
    ]);
    expect(runner.transcript().some((line) => line.includes('default'))).toBe(false);

    const later = new RecordingRunner();
    await applySteps(later, defaultRouteSteps(routing));
    expect(later.transcript()).toEqual([
      'ip -4 route add default dev wg-sluice table 21324',
      'ip -6 route add default dev wg-sluice table 21324',
    ]);
  });

  it('leaves IPv6 alone when the tunnel carries only IPv4', async () => {
    const runner = new RecordingRunner();
    await applySteps(runner, [
      ...tunnelUpSteps({ ...routing, families: [4] }),
      ...defaultRouteSteps({ ...routing, families: [4] }),
    ]);
    expect(runner.transcript().filter((line) => line.includes('-6') || line.includes('fc00'))).toEqual([]);
  });

  it('never touches the main table', () => {
    const argv = [...tunnelUpSteps(routing), ...defaultRouteSteps(routing)].flatMap((step) => [
      step.argv,
      step.undo ?? [],
    ]);
    for (const command of argv) {
      if (command.includes('route')) expect(command).toContain('21324');
    }
  });

  it('undoes exactly what it did, newest first', async () => {
    const runner = new RecordingRunner();
    const done = await applySteps(runner, [...tunnelUpSteps(routing), ...defaultRouteSteps(routing)]);
    const undo = new RecordingRunner();
    expect(await undoSteps(undo, done)).toEqual([]);
    expect(undo.transcript()).toEqual([
      'ip -6 route del default dev wg-sluice table 21324',
      'ip -4 route del default dev wg-sluice table 21324',
      'ip -6 route del fc00:bbbb::1/128 dev wg-sluice table 21324',
      'ip -4 route del 10.64.0.1/32 dev wg-sluice table 21324',
      'ip -6 rule del not fwmark 21324 table 21324 priority 32761',
      'ip -6 rule del table main suppress_prefixlength 0 priority 32760',
      'ip -4 rule del not fwmark 21324 table 21324 priority 32761',
      'ip -4 rule del table main suppress_prefixlength 0 priority 32760',
      'ip link set dev wg-sluice down',
      'ip -6 address del fc00:bbbb::2/128 dev wg-sluice',
      'ip -4 address del 10.64.0.2/32 dev wg-sluice',
    ]);
  });

  it('rolls back a half-finished up and says which step failed and why', async () => {
    const runner = new RecordingRunner((argv) =>
      argv.join(' ') === 'ip -6 rule add not fwmark 21324 table 21324 priority 32761'
        ? new CommandError(argv, 2, 'RTNETLINK answers: Operation not supported', 'exited with 2')
        : {},
    );
    const error = await applySteps(runner, tunnelUpSteps(routing)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepError);
    expect((error as StepError).message).toMatch(
      /^IPv6: send unmarked traffic to table 21324: .*Operation not supported/,
    );
    expect(runner.transcript().slice(-7)).toEqual([
      'ip -6 rule add not fwmark 21324 table 21324 priority 32761',
      'ip -6 rule del table main suppress_prefixlength 0 priority 32760',
      'ip -4 rule del not fwmark 21324 table 21324 priority 32761',
      'ip -4 rule del table main suppress_prefixlength 0 priority 32760',
      'ip link set dev wg-sluice down',
      'ip -6 address del fc00:bbbb::2/128 dev wg-sluice',
      'ip -4 address del 10.64.0.2/32 dev wg-sluice',
    ]);
  });

  it('finds rules and routes a crashed helper left, by priority and table', async () => {
    const runner = new RecordingRunner((argv) =>
      argv.includes('show')
        ? {
            stdout: JSON.stringify([
              { priority: 0, src: 'all', table: 'local' },
              { priority: 32760, src: 'all', table: 'main', suppress_prefixlength: 0 },
              { priority: 32761, not: null, src: 'all', fwmark: '0x534c', table: '21324' },
              { priority: 32766, src: 'all', table: 'main' },
            ]),
          }
        : {},
    );
    const steps = await staleRoutingSteps(runner);
    expect(steps.map((s) => s.argv.join(' '))).toEqual([
      'ip -4 rule del priority 32760',
      'ip -4 rule del priority 32761',
      'ip -4 route flush table 21324',
      'ip -6 rule del priority 32760',
      'ip -6 rule del priority 32761',
      'ip -6 route flush table 21324',
    ]);
  });
});
