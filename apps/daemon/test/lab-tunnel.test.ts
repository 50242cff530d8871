// The tunnel engine for real: sluiced in a lab client, real wireguard-go relays, real ip and DNS.
// Root only (network namespaces); skipped with a message otherwise.
import { readFileSync } from 'node:fs';
import { pb } from '@sluice/api';
import { Lab } from '@sluice/netlab';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientNetworkState,
  connectedRelay,
  importLabRelays,
  isRoot,
  reconnectUntilMtu,
  startLabHelper,
  tunnelState,
  waitForState,
  type LabHelper,
} from './lab-support.js';
import { until } from './support.js';

if (!isRoot) console.warn('lab-tunnel: skipped, the lab needs root (network namespaces)');

describe.skipIf(!isRoot)('tunnel engine in the lab', () => {
  let lab: Lab;
  let helper: LabHelper;
  let before: Record<string, string>;

  const relayAddress = (hostname: string | undefined, family: 4 | 6): string => {
    const relay = lab.relays.find((r) => r.hostname === hostname);
    if (!relay) throw new Error(`no lab relay ${String(hostname)}`);
    return family === 4 ? relay.address.v4 : relay.address.v6;
  };

  beforeAll(async () => {
    lab = await Lab.up({ relays: 3 });
    helper = await startLabHelper(lab);
    before = await clientNetworkState(lab);
  }, 60_000);

  afterAll(async () => {
    // Either may be missing when beforeAll failed half-way.
    const started = helper as LabHelper | undefined;
    if (started) expect(await started.stop()).toBe(0);
    await (lab as Lab | undefined)?.down();
  }, 60_000);

  it('imports the lab relays and the identity from wg-quick files', async () => {
    const reply = await importLabRelays(lab, helper.client);
    expect(reply.relaysImported).toBe(3);
    expect(reply.identityImported).toBe(true);
    const { identity } = await helper.client.identity.getIdentity({});
    expect(identity?.addresses).toEqual(['10.64.0.2/32', 'fc00:bbbb::2/128']);
  });

  it('connects; the web server sees the relay address over IPv4 and IPv6; DNS goes to the relay', async () => {
    await helper.client.tunnel.connect({});
    const state = await waitForState(helper.client, 'connected');
    const relay = connectedRelay(state);
    expect(await lab.whatIsMyIp(4)).toBe(relayAddress(relay, 4));
    expect(await lab.whatIsMyIp(6)).toBe(relayAddress(relay, 6));

    lab.clearDnsQueries();
    expect(await lab.resolveInClient('web.lab')).toContain(lab.web.address.v4);
    const queries = lab.dnsQueriesSeen();
    expect(queries.length).toBeGreaterThan(0);
    // Answered in the tunnel by the relay's resolver, asked from the tunnel address; none to the ISP.
    expect(queries.every((q) => q.resolver !== 'isp')).toBe(true);
    expect(queries.every((q) => q.from === '10.64.0.2' || q.from === 'fc00:bbbb::2')).toBe(true);

    if (state.state?.$case !== 'connected') throw new Error('not connected');
    expect(state.state.value.tunnel).toMatchObject({ interface: helper.interfaceName, mtu: 1420 });
    // `sluice doctor` with nothing given asks the lab's own what-is-my-IP (the helper's setting), and
    // is green: the quick start ends green when nothing leaks.
    const doctor = await helper.client.diagnostics.runLeakTest({});
    expect(doctor.checks.filter((c) => !c.passed)).toEqual([]);
    expect(doctor.observedAddress).toBe(relayAddress(relay, 4));
    expect(state.state.value.tunnel?.stats?.lastHandshakeAgeMs).toBeGreaterThanOrEqual(0);
  });

  it('relay set location moves the exit', async () => {
    const current = connectedRelay(await tunnelState(helper.client));
    const target = lab.relays.find((r) => r.hostname !== current);
    if (!target) throw new Error('need two relays');
    const [country, city] = target.hostname.split('-');
    await helper.client.relays.setRelayConstraints({
      constraints: { location: { country, city }, providers: [], ownership: pb.Ownership.OWNERSHIP_ANY },
    });
    await waitForState(helper.client, 'connected', 20_000, target.hostname);
    expect(await lab.whatIsMyIp(4)).toBe(target.address.v4);
  });

  it('when the connected relay dies, the tunnel comes back through another relay by itself', async () => {
    await helper.client.relays.setRelayConstraints({
      constraints: { location: {}, providers: [], ownership: pb.Ownership.OWNERSHIP_ANY },
    });
    await waitForState(helper.client, 'connected');
    const dead = connectedRelay(await tunnelState(helper.client));
    const victim = lab.relays.find((r) => r.hostname === dead);
    if (!victim) throw new Error('not connected');
    const startedAt = Date.now();
    await lab.killRelay(victim.name);
    try {
      await until(
        async () => {
          const relay = connectedRelay(await tunnelState(helper.client));
          return relay !== undefined && relay !== dead;
        },
        'a connection through another relay',
        30_000,
      );
      console.info(`relay death to connected via another relay: ${Date.now() - startedAt} ms`);
      expect(await lab.whatIsMyIp(4)).not.toBe(victim.address.v4);
    } finally {
      await lab.reviveRelay(victim.name);
    }
  });

  it('a network change reconnects', async () => {
    await waitForState(helper.client, 'connected');
    const reasons: string[] = [];
    let subscribed = false;
    const sub = helper.client.listenEvents(
      (event) => {
        if (event.event?.$case === 'snapshot') subscribed = true;
        if (event.event?.$case === 'tunnelState')
          reasons.push(`${event.event.value.state?.$case}: ${event.event.value.reason}`);
      },
      () => undefined,
    );
    try {
      // The stream's first message is the snapshot: from then on no state change can be missed (under
      // load the subscription could otherwise start after the change was already published).
      await until(() => subscribed, 'the event stream to start');
      await lab.changeClientUplink();
      await until(
        () => reasons.some((r) => r.includes('the network changed')),
        'the network change to be noticed',
        15_000,
      );
      const state = await waitForState(helper.client, 'connected', 20_000);
      expect(await lab.whatIsMyIp(4)).toBe(relayAddress(connectedRelay(state), 4));
    } finally {
      sub.cancel();
    }
  });

  it(
    'finds a path-MTU black hole and lowers the MTU so a large download completes',
    { timeout: 90_000 },
    async () => {
      // Outer packets over 1380 bytes vanish between client and relays; a 1420 tunnel cannot work.
      await lab.setPathMtu(1380);
      try {
        const mtu = await reconnectUntilMtu(helper.client, (value) => value <= 1320);
        // 1380 - 60 = 1320 at most; WireGuard pads packets to 16 bytes while probing at the old MTU, so
        // the search lands on 1312, the largest multiple of 16 that fits.
        expect(mtu).toBeGreaterThanOrEqual(1300);
        expect(mtu).toBeLessThanOrEqual(1320);

        const result = await lab.download(4 * 1024 * 1024, 4, 30_000);
        expect(result.bytes).toBe(4 * 1024 * 1024);
      } finally {
        await lab.setPathMtu(null);
      }
    },
  );

  it('after disconnect the client rules, routes, links and resolv.conf are exactly as before', async () => {
    await helper.client.tunnel.disconnect({});
    await waitForState(helper.client, 'disconnected');
    // The uplink flipped during the network-change test; flip it back to compare like with like.
    await lab.changeClientUplink();
    expect(await clientNetworkState(lab)).toEqual(before);
    expect(await lab.whatIsMyIp(4)).toBe(lab.clientAddress.v4);
  });

  it('bad imports and unknown locations give clear errors and change nothing', async () => {
    const listBefore = JSON.stringify((await helper.client.relays.getRelayList({})).relayList);
    const settingsBefore = JSON.stringify((await helper.client.settings.getSettings({})).settings);

    const good = readFileSync(lab.relays[0]?.confPath ?? '', 'utf8');
    const badImport = await helper.client.relays
      .importRelays({
        files: [
          { name: 'fi-hel-wg-001.conf', content: good, format: pb.ImportFile_Format.FORMAT_AUTO },
          {
            name: 'no-osl-wg-001.conf',
            content: good.replace(/^Endpoint = .*$/m, 'Endpoint = relay.example:51820'),
            format: pb.ImportFile_Format.FORMAT_AUTO,
          },
        ],
        replace: false,
      })
      .catch((e: unknown) => e);
    expect(badImport).toMatchObject({ kind: 'invalid-argument' });
    expect((badImport as Error).message).toMatch(/no-osl-wg-001\.conf, line \d+: .*Endpoint/);

    const unknown = await helper.client.relays
      .setRelayConstraints({
        constraints: { location: { country: 'fi' }, providers: [], ownership: pb.Ownership.OWNERSHIP_ANY },
      })
      .catch((e: unknown) => e);
    expect(unknown).toMatchObject({ kind: 'invalid-argument' });
    expect((unknown as Error).message).toContain('no country "fi" in the relay list');

    expect(JSON.stringify((await helper.client.relays.getRelayList({})).relayList)).toBe(listBefore);
    expect(JSON.stringify((await helper.client.settings.getSettings({})).settings)).toBe(settingsBefore);
  });
});

