import { describe, expect, it } from 'vitest';
import { ruleTags } from '../src/net/firewall.js';
import {
  chainTags,
  checkChains,
  firewallChains,
  firewallRuleset,
  FirewallInputError,
  growRuleset,
  keptRules,
  policyTags,
  priorityValue,
  removeRuleset,
  renderRule,
  replaceRuleset,
  rule,
  updateRuleset,
  type ActivePolicy,
  type CommittedChain,
  type FirewallBaseChain,
  type FirewallChain,
  type FirewallPolicy,
  type FirewallRule,
} from '../src/net/firewall-rules.js';
import { blocked, mssClamp, relay, sluiceTunnel, splitChains, tunnelPolicies } from './firewall-fixtures.js';

const { connecting, connected, connectedOneGateway } = tunnelPolicies(sluiceTunnel);

/** A chain's rules as `<match> <verdict>`, without counters and comments. */
function rules(policy: ActivePolicy, name: string): string[] {
  const chain = firewallChains(policy).find((c) => c.name === name);
  return chain?.rules.map((r) => [r.match, r.verdict].filter(Boolean).join(' ')) ?? [];
}

const base = (name: string, rules: FirewallChain['rules'] = []): FirewallBaseChain => ({
  name,
  type: 'filter',
  hook: 'output',
  priority: 'filter',
  policy: 'drop',
  rules,
});

const tagsOf = (policy: ActivePolicy, name: string): string[] =>
  firewallChains(policy)
    .find((c) => c.name === name)
    ?.rules.map((r) => r.tag) ?? [];

