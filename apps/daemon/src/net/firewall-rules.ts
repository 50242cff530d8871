// The kill switch's nftables ruleset. A policy becomes chains as data (`firewallChains`, pure); the
// renderer turns any list of chains into the `nft -f` transactions for one table, `inet sluice`:
// replace (delete and re-create the table: counters start at zero) or update (new rules in, old rules
// out: the named counters keep their counts). Either is one transaction, so there is never a moment
// without rules. Every input is validated before it is written into nft text.
import { ipFamily, validateCidr, validateIp } from '@sluice/api/domain';
import { FWMARK_MASK, TUNNEL_FWMARK } from './routing.js';

export const FIREWALL_TABLE = 'sluice';

/** Private and link-local ranges that "allow LAN" opens (RFC 1918, link-local, ULA, multicast). */
export const LAN_RANGES = {
  4: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '224.0.0.0/4', '255.255.255.255/32'],
  6: ['fe80::/10', 'fc00::/7', 'ff00::/8'],
} as const;

/** TCP MSS values the clamp accepts: 1460 fills a 1500-byte path; below 500 is not a sane clamp. */
export const MSS_MIN = 500;
export const MSS_MAX = 1460;

export interface RelayEndpointRule {
  address: string;
  port: number;
}

/**
 * How the firewall recognises sockets of excluded programs (split tunnelling): by their cgroup v2
 * (`path` relative to /sys/fs/cgroup, at `level` of the v2 hierarchy) or by a net_cls classid.
 */
export type ExclusionMatch =
  { mechanism: 'cgroup2'; path: string; level: number } | { mechanism: 'net_cls'; classid: number };

export interface FirewallOptions {
  allowLan: boolean;
  /** CIDR ranges that go outside the tunnel. */
  bypassRanges: readonly string[];
  /** Split tunnelling: excluded programs' connections go outside the tunnel, in every policy. */
  exclusion?: ExclusionMatch;
}

/**
 * The conntrack mark bit of an excluded connection. Only this bit is set or tested (other software,
 * Tailscale among them, keeps its own bits of the same marks).
 */
export const EXCLUDED_CT_MARK = 0x534c_0000;

export type FirewallPolicy =
  /** No table at all (disconnected without lockdown). */
  | { kind: 'none' }
  /** Loopback, DHCP, NDP, the helper's latency probes, what the options allow (errors, lockdown, tear-down). */
  | ({ kind: 'blocked' } & FirewallOptions)
  /** Setting up: the WireGuard socket's marked packets to the relay, and pings to the gateways in the tunnel. */
  | ({
      kind: 'connecting';
      relay: RelayEndpointRule;
      fwmark: number;
      tunnelInterface: string;
      gateways: readonly string[];
    } & FirewallOptions)
  /** Up: the tunnel (for the families it carries), the relay, and DNS only to the chosen resolvers. */
  | ({
      kind: 'connected';
      relay: RelayEndpointRule;
      fwmark: number;
      tunnelInterface: string;
      /** The tunnel's own addresses: packets to them may only arrive through the tunnel. */
      tunnelAddresses: readonly string[];
      dnsServers: readonly string[];
      /** The in-tunnel addresses pinged while connecting; kept, so the change to connected only adds. */
      gateways: readonly string[];
      /** Families the tunnel carries; the other is blocked (except LAN/bypass when allowed). */
      families: readonly (4 | 6)[];
      /** TCP MSS per family for SYNs through the tunnel, when path MTU discovery cannot be trusted. */
      mssClamp?: { 4?: number; 6?: number };
    } & FirewallOptions);

export type ActivePolicy = Exclude<FirewallPolicy, { kind: 'none' }>;

/**
 * One rule. The tag is a stable name for what the rule is for: it names the rule's counter and is its
 * comment, so tests and the leak self-test can see which rules traffic actually hit.
 */
export interface FirewallRule {
  tag: string;
  /** Expressions, and any statement that only rewrites (an MSS clamp), before the counter. */
  match: string;
  /** What follows the counter: `accept`, `drop`, `reject ...`; empty for a rule that only rewrites. */
  verdict: string;
}

export type ChainType = 'filter' | 'route' | 'nat';
export type ChainHook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';

/** A chain the kernel calls from a hook. */
export interface FirewallBaseChain {
  name: string;
  type: ChainType;
  hook: ChainHook;
  /** `raw`, `mangle`, `dstnat`, `filter`, `security`, `srcnat`, or a signed integer. */
  priority: string;
  policy: 'accept' | 'drop';
  rules: FirewallRule[];
}

