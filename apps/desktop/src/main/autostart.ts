// Launch on login, kept separate from the helper's auto-connect: on Linux an XDG autostart entry in
// ~/.config/autostart, elsewhere the OS login items. The entry's content is a pure function.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { LaunchOnLogin } from './backend.js';

/** Started from the autostart entry: go to the tray instead of opening the window. */
export const HIDDEN_FLAG = '--hidden';

export interface AutostartCommandFacts {
  /** process.env.APPIMAGE: the AppImage file, when running from one (execPath is then a temporary mount). */
  appImage: string | undefined;
  execPath: string;
  /** app.isPackaged: an unpackaged run is `electron <appPath>`, so the app path must be passed too. */
  isPackaged: boolean;
  appPath: string;
}

/** The program and arguments that start this app again at login. */
export function autostartCommand(facts: AutostartCommandFacts): string[] {
  if (facts.appImage) return [facts.appImage, HIDDEN_FLAG];
  if (!facts.isPackaged) return [facts.execPath, facts.appPath, HIDDEN_FLAG];
  return [facts.execPath, HIDDEN_FLAG];
}

// Characters that force quoting in an Exec argument (Desktop Entry Specification, "The Exec key").
const RESERVED = /[\s"'\\><~|&;$*?#()`]/;

/** One Exec argument, quoted and escaped as the Desktop Entry Specification asks. */
export function quoteExecArgument(argument: string): string {
  if (/[\n\r]/.test(argument)) throw new Error('an Exec argument cannot contain a line break');
  // "%" starts a field code; a literal one is doubled.
  const percent = argument.replace(/%/g, '%%');
  const quoted =
    RESERVED.test(percent) || percent.length === 0 ? `"${percent.replace(/(["`$\\])/g, '\\$1')}"` : percent;
  // The Exec value is also a "string" value, where a backslash is itself written as two.
  return quoted.replace(/\\/g, '\\\\');
}

/** The autostart .desktop file. */
export function autostartEntry(command: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    'Name=Sluice',
    'Comment=Sluice VPN in the tray',
    `Exec=${command.map(quoteExecArgument).join(' ')}`,
    'Icon=sluice',
    'Terminal=false',
    'StartupNotify=false',
    'X-GNOME-Autostart-enabled=true',
    'Hidden=false',
    '',
  ].join('\n');
}

/** ~/.config/autostart/sluice.desktop, honouring XDG_CONFIG_HOME when it is absolute (as the spec says). */
export function autostartPath(
  env: { HOME?: string | undefined; XDG_CONFIG_HOME?: string | undefined },
  home: string,
): string {
  const configHome =
    env.XDG_CONFIG_HOME?.startsWith('/') === true ? env.XDG_CONFIG_HOME : join(env.HOME ?? home, '.config');
  return join(configHome, 'autostart', 'sluice.desktop');
}

/** Whether an autostart file's text means "start at login" (desktops honour both of these switches). */
export function autostartEnabled(text: string): boolean {
  return !/^Hidden\s*=\s*true\s*$/m.test(text) && !/^X-GNOME-Autostart-enabled\s*=\s*false\s*$/m.test(text);
}

function readOrUndefined(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Linux: launch on login through an XDG autostart file at `file` with `content`. */
export class XdgAutostart implements LaunchOnLogin {
  constructor(
    private readonly file: string,
    private readonly content: string,
  ) {}

  get(): boolean {
    const text = readOrUndefined(this.file);
    return text !== undefined && autostartEnabled(text);
  }

  set(enabled: boolean): Promise<void> {
    if (enabled) this.write();
    else rmSync(this.file, { force: true });
    return Promise.resolve();
  }

  /** Rewrite an enabled entry whose command is stale (the AppImage moved, the app was reinstalled elsewhere). */
  refresh(): boolean {
    const text = readOrUndefined(this.file);
    if (text === undefined || !autostartEnabled(text) || text === this.content) return false;
    this.write();
    return true;
  }

  private write(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    // Write then rename, so a session starting meanwhile never reads half a file.
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, this.content, { mode: 0o644 });
    renameSync(temporary, this.file);
  }
}

/** The part of Electron's `app` that manages login items on macOS and Windows. */
export interface LoginItems {
  getLoginItemSettings(): { openAtLogin: boolean };
  setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }): void;
}

/** macOS and Windows: launch on login through the OS login items. */
export class LoginItemAutostart implements LaunchOnLogin {
  constructor(private readonly items: LoginItems) {}

  get(): boolean {
    return this.items.getLoginItemSettings().openAtLogin;
  }

  set(enabled: boolean): Promise<void> {
    this.items.setLoginItemSettings({ openAtLogin: enabled, args: [HIDDEN_FLAG] });
    return Promise.resolve();
  }
}
