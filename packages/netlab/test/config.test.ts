// The text the lab hands to ip, nft, wg and the client: generated from the plan, no system needed.
import { describe, expect, it } from 'vitest';
import {
  blackholeCommands,
  clientResolvConf,
  formatWgQuick,
  generateKeyPair,
  hostBatch,
  ispBatch,
  ispRuleset,
  labZone,
  namespaceSysctls,
  parseWgQuick,
  pathMtuCommands,
  planLab,
  relayConfFileName,
  relayListJson,
  relayRuleset,
  relayWgQuickConf,
  switchUplinkBatch,
  wgSetconfText,
  type KeyPair,
} from '../src/index.js';

const plan = planLab('slab12');

describe('ip batches', () => {
  it('creates every link from the isp, with the far end straight in its namespace', () => {
    const batch = ispBatch(plan);
    expect(batch).toContain('link add slab12-c1 type veth peer name slab12-u1 netns slab12-client\n');
    expect(batch).toContain('link add slab12-r2 type veth peer name slab12-up netns slab12-us-nyc\n');
    expect(batch).toContain('address add 198.51.100.253/32 dev lo\n');
    expect(batch).toContain('address add 2001:db8:c1::1/64 dev slab12-c1 nodad\n');
    expect(batch.match(/^link add /gm)).toHaveLength(6);
  });

  it('gives end hosts addresses and default routes via the isp', () => {
    expect(hostBatch(plan.web.link)).toBe(
      [
        'link set dev lo up',
        'address add 198.51.100.130/26 dev slab12-up',
        'address add 2001:db8:80::2/64 dev slab12-up nodad',
        'link set dev slab12-up up',
        'route add default via 198.51.100.129 dev slab12-up',
        'route add ::/0 via 2001:db8:80::1 dev slab12-up',
        '',
      ].join('\n'),
    );
  });

  it('moves the client to its other uplink', () => {
    const batch = switchUplinkBatch(plan.uplinks[0], plan.uplinks[1]);
    expect(batch.indexOf('link set dev slab12-u2 up')).toBeLessThan(batch.indexOf('route replace default'));
    expect(batch).toContain('route replace default via 198.51.100.65 dev slab12-u2\n');
    expect(batch).toContain('address flush dev slab12-u1\n');
    expect(batch.trimEnd().endsWith('link set dev slab12-u1 down')).toBe(true);
  });

  it('turns forwarding on only where packets are routed', () => {
    expect(namespaceSysctls('isp')).toContain('net.ipv4.ip_forward=1');
    expect(namespaceSysctls('relay')).toContain('net.ipv6.conf.all.forwarding=1');
    expect(namespaceSysctls('client')).not.toContain('net.ipv4.ip_forward=1');
  });
});

describe('nft', () => {
  it('NATs tunnel traffic out of the relay and redirects the port range to wireguard-go', () => {
    const ruleset = relayRuleset(plan, plan.relays[0] ?? assertNever());
    expect(ruleset).toContain('oifname "slab12-up" ip saddr 10.64.0.0/16 masquerade');
    expect(ruleset).toContain('oifname "slab12-up" ip6 saddr fc00:bbbb::/64 masquerade');
    expect(ruleset).toContain('udp dport 51820-51829 udp dport != 51820 redirect to :51820');
  });

  it('has fault hooks at the isp', () => {
    expect(ispRuleset()).toContain('ip daddr @blackhole4 drop');
    expect(blackholeCommands([])).toBe(
      'flush set inet netlab blackhole4\nflush set inet netlab blackhole6\n',
    );
    expect(blackholeCommands(plan.relays.slice(1, 2))).toContain(
      'add element inet netlab blackhole6 { 2001:db8:100:2::2 }',
    );
  });

  it('drops large packets between the client uplinks and the relays only', () => {
    const rules = pathMtuCommands(plan, 1280);
    expect(rules).toContain(
      'add rule inet netlab pmtu iifname { "slab12-c1", "slab12-c2" } oifname { "slab12-r0", "slab12-r1", "slab12-r2" } meta length > 1280 drop',
    );
    expect(rules).toContain(
      'iifname { "slab12-r0", "slab12-r1", "slab12-r2" } oifname { "slab12-c1", "slab12-c2" }',
    );
    expect(pathMtuCommands(plan, null)).toBe('flush chain inet netlab pmtu\n');
    expect(() => pathMtuCommands(plan, 10)).toThrow(RangeError);
  });
});

