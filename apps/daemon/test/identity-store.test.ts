// The identity file: generated on first start, 0600 and atomic, a corrupt file kept aside and replaced,
// rotation keeping addresses, address rules, import, and the private key never reachable by accident.
import { mkdir, readdir, readFile, stat, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ValidationError } from '@sluice/api/domain';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPair, publicKeyFromPrivate } from '../src/identity/keys.js';
import { IDENTITY_FILE, IdentityStore } from '../src/identity/store.js';
import { makeTempDir } from './support.js';

let temp: Awaited<ReturnType<typeof makeTempDir>>;
let stateDir: string;
beforeEach(async () => {
  temp = await makeTempDir();
  stateDir = join(temp.dir, 'state');
});
afterEach(async () => {
  await temp.cleanup();
});

const fixedNow = (): Date => new Date('2026-01-02T03:04:05.000Z');

async function readStored(): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(stateDir, IDENTITY_FILE), 'utf8')) as Record<string, unknown>;
}

describe('IdentityStore', () => {
  it('generates an identity on first start, mode 0600 in a 0700 directory', async () => {
    const store = new IdentityStore(stateDir, { now: fixedNow });
    const result = await store.load();
    expect(result.created).toBe(true);
    expect(result.recovered).toBeUndefined();
    expect(result.identity).toEqual({
      publicKey: publicKeyFromPrivate(store.privateKeyForDevice()),
      addresses: [],
      createdAt: '2026-01-02T03:04:05.000Z',
      origin: 'generated',
    });
    expect((await stat(store.path)).mode & 0o777).toBe(0o600);
    expect((await stat(stateDir)).mode & 0o777).toBe(0o700);
    expect(await readStored()).toEqual({
      version: 1,
      privateKey: store.privateKeyForDevice(),
      addresses: [],
      createdAt: '2026-01-02T03:04:05.000Z',
      origin: 'generated',
    });
    expect((await readdir(stateDir)).sort()).toEqual([IDENTITY_FILE]);
  });

  it('reads the same identity back on the next start', async () => {
    const first = new IdentityStore(stateDir);
    await first.load();
    await first.setAddresses(['10.64.0.2/32', 'fc00:bbbb::2/128']);
    const second = new IdentityStore(stateDir);
    const result = await second.load();
    expect(result.created).toBe(false);
    expect(result.identity).toEqual(first.current());
    expect(second.privateKeyForDevice()).toBe(first.privateKeyForDevice());
  });

  it('tightens a loosened file mode on load', async () => {
    await new IdentityStore(stateDir).load();
    await chmod(join(stateDir, IDENTITY_FILE), 0o644);
    await new IdentityStore(stateDir).load();
    expect((await stat(join(stateDir, IDENTITY_FILE))).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['not JSON', '{"version": 1, "privateKey": ', /not valid JSON/],
    ['a wrong version', JSON.stringify({ version: 7 }), /unsupported version 7/],
    [
      'a bad key',
      JSON.stringify({
        version: 1,
        privateKey: 'secret-ish',
        addresses: [],
        createdAt: '2026-01-01T00:00:00Z',
        origin: 'generated',
      }),
      /privateKey/,
    ],
    [
      'bad addresses',
      JSON.stringify({
        version: 1,
        privateKey: generateKeyPair().privateKey,
        addresses: ['10.0.0.1/40'],
        createdAt: '2026-01-01T00:00:00Z',
        origin: 'generated',
      }),
      /prefix length/,
    ],
  ])('keeps a file with %s aside, makes a new key and reports it', async (_what, content, reason) => {
    await mkdir(stateDir, { recursive: true });
    await writeFile(join(stateDir, IDENTITY_FILE), content);
    const store = new IdentityStore(stateDir);
    const result = await store.load();
    expect(result.recovered?.reason).toMatch(reason);
    expect(result.recovered?.reason).not.toContain('secret-ish');
    expect(result.identity.origin).toBe('generated');
    const movedTo = result.recovered?.movedTo ?? '';
    expect(movedTo).toMatch(/identity\.json\.corrupt-/);
    expect(await readFile(movedTo, 'utf8')).toBe(content);
    expect((await stat(movedTo)).mode & 0o777).toBe(0o600);
    expect((await readStored()).privateKey).toBe(store.privateKeyForDevice());
  });

  it('rotates to a new key and keeps the addresses', async () => {
    let clock = new Date('2026-01-01T00:00:00.000Z');
    const store = new IdentityStore(stateDir, { now: () => clock });
    await store.load();
    await store.setAddresses(['10.64.0.2/32']);
    const before = store.current();
    const oldKey = store.privateKeyForDevice();
    clock = new Date('2026-02-01T00:00:00.000Z');
    const after = await store.rotate();
    expect(after.publicKey).not.toBe(before.publicKey);
    expect(store.privateKeyForDevice()).not.toBe(oldKey);
    expect(after).toEqual({ ...before, publicKey: after.publicKey, createdAt: '2026-02-01T00:00:00.000Z' });
    expect((await readStored()).privateKey).toBe(store.privateKeyForDevice());
  });

  it('validates addresses and leaves the file alone when they are refused', async () => {
    const store = new IdentityStore(stateDir);
    await store.load();
    await store.setAddresses(['10.64.0.2']);
    const before = await readFile(store.path, 'utf8');
    await expect(store.setAddresses(['10.64.0.2/32', '10.64.0.3/32'])).rejects.toThrow(ValidationError);
    await expect(store.setAddresses(['not-an-ip'])).rejects.toThrow(/addresses\[0\]/);
    expect(await readFile(store.path, 'utf8')).toBe(before);
    expect(store.current().addresses).toEqual(['10.64.0.2/32']);
  });

  it('imports an identity from a wg-quick [Interface] with origin "imported"', async () => {
    const store = new IdentityStore(stateDir, { now: fixedNow });
    await store.load();
    const imported = generateKeyPair();
    const identity = await store.importIdentity({
      privateKey: imported.privateKey,
      addresses: ['fc00:bbbb::7/128', '10.66.0.7/32'],
    });
    expect(identity).toEqual({
      publicKey: imported.publicKey,
      addresses: ['10.66.0.7/32', 'fc00:bbbb::7/128'],
      createdAt: '2026-01-02T03:04:05.000Z',
      origin: 'imported',
    });
    expect(store.privateKeyForDevice()).toBe(imported.privateKey);
    const reloaded = new IdentityStore(stateDir);
    expect((await reloaded.load()).identity).toEqual(identity);
    await expect(store.importIdentity({ privateKey: 'garbage', addresses: [] })).rejects.toThrow(
      /PrivateKey/,
    );
    expect(store.privateKeyForDevice()).toBe(imported.privateKey);
  });

  it('never exposes the private key through JSON, inspection or the public identity', async () => {
    const store = new IdentityStore(stateDir);
    const result = await store.load();
    const secret = store.privateKeyForDevice();
    expect(JSON.stringify(store)).not.toContain(secret);
    expect(inspect(store, { depth: 10, showHidden: true })).not.toContain(secret);
    expect(JSON.stringify(result)).not.toContain(secret);
    expect(JSON.stringify(store.current())).not.toContain(secret);
  });

  it('refuses to hand out anything before load()', () => {
    const store = new IdentityStore(stateDir);
    expect(() => store.current()).toThrow(/not been loaded/);
    expect(() => store.privateKeyForDevice()).toThrow(/not been loaded/);
  });
});
