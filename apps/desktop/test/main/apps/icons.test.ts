// Icon lookup after the Icon Theme Specification: the theme and its parents, hicolor, sizes, SVG over
// PNG, pixmaps, absolute paths, and the data: URL the renderer gets.
import { describe, expect, it } from 'vitest';
import {
  iconBaseDirs,
  iconDataUrl,
  IconResolver,
  parseIndexTheme,
  resolveIcon,
  type IconFile,
} from '../../../src/main/apps/icons.js';
import type { AppFileSystem } from '../../../src/main/apps/file-system.js';
import { MemoryFileSystem } from './memory-fs.js';
import { gnomeEnvironment, gnomeSystem, HOME, pngBytes, svgText } from './system-fixture.js';

describe('icon lookup', () => {
  it('takes the hicolor PNG closest to 48 pixels, never a 2x one', async () => {
    expect(await resolveIcon('firefox-esr', gnomeEnvironment, gnomeSystem())).toEqual({
      path: '/usr/share/icons/hicolor/48x48/apps/firefox-esr.png',
      mime: 'image/png',
    });
    expect(await resolveIcon('firefox-esr', gnomeEnvironment, gnomeSystem(), { size: 16 })).toEqual({
      path: '/usr/share/icons/hicolor/16x16/apps/firefox-esr.png',
      mime: 'image/png',
    });
    expect(await resolveIcon('firefox-esr', gnomeEnvironment, gnomeSystem(), { size: 100 })).toEqual({
      path: '/usr/share/icons/hicolor/128x128/apps/firefox-esr.png',
      mime: 'image/png',
    });
  });

  it('prefers the scalable SVG over a PNG of the right size', async () => {
    expect(await resolveIcon('org.gnome.Nautilus', gnomeEnvironment, gnomeSystem())).toEqual({
      path: '/usr/share/icons/hicolor/scalable/apps/org.gnome.Nautilus.svg',
      mime: 'image/svg+xml',
    });
  });

  it("finds a flatpak's icon in its export tree, the closest size there", async () => {
    expect(await resolveIcon('org.mozilla.firefox', gnomeEnvironment, gnomeSystem())).toEqual({
      path: '/var/lib/flatpak/exports/share/icons/hicolor/64x64/apps/org.mozilla.firefox.png',
      mime: 'image/png',
    });
    expect(await resolveIcon('org.mozilla.firefox', gnomeEnvironment, gnomeSystem(), { size: 256 })).toEqual({
      path: '/var/lib/flatpak/exports/share/icons/hicolor/128x128/apps/org.mozilla.firefox.png',
      mime: 'image/png',
    });
  });

  it("searches the current theme's parents before hicolor", async () => {
    expect(
      await resolveIcon('org.gnome.Terminal', gnomeEnvironment, gnomeSystem(), { theme: 'Yaru-dark' }),
    ).toEqual({ path: '/usr/share/icons/Yaru/scalable/apps/org.gnome.Terminal.svg', mime: 'image/svg+xml' });
    // Without the theme, hicolor's PNG.
    expect(await resolveIcon('org.gnome.Terminal', gnomeEnvironment, gnomeSystem())).toEqual({
      path: '/usr/share/icons/hicolor/48x48/apps/org.gnome.Terminal.png',
      mime: 'image/png',
    });
    // A theme that is not installed is no theme: hicolor it is.
    expect(
      await resolveIcon('org.gnome.Terminal', gnomeEnvironment, gnomeSystem(), { theme: 'Papirus' }),
    ).toEqual({ path: '/usr/share/icons/hicolor/48x48/apps/org.gnome.Terminal.png', mime: 'image/png' });
  });

  it('takes an SVG over a PNG of the same size in a fixed-size directory', async () => {
    const fs = gnomeSystem()
      .file(
        '/usr/share/icons/Breeze/index.theme',
        '[Icon Theme]\nName=Breeze\nDirectories=apps/48\n\n[apps/48]\nSize=48\nType=Fixed\n',
      )
      .file('/usr/share/icons/Breeze/apps/48/kate.png', pngBytes('kate'))
      .file('/usr/share/icons/Breeze/apps/48/kate.svg', svgText('kate'));
    expect(await resolveIcon('kate', gnomeEnvironment, fs, { theme: 'Breeze' })).toEqual({
      path: '/usr/share/icons/Breeze/apps/48/kate.svg',
      mime: 'image/svg+xml',
    });
  });

  it("prefers the user's own icons over the system's", async () => {
    const fs = gnomeSystem().file(
      `${HOME}/.local/share/icons/hicolor/48x48/apps/firefox-esr.png`,
      pngBytes('user firefox-esr'),
    );
    expect((await resolveIcon('firefox-esr', gnomeEnvironment, fs))?.path).toBe(
      `${HOME}/.local/share/icons/hicolor/48x48/apps/firefox-esr.png`,
    );
  });

  it('ends an Inherits loop and still reaches hicolor', async () => {
    const fs = gnomeSystem()
      .file('/usr/share/icons/Ping/index.theme', '[Icon Theme]\nName=Ping\nInherits=Pong\nDirectories=\n')
      .file(
        '/usr/share/icons/Pong/index.theme',
        '[Icon Theme]\nName=Pong\nInherits=Ping,../../etc\nDirectories=\n',
      );
    expect((await resolveIcon('firefox-esr', gnomeEnvironment, fs, { theme: 'Ping' }))?.path).toBe(
      '/usr/share/icons/hicolor/48x48/apps/firefox-esr.png',
    );
    // Each theme read once, and no index.theme outside the icon directories.
    expect(fs.reads.filter((path) => path.endsWith('index.theme'))).toEqual([
      '/usr/share/icons/Ping/index.theme',
      '/usr/share/icons/Pong/index.theme',
      '/usr/share/icons/hicolor/index.theme',
    ]);
  });

  it('falls back to /usr/share/pixmaps, also for names written with an extension', async () => {
    const expected = { path: '/usr/share/pixmaps/my-app.png', mime: 'image/png' };
    expect(await resolveIcon('my-app', gnomeEnvironment, gnomeSystem())).toEqual(expected);
    expect(await resolveIcon('my-app.png', gnomeEnvironment, gnomeSystem())).toEqual(expected);
  });

  it('uses an absolute path as it is, when it is a PNG or SVG that exists', async () => {
    const fs = gnomeSystem();
    expect(await resolveIcon('/snap/chromium/2497/chromium.png', gnomeEnvironment, fs)).toEqual({
      path: '/snap/chromium/2497/chromium.png',
      mime: 'image/png',
    });
    expect(await resolveIcon('/snap/chromium/2497/missing.png', gnomeEnvironment, fs)).toBeUndefined();
    fs.file('/opt/app/icon.xpm', '/* XPM */');
    expect(await resolveIcon('/opt/app/icon.xpm', gnomeEnvironment, fs)).toBeUndefined();
  });

  it('finds nothing for unknown names and for relative paths', async () => {
    const fs = gnomeSystem();
    expect(await resolveIcon('no-such-icon', gnomeEnvironment, fs)).toBeUndefined();
    expect(await resolveIcon('pixmaps/my-app.png', gnomeEnvironment, fs)).toBeUndefined();
    expect(await resolveIcon('../pixmaps/my-app', gnomeEnvironment, fs)).toBeUndefined();
    expect(await resolveIcon('', gnomeEnvironment, fs)).toBeUndefined();
  });

  it("knows hicolor's layout when hicolor has no index.theme", async () => {
    const fs = new MemoryFileSystem()
      .file('/usr/share/icons/hicolor/32x32/apps/app.png', pngBytes('32'))
      .file('/usr/share/icons/hicolor/256x256/apps/app.png', pngBytes('256'));
    expect((await resolveIcon('app', { HOME }, fs))?.path).toBe(
      '/usr/share/icons/hicolor/32x32/apps/app.png',
    );
    fs.file('/usr/share/icons/hicolor/scalable/apps/app.svg', svgText('app'));
    expect((await resolveIcon('app', { HOME }, fs))?.path).toBe(
      '/usr/share/icons/hicolor/scalable/apps/app.svg',
    );
  });

  it('skips a listed name that is no file', async () => {
    const fs = gnomeSystem()
      .mkdir('/usr/share/icons/hicolor/scalable/apps/firefox-esr.svg')
      .symlink('/usr/share/icons/hicolor/64x64/apps/firefox-esr.png', '/nowhere.png');
    expect((await resolveIcon('firefox-esr', gnomeEnvironment, fs, { size: 64 }))?.path).toBe(
      '/usr/share/icons/hicolor/48x48/apps/firefox-esr.png',
    );
  });

  it('lists each directory once however many icons are looked up', async () => {
    const fs = gnomeSystem();
    let listings = 0;
    const counting: AppFileSystem = {
      readdir: (path) => {
        listings++;
        return fs.readdir(path);
      },
      readFile: (path) => fs.readFile(path),
      stat: (path) => fs.stat(path),
      access: (path, mode) => fs.access(path, mode),
    };
    const resolver = new IconResolver(gnomeEnvironment, counting);
    const names = [
      'firefox-esr',
      'org.gnome.Nautilus',
      'org.gnome.Terminal',
      'org.mozilla.firefox',
      'my-app',
      'x',
    ];
    for (const name of names) await resolver.resolve(name);
    const afterOne = listings;
    expect(afterOne).toBeGreaterThan(0);
    for (const name of names)
      expect(await resolver.resolve(name)).toEqual(await resolveIcon(name, gnomeEnvironment, fs));
    expect(listings).toBe(afterOne);
  });

  it('searches the spec base directories in order', () => {
    expect(iconBaseDirs({ HOME })).toEqual([
      `${HOME}/.local/share/icons`,
      `${HOME}/.icons`,
      '/usr/local/share/icons',
      '/usr/share/icons',
      `${HOME}/.local/share/flatpak/exports/share/icons`,
      '/var/lib/flatpak/exports/share/icons',
      '/var/lib/snapd/desktop/icons',
      '/usr/share/pixmaps',
    ]);
  });
});

