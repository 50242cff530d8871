// Read-only looks at the lab and the host: is an interface there, its MTU, which address web sees, the
// client's routing state (to show a tool left it as it found it), and the host's links and namespaces
// (to show the bench left the machine as it found it).
import { existsSync, readFileSync } from 'node:fs';
import { type Lab, run, waitFor } from '@sluice/netlab';

const WIREGUARD_RUN_DIR = '/var/run/wireguard';

/** True when the client namespace has a link of that name. */
export async function clientHasLink(lab: Lab, name: string): Promise<boolean> {
  const out = await lab.exec('client', ['ip', '-o', 'link', 'show', 'dev', name], { allowFailure: true });
  return out.code === 0;
}

/** Wait until the client's link `name` and its wireguard-go UAPI socket are both gone. */
export async function waitTunnelGone(lab: Lab, name: string, timeoutMs = 15_000): Promise<void> {
  const socket = `${WIREGUARD_RUN_DIR}/${name}.sock`;
  await waitFor(async () => !existsSync(socket) && !(await clientHasLink(lab, name)), {
    what: `${name} and ${socket} to be gone`,
    timeoutMs,
    intervalMs: 10,
  });
}

export async function clientLinkMtu(lab: Lab, name: string): Promise<number | null> {
  const out = await lab.exec('client', ['ip', '-j', 'link', 'show', 'dev', name], { allowFailure: true });
  if (out.code !== 0) return null;
  const [link] = JSON.parse(out.stdout) as { mtu?: number }[];
  return link?.mtu ?? null;
}

/** Throws unless web sees `expected` as the client's IPv4 source (the path really goes where we think). */
export async function expectSourceAddress(lab: Lab, expected: string, what: string): Promise<void> {
  const seen = await lab.whatIsMyIp(4);
  if (seen !== expected) throw new Error(`${what}: web sees ${seen}, expected ${expected}`);
}

/** The client namespace's rules, routes, links, nft ruleset and resolv.conf, for before/after comparison. */
export async function clientNetworkState(lab: Lab): Promise<Record<string, string>> {
  const inClient = async (argv: string[]): Promise<string> => (await lab.exec('client', argv)).stdout;
  return {
    rules4: await inClient(['ip', '-4', 'rule', 'show']),
    rules6: await inClient(['ip', '-6', 'rule', 'show']),
    routes4: await inClient(['ip', '-4', 'route', 'show', 'table', 'all']),
    routes6: (await inClient(['ip', '-6', 'route', 'show', 'table', 'all'])).replace(/ expires \d+sec/g, ''),
    links: (await inClient(['ip', '-o', 'link', 'show']))
      .split('\n')
      .map((line) => /^\d+: ([^:@]+)/.exec(line)?.[1] ?? '')
      .filter((name) => name !== '')
      .sort()
      .join('\n'),
    nftables: await inClient(['nft', 'list', 'ruleset']),
    resolvConf: readFileSync(lab.resolvConfPath, 'utf8'),
  };
}

/** Names of the parts that differ between two clientNetworkState snapshots. */
export function changedParts(before: Record<string, string>, after: Record<string, string>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((key) => before[key] !== after[key]).sort();
}

export interface HostSnapshot {
  links: string[];
  namespaces: string[];
}

/** The host's own links and network namespaces (read-only `ip` queries in the root namespace). */
export async function hostSnapshot(): Promise<HostSnapshot> {
  const links = (await run(['ip', '-o', 'link', 'show'])).stdout
    .split('\n')
    .map((line) => /^\d+: ([^:@]+)/.exec(line)?.[1] ?? '')
    .filter((name) => name !== '')
    .sort();
  const namespaces = (await run(['ip', 'netns', 'list'])).stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name !== '')
    .sort();
  return { links, namespaces };
}