/** A chain without a hook: a jump target, or a marker such as `policy_connected`. */
export interface FirewallRegularChain {
  name: string;
  type?: never;
  hook?: never;
  priority?: never;
  policy?: never;
  rules: FirewallRule[];
}

export type FirewallChain = FirewallBaseChain | FirewallRegularChain;

export function isBaseChain(chain: FirewallChain): chain is FirewallBaseChain {
  return chain.hook !== undefined;
}

export class FirewallInputError extends Error {
  override readonly name = 'FirewallInputError';
}

const INTERFACE = /^[A-Za-z0-9_=+.][A-Za-z0-9_=+.-]{0,14}$/;

function checkInterface(name: string): string {
  if (!INTERFACE.test(name))
    throw new FirewallInputError(`interface name ${JSON.stringify(name)} cannot go into a firewall rule`);
  return name;
}

function checkPort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new FirewallInputError(`port ${port} cannot go into a firewall rule`);
  return port;
}

function checkMark(mark: number): number {
  if (!Number.isInteger(mark) || mark < 1 || mark > 0xffff_ffff)
    throw new FirewallInputError(`fwmark ${mark} cannot go into a firewall rule`);
  return mark;
}

/** Validated addresses and ranges split by family (as nft needs `ip` vs `ip6`). */
function byFamily(values: readonly string[], kind: 'address' | 'range'): { 4: string[]; 6: string[] } {
  const out: { 4: string[]; 6: string[] } = { 4: [], 6: [] };
  for (const value of values) {
    let canonical: string;
    try {
      canonical = kind === 'address' ? validateIp('firewall', value) : validateCidr('firewall', value);
    } catch {
      throw new FirewallInputError(
        `${JSON.stringify(value)} is not an IP ${kind} and cannot go into a firewall rule`,
      );
    }
    const family = ipFamily(canonical.split('/')[0] ?? '');
    if (family !== null && !out[family].includes(canonical)) out[family].push(canonical);
  }
  return out;
}

const ipKeyword = (family: 4 | 6): string => (family === 4 ? 'ip' : 'ip6');
const nfproto = (family: 4 | 6): string => (family === 4 ? 'ipv4' : 'ipv6');
const set = (items: readonly string[]): string => `{ ${items.join(', ')} }`;
// Interfaces are matched by name (iifname/oifname), not index: the tunnel may not exist yet when a policy
// goes in, and a restarted wireguard-go makes a new interface with a new index.

export function rule(tag: string, match: string, verdict: string): FirewallRule {
  return { tag, match, verdict };
}

interface PolicyRules {
  prerouting: FirewallRule[];
  input: FirewallRule[];
  output: FirewallRule[];
}

/** Rules every policy has: loopback, DHCP, router/neighbour discovery. */
function baseRules(): { input: FirewallRule[]; output: FirewallRule[] } {
  return {
    input: [
      rule('loopback-in', 'iif "lo"', 'accept'),
      rule('dhcp4-in', 'udp sport 67 udp dport 68', 'accept'),
      rule('dhcp6-in', 'ip6 saddr fe80::/10 udp sport 547 udp dport 546', 'accept'),
      rule(
        'ndp-in',
        'icmpv6 type { nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert, nd-redirect } ip6 hoplimit 255',
        'accept',
      ),
    ],
    output: [
      rule('loopback-out', 'oif "lo"', 'accept'),
      rule('dhcp4-out', 'udp sport 68 udp dport 67', 'accept'),
      rule('dhcp6-out', 'ip6 daddr ff02::1:2 udp sport 546 udp dport 547', 'accept'),
      rule(
        'ndp-out',
        'icmpv6 type { nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255',
        'accept',
      ),
    ],
  };
}

/**
 * Echo requests per second the kill switch lets out for relay latency probes. The helper paces its
 * probes to half of this (relays/latency-meter.ts), so the limit only bites something that is not it.
 */
export const LATENCY_PROBE_RATE = 100;

/**
 * Relay latency probes: the helper's own ICMP echo requests, which carry the tunnel fwmark so policy
 * routing sends them by the main table, never into the tunnel. Setting a mark (SO_MARK) needs
 * CAP_NET_ADMIN, so no user's program can send one; anything unmarked, or marked but not an echo
 * request (IPv4), still meets the drop. The replies are accepted only as conntrack-established echo
 * replies, i.e. answers to an echo request this table let out.
 */
