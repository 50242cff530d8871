// Installed applications for the split-tunnelling app-exclusion picker: discovery plus icons as data:
// URLs the renderer can show without file access. A missing or unreadable icon is no error, just none.
import {
  describeChosenProgram,
  discoverApps,
  type DiscoveredApp,
  type DiscoveryOptions,
  type SkippedEntry,
} from './discover.js';
import { mapConcurrently, nodeFileSystem, type AppFileSystem } from './file-system.js';
import { iconDataUrl, IconResolver, MAX_ICON_BYTES } from './icons.js';
import type { AppEnvironment } from './xdg.js';

export type { AppEnvironment } from './xdg.js';
export type { AppFileSystem, FileStat } from './file-system.js';
export { nodeFileSystem } from './file-system.js';
export type { AppSource, DiscoveredApp, Discovery, DiscoveryOptions, SkippedEntry } from './discover.js';
export type { IconFile, IconMime, IconOptions } from './icons.js';

export interface InstalledApp extends DiscoveredApp {
  /** The icon as a data: URL (image/svg+xml or image/png); undefined when none was found. */
  icon?: string;
}

export interface InstalledApps {
  apps: InstalledApp[];
  skipped: SkippedEntry[];
}

export interface ListOptions extends DiscoveryOptions {
  /** The desktop's icon theme; hicolor when unknown. */
  iconTheme?: string;
  /** The wanted icon size in pixels (default 48). */
  iconSize?: number;
  /** Bigger icon files are left out (default 512 KiB). */
  maxIconBytes?: number;
}

const CONCURRENT_ICON_READS = 16;

/** The apps a launcher would list, sorted by name, each with its icon; and the entries that gave none. */
export async function listInstalledApps(
  env: AppEnvironment,
  fs: AppFileSystem = nodeFileSystem,
  options: ListOptions = {},
): Promise<InstalledApps> {
  const { apps, skipped } = await discoverApps(env, fs, options);
  const icons = new IconResolver(env, fs, { theme: options.iconTheme, size: options.iconSize });
  const withIcons = await mapConcurrently(apps, CONCURRENT_ICON_READS, async (app): Promise<InstalledApp> => {
    if (app.iconName === undefined) return app;
    try {
      const file = await icons.resolve(app.iconName);
      const icon = file && (await iconDataUrl(fs, file, options.maxIconBytes ?? MAX_ICON_BYTES));
      return icon === undefined ? app : { ...app, icon };
    } catch {
      // An icon is decoration: a file system surprise here must not cost the app its place in the list.
      return app;
    }
  });
  return { apps: withIcons, skipped };
}

/** A program picked in a file dialog (a .desktop file or an executable), with its icon when it names one. */
export async function describeProgram(
  env: AppEnvironment,
  path: string,
  fs: AppFileSystem = nodeFileSystem,
  options: Pick<ListOptions, 'iconTheme' | 'iconSize' | 'maxIconBytes'> = {},
): Promise<InstalledApp> {
  const app = await describeChosenProgram(env, fs, path);
  if (app.iconName === undefined) return app;
  try {
    const icons = new IconResolver(env, fs, { theme: options.iconTheme, size: options.iconSize });
    const file = await icons.resolve(app.iconName);
    const icon = file && (await iconDataUrl(fs, file, options.maxIconBytes ?? MAX_ICON_BYTES));
    return icon === undefined ? app : { ...app, icon };
  } catch {
    return app;
  }
}
