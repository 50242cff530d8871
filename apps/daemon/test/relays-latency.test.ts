// Relay latency: ping's output read by a pure function, the targets of a request, the probe's command,
// and the meter that schedules probes (bounded, cached, shared, cancellable) on a fake prober.
import { emptyRelayList, type RelayList } from '@sluice/api/domain';
import { describe, expect, it } from 'vitest';
import { CommandError, RecordingRunner } from '../src/net/exec.js';
import {
  latencyTargets,
  parsePingOutput,
  pingArgv,
  pingErrorReason,
  relayLatency,
  type ProbeResult,
} from '../src/relays/latency.js';
import { LatencyMeter, PingProber, type LatencyProber } from '../src/relays/latency-meter.js';

const IPUTILS_REPLY = `PING 198.51.100.7 (198.51.100.7) 56(84) bytes of data.

--- 198.51.100.7 ping statistics ---
1 packets transmitted, 1 received, 0% packet loss, time 0ms
rtt min/avg/max/mdev = 12.345/13.000/14.100/0.700 ms
`;
const IPUTILS_NO_REPLY = `PING 198.51.100.7 (198.51.100.7) 56(84) bytes of data.

--- 198.51.100.7 ping statistics ---
1 packets transmitted, 0 received, 100% packet loss, time 0ms

`;
const BUSYBOX_REPLY = `PING 198.51.100.7 (198.51.100.7): 56 data bytes

--- 198.51.100.7 ping statistics ---
1 packets transmitted, 1 packets received, 0% packet loss
round-trip min/avg/max = 0.061/0.061/0.061 ms
`;

describe('ping output', () => {
  it('reads the minimum round-trip time of the summary (iputils and busybox)', () => {
    expect(parsePingOutput(IPUTILS_REPLY, 1000)).toEqual({ rttMs: 12.345 });
    expect(parsePingOutput(BUSYBOX_REPLY, 1000)).toEqual({ rttMs: 0.061 });
  });

  it('no reply, and output it cannot read, are unknown with a reason, never a number', () => {
    expect(parsePingOutput(IPUTILS_NO_REPLY, 1000)).toEqual({ reason: 'no reply within 1000 ms' });
    for (const text of ['', 'rtt min/avg/max/mdev = nan/nan/nan/nan ms', 'rtt min/avg/max/mdev = -/-/-/- ms'])
      expect(parsePingOutput(text, 1000)).toEqual({ reason: 'ping printed no round-trip time' });
  });

  it("ping's complaint, first line only and cut short", () => {
    expect(pingErrorReason('ping: connect: Network is unreachable\n')).toBe(
      'ping failed: ping: connect: Network is unreachable',
    );
    expect(pingErrorReason(`\n${'x'.repeat(500)}\nsecond`)).toBe(`ping failed: ${'x'.repeat(120)}`);
    expect(pingErrorReason('')).toBe('ping failed');
  });

  it('one IPv4 echo, numeric, summary only, a fractional wait and the mark', () => {
    expect(pingArgv('198.51.100.7', { mark: 0x534c, timeoutMs: 1000 })).toEqual([
      'ping',
      '-4',
      '-n',
      '-q',
      '-c',
      '1',
      '-W',
      '1.000',
      '-m',
      '21324',
      '198.51.100.7',
    ]);
  });
});

function relayList(
  relays: { hostname: string; ipv4AddrIn?: string; active?: boolean; ipv6AddrIn?: string }[],
): RelayList {
  const list = emptyRelayList();
  list.countries.push({
    code: 'se',
    name: 'Sweden',
    cities: [
      {
        code: 'got',
        name: 'Gothenburg',
        latitude: 0,
        longitude: 0,
        relays: relays.map((relay) => ({
          ipv4AddrIn: '',
          ipv6AddrIn: '',
          publicKey: 'k',
          provider: '',
          owned: false,
          active: true,
          weight: 100,
          dnsServers: [],
          tunnelIpv4Only: false,
          ...relay,
        })),
      },
    ],
  });
  return list;
}

