// The liveness monitor with a pinger that probes steadily: one probe process at the first silence, kept
// while it runs, started again once it has ended, stopped with the watch; and its ping's argv.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { watchTunnel } from '../src/tunnel/connectivity/monitor.js';
import { steadyProbeArgv, type Pinger, type SteadyProbe } from '../src/tunnel/connectivity/pinger.js';
import type { WireGuardDevice } from '../src/tunnel/device.js';
import type { DeviceStats } from '../src/tunnel/stats.js';

/** A device whose received bytes grow only while a steady probe runs (the relay answers the pings). */
function answeringSetup(): { device: WireGuardDevice; pinger: Pinger; probes: { running: boolean }[] } {
  const probes: { running: boolean }[] = [];
  let rxBytes = 0;
  const stats = (): Promise<DeviceStats> => {
    if (probes.some((p) => p.running)) rxBytes += 84;
    return Promise.resolve({
      listenPort: 1,
      fwmark: 0,
      rxBytes,
      txBytes: 0,
      lastHandshakeAgeMs: 1_000,
      peers: [],
    });
  };
  const device: WireGuardDevice = {
    backend: 'wireguard-go',
    name: 'wg-test',
    configure: () => Promise.resolve(),
    stats,
    close: () => Promise.resolve(),
    onEvent: () => () => undefined,
  };
  const pinger: Pinger = {
    ping: () => Promise.reject(new Error('a steady pinger is never asked for single pings')),
    probeSteadily: (): SteadyProbe => {
      const probe = { running: true, stop: () => (probe.running = false) };
      probes.push(probe);
      return probe;
    },
  };
  return { device, pinger, probes };
}

describe('watchTunnel with a steady probe', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts one probe at the first silence, keeps it, and stops it with the watch', async () => {
    const { device, pinger, probes } = answeringSetup();
    const onDead = vi.fn();
    const watch = watchTunnel({ device, pinger, probeTarget: '10.64.0.1', onDead });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(probes).toHaveLength(1);
    expect(onDead).not.toHaveBeenCalled();
    watch.stop();
    expect(probes[0]?.running).toBe(false);
  });

  it('starts another probe when the first one ended, before the tunnel counts as dead', async () => {
    const { device, pinger, probes } = answeringSetup();
    const onDead = vi.fn();
    const watch = watchTunnel({ device, pinger, probeTarget: '10.64.0.1', onDead });
    await vi.advanceTimersByTimeAsync(5_000);
    const first = probes[0];
    if (first) first.running = false; // its ping exited on its own
    await vi.advanceTimersByTimeAsync(10_000);
    expect(probes).toHaveLength(2);
    expect(onDead).not.toHaveBeenCalled();
    watch.stop();
  });
});

describe('steadyProbeArgv', () => {
  it('pings quietly through the interface at the interval, ending on its own after a while', () => {
    expect(steadyProbeArgv('wg-sluice', '10.64.0.1', 500)).toEqual([
      'ping',
      '-4',
      '-n',
      '-q',
      '-i',
      '0.500',
      '-w',
      '600',
      '-I',
      'wg-sluice',
      '10.64.0.1',
    ]);
    expect(steadyProbeArgv('wg-sluice', 'fc00:bbbb:bbbb:bb01::1', 500)[1]).toBe('-6');
  });
});