function latencyProbeRules(): { input: FirewallRule[]; output: FirewallRule[] } {
  const limit = `limit rate ${LATENCY_PROBE_RATE}/second burst ${LATENCY_PROBE_RATE} packets`;
  return {
    output: [
      rule(
        'latency-probe-out',
        `meta mark ${checkMark(TUNNEL_FWMARK)} icmp type echo-request ${limit}`,
        'accept',
      ),
    ],
    input: [rule('latency-probe-in', 'icmp type echo-reply ct state established', 'accept')],
  };
}

const CGROUP_PATH = /^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/;

export function exclusionSelector(match: ExclusionMatch): string {
  if (match.mechanism === 'cgroup2') {
    if (!CGROUP_PATH.test(match.path) || match.path.split('/').includes('..') || match.path.length > 200)
      throw new FirewallInputError(
        `cgroup path ${JSON.stringify(match.path)} cannot go into a firewall rule`,
      );
    if (!Number.isInteger(match.level) || match.level < 1 || match.level > 32)
      throw new FirewallInputError(`cgroup level ${match.level} cannot go into a firewall rule`);
    return `socket cgroupv2 level ${match.level} "${match.path}"`;
  }
  if (!Number.isInteger(match.classid) || match.classid < 1 || match.classid > 0xffff_ffff)
    throw new FirewallInputError(`net_cls classid ${match.classid} cannot go into a firewall rule`);
  return `meta cgroup ${hex(match.classid)}`;
}

/** A throw-away table that only loads when nft and the kernel can match `match` (for `nft -c`). */
export function exclusionProbeRuleset(match: ExclusionMatch): string {
  return [
    'table inet sluice_probe {',
    '  chain probe {',
    '    type filter hook output priority filter; policy accept;',
    `    ${exclusionSelector(match)} counter`,
    '  }',
    '}',
    '',
  ].join('\n');
}

const hex = (value: number): string => `0x${value.toString(16).padStart(8, '0')}`;
const excludedConnection = `ct mark & ${hex(EXCLUDED_CT_MARK)} == ${hex(EXCLUDED_CT_MARK)}`;
/** Set the tunnel fwmark in the mark's low bits, keeping everyone else's. */
const setTunnelMark = (fwmark: number): string =>
  `meta mark set meta mark & ${hex(0xffff_ffff - FWMARK_MASK)} | ${hex(fwmark)}`;

/**
 * Split tunnelling: new connections of excluded sockets get the conntrack mark, and every packet of such
 * a connection the tunnel's fwmark, so policy routing sends it by the main table (a `type route` chain
 * re-routes after a mark changes). Only connections that start excluded are marked: a process moved
 * out keeps its tunnel connections in the tunnel (net_cls would otherwise re-class their sockets and
 * send their packets out bare). DNS to the in-tunnel resolvers stays in the tunnel. Masquerade fixes
 * the source address the socket took from the tunnel route; prerouting restores the fwmark on replies
 * so strict reverse-path filtering lets them in.
 */
function exclusionChains(
  match: ExclusionMatch,
  fwmark: number,
  tunnelDns: { 4: string[]; 6: string[] },
): FirewallBaseChain[] {
  const selector = exclusionSelector(match);
  const mark = setTunnelMark(checkMark(fwmark) & FWMARK_MASK);
  const route: FirewallRule[] = [];
  for (const family of [4, 6] as const) {
    if (tunnelDns[family].length === 0) continue;
    const to = `${ipKeyword(family)} daddr ${set(tunnelDns[family])}`;
    route.push(
      rule(`excluded-dns-udp-${family}`, `${to} udp dport 53`, 'return'),
      rule(`excluded-dns-tcp-${family}`, `${to} tcp dport 53`, 'return'),
    );
  }
  route.push(
    rule('excluded-new', `${selector} ct state new ct mark set ct mark | ${hex(EXCLUDED_CT_MARK)}`, ''),
    rule('excluded-mark', `${excludedConnection} ${mark}`, ''),
  );
  return [
    {
      name: 'exclusion_route',
      type: 'route',
      hook: 'output',
      priority: 'mangle',
      policy: 'accept',
      rules: route,
    },
    {
      name: 'exclusion_nat',
      type: 'nat',
      hook: 'postrouting',
      priority: 'srcnat',
      policy: 'accept',
      rules: [rule('excluded-masquerade', `oifname != "lo" ${excludedConnection}`, 'masquerade')],
    },
    {
      name: 'exclusion_replies',
      type: 'filter',
      hook: 'prerouting',
      priority: 'mangle',
      policy: 'accept',
      rules: [rule('excluded-reply-mark', `${excludedConnection} ${mark}`, '')],
    },
  ];
}

