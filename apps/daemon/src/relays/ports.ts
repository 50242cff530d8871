// Port ranges of a relay list: membership, words for messages, and a uniformly random pick.
import type { WireguardEndpointData } from '@sluice/api/domain';

export type PortRange = WireguardEndpointData['portRanges'][number];

export const DEFAULT_WIREGUARD_PORT = 51820;

/** Sorted, overlaps joined; an empty list means WireGuard's default port only. */
export function normaliseRanges(ranges: readonly PortRange[]): PortRange[] {
  const sorted = ranges
    .filter((r) => r.first <= r.last)
    .map((r) => ({ ...r }))
    .sort((a, b) => a.first - b.first);
  const out: PortRange[] = [];
  for (const range of sorted) {
    const previous = out.at(-1);
    if (previous && range.first <= previous.last + 1) previous.last = Math.max(previous.last, range.last);
    else out.push(range);
  }
  return out.length > 0 ? out : [{ first: DEFAULT_WIREGUARD_PORT, last: DEFAULT_WIREGUARD_PORT }];
}

export function portInRanges(port: number, ranges: readonly PortRange[]): boolean {
  return ranges.some((r) => port >= r.first && port <= r.last);
}

/** "53, 123, 4000-33433" */
export function describeRanges(ranges: readonly PortRange[]): string {
  return normaliseRanges(ranges)
    .map((r) => (r.first === r.last ? `${r.first}` : `${r.first}-${r.last}`))
    .join(', ');
}

/**
 * A port drawn uniformly from all ports in `ranges`, never `exclude` unless it is the only one.
 * `random` returns a number in [0, 1).
 */
export function randomPort(ranges: readonly PortRange[], random: () => number, exclude?: number): number {
  const all = normaliseRanges(ranges);
  const rest = exclude === undefined ? all : withoutPort(all, exclude);
  const pool = rest.length > 0 ? rest : all;
  const total = pool.reduce((sum, r) => sum + r.last - r.first + 1, 0);
  let index = Math.min(Math.floor(random() * total), total - 1);
  for (const range of pool) {
    const size = range.last - range.first + 1;
    if (index < size) return range.first + index;
    index -= size;
  }
  return pool[0]?.first ?? DEFAULT_WIREGUARD_PORT;
}

function withoutPort(ranges: readonly PortRange[], port: number): PortRange[] {
  return ranges.flatMap((r) => {
    if (port < r.first || port > r.last) return [r];
    const pieces: PortRange[] = [];
    if (r.first < port) pieces.push({ first: r.first, last: port - 1 });
    if (port < r.last) pieces.push({ first: port + 1, last: r.last });
    return pieces;
  });
}
