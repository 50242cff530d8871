// What the net-firewall tests share: the policies they apply, the chains split tunnelling will add (built
// by hand), and which kind of transaction an `nft -f -` input is.
import {
  FIREWALL_TABLE,
  removeRuleset,
  type FirewallChain,
  type FirewallPolicy,
} from '../src/net/firewall-rules.js';

type NonePolicy = Extract<FirewallPolicy, { kind: 'none' }>;
type BlockedPolicy = Extract<FirewallPolicy, { kind: 'blocked' }>;
type ConnectingPolicy = Extract<FirewallPolicy, { kind: 'connecting' }>;
type ConnectedPolicy = Extract<FirewallPolicy, { kind: 'connected' }>;

export const relay = { address: '203.0.113.2', port: 51820 };
/** No LAN, no bypass ranges. */
const options = { allowLan: false, bypassRanges: [] };
/** The in-tunnel gateways pinged while connecting, one per family. */
const gateways = ['10.64.0.1', 'fc00:bbbb::1'];
export const mssClamp = { 4: 1096, 6: 1076 };

export const none: NonePolicy = { kind: 'none' };
export const blocked: BlockedPolicy = { kind: 'blocked', ...options };

/** What the policies say about the tunnel besides its relay and gateways. */
export interface Tunnel {
  tunnelInterface: string;
  dnsServers: readonly string[];
}

/** The daemon's interface name and a resolver per family: the tunnel of the rule and fake-nft tests. */
export const sluiceTunnel: Tunnel = {
  tunnelInterface: 'wg-sluice',
  dnsServers: ['10.64.0.1', 'fc00:bbbb::1'],
};
/** `wg0` and one resolver: the veth of the scratch namespaces, and the tunnel of the captured nft output. */
export const wg0Tunnel: Tunnel = { tunnelInterface: 'wg0', dnsServers: ['10.64.0.1'] };

/** The policies of a tunnel, from connecting to connected with an MSS clamp. */
export function tunnelPolicies({ tunnelInterface, dnsServers }: Tunnel): {
  connecting: ConnectingPolicy;
  connected: ConnectedPolicy;
  connectedOneGateway: ConnectedPolicy;
  clamped: ConnectedPolicy;
} {
  const connecting: ConnectingPolicy = {
    kind: 'connecting',
    relay,
    fwmark: 0x534c,
    tunnelInterface,
    gateways,
    ...options,
  };
  /** What follows `connecting`: the same gateways, so the change only adds rules. */
  const connected: ConnectedPolicy = {
    kind: 'connected',
    relay,
    fwmark: 0x534c,
    tunnelInterface,
    tunnelAddresses: ['10.64.0.2/32', 'fc00:bbbb::2/128'],
    dnsServers,
    gateways,
    families: [4, 6],
    ...options,
  };
  return {
    connecting,
    connected,
    /** Connected pinging the IPv4 gateway only: from `connecting` a rule goes, so it is not a grow. */
    connectedOneGateway: { ...connected, gateways: ['10.64.0.1'] },
    clamped: { ...connected, mssClamp },
  };
}

const SPLIT_MARK = '0x6d6f6c65';

/**
 * The chains split tunnelling will add, built by hand: a route chain marking the packets `selector`
 * matches, a nat chain masquerading them, a prerouting chain (restoring the mark from conntrack with
 * `restore`, else empty), and an empty regular chain.
 */
export function splitChains({ selector, restore }: { selector: string; restore: boolean }): FirewallChain[] {
  return [
    {
      name: 'split_route',
      type: 'route',
      hook: 'output',
      priority: 'mangle',
      policy: 'accept',
      rules: [{ tag: 'split-mark', match: selector, verdict: `meta mark set ${SPLIT_MARK}` }],
    },
    {
      name: 'split_nat',
      type: 'nat',
      hook: 'postrouting',
      priority: 'srcnat',
      policy: 'accept',
      rules: [
        { tag: 'split-masquerade', match: `meta mark ${SPLIT_MARK} oifname != "lo"`, verdict: 'masquerade' },
      ],
    },
    {
      name: 'split_prerouting',
      type: 'filter',
      hook: 'prerouting',
      priority: '-5',
      policy: 'accept',
      rules: restore
        ? [{ tag: 'split-restore', match: `ct mark ${SPLIT_MARK}`, verdict: 'meta mark set ct mark' }]
        : [],
    },
    { name: 'policy_split', rules: [] },
  ];
}

/** How a replace transaction begins: whatever table there is goes, then the new one is declared. */
export const REPLACE = `table inet ${FIREWALL_TABLE}\ndelete table inet ${FIREWALL_TABLE}\ntable inet ${FIREWALL_TABLE} {\n`;

export type TransactionMode = 'create' | 'replace' | 'update' | 'grow' | 'remove' | 'other';

/** Which kind of transaction an `nft -f -` input is. */
export function transactionMode(input: string): TransactionMode {
  if (input === removeRuleset()) return 'remove';
  if (input.startsWith(REPLACE)) return 'replace';
  if (input.startsWith(`create table inet ${FIREWALL_TABLE}\ntable inet ${FIREWALL_TABLE} {\n`))
    return 'create';
  if (input.startsWith(`table inet ${FIREWALL_TABLE} {\n`) && /^delete rule /m.test(input)) return 'update';
  const lines = input.trimEnd().split('\n');
  if (
    lines.every((line) =>
      /^(?:add counter inet sluice [a-z0-9-]+|(?:insert|add) rule inet sluice \S+ .+)$/.test(line),
    )
  )
    return 'grow';
  return 'other';
}
