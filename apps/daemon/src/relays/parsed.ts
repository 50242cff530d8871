// What each import parser hands to the merge: relays with their place, and list-wide data when the format
// has it. Nothing here has touched the existing relay list yet.
import type { Relay, WireguardEndpointData } from '@sluice/api/domain';

export interface ImportedRelay {
  country: { code: string; name?: string };
  city: { code: string; name?: string; latitude?: number; longitude?: number };
  relay: Relay;
  /** A WireGuard pre-shared key for this relay (wg-quick PresharedKey); a secret, kept off the relay list. */
  presharedKey?: string;
  /** Where it came from, for duplicate messages: file plus line or JSON path. */
  file: string;
  line?: number;
  path?: string;
}

/** A wg-quick [Interface]: the device identity the provider registered. */
export interface ImportedIdentity {
  privateKey: string;
  /** Tunnel addresses with prefix, e.g. 10.64.0.2/32. */
  addresses: string[];
  /** The DNS line's addresses (also put on each relay of the file). */
  dnsServers: string[];
  /** The file it came from. */
  file: string;
}

export interface ParsedRelayFile {
  relays: ImportedRelay[];
  /** List-wide port ranges and gateways (relay-list formats; wg-quick files have none). */
  wireguard?: WireguardEndpointData;
  identity?: ImportedIdentity;
  warnings: string[];
}
