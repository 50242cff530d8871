// Tunnel (interface) addresses of the identity: an address with its prefix length, as wg-quick's
// `Address =`. Unlike a route, host bits are expected (10.8.0.2/24 is this host in 10.8.0.0/24).
import { ipFamily, quote, ValidationError } from '@sluice/api/domain';

/**
 * One interface address in canonical form: lowercase, bare addresses get /32 or /128. IPv4-mapped
 * IPv6 is refused because the tunnel needs a real IPv6 address.
 */
export function validateInterfaceAddress(field: string, value: string): string {
  const text = value.trim().toLowerCase();
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const prefixText = slash === -1 ? undefined : text.slice(slash + 1);
  const family = ipFamily(address);
  const hint = 'use an address with a prefix length, e.g. 10.64.0.2/32 or fc00:bbbb::2/128';
  if (family === null || (family === 6 && address.includes('.'))) {
    throw new ValidationError(field, `${quote(value)} is not an interface address; ${hint}`);
  }
  const max = family === 4 ? 32 : 128;
  if (prefixText === undefined) return `${address}/${max}`;
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) < 1 || Number(prefixText) > max) {
    throw new ValidationError(field, `${quote(value)} has a bad prefix length; use 1 to ${max}`);
  }
  return `${address}/${Number(prefixText)}`;
}

/**
 * The identity's addresses: each valid, no duplicates, and at most one IPv4 and one IPv6. Providers
 * assign one address per family to a key, and routing/source selection expects exactly that; a second
 * address of a family would be ambiguous, so it is refused rather than guessed at.
 */
export function validateInterfaceAddresses(field: string, values: readonly string[]): string[] {
  // One per family: more than two is wrong before any of them is read.
  if (values.length > 2)
    throw new ValidationError(field, `${values.length} given; give at most two (one IPv4, one IPv6)`);
  const out = values.map((value, index) => validateInterfaceAddress(`${field}[${index}]`, value));
  const v4 = out.filter((a) => !a.includes(':'));
  const v6 = out.filter((a) => a.includes(':'));
  if (v4.length > 1) {
    throw new ValidationError(field, `has ${v4.length} IPv4 addresses (${v4.join(', ')}); give at most one`);
  }
  if (v6.length > 1) {
    throw new ValidationError(field, `has ${v6.length} IPv6 addresses (${v6.join(', ')}); give at most one`);
  }
  // IPv4 first, then IPv6, so the stored order does not depend on how the user wrote them.
  return [...v4, ...v6];
}