/** Allow-LAN and bypass ranges, both directions. */
function optionRules(options: FirewallOptions): { input: FirewallRule[]; output: FirewallRule[] } {
  const input: FirewallRule[] = [];
  const output: FirewallRule[] = [];
  const bypass = byFamily(options.bypassRanges, 'range');
  for (const family of [4, 6] as const) {
    const ip = ipKeyword(family);
    if (options.allowLan) {
      const lan = set(LAN_RANGES[family]);
      output.push(rule(`lan-out-${family}`, `${ip} daddr ${lan}`, 'accept'));
      input.push(rule(`lan-in-${family}`, `${ip} saddr ${lan}`, 'accept'));
    }
    if (bypass[family].length > 0) {
      output.push(rule(`bypass-out-${family}`, `${ip} daddr ${set(bypass[family])}`, 'accept'));
      input.push(
        rule(
          `bypass-in-${family}`,
          `${ip} saddr ${set(bypass[family])} ct state established,related`,
          'accept',
        ),
      );
    }
  }
  return { input, output };
}

function relayRules(
  relay: RelayEndpointRule,
  fwmark: number,
): { input: FirewallRule[]; output: FirewallRule[] } {
  const address = validateRelay(relay);
  const ip = ipKeyword(ipFamily(address) ?? 4);
  const port = checkPort(relay.port);
  return {
    // Only the WireGuard socket marks its packets: nothing else may reach the relay outside the tunnel.
    output: [
      rule('relay-out', `meta mark ${checkMark(fwmark)} ${ip} daddr ${address} udp dport ${port}`, 'accept'),
    ],
    input: [rule('relay-in', `${ip} saddr ${address} udp sport ${port} ct state established`, 'accept')],
  };
}

function validateRelay(relay: RelayEndpointRule): string {
  try {
    return validateIp('relay', relay.address);
  } catch {
    throw new FirewallInputError(
      `relay address ${JSON.stringify(relay.address)} cannot go into a firewall rule`,
    );
  }
}

function checkMss(family: 4 | 6, size: number): number {
  if (!Number.isInteger(size) || size < MSS_MIN || size > MSS_MAX)
    throw new FirewallInputError(
      `TCP MSS ${size} for IPv${family} cannot go into a firewall rule (use ${MSS_MIN} to ${MSS_MAX})`,
    );
  return size;
}

/**
 * MSS clamping on SYNs through the tunnel: outgoing SYNs, and incoming SYN-ACKs so our own segments fit.
 * The rules only rewrite (no verdict), so the packet goes on to the rules that decide.
 */
function mssRules(
  tunnel: string,
  clamp: { 4?: number; 6?: number },
): { prerouting: FirewallRule[]; output: FirewallRule[] } {
  const prerouting: FirewallRule[] = [];
  const output: FirewallRule[] = [];
  for (const family of [4, 6] as const) {
    const wanted = clamp[family];
    if (wanted === undefined) continue;
    const size = checkMss(family, wanted);
    const syn = `meta nfproto ${nfproto(family)} tcp flags syn / syn,rst`;
    const mss = `tcp option maxseg size > ${size} tcp option maxseg size set ${size}`;
    output.push(rule(`mss-out-${family}`, `oifname "${tunnel}" ${syn} ${mss}`, ''));
    prerouting.push(rule(`mss-in-${family}`, `iifname "${tunnel}" ${syn} ${mss}`, ''));
  }
  return { prerouting, output };
}

/** Pings to the in-tunnel gateways and their answers: what verifies the tunnel while connecting. */
function gatewayRules(
  policy: Extract<FirewallPolicy, { kind: 'connecting' | 'connected' }>,
  chains: PolicyRules,
): void {
  const tunnel = checkInterface(policy.tunnelInterface);
  const gateways = byFamily(policy.gateways, 'address');
  for (const family of [4, 6] as const) {
    if (gateways[family].length === 0) continue;
    const ip = ipKeyword(family);
    const targets = set(gateways[family]);
    const icmp = family === 4 ? 'icmp type echo-request' : 'icmpv6 type echo-request';
    chains.output.push(
      rule(`gateway-ping-${family}`, `oifname "${tunnel}" ${ip} daddr ${targets} ${icmp}`, 'accept'),
    );
    chains.input.push(
      rule(
        `gateway-reply-${family}`,
        `iifname "${tunnel}" ${ip} saddr ${targets} ct state established,related`,
        'accept',
      ),
    );
  }
}

