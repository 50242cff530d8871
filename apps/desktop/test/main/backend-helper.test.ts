// The backend against a real helper (system calls recorded, not run): every setting of the settings list
// is written through setSetting and read back from what the helper stores; the helper's refusals come
// back in its words; an import through the (scripted) file dialog reaches the relay list, and a broken
// file names itself; the problem report is copied with keys and addresses taken out.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordingRunner, resolveConfig, startDaemon, type RunningDaemon } from '@sluice/daemon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DesktopBackend, memoryPreferences } from '../../src/main/backend.js';
import {
  readSetting,
  SETTING_KEYS,
  sameSetting,
  settingPatch,
  type SettingKey,
  type SettingValues,
} from '../../src/shared/settings.js';

let dir: string;
let daemon: RunningDaemon;
let backend: DesktopBackend;
let copied = '';
let nextFiles: string[] = [];
let launchOnLogin = false;

const key = (): string => randomBytes(32).toString('base64');
const PRIVATE_KEY = key();

async function until(check: () => boolean, what: string, deadlineMs = 10_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-backend-'));
  const socketPath = join(dir, 'daemon.sock');
  const env = { SLUICE_DNS_BACKEND: 'static', SLUICE_RESOLV_CONF: join(dir, 'resolv.conf') };
  daemon = await startDaemon(resolveConfig({ socket: socketPath, stateDir: join(dir, 'state') }, env), {
    groupFile: join(dir, 'no-group-file'),
    runner: new RecordingRunner(),
    firewall: null,
    mountinfo: () => Promise.resolve(''),
  });
  backend = new DesktopBackend({
    socketPath,
    launchOnLogin: {
      get: () => launchOnLogin,
      set: (enabled) => {
        launchOnLogin = enabled;
        return Promise.resolve();
      },
    },
    preferences: memoryPreferences(),
    trayAvailable: true,
    dialogs: {
      chooseProgram: () => Promise.resolve(undefined),
      chooseImportFiles: () => Promise.resolve(nextFiles.splice(0)),
    },
    clipboard: { writeText: (text) => (copied = text) },
    about: { appVersion: '0.1.0-test', appPlatform: 'linux test', home: dir },
  });
  backend.start();
  await until(
    () => backend.state.settings !== undefined && backend.state.helper.kind === 'connected',
    'the helper',
  );
});

afterAll(async () => {
  backend.stop();
  await daemon.stop();
  await rm(dir, { recursive: true, force: true });
});

/** A value other than the default for every setting: a setting added to the list without one is a type error. */
const SAMPLES: { [K in SettingKey]: SettingValues[K] } = {
  lockdownMode: true,
  allowLan: true,
  autoConnect: true,
  launchOnLogin: true,
  enableIpv6: false,
  dns: { mode: 'custom', customServers: ['9.9.9.9', '2620:fe::fe'] },
  mtu: 1380,
  wireguardPort: 53,
  bypassRanges: ['100.64.0.0/10', '192.0.2.0/24'],
  notifications: false,
  trayStyle: 'monochrome',
  location: {},
  relayFilters: { providers: [], ownership: 'owned' },
};

function stored<K extends SettingKey>(settingKey: K): SettingValues[K] | undefined {
  return readSetting(backend.state, settingKey);
}

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- K pairs the key with its own value type inside
async function writeAndCheck<K extends SettingKey>(settingKey: K): Promise<void> {
  const value = SAMPLES[settingKey];
  await backend.handle('setSetting', settingPatch(settingKey, value));
  // The setter's answer is applied at once: no wait for the event.
  const now = stored(settingKey);
  expect(now, settingKey).toBeDefined();
  if (now !== undefined)
    expect(sameSetting(settingKey, now, value), `${settingKey}: ${JSON.stringify(now)}`).toBe(true);
}

describe('the backend against a real helper', () => {
  it.each(SETTING_KEYS)(
    'writes %s and reads back what the helper (or the app) stored',
    async (settingKey) => {
      await writeAndCheck(settingKey);
    },
  );

  it("refuses, in the helper's words, what only the helper can judge", async () => {
    await expect(
      backend.handle('setSetting', { dns: { mode: 'custom', customServers: ['127.0.0.1'] } }),
    ).rejects.toThrow(/127\.0\.0\.1.*loopback/);
    await expect(backend.handle('setSetting', { bypassRanges: ['0.0.0.0/0'] })).rejects.toThrow(
      /every address/,
    );
    await expect(
      backend.handle('setSetting', { dns: { mode: 'custom', customServers: [] } }),
    ).rejects.toThrow(/at least one server/);
    // The schema refuses what is out of range before the helper is asked.
    await expect(backend.handle('setSetting', { mtu: 9000 })).rejects.toThrow(/^setSetting: mtu: /);
    await expect(backend.handle('setSetting', { mtu: 1380, allowLan: true })).rejects.toThrow(
      /one at a time/,
    );
    await expect(backend.handle('setSetting', { colour: 'red' })).rejects.toThrow(/unknown setting/);
  });

  it('imports the files the dialog chose, and names the file and line of a broken one', async () => {
    const conf = join(dir, 'ch-zrh-wg-001.conf');
    await writeFile(
      conf,
      `[Interface]\nPrivateKey = ${PRIVATE_KEY}\nAddress = 10.66.0.2/32\n\n[Peer]\nPublicKey = ${key()}\nAllowedIPs = 0.0.0.0/0\nEndpoint = 198.51.100.20:51820\n`,
    );
    nextFiles = [conf];
    const summary = await backend.handle('importFiles', {});
    expect(summary).toMatchObject({
      files: ['ch-zrh-wg-001.conf'],
      relaysImported: 1,
      identityImported: true,
    });
    const hostnames = backend.state.relayList?.countries.flatMap((c) =>
      c.cities.flatMap((city) => city.relays.map((r) => r.hostname)),
    );
    expect(hostnames).toContain('ch-zrh-wg-001');

    const broken = join(dir, 'broken.conf');
    await writeFile(broken, '[Interface]\nPrivateKey = not-a-key\n[Peer]\nPublicKey = also-not\n');
    nextFiles = [broken];
    await expect(backend.handle('importFiles', {})).rejects.toThrow(/broken\.conf/);
    nextFiles = [];
    await expect(backend.handle('importFiles', {})).resolves.toBeNull();
    nextFiles = [join(dir, 'missing.conf')];
    await expect(backend.handle('importFiles', {})).rejects.toThrow(/missing\.conf: cannot be read/);
  });

  it('answers for the log and copies a problem report without keys or addresses', async () => {
    // This helper logs nowhere (the e2e suite reads a real helper's log); the call still answers.
    await expect(backend.handle('getLogs', { maxLines: 50 })).resolves.toEqual([]);
    const answer = await backend.handle('copyProblemReport', {});
    // What is copied is what the window is given to show.
    expect(answer).toEqual({ text: copied });
    const text = copied;
    expect(text).toMatch(/^# Sluice problem report/);
    expect(text).toMatch(/app: 0\.1\.0-test on linux test/);
    expect(text).toMatch(/DNS: custom \(2 server\(s\)\)/);
    expect(text).not.toContain(PRIVATE_KEY);
    expect(text).not.toContain('9.9.9.9');
    expect(text).not.toContain('198.51.100.20');
    expect(text).not.toContain(dir);
  });
});
