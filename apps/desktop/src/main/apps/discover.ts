// Installed applications as a desktop's launcher finds them: the .desktop files of the XDG data
// directories plus flatpak's and snap's exports, one per desktop-file ID, filtered the way menus filter.
import { basename, dirname, join } from 'node:path';
import {
  booleanValue,
  listValue,
  localized,
  parseDesktopEntry,
  parseExec,
  parsePosixLocale,
  stringValue,
  type DesktopEntry,
} from './desktop-entry.js';
import {
  findProgram,
  isExecutableFile,
  mapConcurrently,
  readdirOrEmpty,
  statOrUndefined,
  type AppFileSystem,
} from './file-system.js';
import {
  currentDesktops,
  dataDirs,
  dataHome,
  messagesLocale,
  searchPath,
  SNAP_DESKTOP_SHARE,
  SYSTEM_FLATPAK_EXPORTS,
  uniquePaths,
  userFlatpakExports,
  type AppEnvironment,
} from './xdg.js';

/** Where a desktop file was found: the user's data home, a system data dir, a flatpak or snap export. */
export type AppSource = 'user' | 'system' | 'flatpak' | 'snap';

export interface DiscoveredApp {
  /** The desktop-file ID, e.g. `org.mozilla.firefox.desktop` or `kde4-kate.desktop`. */
  id: string;
  /** Name in the messages locale. */
  name: string;
  genericName?: string;
  comment?: string;
  /** Exec as argv, quoting undone and field codes dropped. */
  exec: string[];
  /** The program Exec starts, as an absolute path when found on PATH (for flatpak apps the flatpak binary). */
  executable: string;
  source: AppSource;
  /** The Icon value: a theme icon name or an absolute path. */
  iconName?: string;
  /** Absolute path of the .desktop file that won for this ID. */
  desktopFile: string;
  /** 'single-instance': a second start hands over to a running instance and exits. */
  hint?: 'single-instance';
}

/**
 * A desktop file that gave no app. `not-shown`: valid, but a menu would not list it (NoDisplay …);
 * `invalid`: unreadable or broken; `over-limit`: not read because of the size or count bounds.
 */
export interface SkippedEntry {
  desktopFile: string;
  kind: 'not-shown' | 'invalid' | 'over-limit';
  reason: string;
}

export interface Discovery {
  apps: DiscoveredApp[];
  skipped: SkippedEntry[];
}

export interface DiscoveryOptions {
  /** At most this many .desktop files are looked at (default 5,000). */
  maxEntries?: number;
  /** Larger .desktop files are skipped (default 256 KiB). */
  maxFileBytes?: number;
}

export const DEFAULT_MAX_ENTRIES = 5_000;
export const DEFAULT_MAX_FILE_BYTES = 256 * 1024;
// Subfolders of applications/ are part of the ID scheme (kde4/…); deeper trees are not real menus.
const MAX_DEPTH = 8;
const CONCURRENT_READS = 16;

// Programs that hand a new start to their running instance and exit at once, so whatever launched the
// second process (the app-exclusion launcher) does not hold the window: it belongs to the first process,
// with that process's routing. The picker warns about these. Matched on the program's file name.
const SINGLE_INSTANCE_PROGRAMS: ReadonlySet<string> = new Set([
  'firefox',
  'firefox-esr',
  'firefox-bin',
  'chromium',
  'chromium-browser',
  'google-chrome',
  'google-chrome-stable',
  'google-chrome-beta',
  'google-chrome-unstable',
  'brave',
  'brave-browser',
  'brave-browser-stable',
  'microsoft-edge',
  'microsoft-edge-stable',
  'vivaldi',
  'vivaldi-stable',
  'opera',
  // gnome-terminal is a client of gnome-terminal-server, which owns every window.
  'gnome-terminal',
]);
// Programs that are single-instance only with one of these arguments.
const SINGLE_INSTANCE_WITH_ARGUMENT: ReadonlyMap<string, readonly string[]> = new Map([
  ['kitty', ['--single-instance', '-1']],
]);
// The same browsers as flatpak app IDs (flatpak Exec names the flatpak binary, not the browser).
const SINGLE_INSTANCE_FLATPAKS: ReadonlySet<string> = new Set([
  'org.mozilla.firefox',
  'org.chromium.Chromium',
  'io.github.ungoogled_software.ungoogled_chromium',
  'com.google.Chrome',
  'com.brave.Browser',
  'com.microsoft.Edge',
  'com.vivaldi.Vivaldi',
  'com.opera.Opera',
]);

