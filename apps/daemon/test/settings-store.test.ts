// The settings file: atomic saves proven by killing a real process mid-save, and unreadable files kept
// aside and reported.
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { defaultSettings } from '@sluice/api/domain';
import { pb, type HelperClient } from '@sluice/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CURRENT_SETTINGS_VERSION, migrate, MigrationError } from '../src/settings/migrations.js';
import { SettingsStore } from '../src/settings/store.js';
import { makeTempDir, startTestDaemon } from './support.js';

const storeModule = resolve(import.meta.dirname, '../dist/settings/store.js');

let temp: Awaited<ReturnType<typeof makeTempDir>>;
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.cleanup();
});

/**
 * Run a real save of `{lockdownMode: true, allowLan: true}` in a child process that stops at `point`
 * (or, with 'loop', saves alternating values forever), then SIGKILL it.
 */
async function killDuringSave(
  dir: string,
  point: 'after-temp-written' | 'after-rename' | 'loop',
  afterLines = 1,
): Promise<void> {
  const script = `
    import { SettingsStore } from ${JSON.stringify(storeModule)};
    const [dir, point] = process.argv.slice(1);
    setInterval(() => {}, 60_000);
    const hook = async (p) => {
      if (p === point) { process.stdout.write('at ' + p + '\\n'); await new Promise(() => {}); }
    };
    const store = new SettingsStore(dir, hook);
    const base = { ...(await store.load()).settings };
    if (point === 'loop') {
      for (let i = 0; ; i++) {
        await store.save({ ...base, lockdownMode: i % 2 === 0, allowLan: i % 2 === 0, bypassRanges: Array.from({ length: 50 }, (_, k) => '10.' + k + '.0.0/16') });
        process.stdout.write('saved ' + i + '\\n');
      }
    }
    await store.save({ ...base, lockdownMode: true, allowLan: true });
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, dir, point], {
    cwd: resolve(import.meta.dirname, '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolvePromise, reject) => {
    let lines = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      lines += chunk.toString().split('\n').filter(Boolean).length;
      if (lines >= afterLines) resolvePromise();
    });
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before reaching ${point}`)));
  });
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

describe('atomic saves', () => {
  it('a crash after the temp file is written but before the rename leaves the old settings', async () => {
    const store = new SettingsStore(temp.dir);
    await store.save({ ...defaultSettings(), autoConnect: true });
    await killDuringSave(temp.dir, 'after-temp-written');
    expect((await readdir(temp.dir)).some((name) => name.startsWith('settings.json.tmp-'))).toBe(true);

    const loaded = await store.load();
    expect(loaded.recovered).toBeUndefined();
    expect(loaded.settings).toMatchObject({ autoConnect: true, lockdownMode: false, allowLan: false });
    // The half-finished save is cleaned up on the next start.
    expect(await readdir(temp.dir)).toEqual(['settings.json']);
  });

  it('a crash right after the rename leaves the new settings', async () => {
    const store = new SettingsStore(temp.dir);
    await store.save({ ...defaultSettings(), autoConnect: true });
    await killDuringSave(temp.dir, 'after-rename');
    const loaded = await store.load();
    expect(loaded.recovered).toBeUndefined();
    expect(loaded.settings).toMatchObject({ autoConnect: true, lockdownMode: true, allowLan: true });
  });

  it('killing a process that saves in a loop never leaves a torn file', async () => {
    for (let round = 0; round < 5; round++) {
      await killDuringSave(temp.dir, 'loop', 3 + round * 7);
      const loaded = await new SettingsStore(temp.dir).load();
      expect(loaded.recovered).toBeUndefined();
      // Whichever save won, the file is one whole save: both flags agree and the list is complete.
      expect(loaded.settings.lockdownMode).toBe(loaded.settings.allowLan);
      expect(loaded.settings.bypassRanges).toHaveLength(50);
    }
  });

  it('writes the file mode 0600 with the schema version', async () => {
    await new SettingsStore(temp.dir).save(defaultSettings());
    const text = await readFile(join(temp.dir, 'settings.json'), 'utf8');
    expect(JSON.parse(text)).toMatchObject({ version: CURRENT_SETTINGS_VERSION });
    expect((await stat(join(temp.dir, 'settings.json'))).mode & 0o777).toBe(0o600);
  });
});

