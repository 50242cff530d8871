import { describe, expect, it } from 'vitest';
import { RecordingRunner } from '../src/net/exec.js';
import { linkMtuToward, mssFor, pingPayloadFor, searchPathMtu, tunnelMtu } from '../src/net/mtu.js';
import { ProcessPinger } from '../src/tunnel/connectivity/pinger.js';
import { mtuForPath } from '../src/tunnel/connectivity/path-mtu.js';

describe('tunnel MTU', () => {
  it('is the link MTU minus 60 (IPv4) or 80 (IPv6), clamped to 1280..1420', () => {
    expect(tunnelMtu(1500, 4, null)).toBe(1420);
    expect(tunnelMtu(1500, 6, null)).toBe(1420);
    expect(tunnelMtu(1400, 4, null)).toBe(1340);
    expect(tunnelMtu(1400, 6, null)).toBe(1320);
    expect(tunnelMtu(9000, 4, null)).toBe(1420);
    expect(tunnelMtu(1280, 6, null)).toBe(1280);
  });

  it('a user value overrides', () => {
    expect(tunnelMtu(1500, 4, 1300)).toBe(1300);
  });

  it('reads the MTU of the link the marked packets to the relay use', async () => {
    // One process: the route look-up and the link list in one batch (what `ip -j -batch -` prints).
    const runner = new RecordingRunner(() => ({
      stdout:
        '[{"dst":"192.0.2.10","gateway":"198.51.100.1","dev":"eth0","prefsrc":"198.51.100.2"}]\n' +
        '[{"ifname":"lo","mtu":65536},{"ifname":"eth0","mtu":1400}]\n',
    }));
    expect(await linkMtuToward(runner, '192.0.2.10', 0x534c)).toBe(1400);
    expect(runner.calls).toEqual([
      { argv: ['ip', '-j', '-batch', '-'], input: 'route get 192.0.2.10 mark 21324\nlink show\n' },
    ]);
  });
});

describe('path MTU search', () => {
  it('settles with one probe when the full size fits', async () => {
    const probes: number[] = [];
    expect(await searchPathMtu(1280, 1420, (mtu) => (probes.push(mtu), Promise.resolve(true)))).toBe(1420);
    expect(probes).toEqual([1420]);
  });

  it('finds the largest size that fits a black hole, a few probes at a time', async () => {
    for (const limit of [576, 577, 1000, 1136, 1280, 1281, 1300, 1333, 1419]) {
      // Probes sent together (one Promise.all) start before any of them answers: one round.
      let rounds = 0;
      let pending = 0;
      const found = await searchPathMtu(576, 1420, (mtu) => {
        if (pending++ === 0) rounds++;
        return new Promise<boolean>((resolve) =>
          setImmediate(() => {
            pending--;
            resolve(mtu <= limit);
          }),
        );
      });
      expect(found).toBe(limit);
      expect(rounds).toBeLessThanOrEqual(5);
    }
  });

  it('lowers an IPv4-only link to the path; with IPv6 keeps 1280 and clamps TCP', () => {
    expect(mtuForPath(1136, [4])).toEqual({ linkMtu: 1136, clampTcp: false });
    expect(mtuForPath(1136, [4, 6])).toEqual({ linkMtu: 1280, clampTcp: true });
    expect(mtuForPath(1312, [4, 6])).toEqual({ linkMtu: 1312, clampTcp: false });
    expect(mtuForPath(400, [4])).toEqual({ linkMtu: 576, clampTcp: true });
    expect(mssFor(1136, 4)).toBe(1096);
    expect(mssFor(1136, 6)).toBe(1076);
  });

  it('probes with DF pings of the right payload through the tunnel', async () => {
    expect(pingPayloadFor(1420, 4)).toBe(1392);
    expect(pingPayloadFor(1420, 6)).toBe(1372);
    const runner = new RecordingRunner(() => ({ code: 1 }));
    const pinger = new ProcessPinger(runner);
    expect(await pinger.ping('wg-sluice', '10.64.0.1', { size: 1420, count: 2, timeoutMs: 1000 })).toBe(
      false,
    );
    expect(await pinger.ping('wg-sluice', 'fc00:bbbb::1', { timeoutMs: 300 })).toBe(false);
    expect(runner.transcript()).toEqual([
      'ping -4 -n -q -c 2 -i 0.2 -W 1.000 -M do -s 1392 -I wg-sluice 10.64.0.1',
      'ping -6 -n -q -c 1 -W 0.300 -I wg-sluice fc00:bbbb::1',
    ]);
  });
});
