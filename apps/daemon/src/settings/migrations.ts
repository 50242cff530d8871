// Versioned settings file: { "version": N, "settings": {...} }. A migration turns version N's raw
// settings object into version N+1's; each one is pure and never sees a file.
export const CURRENT_SETTINGS_VERSION = 1;

export type RawSettings = Record<string, unknown>;
export type Migration = (settings: RawSettings) => RawSettings;

/** migrations[n] upgrades version n to n + 1. Empty while the schema is at version 1. */
export const MIGRATIONS: Readonly<Record<number, Migration>> = {};

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

export function migrate(
  version: number,
  settings: RawSettings,
  current = CURRENT_SETTINGS_VERSION,
  migrations: Readonly<Record<number, Migration>> = MIGRATIONS,
): RawSettings {
  if (!Number.isInteger(version) || version < 1)
    throw new MigrationError(`version ${String(version)} is not a settings version`);
  if (version > current) {
    throw new MigrationError(
      `the file is version ${version}, newer than this helper understands (${current}); it was written by a newer Sluice`,
    );
  }
  let out = settings;
  for (let v = version; v < current; v++) {
    const step = migrations[v];
    if (!step) throw new MigrationError(`no migration from settings version ${v} to ${v + 1}`);
    out = step(out);
  }
  return out;
}
