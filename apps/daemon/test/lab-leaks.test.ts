// The kill switch, proven by packet capture: tcpdump on the isp side counts every packet the client
// sends that is not WireGuard to a relay, while a traffic generator in the client keeps trying TCP, UDP,
// ICMP and DNS over IPv4 and IPv6. Root only (network namespaces).
import type { ChildProcess } from 'node:child_process';
import { pb } from '@sluice/api';
import { Lab, type CaptureResult } from '@sluice/netlab';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ruleTags } from '../src/net/firewall.js';
import { firewallRuleset } from '../src/net/firewall-rules.js';
import {
  connectedRelay,
  importLabRelays,
  isRoot,
  startLabHelper,
  tunnelState,
  waitForState,
  type LabHelper,
} from './lab-support.js';
import { until } from './support.js';

const HELPER_MAIN = new URL('../dist/main.js', import.meta.url).pathname;

if (!isRoot) console.warn('lab-leaks: skipped, the lab needs root (network namespaces)');

/** Keeps trying everything a leaking app would; prints what got through when stopped (SIGTERM). */
const TRAFFIC = `
import net from 'node:net';
import dgram from 'node:dgram';
import dns, { Resolver } from 'node:dns/promises';
import { spawn } from 'node:child_process';
const [web4, web6, isp4, isp6, gw4, gw6] = process.argv.slice(1);
const ok = { tcp4: 0, tcp6: 0, dnsIsp: 0, dnsSystem: 0, dnsTunnel6: 0 };
const pings = [
  spawn('ping', ['-4', '-n', '-q', '-i', '0.2', web4], { stdio: 'ignore' }),
  spawn('ping', ['-6', '-n', '-q', '-i', '0.2', web6], { stdio: 'ignore' }),
  spawn('ping', ['-4', '-n', '-q', '-i', '0.5', '127.0.0.1'], { stdio: 'ignore' }),
];
const u4 = dgram.createSocket('udp4').on('error', () => {});
const u6 = dgram.createSocket('udp6').on('error', () => {});
const tcp = (host, port, key) => {
  const s = net.connect({ host, port, timeout: 300 });
  s.on('connect', () => { if (key) ok[key]++; s.destroy(); });
  s.on('error', () => {});
  s.on('timeout', () => s.destroy());
};
const isp = new Resolver({ timeout: 300, tries: 1 });
isp.setServers([isp4, '[' + isp6 + ']']);
const tunnel6 = new Resolver({ timeout: 300, tries: 1 });
tunnel6.setServers(['[' + gw6 + ']']);
const tick = setInterval(() => {
  tcp(web4, 80, 'tcp4');
  tcp(web6, 80, 'tcp6');
  u4.send('leak?', 9, web4);
  u6.send('leak?', 9, web6);
  isp.resolve4('web.lab').then(() => ok.dnsIsp++, () => {});
  dns.lookup('web.lab').then(() => ok.dnsSystem++, () => {});
  tunnel6.resolve6('web.lab').then(() => ok.dnsTunnel6++, () => {});
  tcp(isp4, 53);
  tcp(gw4, 53);
  tcp(gw6, 53);
}, 100);
process.stdout.write('started\\n');
process.on('SIGTERM', () => {
  clearInterval(tick);
  for (const p of pings) p.kill();
  process.stdout.write(JSON.stringify(ok) + '\\n');
  setTimeout(() => process.exit(0), 50);
});
`;

interface TrafficCounts {
  tcp4: number;
  tcp6: number;
  dnsIsp: number;
  dnsSystem: number;
  dnsTunnel6: number;
}

