// The device identity on disk: <state-dir>/identity.json, mode 0600, written atomically. Holds the one
// secret of the helper (the WireGuard private key); everything public about it is handed out as a
// PublicIdentity, and the private key only through privateKeyForDevice().
import { chmod, lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { loadFile, openRegularNoFollow, writeFileAtomic, type FaultHook } from '../util/atomic-file.js';
import { validateInterfaceAddresses } from './addresses.js';
import { generateKeyPair, publicKeyFromPrivate, validatePrivateKey } from './keys.js';

export const IDENTITY_FILE = 'identity.json';
export const IDENTITY_FILE_VERSION = 1;

export type IdentityOrigin = 'generated' | 'imported';

/** What may be shown to anyone: the API, logs, events. */
export interface PublicIdentity {
  publicKey: string;
  /** Interface addresses with prefix, IPv4 first (see validateInterfaceAddresses). */
  addresses: string[];
  /** ISO 8601; when this key was made or imported. */
  createdAt: string;
  origin: IdentityOrigin;
}

/** The file's content. Only this module sees it. */
interface StoredIdentity {
  version: typeof IDENTITY_FILE_VERSION;
  privateKey: string;
  addresses: string[];
  createdAt: string;
  origin: IdentityOrigin;
}

export interface IdentityLoadResult {
  identity: PublicIdentity;
  /** True when there was no identity file and a new key was generated. */
  created: boolean;
  /** Set when the file could not be used: where it was moved and why; a new key was generated. */
  recovered?: { movedTo: string; reason: string };
}

export interface IdentityStoreOptions {
  now?: () => Date;
  faultHook?: FaultHook;
}

/** Parse and check an identity file's text; throws with a reason (never containing the key). */
function parseIdentityFile(text: string): StoredIdentity {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error('not valid JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('not a JSON object');
  const { version, privateKey, addresses, createdAt, origin } = raw as Record<string, unknown>;
  if (version !== IDENTITY_FILE_VERSION) {
    throw new Error(
      `unsupported version ${version === undefined ? 'missing' : JSON.stringify(version)} (expected 1)`,
    );
  }
  if (typeof privateKey !== 'string') throw new Error('has no "privateKey" string');
  validatePrivateKey('privateKey', privateKey);
  if (!Array.isArray(addresses) || !addresses.every((a): a is string => typeof a === 'string')) {
    throw new Error('"addresses" is not a list of strings');
  }
  const checkedAddresses = validateInterfaceAddresses('addresses', addresses);
  if (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt))) {
    throw new Error('"createdAt" is not a date');
  }
  if (origin !== 'generated' && origin !== 'imported') {
    throw new Error('"origin" is not "generated" or "imported"');
  }
  return { version, privateKey, addresses: checkedAddresses, createdAt, origin };
}

function serializeIdentity(stored: StoredIdentity): string {
  return `${JSON.stringify(stored, null, 2)}\n`;
}

function toPublic(stored: StoredIdentity): PublicIdentity {
  return {
    publicKey: publicKeyFromPrivate(stored.privateKey),
    addresses: [...stored.addresses],
    createdAt: stored.createdAt,
    origin: stored.origin,
  };
}

export class IdentityStore {
  readonly path: string;
  // An ES private field: not enumerable, so neither JSON.stringify nor a logger can reach the key.
  #stored: StoredIdentity | undefined;
  readonly #now: () => Date;
  readonly #faultHook: FaultHook | undefined;

  constructor(
    readonly dir: string,
    options: IdentityStoreOptions = {},
  ) {
    this.path = join(dir, IDENTITY_FILE);
    this.#now = options.now ?? (() => new Date());
    this.#faultHook = options.faultHook;
  }

  /** Read the identity, generating one on first start and replacing an unusable file (kept aside). */
  async load(): Promise<IdentityLoadResult> {
    const loaded = await loadFile(this.path, parseIdentityFile);
    if (loaded.kind === 'loaded') {
      // Someone loosened the mode (restore from a backup, an editor): the key must stay root-only.
      // Through a handle opened without following links: a link planted here never gets the chmod.
      const handle = await openRegularNoFollow(this.path);
      try {
        if (((await handle.stat()).mode & 0o077) !== 0) await handle.chmod(0o600);
      } finally {
        await handle.close();
      }
      this.#stored = loaded.value;
      return { identity: this.current(), created: false };
    }
    await this.#write(this.#fresh([]));
    if (loaded.kind === 'missing') return { identity: this.current(), created: true };
    // The kept copy still holds a private key (a link moved aside is left alone: lchmod does not exist).
    if (!(await lstat(loaded.movedTo)).isSymbolicLink()) await chmod(loaded.movedTo, 0o600);
    return {
      identity: this.current(),
      created: false,
      recovered: { movedTo: loaded.movedTo, reason: loaded.reason },
    };
  }

  /** The public half of the loaded identity. */
  current(): PublicIdentity {
    return toPublic(this.#loaded());
  }

  /**
   * The private key, for configuring the WireGuard device and nothing else: never log it, never put it
   * in an API reply, an event or an error.
   */
  privateKeyForDevice(): string {
    return this.#loaded().privateKey;
  }

  /**
   * A new key pair, same addresses. The provider still knows only the old public key: until it is told
   * the new one (and may assign new addresses), relays will not answer handshakes from this identity.
   */
  async rotate(): Promise<PublicIdentity> {
    const { addresses } = this.#loaded();
    await this.#write(this.#fresh(addresses));
    return this.current();
  }

  /** Replace the tunnel addresses (validated: see validateInterfaceAddresses); the key stays. */
  async setAddresses(addresses: readonly string[]): Promise<PublicIdentity> {
    const checked = validateInterfaceAddresses('addresses', addresses);
    await this.#write({ ...this.#loaded(), addresses: checked });
    return this.current();
  }

  /** Replace the identity with one from elsewhere (a wg-quick [Interface]: PrivateKey and Address). */
  async importIdentity(imported: {
    privateKey: string;
    addresses: readonly string[];
  }): Promise<PublicIdentity> {
    const privateKey = validatePrivateKey('PrivateKey', imported.privateKey);
    const addresses = validateInterfaceAddresses('Address', imported.addresses);
    await this.#write({
      version: IDENTITY_FILE_VERSION,
      privateKey,
      addresses,
      createdAt: this.#now().toISOString(),
      origin: 'imported',
    });
    return this.current();
  }

  #loaded(): StoredIdentity {
    if (!this.#stored) throw new Error('the identity has not been loaded');
    return this.#stored;
  }

  #fresh(addresses: readonly string[]): StoredIdentity {
    return {
      version: IDENTITY_FILE_VERSION,
      privateKey: generateKeyPair().privateKey,
      addresses: [...addresses],
      createdAt: this.#now().toISOString(),
      origin: 'generated',
    };
  }

  async #write(stored: StoredIdentity): Promise<void> {
    await writeFileAtomic(this.path, serializeIdentity(stored), 0o600, this.#faultHook);
    this.#stored = stored;
  }
}
