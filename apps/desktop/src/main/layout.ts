// Where the app's pieces are and how it is configured from its environment. Pure: main.ts passes in
// the folder main.cjs runs from and process.env.
import { join, resolve } from 'node:path';
import { HIDDEN_FLAG } from './autostart.js';

export const DEFAULT_SOCKET = '/run/sluice/daemon.sock';

export interface AppLayout {
  /** dist/renderer/index.html: the only page the window loads. */
  rendererIndex: string;
  rendererDir: string;
  /** dist/preload/preload.cjs */
  preload: string;
  /** dist/icons: tray icons (tray/) and the app icon (app.png), copied there by build.mjs. */
  trayIconDir: string;
  appIcon: string;
}

/**
 * The layout seen from dist/main, where main.cjs runs, inside app.asar or an unpacked checkout alike.
 * The app root is two levels up.
 */
export function appLayout(mainDir: string): AppLayout {
  const root = resolve(mainDir, '..', '..');
  const rendererDir = join(root, 'dist', 'renderer');
  return {
    rendererIndex: join(rendererDir, 'index.html'),
    rendererDir,
    preload: join(root, 'dist', 'preload', 'preload.cjs'),
    trayIconDir: join(root, 'dist', 'icons', 'tray'),
    appIcon: join(root, 'dist', 'icons', 'app.png'),
  };
}

/** The helper's socket: SLUICE_SOCKET, else the system helper's. */
export function socketPathFrom(env: Record<string, string | undefined>): string {
  const fromEnv = env.SLUICE_SOCKET?.trim();
  return fromEnv ? fromEnv : DEFAULT_SOCKET;
}

/** Started by the login autostart entry (or asked to start in the tray). */
export function startHiddenFrom(argv: readonly string[]): boolean {
  return argv.includes(HIDDEN_FLAG);
}
