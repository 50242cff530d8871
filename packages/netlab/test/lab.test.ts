// One real lab (root): the client on its own, a hand-made WireGuard client through every relay, the
// resolvers' logs, the leak capture and every fault.
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab } from '../src/lab.js';
import { processesIn } from '../src/teardown.js';
import { waitFor } from '../src/wait.js';
import { CAN_RUN_LAB, HandMadeClient, SKIP_REASON } from './support.js';

describe.skipIf(!CAN_RUN_LAB)(`lab${SKIP_REASON === '' ? '' : ` (${SKIP_REASON})`}`, () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await Lab.up();
  }, 60_000);

  afterAll(async () => {
    await lab.down();
  });

  it('lets the client reach web directly with its own addresses, by address and by name', async () => {
    expect(await lab.whatIsMyIp(4)).toBe('198.51.100.2');
    expect(await lab.whatIsMyIp(6)).toBe('2001:db8:c1::2');
    expect(await lab.whatIsMyIp(6, { useDns: true })).toBe('2001:db8:c1::2');
  });

  it("runs client programs with the lab's resolv.conf and the host's cgroup tree, leaving the host alone", async () => {
    const hostResolv = readFileSync('/etc/resolv.conf', 'utf8');
    const seen = await lab.runInClient(['cat', '/etc/resolv.conf']);
    expect(seen.stdout).toBe(readFileSync(lab.resolvConfPath, 'utf8'));
    expect(seen.stdout).toContain('nameserver 198.51.100.253');
    const cgroup = await lab.runInClient(['cat', '/sys/fs/cgroup/unified/cgroup.controllers'], {
      allowFailure: true,
    });
    const hostCgroup = existsSync('/sys/fs/cgroup/unified/cgroup.controllers')
      ? readFileSync('/sys/fs/cgroup/unified/cgroup.controllers', 'utf8')
      : undefined;
    if (hostCgroup !== undefined) expect(cgroup.stdout).toBe(hostCgroup);
    const links = await lab.runInClient(['ip', '-o', 'link', 'show']);
    expect(links.stdout).toContain(`${lab.name}-u1`);
    expect(readFileSync('/etc/resolv.conf', 'utf8')).toBe(hostResolv);
    // Exit codes come back through the launcher, and signals reach the program.
    expect((await lab.runInClient(['false'], { allowFailure: true })).code).toBe(1);
    const program = lab.spawnInClient(['sleep', '600'], { stdio: 'ignore' });
    const exited = new Promise((resolve) =>
      program.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const inClient = () => processesIn([lab.namespaceOf('client')]);
    await waitFor(() => inClient().some((pid) => readFileSync(`/proc/${pid}/comm`, 'utf8') === 'sleep\n'), {
      what: 'sleep in the client',
    });
    program.kill('SIGTERM');
    expect(await exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(inClient()).toEqual([]);
  });

  it('hands out one wg-quick config per relay and a relay list', () => {
    expect(lab.relays.map((r) => r.name)).toEqual(['se-got', 'de-fra', 'us-nyc']);
    for (const relay of lab.relays) {
      expect(relay.confPath.endsWith(`/confs/${relay.name}-wg-001.conf`)).toBe(true);
      expect(readFileSync(relay.confPath, 'utf8')).toContain(`Endpoint = ${relay.address.v4}:51820`);
    }
    const list = JSON.parse(readFileSync(lab.relayListPath, 'utf8')) as {
      countries: { cities: { relays: { hostname: string; publicKey: string }[] }[] }[];
    };
    const listed = list.countries.flatMap((c) => c.cities.flatMap((city) => city.relays));
    expect(listed.map((r) => r.hostname)).toEqual(lab.relays.map((r) => r.hostname));
    expect(listed.map((r) => r.publicKey)).toEqual(lab.relays.map((r) => r.publicKey));
  });

  it('serves bytes for throughput and runs an iperf3 server', async () => {
    expect(await lab.download(8 * 1024 * 1024, 6)).toMatchObject({ bytes: 8 * 1024 * 1024 });
    const iperf = await lab.exec('client', [
      'iperf3',
      '--client',
      lab.web.address.v4,
      '--time',
      '1',
      '--json',
    ]);
    const report = JSON.parse(iperf.stdout) as { end: { sum_received: { bytes: number } } };
    expect(report.end.sum_received.bytes).toBeGreaterThan(0);
  });

  it("logs the isp resolver's queries with the asker", async () => {
    lab.clearDnsQueries();
    expect(await lab.resolveInClient('web.lab', { family: 4 })).toEqual(['198.51.100.130']);
    await expect(lab.resolveInClient('nothing-here.lab', { server: '2001:db8:53::53' })).rejects.toThrow();
    const seen = lab.dnsQueriesSeen();
    expect(seen).toContainEqual(
      expect.objectContaining({
        resolver: 'isp',
        from: '198.51.100.2',
        name: 'web.lab',
        type: 'A',
        rcode: 0,
      }),
    );
    expect(seen).toContainEqual(
      expect.objectContaining({
        resolver: 'isp',
        from: '2001:db8:c1::2',
        name: 'nothing-here.lab',
        rcode: 3,
      }),
    );
  });

  describe('a hand-made WireGuard client', () => {
    let client: HandMadeClient;

    beforeAll(async () => {
      client = await HandMadeClient.start(lab);
    });

    afterAll(async () => {
      await client.stop();
    });

    it('reaches web through each relay with that relay address, IPv4 and IPv6', async () => {
      for (const relay of lab.relays) {
        await client.use(relay);
        expect(await lab.whatIsMyIp(4)).toBe(relay.address.v4);
        expect(await lab.whatIsMyIp(6)).toBe(relay.address.v6);
      }
      // And over an IPv6 endpoint.
      const first = lab.relays[0];
      if (first === undefined) throw new Error('no relay');
      await client.use(first, { ipv6Endpoint: true });
      expect(await lab.whatIsMyIp(4)).toBe(first.address.v4);
      expect(await lab.whatIsMyIp(6)).toBe(first.address.v6);
    });

    it("logs queries to each relay's in-tunnel resolver with the tunnel address", async () => {
      lab.clearDnsQueries();
      for (const relay of lab.relays) {
        await client.use(relay);
        expect(await lab.resolveInClient('web.lab', { server: '10.64.0.1' })).toEqual(['198.51.100.130']);
        expect(await lab.resolveInClient('web.lab', { server: 'fc00:bbbb::1', family: 6 })).toEqual([
          '2001:db8:80::2',
        ]);
      }
      const seen = lab.dnsQueriesSeen();
      for (const relay of lab.relays) {
        const mine = seen.filter((q) => q.resolver === relay.name);
        expect(mine.map((q) => [q.from, q.server, q.type])).toEqual([
          ['10.64.0.2', '10.64.0.1', 'A'],
          ['fc00:bbbb::2', 'fc00:bbbb::1', 'AAAA'],
        ]);
      }
      expect(seen.filter((q) => q.resolver === 'isp')).toEqual([]);
    });

    it('counts a deliberately leaked packet and not WireGuard to the relay', async () => {
      const relay = lab.relays[1];
      if (relay === undefined) throw new Error('no relay');
      await client.use(relay);
      const capture = await lab.startLeakCapture();
      expect(await lab.whatIsMyIp(4)).toBe(relay.address.v4);
      expect(await lab.whatIsMyIp(6)).toBe(relay.address.v6);
      // Outside the tunnel (only web and the gateway are routed into it): to the isp's resolver address.
      await lab.sendUdpFromClient('198.51.100.253', 9999, 'deliberate leak');
      const result = await capture.stop();
      expect(result.complete).toBe(true);
      expect(result.wireguard.length).toBeGreaterThan(4);
      expect(result.wireguard.every((p) => p.dst === relay.address.v4 || p.dst === relay.address.v6)).toBe(
        true,
      );
      expect(result.leaks.map((p) => [p.protocol, p.src, p.dst, p.dstPort])).toEqual([
        ['udp', '198.51.100.2', '198.51.100.253', 9999],
      ]);
    });

    it('killRelay stops a relay; reviveRelay brings it back', async () => {
      const relay = lab.relays[0];
      if (relay === undefined) throw new Error('no relay');
      await client.use(relay);
      expect(await lab.whatIsMyIp(4)).toBe(relay.address.v4);
      await lab.killRelay(relay.name);
      expect(existsSync(`/var/run/wireguard/${relay.wgInterface}.sock`)).toBe(false);
      await client.use(relay);
      await expect(lab.whatIsMyIp(4, { timeoutMs: 1_500 })).rejects.toThrow();
      await lab.reviveRelay(relay.name);
      await client.use(relay);
      expect(await lab.whatIsMyIp(4)).toBe(relay.address.v4);
    });

    it('blackholeRelay makes packets to and from a relay vanish, and is undone', async () => {
      const [relay, other] = lab.relays;
      if (relay === undefined || other === undefined) throw new Error('no relay');
      await client.use(relay);
      expect(await lab.whatIsMyIp(4)).toBe(relay.address.v4);
      await lab.blackholeRelay(relay.name);
      await expect(lab.whatIsMyIp(4, { timeoutMs: 1_500 })).rejects.toThrow();
      // Other relays and the direct path are unaffected.
      await client.use(other);
      expect(await lab.whatIsMyIp(6)).toBe(other.address.v6);
      await lab.unblackholeRelay(relay.name);
      await client.use(relay);
      expect(await lab.whatIsMyIp(4)).toBe(relay.address.v4);
    });

    it('setPathMtu drops large packets between the client and the relays only', async () => {
      const relay = lab.relays[2];
      if (relay === undefined) throw new Error('no relay');
      await client.use(relay);
      // Through the tunnel: 1300-byte pings become ~1360-byte WireGuard packets.
      const ping = (size: number, target: string) =>
        lab.exec('client', ['ping', '-c', '1', '-W', '1', '-s', String(size), '-M', 'do', target], {
          allowFailure: true,
        });
      expect((await ping(1300, '198.51.100.130')).code).toBe(0);
      await lab.setPathMtu(1280);
      expect((await ping(1300, '198.51.100.130')).code).not.toBe(0);
      expect((await ping(1100, '198.51.100.130')).code).toBe(0);
      // Not between the client and the isp.
      expect((await ping(1400, '198.51.100.1')).code).toBe(0);
      await lab.setPathMtu(null);
      expect((await ping(1300, '198.51.100.130')).code).toBe(0);
    });

    it('changeClientUplink moves the client to its other uplink and address', async () => {
      const relay = lab.relays[0];
      if (relay === undefined) throw new Error('no relay');
      await client.use(relay);
      expect(await lab.whatIsMyIp(4)).toBe(relay.address.v4);
      const moved = await lab.changeClientUplink();
      try {
        expect(moved).toEqual({ v4: '198.51.100.66', v6: '2001:db8:c2::2' });
        expect(lab.clientAddress).toEqual(moved);
        const routes = await lab.exec('client', ['ip', '-4', 'route', 'show', 'default']);
        expect(routes.stdout).toContain(`via 198.51.100.65 dev ${lab.name}-u2`);
        // wireguard-go keeps its old source address (and interface) after the old link went down, so
        // the client sets its peer again after the change; the relay then sees the new address.
        await client.use(relay);
        expect(await lab.whatIsMyIp(6)).toBe(relay.address.v6);
        const seen = await lab.exec(relay.name, ['wg', 'show', relay.wgInterface, 'endpoints']);
        expect(seen.stdout).toContain('198.51.100.66:');
        const capture = await lab.startLeakCapture();
        await lab.sendUdpFromClient('2001:db8:53::53', 9999);
        const result = await capture.stop();
        expect(result.leaks.map((p) => [p.interface, p.src])).toEqual([[`${lab.name}-c2`, '2001:db8:c2::2']]);
      } finally {
        expect(await lab.changeClientUplink()).toEqual({ v4: '198.51.100.2', v6: '2001:db8:c1::2' });
      }
      await client.use(relay);
      expect(await lab.whatIsMyIp(4)).toBe(relay.address.v4);
    });
  });

  it('the client is direct again once the hand-made tunnel is gone', async () => {
    expect(await lab.whatIsMyIp(4)).toBe('198.51.100.2');
  });
});