describe('firewall chains', () => {
  it('every policy has the same four filter chains and nothing else (no marker chain)', () => {
    for (const policy of [
      blocked,
      connecting,
      connectedOneGateway,
      { ...connectedOneGateway, mssClamp: { 4: 1200 } },
    ]) {
      const chains = firewallChains(policy);
      expect(chains.map((c) => [c.name, c.type, c.hook, c.priority, c.policy])).toEqual([
        ['prerouting', 'filter', 'prerouting', 'raw', 'accept'],
        ['input', 'filter', 'input', 'filter', 'drop'],
        ['output', 'filter', 'output', 'filter', 'drop'],
        ['forward', 'filter', 'forward', 'filter', 'drop'],
      ]);
      expect(chains.find((c) => c.name === 'forward')?.rules).toEqual([]);
      expect(replaceRuleset(chains)).not.toMatch(/policy_/);
    }
  });

  it('the policy is visible from the rule tags', () => {
    const tags = (policy: ActivePolicy): Set<string> => new Set(policyTags(policy));
    expect(tags(blocked).has('relay-out')).toBe(false);
    expect(tags(connecting).has('relay-out')).toBe(true);
    expect(tags(connecting).has('tunnel-out-4')).toBe(false);
    expect(tags(connectedOneGateway).has('tunnel-out-4')).toBe(true);
  });

  it('connected keeps the gateway pings of connecting, so connected ⊇ connecting ⊇ blocked, rule for rule in order', () => {
    expect(rules(connected, 'output')).toContain(
      'oifname "wg-sluice" ip6 daddr { fc00:bbbb::1 } icmpv6 type echo-request accept',
    );
    expect(rules(connected, 'input')).toContain(
      'iifname "wg-sluice" ip saddr { 10.64.0.1 } ct state established,related accept',
    );
    const pairs: [ActivePolicy, ActivePolicy][] = [
      [blocked, connecting],
      [connecting, connected],
      [blocked, connected],
      [connected, { ...connected, mssClamp: { 4: 1200, 6: 1180 } }],
      [connected, { ...connected, allowLan: true }],
    ];
    for (const [smaller, larger] of pairs) {
      const big = firewallChains(larger);
      for (const chain of firewallChains(smaller)) {
        const rulesOfLarger = big.find((c) => c.name === chain.name)?.rules ?? [];
        expect(
          keptRules(chain.rules, rulesOfLarger),
          `${smaller.kind} -> ${larger.kind}: ${chain.name}`,
        ).toBeDefined();
      }
    }
  });

  it('blocked: drop by default; loopback, DHCP, NDP, the latency probes; DNS refused', () => {
    expect(rules(blocked, 'output')).toEqual([
      'oif "lo" accept',
      'udp sport 68 udp dport 67 accept',
      'ip6 daddr ff02::1:2 udp sport 546 udp dport 547 accept',
      'icmpv6 type { nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept',
      'meta mark 21324 icmp type echo-request limit rate 100/second burst 100 packets accept',
      'udp dport 53 reject',
      'tcp dport 53 reject with tcp reset',
    ]);
    expect(tagsOf(blocked, 'input')).toEqual([
      'loopback-in',
      'dhcp4-in',
      'dhcp6-in',
      'ndp-in',
      'latency-probe-in',
    ]);
    expect(rules(blocked, 'prerouting')).toEqual([]);
  });

  it("latency probes: in every policy, only the helper's marked IPv4 echo requests, rate-limited, and established echo replies", () => {
    for (const policy of [blocked, connecting, connected, { ...blocked, allowLan: true }]) {
      const output = firewallChains(policy).find((c) => c.name === 'output')?.rules ?? [];
      const probe = output.find((r) => r.tag === 'latency-probe-out');
      // The mark (which needs CAP_NET_ADMIN to set), the ICMP type and the limit all in the one rule:
      // an unmarked echo, or a marked packet of any other kind, does not match it.
      expect(probe?.match).toBe(
        'meta mark 21324 icmp type echo-request limit rate 100/second burst 100 packets',
      );
      expect(probe?.verdict).toBe('accept');
      expect(renderRule(probe ?? rule('x-y', '', ''))).toMatch(
        /limit rate .* counter name "latency-probe-out"/,
      );
      expect(rules(policy, 'input')).toContain('icmp type echo-reply ct state established accept');
      // Nothing else accepts on the mark alone, so only the relay rule and the probes take marked packets.
      const onMark = output.filter((r) => r.match.includes('meta mark 21324') && r.verdict === 'accept');
      expect(onMark.map((r) => r.tag).sort()).toEqual(
        policy.kind === 'blocked' ? ['latency-probe-out'] : ['latency-probe-out', 'relay-out'],
      );
    }
  });

  it('connecting: only marked UDP to the relay, replies from it, and pings to the gateways in the tunnel', () => {
    const output = rules(connecting, 'output');
    expect(output).toContain('meta mark 21324 ip daddr 203.0.113.2 udp dport 51820 accept');
    expect(output).toContain('oifname "wg-sluice" ip daddr { 10.64.0.1 } icmp type echo-request accept');
    expect(output).toContain(
      'oifname "wg-sluice" ip6 daddr { fc00:bbbb::1 } icmpv6 type echo-request accept',
    );
    expect(output.some((rule) => rule.startsWith('oifname "wg-sluice" meta nfproto'))).toBe(false);
    expect(rules(connecting, 'input')).toContain(
      'ip saddr 203.0.113.2 udp sport 51820 ct state established accept',
    );
  });

  it('connected: DNS only to the chosen resolvers and only through the tunnel, refused otherwise before the tunnel rule', () => {
    const output = rules(connectedOneGateway, 'output');
    const dnsAccept = output.indexOf('oifname "wg-sluice" ip daddr { 10.64.0.1 } udp dport 53 accept');
    const dnsReject = output.indexOf('udp dport 53 reject');
    const tunnel = output.indexOf('oifname "wg-sluice" meta nfproto ipv4 accept');
    expect(dnsAccept).toBeGreaterThan(-1);
    expect(output).toContain('oifname "wg-sluice" ip6 daddr { fc00:bbbb::1 } tcp dport 53 accept');
    expect(output.filter((rule) => rule.includes('dport 53 accept'))).toEqual([
      'oifname "wg-sluice" ip daddr { 10.64.0.1 } udp dport 53 accept',
      'oifname "wg-sluice" ip daddr { 10.64.0.1 } tcp dport 53 accept',
      'oifname "wg-sluice" ip6 daddr { fc00:bbbb::1 } udp dport 53 accept',
      'oifname "wg-sluice" ip6 daddr { fc00:bbbb::1 } tcp dport 53 accept',
    ]);
    expect(dnsReject).toBeGreaterThan(dnsAccept);
    expect(tunnel).toBeGreaterThan(dnsReject);
    expect(output).toContain('tcp dport 53 reject with tcp reset');
  });

  it('connected: packets for the tunnel address from outside the tunnel are dropped (CVE-2019-14899)', () => {
    expect(rules(connectedOneGateway, 'prerouting')).toEqual([
      'iifname != "wg-sluice" ip daddr { 10.64.0.2 } drop',
      'iifname != "wg-sluice" ip6 daddr { fc00:bbbb::2 } drop',
    ]);
  });

  it('connected without IPv6 in the tunnel: IPv6 has no way out', () => {
    const output = rules({ ...connectedOneGateway, families: [4] }, 'output');
    expect(output).not.toContain('oifname "wg-sluice" meta nfproto ipv6 accept');
    expect(output.some((rule) => rule.includes('fc00:bbbb::1 } udp dport 53'))).toBe(false);
  });

  it('allow LAN opens the private ranges both ways, after the DNS refusal', () => {
    const lanPolicy = { ...connectedOneGateway, allowLan: true };
    const output = rules(lanPolicy, 'output');
    const lan = output.indexOf(
      'ip daddr { 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 169.254.0.0/16, 224.0.0.0/4, 255.255.255.255/32 } accept',
    );
    expect(lan).toBeGreaterThan(output.indexOf('udp dport 53 reject'));
    expect(output).toContain('ip6 daddr { fe80::/10, fc00::/7, ff00::/8 } accept');
    expect(rules(lanPolicy, 'input')).toContain('ip6 saddr { fe80::/10, fc00::/7, ff00::/8 } accept');
    expect(firewallRuleset(connectedOneGateway)).not.toContain('192.168.0.0/16');
  });

  it('bypass ranges go out, and only their replies come back', () => {
    const policy: ActivePolicy = {
      kind: 'blocked',
      allowLan: false,
      bypassRanges: ['100.64.0.0/10', 'fd7a:115c:a1e0::/48'],
    };
    expect(rules(policy, 'output')).toContain('ip daddr { 100.64.0.0/10 } accept');
    expect(rules(policy, 'output')).toContain('ip6 daddr { fd7a:115c:a1e0::/48 } accept');
    expect(rules(policy, 'input')).toContain(
      'ip saddr { 100.64.0.0/10 } ct state established,related accept',
    );
  });

  it.each([
    [{ ...connectedOneGateway, tunnelInterface: 'wg0"; flush ruleset; "' }, /interface name/],
    [{ ...connectedOneGateway, relay: { address: '203.0.113.2 } accept; {', port: 51820 } }, /relay address/],
    [{ ...connectedOneGateway, relay: { address: '203.0.113.2', port: 0 } }, /port 0/],
    [{ ...connectedOneGateway, dnsServers: ['10.64.0.1; accept'] }, /not an IP address/],
    [{ kind: 'blocked' as const, allowLan: false, bypassRanges: ['0.0.0.0/0 accept'] }, /not an IP range/],
    [{ ...connectedOneGateway, fwmark: 0 }, /fwmark 0/],
  ])('refuses input that is not what it claims before writing nft text (%#)', (policy, message) => {
    expect(() => firewallChains(policy)).toThrow(FirewallInputError);
    expect(() => firewallChains(policy)).toThrow(message);
  });
});