describe('index.theme', () => {
  it('reads directories with their size rules and the parents', () => {
    const theme = parseIndexTheme(
      'Adwaita',
      [
        '[Icon Theme]',
        'Name=Adwaita',
        'Inherits=hicolor',
        'Directories=16x16/apps,16x16@2/apps,scalable/apps,missing/apps',
        '[16x16/apps]',
        'Size=16',
        'Type=Fixed',
        '[16x16@2/apps]',
        'Size=16',
        'Scale=2',
        '[scalable/apps]',
        'Size=64',
        'MinSize=16',
        'MaxSize=512',
        'Type=Scalable',
      ].join('\n'),
    );
    expect(theme).toEqual({
      name: 'Adwaita',
      parents: ['hicolor'],
      directories: [
        { path: '16x16/apps', type: 'Fixed', size: 16, minSize: 16, maxSize: 16, threshold: 2 },
        { path: 'scalable/apps', type: 'Scalable', size: 64, minSize: 16, maxSize: 512, threshold: 2 },
      ],
    });
    expect(parseIndexTheme('x', '[Desktop Entry]\nName=x\n')).toBeUndefined();
    expect(parseIndexTheme('x', 'garbage')).toBeUndefined();
  });
});

describe('icon data URLs', () => {
  it('encodes a PNG and an SVG', async () => {
    const fs = gnomeSystem();
    const png = await iconDataUrl(fs, { path: '/usr/share/pixmaps/my-app.png', mime: 'image/png' });
    expect(png?.startsWith('data:image/png;base64,')).toBe(true);
    expect(Buffer.from(png?.slice('data:image/png;base64,'.length) ?? '', 'base64')).toEqual(
      Buffer.from(pngBytes('my-app')),
    );
    const svg = await iconDataUrl(fs, {
      path: '/usr/share/icons/hicolor/scalable/apps/org.gnome.Nautilus.svg',
      mime: 'image/svg+xml',
    });
    expect(Buffer.from(svg?.slice('data:image/svg+xml;base64,'.length) ?? '', 'base64').toString()).toBe(
      svgText('nautilus'),
    );
  });

  it('refuses files over the cap, misnamed files and missing files', async () => {
    const fs = gnomeSystem().file('/usr/share/pixmaps/huge.png', new Uint8Array(600 * 1024).fill(1));
    const huge: IconFile = { path: '/usr/share/pixmaps/huge.png', mime: 'image/png' };
    expect(await iconDataUrl(fs, huge)).toBeUndefined();
    expect(fs.reads).not.toContain(huge.path);
    expect(
      await iconDataUrl(fs, {
        path: '/usr/share/icons/hicolor/48x48/apps/org.gnome.gedit.png',
        mime: 'image/png',
      }),
    ).toBeUndefined();
    expect(
      await iconDataUrl(fs, { path: '/usr/share/pixmaps/my-app.png', mime: 'image/svg+xml' }),
    ).toBeUndefined();
    expect(await iconDataUrl(fs, { path: '/nowhere.png', mime: 'image/png' })).toBeUndefined();
    expect(
      await iconDataUrl(fs, { path: '/usr/share/pixmaps/my-app.png', mime: 'image/png' }, 10),
    ).toBeUndefined();
  });
});
