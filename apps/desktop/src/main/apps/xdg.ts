// The XDG Base Directory rules and the other environment facts app discovery depends on. The
// environment is always passed in, so tests (and a future sandboxed caller) choose what is seen.
import { isAbsolute, join, normalize } from 'node:path';

/** The environment variables app discovery reads; `process.env` fits. */
export interface AppEnvironment {
  HOME?: string | undefined;
  XDG_DATA_HOME?: string | undefined;
  XDG_DATA_DIRS?: string | undefined;
  XDG_CURRENT_DESKTOP?: string | undefined;
  PATH?: string | undefined;
  LANG?: string | undefined;
  LC_ALL?: string | undefined;
  LC_MESSAGES?: string | undefined;
}

const DEFAULT_DATA_DIRS = ['/usr/local/share', '/usr/share'];
// What execvp falls back to when PATH is unset, with /usr/local/bin in front as distributions set it.
const DEFAULT_PATH = ['/usr/local/bin', '/usr/bin', '/bin'];

export const SYSTEM_FLATPAK_EXPORTS = '/var/lib/flatpak/exports/share';
export const SNAP_DESKTOP_SHARE = '/var/lib/snapd/desktop';

/** Absolute directories of a colon-separated list; the base directory spec says to ignore relative ones. */
function absoluteDirs(list: string | undefined): string[] {
  return (list ?? '')
    .split(':')
    .filter((dir) => dir !== '' && isAbsolute(dir))
    .map((dir) => normalize(dir).replace(/(.)\/$/, '$1'));
}

function absoluteOrUndefined(dir: string | undefined): string | undefined {
  return dir !== undefined && isAbsolute(dir) ? normalize(dir).replace(/(.)\/$/, '$1') : undefined;
}

export function homeDir(env: AppEnvironment): string | undefined {
  return absoluteOrUndefined(env.HOME);
}

/** $XDG_DATA_HOME, or ~/.local/share when it is unset, empty or relative; undefined without a HOME. */
export function dataHome(env: AppEnvironment): string | undefined {
  const home = homeDir(env);
  return (
    absoluteOrUndefined(env.XDG_DATA_HOME) ?? (home === undefined ? undefined : join(home, '.local/share'))
  );
}

/** $XDG_DATA_DIRS in order, or /usr/local/share:/usr/share when it holds no absolute directory. */
export function dataDirs(env: AppEnvironment): string[] {
  const dirs = absoluteDirs(env.XDG_DATA_DIRS);
  return dirs.length > 0 ? dirs : DEFAULT_DATA_DIRS;
}

/** Flatpak's per-user installation lives in the user's data home (~/.local/share/flatpak by default). */
export function userFlatpakExports(env: AppEnvironment): string | undefined {
  const home = dataHome(env);
  return home === undefined ? undefined : join(home, 'flatpak/exports/share');
}

/** The directories searched for programs, in order. */
export function searchPath(env: AppEnvironment): string[] {
  if (env.PATH === undefined) return DEFAULT_PATH;
  return absoluteDirs(env.PATH);
}

/** The locale for messages, as POSIX resolves it: LC_ALL, then LC_MESSAGES, then LANG (empty ones skipped). */
export function messagesLocale(env: AppEnvironment): string | undefined {
  for (const value of [env.LC_ALL, env.LC_MESSAGES, env.LANG]) {
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

/** $XDG_CURRENT_DESKTOP as a list ("ubuntu:GNOME" is two names, the more specific first). */
export function currentDesktops(env: AppEnvironment): string[] {
  return (env.XDG_CURRENT_DESKTOP ?? '').split(':').filter((name) => name !== '');
}

/** Drops repeated paths, keeping the first (the one with precedence). */
export function uniquePaths(paths: readonly (string | undefined)[]): string[] {
  return [...new Set(paths.filter((path) => path !== undefined))];
}
