// Checks for the values an import carries (keys, addresses, ports, codes). Each returns the problem in
// words, or undefined when the value is fine, so parsers can collect every problem of a file.
import {
  ipFamily,
  quote,
  unusableAddress,
  validateHostname,
  validateLocationCode,
  ValidationError,
} from '@sluice/api/domain';
import { isKey } from '../identity/keys.js';

export const KEY_EXPECTED = '44 characters of base64 encoding 32 bytes, ending in "="';

/** The identity module's key shape (canonical base64 of 32 bytes), under the name the importers use. */
export const isWireguardKey = isKey;

/**
 * Problem with a WireGuard key, or undefined. Secret keys are never echoed (problems end up in logs), only
 * their length.
 */
export function keyProblem(text: string, secret: boolean): string | undefined {
  if (isWireguardKey(text)) return undefined;
  if (text === '') return `is empty; expected a WireGuard key (${KEY_EXPECTED})`;
  const given = secret ? `(${text.length} characters given, not shown: it is secret)` : quote(text);
  return secret
    ? `is not a WireGuard key ${given}; expected ${KEY_EXPECTED}`
    : `${given} is not a WireGuard key; expected ${KEY_EXPECTED}`;
}

/**
 * Problem with an IP address of the given family (or either), or undefined. Every address an import
 * carries (endpoints, gateways, resolvers) is one packets go to: loopback, multicast and the like are
 * refused.
 */
export function ipProblem(text: string, family?: 4 | 6): string | undefined {
  const actual = ipFamily(text);
  if (actual !== null && (family === undefined || actual === family)) {
    const why = unusableAddress(text);
    return why === undefined ? undefined : `${quote(text)} ${why}; expected the address of a real server`;
  }
  if (actual !== null)
    return `${quote(text)} is an IPv${actual} address; expected an IPv${family ?? ''} address`;
  const example =
    family === 6 ? '2001:db8::1' : family === 4 ? '198.51.100.1' : '198.51.100.1 or 2001:db8::1';
  return `${quote(text)} is not an IP${family ? `v${family}` : ''} address; expected one such as ${example}`;
}

export function portProblem(value: number): string | undefined {
  if (Number.isInteger(value) && value >= 1 && value <= 65535) return undefined;
  return `${value} is not a port; expected a whole number from 1 to 65535`;
}

/** The canonical form of a value the shared validators accept, or the problem as text. */
function fromValidator(validate: () => string): { value: string } | { problem: string } {
  try {
    return { value: validate() };
  } catch (error) {
    if (error instanceof ValidationError) return { problem: error.message.replace(/^[^:]*: /, '') };
    throw error;
  }
}

export function checkLocationCode(text: string): { value: string } | { problem: string } {
  return fromValidator(() => validateLocationCode('code', text));
}

export function checkHostname(text: string): { value: string } | { problem: string } {
  return fromValidator(() => validateHostname('hostname', text));
}
