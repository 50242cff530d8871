// App discovery over a whole (in-memory) GNOME system: which entries a launcher lists, which it skips
// and why, precedence between directories, locales, limits; then once on the real file system.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDesktopEntry, type DesktopEntry } from '../../../src/main/apps/desktop-entry.js';
import {
  applicationsDirs,
  describeChosenProgram,
  discoverApps,
  programIndex,
  singleInstanceHint,
  type DiscoveredApp,
} from '../../../src/main/apps/discover.js';
import { nodeFileSystem } from '../../../src/main/apps/file-system.js';
import { MemoryFileSystem } from './memory-fs.js';
import { FLATPAK_FIREFOX_EXEC, gnomeEnvironment, gnomeSystem, HOME } from './system-fixture.js';

function appById(apps: readonly DiscoveredApp[], id: string): DiscoveredApp {
  const app = apps.find((candidate) => candidate.id === id);
  if (!app) throw new Error(`no app ${id} in ${apps.map((candidate) => candidate.id).join(', ')}`);
  return app;
}

function entry(text: string): DesktopEntry {
  const parsed = parseDesktopEntry(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

describe('discovering apps on a GNOME desktop', () => {
  it('lists what the launcher lists, sorted by German name regardless of case', async () => {
    const { apps } = await discoverApps(gnomeEnvironment, gnomeSystem());
    expect(apps.map((app) => app.name)).toEqual([
      'Chromium-Webbrowser',
      'Dateien',
      'Einstellungen',
      'Firefox',
      'Firefox ESR',
      'gedit',
      'Kate',
      'My App',
      'Terminal',
      'Visual Studio Code (Wayland)',
    ]);
  });

  it('describes a flatpak app by its export, with the flatpak binary as the executable', async () => {
    const { apps } = await discoverApps(gnomeEnvironment, gnomeSystem());
    expect(appById(apps, 'org.mozilla.firefox.desktop')).toEqual({
      id: 'org.mozilla.firefox.desktop',
      name: 'Firefox',
      genericName: 'Webbrowser',
      comment: 'Im Internet surfen',
      exec: [
        '/usr/bin/flatpak',
        'run',
        '--branch=stable',
        '--arch=x86_64',
        '--command=firefox',
        '--file-forwarding',
        'org.mozilla.firefox',
      ],
      executable: '/usr/bin/flatpak',
      source: 'flatpak',
      iconName: 'org.mozilla.firefox',
      desktopFile: '/var/lib/flatpak/exports/share/applications/org.mozilla.firefox.desktop',
      hint: 'single-instance',
    });
  });

  it('describes a snap app, looking past the env prefix for the program', async () => {
    const { apps } = await discoverApps(gnomeEnvironment, gnomeSystem());
    expect(appById(apps, 'chromium_chromium.desktop')).toEqual({
      id: 'chromium_chromium.desktop',
      name: 'Chromium-Webbrowser',
      genericName: 'Webbrowser',
      comment: 'Zugriff auf das Internet',
      exec: [
        'env',
        'BAMF_DESKTOP_FILE_HINT=/var/lib/snapd/desktop/applications/chromium_chromium.desktop',
        '/snap/bin/chromium',
      ],
      executable: '/snap/bin/chromium',
      source: 'snap',
      iconName: '/snap/chromium/2497/chromium.png',
      desktopFile: '/var/lib/snapd/desktop/applications/chromium_chromium.desktop',
      hint: 'single-instance',
    });
  });

  it('resolves bare program names on PATH and keeps unresolvable ones as written', async () => {
    const { apps } = await discoverApps(gnomeEnvironment, gnomeSystem());
    expect(appById(apps, 'org.gnome.gedit.desktop').executable).toBe('/usr/bin/gedit');
    expect(appById(apps, 'org.gnome.Terminal.desktop')).toMatchObject({
      executable: '/usr/bin/gnome-terminal',
      source: 'system',
      hint: 'single-instance',
    });
    expect(appById(apps, 'org.gnome.gedit.desktop').hint).toBeUndefined();
    // kate is not installed on this GNOME system; the entry still names it.
    expect(appById(apps, 'kde4-kate.desktop')).toMatchObject({
      name: 'Kate',
      exec: ['kate', '-b'],
      executable: 'kate',
      desktopFile: '/usr/share/applications/kde4/kate.desktop',
    });
  });

  it('undoes Exec quoting and escapes', async () => {
    const { apps } = await discoverApps(gnomeEnvironment, gnomeSystem());
    expect(appById(apps, 'my-app.desktop')).toEqual({
      id: 'my-app.desktop',
      name: 'My App',
      exec: ['/opt/My App/bin/app', '--flag', 'a "quoted" arg'],
      executable: '/opt/My App/bin/app',
      source: 'system',
      iconName: 'my-app',
      desktopFile: '/usr/local/share/applications/my-app.desktop',
    });
  });

  it('marks D-Bus activated apps single-instance', async () => {
    const { apps } = await discoverApps(gnomeEnvironment, gnomeSystem());
    expect(appById(apps, 'org.gnome.Nautilus.desktop')).toMatchObject({
      name: 'Dateien',
      comment: 'Dateien öffnen und ordnen',
      executable: '/usr/bin/nautilus',
      hint: 'single-instance',
    });
  });

  it("lets the user's entry win over the system one with the same ID", async () => {
    const { apps, skipped } = await discoverApps(gnomeEnvironment, gnomeSystem());
    expect(apps.filter((app) => app.id === 'code.desktop')).toEqual([
      {
        id: 'code.desktop',
        name: 'Visual Studio Code (Wayland)',
        genericName: 'Text Editor',
        comment: 'Code Editing. Redefined.',
        exec: ['/usr/share/code/code', '--ozone-platform=wayland'],
        executable: '/usr/share/code/code',
        source: 'user',
        iconName: 'vscode',
        desktopFile: `${HOME}/.local/share/applications/code.desktop`,
      },
    ]);
    // The shadowed system file is not "skipped": it was never a candidate.
    expect(skipped.map((entry) => entry.desktopFile)).not.toContain('/usr/share/applications/code.desktop');
  });

  it('says why every other entry is left out', async () => {
    const { skipped } = await discoverApps(gnomeEnvironment, gnomeSystem());
    const apps = '/usr/share/applications';
    expect([...skipped].sort((a, b) => a.desktopFile.localeCompare(b.desktopFile))).toEqual([
      {
        desktopFile: `${HOME}/.local/share/applications/org.gnome.Totem.desktop`,
        kind: 'not-shown',
        reason: 'Hidden=true',
      },
      { desktopFile: `${apps}/actions-only.desktop`, kind: 'invalid', reason: 'no [Desktop Entry] group' },
      {
        desktopFile: `${apps}/blueman-manager.desktop`,
        kind: 'not-shown',
        reason: 'NotShowIn=GNOME names GNOME',
      },
      {
        desktopFile: `${apps}/broken.desktop`,
        kind: 'invalid',
        reason: 'line 1: key before the first group',
      },
      {
        desktopFile: `${apps}/debian-reference-link.desktop`,
        kind: 'not-shown',
        reason: 'Type=Link, not Application',
      },
      { desktopFile: `${apps}/garbage.desktop`, kind: 'invalid', reason: 'not UTF-8 text' },
      {
        desktopFile: `${apps}/gimp.desktop`,
        kind: 'not-shown',
        reason: 'TryExec=gimp-2.10 is not an installed program',
      },
      { desktopFile: `${apps}/htop.desktop`, kind: 'not-shown', reason: 'Terminal=true' },
      {
        desktopFile: `${apps}/org.gnome.Evince-previewer.desktop`,
        kind: 'not-shown',
        reason: 'NoDisplay=true',
      },
      {
        desktopFile: `${apps}/org.inkscape.Inkscape.desktop`,
        kind: 'not-shown',
        reason: 'TryExec=/usr/bin/inkscape is not an installed program',
      },
      {
        desktopFile: `${apps}/systemsettings.desktop`,
        kind: 'not-shown',
        reason: 'OnlyShowIn=KDE excludes ubuntu:GNOME',
      },
    ]);
  });

  it('shows OnlyShowIn entries only on the desktops they name', async () => {
    const onKde = await discoverApps({ ...gnomeEnvironment, XDG_CURRENT_DESKTOP: 'KDE' }, gnomeSystem());
    const kdeIds = onKde.apps.map((app) => app.id);
    expect(kdeIds).toContain('systemsettings.desktop');
    expect(kdeIds).toContain('blueman-manager.desktop');
    expect(kdeIds).not.toContain('org.gnome.Settings.desktop');

    const nowhere = await discoverApps(
      { ...gnomeEnvironment, XDG_CURRENT_DESKTOP: undefined },
      gnomeSystem(),
    );
    const ids = nowhere.apps.map((app) => app.id);
    expect(ids).not.toContain('systemsettings.desktop');
    expect(ids).not.toContain('org.gnome.Settings.desktop');
    expect(ids).toContain('blueman-manager.desktop');
  });

  it('localizes for LC_ALL, then LC_MESSAGES, then LANG', async () => {
    const filesName = async (env: typeof gnomeEnvironment): Promise<string> =>
      appById((await discoverApps(env, gnomeSystem())).apps, 'org.gnome.Nautilus.desktop').name;
    expect(await filesName({ ...gnomeEnvironment, LANG: 'pt_BR.UTF-8' })).toBe('Arquivos');
    expect(await filesName({ ...gnomeEnvironment, LANG: 'pt_PT.UTF-8' })).toBe('Ficheiros');
    expect(await filesName({ ...gnomeEnvironment, LANG: 'en_US.UTF-8', LC_MESSAGES: 'de_AT.UTF-8' })).toBe(
      'Dateien',
    );
    expect(await filesName({ ...gnomeEnvironment, LC_MESSAGES: 'de_DE.UTF-8', LC_ALL: 'C.UTF-8' })).toBe(
      'Files',
    );
    const firefox = appById(
      (await discoverApps({ ...gnomeEnvironment, LANG: 'pt_BR.UTF-8' }, gnomeSystem())).apps,
      'org.mozilla.firefox.desktop',
    );
    expect(firefox.genericName).toBe('Navegador web');
    expect(firefox.comment).toBe('Browse the Web');
  });

  it('sorts locale-aware and case-insensitively', async () => {
    const fs = new MemoryFileSystem();
    for (const name of ['Zeichnen', 'Ärzte-App', 'apfel', 'Banane']) {
      fs.file(
        `/usr/share/applications/${name}.desktop`,
        `[Desktop Entry]\nType=Application\nName=${name}\nExec=x\n`,
      );
    }
    const { apps } = await discoverApps({ HOME, LANG: 'de_DE.UTF-8' }, fs);
    expect(apps.map((app) => app.name)).toEqual(['apfel', 'Ärzte-App', 'Banane', 'Zeichnen']);
  });

  it('takes /usr/local over /usr, and a lower copy when the higher one is broken', async () => {
    const fs = gnomeSystem()
      .file(
        '/usr/local/share/applications/firefox-esr.desktop',
        '[Desktop Entry]\nType=Application\nName=Local ESR\nExec=/usr/lib/firefox-esr/firefox-esr\n',
      )
      .file(`${HOME}/.local/share/applications/org.gnome.gedit.desktop`, Uint8Array.from([0xff, 0xfe, 0x00]));
    const { apps, skipped } = await discoverApps(gnomeEnvironment, fs);
    expect(appById(apps, 'firefox-esr.desktop').name).toBe('Local ESR');
    expect(appById(apps, 'org.gnome.gedit.desktop').desktopFile).toBe(
      '/usr/share/applications/org.gnome.gedit.desktop',
    );
    expect(skipped).toContainEqual({
      desktopFile: `${HOME}/.local/share/applications/org.gnome.gedit.desktop`,
      kind: 'invalid',
      reason: 'not UTF-8 text',
    });
  });

  it('walks each directory once, even through a symlink loop', async () => {
    const fs = gnomeSystem()
      .symlink('/usr/share/applications/loop', '/usr/share/applications')
      .symlink('/usr/local/share/applications', '/usr/share/applications');
    const { apps } = await discoverApps(gnomeEnvironment, fs);
    const ids = apps.map((app) => app.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('org.gnome.Nautilus.desktop');
    expect(ids.some((id) => id.startsWith('loop-'))).toBe(false);
  });

  it('skips, without reading, a file over the size bound, and uses the next copy', async () => {
    const big = `[Desktop Entry]\nType=Application\nName=Huge\nExec=huge\n${'# padding\n'.repeat(30_000)}`;
    const userCopy = `${HOME}/.local/share/applications/firefox-esr.desktop`;
    const fs = gnomeSystem().file(userCopy, big);
    const { apps, skipped } = await discoverApps(gnomeEnvironment, fs);
    expect(skipped).toContainEqual({
      desktopFile: userCopy,
      kind: 'over-limit',
      reason: 'larger than 262144 bytes',
    });
    expect(fs.reads).not.toContain(userCopy);
    expect(appById(apps, 'firefox-esr.desktop').name).toBe('Firefox ESR');

    const small = await discoverApps(gnomeEnvironment, gnomeSystem(), { maxFileBytes: 400 });
    expect(small.apps.map((app) => app.id)).not.toContain('org.mozilla.firefox.desktop');
    expect(small.skipped).toContainEqual({
      desktopFile: '/var/lib/flatpak/exports/share/applications/org.mozilla.firefox.desktop',
      kind: 'over-limit',
      reason: 'larger than 400 bytes',
    });
  });

  it('stops at the entry bound and says so', async () => {
    const fs = new MemoryFileSystem();
    for (let index = 0; index < 20; index++) {
      fs.file(
        `/usr/share/applications/app${String(index).padStart(2, '0')}.desktop`,
        `[Desktop Entry]\nType=Application\nName=App ${index}\nExec=app\n`,
      );
    }
    const { apps, skipped } = await discoverApps({ HOME }, fs, { maxEntries: 5 });
    expect(apps).toHaveLength(5);
    expect(fs.reads).toHaveLength(5);
    expect(skipped).toEqual([
      {
        desktopFile: '/usr/share/applications/app05.desktop',
        kind: 'over-limit',
        reason: 'more than 5 desktop files; this one and the rest were not read',
      },
    ]);
  });

  it('finds nothing, without failing, when no directory exists', async () => {
    expect(await discoverApps({}, new MemoryFileSystem())).toEqual({ apps: [], skipped: [] });
  });
});

describe('applications directories', () => {
  it('defaults to ~/.local/share, /usr/local/share and /usr/share, then flatpak and snap', () => {
    expect(applicationsDirs({ HOME })).toEqual([
      { path: `${HOME}/.local/share/applications`, source: 'user' },
      { path: '/usr/local/share/applications', source: 'system' },
      { path: '/usr/share/applications', source: 'system' },
      { path: `${HOME}/.local/share/flatpak/exports/share/applications`, source: 'flatpak' },
      { path: '/var/lib/flatpak/exports/share/applications', source: 'flatpak' },
      { path: '/var/lib/snapd/desktop/applications', source: 'snap' },
    ]);
  });

  it("follows the session's XDG_DATA_DIRS order, ignoring relative and repeated directories", () => {
    const env = {
      HOME,
      XDG_DATA_HOME: '/data/ada',
      XDG_DATA_DIRS: `/data/ada/flatpak/exports/share:/var/lib/flatpak/exports/share/:relative/share::/usr/share:/usr/share:/var/lib/snapd/desktop`,
    };
    expect(applicationsDirs(env)).toEqual([
      { path: '/data/ada/applications', source: 'user' },
      { path: '/data/ada/flatpak/exports/share/applications', source: 'flatpak' },
      { path: '/var/lib/flatpak/exports/share/applications', source: 'flatpak' },
      { path: '/usr/share/applications', source: 'system' },
      { path: '/var/lib/snapd/desktop/applications', source: 'snap' },
    ]);
  });

  it('ignores a relative XDG_DATA_HOME and works without a HOME', () => {
    expect(applicationsDirs({ HOME, XDG_DATA_HOME: 'share', XDG_DATA_DIRS: 'only/relative' })[0]).toEqual({
      path: `${HOME}/.local/share/applications`,
      source: 'user',
    });
    expect(applicationsDirs({}).map((dir) => dir.path)).toEqual([
      '/usr/local/share/applications',
      '/usr/share/applications',
      '/var/lib/flatpak/exports/share/applications',
      '/var/lib/snapd/desktop/applications',
    ]);
  });
});

describe('the single-instance hint', () => {
  const plain = entry('[Desktop Entry]\nType=Application\nName=x\nExec=x\n');

  it('knows browsers and gnome-terminal by program name, wherever they are installed', () => {
    expect(singleInstanceHint(plain, ['/usr/bin/google-chrome-stable'])).toBe('single-instance');
    expect(singleInstanceHint(plain, ['brave-browser', '--incognito'])).toBe('single-instance');
    expect(singleInstanceHint(plain, ['/usr/lib/firefox/firefox'])).toBe('single-instance');
    expect(singleInstanceHint(plain, ['env', 'MOZ_ENABLE_WAYLAND=1', 'firefox'])).toBe('single-instance');
    expect(singleInstanceHint(plain, ['gnome-terminal', '--window'])).toBe('single-instance');
    expect(singleInstanceHint(plain, ['/usr/bin/snap', 'run', 'firefox'])).toBe('single-instance');
    expect(singleInstanceHint(plain, ['gedit'])).toBeUndefined();
    expect(singleInstanceHint(plain, ['/usr/bin/flatpak', 'run', 'org.gnome.gedit'])).toBeUndefined();
  });

  it('knows flatpak browsers by app ID, from X-Flatpak or the run line', () => {
    expect(
      singleInstanceHint(plain, ['/usr/bin/flatpak', 'run', '--branch=stable', 'com.google.Chrome']),
    ).toBe('single-instance');
    const withKey = entry('[Desktop Entry]\nX-Flatpak=com.brave.Browser\n');
    expect(
      singleInstanceHint(withKey, ['/usr/bin/flatpak', 'run', '--command=brave', 'com.brave.Browser']),
    ).toBe('single-instance');
    const flatpakFirefox = FLATPAK_FIREFOX_EXEC.split(' ').filter((word) => !/^(%u|@@u?)$/.test(word));
    expect(singleInstanceHint(plain, flatpakFirefox)).toBe('single-instance');
  });

  it('marks kitty only when it runs as a single instance', () => {
    expect(singleInstanceHint(plain, ['kitty'])).toBeUndefined();
    expect(singleInstanceHint(plain, ['kitty', '--single-instance'])).toBe('single-instance');
    expect(singleInstanceHint(plain, ['kitty', '-1'])).toBe('single-instance');
  });

  it('finds the program after env assignments but not after env options', () => {
    expect(programIndex(['env', 'A=1', 'B_2=x', 'app', 'C=3'])).toBe(3);
    expect(programIndex(['/usr/bin/env', '-u', 'DISPLAY', 'app'])).toBe(0);
    expect(programIndex(['env'])).toBe(0);
    expect(programIndex(['app', 'A=1'])).toBe(0);
  });
});

describe('on the real file system', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sluice-apps-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  function write(path: string, text: string, mode = 0o644): void {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
    chmodSync(join(root, path), mode);
  }

  it('reads entries, follows symlinks, checks the execute bit and survives a loop', async () => {
    write('bin/editor', '#!/bin/sh\n', 0o755);
    write('bin/not-executable', '#!/bin/sh\n', 0o644);
    write(
      'share/applications/editor.desktop',
      '[Desktop Entry]\nType=Application\nName=Editor\nExec=editor %F\n',
    );
    write(
      'share/applications/vendor/tool.desktop',
      '[Desktop Entry]\nType=Application\nName=Tool\nExec=tool\nTryExec=not-executable\n',
    );
    write('elsewhere/linked.desktop', '[Desktop Entry]\nType=Application\nName=Linked\nExec=linked\n');
    symlinkSync(join(root, 'elsewhere/linked.desktop'), join(root, 'share/applications/linked.desktop'));
    symlinkSync(join(root, 'share/applications'), join(root, 'share/applications/vendor/loop'));
    symlinkSync(join(root, 'missing.desktop'), join(root, 'share/applications/dangling.desktop'));

    const env = { HOME: join(root, 'home'), XDG_DATA_DIRS: join(root, 'share'), PATH: join(root, 'bin') };
    const { apps, skipped } = await discoverApps(env, nodeFileSystem);
    const mine = apps.filter((app) => app.desktopFile.startsWith(root));
    expect(mine.map((app) => [app.id, app.executable])).toEqual([
      ['editor.desktop', join(root, 'bin/editor')],
      ['linked.desktop', 'linked'],
    ]);
    expect(skipped.filter((entry) => entry.desktopFile.startsWith(root))).toEqual([
      {
        desktopFile: join(root, 'share/applications/dangling.desktop'),
        kind: 'invalid',
        reason: 'not a readable file (a dangling link?)',
      },
      {
        desktopFile: join(root, 'share/applications/vendor/tool.desktop'),
        kind: 'not-shown',
        reason: 'TryExec=not-executable is not an installed program',
      },
    ]);
  });
});

describe('a program chosen with Browse', () => {
  it('reads a .desktop file as a launcher would, even one the desktop hides', async () => {
    const fs = gnomeSystem().file(
      '/home/user/Downloads/tool.desktop',
      '[Desktop Entry]\nType=Application\nName=Tool\nExec=gedit --new-window %F\nOnlyShowIn=KDE;\n',
    );
    const app = await describeChosenProgram(gnomeEnvironment, fs, '/home/user/Downloads/tool.desktop');
    expect(app).toMatchObject({
      id: 'tool.desktop',
      name: 'Tool',
      exec: ['gedit', '--new-window'],
      executable: '/usr/bin/gedit',
    });
  });

  it('takes an executable file as a program run without arguments', async () => {
    const app = await describeChosenProgram(gnomeEnvironment, gnomeSystem(), '/usr/bin/nautilus');
    expect(app).toMatchObject({
      id: 'program:/usr/bin/nautilus',
      name: 'nautilus',
      exec: ['/usr/bin/nautilus'],
    });
  });

  it('says why a file is neither', async () => {
    await expect(describeChosenProgram(gnomeEnvironment, gnomeSystem(), '/usr/bin/inkscape')).rejects.toThrow(
      '/usr/bin/inkscape is not a program you may run; choose an executable file or a .desktop file',
    );
    const fs = gnomeSystem().file(
      '/tmp/link.desktop',
      '[Desktop Entry]\nType=Link\nName=Site\nURL=https://example.org\n',
    );
    await expect(describeChosenProgram(gnomeEnvironment, fs, '/tmp/link.desktop')).rejects.toThrow(
      '/tmp/link.desktop starts no program: Type=Link, not Application',
    );
  });
});
