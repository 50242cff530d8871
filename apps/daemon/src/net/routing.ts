// Policy routing as wg-quick and Mullvad do it: the WireGuard socket's packets carry fwmark F; every
// other packet is looked up in table T (F == T), which holds the tunnel routes; a rule before it sends
// everything more specific than a default route to the main table. The main table is never edited.
// The default route into T goes in only after the tunnel is verified (see `defaultRouteSteps`).
import { ipFamily } from '@sluice/api/domain';
import type { Runner } from './exec.js';
import type { Step } from './steps.js';

/** fwmark of the WireGuard socket and id of the tunnel routing table ("SL"). */
export const TUNNEL_FWMARK = 0x534c;
export const TUNNEL_TABLE = TUNNEL_FWMARK;
/**
 * The bits of the packet mark that carry the tunnel fwmark; the rest belongs to others (Tailscale keeps
 * its marks in 0xff0000), so rules test only these and the firewall sets only these.
 */
export const FWMARK_MASK = 0xffff;
/** Rule priorities: below main (32766); bypass ranges first, then the suppress rule, then the tunnel. */
export const RULE_PRIORITY_BYPASS = 32_759;
export const RULE_PRIORITY_SUPPRESS = 32_760;
export const RULE_PRIORITY_TUNNEL = 32_761;

export type Family = 4 | 6;

export interface TunnelRouting {
  interfaceName: string;
  /** Tunnel addresses with prefix, e.g. 10.64.0.2/32, fc00:bbbb::2/128. */
  addresses: string[];
  mtu: number;
  /** In-tunnel addresses reached before the default route goes in (gateway, resolvers). */
  verifyTargets: string[];
  /** Families routed through the tunnel; a family not listed is left to the firewall to block. */
  families: Family[];
  /** CIDR ranges that keep using the main table (e.g. Tailscale's 100.64.0.0/10). */
  bypassRanges?: readonly string[];
}

const familyFlag = (family: Family): string => (family === 4 ? '-4' : '-6');

function addressFamily(cidr: string): Family {
  const family = ipFamily(cidr.split('/')[0] ?? '');
  if (family === null) throw new Error(`not an address: ${cidr}`);
  return family;
}

/** `ip rule` steps of a family (IPv6 ones go to `ip -6`). */
function ruleStep(intent: string, family: Family, selector: string[]): Step {
  return {
    intent,
    args: ['rule', 'add', ...selector],
    undo: ['rule', 'del', ...selector],
    ...(family === 6 ? { ipv6Rule: true } : {}),
  };
}

/** The whole-family prefix: `default` is IPv4 only in `ip -batch`, so both are spelled out. */
const anyAddress = (family: Family): string => (family === 4 ? '0.0.0.0/0' : '::/0');

/** Bring the interface up with its addresses and MTU; the rules that steer traffic into table T. */
export function tunnelUpSteps(routing: TunnelRouting): Step[] {
  const ifname = routing.interfaceName;
  const steps: Step[] = [
    {
      intent: `set the MTU of ${ifname} to ${routing.mtu}`,
      args: ['link', 'set', 'dev', ifname, 'mtu', String(routing.mtu)],
      ownedByLink: true,
    },
  ];
  for (const address of routing.addresses) {
    if (!routing.families.includes(addressFamily(address))) continue;
    steps.push({
      intent: `add ${address} to ${ifname}`,
      args: ['address', 'add', address, 'dev', ifname],
      undo: ['address', 'del', address, 'dev', ifname],
      ownedByLink: true,
    });
  }
  steps.push({
    intent: `bring ${ifname} up`,
    args: ['link', 'set', 'dev', ifname, 'up'],
    undo: ['link', 'set', 'dev', ifname, 'down'],
    ownedByLink: true,
  });
  for (const range of routing.bypassRanges ?? []) {
    const family = addressFamily(range);
    steps.push(
      ruleStep(`keep ${range} outside the tunnel`, family, [
        'to',
        range,
        'table',
        'main',
        'priority',
        String(RULE_PRIORITY_BYPASS),
      ]),
    );
  }
  for (const family of routing.families) {
    steps.push(
      ruleStep(`IPv${family}: keep routes more specific than default in the main table`, family, [
        'table',
        'main',
        'suppress_prefixlength',
        '0',
        'priority',
        String(RULE_PRIORITY_SUPPRESS),
      ]),
      ruleStep(`IPv${family}: send unmarked traffic to table ${TUNNEL_TABLE}`, family, [
        'not',
        'fwmark',
        `0x${TUNNEL_FWMARK.toString(16)}/0x${FWMARK_MASK.toString(16)}`,
        'table',
        String(TUNNEL_TABLE),
        'priority',
        String(RULE_PRIORITY_TUNNEL),
      ]),
    );
  }
  for (const target of routing.verifyTargets) {
    const family = addressFamily(target);
    if (!routing.families.includes(family)) continue;
    const route = [`${target}/${family === 4 ? 32 : 128}`, 'dev', ifname, 'table', String(TUNNEL_TABLE)];
    steps.push({
      intent: `route ${target} through ${ifname} to verify the tunnel`,
      args: ['route', 'add', ...route],
      undo: ['route', 'del', ...route],
    });
  }
  return steps;
}

/** The default routes into the tunnel, added once the tunnel is verified and the connected policy holds. */
export function defaultRouteSteps(routing: TunnelRouting): Step[] {
  return routing.families.map((family) => {
    const route = [anyAddress(family), 'dev', routing.interfaceName, 'table', String(TUNNEL_TABLE)];
    return {
      intent: `IPv${family}: send all traffic through ${routing.interfaceName}`,
      args: ['route', 'add', ...route],
      undo: ['route', 'del', ...route],
    };
  });
}

export interface StaleCommand {
  intent: string;
  argv: string[];
  /** Exit codes that mean "already so" (flushing a table that does not exist). */
  okCodes?: number[];
}

interface IpRuleJson {
  priority?: number;
  table?: string;
  src?: string;
}

/**
 * Commands that remove rules and table-T routes left by a helper that died with a tunnel up, found by
 * their priority/table. Reconciles the system to "nothing of ours" instead of replaying a log.
 */
export async function staleRoutingCommands(runner: Runner): Promise<StaleCommand[]> {
  const steps: StaleCommand[] = [];
  for (const family of [4, 6] as const) {
    const { stdout } = await runner.run(['ip', '-j', familyFlag(family), 'rule', 'show']);
    const rules = stdout.trim() ? (JSON.parse(stdout) as IpRuleJson[]) : [];
    for (const rule of rules) {
      if (
        [RULE_PRIORITY_BYPASS, RULE_PRIORITY_SUPPRESS, RULE_PRIORITY_TUNNEL].includes(rule.priority ?? -1)
      ) {
        steps.push({
          intent: `IPv${family}: remove stale rule ${rule.priority}`,
          argv: ['ip', familyFlag(family), 'rule', 'del', 'priority', String(rule.priority)],
        });
      }
    }
    steps.push({
      intent: `IPv${family}: flush stale routes in table ${TUNNEL_TABLE}`,
      argv: ['ip', familyFlag(family), 'route', 'flush', 'table', String(TUNNEL_TABLE)],
      // 2: the table or the family does not exist, which is what we want.
      okCodes: [2],
    });
  }
  return steps;
}
