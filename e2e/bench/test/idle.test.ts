// The idle check's pure parts: which events count as false reconnects, finding sluiced among processes,
// reading its memory and CPU time from /proc text, and the window's wait (progress ticks, Ctrl-C).
import { pb } from '@sluice/api';
import { describe, expect, it } from 'vitest';
import { classifyIdleEvent, idleWait } from '../src/idle.js';
import { Interrupted } from '../src/interrupt.js';
import {
  cpuPercentOfOneCore,
  parseProcStat,
  parseVmRssKb,
  pickHelperPid,
  type ProcessEntry,
} from '../src/proc.js';

const relay = (hostname: string): pb.RelayEndpoint => ({
  hostname,
  country: hostname.slice(0, 2),
  city: hostname.slice(3, 6),
  endpoint: '203.0.113.2:51820',
  publicKey: 'k',
});

const stateEvent = (state: pb.TunnelState['state'], reason = ''): pb.EventsListenResponse => ({
  event: { $case: 'tunnelState', value: { state, lockedDown: false, reason, bypassRanges: [] } },
});

describe('classifyIdleEvent', () => {
  const via = 'se-got-wg-001';

  it('counts every state that is not connected, with its reason', () => {
    expect(
      classifyIdleEvent(
        stateEvent(
          { $case: 'disconnecting', value: { after: pb.Disconnecting_After.AFTER_RECONNECT } },
          'tunnel lost',
        ),
        via,
      ),
    ).toEqual({ kind: 'counted', what: 'disconnecting (tunnel lost)' });
    expect(
      classifyIdleEvent(stateEvent({ $case: 'connecting', value: { relay: relay(via), attempt: 1 } }), via),
    ).toEqual({ kind: 'counted', what: `connecting via ${via}` });
  });

  it('counts a connected via another relay, not one via the same relay', () => {
    expect(
      classifyIdleEvent(stateEvent({ $case: 'connected', value: { relay: relay('de-fra-wg-001') } }), via),
    ).toEqual({ kind: 'counted', what: 'connected via de-fra-wg-001' });
    expect(classifyIdleEvent(stateEvent({ $case: 'connected', value: { relay: relay(via) } }), via)).toEqual({
      kind: 'repeat',
    });
  });

  it('counts unexpected-disconnect notices and ignores other events', () => {
    expect(
      classifyIdleEvent(
        {
          event: {
            $case: 'notice',
            value: { kind: pb.Notice_Kind.KIND_UNEXPECTED_DISCONNECT, message: 'relay silent', detail: '' },
          },
        },
        via,
      ),
    ).toEqual({ kind: 'counted', what: 'notice KIND_UNEXPECTED_DISCONNECT (relay silent)' });
    expect(
      classifyIdleEvent(
        {
          event: {
            $case: 'notice',
            value: { kind: pb.Notice_Kind.KIND_SETTINGS_RECOVERED, message: '', detail: '' },
          },
        },
        via,
      ),
    ).toEqual({ kind: 'ignored' });
    expect(classifyIdleEvent({ event: undefined }, via)).toEqual({ kind: 'ignored' });
  });
});

describe('sluiced in /proc', () => {
  const socket = '/run/sluice-lab/lab1/bench.sock';
  const launcher: ProcessEntry = {
    pid: 100,
    ppid: 50,
    argv: [
      'node',
      '/x/netlab/dist/servers/launcher.js',
      '--',
      'node',
      '/x/daemon/dist/main.js',
      '--socket',
      socket,
    ],
  };
  const sluiced: ProcessEntry = {
    pid: 101,
    ppid: 100,
    argv: ['node', '/x/daemon/dist/main.js', '--socket', socket],
  };
  const wireguardGo: ProcessEntry = { pid: 102, ppid: 101, argv: ['wireguard-go', '-f', 'lab1-bench'] };
  const otherHelper: ProcessEntry = {
    pid: 200,
    ppid: 1,
    argv: ['node', '/x/daemon/dist/main.js', '--socket', '/run/sluice-lab/lab2/bench.sock'],
  };

  it('picks the process with the socket in its command line that is not the parent of another', () => {
    expect(pickHelperPid([launcher, sluiced, wireguardGo, otherHelper], socket)).toBe(101);
  });

  it('refuses none, or more than one', () => {
    expect(() => pickHelperPid([otherHelper], socket)).toThrow(/found none/);
    expect(() => pickHelperPid([sluiced, { ...sluiced, pid: 103 }], socket)).toThrow(/pids 101, 103/);
  });

  it('reads ppid, utime and stime from a stat line whose command name has spaces and parentheses', () => {
    const line =
      '4242 (node (sluiced) x) S 4241 4240 4240 0 -1 4194560 12345 0 3 0 1500 250 0 0 20 0 11 0 987654 ' +
      '1234567890 12800 18446744073709551615 1 1 0 0 0 0 0 16781312 17922 0 0 0 17 2 0 0 0 0 0';
    expect(parseProcStat(line)).toEqual({ ppid: 4241, utime: 1500, stime: 250 });
    expect(() => parseProcStat('garbage')).toThrow(/not a \/proc/);
  });

  it('reads VmRSS in kB, or null when there is none', () => {
    expect(parseVmRssKb('Name:\tnode\nVmPeak:\t  900000 kB\nVmRSS:\t   51234 kB\nThreads:\t11\n')).toBe(
      51234,
    );
    expect(parseVmRssKb('Name:\tkworker/0:1\nThreads:\t1\n')).toBeNull();
  });

  it('turns CPU ticks over wall time into percent of one core', () => {
    const start = { rssKb: 1, cpuTicks: 1000, at: 0 };
    expect(cpuPercentOfOneCore(start, { rssKb: 1, cpuTicks: 1600, at: 600_000 }, 100)).toBeCloseTo(1, 6);
    expect(cpuPercentOfOneCore(start, { rssKb: 1, cpuTicks: 1000, at: 0 }, 100)).toBe(0);
  });
});

describe('idleWait', () => {
  const never = new Promise<never>(() => undefined);

  it('waits the whole window and ticks at each step before its end', async () => {
    const ticks: number[] = [];
    const started = performance.now();
    await idleWait(120, new AbortController().signal, never, (ms) => ticks.push(ms), 50);
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
    expect(ticks).toEqual([50, 100]);
  });

  it('ends at once with the interrupt when the signal aborts (Ctrl-C)', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Interrupted('SIGINT')), 20);
    const started = performance.now();
    await expect(idleWait(10_000, controller.signal, never, () => undefined, 1_000)).rejects.toBeInstanceOf(
      Interrupted,
    );
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('ends with the stream’s failure when the event stream ends', async () => {
    const ended = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('the event stream ended during the idle window')), 20),
    );
    await expect(
      idleWait(10_000, new AbortController().signal, ended, () => undefined, 1_000),
    ).rejects.toThrow(/event stream ended/);
  });

  it('gives the exit code of the signal', () => {
    expect(new Interrupted('SIGINT').exitCode).toBe(130);
    expect(new Interrupted('SIGTERM').exitCode).toBe(143);
  });
});
