import { describe, expect, it } from 'vitest';
import { RecordingRunner } from '../src/net/exec.js';
import {
  compareTables,
  Firewall,
  FirewallError,
  parseTableText,
  ruleHits,
  ruleTags,
} from '../src/net/firewall.js';
import { FirewallInputError, firewallRuleset, type FirewallPolicy } from '../src/net/firewall-rules.js';

const relay = { address: '203.0.113.2', port: 51820 };
const options = { allowLan: false, bypassRanges: [] };
const connected: FirewallPolicy = {
  kind: 'connected',
  relay,
  fwmark: 0x534c,
  tunnelInterface: 'wg-sluice',
  tunnelAddresses: ['10.64.0.2/32', 'fc00:bbbb::2/128'],
  dnsServers: ['10.64.0.1', 'fc00:bbbb::1'],
  families: [4, 6],
  ...options,
};
const connecting: FirewallPolicy = {
  kind: 'connecting',
  relay,
  fwmark: 0x534c,
  tunnelInterface: 'wg-sluice',
  gateways: ['10.64.0.1', 'fc00:bbbb::1'],
  ...options,
};

function chain(ruleset: string, name: string): string[] {
  const start = ruleset.indexOf(`  chain ${name} {`);
  const end = ruleset.indexOf('  }', start);
  return ruleset
    .slice(start, end)
    .split('\n')
    .slice(2)
    .map((line) =>
      line
        .trim()
        .replace(' counter ', ' ')
        .replace(/ comment "[^"]*"$/, ''),
    )
    .filter(Boolean);
}

describe('firewall ruleset', () => {
  it('replaces the one table atomically, or removes it', () => {
    const text = firewallRuleset({ kind: 'blocked', ...options });
    expect(text.startsWith('table inet sluice\ndelete table inet sluice\ntable inet sluice {\n')).toBe(true);
    expect(firewallRuleset({ kind: 'none' })).toBe('table inet sluice\ndelete table inet sluice\n');
  });

  it('blocked: drop by default; loopback, DHCP, NDP; DNS refused', () => {
    const text = firewallRuleset({ kind: 'blocked', ...options });
    expect(text).toContain('type filter hook output priority filter; policy drop;');
    expect(text).toContain('type filter hook input priority filter; policy drop;');
    expect(text).toContain('type filter hook forward priority filter; policy drop;');
    expect(chain(text, 'forward')).toEqual([]);
    expect(chain(text, 'output')).toEqual([
      'oif "lo" accept',
      'udp sport 68 udp dport 67 accept',
      'ip6 daddr ff02::1:2 udp sport 546 udp dport 547 accept',
      'icmpv6 type { nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept',
      'udp dport 53 reject',
      'tcp dport 53 reject with tcp reset',
    ]);
  });

  it('connecting: only marked UDP to the relay, replies from it, and pings to the gateways in the tunnel', () => {
    const text = firewallRuleset(connecting);
    const output = chain(text, 'output');
    expect(output).toContain('meta mark 21324 ip daddr 203.0.113.2 udp dport 51820 accept');
    expect(output).toContain('oifname "wg-sluice" ip daddr { 10.64.0.1 } icmp type echo-request accept');
    expect(output).toContain(
      'oifname "wg-sluice" ip6 daddr { fc00:bbbb::1 } icmpv6 type echo-request accept',
    );
    expect(output.some((rule) => rule.startsWith('oifname "wg-sluice" meta nfproto'))).toBe(false);
    expect(chain(text, 'input')).toContain(
      'ip saddr 203.0.113.2 udp sport 51820 ct state established accept',
    );
  });

  it('connected: DNS only to the chosen resolvers, refused otherwise before the tunnel rule', () => {
    const output = chain(firewallRuleset(connected), 'output');
    const dnsAccept = output.indexOf('ip daddr { 10.64.0.1 } udp dport 53 accept');
    const dnsReject = output.indexOf('udp dport 53 reject');
    const tunnel = output.indexOf('oifname "wg-sluice" meta nfproto ipv4 accept');
    expect(dnsAccept).toBeGreaterThan(-1);
    expect(output).toContain('ip6 daddr { fc00:bbbb::1 } tcp dport 53 accept');
    expect(dnsReject).toBeGreaterThan(dnsAccept);
    expect(tunnel).toBeGreaterThan(dnsReject);
    expect(output).toContain('tcp dport 53 reject with tcp reset');
  });

  it('connected: packets for the tunnel address from outside the tunnel are dropped (CVE-2019-14899)', () => {
    expect(chain(firewallRuleset(connected), 'prerouting')).toEqual([
      'iifname != "wg-sluice" ip daddr { 10.64.0.2 } drop',
      'iifname != "wg-sluice" ip6 daddr { fc00:bbbb::2 } drop',
    ]);
  });

  it('connected without IPv6 in the tunnel: IPv6 has no way out', () => {
    const text = firewallRuleset({ ...connected, families: [4] });
    expect(text).not.toContain('meta nfproto ipv6 accept');
    expect(text).not.toContain('fc00:bbbb::1 } udp dport 53 accept');
  });

  it('allow LAN opens the private ranges both ways, after the DNS refusal', () => {
    const output = chain(firewallRuleset({ ...connected, allowLan: true }), 'output');
    const lan = output.indexOf(
      'ip daddr { 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 169.254.0.0/16, 224.0.0.0/4, 255.255.255.255/32 } accept',
    );
    expect(lan).toBeGreaterThan(output.indexOf('udp dport 53 reject'));
    expect(output).toContain('ip6 daddr { fe80::/10, fc00::/7, ff00::/8 } accept');
    expect(chain(firewallRuleset({ ...connected, allowLan: true }), 'input')).toContain(
      'ip6 saddr { fe80::/10, fc00::/7, ff00::/8 } accept',
    );
    expect(firewallRuleset(connected)).not.toContain('192.168.0.0/16');
  });

  it('bypass ranges go out, and only their replies come back', () => {
    const text = firewallRuleset({
      kind: 'blocked',
      allowLan: false,
      bypassRanges: ['100.64.0.0/10', 'fd7a:115c:a1e0::/48'],
    });
    expect(chain(text, 'output')).toContain('ip daddr { 100.64.0.0/10 } accept');
    expect(chain(text, 'output')).toContain('ip6 daddr { fd7a:115c:a1e0::/48 } accept');
    expect(chain(text, 'input')).toContain('ip saddr { 100.64.0.0/10 } ct state established,related accept');
  });

  it.each([
    [{ ...connected, tunnelInterface: 'wg0"; flush ruleset; "' }, /interface name/],
    [{ ...connected, relay: { address: '203.0.113.2 } accept; {', port: 51820 } }, /relay address/],
    [{ ...connected, relay: { address: '203.0.113.2', port: 0 } }, /port 0/],
    [{ ...connected, dnsServers: ['10.64.0.1; accept'] }, /not an IP address/],
    [{ kind: 'blocked' as const, allowLan: false, bypassRanges: ['0.0.0.0/0 accept'] }, /not an IP range/],
    [{ ...connected, fwmark: 0 }, /fwmark 0/],
  ])('refuses input that is not what it claims before writing nft text (%#)', (policy, message) => {
    expect(() => firewallRuleset(policy as FirewallPolicy)).toThrow(FirewallInputError);
    expect(() => firewallRuleset(policy as FirewallPolicy)).toThrow(message);
  });
});