/** Connected: spoofing guard and DNS into `chains`; returns the tunnel's own output rules (they go later). */
function connectedRules(
  policy: Extract<FirewallPolicy, { kind: 'connected' }>,
  chains: PolicyRules,
): FirewallRule[] {
  const tunnel = checkInterface(policy.tunnelInterface);
  const dns = byFamily(policy.dnsServers, 'address');
  const own = byFamily(
    policy.tunnelAddresses.map((a) => a.split('/')[0] ?? ''),
    'address',
  );
  // Rewrites first, so they run whatever rule decides the packet.
  const mss = mssRules(tunnel, policy.mssClamp ?? {});
  chains.output.unshift(...mss.output);
  chains.prerouting.push(...mss.prerouting);
  for (const family of [4, 6] as const) {
    const ip = ipKeyword(family);
    // CVE-2019-14899: packets for the tunnel address that did not come through the tunnel are forged.
    if (own[family].length > 0) {
      chains.prerouting.push(
        rule(
          `spoofed-tunnel-address-${family}`,
          `iifname != "${tunnel}" ${ip} daddr ${set(own[family])}`,
          'drop',
        ),
      );
    }
  }
  // DNS only to the chosen resolvers, and only through the tunnel: during a tear-down, once the routes
  // are gone, a query to them would otherwise leave by the main table.
  for (const family of [4, 6] as const) {
    if (dns[family].length === 0 || !policy.families.includes(family)) continue;
    const to = `oifname "${tunnel}" ${ipKeyword(family)} daddr ${set(dns[family])}`;
    chains.output.push(
      rule(`dns-udp-${family}`, `${to} udp dport 53`, 'accept'),
      rule(`dns-tcp-${family}`, `${to} tcp dport 53`, 'accept'),
    );
  }
  const tunnelOutput: FirewallRule[] = [];
  for (const family of policy.families) {
    tunnelOutput.push(
      rule(`tunnel-out-${family}`, `oifname "${tunnel}" meta nfproto ${nfproto(family)}`, 'accept'),
    );
    chains.input.push(
      rule(
        `tunnel-in-${family}`,
        `iifname "${tunnel}" meta nfproto ${nfproto(family)} ct state established,related`,
        'accept',
      ),
    );
  }
  return tunnelOutput;
}

function filterChain(
  name: ChainHook,
  priority: string,
  policy: 'accept' | 'drop',
  rules: FirewallRule[],
): FirewallBaseChain {
  return { name, type: 'filter', hook: name, priority, policy, rules };
}

/** The chains that make the table exactly `policy`. */
export function firewallChains(policy: ActivePolicy): FirewallChain[] {
  const base = baseRules();
  const options = optionRules(policy);
  const chains: PolicyRules = { prerouting: [], input: [...base.input], output: [...base.output] };
  // In every policy, so blocked -> connecting -> connected only add rules: the requests right after the
  // base rules, the replies last, so an echo reply another rule takes (the tunnel's, LAN) counts there.
  const probes = latencyProbeRules();
  chains.output.push(...probes.output);
  if (policy.kind === 'connecting' || policy.kind === 'connected') {
    const relay = relayRules(policy.relay, policy.fwmark);
    chains.output.push(...relay.output);
    chains.input.push(...relay.input);
  }
  // Kept while connected (the tunnel allows them anyway), so connecting -> connected only adds rules.
  if (policy.kind === 'connecting' || policy.kind === 'connected') gatewayRules(policy, chains);
  // The tunnel itself goes after the DNS refusal, so DNS through it can only reach the chosen resolvers.
  const tunnelOutput = policy.kind === 'connected' ? connectedRules(policy, chains) : [];
  // Every other port-53 packet is refused, in every policy, before allow-LAN and bypass: a LAN router's
  // resolver forwards to the ISP, which is exactly the leak this prevents.
  chains.output.push(
    rule('dns-reject-udp', 'udp dport 53', 'reject'),
    rule('dns-reject-tcp', 'tcp dport 53', 'reject with tcp reset'),
    ...tunnelOutput,
    ...options.output,
  );
  chains.input.push(...options.input, ...probes.input);
  const forward: FirewallRule[] = [];
  const exclusion: FirewallBaseChain[] = [];
  if (policy.exclusion) {
    // Excluded connections pass every policy, blocked and lockdown included ("as if Sluice were not
    // running"), before the DNS refusal: outside the tunnel their resolver is the network's.
    const tunnelDns = policy.kind === 'connected' ? byFamily(policy.dnsServers, 'address') : { 4: [], 6: [] };
    exclusion.push(...exclusionChains(policy.exclusion, TUNNEL_FWMARK, tunnelDns));
    chains.output.splice(1, 0, rule('excluded-out', excludedConnection, 'accept'));
    chains.input.splice(1, 0, rule('excluded-in', excludedConnection, 'accept'));
    forward.push(rule('excluded-forward', excludedConnection, 'accept'));
  }
  return [
    filterChain('prerouting', 'raw', 'accept', chains.prerouting),
    filterChain('input', 'filter', 'drop', chains.input),
    filterChain('output', 'filter', 'drop', chains.output),
    // Forwarded traffic (containers, VMs, a shared connection) is blocked while the kill switch is on:
    // none of it may leave outside the tunnel, and routing it into the tunnel is not offered yet.
    filterChain('forward', 'filter', 'drop', forward),
    ...exclusion,
  ];
}

