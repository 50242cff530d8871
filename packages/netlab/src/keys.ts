// WireGuard keys (Curve25519) made with Node's crypto: no `wg genkey` round trips.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

export interface KeyPair {
  /** base64 of the 32-byte private key, as wg(8) prints it */
  privateKey: string;
  /** base64 of the 32-byte public key */
  publicKey: string;
}

const KEY_RE = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

export function isWireguardKey(text: string): boolean {
  return KEY_RE.test(text);
}

function rawKey(key: KeyObject, part: 'd' | 'x'): string {
  const jwk = key.export({ format: 'jwk' });
  const value = jwk[part];
  if (typeof value !== 'string') throw new Error(`x25519 key has no ${part}`);
  return Buffer.from(value, 'base64url').toString('base64');
}

export function generateKeyPair(): KeyPair {
  const { privateKey } = generateKeyPairSync('x25519');
  return { privateKey: rawKey(privateKey, 'd'), publicKey: rawKey(privateKey, 'x') };
}

/** PKCS#8 DER header of a raw X25519 private key (RFC 8410). */
const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/** The public key of a base64 private key (what `wg pubkey` prints). */
export function publicKeyOf(privateKey: string): string {
  if (!isWireguardKey(privateKey)) throw new Error('not a WireGuard key');
  const der = Buffer.concat([PKCS8_X25519_PREFIX, Buffer.from(privateKey, 'base64')]);
  return rawKey(createPublicKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })), 'x');
}