describe('latency targets', () => {
  const list = relayList([
    { hostname: 'se-got-1', ipv4AddrIn: '198.51.100.1' },
    { hostname: 'se-got-2', ipv4AddrIn: '198.51.100.2', active: false },
    { hostname: 'se-got-3', ipv6AddrIn: '2001:db8::3' },
    { hostname: 'se-got-4', ipv4AddrIn: '198.51.100.4' },
  ]);

  it('no names: every active relay; one without an IPv4 endpoint is unknown with the reason', () => {
    expect(latencyTargets(list, [], 100)).toEqual([
      { hostname: 'se-got-1', address: '198.51.100.1' },
      { hostname: 'se-got-3', reason: 'the relay has no IPv4 endpoint to probe' },
      { hostname: 'se-got-4', address: '198.51.100.4' },
    ]);
  });

  it('names: in their order, each once, inactive ones too; unknown names are said to be unknown', () => {
    expect(latencyTargets(list, ['se-got-4', 'se-got-2', 'nope-1', 'se-got-4'], 100)).toEqual([
      { hostname: 'se-got-4', address: '198.51.100.4' },
      { hostname: 'se-got-2', address: '198.51.100.2' },
      { hostname: 'nope-1', reason: 'not in the relay list' },
    ]);
  });

  it('at most `max` are probed; the rest say why they were not', () => {
    expect(latencyTargets(list, [], 1)).toEqual([
      { hostname: 'se-got-1', address: '198.51.100.1' },
      { hostname: 'se-got-3', reason: 'the relay has no IPv4 endpoint to probe' },
      { hostname: 'se-got-4', reason: 'not measured: one request measures at most 1 relays' },
    ]);
  });

  it('a measurement becomes a time; a reason stays a reason, with or without a probe', () => {
    const at = Date.UTC(2025, 0, 1);
    expect(relayLatency('a-1', { result: { rttMs: 3.5 }, at })).toEqual({
      hostname: 'a-1',
      kind: 'measured',
      rttMs: 3.5,
      measuredAt: new Date(at),
    });
    expect(relayLatency('a-1', { result: { reason: 'no reply within 1000 ms' }, at })).toEqual({
      hostname: 'a-1',
      kind: 'unknown',
      reason: 'no reply within 1000 ms',
      measuredAt: new Date(at),
    });
    expect(relayLatency('a-1', { reason: 'not in the relay list' })).toEqual({
      hostname: 'a-1',
      kind: 'unknown',
      reason: 'not in the relay list',
    });
  });
});

describe('the ping prober', () => {
  const options = { mark: 0x534c, timeoutMs: 1000 };

  it('runs one marked ping through the runner and reads its summary; exit 1 is "no reply"', async () => {
    const runner = new RecordingRunner((argv) =>
      argv.at(-1) === '198.51.100.1' ? { stdout: IPUTILS_REPLY } : { stdout: IPUTILS_NO_REPLY, code: 1 },
    );
    const prober = new PingProber(runner, options);
    const signal = new AbortController().signal;
    expect(await prober.probe('198.51.100.1', signal)).toEqual({ rttMs: 12.345 });
    expect(await prober.probe('198.51.100.2', signal)).toEqual({ reason: 'no reply within 1000 ms' });
    expect(runner.transcript()).toEqual([
      'ping -4 -n -q -c 1 -W 1.000 -m 21324 198.51.100.1',
      'ping -4 -n -q -c 1 -W 1.000 -m 21324 198.51.100.2',
    ]);
  });

  it("a ping that fails says why (its stderr, or the runner's words); a cancelled one rejects", async () => {
    const runner = new RecordingRunner((argv) =>
      argv.at(-1) === '198.51.100.1'
        ? { code: 2, stderr: 'ping: connect: Network is unreachable\n' }
        : new CommandError(argv, null, '', 'failed: ping is not installed'),
    );
    const prober = new PingProber(runner, options);
    const signal = new AbortController().signal;
    expect(await prober.probe('198.51.100.1', signal)).toEqual({
      reason: 'ping failed: ping: connect: Network is unreachable',
    });
    const missing = await prober.probe('198.51.100.2', signal);
    expect('reason' in missing && missing.reason).toMatch(/ping is not installed$/);
    await expect(prober.probe('198.51.100.3', AbortSignal.abort())).rejects.toThrow(/was cancelled/);
  });
});