/** Every rule tag of `chains`, in order (each names a counter). */
export function chainTags(chains: readonly FirewallChain[]): string[] {
  return chains.flatMap((chain) => chain.rules.map((r) => r.tag));
}

/** Every rule tag of a policy, in order; none for `none`. */
export function policyTags(policy: FirewallPolicy): string[] {
  return policy.kind === 'none' ? [] : chainTags(firewallChains(policy));
}

// ---- Priorities

/** nft's standard priority names for the inet family. */
export const PRIORITY_NAMES: Readonly<Record<string, number>> = {
  raw: -300,
  mangle: -150,
  dstnat: -100,
  filter: 0,
  security: 50,
  srcnat: 100,
};

/** A priority as a number: `filter`, `-5`, or as nft prints it back, `filter - 5` / `dstnat + 5`. */
export function priorityValue(text: string): number | undefined {
  const match = /^(?:([a-z]+)(?: ([+-]) (\d+))?|([+-]?\d+))$/.exec(text.trim());
  if (!match) return undefined;
  const [, name, sign, offset, number] = match;
  if (number !== undefined) return Number(number);
  const base = name === undefined ? undefined : PRIORITY_NAMES[name];
  if (base === undefined) return undefined;
  return offset === undefined ? base : base + (sign === '-' ? -1 : 1) * Number(offset);
}

// ---- Checking chains before they become text

