// WireGuard (X25519) keys: generation, public-key derivation, validation and the base64 <-> hex
// conversion the UAPI needs. Keys travel as standard base64 of 32 raw bytes, as `wg` prints them.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { ValidationError } from '@sluice/api/domain';

export const KEY_BYTES = 32;

// A PKCS#8 wrapper for a raw X25519 private key (RFC 8410): the fixed DER prefix, then the 32 bytes.
const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

// 32 bytes are 43 base64 characters and one "=". The 43rd carries only 4 bits, so the two bits it would
// have left over must be zero: that leaves the 16 characters below (the canonical encodings).
const BASE64_KEY = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

const HEX_KEY = /^[0-9a-f]{64}$/;

export interface KeyPair {
  privateKey: string;
  publicKey: string;
}

/** True for standard base64 of exactly 32 bytes (the only form `wg` accepts). */
export function isKey(text: string): boolean {
  return BASE64_KEY.test(text);
}

/** A WireGuard public key, or a ValidationError naming `field`. */
export function validatePublicKey(field: string, text: string): string {
  const key = text.trim();
  if (!isKey(key)) {
    throw new ValidationError(
      field,
      'is not a WireGuard key; expected 44 characters of base64 ending in "=" (as `wg pubkey` prints)',
    );
  }
  return key;
}

/** A WireGuard private key; the all-zero key means "no key" to WireGuard and is refused. */
export function validatePrivateKey(field: string, text: string): string {
  // Never echo the value: it is a secret.
  const key = text.trim();
  if (!isKey(key)) {
    throw new ValidationError(
      field,
      'is not a WireGuard private key; expected 44 characters of base64 ending in "=" (as `wg genkey` prints)',
    );
  }
  if (Buffer.from(key, 'base64').every((byte) => byte === 0)) {
    throw new ValidationError(field, 'is the all-zero key, which WireGuard treats as "no key"');
  }
  return key;
}

/** Base64 key -> the lowercase hex the UAPI speaks. */
export function keyToHex(base64: string): string {
  if (!isKey(base64)) throw new Error('not a base64 WireGuard key');
  return Buffer.from(base64, 'base64').toString('hex');
}

/** UAPI hex key -> base64. */
export function hexToKey(hex: string): string {
  const text = hex.toLowerCase();
  if (!HEX_KEY.test(text)) throw new Error('not a 64-digit hex WireGuard key');
  return Buffer.from(text, 'hex').toString('base64');
}

/** Clamp a scalar the way `wg genkey` does; X25519 clamps on use anyway, so the public key is unchanged. */
function clamp(raw: Buffer): Buffer {
  const out = Buffer.from(raw);
  out[0] = (out[0] ?? 0) & 248;
  out[31] = ((out[31] ?? 0) & 127) | 64;
  return out;
}

function rawFromJwk(key: KeyObject, part: 'x' | 'd'): Buffer {
  const jwk = key.export({ format: 'jwk' });
  const value = jwk[part];
  if (typeof value !== 'string') throw new Error(`X25519 key export has no "${part}"`);
  const raw = Buffer.from(value, 'base64url');
  if (raw.length !== KEY_BYTES) throw new Error(`X25519 key export "${part}" is not ${KEY_BYTES} bytes`);
  return raw;
}

/** A fresh key pair, the private half clamped like `wg genkey`. */
export function generateKeyPair(): KeyPair {
  const { privateKey } = generateKeyPairSync('x25519');
  const raw = clamp(rawFromJwk(privateKey, 'd'));
  const privateBase64 = raw.toString('base64');
  return { privateKey: privateBase64, publicKey: publicKeyFromPrivate(privateBase64) };
}

/** The public key of a base64 private key (`wg pubkey`). */
export function publicKeyFromPrivate(privateKey: string): string {
  if (!isKey(privateKey)) throw new Error('not a base64 WireGuard private key');
  const der = Buffer.concat([PKCS8_X25519_PREFIX, Buffer.from(privateKey, 'base64')]);
  const keyObject = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  return rawFromJwk(createPublicKey(keyObject), 'x').toString('base64');
}
