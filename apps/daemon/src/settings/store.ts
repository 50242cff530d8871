// The settings file on disk. Writes are atomic (temp file, fsync, rename, fsync of the directory), so a
// crash leaves the old file or the new one, never a torn one. A file that cannot be read is moved aside
// (settings.json.corrupt-<timestamp>) and never overwritten.
import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultSettings, settingsSchema, type SluiceSettings } from '@sluice/api/domain';
import { checkSettings } from './changes.js';
import { CURRENT_SETTINGS_VERSION, migrate, type RawSettings } from './migrations.js';

export const SETTINGS_FILE = 'settings.json';
const TEMP_PREFIX = `${SETTINGS_FILE}.tmp-`;

export interface LoadResult {
  settings: SluiceSettings;
  /** Set when the file existed but could not be used: where it was moved and why. */
  recovered?: { movedTo: string; reason: string };
}

/** Test seam: called at named points of a save so a test can crash the process there. */
export type FaultHook = (point: 'after-temp-written' | 'after-rename') => void | Promise<void>;

export class SettingsStore {
  readonly path: string;

  constructor(
    readonly dir: string,
    private readonly faultHook?: FaultHook,
  ) {
    this.path = join(dir, SETTINGS_FILE);
  }

  async load(): Promise<LoadResult> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await this.removeStaleTempFiles();
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { settings: defaultSettings() };
      throw error;
    }
    try {
      return { settings: parseSettingsFile(text) };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const movedTo = await this.moveAside();
      return { settings: defaultSettings(), recovered: { movedTo, reason } };
    }
  }

  async save(settings: SluiceSettings): Promise<void> {
    const text = `${JSON.stringify({ version: CURRENT_SETTINGS_VERSION, settings }, null, 2)}\n`;
    const temp = join(this.dir, `${TEMP_PREFIX}${process.pid}-${Date.now()}`);
    const file = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      await file.writeFile(text, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    try {
      await this.faultHook?.('after-temp-written');
      await rename(temp, this.path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    await this.syncDir();
    await this.faultHook?.('after-rename');
  }

  private async syncDir(): Promise<void> {
    const dir = await open(this.dir, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  /** Rename the unusable file to a name that does not exist yet; returns the new path. */
  private async moveAside(): Promise<string> {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    for (let n = 0; ; n++) {
      const target = `${this.path}.corrupt-${stamp}${n === 0 ? '' : `-${n}`}`;
      const taken = await readFile(target).then(
        () => true,
        () => false,
      );
      if (taken) continue;
      await rename(this.path, target);
      await this.syncDir();
      return target;
    }
  }

  /** Temp files are only ever half-finished saves of a helper that died before its rename. */
  private async removeStaleTempFiles(): Promise<void> {
    for (const name of await readdir(this.dir)) {
      if (name.startsWith(TEMP_PREFIX)) await rm(join(this.dir, name), { force: true });
    }
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