export interface ApplicationsDir {
  path: string;
  source: AppSource;
}

function sourceOfShare(share: string, home: string | undefined): AppSource {
  if (share === home) return 'user';
  // Any flatpak installation (user, system, or one from /etc/flatpak/installations.d) exports here.
  if (share.endsWith('/flatpak/exports/share')) return 'flatpak';
  if (share === SNAP_DESKTOP_SHARE) return 'snap';
  return 'system';
}

/**
 * The applications directories, highest precedence first: $XDG_DATA_HOME, each of $XDG_DATA_DIRS, then
 * flatpak's and snap's exports when the session did not already put them in $XDG_DATA_DIRS.
 */
export function applicationsDirs(env: AppEnvironment): ApplicationsDir[] {
  const home = dataHome(env);
  const shares = uniquePaths([
    home,
    ...dataDirs(env),
    userFlatpakExports(env),
    SYSTEM_FLATPAK_EXPORTS,
    SNAP_DESKTOP_SHARE,
  ]);
  return shares.map((share) => ({ path: join(share, 'applications'), source: sourceOfShare(share, home) }));
}

interface FoundFile {
  id: string;
  path: string;
  dir: ApplicationsDir;
}

interface Limits {
  maxEntries: number;
  maxFileBytes: number;
}

/** Every .desktop file under the applications dirs, in precedence order, with its desktop-file ID. */
async function findDesktopFiles(
  fs: AppFileSystem,
  dirs: readonly ApplicationsDir[],
  limits: Limits,
  skipped: SkippedEntry[],
): Promise<FoundFile[]> {
  const found: FoundFile[] = [];
  // Directories already walked, by device and inode: a symlink loop or a dir linked from two places.
  const walked = new Set<string>();
  let full = false;

  async function walk(dir: ApplicationsDir, relative: string, depth: number): Promise<void> {
    const path = relative === '' ? dir.path : join(dir.path, relative);
    const facts = await statOrUndefined(fs, path);
    if (!facts?.isDirectory()) return;
    const key = `${facts.dev}:${facts.ino}`;
    if (walked.has(key)) return;
    walked.add(key);
    // Sorted, so which of two clashing files wins does not depend on the directory's order.
    const names = (await readdirOrEmpty(fs, path)).sort();
    for (const name of names) {
      if (full) return;
      const child = relative === '' ? name : `${relative}/${name}`;
      const childPath = join(dir.path, child);
      const childFacts = await statOrUndefined(fs, childPath);
      if (childFacts?.isDirectory()) {
        if (depth < MAX_DEPTH) await walk(dir, child, depth + 1);
        continue;
      }
      if (!name.endsWith('.desktop')) continue;
      if (!childFacts?.isFile()) {
        skipped.push({
          desktopFile: childPath,
          kind: 'invalid',
          reason: 'not a readable file (a dangling link?)',
        });
        continue;
      }
      if (found.length >= limits.maxEntries) {
        full = true;
        skipped.push({
          desktopFile: childPath,
          kind: 'over-limit',
          reason: `more than ${limits.maxEntries} desktop files; this one and the rest were not read`,
        });
        return;
      }
      // The desktop-file ID: the path below applications/ with "/" turned into "-".
      found.push({ id: child.replaceAll('/', '-'), path: childPath, dir });
    }
  }

  for (const dir of dirs) await walk(dir, '', 0);
  return found;
}

