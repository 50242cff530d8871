// The settings file on disk. Writes are atomic (temp file, fsync, rename, fsync of the directory), so a
// crash leaves the old file or the new one, never a torn one. A file that cannot be read is moved aside
// (settings.json.corrupt-<timestamp>) and never overwritten.
import { join } from 'node:path';
import { defaultSettings, settingsSchema, type SluiceSettings } from '@sluice/api/domain';
import { checkSettings } from './changes.js';
import { loadFile, writeFileAtomic, type FaultHook } from '../util/atomic-file.js';
import { CURRENT_SETTINGS_VERSION, migrate, type RawSettings } from './migrations.js';

export type { FaultHook } from '../util/atomic-file.js';

export const SETTINGS_FILE = 'settings.json';

export interface LoadResult {
  settings: SluiceSettings;
  /** Set when the file existed but could not be used: where it was moved and why. */
  recovered?: { movedTo: string; reason: string };
}

export class SettingsStore {
  readonly path: string;

  constructor(
    readonly dir: string,
    private readonly faultHook?: FaultHook,
  ) {
    this.path = join(dir, SETTINGS_FILE);
  }

  async load(): Promise<LoadResult> {
    const loaded = await loadFile(this.path, parseSettingsFile);
    if (loaded.kind === 'loaded') return { settings: loaded.value };
    if (loaded.kind === 'missing') return { settings: defaultSettings() };
    return { settings: defaultSettings(), recovered: { movedTo: loaded.movedTo, reason: loaded.reason } };
  }

  async save(settings: SluiceSettings): Promise<void> {
    const text = `${JSON.stringify({ version: CURRENT_SETTINGS_VERSION, settings }, null, 2)}\n`;
    await writeFileAtomic(this.path, text, 0o600, this.faultHook);
  }
}

/** Parse, migrate and validate a settings file's text; throws with a reason on any problem. */
export function parseSettingsFile(text: string): SluiceSettings {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('not a JSON object');
  const { version, settings } = raw as { version?: unknown; settings?: unknown };
  if (typeof version !== 'number') throw new Error('has no numeric "version"');
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings))
    throw new Error('has no "settings" object');
  const migrated = migrate(version, settings as RawSettings);
  const parsed = settingsSchema.safeParse(migrated);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`settings.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  return checkSettings(parsed.data);
}
