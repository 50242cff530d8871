// Validators shared by the helper (authoritative) and the clients (early, friendlier errors).
// Pure TypeScript: no Node or DOM imports, so the renderer can use them too.
import { z } from 'zod';
import { hasControls, quote } from './text.js';

/** A value was refused. `field` names it the way the user wrote it (CLI/API field), `message` says what is accepted. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export const MTU_MIN = 1280;
export const MTU_MAX = 1420;

const ipv4 = z.ipv4();
const ipv6 = z.ipv6();
const cidrv4 = z.cidrv4();
const cidrv6 = z.cidrv6();

/** Longer than any address with a prefix: refused before a pattern is tried on it. */
const MAX_ADDRESS_TEXT = 64;

export function isIpAddress(text: string): boolean {
  return ipFamily(text) !== null;
}

export function ipFamily(text: string): 4 | 6 | null {
  if (text.length > MAX_ADDRESS_TEXT) return null;
  if (ipv4.safeParse(text).success) return 4;
  if (ipv6.safeParse(text).success) return 6;
  return null;
}

export function validateMtu(field: string, value: number): number {
  if (!Number.isInteger(value) || value < MTU_MIN || value > MTU_MAX) {
    throw new ValidationError(
      field,
      `${value} is not accepted; use a whole number from ${MTU_MIN} to ${MTU_MAX}, or "auto"`,
    );
  }
  return value;
}

export function validatePort(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new ValidationError(field, `${value} is not accepted; use a port from 1 to 65535, or "auto"`);
  }
  return value;
}

export function validateIp(field: string, value: string): string {
  const text = value.trim();
  if (!isIpAddress(text)) {
    throw new ValidationError(
      field,
      `${quote(value)} is not an IPv4 or IPv6 address (for example 10.64.0.1 or fc00::1)`,
    );
  }
  return text.toLowerCase();
}

/**
 * A CIDR range in canonical form. Host bits must be zero (10.0.0.1/8 is refused rather than silently
 * widened), a bare address is taken as a single host (/32 or /128).
 */
export function validateCidr(field: string, value: string): string {
  const text = value.length > MAX_ADDRESS_TEXT ? '' : value.trim().toLowerCase();
  const bare = !text.includes('/');
  const family = bare ? ipFamily(text) : null;
  const withPrefix = bare && family !== null ? `${text}/${family === 4 ? 32 : 128}` : text;
  if (!cidrv4.safeParse(withPrefix).success && !cidrv6.safeParse(withPrefix).success) {
    throw new ValidationError(
      field,
      `${quote(value)} is not a CIDR range; use an address with a prefix length, e.g. 100.64.0.0/10 or fd7a:115c:a1e0::/48`,
    );
  }
  const [address, prefixText] = withPrefix.split('/') as [string, string];
  const prefix = Number(prefixText);
  if (!hostBitsAreZero(address, prefix)) {
    throw new ValidationError(
      field,
      `${quote(value)} has host bits set after /${prefix}; write the network address (e.g. ${networkHint(address, prefix)})`,
    );
  }
  return withPrefix;
}

function ipv4ToBigInt(address: string): bigint {
  return address.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

const ipv6Bits = (address: string): bigint => ipv6ToBigInt(address);

function ipv6ToBigInt(address: string): bigint {
  let text = address;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const n = ipv4ToBigInt(v4[1]);
    text = text.slice(0, -v4[1].length) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const headParts = head === '' ? [] : head.split(':');
  const tailParts = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros =
    tail === undefined ? [] : new Array<string>(8 - headParts.length - tailParts.length).fill('0');
  return [...headParts, ...zeros, ...tailParts].reduce(
    (acc, part) => (acc << 16n) | BigInt(parseInt(part, 16)),
    0n,
  );
}

function addressBits(address: string): { value: bigint; width: bigint } {
  return address.includes(':')
    ? { value: ipv6ToBigInt(address), width: 128n }
    : { value: ipv4ToBigInt(address), width: 32n };
}

function hostBitsAreZero(address: string, prefix: number): boolean {
  const { value, width } = addressBits(address);
  const hostBits = width - BigInt(prefix);
  return (value & ((1n << hostBits) - 1n)) === 0n;
}

function networkHint(address: string, prefix: number): string {
  const { value, width } = addressBits(address);
  const hostBits = width - BigInt(prefix);
  const network = (value >> hostBits) << hostBits;
  if (width === 32n) {
    return `${[24n, 16n, 8n, 0n].map((shift) => ((network >> shift) & 0xffn).toString()).join('.')}/${prefix}`;
  }
  const hextets = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) hextets.push(((network >> shift) & 0xffffn).toString(16));
  return `${hextets.join(':')}/${prefix}`;
}

