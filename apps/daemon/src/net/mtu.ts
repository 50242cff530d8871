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

/** The lowest MTU an IPv4-only tunnel may be lowered to (RFC 791's 576); IPv6 needs 1280. */
export const MTU_FLOOR_IPV4_ONLY = 576;
export const MTU_FLOOR_IPV6 = 1280;

interface RouteGetJson {
  dev?: string;
}
interface LinkJson {
  ifname?: string;
  mtu?: number;
}

/**
 * The MTU of the link the relay's packets (marked `fwmark`) leave through: one `ip -j -batch` process
 * answers both the route look-up and the link list.
 */
export async function linkMtuToward(runner: Runner, endpointIp: string, fwmark: number): Promise<number> {
  const result = await runner.run(['ip', '-j', '-batch', '-'], {
    input: `route get ${endpointIp} mark ${fwmark}\nlink show\n`,
  });
  const [routeLine = '[]', linksLine = '[]'] = result.stdout.split('\n').filter((l) => l.trim() !== '');
  const [route] = JSON.parse(routeLine) as RouteGetJson[];
  if (!route?.dev) throw new Error(`no route to ${endpointIp}`);
  const link = (JSON.parse(linksLine) as LinkJson[]).find((l) => l.ifname === route.dev);
  if (!link?.mtu) throw new Error(`cannot read the MTU of ${route.dev}`);
  return link.mtu;
}

/** ICMP echo (8) + inner IP header: the payload `ping -s` needs for a packet of `mtu` bytes. */
export function pingPayloadFor(mtu: number, family: 4 | 6): number {
  return mtu - (family === 4 ? 28 : 48);
}

/** The TCP MSS that fits a path of `mtu` bytes: minus the IP (20 / 40) and TCP (20) headers. */
export function mssFor(mtu: number, family: 4 | 6): number {
  return mtu - (family === 4 ? 40 : 60);
}

/**
 * The largest MTU in [low, high] for which `fits` is true, assuming `fits` is monotone. Probes are
 * expensive (a lost probe costs its timeout), so `high` is tried alone first (in the common case one
 * probe settles it), then `width` probes at a time narrow the range: from 1420 to 576 in three or four
 * rounds instead of ten sequential ones.
 */
export async function searchPathMtu(
  low: number,
  high: number,
  fits: (mtu: number) => Promise<boolean>,
  width = 7,
): Promise<number> {
  if (high <= low || (await fits(high))) return high;
  let good = low;
  let bad = high;
  while (bad - good > 1) {
    const step = (bad - good) / (width + 1);
    const candidates = [
      ...new Set(Array.from({ length: width }, (_, i) => Math.round(good + step * (i + 1)))),
    ]
      .filter((mtu) => mtu > good && mtu < bad)
      .sort((a, b) => a - b);
    const answers = await Promise.all(candidates.map(fits));
    let nextBad = bad;
    for (const [i, mtu] of candidates.entries()) {
      if (answers[i]) good = mtu;
      else {
        nextBad = mtu;
        break;
      }
    }
    bad = nextBad;
  }
  return good;
}