const HOOKS: readonly string[] = ['prerouting', 'input', 'forward', 'output', 'postrouting'];
const TYPES: readonly string[] = ['filter', 'route', 'nat'];
const POLICIES: readonly string[] = ['accept', 'drop'];
// A bare word may be an nft keyword (`chain nat`, `counter ip` do not load, and 1.0.6 takes no quoted
// names), so a chain is named after its hook or has an underscore, and a tag has a hyphen.
const CHAIN_NAME = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$/;
const TAG = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$/;
// Rule text is built from validated values; this only keeps one rule on one line of the transaction.
const RULE_TEXT = /^[^\n\r;#]*$/;

function checkChainName(name: string): string {
  if (name.length > 64 || !(HOOKS.includes(name) || CHAIN_NAME.test(name)))
    throw new FirewallInputError(`chain name ${JSON.stringify(name)} cannot go into a firewall table`);
  return name;
}

function checkPriority(priority: string): string {
  const integer = /^[+-]?\d{1,10}$/.test(priority) ? Number(priority) : undefined;
  if (integer !== undefined && Math.abs(integer) <= 0x7fff_ffff) return String(integer);
  if (PRIORITY_NAMES[priority] !== undefined) return priority;
  throw new FirewallInputError(`chain priority ${JSON.stringify(priority)} cannot go into a firewall table`);
}

function checkRule(chain: string, r: FirewallRule): FirewallRule {
  if (r.tag.length > 64 || !TAG.test(r.tag))
    throw new FirewallInputError(`rule tag ${JSON.stringify(r.tag)} in chain ${chain} cannot name a counter`);
  if (!RULE_TEXT.test(r.match) || !RULE_TEXT.test(r.verdict))
    throw new FirewallInputError(`rule ${r.tag} in chain ${chain} does not fit on one line`);
  return r;
}

/** Validated copies of `chains`: names, types, hooks, priorities, tags (unique across the table). */
export function checkChains(chains: readonly FirewallChain[]): FirewallChain[] {
  const names = new Set<string>();
  const tags = new Set<string>();
  return chains.map((chain) => {
    const name = checkChainName(chain.name);
    if (names.has(name)) throw new FirewallInputError(`chain ${name} is declared twice`);
    names.add(name);
    const rules = chain.rules.map((r) => {
      if (tags.has(r.tag)) throw new FirewallInputError(`rule tag ${r.tag} is used twice`);
      tags.add(r.tag);
      return checkRule(name, r);
    });
    if (!isBaseChain(chain)) return { name, rules };
    if (!TYPES.includes(chain.type) || !HOOKS.includes(chain.hook))
      throw new FirewallInputError(`chain ${name}: type ${chain.type} hook ${chain.hook} is not supported`);
    if (!POLICIES.includes(chain.policy))
      throw new FirewallInputError(`chain ${name}: policy ${chain.policy} is not supported`);
    return { ...chain, name, priority: checkPriority(chain.priority), rules };
  });
}

// ---- Text

/** `<match> counter name "<tag>" <verdict> comment "<tag>"`. */
export function renderRule(r: FirewallRule): string {
  return [r.match, `counter name "${r.tag}"`, r.verdict, `comment "${r.tag}"`].filter(Boolean).join(' ');
}

function renderChain(chain: FirewallChain): string[] {
  const header = isBaseChain(chain)
    ? [`    type ${chain.type} hook ${chain.hook} priority ${chain.priority}; policy ${chain.policy};`]
    : [];
  return [`  chain ${chain.name} {`, ...header, ...chain.rules.map((r) => `    ${renderRule(r)}`), '  }'];
}

function tableBlock(lines: readonly string[]): string[] {
  return [`table inet ${FIREWALL_TABLE} {`, ...lines, '}'];
}

const counterDeclarations = (chains: readonly FirewallChain[]): string[] =>
  chainTags(chains).map((tag) => `  counter ${tag} { }`);

/** Delete whatever table there is and make it `chains`, with counters at zero. */
export function replaceRuleset(chains: readonly FirewallChain[]): string {
  const checked = checkChains(chains);
  return [
    // Create-then-delete makes the delete succeed whether or not the table exists; all of it is one
    // transaction, so the old rules stay until the new ones are in.
    `table inet ${FIREWALL_TABLE}`,
    `delete table inet ${FIREWALL_TABLE}`,
    ...tableBlock([...counterDeclarations(checked), ...checked.flatMap(renderChain)]),
    '',
  ].join('\n');
}

/**
 * Make the table `chains` when there is none: `create` fails (and changes nothing) if one exists.
 * Without the delete that replace mode needs, the kernel does not wait (see growRuleset), which halves
 * the first policy of a connect.
 */
export function createRuleset(chains: readonly FirewallChain[]): string {
  const checked = checkChains(chains);
  return [
    `create table inet ${FIREWALL_TABLE}`,
    ...tableBlock([...counterDeclarations(checked), ...checked.flatMap(renderChain)]),
    '',
  ].join('\n');
}

/** A chain as the kernel has it after a commit of this helper: enough to change it in place. */
export interface CommittedChain {
  name: string;
  /** Absent for a regular chain. */
  type?: string;
  hook?: string;
  priority?: number;
  /** The kernel's handle of each rule, in order. */
  handles: number[];
}

/** Same chain type, hook and priority: an existing chain can be re-declared with a new policy verdict. */
function sameHook(old: CommittedChain, now: FirewallChain): boolean {
  if (!isBaseChain(now)) return old.hook === undefined;
  return old.type === now.type && old.hook === now.hook && old.priority === priorityValue(now.priority);
}

function checkHandle(handle: number): number {
  if (!Number.isInteger(handle) || handle < 1)
    throw new FirewallInputError(`rule handle ${handle} cannot go into a firewall transaction`);
  return handle;
}

/**
 * Turn the table from `previous` (as the kernel echoed this helper's last commit) into `next` in one
 * transaction that keeps the named counters and their counts: declare the counters `next` needs (an
 * existing one is left as it is), re-declare the chains of `next` with their new rules (appended, and
 * the policy verdict updated), then delete the old rules by handle and the chains `next` lacks.
 *
 * Old rules go after the new ones are in, not by `flush table` first: nft 1.0.6 names anonymous sets
 * `__set<n>` with the lowest free n, so after a flush the new sets take the numbers of the flushed ones,
 * which nft still has in its cache, and its echo prints stale set elements or crashes after the commit.
 *
 * Undefined when a chain of `next` has another type, hook or priority than the live one: that chain
 * must be deleted and re-created, its new sets would take the numbers of its old ones, and so the
 * table is replaced instead.
 */
export function updateRuleset(
  previous: readonly CommittedChain[],
  next: readonly FirewallChain[],
): string | undefined {
  const checked = checkChains(next);
  const deletions: string[] = [];
  const vanished: string[] = [];
  for (const old of previous) {
    const name = checkChainName(old.name);
    const now = checked.find((chain) => chain.name === name);
    if (now && !sameHook(old, now)) return undefined;
    for (const handle of old.handles)
      deletions.push(`delete rule inet ${FIREWALL_TABLE} ${name} handle ${checkHandle(handle)}`);
    if (!now) vanished.push(`delete chain inet ${FIREWALL_TABLE} ${name}`);
  }
  return [
    ...tableBlock([...counterDeclarations(checked), ...checked.flatMap(renderChain)]),
    ...deletions,
    ...vanished,
    '',
  ].join('\n');
}

/**
 * When `next` only adds rules to what is in force — the same chains with the same headers, each old
 * rule still there in the same order — the transaction that adds just those: new counters, and each
 * new rule inserted before the kept rule that follows it (or appended). Undefined otherwise.
 *
 * This is the fast way between policies: a transaction that deletes anything (a rule, a chain, the
 * table) waits in the kernel for about 20 ms, one that only adds takes about 4 ms. Connecting ->
 * connected, adding the MSS clamp and blocked -> connecting are all additions.
 */
export function growRuleset(
  previous: readonly FirewallChain[],
  handles: ReadonlyMap<string, readonly number[]>,
  next: readonly FirewallChain[],
): string | undefined {
  const checked = checkChains(next);
  if (checked.length !== previous.length) return undefined;
  const lines: string[] = [];
  const known = new Set(chainTags(previous));
  for (const tag of chainTags(checked))
    if (!known.has(tag)) lines.push(`add counter inet ${FIREWALL_TABLE} ${tag}`);
  for (const chain of checked) {
    const old = previous.find((c) => c.name === chain.name);
    const oldHandles = handles.get(chain.name);
    if (!old || !oldHandles || oldHandles.length !== old.rules.length || header(old) !== header(chain))
      return undefined;
    const kept = keptRules(old.rules, chain.rules);
    if (!kept) return undefined;
    chain.rules.forEach((r, i) => {
      if (kept[i] !== undefined) return;
      const following = kept.slice(i + 1).find((k) => k !== undefined);
      const at = following === undefined ? '' : `position ${checkHandle(oldHandles[following] ?? 0)} `;
      const verb = following === undefined ? 'add' : 'insert';
      lines.push(`${verb} rule inet ${FIREWALL_TABLE} ${chain.name} ${at}${renderRule(r)}`);
    });
  }
  return lines.length === 0 ? undefined : `${lines.join('\n')}\n`;
}

/**
 * For each rule of `next`, the index of the same rule in `old` when it is kept; undefined for a new
 * one. Undefined as a whole when some old rule is not in `next` (in order).
 */
export function keptRules(
  old: readonly FirewallRule[],
  next: readonly FirewallRule[],
): (number | undefined)[] | undefined {
  let at = 0;
  const kept = next.map((r) => {
    const candidate = old[at];
    return candidate !== undefined && renderRule(candidate) === renderRule(r) ? at++ : undefined;
  });
  return at === old.length ? kept : undefined;
}

const header = (chain: FirewallChain): string =>
  isBaseChain(chain)
    ? `${chain.type} ${chain.hook} ${priorityValue(chain.priority) ?? '?'} ${chain.policy}`
    : '';

/** Remove the table, whether or not it exists. */
export function removeRuleset(): string {
  return `table inet ${FIREWALL_TABLE}\ndelete table inet ${FIREWALL_TABLE}\n`;
}

/** The `nft -f` input that makes the table exactly `policy` from any state (replace mode). */
export function firewallRuleset(policy: FirewallPolicy): string {
  return policy.kind === 'none' ? removeRuleset() : replaceRuleset(firewallChains(policy));
}
