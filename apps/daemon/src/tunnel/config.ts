// The configuration a WireGuard device is given (one peer: the relay), its validation, and endpoint
// text, shared by both backends so they refuse exactly the same things.
import { ipFamily, validateCidr, validateIp, validatePort, ValidationError } from '@sluice/api/domain';
import { validatePrivateKey, validatePublicKey } from '../identity/keys.js';

export interface PeerConfig {
  /** Base64 public key of the relay. */
  publicKey: string;
  /** `ip:port` or `[ipv6]:port`; an IP literal, since WireGuard does not resolve names. */
  endpoint: string;
  /** CIDR ranges routed to the peer, e.g. ["0.0.0.0/0", "::/0"]. */
  allowedIps: string[];
  /** Seconds between keepalives; absent or 0 is off. */
  persistentKeepalive?: number;
  /** Base64 pre-shared key, when the provider uses one (a secret, like the private key). */
  presharedKey?: string;
}

export interface DeviceConfig {
  /** Base64 private key (IdentityStore.privateKeyForDevice()). */
  privateKey: string;
  /** UDP port to listen on; absent lets the device keep (or pick) its own. */
  listenPort?: number;
  /** Mark on the device's own UDP packets, for policy routing; 0 is none. */
  fwmark: number;
  peer: PeerConfig;
}

export interface Endpoint {
  address: string;
  port: number;
}

const MAX_U32 = 0xffff_ffff;

/** Parse `1.2.3.4:51820` or `[2001:db8::1]:51820`. */
export function parseEndpoint(field: string, text: string): Endpoint {
  const match = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:[\]]+):(\d{1,5})$/.exec(text);
  const address = match?.[1];
  const portText = match?.[2];
  if (address === undefined || portText === undefined) {
    throw new ValidationError(
      field,
      `"${text}" is not an endpoint; use ip:port, e.g. 192.0.2.10:51820 or [2001:db8::10]:51820`,
    );
  }
  const family = ipFamily(address);
  if (family === null || (family === 6 && !text.startsWith('['))) {
    throw new ValidationError(field, `"${text}" does not start with an IP address (names are not resolved)`);
  }
  return { address: validateIp(field, address), port: validatePort(field, Number(portText)) };
}

export function formatEndpoint(endpoint: Endpoint): string {
  return endpoint.address.includes(':')
    ? `[${endpoint.address}]:${endpoint.port}`
    : `${endpoint.address}:${endpoint.port}`;
}

function validateInteger(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(field, `${value} is not accepted; use a whole number from ${min} to ${max}`);
  }
  return value;
}

/** The configuration in canonical form, or a ValidationError naming the field. */
export function validateDeviceConfig(config: DeviceConfig): DeviceConfig {
  const { peer } = config;
  const checked: DeviceConfig = {
    privateKey: validatePrivateKey('privateKey', config.privateKey),
    fwmark: validateInteger('fwmark', config.fwmark, 0, MAX_U32),
    peer: {
      publicKey: validatePublicKey('peer.publicKey', peer.publicKey),
      endpoint: formatEndpoint(parseEndpoint('peer.endpoint', peer.endpoint)),
      allowedIps: peer.allowedIps.map((cidr, i) => validateCidr(`peer.allowedIps[${i}]`, cidr)),
    },
  };
  if (config.listenPort !== undefined) {
    checked.listenPort = validateInteger('listenPort', config.listenPort, 0, 65535);
  }
  if (peer.presharedKey !== undefined) {
    // Same shape as a private key: 32 random bytes in base64.
    checked.peer.presharedKey = validatePrivateKey('peer.presharedKey', peer.presharedKey);
  }
  if (peer.persistentKeepalive !== undefined) {
    checked.peer.persistentKeepalive = validateInteger(
      'peer.persistentKeepalive',
      peer.persistentKeepalive,
      0,
      65535,
    );
  }
  return checked;
}

/**
 * Milliseconds since a handshake given as seconds + nanoseconds since the epoch (UAPI's
 * last_handshake_time_sec/nsec; `wg show dump` has seconds only). Null when there was none (0/0).
 * Clamped at 0: a handshake "in the future" is clock skew, not a negative age.
 */
export function handshakeAgeMs(sec: number, nsec: number, nowMs: number): number | null {
  if (sec === 0 && nsec === 0) return null;
  const at = sec * 1000 + Math.floor(nsec / 1_000_000);
  return Math.max(0, nowMs - at);
}
