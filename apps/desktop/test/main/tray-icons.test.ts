// Tray icon choice per state and theme, and the committed icons: real PNGs of the named size, and the
// same pixels assets/icons/generate.mjs draws today.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  TRAY_ICON_SIZES,
  TRAY_ICON_STATES,
  TRAY_THEMES,
  trayIconFileName,
  trayIconScales,
  trayTheme,
} from '../../src/main/tray-icons.js';
import { coverage, decodePng } from './png.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');
const iconsDir = join(repoRoot, 'assets', 'icons');

describe('tray icon choice', () => {
  it('names one file per state, theme and size', () => {
    expect(trayIconFileName('connected', 'dark', 22)).toBe('connected-dark-22.png');
  });

  it('puts light ink on GNOME Shell, whose top bar is always dark', () => {
    expect(trayTheme({ platform: 'linux', prefersDark: false, currentDesktop: 'ubuntu:GNOME' })).toBe('dark');
    expect(trayTheme({ platform: 'linux', prefersDark: false, currentDesktop: 'GNOME' })).toBe('dark');
  });

  it('follows the desktop theme elsewhere', () => {
    expect(trayTheme({ platform: 'linux', prefersDark: false, currentDesktop: 'KDE' })).toBe('light');
    expect(trayTheme({ platform: 'linux', prefersDark: true, currentDesktop: 'KDE' })).toBe('dark');
    expect(trayTheme({ platform: 'linux', prefersDark: false, currentDesktop: undefined })).toBe('light');
    expect(trayTheme({ platform: 'win32', prefersDark: true, currentDesktop: 'GNOME' })).toBe('dark');
  });

  it('uses 22 px icons on Linux panels and 16 px elsewhere, with HiDPI sizes that exist', () => {
    expect(trayIconScales('linux')[0]).toEqual({ scaleFactor: 1, size: 22 });
    expect(trayIconScales('win32')[0]).toEqual({ scaleFactor: 1, size: 16 });
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      for (const { size } of trayIconScales(platform)) expect(TRAY_ICON_SIZES).toContain(size);
    }
  });
});

describe('committed icons', () => {
  const trayFiles = TRAY_ICON_STATES.flatMap((state) =>
    TRAY_THEMES.flatMap((theme) =>
      (['colour', 'monochrome'] as const).flatMap((style) =>
        TRAY_ICON_SIZES.map((size) => ({ name: trayIconFileName(state, theme, size, style), size })),
      ),
    ),
  );

  it.each(trayFiles)('tray/$name is a real $size px image with a visible shape', ({ name, size }) => {
    const png = decodePng(readFileSync(join(iconsDir, 'tray', name)));
    expect([png.width, png.height]).toEqual([size, size]);
    const { visible, transparent } = coverage(png);
    // Something to see, and a transparent surround so the panel shows through.
    expect(visible).toBeGreaterThan(size * size * 0.15);
    expect(transparent).toBeGreaterThan(size * size * 0.1);
  });

  it('has differently drawn icons for each state', () => {
    const pictures = TRAY_ICON_STATES.map((state) =>
      Buffer.from(
        decodePng(readFileSync(join(iconsDir, 'tray', trayIconFileName(state, 'dark', 22)))).pixels,
      ).toString('hex'),
    );
    expect(new Set(pictures).size).toBe(TRAY_ICON_STATES.length);
  });

  it.each([16, 32, 48, 64, 128, 256, 512])('app/%ix%i.png is a real image of that size', (size) => {
    const png = decodePng(readFileSync(join(iconsDir, 'app', `${size}x${size}.png`)));
    expect([png.width, png.height]).toEqual([size, size]);
    expect(coverage(png).visible).toBeGreaterThan(size * size * 0.5);
  });

  describe('match what generate.mjs draws', () => {
    const outDir = mkdtempSync(join(tmpdir(), 'sluice-icons-'));
    afterAll(() => rmSync(outDir, { recursive: true, force: true }));

    it('pixel for pixel', () => {
      const run = spawnSync(process.execPath, [join(iconsDir, 'generate.mjs'), outDir], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      for (const folder of ['tray', 'app']) {
        const names = readdirSync(join(outDir, folder)).sort();
        expect(
          readdirSync(join(iconsDir, folder))
            .filter((n) => n.endsWith('.png'))
            .sort(),
        ).toEqual(names);
        for (const name of names) {
          const fresh = decodePng(readFileSync(join(outDir, folder, name)));
          const committed = decodePng(readFileSync(join(iconsDir, folder, name)));
          expect(Buffer.from(committed.pixels).equals(Buffer.from(fresh.pixels)), `${folder}/${name}`).toBe(
            true,
          );
        }
      }
    });
  });
});
