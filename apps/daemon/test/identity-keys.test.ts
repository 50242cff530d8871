// WireGuard keys: generation and derivation agree with RFC 7748 and with `wg genkey | wg pubkey`; key
// validation; base64 <-> hex for the UAPI; interface address rules.
import { execFileSync } from 'node:child_process';
import { ValidationError } from '@sluice/api/domain';
import { describe, expect, it } from 'vitest';
import { validateInterfaceAddress, validateInterfaceAddresses } from '../src/identity/addresses.js';
import {
  generateKeyPair,
  hexToKey,
  isKey,
  keyToHex,
  publicKeyFromPrivate,
  validatePrivateKey,
  validatePublicKey,
} from '../src/identity/keys.js';

const hasWg = (() => {
  try {
    execFileSync('wg', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** `wg genkey` and `wg pubkey` only compute; they touch no interface. */
function wg(args: string[], input?: string): string {
  return execFileSync('wg', args, { input, encoding: 'utf8' }).trim();
}

describe('X25519 keys', () => {
  it('derives the RFC 7748 section 6.1 public key', () => {
    const alicePrivate = Buffer.from(
      '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a',
      'hex',
    );
    const alicePublic = Buffer.from(
      '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
      'hex',
    );
    expect(publicKeyFromPrivate(alicePrivate.toString('base64'))).toBe(alicePublic.toString('base64'));
  });

  it('generates clamped key pairs whose public half matches the derivation', () => {
    for (let i = 0; i < 20; i++) {
      const pair = generateKeyPair();
      expect(isKey(pair.privateKey)).toBe(true);
      expect(isKey(pair.publicKey)).toBe(true);
      const raw = Buffer.from(pair.privateKey, 'base64');
      expect((raw[0] ?? 0) & 7).toBe(0);
      expect((raw[31] ?? 0) & 0xc0).toBe(0x40);
      expect(publicKeyFromPrivate(pair.privateKey)).toBe(pair.publicKey);
    }
  });

  it.skipIf(!hasWg)('agrees with `wg genkey | wg pubkey` both ways', () => {
    for (let i = 0; i < 5; i++) {
      const privateKey = wg(['genkey']);
      expect(publicKeyFromPrivate(privateKey)).toBe(wg(['pubkey'], `${privateKey}\n`));
    }
    const ours = generateKeyPair();
    expect(wg(['pubkey'], `${ours.privateKey}\n`)).toBe(ours.publicKey);
  });

  it('derives the same public key from an unclamped private key (X25519 clamps on use)', () => {
    const clamped = Buffer.from(generateKeyPair().privateKey, 'base64');
    const unclamped = Buffer.from(clamped);
    unclamped[0] = (unclamped[0] ?? 0) | 7;
    unclamped[31] = (unclamped[31] ?? 0) | 0x80;
    expect(publicKeyFromPrivate(unclamped.toString('base64'))).toBe(
      publicKeyFromPrivate(clamped.toString('base64')),
    );
  });
});

describe('key validation and encoding', () => {
  const key = 'AggYyNFrV4QSLRcfmGo/wad0lN9q2UE1zWC+NTBnfkg=';

  it('accepts exactly 32 bytes of standard base64', () => {
    expect(isKey(key)).toBe(true);
    expect(isKey(key.replace('=', ''))).toBe(false);
    expect(isKey(Buffer.alloc(31, 1).toString('base64'))).toBe(false);
    expect(isKey(Buffer.alloc(33, 1).toString('base64'))).toBe(false);
    expect(isKey(Buffer.alloc(32, 0xfb).toString('base64url') + '=')).toBe(false);
    // Non-canonical: the last character carries bits beyond the 32 bytes.
    expect(isKey(`${key.slice(0, 42)}h=`)).toBe(false);
    expect(validatePublicKey('peer', `  ${key}\n`)).toBe(key);
  });

  it('refuses bad and all-zero private keys without echoing them', () => {
    const secret = 'not-a-key-but-secret';
    const error = (() => {
      try {
        validatePrivateKey('PrivateKey', secret);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).not.toContain(secret);
    expect(() => validatePrivateKey('PrivateKey', Buffer.alloc(32).toString('base64'))).toThrow(/all-zero/);
    expect(() => validatePublicKey('peer.publicKey', 'abc')).toThrow(ValidationError);
  });

  it('converts between base64 and the UAPI hex', () => {
    const hex = '020818c8d16b5784122d171f986a3fc1a77494df6ad94135cd60be3530677e48';
    expect(keyToHex(key)).toBe(hex);
    expect(hexToKey(hex)).toBe(key);
    expect(hexToKey(hex.toUpperCase())).toBe(key);
    expect(() => hexToKey('abcd')).toThrow(/hex/);
    expect(() => keyToHex('abcd')).toThrow(/base64/);
  });
});

describe('interface addresses', () => {
  it('canonicalises addresses, keeping host bits and adding a host prefix to bare ones', () => {
    expect(validateInterfaceAddress('a', '10.64.0.2/32')).toBe('10.64.0.2/32');
    expect(validateInterfaceAddress('a', '10.8.0.2/24')).toBe('10.8.0.2/24');
    expect(validateInterfaceAddress('a', ' FC00:BBBB::2 ')).toBe('fc00:bbbb::2/128');
    expect(validateInterfaceAddress('a', '10.0.0.1')).toBe('10.0.0.1/32');
  });

  it.each([
    '10.0.0.1/33',
    '10.0.0.1/0',
    'fc00::1/129',
    '10.0.0.1/x',
    'example.com',
    '::ffff:1.2.3.4/128',
    '',
  ])('refuses %j', (value) => {
    expect(() => validateInterfaceAddress('Address', value)).toThrow(ValidationError);
  });

  it('allows at most one address per family and orders IPv4 first', () => {
    expect(validateInterfaceAddresses('a', ['fc00::2/128', '10.64.0.2/32'])).toEqual([
      '10.64.0.2/32',
      'fc00::2/128',
    ]);
    expect(validateInterfaceAddresses('a', [])).toEqual([]);
    expect(() => validateInterfaceAddresses('a', ['10.0.0.1', '10.0.0.2'])).toThrow(/2 IPv4 addresses/);
    expect(() => validateInterfaceAddresses('a', ['fc00::1', 'fc00::2'])).toThrow(/2 IPv6 addresses/);
    expect(() => validateInterfaceAddresses('addresses', ['10.0.0.1', 'nope'])).toThrow(/addresses\[1\]/);
  });
});
