// The kill switch's nftables ruleset, as a pure function of the policy. One table, `inet sluice`, holds
// everything and is replaced in one `nft -f` transaction, so there is never a moment without rules.
// Every input is validated before it is written into nft text.
import { ipFamily, validateCidr, validateIp } from '@sluice/api/domain';

export const FIREWALL_TABLE = 'sluice';

/** Private and link-local ranges that "allow LAN" opens (RFC 1918, link-local, ULA, multicast). */
export const LAN_RANGES = {
  4: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '224.0.0.0/4', '255.255.255.255/32'],
  6: ['fe80::/10', 'fc00::/7', 'ff00::/8'],
} as const;

export interface RelayEndpointRule {
  address: string;
  port: number;
}

export interface FirewallOptions {
  allowLan: boolean;
  /** CIDR ranges that go outside the tunnel. */
  bypassRanges: readonly string[];
}

export type FirewallPolicy =
  /** No table at all (disconnected without lockdown). */
  | { kind: 'none' }
  /** Nothing but loopback, DHCP, NDP and what the options allow (errors, lockdown, tear-down). */
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
      /** Families the tunnel carries; the other is blocked (except LAN/bypass when allowed). */
      families: readonly (4 | 6)[];
    } & FirewallOptions);

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
const set = (items: readonly string[]): string => `{ ${items.join(', ')} }`;
// Interfaces are matched by name (iifname/oifname), not index: the tunnel may not exist yet when a policy
// goes in, and a restarted wireguard-go makes a new interface with a new index.

/**
 * One rule: what it matches, a counter, the verdict, and a tag (an nft comment). Tags are stable names
 * for what a rule is for, so tests (and the leak self-test) can see which rules traffic actually hit.
 */
export function rule(tag: string, match: string, verdict: string): string {
  return `${match} counter ${verdict} comment "${tag}"`;
}

/** Rules every policy has: loopback, DHCP, router/neighbour discovery. */
function baseRules(): { input: string[]; output: string[] } {
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

/** Allow-LAN and bypass ranges, both directions. */
function optionRules(options: FirewallOptions): { input: string[]; output: string[] } {
  const input: string[] = [];
  const output: string[] = [];
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

function relayRules(relay: RelayEndpointRule, fwmark: number): { input: string[]; output: string[] } {
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

interface Chains {
  prerouting: string[];
  input: string[];
  output: string[];
}

function render(policy: Exclude<FirewallPolicy, { kind: 'none' }>, chains: Chains): string {
  const chain = (
    name: string,
    hook: string,
    priority: string,
    rules: string[],
    defaultPolicy: 'drop' | 'accept',
  ): string =>
    [
      `  chain ${name} {`,
      `    type filter hook ${hook} priority ${priority}; policy ${defaultPolicy};`,
      ...rules.map((rule) => `    ${rule}`),
      '  }',
    ].join('\n');
  return [
    // Create-then-delete makes the delete succeed whether or not the table exists; all of it is one
    // transaction, so the old rules stay until the new ones are in.
    `table inet ${FIREWALL_TABLE}`,
    `delete table inet ${FIREWALL_TABLE}`,
    `table inet ${FIREWALL_TABLE} {`,
    `  comment "sluice ${policy.kind}"`,
    chain('prerouting', 'prerouting', 'raw', chains.prerouting, 'accept'),
    chain('input', 'input', 'filter', chains.input, 'drop'),
    chain('output', 'output', 'filter', chains.output, 'drop'),
    // Forwarded traffic (containers, VMs, a shared connection) is blocked while the kill switch is on:
    // none of it may leave outside the tunnel, and routing it into the tunnel is not offered yet.
    chain('forward', 'forward', 'filter', [], 'drop'),
    '}',
    '',
  ].join('\n');
}

/** The `nft -f` input that makes the table exactly `policy`. */
export function firewallRuleset(policy: FirewallPolicy): string {
  if (policy.kind === 'none') {
    return `table inet ${FIREWALL_TABLE}\ndelete table inet ${FIREWALL_TABLE}\n`;
  }
  const base = baseRules();
  const options = optionRules(policy);
  const chains: Chains = {
    prerouting: [],
    input: [...base.input],
    output: [...base.output],
  };
  // The tunnel itself, after the DNS refusal so DNS through it can only reach the chosen resolvers.
  const tunnelOutput: string[] = [];
  if (policy.kind === 'connecting' || policy.kind === 'connected') {
    const relay = relayRules(policy.relay, policy.fwmark);
    chains.output.push(...relay.output);
    chains.input.push(...relay.input);
  }
  if (policy.kind === 'connecting') {
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
  if (policy.kind === 'connected') {
    const tunnel = checkInterface(policy.tunnelInterface);
    const dns = byFamily(policy.dnsServers, 'address');
    const own = byFamily(
      policy.tunnelAddresses.map((a) => a.split('/')[0] ?? ''),
      'address',
    );
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
    // DNS only to the chosen resolvers.
    for (const family of [4, 6] as const) {
      if (dns[family].length === 0 || !policy.families.includes(family)) continue;
      const ip = ipKeyword(family);
      chains.output.push(
        rule(`dns-udp-${family}`, `${ip} daddr ${set(dns[family])} udp dport 53`, 'accept'),
        rule(`dns-tcp-${family}`, `${ip} daddr ${set(dns[family])} tcp dport 53`, 'accept'),
      );
    }
    for (const family of policy.families) {
      const nfproto = family === 4 ? 'ipv4' : 'ipv6';
      tunnelOutput.push(
        rule(`tunnel-out-${family}`, `oifname "${tunnel}" meta nfproto ${nfproto}`, 'accept'),
      );
      chains.input.push(
        rule(
          `tunnel-in-${family}`,
          `iifname "${tunnel}" meta nfproto ${nfproto} ct state established,related`,
          'accept',
        ),
      );
    }
  }
  // Every other port-53 packet is refused, in every policy, before allow-LAN and bypass: a LAN router's
  // resolver forwards to the ISP, which is exactly the leak this prevents.
  chains.output.push(
    rule('dns-reject-udp', 'udp dport 53', 'reject'),
    rule('dns-reject-tcp', 'tcp dport 53', 'reject with tcp reset'),
  );
  chains.output.push(...tunnelOutput, ...options.output);

  chains.input.push(...options.input);
  return render(policy, chains);
}