describe('unreadable settings files', () => {
  const bad: [string, string, RegExp][] = [
    ['not JSON', '{"version": 1, "settings": {"lockdownMode": tru', /not valid JSON/],
    ['not an object', '[1, 2, 3]', /not a JSON object/],
    ['no version', '{"settings": {}}', /no numeric "version"/],
    ['from a newer Sluice', '{"version": 99, "settings": {}}', /newer than this helper understands/],
    [
      'a value out of range',
      '{"version": 1, "settings": {"tunnel": {"mtu": 9000}}}',
      /settings\.tunnel\.mtu/,
    ],
    ['a wrong type', '{"version": 1, "settings": {"allowLan": "yes"}}', /settings\.allowLan/],
    [
      'a bypass range that is not a CIDR',
      '{"version": 1, "settings": {"bypassRanges": ["lan"]}}',
      /ranges\[0\]/,
    ],
  ];

  it.each(bad)(
    '%s: moved aside untouched, defaults used, reported in log and snapshot',
    async (_name, content, reason) => {
      const stateDir = join(temp.dir, 'state');
      await mkdir(stateDir, { recursive: true });
      await writeFile(join(stateDir, 'settings.json'), content);

      const helper = await startTestDaemon(temp.dir);
      try {
        const aside = (await readdir(stateDir)).filter((name) => name.startsWith('settings.json.corrupt-'));
        expect(aside).toHaveLength(1);
        const asidePath = join(stateDir, aside[0] ?? '');
        expect(await readFile(asidePath, 'utf8')).toBe(content);

        const logged = helper.logs.find((record) => record.movedTo === asidePath);
        expect(logged?.reason).toMatch(reason);

        const snapshot = await firstEvent(helper.client);
        expect(snapshot?.notices).toEqual([
          expect.objectContaining({ kind: pb.Notice_Kind.KIND_SETTINGS_RECOVERED, detail: asidePath }),
        ]);
        expect(snapshot?.settings?.lockdownMode).toBe(false);

        // New settings go to a new settings.json; the kept copy is never overwritten.
        await helper.client.settings.setAllowLan({ allow: true });
        expect(await readFile(asidePath, 'utf8')).toBe(content);
        expect(JSON.parse(await readFile(join(stateDir, 'settings.json'), 'utf8'))).toMatchObject({
          settings: { allowLan: true },
        });
      } finally {
        await helper.stop();
      }
    },
  );

  it('a second corrupt file gets its own name and the first is kept', async () => {
    const stateDir = join(temp.dir, 'state');
    for (let i = 0; i < 2; i++) {
      await new SettingsStore(stateDir).load();
      await writeFile(join(stateDir, 'settings.json'), `garbage ${i}`);
      await new SettingsStore(stateDir).load();
    }
    const aside = (await readdir(stateDir)).filter((name) => name.startsWith('settings.json.corrupt-'));
    expect(aside).toHaveLength(2);
    const contents = await Promise.all(aside.map((name) => readFile(join(stateDir, name), 'utf8')));
    expect(contents.sort()).toEqual(['garbage 0', 'garbage 1']);
  });

  it('missing fields get defaults and unknown fields are dropped', async () => {
    await writeFile(
      join(temp.dir, 'settings.json'),
      '{"version": 1, "settings": {"allowLan": true, "futureThing": 1}}',
    );
    const loaded = await new SettingsStore(temp.dir).load();
    expect(loaded.recovered).toBeUndefined();
    expect(loaded.settings).toEqual({ ...defaultSettings(), allowLan: true });
  });
});

describe('migrations', () => {
  it('applies each step from the file version up to the current one', () => {
    const steps = {
      1: (s: Record<string, unknown>) => ({
        ...s,
        customDns: undefined,
        dns: { mode: 'custom', customServers: [s.customDns] },
      }),
      2: (s: Record<string, unknown>) => ({ ...s, allowLan: s.localSharing, localSharing: undefined }),
    };
    expect(migrate(1, { customDns: '9.9.9.9', localSharing: true }, 3, steps)).toEqual({
      customDns: undefined,
      localSharing: undefined,
      dns: { mode: 'custom', customServers: ['9.9.9.9'] },
      allowLan: true,
    });
    expect(migrate(3, { allowLan: false }, 3, steps)).toEqual({ allowLan: false });
  });

  it('refuses files it cannot upgrade', () => {
    expect(() => migrate(4, {}, 3, {})).toThrow(MigrationError);
    expect(() => migrate(1, {}, 3, { 1: (s) => s })).toThrow(/no migration from settings version 2 to 3/);
    expect(() => migrate(0, {}, 3, {})).toThrow(/not a settings version/);
  });
});

async function firstEvent(client: HelperClient): Promise<pb.Snapshot | undefined> {
  return new Promise((resolvePromise, reject) => {
    const sub = client.listenEvents(
      (event) => {
        sub.cancel();
        resolvePromise(event.event?.$case === 'snapshot' ? event.event.value : undefined);
      },
      (error) => {
        if (error) reject(error);
      },
    );
  });
}
