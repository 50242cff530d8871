// What one connection attempt will set up, decided before anything touches the system: the relay, the
// families the tunnel carries, what to verify against, the resolvers and the peer. Pure.
import type { RelayList, SluiceSettings } from '@sluice/api/domain';
import {
  NoMatchingRelayError,
  selectRelay,
  type RandomSource,
  type RelaySelection,
} from '../relays/select.js';
import type { PresharedKeys } from '../relays/sluice-json.js';
import type { PeerConfig } from './config.js';
import { AttemptFailure, type Family, type RelaySummary } from './types.js';

export const KEEPALIVE_SECONDS = 25;

export interface ConnectPlan {
  selection: RelaySelection;
  relay: RelaySummary;
  families: Family[];
  /** In-tunnel addresses pinged to prove the tunnel (first one must answer). */
  verifyTargets: string[];
  /** Resolvers the system uses while connected (the relay's, or the user's custom ones). */
  dnsServers: string[];
  /** The identity's addresses (with prefix) of the families carried. */
  tunnelAddresses: string[];
  peer: PeerConfig;
  /** The user's MTU, or null for automatic. */
  userMtu: number | null;
  bypassRanges: string[];
}

export interface PlanInput {
  settings: SluiceSettings;
  identity: { addresses: readonly string[] };
  relays: { list: RelayList; presharedKeys: PresharedKeys };
  /** 1 for the first attempt after a request, then 2, 3, … */
  attempt: number;
  avoid: readonly string[];
  random: RandomSource;
}

const isV6 = (address: string): boolean => address.includes(':');
const familyOf = (address: string): Family => (isV6(address) ? 6 : 4);

/**
 * IPv4 when the device has an IPv4 address; IPv6 too when it is enabled, the device has an IPv6
 * address and the relay routes IPv6 (a wg-quick file with `::/0` in AllowedIPs, or any relay of a
 * list). Whether a resolver or gateway address is IPv6 does not matter: the tunnel is verified over
 * whichever family has a target.
 */
export function tunnelFamilies(
  addresses: readonly string[],
  relayCarriesIpv6: boolean,
  enableIpv6: boolean,
): Family[] {
  const families: Family[] = [];
  if (addresses.some((a) => !isV6(a))) families.push(4);
  if (enableIpv6 && relayCarriesIpv6 && addresses.some(isV6)) families.push(6);
  return families;
}

export function relaySummary(selection: RelaySelection): RelaySummary {
  return {
    hostname: selection.relay.hostname,
    country: selection.country.name || selection.country.code,
    city: selection.city.name || selection.city.code,
    endpoint: selection.endpoint,
    publicKey: selection.publicKey,
  };
}

/** The plan of attempt `input.attempt`, or an AttemptFailure that says why there can be none. */
export function planAttempt(input: PlanInput): ConnectPlan {
  const { settings } = input;
  let selection: RelaySelection;
  try {
    selection = selectRelay(
      input.relays.list,
      {
        constraints: settings.relayConstraints,
        wireguardPort: settings.tunnel.wireguardPort,
        attempt: input.attempt - 1,
        avoid: input.avoid,
        presharedKeys: input.relays.presharedKeys,
      },
      input.random,
    );
  } catch (error) {
    if (error instanceof NoMatchingRelayError) throw new AttemptFailure('no-relay', error.message, false);
    throw error;
  }
  const addresses = input.identity.addresses;
  if (addresses.length === 0) {
    throw new AttemptFailure(
      'no-identity',
      'this device has no tunnel addresses; import a wg-quick config with `sluice import` or set them with the API',
      false,
    );
  }
  const families = tunnelFamilies(addresses, !selection.relay.tunnelIpv4Only, settings.tunnel.enableIpv6);
  if (families.length === 0) {
    throw new AttemptFailure(
      'no-identity',
      'this device has only IPv6 tunnel addresses and IPv6 is off (`sluice tunnel set ipv6 on`)',
      false,
    );
  }
  // IPv4 targets first: IPv4 is the family every tunnel here carries when it has an IPv4 address.
  const verifyTargets = selection.inTunnelResolvers
    .filter((address) => families.includes(familyOf(address)))
    .sort((a, b) => familyOf(a) - familyOf(b));
  if (verifyTargets.length === 0) {
    throw new AttemptFailure(
      'tunnel-setup',
      `${selection.relay.hostname} has no in-tunnel gateway address to verify the tunnel with`,
      false,
    );
  }
  const custom = settings.dns.mode === 'custom';
  return {
    selection,
    relay: relaySummary(selection),
    families,
    verifyTargets,
    dnsServers: custom ? [...settings.dns.customServers] : verifyTargets,
    tunnelAddresses: addresses.filter((a) => families.includes(familyOf(a.split('/')[0] ?? ''))),
    peer: {
      publicKey: selection.publicKey,
      endpoint: selection.endpoint,
      allowedIps: families.map((family) => (family === 4 ? '0.0.0.0/0' : '::/0')),
      persistentKeepalive: KEEPALIVE_SECONDS,
      ...(selection.presharedKey ? { presharedKey: selection.presharedKey } : {}),
    },
    userMtu: settings.tunnel.mtu,
    bypassRanges: [...settings.bypassRanges],
  };
}
