// Relay selection: which relay, endpoint and port the next connection attempt uses. Pure; the random
// source is passed in so tests are deterministic.
import {
  allRelays,
  type LocatedRelay,
  type LocationConstraint,
  type RelayConstraints,
  type RelayList,
} from '@sluice/api/domain';
import { unknownLocation } from './location.js';
import {
  DEFAULT_WIREGUARD_PORT,
  describeRanges,
  normaliseRanges,
  portInRanges,
  randomPort,
} from './ports.js';
import type { PresharedKeys } from './sluice-json.js';

/** Returns a number in [0, 1), like Math.random. */
export type RandomSource = () => number;

export interface RelaySelectionRequest {
  constraints: RelayConstraints;
  /** The user's WireGuard port setting; null lets the relay list choose. */
  wireguardPort: number | null;
  /** 0 for the first attempt after Connect, then 1, 2, … for each retry. */
  attempt: number;
  /** Hostnames of relays that failed earlier attempts, oldest first; avoided while others match. */
  avoid?: readonly string[];
  /** Endpoint address family. 4 or 6 is strict; unset prefers IPv4 and uses IPv6 for IPv6-only relays. */
  ipVersion?: 4 | 6;
  /** Hostname -> pre-shared key, from the relay store. */
  presharedKeys?: Readonly<PresharedKeys>;
}

export interface RelaySelection extends LocatedRelay {
  /** The relay's IP address the tunnel goes to. */
  address: string;
  ipVersion: 4 | 6;
  port: number;
  /** `198.51.100.1:51820` or `[2001:db8::1]:51820`. */
  endpoint: string;
  publicKey: string;
  /** In-tunnel resolvers, also the address to ping to prove the tunnel works. */
  inTunnelResolvers: string[];
  presharedKey?: string;
}

export type NoRelayReason =
  'empty-list' | 'unknown-location' | 'provider' | 'ownership' | 'ip-version' | 'port' | 'inactive';