type Loaded = { ok: true; entry: DesktopEntry } | { ok: false; skipped: SkippedEntry };

async function loadEntry(fs: AppFileSystem, file: FoundFile, limits: Limits): Promise<Loaded> {
  const invalid = (reason: string): Loaded => ({
    ok: false,
    skipped: { desktopFile: file.path, kind: 'invalid', reason },
  });
  const tooBig: Loaded = {
    ok: false,
    skipped: {
      desktopFile: file.path,
      kind: 'over-limit',
      reason: `larger than ${limits.maxFileBytes} bytes`,
    },
  };
  const facts = await statOrUndefined(fs, file.path);
  if (!facts) return invalid('cannot be read');
  if (facts.size > limits.maxFileBytes) return tooBig;
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(file.path);
  } catch (error) {
    return invalid(`cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  // The file may have grown since the stat.
  if (bytes.length > limits.maxFileBytes) return tooBig;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return invalid('not UTF-8 text');
  }
  const parsed = parseDesktopEntry(text);
  return parsed.ok ? { ok: true, entry: parsed.value } : invalid(parsed.reason);
}

/**
 * Why a menu on these desktops would not show the entry, or undefined when it would. As GLib does, the
 * first current desktop named in OnlyShowIn or NotShowIn decides; with none named, OnlyShowIn hides.
 */
export function notShownReason(entry: DesktopEntry, desktops: readonly string[]): string | undefined {
  const onlyShowIn = listValue(entry, 'OnlyShowIn');
  const notShowIn = listValue(entry, 'NotShowIn');
  for (const desktop of desktops) {
    if (onlyShowIn?.includes(desktop)) return undefined;
    if (notShowIn?.includes(desktop)) return `NotShowIn=${notShowIn.join(';')} names ${desktop}`;
  }
  if (onlyShowIn === undefined) return undefined;
  const current = desktops.length > 0 ? desktops.join(':') : 'no XDG_CURRENT_DESKTOP';
  return `OnlyShowIn=${onlyShowIn.join(';')} excludes ${current}`;
}

/** The index in argv of the program that runs: past `env NAME=value …`, which launchers often put first. */
export function programIndex(argv: readonly string[]): number {
  if (argv[0] === undefined || basename(argv[0]) !== 'env') return 0;
  let index = 1;
  while (argv[index] !== undefined && /^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[index] ?? '')) index++;
  // `env` with options (or alone) is left as the program: reading its options is not worth the risk.
  const program = argv[index];
  return program === undefined || program.startsWith('-') ? 0 : index;
}

/** The app ID in `flatpak run [options] APP-ID …`. */
function flatpakAppId(argv: readonly string[], program: number): string | undefined {
  if (argv[program + 1] !== 'run') return undefined;
  return argv.slice(program + 2).find((argument) => !argument.startsWith('-'));
}

/** 'single-instance' for programs known to hand a new start over to a running instance. */
export function singleInstanceHint(
  entry: DesktopEntry,
  argv: readonly string[],
): 'single-instance' | undefined {
  // D-Bus activated apps are started by the session bus, which never starts a second copy.
  if (booleanValue(entry, 'DBusActivatable') === true) return 'single-instance';
  const program = programIndex(argv);
  const name = basename(argv[program] ?? '');
  const args = argv.slice(program + 1);
  if (SINGLE_INSTANCE_PROGRAMS.has(name)) return 'single-instance';
  if (SINGLE_INSTANCE_WITH_ARGUMENT.get(name)?.some((flag) => args.includes(flag)) === true) {
    return 'single-instance';
  }
  if (name === 'flatpak') {
    const appId = stringValue(entry, 'X-Flatpak') ?? flatpakAppId(argv, program);
    const command = args.find((argument) => argument.startsWith('--command='))?.slice('--command='.length);
    if (appId !== undefined && SINGLE_INSTANCE_FLATPAKS.has(appId)) return 'single-instance';
    if (command !== undefined && SINGLE_INSTANCE_PROGRAMS.has(basename(command))) return 'single-instance';
  }
  if (name === 'snap' && args[0] === 'run') {
    const snapApp = args.slice(1).find((argument) => !argument.startsWith('-'));
    if (snapApp !== undefined && SINGLE_INSTANCE_PROGRAMS.has(snapApp)) return 'single-instance';
  }
  return undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

type Verdict = { ok: true; app: DiscoveredApp } | { ok: false; skipped: SkippedEntry };

interface Context {
  locale: string | undefined;
  desktops: readonly string[];
  /** Picked by the user in a file dialog: the menu filters (NoDisplay, OnlyShowIn …) do not apply. */
  chosen?: boolean;
  findOnPath: (program: string) => Promise<string | undefined>;
}

/** The app an entry describes, or why it gives none. */
async function appOf(entry: DesktopEntry, file: FoundFile, context: Context): Promise<Verdict> {
  const skip = (kind: SkippedEntry['kind'], reason: string): Verdict => ({
    ok: false,
    skipped: { desktopFile: file.path, kind, reason },
  });
  const type = stringValue(entry, 'Type');
  if (type !== 'Application') return skip('not-shown', `Type=${type ?? '(missing)'}, not Application`);
  // Hidden means "deleted": it also hides the same ID in directories of lower precedence.
  if (!context.chosen && booleanValue(entry, 'Hidden') === true) return skip('not-shown', 'Hidden=true');
  if (!context.chosen && booleanValue(entry, 'NoDisplay') === true)
    return skip('not-shown', 'NoDisplay=true');
  // A terminal program runs inside whichever terminal emulator the launcher picks: no app of its own.
  if (booleanValue(entry, 'Terminal') === true) return skip('not-shown', 'Terminal=true');
  const hiddenOnDesktop = context.chosen ? undefined : notShownReason(entry, context.desktops);
  if (hiddenOnDesktop !== undefined) return skip('not-shown', hiddenOnDesktop);
  const execValue = stringValue(entry, 'Exec');
  if (execValue === undefined || execValue.trim() === '') return skip('not-shown', 'no Exec');
  const exec = parseExec(execValue);
  if (!exec.ok) return skip('invalid', `Exec: ${exec.reason}`);
  const name = nonEmpty(localized(entry, 'Name', context.locale));
  if (name === undefined) return skip('invalid', 'no Name');
  const tryExec = nonEmpty(stringValue(entry, 'TryExec'));
  if (tryExec !== undefined && (await context.findOnPath(tryExec)) === undefined) {
    return skip('not-shown', `TryExec=${tryExec} is not an installed program`);
  }

  const argv = exec.value;
  const program = argv[programIndex(argv)] ?? '';
  const app: DiscoveredApp = {
    id: file.id,
    name,
    exec: argv,
    executable: (await context.findOnPath(program)) ?? program,
    source: file.dir.source,
    desktopFile: file.path,
  };
  const genericName = nonEmpty(localized(entry, 'GenericName', context.locale));
  if (genericName !== undefined) app.genericName = genericName;
  const comment = nonEmpty(localized(entry, 'Comment', context.locale));
  if (comment !== undefined) app.comment = comment;
  const iconName = nonEmpty(localized(entry, 'Icon', context.locale));
  if (iconName !== undefined) app.iconName = iconName;
  const hint = singleInstanceHint(entry, argv);
  if (hint !== undefined) app.hint = hint;
  return { ok: true, app };
}

/** A BCP 47 tag for Intl from a POSIX locale name; undefined (the default collation) when it has none. */
export function collationLocale(posix: string | undefined): string | undefined {
  const parsed = posix === undefined ? undefined : parsePosixLocale(posix);
  if (!parsed) return undefined;
  const tag = parsed.country === undefined ? parsed.lang : `${parsed.lang}-${parsed.country}`;
  try {
    return Intl.getCanonicalLocales(tag)[0];
  } catch {
    return undefined;
  }
}

/** The installed applications a launcher would list, sorted by name for the messages locale. */
export async function discoverApps(
  env: AppEnvironment,
  fs: AppFileSystem,
  options: DiscoveryOptions = {},
): Promise<Discovery> {
  const limits: Limits = {
    maxEntries: options.maxEntries ?? DEFAULT_MAX_ENTRIES,
    maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
  };
  const skipped: SkippedEntry[] = [];
  const files = await findDesktopFiles(fs, applicationsDirs(env), limits, skipped);

  // Candidates per ID in precedence order; Map keeps the order IDs were first seen.
  const candidates = new Map<string, FoundFile[]>();
  for (const file of files) {
    const list = candidates.get(file.id);
    if (list) list.push(file);
    else candidates.set(file.id, [file]);
  }

  const path = searchPath(env);
  const programs = new Map<string, Promise<string | undefined>>();
  const context: Context = {
    locale: messagesLocale(env),
    desktops: currentDesktops(env),
    findOnPath: (program) => {
      let found = programs.get(program);
      if (!found) {
        found = findProgram(fs, program, path);
        programs.set(program, found);
      }
      return found;
    },
  };

  const verdicts = await mapConcurrently([...candidates.values()], CONCURRENT_READS, async (list) => {
    const notes: SkippedEntry[] = [];
    for (const file of list) {
      const loaded = await loadEntry(fs, file, limits);
      // A broken file does not claim its ID, so a lower-precedence copy can still be used.
      if (!loaded.ok) {
        notes.push(loaded.skipped);
        continue;
      }
      const verdict = await appOf(loaded.entry, file, context);
      if (!verdict.ok) notes.push(verdict.skipped);
      return { app: verdict.ok ? verdict.app : undefined, notes };
    }
    return { app: undefined, notes };
  });

  const apps: DiscoveredApp[] = [];
  for (const verdict of verdicts) {
    if (verdict.app) apps.push(verdict.app);
    skipped.push(...verdict.notes);
  }
  const collator = new Intl.Collator(collationLocale(context.locale), { sensitivity: 'accent' });
  apps.sort((a, b) => collator.compare(a.name, b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { apps, skipped };
}

/**
 * A program the user picked in a file dialog: a .desktop file (read as a launcher would, with its ID
 * taken from the file name) or an executable file, run with no arguments. Rejects with the reason in
 * words when it is neither.
 */
export async function describeChosenProgram(
  env: AppEnvironment,
  fs: AppFileSystem,
  path: string,
): Promise<DiscoveredApp> {
  const limits: Limits = { maxEntries: 1, maxFileBytes: DEFAULT_MAX_FILE_BYTES };
  const searched = searchPath(env);
  const context: Context = {
    locale: messagesLocale(env),
    desktops: currentDesktops(env),
    // A chosen file is the user's decision: menu filters do not hide it.
    chosen: true,
    findOnPath: (program) => findProgram(fs, program, searched),
  };
  if (path.endsWith('.desktop')) {
    const file: FoundFile = { id: basename(path), path, dir: { path: dirname(path), source: 'user' } };
    const loaded = await loadEntry(fs, file, limits);
    if (!loaded.ok) throw new Error(`${path}: ${loaded.skipped.reason}`);
    const verdict = await appOf(loaded.entry, file, context);
    if (!verdict.ok) throw new Error(`${path} starts no program: ${verdict.skipped.reason}`);
    return verdict.app;
  }
  if (!(await isExecutableFile(fs, path))) {
    throw new Error(`${path} is not a program you may run; choose an executable file or a .desktop file`);
  }
  return {
    id: `program:${path}`,
    name: basename(path),
    exec: [path],
    executable: path,
    source: 'user',
    desktopFile: path,
  };
}
