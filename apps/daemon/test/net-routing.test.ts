import { describe, expect, it } from 'vitest';
import { RecordingRunner } from '../src/net/exec.js';
import {
  defaultRouteSteps,
  staleRoutingCommands,
  tunnelUpSteps,
  type TunnelRouting,
} from '../src/net/routing.js';
import { applySteps, batchFailures, StepError, undoSteps } from '../src/net/steps.js';
import { FakeIp } from './fake-os/ip.js';

const routing: TunnelRouting = {
  interfaceName: 'wg-sluice',
  addresses: ['10.64.0.2/32', 'fc00:bbbb::2/128'],
  mtu: 1380,
  verifyTargets: ['10.64.0.1', 'fc00:bbbb::1'],
  families: [4, 6],
};

/** A runner whose `ip` is the stateful fake, recording each command and its stdin. */
function fakeIpRunner(ip = new FakeIp()) {
  const runner = new RecordingRunner((argv, input) => {
    if (argv[0] !== 'ip') return {};
    const result = ip.run(argv.slice(1), input);
    return result;
  });
  return { ip, runner };
}

const batches = (runner: RecordingRunner) =>
  runner.calls.map((call) => ({ argv: call.argv.join(' '), lines: call.input?.trim().split('\n') }));

describe('routing plan', () => {
  it('brings the tunnel up with wg-quick-style policy rules in two batches, and the default route only later', async () => {
    const { ip, runner } = fakeIpRunner();
    ip.addLink('wg-sluice', 1420);
    await applySteps(runner, tunnelUpSteps(routing));
    expect(batches(runner)).toEqual([
      {
        argv: 'ip -batch -',
        lines: [
          'link set dev wg-sluice mtu 1380',
          'address add 10.64.0.2/32 dev wg-sluice',
          'address add fc00:bbbb::2/128 dev wg-sluice',
          'link set dev wg-sluice up',
          'rule add table main suppress_prefixlength 0 priority 32760',
          'rule add not fwmark 0x534c/0xffff table 21324 priority 32761',
          'route add 10.64.0.1/32 dev wg-sluice table 21324',
          'route add fc00:bbbb::1/128 dev wg-sluice table 21324',
        ],
      },
      {
        argv: 'ip -6 -batch -',
        lines: [
          'rule add table main suppress_prefixlength 0 priority 32760',
          'rule add not fwmark 0x534c/0xffff table 21324 priority 32761',
        ],
      },
    ]);
    expect(ip.routesIn('21324').some((r) => r.startsWith('0.0.0.0/0'))).toBe(false);

    const later = fakeIpRunner(ip).runner;
    await applySteps(later, defaultRouteSteps(routing));
    expect(batches(later)).toEqual([
      {
        argv: 'ip -batch -',
        lines: ['route add 0.0.0.0/0 dev wg-sluice table 21324', 'route add ::/0 dev wg-sluice table 21324'],
      },
    ]);
    expect(ip.routesIn('21324')).toContain('::/0 dev wg-sluice');
  });

  it('leaves IPv6 alone when the tunnel carries only IPv4', async () => {
    const { ip, runner } = fakeIpRunner();
    ip.addLink('wg-sluice', 1420);
    await applySteps(runner, [
      ...tunnelUpSteps({ ...routing, families: [4] }),
      ...defaultRouteSteps({ ...routing, families: [4] }),
    ]);
    expect(runner.calls.map((c) => c.argv.join(' '))).toEqual(['ip -batch -']);
    expect(runner.calls[0]?.input).not.toMatch(/fc00|::/);
  });

  it('never touches the main table', () => {
    for (const step of [...tunnelUpSteps(routing), ...defaultRouteSteps(routing)]) {
      if (step.args[0] === 'route') expect(step.args).toContain('21324');
    }
  });

  it('undoes exactly what it did; addresses and link state may go with the link', async () => {
    const { ip, runner } = fakeIpRunner();
    const before = ip.snapshot();
    ip.addLink('wg-sluice', 1420);
    const done = await applySteps(runner, [...tunnelUpSteps(routing), ...defaultRouteSteps(routing)]);
    const explicit = fakeIpRunner(ip).runner;
    expect(await undoSteps(explicit, done)).toEqual([]);
    expect(batches(explicit)[0]).toEqual({
      argv: 'ip -force -batch -',
      lines: [
        'route del ::/0 dev wg-sluice table 21324',
        'route del 0.0.0.0/0 dev wg-sluice table 21324',
        'route del fc00:bbbb::1/128 dev wg-sluice table 21324',
        'route del 10.64.0.1/32 dev wg-sluice table 21324',
        'rule del not fwmark 0x534c/0xffff table 21324 priority 32761',
        'rule del table main suppress_prefixlength 0 priority 32760',
        'link set dev wg-sluice down',
        'address del fc00:bbbb::2/128 dev wg-sluice',
        'address del 10.64.0.2/32 dev wg-sluice',
      ],
    });
    ip.deleteLink('wg-sluice');
    expect(ip.snapshot()).toEqual(before);

    // When the link is about to go, its routes and the rules are removed and the rest is left to it.
    ip.addLink('wg-sluice', 1420);
    const again = await applySteps(fakeIpRunner(ip).runner, tunnelUpSteps(routing));
    const routingOnly = fakeIpRunner(ip).runner;
    expect(await undoSteps(routingOnly, again, { linkRemoved: true })).toEqual([]);
    expect(batches(routingOnly).flatMap((b) => b.lines)).toEqual([
      'route del fc00:bbbb::1/128 dev wg-sluice table 21324',
      'route del 10.64.0.1/32 dev wg-sluice table 21324',
      'rule del not fwmark 0x534c/0xffff table 21324 priority 32761',
      'rule del table main suppress_prefixlength 0 priority 32760',
      'rule del not fwmark 0x534c/0xffff table 21324 priority 32761',
      'rule del table main suppress_prefixlength 0 priority 32760',
    ]);
    ip.deleteLink('wg-sluice');
    expect(ip.snapshot()).toEqual(before);
  });

  it('rolls back a half-finished up and says which step failed and why', async () => {
    const { ip, runner } = fakeIpRunner();
    const before = ip.snapshot();
    ip.addLink('wg-sluice', 1420);
    ip.rules[6].push('not fwmark 0x534c/0xffff table 21324 priority 32761');
    // The MTU step has no undo: a fresh device's link goes with the device.
    ip.run(['link', 'set', 'dev', 'wg-sluice', 'mtu', '1380'], undefined);
    const clean = ip.snapshot();
    const error = await applySteps(runner, tunnelUpSteps(routing)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepError);
    expect((error as StepError).message).toBe(
      'IPv6: send unmarked traffic to table 21324: RTNETLINK answers: File exists',
    );
    expect(ip.snapshot()).toEqual(clean);
    ip.rules[6].pop();
    ip.deleteLink('wg-sluice');
    expect(ip.snapshot()).toEqual(before);
  });

  it('reads which lines of a batch failed', () => {
    expect(
      batchFailures('RTNETLINK answers: File exists\nCommand failed -:2\nError: x\nCommand failed -:5\n'),
    ).toEqual([
      { line: 2, message: 'RTNETLINK answers: File exists' },
      { line: 5, message: 'Error: x' },
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
    const commands = await staleRoutingCommands(runner);
    expect(commands.map((s) => s.argv.join(' '))).toEqual([
      'ip -4 rule del priority 32760',
      'ip -4 rule del priority 32761',
      'ip -4 route flush table 21324',
      'ip -6 rule del priority 32760',
      'ip -6 rule del priority 32761',
      'ip -6 route flush table 21324',
    ]);
  });
});