/** A prober whose probes the test answers by hand; it records what was launched and what was aborted. */
class FakeProber implements LatencyProber {
  readonly launched: string[] = [];
  readonly aborted: string[] = [];
  private readonly waiting = new Map<
    string,
    { resolve(result: ProbeResult): void; reject(e: Error): void }
  >();
  running = 0;
  maxRunning = 0;

  probe(address: string, signal: AbortSignal): Promise<ProbeResult> {
    this.launched.push(address);
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    return new Promise<ProbeResult>((resolve, reject) => {
      const done = (): void => {
        this.running--;
        this.waiting.delete(address);
      };
      this.waiting.set(address, {
        resolve: (result) => {
          done();
          resolve(result);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      });
      signal.addEventListener('abort', () => {
        this.aborted.push(address);
        done();
        reject(new Error('aborted'));
      });
    });
  }

  get pending(): string[] {
    return [...this.waiting.keys()];
  }

  answer(address: string, result: ProbeResult): void {
    const probe = this.waiting.get(address);
    if (!probe) throw new Error(`no probe of ${address} is waiting`);
    probe.resolve(result);
  }

  fail(address: string, error: Error): void {
    this.waiting.get(address)?.reject(error);
  }
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
};

function meter(prober: LatencyProber, extra: { concurrency?: number; now?: () => number } = {}) {
  return new LatencyMeter({ prober, launchesPerSecond: 0, cacheMs: 60_000, ...extra });
}

const addresses = (n: number): string[] => Array.from({ length: n }, (_, i) => `198.51.100.${i + 1}`);

describe('the latency meter', () => {
  it('never has more than `concurrency` probes in flight, and answers every address once', async () => {
    const prober = new FakeProber();
    const latency = meter(prober, { concurrency: 3 });
    const got = new Map<string, ProbeResult>();
    const done = latency.measure(addresses(20), new AbortController().signal, (address, m) => {
      expect(got.has(address)).toBe(false);
      got.set(address, m.result);
    });
    while (got.size < 20) {
      await settle();
      expect(prober.running).toBeLessThanOrEqual(3);
      for (const [i, address] of prober.pending.entries())
        prober.answer(address, i % 2 ? { rttMs: got.size + 1 } : { reason: 'no reply within 1000 ms' });
    }
    expect(await done).toBe(true);
    expect(prober.maxRunning).toBe(3);
    expect(prober.launched).toHaveLength(20);
  });

  it('keeps answers (replies and their absence) for cacheMs, then probes again', async () => {
    let now = 1_000_000;
    const prober = new FakeProber();
    const latency = meter(prober, { now: () => now });
    const measure = async (): Promise<Map<string, ProbeResult>> => {
      const got = new Map<string, ProbeResult>();
      const done = latency.measure(addresses(2), new AbortController().signal, (a, m) =>
        got.set(a, m.result),
      );
      await settle();
      for (const address of prober.pending)
        prober.answer(
          address,
          address.endsWith('.1') ? { rttMs: 20 } : { reason: 'no reply within 1000 ms' },
        );
      await done;
      return got;
    };
    const first = await measure();
    expect(prober.launched).toHaveLength(2);
    now += 59_000;
    expect(await measure()).toEqual(first);
    expect(prober.launched).toHaveLength(2);
    now += 1_000;
    await measure();
    expect(prober.launched).toHaveLength(4);
  });

  it('a second caller joins the probes already running or queued instead of probing again', async () => {
    const prober = new FakeProber();
    const latency = meter(prober, { concurrency: 1 });
    const first: string[] = [];
    const second: string[] = [];
    const a = latency.measure(addresses(3), new AbortController().signal, (address) => first.push(address));
    const b = latency.measure(addresses(4), new AbortController().signal, (address) => second.push(address));
    while (first.length < 3 || second.length < 4) {
      await settle();
      for (const address of prober.pending) prober.answer(address, { rttMs: 1 });
    }
    await Promise.all([a, b]);
    expect(prober.launched).toEqual(addresses(4));
  });

  it('a caller that goes away: its queued probes are never launched, its running one is killed', async () => {
    const prober = new FakeProber();
    const latency = meter(prober, { concurrency: 2 });
    const gone = new AbortController();
    const got: string[] = [];
    const done = latency.measure(addresses(10), gone.signal, (address) => got.push(address));
    await settle();
    prober.answer('198.51.100.1', { rttMs: 5 });
    await settle();
    expect(prober.pending).toEqual(['198.51.100.2', '198.51.100.3']);
    gone.abort();
    expect(await done).toBe(false);
    await settle();
    expect(prober.aborted.sort()).toEqual(['198.51.100.2', '198.51.100.3']);
    expect(prober.launched).toEqual(addresses(3));
    expect(got).toEqual(['198.51.100.1']);
    // Nothing was kept for the killed probes: a later caller probes them afresh.
    const again = latency.measure(['198.51.100.2'], new AbortController().signal, () => undefined);
    await settle();
    prober.answer('198.51.100.2', { rttMs: 7 });
    expect(await again).toBe(true);
  });

  it('a probe another caller still waits for is not killed when one caller leaves', async () => {
    const prober = new FakeProber();
    const latency = meter(prober);
    const leaving = new AbortController();
    const stays: ProbeResult[] = [];
    const a = latency.measure(['198.51.100.9'], leaving.signal, () => undefined);
    const b = latency.measure(['198.51.100.9'], new AbortController().signal, (_, m) => stays.push(m.result));
    await settle();
    leaving.abort();
    expect(await a).toBe(false);
    await settle();
    expect(prober.aborted).toEqual([]);
    prober.answer('198.51.100.9', { rttMs: 9 });
    expect(await b).toBe(true);
    expect(stays).toEqual([{ rttMs: 9 }]);
  });

  it('unknown stays unknown: no reply is a reason, and a probe that cannot run is a reason that is not kept', async () => {
    const prober = new FakeProber();
    const latency = meter(prober);
    const got = new Map<string, ProbeResult>();
    const done = latency.measure(addresses(2), new AbortController().signal, (a, m) => got.set(a, m.result));
    await settle();
    prober.answer('198.51.100.1', { reason: 'no reply within 1000 ms' });
    prober.fail('198.51.100.2', new Error('spawn ping EAGAIN'));
    await done;
    expect(got.get('198.51.100.1')).toEqual({ reason: 'no reply within 1000 ms' });
    expect(got.get('198.51.100.2')).toEqual({ reason: 'could not probe: spawn ping EAGAIN' });
    for (const result of got.values()) expect('rttMs' in result).toBe(false);
    const again = latency.measure(addresses(2), new AbortController().signal, () => undefined);
    await settle();
    expect(prober.pending).toEqual(['198.51.100.2']);
    prober.answer('198.51.100.2', { rttMs: 1 });
    await again;
  });

  it('paces launches across callers to launchesPerSecond', async () => {
    let now = 0;
    const launchedAt: number[] = [];
    const prober: LatencyProber = {
      probe: () => {
        launchedAt.push(now);
        return Promise.resolve({ rttMs: 1 });
      },
    };
    const latency = new LatencyMeter({
      prober,
      launchesPerSecond: 50,
      now: () => now,
      // Time passes once the sleeper yields, as it would with a timer.
      sleep: async (ms) => {
        await Promise.resolve();
        now += ms;
      },
    });
    await Promise.all([
      latency.measure(addresses(5), new AbortController().signal, () => undefined),
      latency.measure(addresses(10).slice(5), new AbortController().signal, () => undefined),
    ]);
    expect(launchedAt).toEqual([0, 20, 40, 60, 80, 100, 120, 140, 160, 180]);
  });

  it('closing ends every call as incomplete and launches nothing more', async () => {
    const prober = new FakeProber();
    const latency = meter(prober, { concurrency: 1 });
    const done = latency.measure(addresses(3), new AbortController().signal, () => undefined);
    await settle();
    latency.close();
    expect(await done).toBe(false);
    await settle();
    expect(prober.launched).toEqual(addresses(1));
    expect(prober.aborted).toEqual(addresses(1));
    expect(await latency.measure(addresses(1), new AbortController().signal, () => undefined)).toBe(false);
  });
});
