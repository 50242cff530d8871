// The picker's one call: discovered apps with their icons as data: URLs; a missing, oversized or
// unreadable icon leaves the app without one and never fails the listing.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listInstalledApps, type InstalledApp } from '../../../src/main/apps/index.js';
import { gnomeEnvironment, gnomeSystem, pngBytes, svgText } from './system-fixture.js';

function iconOf(apps: readonly InstalledApp[], id: string): string | undefined {
  const app = apps.find((candidate) => candidate.id === id);
  if (!app) throw new Error(`no app ${id}`);
  return app.icon;
}

function dataUrl(mime: string, bytes: Uint8Array | string): string {
  return `data:${mime};base64,${Buffer.from(bytes).toString('base64')}`;
}

describe('listInstalledApps', () => {
  it('gives each app its icon as a data: URL', async () => {
    const { apps, skipped } = await listInstalledApps(gnomeEnvironment, gnomeSystem());
    expect(apps).toHaveLength(10);
    expect(skipped).toHaveLength(11);
    expect(iconOf(apps, 'org.mozilla.firefox.desktop')).toBe(dataUrl('image/png', pngBytes('firefox-64')));
    expect(iconOf(apps, 'chromium_chromium.desktop')).toBe(dataUrl('image/png', pngBytes('chromium')));
    expect(iconOf(apps, 'org.gnome.Nautilus.desktop')).toBe(dataUrl('image/svg+xml', svgText('nautilus')));
    expect(iconOf(apps, 'firefox-esr.desktop')).toBe(dataUrl('image/png', pngBytes('firefox-esr-48')));
    expect(iconOf(apps, 'my-app.desktop')).toBe(dataUrl('image/png', pngBytes('my-app')));
  });

  it('uses the icon theme and size it is given', async () => {
    const { apps } = await listInstalledApps(gnomeEnvironment, gnomeSystem(), {
      iconTheme: 'Yaru-dark',
      iconSize: 128,
    });
    expect(iconOf(apps, 'org.gnome.Terminal.desktop')).toBe(
      dataUrl('image/svg+xml', svgText('yaru terminal')),
    );
    expect(iconOf(apps, 'org.mozilla.firefox.desktop')).toBe(dataUrl('image/png', pngBytes('firefox-128')));
  });

  it('leaves the icon out when there is none, it is not what it claims, too big or unreadable', async () => {
    const fs = gnomeSystem();
    fs.failingReads.add('/usr/share/pixmaps/my-app.png');
    const { apps } = await listInstalledApps(gnomeEnvironment, fs, { maxIconBytes: 40 });
    // Kate's and Code's icons are not installed; gedit's "PNG" is an SVG.
    expect(iconOf(apps, 'kde4-kate.desktop')).toBeUndefined();
    expect(iconOf(apps, 'code.desktop')).toBeUndefined();
    expect(iconOf(apps, 'org.gnome.gedit.desktop')).toBeUndefined();
    expect(iconOf(apps, 'my-app.desktop')).toBeUndefined();
    // The SVG is over 40 bytes.
    expect(iconOf(apps, 'org.gnome.Nautilus.desktop')).toBeUndefined();
    expect(iconOf(apps, 'chromium_chromium.desktop')).toBe(dataUrl('image/png', pngBytes('chromium')));
    expect(apps).toHaveLength(10);
    expect(Object.keys(apps.find((app) => app.id === 'kde4-kate.desktop') ?? {})).not.toContain('icon');
  });

  it('reads the real file system by default', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sluice-list-'));
    try {
      mkdirSync(join(root, 'share/applications'), { recursive: true });
      mkdirSync(join(root, 'share/icons/hicolor/scalable/apps'), { recursive: true });
      writeFileSync(
        join(root, 'share/applications/org.example.Notes.desktop'),
        '[Desktop Entry]\nType=Application\nName=Notes\nName[de]=Notizen\nExec=notes %U\nIcon=org.example.Notes\n',
      );
      writeFileSync(join(root, 'share/icons/hicolor/scalable/apps/org.example.Notes.svg'), svgText('notes'));
      const env = {
        HOME: join(root, 'home'),
        XDG_DATA_DIRS: join(root, 'share'),
        LANG: 'de_DE.UTF-8',
        PATH: '',
      };
      const { apps } = await listInstalledApps(env);
      const notes = apps.find((app) => app.desktopFile.startsWith(root));
      expect(notes).toMatchObject({
        id: 'org.example.Notes.desktop',
        name: 'Notizen',
        executable: 'notes',
        source: 'system',
        icon: dataUrl('image/svg+xml', svgText('notes')),
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
