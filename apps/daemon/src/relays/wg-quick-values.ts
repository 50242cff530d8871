// Values of wg-quick keys: Endpoint (an IP and a port), Address (an IP with prefix), comma lists.
import { ipFamily, quote, unusableAddress } from '@sluice/api/domain';
import { portProblem } from './fields.js';

export interface Endpoint {
  address: string;
  family: 4 | 6;
  port: number;
}

/** `198.51.100.1:51820` or `[2001:db8::1]:51820`. Host names are refused: the firewall needs the IP. */
export function parseEndpoint(text: string): Endpoint | { problem: string } {
  const expected = 'expected <IPv4>:<port> or [<IPv6>]:<port>, e.g. 198.51.100.1:51820';
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  let host: string;
  let portText: string | undefined;
  if (bracketed) {
    host = bracketed[1] ?? '';
    portText = bracketed[2];
    if (ipFamily(host) !== 6)
      return { problem: `${quote(text)}: ${quote(host)} in brackets is not an IPv6 address; ${expected}` };
  } else if (ipFamily(text) === 6) {
    return {
      problem: `${quote(text)} has no port; write IPv6 endpoints as [<IPv6>]:<port>, e.g. [2001:db8::1]:51820`,
    };
  } else {
    const colon = text.lastIndexOf(':');
    host = colon === -1 ? text : text.slice(0, colon);
    portText = colon === -1 ? undefined : text.slice(colon + 1);
    if (ipFamily(host) === 6) {
      return {
        problem: `${quote(text)}: write IPv6 endpoints in brackets, e.g. [${host}]:${portText ?? '51820'}`,
      };
    }
  }
  const family = ipFamily(host);
  if (family === null) {
    if (/[a-z]/i.test(host) && /^[a-z0-9.-]+$/i.test(host)) {
      return {
        problem:
          `${quote(text)} names a host, not an IP address; Sluice needs the relay's IP address (the firewall lets ` +
          `only that address through before the tunnel is up). Look it up (e.g. "getent ahosts ${host}") and ` +
          'write Endpoint = <IP address>:<port>',
      };
    }
    return { problem: `${quote(text)} is not an address with a port; ${expected}` };
  }
  if (portText === undefined || portText === '')
    return { problem: `${quote(text)} has no port; ${expected}` };
  const port = /^\d+$/.test(portText) ? Number(portText) : NaN;
  const problem = portProblem(port);
  if (problem)
    return {
      problem: `${quote(text)}: port ${quote(portText)} is not a port; expected a whole number from 1 to 65535`,
    };
  const unusable = unusableAddress(host);
  if (unusable)
    return { problem: `${quote(text)}: ${quote(host)} ${unusable}; expected the relay's address` };
  return { address: host.toLowerCase(), family, port };
}

/** `10.64.0.2/32` as given; a bare address gets /32 or /128 (as `ip address add` reads it). */
export function interfaceAddress(text: string): { value: string } | { problem: string } {
  const expected = 'expected an address with prefix, e.g. 10.64.0.2/32 or fc00:bbbb:bbbb:bb01::2/128';
  const [address = '', prefixText, extra] = text.split('/');
  const family = ipFamily(address);
  if (family === null || extra !== undefined)
    return { problem: `${quote(text)} is not an address; ${expected}` };
  const maxPrefix = family === 4 ? 32 : 128;
  if (prefixText === undefined) return { value: `${address.toLowerCase()}/${maxPrefix}` };
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= maxPrefix)) {
    return { problem: `${quote(text)} has prefix length "${prefixText}"; expected 0 to ${maxPrefix}` };
  }
  return { value: `${address.toLowerCase()}/${prefix}` };
}

export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
