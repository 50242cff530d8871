// Does this desktop show tray icons? On Linux Electron's tray is a StatusNotifierItem, which only
// appears when a StatusNotifierWatcher owns its D-Bus name (KDE, Xfce, Cinnamon; GNOME only with the
// AppIndicator extension). The decision is pure over injected facts; the D-Bus probe runs a tool.
import { execFile } from 'node:child_process';

export const STATUS_NOTIFIER_WATCHER = 'org.kde.StatusNotifierWatcher';

export interface TrayFacts {
  platform: NodeJS.Platform;
  /** SLUICE_TRAY=on|off overrides the detection (tests, desktops that lie). */
  override: string | undefined;
  /** Electron's Tray could be created. */
  trayCreated: boolean;
  /** Whether the session bus has a StatusNotifierWatcher; undefined when that could not be asked. */
  watcherPresent: boolean | undefined;
  /** XDG_CURRENT_DESKTOP */
  currentDesktop: string | undefined;
}

export function decideTrayAvailable(facts: TrayFacts): boolean {
  const override = facts.override?.trim().toLowerCase();
  if (override === 'on' || override === '1' || override === 'true') return true;
  if (override === 'off' || override === '0' || override === 'false') return false;
  if (!facts.trayCreated) return false;
  if (facts.platform !== 'linux') return true;
  if (facts.watcherPresent !== undefined) return facts.watcherPresent;
  // The bus could not be asked: stock GNOME is the desktop known to have no tray; assume others do.
  return !/(^|:)GNOME($|:)/i.test(facts.currentDesktop ?? '');
}

/** What a D-Bus `NameHasOwner` call printed, or undefined when the output is not a reply. */
export function parseNameHasOwnerReply(tool: 'dbus-send' | 'gdbus', stdout: string): boolean | undefined {
  // dbus-send --print-reply: "method return ... \n   boolean true"; gdbus call: "(true,)"
  const match =
    tool === 'dbus-send' ? /\bboolean\s+(true|false)\b/.exec(stdout) : /^\((true|false),\)\s*$/m.exec(stdout);
  return match ? match[1] === 'true' : undefined;
}

export type RunTool = (file: string, args: readonly string[]) => Promise<string>;

const NAME_HAS_OWNER: Record<'dbus-send' | 'gdbus', readonly string[]> = {
  'dbus-send': [
    '--session',
    '--print-reply',
    '--dest=org.freedesktop.DBus',
    '/org/freedesktop/DBus',
    'org.freedesktop.DBus.NameHasOwner',
    `string:${STATUS_NOTIFIER_WATCHER}`,
  ],
  gdbus: [
    'call',
    '--session',
    '--dest',
    'org.freedesktop.DBus',
    '--object-path',
    '/org/freedesktop/DBus',
    '--method',
    'org.freedesktop.DBus.NameHasOwner',
    STATUS_NOTIFIER_WATCHER,
  ],
};

/** Ask the session bus whether a StatusNotifierWatcher runs, with whichever D-Bus tool is installed. */
export async function probeStatusNotifierWatcher(run: RunTool): Promise<boolean | undefined> {
  for (const tool of ['dbus-send', 'gdbus'] as const) {
    try {
      const answer = parseNameHasOwnerReply(tool, await run(tool, NAME_HAS_OWNER[tool]));
      if (answer !== undefined) return answer;
    } catch {
      // Not installed, or no session bus: try the next tool.
    }
  }
  return undefined;
}

/** Run a tool with an argv (never a shell), a short timeout and the C locale; resolves with stdout. */
export const runTool: RunTool = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(file, [...args], { timeout: 2000, env: { ...process.env, LC_ALL: 'C' } }, (error, stdout) => {
      if (error) reject(new Error(`${file}: ${error.message}`, { cause: error }));
      else resolve(stdout);
    });
  });