describe('read-back', () => {
  it('parses its own ruleset into chains with rule counts', () => {
    expect(parseTableText(firewallRuleset(connected))).toEqual({
      comment: 'sluice connected',
      chains: {
        prerouting: { hook: 'prerouting', policy: 'accept', rules: 2 },
        input: { hook: 'input', policy: 'drop', rules: 7 },
        output: { hook: 'output', policy: 'drop', rules: 13 },
        forward: { hook: 'forward', policy: 'drop', rules: 0 },
      },
    });
  });

  it('names each difference', () => {
    const expected = parseTableText(firewallRuleset(connected));
    if (!expected) throw new Error('no parse');
    expect(compareTables(expected, undefined)).toEqual(['table inet sluice is missing']);
    const flushed = {
      ...expected,
      chains: { ...expected.chains, output: { hook: 'output', policy: 'drop', rules: 0 } },
    };
    expect(compareTables(expected, flushed)).toEqual([
      'chain output has hook output, policy drop, 0 rules; expected output, drop, 13',
    ]);
    expect(compareTables(expected, { ...expected, comment: 'sluice blocked' })).toEqual([
      'policy is "sluice blocked", expected "sluice connected"',
    ]);
  });

  it('every rule has a tag and a counter; hits are read per tag', () => {
    const text = firewallRuleset({ ...connected, allowLan: true, bypassRanges: ['100.64.0.0/10'] });
    const ruleLines = text
      .split('\n')
      .filter(
        (line) => / (accept|drop|reject|reset)( comment|$)/.test(line) && !line.includes('type filter'),
      );
    expect(ruleLines.every((line) => / counter .* comment "[a-z0-9-]+"$/.test(line))).toBe(true);
    expect(ruleTags(text)).toContain('dns-reject-udp');
    expect(new Set(ruleTags(text)).size).toBe(ruleTags(text).length);
    const listed =
      'oif "lo" counter packets 3 bytes 180 accept comment "loopback-out"\nudp dport 53 counter packets 0 bytes 0 reject comment "dns-reject-udp"';
    expect(ruleHits(listed)).toEqual(
      new Map([
        ['loopback-out', 3],
        ['dns-reject-udp', 0],
      ]),
    );
  });

  it('apply sends one transaction on stdin and fails when the kernel disagrees', async () => {
    const runner = new RecordingRunner((argv) =>
      argv.includes('list') ? { stdout: 'table inet sluice {\n\tcomment "sluice blocked"\n}\n' } : {},
    );
    const firewall = new Firewall(runner);
    const error = await firewall.apply(connected).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FirewallError);
    expect((error as Error).message).toContain('policy is "sluice blocked", expected "sluice connected"');
    expect(runner.calls[0]).toEqual({ argv: ['nft', '-f', '-'], input: firewallRuleset(connected) });
  });
});
