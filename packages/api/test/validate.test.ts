import { describe, expect, it } from 'vitest';
import {
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
    expect(validateList('ranges', ['10.0.0.0/8', '10.0.0.0/8', '192.0.2.1'], validateCidr)).toEqual([
      '10.0.0.0/8',
      '192.0.2.1/32',
    ]);
    expect(refusal(() => validateList('ranges', ['10.0.0.0/8', 'x'], validateCidr)).field).toBe('ranges[1]');
  });
});
