// The app's preferences file: defaults when missing or damaged, each bad field replaced by its default,
// written atomically and read back by a new instance.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PreferencesFile, readPreferencesFile } from '../../src/main/preferences-file.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-prefs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the preferences file', () => {
  it('gives the defaults when the file is missing, not JSON, or has bad fields', () => {
    const path = join(dir, 'preferences.json');
    expect(readPreferencesFile(path)).toEqual({ notifications: true, trayStyle: 'colour' });
    writeFileSync(path, '{ not json');
    expect(readPreferencesFile(path)).toEqual({ notifications: true, trayStyle: 'colour' });
    writeFileSync(path, JSON.stringify({ notifications: false, trayStyle: 'neon' }));
    expect(readPreferencesFile(path)).toEqual({ notifications: false, trayStyle: 'colour' });
  });

  it('writes atomically into a folder it makes, and a new instance reads it back', async () => {
    const path = join(dir, 'config', 'Sluice', 'preferences.json');
    await new PreferencesFile(path).set({ notifications: false, trayStyle: 'monochrome' });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ notifications: false, trayStyle: 'monochrome' });
    expect(new PreferencesFile(path).get()).toEqual({ notifications: false, trayStyle: 'monochrome' });
  });
});