const LOCATION_CODE = /^[a-z]{2,3}$/;
const HOSTNAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Country and city codes are 2-3 lower-case letters, as in Mullvad's relay list (se, got). */
export function validateLocationCode(field: string, value: string): string {
  const text = value.trim().toLowerCase();
  if (!LOCATION_CODE.test(text)) {
    throw new ValidationError(
      field,
      `${quote(value)} is not a location code; use 2-3 letters such as "se" or "got"`,
    );
  }
  return text;
}

export function validateHostname(field: string, value: string): string {
  const text = value.trim().toLowerCase();
  if (!HOSTNAME.test(text)) {
    throw new ValidationError(
      field,
      `${quote(value)} is not a relay hostname; use letters, digits and dashes, e.g. se-got-wg-001`,
    );
  }
  return text;
}

export const MAX_PATH = 4096;

/** An absolute path to a program; no control characters, which would break rules or desktop files. */
export function validateAppPath(field: string, value: string): string {
  if (!value.startsWith('/') || hasControls(value) || value.length > MAX_PATH) {
    throw new ValidationError(
      field,
      `${quote(value)} is not accepted; give the absolute path of a program (at most ${MAX_PATH} characters, no control characters), e.g. /usr/bin/firefox`,
    );
  }
  return value;
}

export function validatePid(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 4_194_304) {
    throw new ValidationError(field, `${value} is not a process id; use a positive whole number`);
  }
  return value;
}

/**
 * Validate a list of at most `max` elements, then remove duplicates keeping the first. The count is
 * checked before any element is looked at, so a huge list costs nothing.
 */
export function validateList(
  field: string,
  values: readonly string[],
  one: (field: string, value: string) => string,
  max: number,
): string[] {
  if (values.length > max)
    throw new ValidationError(field, `${values.length} given; at most ${max} are accepted`);
  const out = new Set<string>();
  values.forEach((value, index) => out.add(one(`${field}[${index}]`, value)));
  return [...out];
}

/** Why an address cannot be a relay endpoint or a resolver, or undefined when it can. */
export function unusableAddress(address: string): string | undefined {
  const family = ipFamily(address);
  if (family === 4) {
    const [a = 0, b = 0] = address.split('.').map(Number);
    if (address === '0.0.0.0') return 'is the unspecified address';
    if (a === 0) return 'is in 0.0.0.0/8 ("this network")';
    if (a === 127) return 'is a loopback address';
    if (a >= 224 && a <= 239) return 'is a multicast address';
    if (address === '255.255.255.255') return 'is the broadcast address';
    if (a >= 240) return 'is in the reserved range 240.0.0.0/4';
    if (a === 169 && b === 254) return 'is a link-local address';
    return undefined;
  }
  if (family === 6) {
    const value = address.toLowerCase();
    const bits = ipv6Bits(value);
    if (bits === 0n) return 'is the unspecified address';
    if (bits === 1n) return 'is the loopback address';
    if (value.startsWith('ff')) return 'is a multicast address';
    if (/^fe[89ab]/.test(value)) return 'is a link-local address';
    if (bits >> 32n === 0xffffn) return `is an IPv4-mapped address; use the IPv4 address itself`;
    return undefined;
  }
  return 'is not an IP address';
}

/** An address packets can be sent to: not unspecified, loopback, multicast, broadcast or link-local. */
export function validateRoutableIp(field: string, value: string): string {
  const address = validateIp(field, value);
  const why = unusableAddress(address);
  if (why) throw new ValidationError(field, `${quote(value)} ${why}; give the address of a real server`);
  return address;
}

/** The narrowest prefix a bypass range may have (wider ones send most traffic outside the tunnel). */
export const BYPASS_MIN_PREFIX = { 4: 8, 6: 16 } as const;

/** A range that goes around the tunnel: a CIDR range, and not one so wide it empties the tunnel. */
export function validateBypassRange(field: string, value: string): string {
  const range = validateCidr(field, value);
  const [address = '', prefixText = ''] = range.split('/');
  const family = ipFamily(address) ?? 4;
  const prefix = Number(prefixText);
  if (prefix === 0) {
    throw new ValidationError(
      field,
      `${quote(value)} is every address: nothing would go through the tunnel; to send all traffic outside it, disconnect instead`,
    );
  }
  if (prefix < BYPASS_MIN_PREFIX[family]) {
    throw new ValidationError(
      field,
      `${quote(value)} is too wide to go around the tunnel (/${prefix}); bypass ranges must be /${BYPASS_MIN_PREFIX[family]} or narrower for IPv${family}, e.g. 100.64.0.0/10`,
    );
  }
  return range;
}

/** A short name (provider, file): not empty, at most `max` characters, no control characters. */
export function validateName(field: string, value: string, max: number): string {
  const text = value.trim();
  if (text.length === 0 || text.length > max || hasControls(text)) {
    throw new ValidationError(
      field,
      `${quote(value)} is not accepted; use 1-${max} characters without control characters`,
    );
  }
  return text;
}
