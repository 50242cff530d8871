import { describe, expect, it } from 'vitest';
import { RecordingRunner } from '../src/net/exec.js';
import { linkMtuToward, pingPayloadFor, probeFits, searchPathMtu, tunnelMtu } from '../src/net/mtu.js';

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
    const runner = new RecordingRunner((argv) => {
      if (argv.includes('route'))
        return {
          stdout: '[{"dst":"192.0.2.10","gateway":"198.51.100.1","dev":"eth0","prefsrc":"198.51.100.2"}]',
        };
      return { stdout: '[{"ifname":"eth0","mtu":1400}]' };
    });
    expect(await linkMtuToward(runner, '192.0.2.10', 0x534c)).toBe(1400);
    expect(runner.transcript()).toEqual([
      'ip -j route get 192.0.2.10 mark 21324',
      'ip -j link show dev eth0',
    ]);
  });
});

describe('path MTU search', () => {
  it('settles with one probe when the full size fits', async () => {
    const probes: number[] = [];
    expect(await searchPathMtu(1280, 1420, (mtu) => (probes.push(mtu), Promise.resolve(true)))).toBe(1420);
    expect(probes).toEqual([1420]);
  });

  it('finds the largest size that fits a black hole', async () => {
    for (const limit of [1280, 1281, 1300, 1333, 1419]) {
      const probes: number[] = [];
      const found = await searchPathMtu(
        1280,
        1420,
        (mtu) => (probes.push(mtu), Promise.resolve(mtu <= limit)),
      );
      expect(found).toBe(limit);
      expect(probes.length).toBeLessThanOrEqual(9);
    }
  });

  it('probes with DF pings of the right payload through the tunnel', async () => {
    expect(pingPayloadFor(1420, 4)).toBe(1392);
    expect(pingPayloadFor(1420, 6)).toBe(1372);
    const runner = new RecordingRunner(() => ({ code: 1 }));
    expect(await probeFits(runner, 'wg-sluice', '10.64.0.1', 4, 1420)).toBe(false);
    expect(runner.transcript()).toEqual([
      'ping -4 -n -q -c 2 -i 0.2 -W 1 -M do -s 1392 -I wg-sluice 10.64.0.1',
    ]);
  });
});
