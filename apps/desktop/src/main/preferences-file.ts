// The app's preferences other than launch on login, in a small JSON file in the app's config folder
// (~/.config/Sluice/preferences.json). A missing or damaged file gives the defaults; writes are atomic.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { defaultPreferences, TRAY_STYLES } from '../shared/settings.js';
import type { PreferenceStore, StoredPreferences } from './backend.js';

const fileSchema = z.object({
  notifications: z.boolean().catch(defaultPreferences.notifications),
  trayStyle: z.enum(TRAY_STYLES).catch(defaultPreferences.trayStyle),
});

const MAX_FILE_BYTES = 64 * 1024;

export function readPreferencesFile(path: string): StoredPreferences {
  try {
    const text = readFileSync(path, 'utf8');
    if (text.length > MAX_FILE_BYTES) return fileSchema.parse({});
    return fileSchema.parse(JSON.parse(text));
  } catch {
    return fileSchema.parse({});
  }
}

export class PreferencesFile implements PreferenceStore {
  private current: StoredPreferences;

  constructor(private readonly path: string) {
    this.current = readPreferencesFile(path);
  }

  get(): StoredPreferences {
    return this.current;
  }

  set(preferences: StoredPreferences): Promise<void> {
    const next = fileSchema.parse(preferences);
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.path);
    this.current = next;
    return Promise.resolve();
  }
}