describe.skipIf(!isRoot)('kill switch: no leaks, proven by capture', () => {
  let lab: Lab;
  let helper: LabHelper;
  /** Packets per rule tag, added up across every helper this suite ran. */
  const hits = new Map<string, number>();

  const startTraffic = async (): Promise<{ stop(): Promise<TrafficCounts> }> => {
    const gw = { v4: '10.64.0.1', v6: 'fc00:bbbb::1' };
    const child: ChildProcess = lab.spawnInClient(
      [
        process.execPath,
        '--input-type=module',
        '-e',
        TRAFFIC,
        lab.web.address.v4,
        lab.web.address.v6,
        lab.plan.ispResolver.v4,
        lab.plan.ispResolver.v6,
        gw.v4,
        gw.v6,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await until(() => out.includes('started'), 'the traffic generator');
    return {
      stop: async () => {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
        return JSON.parse(out.split('\n').filter(Boolean).at(-1) ?? '{}') as TrafficCounts;
      },
    };
  };

  const describePacket = (p: CaptureResult['leaks'][number]): string =>
    `${p.protocol} ${p.src ?? ''} -> ${p.dst ?? ''}:${p.dstPort ?? ''} ${p.info}`;

  /** Run `during` with traffic and a capture going; no packet may leave outside the tunnel. */
  const noLeaksDuring = async (during: () => Promise<void>): Promise<TrafficCounts> => {
    const capture = await lab.startLeakCapture();
    let counts: TrafficCounts | undefined;
    try {
      const traffic = await startTraffic();
      try {
        await during();
      } finally {
        counts = await traffic.stop();
      }
    } finally {
      const result = await capture.stop();
      expect(result.complete).toBe(true);
      expect(result.leaks.map(describePacket)).toEqual([]);
    }
    return counts;
  };

  const collectHits = async (): Promise<pb.RunLeakTestResponse> => {
    const result = await helper.client.diagnostics.runLeakTest({ whatIsMyIpUrl: `${lab.web.url4}/ip` });
    for (const [tag, packets] of Object.entries(result.firewallRuleHits))
      hits.set(tag, Math.max(hits.get(tag) ?? 0, 0) + packets);
    return result;
  };
  /** Restarting the helper restarts its counters: bank them first. */
  const restartHelper = async (how: 'stop' | 'kill'): Promise<void> => {
    const stateDir = helper.stateDir;
    if (how === 'stop') {
      await collectHits();
      expect(await helper.stop()).toBe(0);
    } else {
      await collectHits();
      await helper.kill();
    }
    helper = await startLabHelper(lab, { stateDir });
  };

  const client = () => helper.client;
  const anyLocation = { location: {}, providers: [], ownership: pb.Ownership.OWNERSHIP_ANY };

  beforeAll(async () => {
    lab = await Lab.up({ relays: 2 });
    // A LAN on the client's first uplink, in private ranges, for allow-LAN.
    const uplink = lab.plan.uplinks[0];
    await lab.exec('isp', ['ip', 'address', 'add', '192.168.77.1/24', 'dev', uplink.ispInterface]);
    await lab.exec('client', ['ip', 'address', 'add', '192.168.77.2/24', 'dev', uplink.peerInterface]);
    helper = await startLabHelper(lab);
    await importLabRelays(lab, helper.client);
  }, 60_000);

  afterAll(async () => {
    const started = helper as LabHelper | undefined;
    if (started) {
      await started.client.settings.setLockdownMode({ enabled: false }).catch(() => undefined);
      await started.client.tunnel.disconnect({}).catch(() => undefined);
      await started.stop();
    }
    await (lab as Lab | undefined)?.down();
  }, 60_000);

  it('disconnected without lockdown, traffic flows directly (the capture sees it)', async () => {
    const capture = await lab.startLeakCapture();
    const traffic = await startTraffic();
    await until(async () => (await lab.whatIsMyIp(4)) === lab.clientAddress.v4, 'direct traffic');
    const counts = await traffic.stop();
    const result = await capture.stop();
    expect(counts.tcp4).toBeGreaterThan(0);
    expect(counts.tcp6).toBeGreaterThan(0);
    expect(counts.dnsIsp).toBeGreaterThan(0);
    expect(result.leaks.length).toBeGreaterThan(0);
  });

  it('connecting and connected under lockdown: zero leaks', async () => {
    await client().settings.setLockdownMode({ enabled: true });
    const counts = await noLeaksDuring(async () => {
      await client().tunnel.connect({});
      await waitForState(client(), 'connected');
      await lab.whatIsMyIp(4);
    });
    // Traffic went through the tunnel, and DNS to the ISP's resolver was refused, not leaked.
    expect(counts.tcp4).toBeGreaterThan(0);
    expect(counts.dnsIsp).toBe(0);
    expect(counts.dnsSystem).toBeGreaterThan(0);
    await client().settings.setLockdownMode({ enabled: false });
  });

  it('connecting without lockdown: from the moment the helper says "connecting", zero leaks', async () => {
    await client().tunnel.disconnect({});
    await waitForState(client(), 'disconnected');
    const states: string[] = [];
    const sub = client().listenEvents(
      (event) => {
        if (event.event?.$case === 'tunnelState') states.push(event.event.value.state?.$case ?? '');
      },
      () => undefined,
    );
    try {
      await client().tunnel.connect({});
      await until(() => states.includes('connecting'), 'the connecting state');
      await noLeaksDuring(async () => {
        await waitForState(client(), 'connected');
      });
    } finally {
      sub.cancel();
    }
  });

  it('connected, reconnecting and switching relay: zero leaks', async () => {
    const counts = await noLeaksDuring(async () => {
      await waitForState(client(), 'connected');
      await client().tunnel.reconnect({});
      await until(
        async () => (await tunnelState(client()))?.state?.$case !== 'connected',
        'the reconnect to start',
        5_000,
      ).catch(() => undefined);
      const first = connectedRelay(await waitForState(client(), 'connected'));
      const other = lab.relays.find((r) => r.hostname !== first);
      const [country, city] = other?.hostname.split('-') ?? [];
      await client().relays.setRelayConstraints({
        constraints: { ...anyLocation, location: { country, city } },
      });
      await waitForState(client(), 'connected', 20_000, other?.hostname);
      expect(await lab.whatIsMyIp(6)).toBe(other?.address.v6);
    });
    expect(counts.tcp6).toBeGreaterThan(0);
    expect(counts.dnsTunnel6).toBeGreaterThan(0);
  });

  it('the connected relay dies: zero leaks until the tunnel is back through the other relay', async () => {
    await client().relays.setRelayConstraints({ constraints: anyLocation });
    const dead = connectedRelay(await waitForState(client(), 'connected'));
    const victim = lab.relays.find((r) => r.hostname === dead);
    if (!victim) throw new Error('not connected');
    try {
      await noLeaksDuring(async () => {
        await lab.killRelay(victim.name);
        await until(
          async () => {
            const relay = connectedRelay(await tunnelState(client()));
            return relay !== undefined && relay !== dead;
          },
          'the other relay',
          30_000,
        );
      });
    } finally {
      await lab.reviveRelay(victim.name);
    }
  });

  it('the helper is SIGKILLed while connected and restarted: zero leaks', async () => {
    await waitForState(client(), 'connected');
    await noLeaksDuring(async () => {
      await restartHelper('kill');
      await waitForState(client(), 'connected', 30_000);
      await lab.whatIsMyIp(4);
    });
  });

  it('lockdown on and the helper stopped: zero leaks, and nothing gets through', async () => {
    await client().settings.setLockdownMode({ enabled: true });
    await client().tunnel.disconnect({});
    await waitForState(client(), 'disconnected');
    await collectHits();
    const stateDir = helper.stateDir;
    expect(await helper.stop()).toBe(0);
    const counts = await noLeaksDuring(async () => {
      await expect(lab.whatIsMyIp(4, { timeoutMs: 1_000 })).rejects.toThrow();
    });
    expect(counts).toMatchObject({ tcp4: 0, tcp6: 0, dnsIsp: 0, dnsSystem: 0 });
    helper = await startLabHelper(lab, { stateDir });
    await client().settings.setLockdownMode({ enabled: false });
    await waitForState(client(), 'disconnected');
  });

  it('allow LAN: local networks are reachable while connected, both ways, and not otherwise', async () => {
    await client().tunnel.connect({});
    await waitForState(client(), 'connected');
    const uplink = lab.plan.uplinks[0];
    const pingLan = (target: string): Promise<boolean> =>
      lab.runInClient(['ping', '-n', '-c', '1', '-W', '1', target]).then(
        () => true,
        () => false,
      );
    const linkLocal = (node: 'isp' | 'client', dev: string) =>
      lab
        .exec(node, ['ip', '-6', '-o', 'address', 'show', 'dev', dev, 'scope', 'link'])
        .then((r) => /inet6 (\S+)\//.exec(r.stdout)?.[1] ?? '');
    const ispLinkLocal = `${await linkLocal('isp', uplink.ispInterface)}%${uplink.peerInterface}`;
    const clientLinkLocal = `${await linkLocal('client', uplink.peerInterface)}%${uplink.ispInterface}`;
    expect(await pingLan('192.168.77.1')).toBe(false);
    await client().settings.setAllowLan({ allow: true });
    await until(() => pingLan('192.168.77.1'), 'the LAN to open');
    expect(await pingLan(ispLinkLocal)).toBe(true);
    // And from the LAN in.
    await lab.exec('isp', ['ping', '-n', '-c', '1', '-W', '1', '192.168.77.2']);
    await lab.exec('isp', ['ping', '-n', '-c', '1', '-W', '1', clientLinkLocal]);
    // Still no DNS to anything but the tunnel's resolver, even on the LAN: a LAN router's resolver
    // forwards to the ISP.
    const capture = await lab.startLeakCapture();
    await expect(
      lab.resolveInClient('web.lab', { server: '192.168.77.1', timeoutMs: 1_000 }),
    ).rejects.toThrow();
    const seen = await capture.stop();
    expect(seen.packets.filter((p) => p.dstPort === 53)).toEqual([]);
    await client().settings.setAllowLan({ allow: false });
    await until(async () => !(await pingLan('192.168.77.1')), 'the LAN to close');
  });

  it('bypass ranges go around the tunnel, IPv4 and IPv6', async () => {
    await waitForState(client(), 'connected');
    await lab.exec('client', ['ip', '-6', 'neigh', 'flush', 'dev', lab.plan.uplinks[0].peerInterface]);
    await client().settings.addBypassRange({ range: `${lab.web.address.v4}/32` });
    await client().settings.addBypassRange({ range: '2001:db8:80::/64' });
    await waitForState(client(), 'connected');
    await until(
      async () => (await lab.whatIsMyIp(4).catch(() => '')) === lab.clientAddress.v4,
      'web to see the client directly',
    );
    expect(await lab.whatIsMyIp(6)).toBe(lab.clientAddress.v6);
    await client().settings.setBypassRanges({ ranges: [] });
    await waitForState(client(), 'connected');
    await until(
      async () => (await lab.whatIsMyIp(4).catch(() => '')) !== lab.clientAddress.v4,
      'the tunnel again',
    );
  });

  it('packets for the tunnel address that arrive outside the tunnel are dropped (CVE-2019-14899)', async () => {
    await waitForState(client(), 'connected');
    const uplink = lab.plan.uplinks[0];
    await lab.exec('isp', ['ip', 'route', 'replace', '10.64.0.2/32', 'via', uplink.peer.v4]);
    await lab.exec('isp', ['ip', '-6', 'route', 'replace', 'fc00:bbbb::2/128', 'via', uplink.peer.v6]);
    const probe = (target: string) =>
      lab.exec('isp', ['ping', '-n', '-c', '2', '-W', '1', target]).then(
        () => 'answered',
        () => 'dropped',
      );
    expect(await probe('10.64.0.2')).toBe('dropped');
    expect(await probe('fc00:bbbb::2')).toBe('dropped');
    const hitsNow = (await collectHits()).firewallRuleHits;
    expect(hitsNow['spoofed-tunnel-address-4']).toBeGreaterThan(0);
    expect(hitsNow['spoofed-tunnel-address-6']).toBeGreaterThan(0);
  });

  it('DHCP and DHCPv6 pass whatever the policy', async () => {
    const uplink = lab.plan.uplinks[0];
    const send = `
      import dgram from 'node:dgram';
      const [family, port, to, toPort] = process.argv.slice(1);
      const s = dgram.createSocket(family === '6' ? 'udp6' : 'udp4');
      s.bind(Number(port), () => s.send('dhcp', Number(toPort), to, () => s.close()));
    `;
    const udp = (node: 'isp' | 'client', family: 4 | 6, port: number, to: string, toPort: number) => {
      const argv = [
        process.execPath,
        '--input-type=module',
        '-e',
        send,
        String(family),
        String(port),
        to,
        String(toPort),
      ];
      return node === 'client' ? lab.runInClient(argv) : lab.exec('isp', argv);
    };
    const clientLinkLocal = await lab
      .exec('client', ['ip', '-6', '-o', 'address', 'show', 'dev', uplink.peerInterface, 'scope', 'link'])
      .then((r) => /inet6 (\S+)\//.exec(r.stdout)?.[1] ?? '');
    const capture = await lab.startLeakCapture();
    await udp('client', 4, 68, uplink.isp.v4, 67);
    await udp('client', 6, 546, `ff02::1:2%${uplink.peerInterface}`, 547);
    await udp('isp', 4, 67, uplink.peer.v4, 68);
    await udp('isp', 6, 547, `${clientLinkLocal}%${uplink.ispInterface}`, 546);
    const result = await capture.stop();
    expect(result.leaks.filter((p) => p.dstPort === 67).length).toBe(1);
    expect(result.leaks.filter((p) => p.dstPort === 547).length).toBe(1);
    const hitsNow = (await collectHits()).firewallRuleHits;
    expect(hitsNow['dhcp4-in']).toBeGreaterThan(0);
    expect(hitsNow['dhcp6-in']).toBeGreaterThan(0);
  });

  it('the leak self-test passes while connected and sees the relay', async () => {
    await waitForState(client(), 'connected');
    const result = await collectHits();
    expect(result.checks.map((c) => `${c.name}: ${c.passed}`)).toEqual([
      'firewall: true',
      'dns: true',
      'exit-address: true',
    ]);
    expect(lab.relays.map((r) => r.address.v4)).toContain(result.observedAddress);
  });

  it('relay latency while connected: outside the tunnel only one echo request to each relay, each answered', async () => {
    await waitForState(client(), 'connected');
    const capture = await lab.startLeakCapture();
    let results: pb.RelayLatency[] = [];
    try {
      const traffic = await startTraffic();
      try {
        results = await client().measureLatency({ hostnames: [] });
      } finally {
        await traffic.stop();
      }
    } finally {
      const result = await capture.stop();
      expect(result.complete).toBe(true);
      // The probes are the one thing that leaves outside the tunnel besides WireGuard, by design.
      expect(result.leaks.map((p) => `${p.protocol} ${p.dst ?? ''}`).sort()).toEqual(
        lab.relays.map((relay) => `icmp ${relay.address.v4}`).sort(),
      );
    }
    expect(results.map((r) => [r.hostname, r.rttMs !== undefined]).sort()).toEqual(
      lab.relays.map((relay) => [relay.hostname, true]).sort(),
    );
    await collectHits();
  });

  it('every rule of every policy was exercised by some test above', () => {
    const lanBypass = { allowLan: true, bypassRanges: ['100.64.0.0/10', 'fd7a:115c:a1e0::/48'] };
    const relay = { address: '203.0.113.2', port: 51820 };
    const tags = new Set([
      ...ruleTags(firewallRuleset({ kind: 'blocked', ...lanBypass })),
      ...ruleTags(
        firewallRuleset({
          kind: 'connecting',
          relay,
          fwmark: 1,
          tunnelInterface: 'wg',
          gateways: ['10.64.0.1', 'fc00:bbbb::1'],
          ...lanBypass,
        }),
      ),
      ...ruleTags(
        firewallRuleset({
          kind: 'connected',
          relay,
          fwmark: 1,
          tunnelInterface: 'wg',
          tunnelAddresses: ['10.64.0.2/32', 'fc00:bbbb::2/128'],
          dnsServers: ['10.64.0.1', 'fc00:bbbb::1'],
          gateways: ['10.64.0.1'],
          families: [4, 6],
          ...lanBypass,
        }),
      ),
    ]);
    const unexercised = [...tags].filter((tag) => (hits.get(tag) ?? 0) === 0).sort();
    expect(unexercised).toEqual([]);
  });
});

describe.skipIf(!isRoot)('sluiced --init-firewall (the early-boot unit)', () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await Lab.up({ relays: 1 });
  }, 60_000);

  afterAll(async () => {
    await (lab as Lab | undefined)?.down();
  }, 60_000);

  const initFirewall = async (settings: object): Promise<string> => {
    const stateDir = `${lab.dir}/boot-${Date.now()}`;
    await lab.exec('client', ['mkdir', '-p', stateDir]);
    await lab.exec('client', ['sh', '-c', `cat > ${stateDir}/settings.json`], {
      input: JSON.stringify({ version: 1, settings }),
    });
    await lab.runInClient([process.execPath, HELPER_MAIN, '--init-firewall', '--state-dir', stateDir]);
    return (await lab.exec('client', ['nft', 'list', 'tables'])).stdout;
  };

  it('blocks at boot under lockdown mode, and nothing gets out', async () => {
    expect(await initFirewall({ lockdownMode: true })).toContain('table inet sluice');
    await expect(lab.whatIsMyIp(4, { timeoutMs: 1_000 })).rejects.toThrow();
    await lab.exec('client', ['nft', 'delete', 'table', 'inet', 'sluice']);
  });

  it('blocks nothing when neither lockdown, auto-connect nor a wanted tunnel call for it', async () => {
    expect(await initFirewall({ lockdownMode: false })).toBe('');
    expect(await lab.whatIsMyIp(4)).toBe(lab.clientAddress.v4);
  });
});