function assertNever(): never {
  throw new Error('unreachable');
}

describe('credentials', () => {
  const client: KeyPair = generateKeyPair();
  const relayKeys = new Map(plan.relays.map((r) => [r.location.name, generateKeyPair()]));
  const relay = plan.relays[0] ?? assertNever();
  const relayKey = relayKeys.get('se-got') ?? assertNever();

  it('writes one wg-quick config per relay, named like a provider would', () => {
    expect(relayConfFileName(relay)).toBe('se-got-wg-001.conf');
    const text = relayWgQuickConf(plan, relay, client, relayKey);
    expect(text).toBe(
      [
        '[Interface]',
        `PrivateKey = ${client.privateKey}`,
        'Address = 10.64.0.2/32, fc00:bbbb::2/128',
        'DNS = 10.64.0.1, fc00:bbbb::1',
        '',
        '[Peer]',
        `PublicKey = ${relayKey.publicKey}`,
        'AllowedIPs = 0.0.0.0/0, ::/0',
        'Endpoint = 203.0.113.2:51820',
        '',
      ].join('\n'),
    );
    const parsed = parseWgQuick(text);
    expect(parsed.addresses).toEqual(['10.64.0.2/32', 'fc00:bbbb::2/128']);
    expect(parsed.peers[0]?.endpoint).toBe('203.0.113.2:51820');
    expect(formatWgQuick(parsed)).toBe(text);
  });

  it('strips wg-quick keys for wg setconf', () => {
    const text = wgSetconfText(parseWgQuick(relayWgQuickConf(plan, relay, client, relayKey)));
    expect(text).not.toMatch(/Address|DNS/);
    expect(text).toContain(`PublicKey = ${relayKey.publicKey}`);
  });

  it('parses comments, case and several peers', () => {
    const conf = parseWgQuick(
      `# provider export\n[interface]\nprivatekey = ${client.privateKey} # mine\nAddress=10.1.0.2/32\n` +
        `[Peer]\nPublicKey = ${relayKey.publicKey}\nAllowedIPs = 0.0.0.0/0\nPersistentKeepalive = 25\n` +
        `[Peer]\nPublicKey = ${client.publicKey}\nAllowedIPs = 10.9.0.0/16, ::/0\n`,
    );
    expect(conf.privateKey).toBe(client.privateKey);
    expect(conf.peers).toHaveLength(2);
    expect(conf.peers[0]?.persistentKeepalive).toBe(25);
    expect(conf.peers[1]?.allowedIps).toEqual(['10.9.0.0/16', '::/0']);
    expect(() => parseWgQuick('[Peer]\nPublicKey = x\n')).toThrow(/PrivateKey/);
    expect(() => parseWgQuick('[Nope]\n')).toThrow(/unknown section/);
  });

  it("lists the relays in Sluice's relay-list JSON shape", () => {
    const list = relayListJson(plan, relayKeys);
    expect(list.countries.map((c) => c.code)).toEqual(['se', 'de', 'us']);
    const se = list.countries[0]?.cities[0];
    expect(se).toMatchObject({ code: 'got', name: 'Gothenburg' });
    expect(se?.relays[0]).toEqual({
      hostname: 'se-got-wg-001',
      ipv4AddrIn: '203.0.113.2',
      ipv6AddrIn: '2001:db8:100:1::2',
      publicKey: relayKey.publicKey,
      provider: 'netlab',
      owned: true,
      active: true,
      weight: 100,
    });
    expect(list.wireguard).toEqual({
      portRanges: [{ first: 51820, last: 51829 }],
      ipv4Gateway: '10.64.0.1',
      ipv6Gateway: 'fc00:bbbb::1',
    });
  });
});

describe('DNS files', () => {
  it("points the client at the isp's resolver", () => {
    expect(clientResolvConf(plan)).toContain('nameserver 198.51.100.253\nnameserver 2001:db8:53::53\n');
  });

  it('answers the lab names', () => {
    const zone = labZone(plan);
    expect(zone['web.lab']).toEqual({ a: ['198.51.100.130'], aaaa: ['2001:db8:80::2'] });
    expect(zone['se-got-wg-001.relays.lab']?.a).toEqual(['203.0.113.2']);
  });
});
