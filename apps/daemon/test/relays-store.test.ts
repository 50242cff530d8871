// relays.json: round trips, mode 0600, a failed save leaves the old list, an unreadable file is kept
// aside and reported, and temp files of a dead writer are removed.
import { readFileSync } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { emptyRelayList, type RelayList } from '@sluice/api/domain';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importRelayFiles } from '../src/relays/import.js';
import { RelayListStore } from '../src/relays/store.js';
import { makeTempDir } from './support.js';

const FIXTURE = resolve(import.meta.dirname, '../../../../shared/fixtures/mullvad-relays-api.json');
const key = (seed: number): string => Buffer.alloc(32, seed).toString('base64');

const mullvadList: RelayList = importRelayFiles(
  [{ name: 'relays.json', content: readFileSync(FIXTURE, 'utf8') }],
  { existing: emptyRelayList(), replace: false, now: new Date('2025-01-01T00:00:00Z') },
).list;

let temp: Awaited<ReturnType<typeof makeTempDir>>;
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.cleanup();
});

describe('relay list store', () => {
  it('starts empty when there is no file, creating the state directory', async () => {
    const store = new RelayListStore(join(temp.dir, 'state'));
    expect(await store.load()).toEqual({ list: emptyRelayList(), presharedKeys: {} });
    expect((await stat(join(temp.dir, 'state'))).isDirectory()).toBe(true);
  });

  it('round-trips the list and pre-shared keys, mode 0600', async () => {
    const store = new RelayListStore(temp.dir);
    const presharedKeys = { 'se-got-wg-001': key(7) };
    await store.save(mullvadList, presharedKeys);
    expect(await new RelayListStore(temp.dir).load()).toEqual({ list: mullvadList, presharedKeys });
    expect((await stat(store.path)).mode & 0o777).toBe(0o600);
    expect(await readdir(temp.dir)).toEqual(['relays.json']);
  });

  it('writes Sluice relay-list JSON that imports again as it is', async () => {
    const store = new RelayListStore(temp.dir);
    await store.save(mullvadList);
    const text = await readFile(store.path, 'utf8');
    expect(JSON.parse(text)).not.toHaveProperty('presharedKeys');
    const again = importRelayFiles([{ name: 'relays.json', content: text }], {
      existing: emptyRelayList(),
      replace: true,
      now: new Date(mullvadList.updatedAt ?? 0),
    });
    expect(again.list).toEqual(mullvadList);
  });

  it('a save that fails before its rename leaves the old list', async () => {
    await new RelayListStore(temp.dir).save(mullvadList);
    const failing = new RelayListStore(temp.dir, (point) => {
      if (point === 'after-temp-written') throw new Error('power cut');
    });
    await expect(failing.save(emptyRelayList())).rejects.toThrow('power cut');
    expect((await new RelayListStore(temp.dir).load()).list).toEqual(mullvadList);
  });

  it('removes the temp files of a writer that died, keeping the list', async () => {
    const store = new RelayListStore(temp.dir);
    await store.save(mullvadList);
    await writeFile(join(temp.dir, 'relays.json.tmp-999-1'), '{"half": ');
    const loaded = await store.load();
    expect(loaded.recovered).toBeUndefined();
    expect(loaded.list).toEqual(mullvadList);
    expect(await readdir(temp.dir)).toEqual(['relays.json']);
  });

  it.each([
    ['not JSON', '{"countries": [', /^relays\.json: not valid JSON: unexpected end of JSON input$/],
    ['not an object', '[]', /not a JSON object/],
    [
      'a bad key',
      JSON.stringify({
        countries: [
          {
            code: 'se',
            cities: [
              { code: 'got', relays: [{ hostname: 'a', ipv4AddrIn: '198.51.100.1', publicKey: 'x' }] },
            ],
          },
        ],
      }),
      /^relays\.json, countries\[0\]\.cities\[0\]\.relays\[0\]\.publicKey: "x" is not a WireGuard key/,
    ],
    ['a schema error', '{"version": 2}', /^relays\.json, version: /],
  ])('%s: moved aside untouched, an empty list used, the reason given', async (_name, content, reason) => {
    const store = new RelayListStore(temp.dir);
    await writeFile(store.path, content);
    const loaded = await store.load();
    expect(loaded.list).toEqual(emptyRelayList());
    expect(loaded.recovered?.reason).toMatch(reason);
    const movedTo = loaded.recovered?.movedTo ?? '';
    expect(movedTo).toMatch(/relays\.json\.corrupt-/);
    expect(await readFile(movedTo, 'utf8')).toBe(content);
    // The next save makes a new relays.json; the kept copy is never overwritten.
    await store.save(mullvadList);
    expect(await readFile(movedTo, 'utf8')).toBe(content);
    expect((await store.load()).recovered).toBeUndefined();
  });
});