describe('MSS clamping', () => {
  const clamped = { ...connectedOneGateway, mssClamp };

  it('rewrites SYNs leaving through the tunnel before any rule decides, and SYN-ACKs arriving through it', () => {
    const output = firewallChains(clamped).find((c) => c.name === 'output')?.rules ?? [];
    expect(output.slice(0, 2)).toEqual([
      {
        tag: 'mss-out-4',
        match:
          'oifname "wg-sluice" meta nfproto ipv4 tcp flags syn / syn,rst tcp option maxseg size > 1096 tcp option maxseg size set 1096',
        verdict: '',
      },
      {
        tag: 'mss-out-6',
        match:
          'oifname "wg-sluice" meta nfproto ipv6 tcp flags syn / syn,rst tcp option maxseg size > 1076 tcp option maxseg size set 1076',
        verdict: '',
      },
    ]);
    expect(tagsOf(clamped, 'prerouting')).toEqual([
      'mss-in-4',
      'mss-in-6',
      'spoofed-tunnel-address-4',
      'spoofed-tunnel-address-6',
    ]);
    expect(rules(clamped, 'prerouting')[0]).toBe(
      'iifname "wg-sluice" meta nfproto ipv4 tcp flags syn / syn,rst tcp option maxseg size > 1096 tcp option maxseg size set 1096',
    );
  });

  it('a rule without a verdict still counts, and does not accept', () => {
    const [mss] = firewallChains(clamped).find((c) => c.name === 'output')?.rules ?? [];
    if (!mss) throw new Error('no MSS rule');
    expect(renderRule(mss)).toBe(
      'oifname "wg-sluice" meta nfproto ipv4 tcp flags syn / syn,rst tcp option maxseg size > 1096 tcp option maxseg size set 1096 counter name "mss-out-4" comment "mss-out-4"',
    );
    expect(renderRule(mss)).not.toMatch(/accept|drop/);
  });

  it('only for the families given, and not at all without a clamp', () => {
    expect(
      policyTags({ ...connectedOneGateway, mssClamp: { 4: 1200 } }).filter((t) => t.startsWith('mss')),
    ).toEqual(['mss-in-4', 'mss-out-4']);
    expect(policyTags(connectedOneGateway).some((t) => t.startsWith('mss'))).toBe(false);
  });

  it.each([
    [{ 4: 499 }, /TCP MSS 499 for IPv4/],
    [{ 6: 1461 }, /TCP MSS 1461 for IPv6/],
    [{ 4: 1200.5 }, /TCP MSS 1200.5/],
    [{ 4: Number.NaN }, /TCP MSS NaN/],
  ])('refuses an MSS outside 500..1460 (%o)', (clamp, message) => {
    expect(() => firewallChains({ ...connectedOneGateway, mssClamp: clamp })).toThrow(FirewallInputError);
    expect(() => firewallChains({ ...connectedOneGateway, mssClamp: clamp })).toThrow(message);
  });

  it('accepts the bounds', () => {
    expect(() => firewallChains({ ...connectedOneGateway, mssClamp: { 4: 500, 6: 1460 } })).not.toThrow();
  });
});

