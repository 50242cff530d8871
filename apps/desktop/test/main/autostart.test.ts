// Launch on login: the autostart entry's content and Exec line, and writing and removing it in a
// temporary HOME; the login-items variant for macOS and Windows.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  autostartCommand,
  autostartEnabled,
  autostartEntry,
  autostartPath,
  HIDDEN_FLAG,
  LoginItemAutostart,
  quoteExecArgument,
  XdgAutostart,
  type LoginItems,
} from '../../src/main/autostart.js';

function entryKeys(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

describe('autostart command', () => {
  it('starts the AppImage file itself when running from one', () => {
    const command = autostartCommand({
      appImage: '/home/ada/Apps/Sluice-0.1.0.AppImage',
      execPath: '/tmp/.mount_SluiceXYZ/sluice',
      isPackaged: true,
      appPath: '/tmp/.mount_SluiceXYZ/resources/app.asar',
    });
    expect(command).toEqual(['/home/ada/Apps/Sluice-0.1.0.AppImage', HIDDEN_FLAG]);
  });

  it('starts the installed executable otherwise', () => {
    const command = autostartCommand({
      appImage: undefined,
      execPath: '/opt/Sluice/sluice',
      isPackaged: true,
      appPath: '/opt/Sluice/resources/app.asar',
    });
    expect(command).toEqual(['/opt/Sluice/sluice', HIDDEN_FLAG]);
  });

  it('passes the app folder to a development Electron', () => {
    const command = autostartCommand({
      appImage: '',
      execPath: '/repo/electron',
      isPackaged: false,
      appPath: '/repo/apps/desktop',
    });
    expect(command).toEqual(['/repo/electron', '/repo/apps/desktop', HIDDEN_FLAG]);
  });
});

describe('Exec quoting', () => {
  it('leaves plain arguments alone', () => {
    expect(quoteExecArgument('/opt/Sluice/sluice')).toBe('/opt/Sluice/sluice');
    expect(quoteExecArgument('--hidden')).toBe('--hidden');
  });

  it('quotes arguments with spaces and reserved characters', () => {
    expect(quoteExecArgument('/home/ada/My Apps/Sluice.AppImage')).toBe(
      '"/home/ada/My Apps/Sluice.AppImage"',
    );
    expect(quoteExecArgument("/home/o'brien/a&b")).toBe('"/home/o\'brien/a&b"');
    expect(quoteExecArgument('')).toBe('""');
  });

  it('escapes quote, backtick and dollar inside quotes, and writes backslashes as the spec asks', () => {
    // Inside quotes \" \` \$ \\ ; the string-value escape then doubles every backslash.
    expect(quoteExecArgument('/a "b"')).toBe('"/a \\\\"b\\\\""');
    expect(quoteExecArgument('/a$b')).toBe('"/a\\\\$b"');
    expect(quoteExecArgument('/a`b')).toBe('"/a\\\\`b"');
    expect(quoteExecArgument('/a\\b')).toBe('"/a\\\\\\\\b"');
  });

  it('doubles a literal percent sign so it is not a field code', () => {
    expect(quoteExecArgument('/opt/100%/sluice')).toBe('/opt/100%%/sluice');
  });

  it('refuses a line break, which no Exec line can carry', () => {
    expect(() => quoteExecArgument('/a\nb')).toThrow(/line break/);
  });
});

describe('autostart entry', () => {
  const entry = autostartEntry(['/home/ada/My Apps/Sluice.AppImage', HIDDEN_FLAG]);

  it('is an enabled, visible application entry that starts the app in the tray', () => {
    expect(entry.startsWith('[Desktop Entry]\n')).toBe(true);
    const keys = entryKeys(entry);
    expect(keys).toMatchObject({
      Type: 'Application',
      Name: 'Sluice',
      Exec: '"/home/ada/My Apps/Sluice.AppImage" --hidden',
      'X-GNOME-Autostart-enabled': 'true',
      Hidden: 'false',
      Terminal: 'false',
      Icon: 'sluice',
    });
    expect(autostartEnabled(entry)).toBe(true);
  });

  const validator = spawnSync('desktop-file-validate', ['--help'], { encoding: 'utf8' });
  it.skipIf(validator.error !== undefined)(
    'passes desktop-file-validate, odd characters in the path and all',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'sluice-entry-'));
      try {
        const file = join(dir, 'sluice.desktop');
        writeFileSync(file, autostartEntry(['/home/ada/My "Apps"/$HOME/100%/Sluice.AppImage', HIDDEN_FLAG]));
        const run = spawnSync('desktop-file-validate', [file], { encoding: 'utf8' });
        expect(run.status, run.stdout + run.stderr).toBe(0);
        expect(run.stdout + run.stderr).toBe('');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('is read as disabled when a desktop switched it off', () => {
    expect(autostartEnabled(entry.replace('Hidden=false', 'Hidden=true'))).toBe(false);
    expect(
      autostartEnabled(entry.replace('X-GNOME-Autostart-enabled=true', 'X-GNOME-Autostart-enabled=false')),
    ).toBe(false);
  });

  it('lives in ~/.config/autostart unless XDG_CONFIG_HOME says otherwise', () => {
    expect(autostartPath({ HOME: '/home/ada' }, '/ignored')).toBe(
      '/home/ada/.config/autostart/sluice.desktop',
    );
    expect(autostartPath({ HOME: '/home/ada', XDG_CONFIG_HOME: '/cfg' }, '/ignored')).toBe(
      '/cfg/autostart/sluice.desktop',
    );
    // A relative XDG_CONFIG_HOME is invalid and ignored, as the base-directory spec says.
    expect(autostartPath({ HOME: '/home/ada', XDG_CONFIG_HOME: 'cfg' }, '/ignored')).toBe(
      '/home/ada/.config/autostart/sluice.desktop',
    );
    expect(autostartPath({}, '/home/os')).toBe('/home/os/.config/autostart/sluice.desktop');
  });
});

describe('XdgAutostart in a temporary HOME', () => {
  let home: string;
  let file: string;
  const content = autostartEntry(['/opt/Sluice/sluice', HIDDEN_FLAG]);

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'sluice-home-'));
    file = autostartPath({ HOME: home }, home);
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('writes the entry (creating ~/.config/autostart) and removes it again', async () => {
    const autostart = new XdgAutostart(file, content);
    expect(autostart.get()).toBe(false);
    await autostart.set(true);
    expect(readFileSync(file, 'utf8')).toBe(content);
    expect(statSync(file).mode & 0o777).toBe(0o644);
    expect(autostart.get()).toBe(true);
    await autostart.set(false);
    expect(existsSync(file)).toBe(false);
    expect(autostart.get()).toBe(false);
    // Removing twice is fine.
    await autostart.set(false);
  });

  it('leaves no temporary file behind', async () => {
    await new XdgAutostart(file, content).set(true);
    expect(existsSync(`${file}.${process.pid}.tmp`)).toBe(false);
  });

  it('reads an entry a desktop disabled as off', () => {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content.replace('Hidden=false', 'Hidden=true'));
    expect(new XdgAutostart(file, content).get()).toBe(false);
  });

  it('refreshes an enabled entry whose command went stale, and nothing else', async () => {
    const old = new XdgAutostart(file, autostartEntry(['/old/place/Sluice.AppImage', HIDDEN_FLAG]));
    await old.set(true);
    const current = new XdgAutostart(file, content);
    expect(current.refresh()).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(content);
    expect(current.refresh()).toBe(false);

    await current.set(false);
    expect(current.refresh()).toBe(false);
    expect(existsSync(file)).toBe(false);
  });
});

describe('LoginItemAutostart (macOS, Windows)', () => {
  it('sets and reads the OS login item, starting hidden', async () => {
    let settings = { openAtLogin: false, args: [] as string[] };
    const items: LoginItems = {
      getLoginItemSettings: () => settings,
      setLoginItemSettings: (next) => {
        settings = { openAtLogin: next.openAtLogin, args: next.args ?? [] };
      },
    };
    const autostart = new LoginItemAutostart(items);
    expect(autostart.get()).toBe(false);
    await autostart.set(true);
    expect(settings).toEqual({ openAtLogin: true, args: [HIDDEN_FLAG] });
    expect(autostart.get()).toBe(true);
    await autostart.set(false);
    expect(autostart.get()).toBe(false);
  });
});
