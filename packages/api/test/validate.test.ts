import { describe, expect, it } from 'vitest';
import { escapeControls, quote, redactKeys, safeMessage } from '../src/domain/text.js';
import {
  unusableAddress,
  validateBypassRange,
  validateName,
  validateRoutableIp,
  ValidationError,
  ipFamily,
  validateAppPath,
  validateCidr,
  validateHostname,
  validateIp,
  validateList,
  validateLocationCode,
  validateMtu,
  validatePort,
} from '../src/domain/validate.js';

function refusal(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('validateCidr', () => {
  it.each([
    ['100.64.0.0/10', '100.64.0.0/10'],
    [' 10.0.0.0/8 ', '10.0.0.0/8'],
    ['192.0.2.7', '192.0.2.7/32'],
    ['FD7A:115C:A1E0::/48', 'fd7a:115c:a1e0::/48'],
    ['2001:db8::1', '2001:db8::1/128'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['::/0', '::/0'],
  ])('accepts %s as %s', (input, canonical) => {
    expect(validateCidr('range', input)).toBe(canonical);
  });

  it('refuses host bits and names the network address to use', () => {
    const error = refusal(() => validateCidr('range', '100.64.0.1/10'));
    expect(error.field).toBe('range');
    expect(error.message).toContain('host bits');
    expect(error.message).toContain('100.64.0.0/10');
  });

  it('refuses IPv6 host bits with the right network', () => {
    expect(refusal(() => validateCidr('range', '2001:db8::1/32')).message).toContain(
      '2001:db8:0:0:0:0:0:0/32',
    );
  });

  it.each(['', 'banana', '10.0.0.0/33', '300.1.1.1/8', '2001:db8::/129', '10.0.0.0/-1'])(
    'refuses %j',
    (input) => {
      const error = refusal(() => validateCidr('ranges[0]', input));
      expect(error.message).toMatch(/^ranges\[0\]: /);
      expect(error.message).toContain('100.64.0.0/10');
    },
  );
});

describe('scalar validators', () => {
  it('bounds the MTU to 1280..1420 and says so', () => {
    expect(validateMtu('mtu', 1280)).toBe(1280);
    expect(validateMtu('mtu', 1420)).toBe(1420);
    for (const bad of [1279, 1421, 0, 1300.5]) {
      expect(refusal(() => validateMtu('mtu', bad)).message).toContain('1280 to 1420');
    }
  });

  it('bounds ports to 1..65535', () => {
    expect(validatePort('port', 51820)).toBe(51820);
    expect(refusal(() => validatePort('port', 0)).message).toContain('1 to 65535');
    expect(refusal(() => validatePort('port', 65536)).message).toContain('1 to 65535');
  });

  it('knows address families', () => {
    expect(ipFamily('10.64.0.1')).toBe(4);
    expect(ipFamily('fc00:bbbb::1')).toBe(6);
    expect(ipFamily('10.64.0.1/32')).toBeNull();
    expect(validateIp('dns', ' FC00::1 ')).toBe('fc00::1');
    expect(refusal(() => validateIp('dns', 'dns.google')).message).toContain('not an IPv4 or IPv6 address');
  });

  it('accepts location codes and hostnames of relay-list shape', () => {
    expect(validateLocationCode('country', 'SE')).toBe('se');
    expect(refusal(() => validateLocationCode('country', 'sweden')).message).toContain('2-3 letters');
    expect(validateHostname('hostname', 'se-got-wg-001')).toBe('se-got-wg-001');
    expect(refusal(() => validateHostname('hostname', 'bad host')).field).toBe('hostname');
  });

  it('wants absolute program paths without control characters', () => {
    expect(validateAppPath('path', '/usr/bin/firefox')).toBe('/usr/bin/firefox');
    expect(() => validateAppPath('path', 'firefox')).toThrow(ValidationError);
    expect(() => validateAppPath('path', '/usr/bin/a\nb')).toThrow(ValidationError);
  });

  it('validates lists element by element, naming the index, and removes duplicates', () => {
    expect(validateList('ranges', ['10.0.0.0/8', '10.0.0.0/8', '192.0.2.1'], validateCidr, 8)).toEqual([
      '10.0.0.0/8',
      '192.0.2.1/32',
    ]);
    expect(refusal(() => validateList('ranges', ['10.0.0.0/8', 'x'], validateCidr, 8)).field).toBe(
      'ranges[1]',
    );
  });

  it('counts a list before looking at its elements: 270,000 servers are refused at once, not validated', () => {
    let looked = 0;
    const huge = Array.from({ length: 270_000 }, () => 'not an address');
    const error = refusal(() =>
      validateList('dns.custom_servers', huge, (f, v) => (looked++, validateIp(f, v)), 8),
    );
    expect(error.message).toBe('dns.custom_servers: 270000 given; at most 8 are accepted');
    expect(looked).toBe(0);
  });
});

describe('values that make no sense', () => {
  it('refuses a bypass of everything (/0) and ranges wide enough to empty the tunnel', () => {
    expect(refusal(() => validateBypassRange('range', '0.0.0.0/0')).message).toMatch(
      /every address.*disconnect instead/,
    );
    expect(refusal(() => validateBypassRange('range', '::/0')).message).toMatch(/disconnect instead/);
    expect(refusal(() => validateBypassRange('range', '0.0.0.0/1')).message).toMatch(
      /too wide.*\/8 or narrower/,
    );
    expect(refusal(() => validateBypassRange('range', '2000::/3')).message).toMatch(/\/16 or narrower/);
    expect(validateBypassRange('range', '100.64.0.0/10')).toBe('100.64.0.0/10');
    expect(validateBypassRange('range', 'fd7a:115c:a1e0::/48')).toBe('fd7a:115c:a1e0::/48');
  });

  it('refuses endpoints and resolvers that are unspecified, loopback, multicast, broadcast or link-local', () => {
    for (const address of [
      '0.0.0.0',
      '127.0.0.1',
      '224.0.0.1',
      '255.255.255.255',
      '169.254.1.1',
      '::',
      '::1',
      'ff02::1',
      'fe80::1',
      '::ffff:1.2.3.4',
    ]) {
      expect(() => validateRoutableIp('dns', address), address).toThrow(ValidationError);
    }
    expect(validateRoutableIp('dns', '9.9.9.9')).toBe('9.9.9.9');
    expect(validateRoutableIp('dns', '2620:fe::fe')).toBe('2620:fe::fe');
    expect(unusableAddress('127.0.0.53')).toBe('is a loopback address');
  });

  it('refuses names with control characters or too long', () => {
    expect(validateName('provider', ' Mullvad ', 64)).toBe('Mullvad');
    expect(() => validateName('provider', 'evil\nname', 64)).toThrow(/control characters/);
    expect(() => validateName('provider', 'a\u001b[31mred', 64)).toThrow(ValidationError);
    expect(() => validateName('provider', 'x'.repeat(65), 64)).toThrow(/1-64 characters/);
  });
});

describe('text that leaves the helper', () => {
  const key = 'oBvN4IHgTJCQMx0RnRzdJGzmXQQ9kWxH0d0j5DnWt1U=';

  it('never echoes a WireGuard key', () => {
    expect(redactKeys(`line 1: ${key} is outside any section`)).toBe(
      'line 1: <key not shown> is outside any section',
    );
    expect(quote(key)).toBe('"<key not shown>"');
    expect(safeMessage(`PrivateKey = ${key}`)).not.toContain(key);
  });

  it('cuts an echoed value to an excerpt and a message to its limit', () => {
    expect(quote('x'.repeat(100_000))).toBe(`"${'x'.repeat(48)}…"`);
    const long = safeMessage(`bad: ${'y'.repeat(200_000)}`);
    expect(long.length).toBeLessThan(1_100);
    expect(long).toMatch(/… \(200005 characters in all\)$/);
  });

  it('escapes control characters (terminal escapes, newlines in a value) and keeps message lines', () => {
    expect(quote('a\u001b[2Jb\nc')).toBe('"a\\u001b[2Jb\\nc"');
    expect(escapeControls('bell\u0007 del\u007f c1\u009b')).toBe('bell\\u0007 del\\u007f c1\\u009b');
    expect(safeMessage('file a, line 1: x\nfile b, line 2: \u001b[31m')).toBe(
      'file a, line 1: x\nfile b, line 2: \\u001b[31m',
    );
  });
});