describe.skipIf(!isRoot)('tunnel engine in the lab: stats and restarts', () => {
  let lab: Lab;
  let helper: LabHelper;

  beforeAll(async () => {
    lab = await Lab.up({ relays: 1 });
    helper = await startLabHelper(lab);
    await importLabRelays(lab, helper.client);
  }, 60_000);

  afterAll(async () => {
    const started = helper as LabHelper | undefined;
    if (started) await started.stop();
    await (lab as Lab | undefined)?.down();
  }, 60_000);

  it('sends live counters about once a second to subscribers who ask, and only to them', async () => {
    await helper.client.tunnel.connect({});
    await waitForState(helper.client, 'connected');
    const withStats: pb.TunnelStats[] = [];
    let otherStats = 0;
    const a = helper.client.listenEvents(
      (event) => {
        if (event.event?.$case === 'tunnelStats') withStats.push(event.event.value);
      },
      () => undefined,
      true,
    );
    const b = helper.client.listenEvents(
      (event) => {
        if (event.event?.$case === 'tunnelStats') otherStats++;
      },
      () => undefined,
    );
    try {
      await until(() => withStats.length >= 1, 'the first counters');
      const first = withStats[0];
      await lab.download(256 * 1024);
      await until(
        () => (withStats.at(-1)?.rxBytes ?? 0) > (first?.rxBytes ?? 0) + 256 * 1024,
        'counters showing the download',
      );
      expect(withStats.at(-1)?.lastHandshakeAgeMs).toBeGreaterThanOrEqual(0);
      expect(otherStats).toBe(0);
    } finally {
      a.cancel();
      b.cancel();
    }
  });

  it('stopped while connected, it keeps blocking (no leak across an upgrade) and comes back connected', async () => {
    const stateDir = helper.stateDir;
    expect(await helper.stop()).toBe(0);
    await expect(lab.whatIsMyIp(4, { timeoutMs: 1_500 })).rejects.toThrow();
    const table = await lab.exec('client', ['nft', 'list', 'table', 'inet', 'sluice']);
    // The blocked policy: everything dropped but loopback, DHCP and NDP; no way to a relay or a tunnel.
    expect(table.stdout).toMatch(/hook output priority filter; policy drop;/);
    expect(table.stdout).toContain('comment "loopback-out"');
    expect(table.stdout).not.toMatch(/comment "(relay-out|tunnel-out-4|gateway-ping-4)"/);
    helper = await startLabHelper(lab, { stateDir });
    await waitForState(helper.client, 'connected');
    expect(await lab.whatIsMyIp(4)).toBe(lab.relays[0]?.address.v4);
  });

  it('disconnected and stopped, it leaves no firewall, routes or device behind', async () => {
    await helper.client.tunnel.disconnect({});
    await waitForState(helper.client, 'disconnected');
    const stateDir = helper.stateDir;
    expect(await helper.stop()).toBe(0);
    expect((await lab.exec('client', ['nft', 'list', 'tables'])).stdout).toBe('');
    expect(await lab.whatIsMyIp(4)).toBe(lab.clientAddress.v4);
    helper = await startLabHelper(lab, { stateDir });
  });

  it('auto-connect: a helper started with it on connects by itself', async () => {
    await helper.client.settings.setAutoConnect({ enabled: true });
    const stateDir = helper.stateDir;
    expect(await helper.stop()).toBe(0);
    helper = await startLabHelper(lab, { stateDir });
    const state = await waitForState(helper.client, 'connected');
    expect(state.lockedDown).toBe(true);
    expect(await lab.whatIsMyIp(4)).toBe(lab.relays[0]?.address.v4);
  });
});