describe('rendering', () => {
  it('every rule is `<match> counter name "<tag>" <verdict> comment "<tag>"`', () => {
    const text = firewallRuleset({ ...connectedOneGateway, allowLan: true, mssClamp: { 4: 1096 } });
    expect(text).toContain(
      '    oif "lo" counter name "loopback-out" accept comment "loopback-out"\n' +
        '    udp sport 68 udp dport 67 counter name "dhcp4-out" accept comment "dhcp4-out"\n',
    );
    expect(text).toContain(
      '    tcp dport 53 counter name "dns-reject-tcp" reject with tcp reset comment "dns-reject-tcp"\n',
    );
    const ruleLines = text.split('\n').filter((line) => line.includes(' comment '));
    expect(ruleLines).toHaveLength(
      policyTags({ ...connectedOneGateway, allowLan: true, mssClamp: { 4: 1096 } }).length,
    );
    expect(ruleLines.every((line) => / counter name "([a-z0-9-]+)"( .+)? comment "\1"$/.test(line))).toBe(
      true,
    );
  });

  it('replace: deletes whatever table there is and declares a counter per tag, then the chains; no comment', () => {
    const text = firewallRuleset(blocked);
    const tags = policyTags(blocked);
    expect(text.startsWith('table inet sluice\ndelete table inet sluice\ntable inet sluice {\n')).toBe(true);
    expect(text).toContain(`${tags.map((tag) => `  counter ${tag} { }`).join('\n')}\n  chain prerouting {\n`);
    expect(
      text.endsWith(
        '  chain forward {\n    type filter hook forward priority filter; policy drop;\n  }\n}\n',
      ),
    ).toBe(true);
    expect(text).not.toContain('comment "sluice');
    expect(text.match(/^ {2}chain /gm)).toHaveLength(4);
  });

  it('none: removes the table whether or not it exists', () => {
    expect(firewallRuleset({ kind: 'none' })).toBe('table inet sluice\ndelete table inet sluice\n');
    expect(removeRuleset()).toBe(firewallRuleset({ kind: 'none' }));
  });

  it('renders any chains, e.g. the route and nat chains split tunnelling will add', () => {
    const chains = splitChains({ selector: 'meta cgroup 1234', restore: false });
    expect(replaceRuleset(chains)).toBe(
      [
        'table inet sluice',
        'delete table inet sluice',
        'table inet sluice {',
        '  counter split-mark { }',
        '  counter split-masquerade { }',
        '  chain split_route {',
        '    type route hook output priority mangle; policy accept;',
        '    meta cgroup 1234 counter name "split-mark" meta mark set 0x6d6f6c65 comment "split-mark"',
        '  }',
        '  chain split_nat {',
        '    type nat hook postrouting priority srcnat; policy accept;',
        '    meta mark 0x6d6f6c65 oifname != "lo" counter name "split-masquerade" masquerade comment "split-masquerade"',
        '  }',
        '  chain split_prerouting {',
        '    type filter hook prerouting priority -5; policy accept;',
        '  }',
        '  chain policy_split {',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });

  it.each([
    [[{ name: 'nat', rules: [] }], /chain name "nat"/],
    [[{ name: 'Output', rules: [] }], /chain name "Output"/],
    [[base('output', [{ tag: 'masquerade', match: '', verdict: 'accept' }])], /rule tag "masquerade"/],
    [
      [base('output', [{ tag: 'a-b', match: 'ip daddr 1.2.3.4; flush ruleset', verdict: 'accept' }])],
      /one line/,
    ],
    [[base('output', [{ tag: 'a-b', match: '', verdict: 'accept\ndelete table inet sluice' }])], /one line/],
    [
      [base('output', [{ tag: 'a-b', match: '', verdict: 'accept' }]), base('output')],
      /chain output is declared twice/,
    ],
    [
      [
        base('output', [{ tag: 'a-b', match: '', verdict: 'accept' }]),
        { name: 'x_y', rules: [{ tag: 'a-b', match: '', verdict: '' }] },
      ],
      /rule tag a-b is used twice/,
    ],
    [[{ ...base('output'), priority: 'filter + 5' }], /chain priority "filter \+ 5"/],
    [[{ ...base('output'), priority: '99999999999' }], /chain priority/],
  ])('refuses chains that cannot go into nft text as they are (%#)', (chains, message) => {
    expect(() => checkChains(chains)).toThrow(FirewallInputError);
    expect(() => checkChains(chains)).toThrow(message);
  });

  it('integer priorities are written as integers', () => {
    expect(checkChains([{ ...base('output'), priority: '+10' }])[0]?.priority).toBe('10');
  });
});

describe('update in place', () => {
  const previous: CommittedChain[] = [
    { name: 'output', type: 'filter', hook: 'output', priority: 0, handles: [7, 8] },
    { name: 'policy_old', handles: [] },
  ];
  const next: FirewallChain[] = [
    {
      name: 'output',
      type: 'filter',
      hook: 'output',
      priority: 'filter',
      policy: 'accept',
      rules: [{ tag: 'loopback-out', match: 'oif "lo"', verdict: 'accept' }],
    },
    { name: 'policy_new', rules: [] },
  ];

  it('adds the new rules first, then deletes the old ones by handle and the chains that went away', () => {
    expect(updateRuleset(previous, next)).toBe(
      [
        'table inet sluice {',
        '  counter loopback-out { }',
        '  chain output {',
        '    type filter hook output priority filter; policy accept;',
        '    oif "lo" counter name "loopback-out" accept comment "loopback-out"',
        '  }',
        '  chain policy_new {',
        '  }',
        '}',
        'delete rule inet sluice output handle 7',
        'delete rule inet sluice output handle 8',
        'delete chain inet sluice policy_old',
        '',
      ].join('\n'),
    );
  });

  it('never flushes: that makes nft 1.0.6 echo stale sets or crash', () => {
    expect(updateRuleset(previous, next)).not.toContain('flush');
  });

  it('cannot change a chain in place to another type, hook or priority: the table is replaced instead', () => {
    const [output] = previous;
    if (!output) throw new Error('no chain');
    expect(updateRuleset([{ ...output, priority: 10 }], next)).toBeUndefined();
    expect(updateRuleset([{ ...output, hook: 'input' }], next)).toBeUndefined();
    expect(updateRuleset([{ ...output, type: 'route' }], next)).toBeUndefined();
    expect(updateRuleset([{ name: 'output', handles: [] }], next)).toBeUndefined();
    // The same priority, written another way, is the same chain.
    const mangle: FirewallChain = { ...base('output'), priority: 'mangle' };
    expect(updateRuleset([{ ...output, priority: -150 }], [mangle])).toBeDefined();
  });

  it('from connecting to connected: every counter, the chains re-declared, every old rule out, no chain deleted', () => {
    let handle = 10;
    const committed: CommittedChain[] = firewallChains(connecting).map((chain) => ({
      name: chain.name,
      type: chain.type,
      hook: chain.hook,
      priority: chain.priority === undefined ? undefined : priorityValue(chain.priority),
      handles: chain.rules.map(() => handle++),
    }));
    const text = updateRuleset(committed, firewallChains(connectedOneGateway)) ?? '';
    for (const tag of policyTags(connectedOneGateway)) expect(text).toContain(`  counter ${tag} { }\n`);
    expect(text.match(/^delete rule inet sluice \S+ handle \d+$/gm)).toHaveLength(
      policyTags(connecting).length,
    );
    expect(text).toContain('delete rule inet sluice input handle 10\n');
    expect(text.endsWith(`delete rule inet sluice output handle ${handle - 1}\n`)).toBe(true);
    expect(text.match(/^ {2}chain /gm)).toHaveLength(4);
    expect(text).not.toContain('delete chain');
    expect(text).not.toContain('delete table');
  });

  it('validates the handles it writes', () => {
    expect(() => updateRuleset([{ name: 'output', handles: [0] }], [])).toThrow(/rule handle 0/);
  });
});

/** The handles a kernel could have given `chains`: `first`, `first + 1`, ... in order, per chain. */
function handlesFor(chains: readonly FirewallChain[], first = 10): Map<string, number[]> {
  let next = first;
  return new Map(chains.map((chain) => [chain.name, chain.rules.map(() => next++)]));
}

/** The handle `handlesFor` gave the rule tagged `tag`. */
function handleOf(chains: readonly FirewallChain[], handles: Map<string, number[]>, tag: string): number {
  for (const chain of chains) {
    const at = chain.rules.findIndex((r) => r.tag === tag);
    if (at >= 0) return handles.get(chain.name)?.[at] ?? 0;
  }
  throw new Error(`no rule tagged ${tag}`);
}

/**
 * What a kernel would make of a grow transaction: `insert ... position H` goes before the rule with
 * handle H, `add rule` at the end of the chain. The rule texts of each chain, in order, and the counters.
 */
function runGrow(
  previous: readonly FirewallChain[],
  handles: Map<string, number[]>,
  text: string,
): { chains: Map<string, string[]>; counters: string[] } {
  let fresh = 100_000;
  const chains = new Map(
    previous.map((chain) => [
      chain.name,
      chain.rules.map((r, i) => ({ handle: handles.get(chain.name)?.[i] ?? -1, text: renderRule(r) })),
    ]),
  );
  const counters: string[] = [];
  for (const line of text.split('\n')) {
    let match: RegExpExecArray | null;
    if (line === '') continue;
    if ((match = /^add counter inet sluice ([a-z0-9-]+)$/.exec(line))) counters.push(match[1] ?? '');
    else if ((match = /^insert rule inet sluice (\S+) position (\d+) (.+)$/.exec(line))) {
      const rulesOf = chains.get(match[1] ?? '');
      const at = rulesOf?.findIndex((r) => r.handle === Number(match?.[2])) ?? -1;
      if (!rulesOf || at < 0) throw new Error(`no rule with handle ${match[2]} in ${match[1]}`);
      rulesOf.splice(at, 0, { handle: fresh++, text: match[3] ?? '' });
    } else if ((match = /^add rule inet sluice (\S+) (.+)$/.exec(line))) {
      const rulesOf = chains.get(match[1] ?? '');
      if (!rulesOf) throw new Error(`no chain ${match[1]}`);
      rulesOf.push({ handle: fresh++, text: match[2] ?? '' });
    } else throw new Error(`not a grow statement: ${line}`);
  }
  return {
    chains: new Map([...chains].map(([name, list]) => [name, list.map((r) => r.text)])),
    counters,
  };
}

const rendered = (chains: readonly FirewallChain[]): Map<string, string[]> =>
  new Map(chains.map((chain) => [chain.name, chain.rules.map(renderRule)]));

/** Nothing in a grow transaction may delete, flush or declare: only counters and rules are added. */
function expectAddOnly(text: string): void {
  const lines = text.trimEnd().split('\n');
  for (const line of lines) {
    expect(line).toMatch(
      /^(?:add counter inet sluice [a-z0-9-]+|insert rule inet sluice [a-z]+ position \d+ .+|add rule inet sluice [a-z]+ (?!position ).+)$/,
    );
  }
  expect(text).not.toMatch(/\b(?:delete|flush|destroy|replace)\b/);
  expect(text).not.toMatch(/^(?:add |create )?(?:chain|table|set|map) /m);
  expect(text).not.toMatch(/[{}]\s*$/m);
  expect(text.endsWith('\n')).toBe(true);
}

describe('grow (add-only) mode', () => {
  it('connecting -> connected, both families, MSS clamp: counters, then each new rule before the kept rule after it, or appended', () => {
    const previous = firewallChains(connecting);
    const handles = handlesFor(previous);
    // input: loopback-in 10 ... gateway-reply-6 17; output: loopback-out 18 ... dns-reject-udp 26, dns-reject-tcp 27.
    expect(handleOf(previous, handles, 'loopback-out')).toBe(18);
    expect(handleOf(previous, handles, 'dns-reject-udp')).toBe(26);
    const next = firewallChains({ ...connected, mssClamp });
    expect(growRuleset(previous, handles, next)).toBe(
      [
        'add counter inet sluice mss-in-4',
        'add counter inet sluice mss-in-6',
        'add counter inet sluice spoofed-tunnel-address-4',
        'add counter inet sluice spoofed-tunnel-address-6',
        'add counter inet sluice tunnel-in-4',
        'add counter inet sluice tunnel-in-6',
        'add counter inet sluice mss-out-4',
        'add counter inet sluice mss-out-6',
        'add counter inet sluice dns-udp-4',
        'add counter inet sluice dns-tcp-4',
        'add counter inet sluice dns-udp-6',
        'add counter inet sluice dns-tcp-6',
        'add counter inet sluice tunnel-out-4',
        'add counter inet sluice tunnel-out-6',
        'add rule inet sluice prerouting iifname "wg-sluice" meta nfproto ipv4 tcp flags syn / syn,rst tcp option maxseg size > 1096 tcp option maxseg size set 1096 counter name "mss-in-4" comment "mss-in-4"',
        'add rule inet sluice prerouting iifname "wg-sluice" meta nfproto ipv6 tcp flags syn / syn,rst tcp option maxseg size > 1076 tcp option maxseg size set 1076 counter name "mss-in-6" comment "mss-in-6"',
        'add rule inet sluice prerouting iifname != "wg-sluice" ip daddr { 10.64.0.2 } counter name "spoofed-tunnel-address-4" drop comment "spoofed-tunnel-address-4"',
        'add rule inet sluice prerouting iifname != "wg-sluice" ip6 daddr { fc00:bbbb::2 } counter name "spoofed-tunnel-address-6" drop comment "spoofed-tunnel-address-6"',
        'insert rule inet sluice input position 17 iifname "wg-sluice" meta nfproto ipv4 ct state established,related counter name "tunnel-in-4" accept comment "tunnel-in-4"',
        'insert rule inet sluice input position 17 iifname "wg-sluice" meta nfproto ipv6 ct state established,related counter name "tunnel-in-6" accept comment "tunnel-in-6"',
        'insert rule inet sluice output position 18 oifname "wg-sluice" meta nfproto ipv4 tcp flags syn / syn,rst tcp option maxseg size > 1096 tcp option maxseg size set 1096 counter name "mss-out-4" comment "mss-out-4"',
        'insert rule inet sluice output position 18 oifname "wg-sluice" meta nfproto ipv6 tcp flags syn / syn,rst tcp option maxseg size > 1076 tcp option maxseg size set 1076 counter name "mss-out-6" comment "mss-out-6"',
        'insert rule inet sluice output position 26 oifname "wg-sluice" ip daddr { 10.64.0.1 } udp dport 53 counter name "dns-udp-4" accept comment "dns-udp-4"',
        'insert rule inet sluice output position 26 oifname "wg-sluice" ip daddr { 10.64.0.1 } tcp dport 53 counter name "dns-tcp-4" accept comment "dns-tcp-4"',
        'insert rule inet sluice output position 26 oifname "wg-sluice" ip6 daddr { fc00:bbbb::1 } udp dport 53 counter name "dns-udp-6" accept comment "dns-udp-6"',
        'insert rule inet sluice output position 26 oifname "wg-sluice" ip6 daddr { fc00:bbbb::1 } tcp dport 53 counter name "dns-tcp-6" accept comment "dns-tcp-6"',
        'add rule inet sluice output oifname "wg-sluice" meta nfproto ipv4 counter name "tunnel-out-4" accept comment "tunnel-out-4"',
        'add rule inet sluice output oifname "wg-sluice" meta nfproto ipv6 counter name "tunnel-out-6" accept comment "tunnel-out-6"',
        '',
      ].join('\n'),
    );
  });

  it('blocked -> connecting: the relay and gateway rules go in before the DNS refusal, their replies before the probe replies', () => {
    const previous = firewallChains(blocked);
    const handles = handlesFor(previous);
    expect(handleOf(previous, handles, 'dns-reject-udp')).toBe(20);
    expect(growRuleset(previous, handles, firewallChains(connecting))).toBe(
      [
        'add counter inet sluice relay-in',
        'add counter inet sluice gateway-reply-4',
        'add counter inet sluice gateway-reply-6',
        'add counter inet sluice relay-out',
        'add counter inet sluice gateway-ping-4',
        'add counter inet sluice gateway-ping-6',
        'insert rule inet sluice input position 14 ip saddr 203.0.113.2 udp sport 51820 ct state established counter name "relay-in" accept comment "relay-in"',
        'insert rule inet sluice input position 14 iifname "wg-sluice" ip saddr { 10.64.0.1 } ct state established,related counter name "gateway-reply-4" accept comment "gateway-reply-4"',
        'insert rule inet sluice input position 14 iifname "wg-sluice" ip6 saddr { fc00:bbbb::1 } ct state established,related counter name "gateway-reply-6" accept comment "gateway-reply-6"',
        'insert rule inet sluice output position 20 meta mark 21324 ip daddr 203.0.113.2 udp dport 51820 counter name "relay-out" accept comment "relay-out"',
        'insert rule inet sluice output position 20 oifname "wg-sluice" ip daddr { 10.64.0.1 } icmp type echo-request counter name "gateway-ping-4" accept comment "gateway-ping-4"',
        'insert rule inet sluice output position 20 oifname "wg-sluice" ip6 daddr { fc00:bbbb::1 } icmpv6 type echo-request counter name "gateway-ping-6" accept comment "gateway-ping-6"',
        '',
      ].join('\n'),
    );
  });

  it('connected -> connected with the MSS clamp: the rewrites go in before the first rule of their chains', () => {
    const previous = firewallChains(connected);
    const handles = handlesFor(previous);
    const first = {
      pre: handleOf(previous, handles, 'spoofed-tunnel-address-4'),
      out: handleOf(previous, handles, 'loopback-out'),
    };
    expect([first.pre, first.out]).toEqual([10, 22]);
    expect(
      growRuleset(previous, handles, firewallChains({ ...connected, mssClamp: { 4: 1280, 6: 1260 } })),
    ).toBe(
      [
        'add counter inet sluice mss-in-4',
        'add counter inet sluice mss-in-6',
        'add counter inet sluice mss-out-4',
        'add counter inet sluice mss-out-6',
        'insert rule inet sluice prerouting position 10 iifname "wg-sluice" meta nfproto ipv4 tcp flags syn / syn,rst tcp option maxseg size > 1280 tcp option maxseg size set 1280 counter name "mss-in-4" comment "mss-in-4"',
        'insert rule inet sluice prerouting position 10 iifname "wg-sluice" meta nfproto ipv6 tcp flags syn / syn,rst tcp option maxseg size > 1260 tcp option maxseg size set 1260 counter name "mss-in-6" comment "mss-in-6"',
        'insert rule inet sluice output position 22 oifname "wg-sluice" meta nfproto ipv4 tcp flags syn / syn,rst tcp option maxseg size > 1280 tcp option maxseg size set 1280 counter name "mss-out-4" comment "mss-out-4"',
        'insert rule inet sluice output position 22 oifname "wg-sluice" meta nfproto ipv6 tcp flags syn / syn,rst tcp option maxseg size > 1260 tcp option maxseg size set 1260 counter name "mss-out-6" comment "mss-out-6"',
        '',
      ].join('\n'),
    );
  });

  it('allow LAN turned on with bypass ranges: each LAN rule goes in before the bypass rule of its family', () => {
    const bypass = { ...connected, bypassRanges: ['100.64.0.0/10', 'fd7a:115c:a1e0::/48'] };
    const previous = firewallChains(bypass);
    const handles = handlesFor(previous);
    const at = (tag: string): number => handleOf(previous, handles, tag);
    const text = growRuleset(previous, handles, firewallChains({ ...bypass, allowLan: true })) ?? '';
    const lan = (family: 4 | 6): string =>
      family === 4
        ? '{ 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 169.254.0.0/16, 224.0.0.0/4, 255.255.255.255/32 }'
        : '{ fe80::/10, fc00::/7, ff00::/8 }';
    expect(text.split('\n')).toEqual([
      'add counter inet sluice lan-in-4',
      'add counter inet sluice lan-in-6',
      'add counter inet sluice lan-out-4',
      'add counter inet sluice lan-out-6',
      `insert rule inet sluice input position ${at('bypass-in-4')} ip saddr ${lan(4)} counter name "lan-in-4" accept comment "lan-in-4"`,
      `insert rule inet sluice input position ${at('bypass-in-6')} ip6 saddr ${lan(6)} counter name "lan-in-6" accept comment "lan-in-6"`,
      `insert rule inet sluice output position ${at('bypass-out-4')} ip daddr ${lan(4)} counter name "lan-out-4" accept comment "lan-out-4"`,
      `insert rule inet sluice output position ${at('bypass-out-6')} ip6 daddr ${lan(6)} counter name "lan-out-6" accept comment "lan-out-6"`,
      '',
    ]);
    // Without bypass ranges only the latency probe replies follow them: output appended, input before those.
    const plain = firewallChains(connected);
    const plainHandles = handlesFor(plain);
    const appended = growRuleset(plain, plainHandles, firewallChains({ ...connected, allowLan: true }));
    expect(appended?.match(/^add rule inet sluice output ip6? daddr \{/gm)).toHaveLength(2);
    const probeReplies = handleOf(plain, plainHandles, 'latency-probe-in');
    expect(
      appended?.match(
        new RegExp(`^insert rule inet sluice input position ${probeReplies} ip6? saddr \\{`, 'gm'),
      ),
    ).toHaveLength(2);
  });

  it('undefined when an old rule is removed, reordered or changed', () => {
    const previous = firewallChains(connected);
    const handles = handlesFor(previous);
    const grow = (next: FirewallChain[]): string | undefined => growRuleset(previous, handles, next);
    // Removed: back to connecting, a gateway fewer, a family fewer, the LAN off.
    expect(grow(firewallChains(connecting))).toBeUndefined();
    expect(grow(firewallChains({ ...connected, gateways: ['10.64.0.1'], mssClamp }))).toBeUndefined();
    expect(grow(firewallChains({ ...connected, families: [4], mssClamp }))).toBeUndefined();
    expect(grow(firewallChains(blocked))).toBeUndefined();
    // Changed: another relay, another mark, another resolver, another tunnel interface; with an addition too.
    for (const changed of [
      { relay: { address: '198.51.100.7', port: 51820 } },
      { relay: { ...relay, port: 51821 } },
      { fwmark: 0x534d },
      { dnsServers: ['10.64.0.9', 'fc00:bbbb::1'] },
      { tunnelInterface: 'wg1' },
    ]) {
      expect(grow(firewallChains({ ...connected, ...changed })), JSON.stringify(changed)).toBeUndefined();
      expect(grow(firewallChains({ ...connected, ...changed, mssClamp }))).toBeUndefined();
    }
    // Reordered: the same rules, two of them swapped, plus a new one so there is something to add.
    const swapped = firewallChains({ ...connected, mssClamp }).map((chain) => {
      if (chain.name !== 'output') return chain;
      const list = [...chain.rules];
      const [a, b] = [
        list.findIndex((r) => r.tag === 'dhcp4-out'),
        list.findIndex((r) => r.tag === 'dhcp6-out'),
      ];
      [list[a], list[b]] = [list[b] ?? list[a], list[a] ?? list[b]] as [FirewallRule, FirewallRule];
      return { ...chain, rules: list };
    });
    expect(grow(swapped)).toBeUndefined();
    // A verdict or a match changed under the same tag, next to a rule that is only added.
    const edited = (change: Partial<FirewallRule>): FirewallChain[] =>
      firewallChains(connected).map((chain) => ({
        ...chain,
        rules: [
          ...chain.rules.map((r) => (r.tag === 'loopback-out' ? { ...r, ...change } : r)),
          ...(chain.name === 'forward' ? [rule('forward-drop', '', 'drop')] : []),
        ],
      }));
    expect(grow(edited({}))).toBe(
      'add counter inet sluice forward-drop\nadd rule inet sluice forward counter name "forward-drop" drop comment "forward-drop"\n',
    );
    expect(grow(edited({ verdict: 'drop' }))).toBeUndefined();
    expect(grow(edited({ match: 'oif "lo" ip daddr 127.0.0.1' }))).toBeUndefined();
  });

  it('undefined when a chain header or the set of chains differs', () => {
    const previous = firewallChains(connecting);
    const handles = handlesFor(previous);
    const next = firewallChains(connected);
    const grow = (chains: FirewallChain[], h = handles): string | undefined =>
      growRuleset(previous, h, chains);
    expect(grow(next)).toBeDefined();
    const edit = (name: string, change: Partial<FirewallBaseChain>): FirewallChain[] =>
      next.map((chain) => (chain.name === name ? ({ ...chain, ...change } as FirewallChain) : chain));
    expect(grow(edit('output', { policy: 'accept' }))).toBeUndefined();
    expect(grow(edit('prerouting', { priority: 'mangle' }))).toBeUndefined();
    expect(grow(edit('prerouting', { priority: '-300' }))).toBeDefined(); // raw, written as a number
    expect(grow(edit('output', { type: 'route' }))).toBeUndefined();
    expect(grow(edit('forward', { hook: 'postrouting' }))).toBeUndefined();
    expect(
      grow(next.map((chain) => (chain.name === 'forward' ? { name: 'forward', rules: [] } : chain))),
    ).toBeUndefined();
    // A chain more, a chain fewer, a chain renamed.
    expect(grow([...next, { name: 'split_mark', rules: [] }])).toBeUndefined();
    expect(grow(next.filter((chain) => chain.name !== 'forward'))).toBeUndefined();
    expect(
      grow(next.map((chain) => (chain.name === 'forward' ? { ...chain, name: 'forward_x' } : chain))),
    ).toBeUndefined();
    // Handles that do not match the rules in force: the table is not known well enough to add to it.
    expect(grow(next, new Map([...handles].filter(([name]) => name !== 'output')))).toBeUndefined();
    expect(
      grow(next, new Map([...handles, ['output', (handles.get('output') ?? []).slice(1)]])),
    ).toBeUndefined();
  });

  it('undefined when there is nothing to add (the same policy again goes the general way)', () => {
    const previous = firewallChains(connected);
    expect(growRuleset(previous, handlesFor(previous), firewallChains(connected))).toBeUndefined();
  });

  it('validates what it writes: the chains, and the handles it places rules at', () => {
    const previous = firewallChains(blocked);
    const handles = handlesFor(previous);
    const zero = new Map([...handles].map(([name, list]) => [name, list.map(() => 0)]));
    expect(() => growRuleset(previous, zero, firewallChains(connecting))).toThrow(/rule handle 0/);
    const bad = firewallChains(connecting).map((chain) =>
      chain.name === 'output'
        ? { ...chain, rules: [...chain.rules, rule('x-y', 'ip daddr 1.2.3.4; flush ruleset', 'accept')] }
        : chain,
    );
    expect(() => growRuleset(previous, handles, bad)).toThrow(FirewallInputError);
  });

  it('between any two policies: defined exactly when every old rule is kept in order and something is new; the result is the next policy, add-only', () => {
    const bypass = { bypassRanges: ['100.64.0.0/10', 'fd7a:115c:a1e0::/48'] };
    const policies: ActivePolicy[] = [
      blocked,
      { ...blocked, allowLan: true },
      { ...blocked, ...bypass },
      { ...blocked, ...bypass, allowLan: true },
      connecting,
      { ...connecting, gateways: ['10.64.0.1'] },
      { ...connecting, allowLan: true },
      { ...connecting, relay: { address: '2001:db8::7', port: 51820 } },
      connectedOneGateway,
      connected,
      { ...connected, mssClamp },
      { ...connected, mssClamp: { 4: 1200 } },
      { ...connected, families: [4] },
      { ...connected, allowLan: true },
      { ...connected, ...bypass, mssClamp },
      { ...connected, ...bypass, allowLan: true, mssClamp },
    ];
    let grown = 0;
    for (const from of policies) {
      for (const to of policies) {
        const previous = firewallChains(from);
        const handles = handlesFor(previous, 7);
        const next = firewallChains(to);
        const text = growRuleset(previous, handles, next);
        const keepsAll = previous.every((chain) => {
          const now = next.find((c) => c.name === chain.name);
          return now !== undefined && keptRules(chain.rules, now.rules) !== undefined;
        });
        const adds = chainTags(next).length > chainTags(previous).length;
        const label = `${JSON.stringify(from)} -> ${JSON.stringify(to)}`;
        expect(text !== undefined, label).toBe(keepsAll && adds);
        if (text === undefined) continue;
        grown++;
        expectAddOnly(text);
        const result = runGrow(previous, handles, text);
        expect(result.chains, label).toEqual(rendered(next));
        const known = new Set(chainTags(previous));
        expect(result.counters, label).toEqual(chainTags(next).filter((tag) => !known.has(tag)));
      }
    }
    // blocked -> connecting, connecting -> connected, the clamp and allow-LAN at least.
    expect(grown).toBeGreaterThan(30);
  });
});

describe('tags', () => {
  const all: FirewallPolicy[] = [
    blocked,
    { kind: 'blocked', allowLan: true, bypassRanges: ['100.64.0.0/10', 'fd7a:115c:a1e0::/48'] },
    connecting,
    connectedOneGateway,
    { ...connectedOneGateway, allowLan: true, mssClamp },
  ];

  it('policyTags lists every rule of a policy once, in order; ruleTags reads the same from the text', () => {
    for (const policy of all) {
      const tags = policyTags(policy);
      expect(new Set(tags).size).toBe(tags.length);
      expect(ruleTags(firewallRuleset(policy))).toEqual(tags);
    }
    expect(policyTags({ kind: 'none' })).toEqual([]);
    expect(policyTags(connectedOneGateway)).toContain('dns-udp-6');
  });
});
