// After connecting with an automatic MTU: find a path-MTU black hole (large packets that vanish
// without an ICMP error) with don't-fragment probes through the tunnel, and say what to lower to.
import { MTU_FLOOR_IPV4_ONLY, MTU_FLOOR_IPV6, searchPathMtu } from '../../net/mtu.js';
import type { Family } from '../types.js';
import type { Pinger } from './pinger.js';

export interface PathMtuProbe {
  pinger: Pinger;
  interfaceName: string;
  /** An in-tunnel IPv4 address that answers pings (the gateway). */
  target: string;
  /** The tunnel's MTU now. */
  mtu: number;
  families: readonly Family[];
  signal: AbortSignal;
}

/**
 * The largest packet the path carries through the tunnel, at most `mtu`. An IPv4-only tunnel is
 * searched down to 576; with IPv6 the search still goes that low (TCP can be clamped below what the
 * link MTU may be) but the link itself stays at 1280 or more.
 */
export async function probePathMtu(probe: PathMtuProbe): Promise<number> {
  const fits = (size: number): Promise<boolean> =>
    probe.signal.aborted
      ? Promise.resolve(false)
      : probe.pinger.ping(probe.interfaceName, probe.target, {
          size,
          count: 2,
          timeoutMs: 1_000,
          signal: probe.signal,
        });
  return searchPathMtu(MTU_FLOOR_IPV4_ONLY, probe.mtu, fits);
}

/** What a path of `pathMtu` bytes means for the link MTU and the TCP MSS clamp. */
export function mtuForPath(
  pathMtu: number,
  families: readonly Family[],
): { linkMtu: number; clampTcp: boolean } {
  const floor = families.includes(6) ? MTU_FLOOR_IPV6 : MTU_FLOOR_IPV4_ONLY;
  const linkMtu = Math.max(floor, pathMtu);
  return { linkMtu, clampTcp: linkMtu > pathMtu };
}