/** Nothing can be picked; the message says which part of the constraints excluded everything. */
export class NoMatchingRelayError extends Error {
  override readonly name = 'NoMatchingRelayError';
  constructor(
    readonly reason: NoRelayReason,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The relays the constraints allow, before weights and retries. Throws NoMatchingRelayError naming the
 * first filter that left nothing, in this order: location, providers, ownership, address family, port,
 * active.
 */
export function matchingRelays(list: RelayList, request: RelaySelectionRequest): LocatedRelay[] {
  const everything = allRelays(list);
  if (everything.length === 0) {
    throw new NoMatchingRelayError(
      'empty-list',
      'the relay list is empty; import relays first ("sluice import <file>")',
    );
  }
  const location = lowerCased(request.constraints.location);
  const unknown =
    unknownLocation(list, location) ??
    (location.hostname && !everything.some((r) => r.relay.hostname === location.hostname)
      ? `no relay "${location.hostname}" in the relay list`
      : undefined);
  if (unknown) throw new NoMatchingRelayError('unknown-location', unknown);

  let pool = everything.filter(
    ({ relay, country, city }) =>
      (!location.country || country.code === location.country) &&
      (!location.city || city.code === location.city) &&
      (!location.hostname || relay.hostname === location.hostname),
  );
  const scope = describeScope(location);
  const words = { adjective: '', suffix: '' };
  const relays = (): string => `${words.adjective}relay ${scope}${words.suffix}`;

  const providers = request.constraints.providers;
  if (providers.length > 0) {
    const wanted = new Set(providers.map((p) => p.toLowerCase()));
    const next = pool.filter((r) => wanted.has(r.relay.provider.toLowerCase()));
    if (next.length === 0) {
      const there = [...new Set(pool.map((r) => r.relay.provider || '(none)'))].sort().join(', ');
      throw new NoMatchingRelayError(
        'provider',
        `no relay matches ${providers.length === 1 ? 'provider' : 'providers'} ${providers.join(' or ')} ${scope} (providers there: ${there})`,
      );
    }
    pool = next;
    words.suffix += ` from ${providers.join(' or ')}`;
  }

  const ownership = request.constraints.ownership;
  if (ownership !== 'any') {
    const next = pool.filter((r) => r.relay.owned === (ownership === 'owned'));
    if (next.length === 0) {
      const other = ownership === 'owned' ? 'rented' : 'owned';
      const all =
        pool.length === 1 ? `the only one there is ${other}` : `the ${pool.length} there are all ${other}`;
      throw new NoMatchingRelayError('ownership', `no ${ownership} ${relays()} (${all})`);
    }
    pool = next;
    words.adjective += `${ownership} `;
  }

  if (request.ipVersion !== undefined) {
    const family = request.ipVersion;
    const next = pool.filter((r) => (family === 4 ? r.relay.ipv4AddrIn : r.relay.ipv6AddrIn) !== '');
    if (next.length === 0) {
      throw new NoMatchingRelayError('ip-version', `no ${relays()} has an IPv${family} address`);
    }
    pool = next;
    words.suffix += ` with an IPv${family} address`;
  }

  const userPort = request.wireguardPort;
  if (userPort !== null) {
    // Relays of the list's ranges listen only there; a fixed-port relay keeps its own port (see choosePort).
    const ranges = normaliseRanges(list.wireguard.portRanges);
    const next = pool.filter((r) => r.relay.port !== undefined || portInRanges(userPort, ranges));
    if (next.length === 0) {
      throw new NoMatchingRelayError(
        'port',
        `port ${userPort} is not accepted by any ${relays()}: they take ${describeRanges(ranges)} ` +
          '(change the WireGuard port or set it to automatic)',
      );
    }
    pool = next;
  }

  const active = pool.filter((r) => r.relay.active);
  if (active.length === 0) {
    const count = pool.length === 1 ? '1 relay, inactive' : `${pool.length} relays, all inactive`;
    throw new NoMatchingRelayError('inactive', `no active ${relays()} (${count})`);
  }
  return active;
}

/**
 * Pick the relay and endpoint for connection attempt `request.attempt`.
 *
 * - Relays that failed before (`avoid`) are left out while any other relay matches; when all matching
 *   relays failed, the ones that failed longest ago are allowed again first.
 * - Among the rest, the chance of each is its weight over the sum. A weight-0 relay is never picked
 *   while a relay of positive weight matches; when all weigh 0, the pick is uniform (a pinned hostname
 *   with weight 0 still connects).
 * - Port: see choosePort.
 */
export function selectRelay(
  list: RelayList,
  request: RelaySelectionRequest,
  random: RandomSource,
): RelaySelection {
  const candidates = withoutRecentFailures(matchingRelays(list, request), request.avoid ?? []);
  const chosen = pickByWeight(candidates, random);
  const { relay } = chosen;
  const ipVersion: 4 | 6 = request.ipVersion ?? (relay.ipv4AddrIn !== '' ? 4 : 6);
  const address = ipVersion === 4 ? relay.ipv4AddrIn : relay.ipv6AddrIn;
  const port = choosePort(list, chosen, request, random);
  const selection: RelaySelection = {
    ...chosen,
    address,
    ipVersion,
    port,
    endpoint: ipVersion === 6 ? `[${address}]:${port}` : `${address}:${port}`,
    publicKey: relay.publicKey,
    inTunnelResolvers:
      relay.dnsServers.length > 0
        ? [...relay.dnsServers]
        : [list.wireguard.ipv4Gateway, list.wireguard.ipv6Gateway].filter((a) => a !== ''),
  };
  const presharedKey = request.presharedKeys?.[relay.hostname];
  if (presharedKey !== undefined) selection.presharedKey = presharedKey;
  return selection;
}

/**
 * - A relay with its own port (a wg-quick import) uses it: that is the only port its provider named.
 * - Otherwise the user's port when set (matchingRelays checked it is in the list's ranges).
 * - Otherwise 51820 on the first attempt (when the ranges have it), and on retries a random port of the
 *   ranges other than 51820, so a network that blocks one port does not block every retry.
 */
export function choosePort(
  list: RelayList,
  chosen: LocatedRelay,
  request: Pick<RelaySelectionRequest, 'wireguardPort' | 'attempt'>,
  random: RandomSource,
): number {
  if (chosen.relay.port !== undefined) return chosen.relay.port;
  if (request.wireguardPort !== null) return request.wireguardPort;
  const ranges = normaliseRanges(list.wireguard.portRanges);
  if (request.attempt === 0 && portInRanges(DEFAULT_WIREGUARD_PORT, ranges)) return DEFAULT_WIREGUARD_PORT;
  return randomPort(ranges, random, request.attempt === 0 ? undefined : DEFAULT_WIREGUARD_PORT);
}

function withoutRecentFailures(pool: LocatedRelay[], avoid: readonly string[]): LocatedRelay[] {
  for (let forgiven = 0; forgiven < avoid.length; forgiven++) {
    const avoided = new Set(avoid.slice(forgiven));
    const rest = pool.filter((r) => !avoided.has(r.relay.hostname));
    if (rest.length > 0) return rest;
  }
  return pool;
}

function pickByWeight(pool: readonly LocatedRelay[], random: RandomSource): LocatedRelay {
  const total = pool.reduce((sum, r) => sum + r.relay.weight, 0);
  const first = pool[0];
  if (!first) throw new Error('pickByWeight needs at least one relay');
  if (total <= 0) return pool[Math.min(Math.floor(random() * pool.length), pool.length - 1)] ?? first;
  let point = random() * total;
  let last = first;
  for (const candidate of pool) {
    if (candidate.relay.weight <= 0) continue;
    if (point < candidate.relay.weight) return candidate;
    point -= candidate.relay.weight;
    last = candidate;
  }
  return last;
}

function lowerCased(location: LocationConstraint): LocationConstraint {
  const out: LocationConstraint = {};
  if (location.country) out.country = location.country.toLowerCase();
  if (location.city) out.city = location.city.toLowerCase();
  if (location.hostname) out.hostname = location.hostname.toLowerCase();
  return out;
}

function describeScope(location: LocationConstraint): string {
  if (location.hostname) return `named ${location.hostname}`;
  if (location.city) return `in ${location.country ?? ''} ${location.city}`.replace('  ', ' ');
  if (location.country) return `in ${location.country}`;
  return 'anywhere';
}
