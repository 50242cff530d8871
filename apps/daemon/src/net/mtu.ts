// Tunnel MTU: the link MTU of the route to the relay minus WireGuard's overhead, clamped; a user value
// overrides. After connect, DF probes through the tunnel find a smaller path MTU (black holes).
import { MTU_MAX, MTU_MIN } from '@sluice/api/domain';
import type { Runner } from './exec.js';

/** Outer IP header + UDP (8) + WireGuard data header (32): 20+8+32 for IPv4, 40+8+32 for IPv6. */
export const WIREGUARD_OVERHEAD = { 4: 60, 6: 80 } as const;

export function clampMtu(mtu: number): number {
  return Math.min(MTU_MAX, Math.max(MTU_MIN, mtu));
}

/** The tunnel MTU for a relay reached over a link of `linkMtu` via IPv`family`. */
export function tunnelMtu(linkMtu: number, family: 4 | 6, userMtu: number | null): number {
  if (userMtu !== null) return userMtu;
  return clampMtu(linkMtu - WIREGUARD_OVERHEAD[family]);
}

interface RouteGetJson {
  dev?: string;
}
interface LinkJson {
  mtu?: number;
}

/** The MTU of the link the relay's packets (marked `fwmark`) leave through. */
export async function linkMtuToward(runner: Runner, endpointIp: string, fwmark: number): Promise<number> {
  const route = await runner.run(['ip', '-j', 'route', 'get', endpointIp, 'mark', String(fwmark)]);
  const [first] = JSON.parse(route.stdout) as RouteGetJson[];
  if (!first?.dev) throw new Error(`no route to ${endpointIp}`);
  const link = await runner.run(['ip', '-j', 'link', 'show', 'dev', first.dev]);
  const [info] = JSON.parse(link.stdout) as LinkJson[];
  if (!info?.mtu) throw new Error(`cannot read the MTU of ${first.dev}`);
  return info.mtu;
}

/** ICMP echo (8) + inner IP header: the payload `ping -s` needs for a packet of `mtu` bytes. */
export function pingPayloadFor(mtu: number, family: 4 | 6): number {
  return mtu - (family === 4 ? 28 : 48);
}

/**
 * The largest MTU in [low, high] for which `fits` is true, assuming it is true for `low` and monotone.
 * Probes are expensive (a lost probe costs its timeout), so this is a binary search that tries `high`
 * first: in the common case one probe settles it.
 */
export async function searchPathMtu(
  low: number,
  high: number,
  fits: (mtu: number) => Promise<boolean>,
): Promise<number> {
  if (await fits(high)) return high;
  let good = low;
  let bad = high;
  while (bad - good > 1) {
    const mid = Math.floor((good + bad) / 2);
    if (await fits(mid)) good = mid;
    else bad = mid;
  }
  return good;
}

/** One DF probe of `mtu` bytes through `interfaceName` to `target`; true when an answer comes back. */
export async function probeFits(
  runner: Runner,
  interfaceName: string,
  target: string,
  family: 4 | 6,
  mtu: number,
): Promise<boolean> {
  const argv = [
    'ping',
    family === 4 ? '-4' : '-6',
    '-n',
    '-q',
    '-c',
    '2',
    '-i',
    '0.2',
    '-W',
    '1',
    '-M',
    'do',
    '-s',
    String(pingPayloadFor(mtu, family)),
    '-I',
    interfaceName,
    target,
  ];
  // ping exits 1 when no answer came (and 2 on "message too long" locally): both mean "does not fit".
  const result = await runner.run(argv, { okCodes: [1, 2], timeoutMs: 5_000 });
  return result.code === 0;
}
