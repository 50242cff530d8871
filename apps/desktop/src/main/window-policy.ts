// What the main window does on close, on a tray click, at start-up and for Ctrl+Q, and the options it
// is created with (fixed size, sandboxed). Pure: main.ts applies the decisions to the BrowserWindow.
import type { BrowserWindowConstructorOptions } from 'electron';

export const WINDOW_WIDTH = 360;
export const WINDOW_HEIGHT = 600;

export type CloseAction = 'close' | 'hide' | 'minimize';

/**
 * Closing the window keeps the app running in the tray. Without a tray the window would be lost once
 * hidden, so it is minimised instead (the renderer says why). Only a real quit closes it.
 */
export function closeAction(facts: { quitting: boolean; trayAvailable: boolean }): CloseAction {
  if (facts.quitting) return 'close';
  return facts.trayAvailable ? 'hide' : 'minimize';
}

export type ToggleAction = 'show' | 'hide';

/** A tray click hides a window the user is looking at, and otherwise brings it forward. */
export function trayClickAction(window: {
  visible: boolean;
  minimized: boolean;
  focused: boolean;
}): ToggleAction {
  return window.visible && !window.minimized && window.focused ? 'hide' : 'show';
}

export type StartMode = 'show' | 'hide' | 'minimize';

/** Started at login (--hidden) the app waits in the tray; without a tray it starts minimised instead. */
export function startMode(facts: { startHidden: boolean; trayAvailable: boolean }): StartMode {
  if (!facts.startHidden) return 'show';
  return facts.trayAvailable ? 'hide' : 'minimize';
}

export interface KeyInput {
  type: string;
  key: string;
  control: boolean;
  meta: boolean;
  alt: boolean;
  shift: boolean;
}

/** Ctrl+Q (Cmd+Q on macOS): the way to quit when there is no tray menu to quit from. */
export function isQuitShortcut(input: KeyInput, platform: NodeJS.Platform): boolean {
  const modifier = platform === 'darwin' ? input.meta : input.control;
  return (
    input.type === 'keyDown' && modifier && !input.alt && !input.shift && input.key.toLowerCase() === 'q'
  );
}

export interface WindowOptionFacts {
  preloadPath: string;
  iconPath: string;
  prefersDark: boolean;
  /** DevTools only for unpackaged development runs. */
  devTools: boolean;
}

export function mainWindowOptions(facts: WindowOptionFacts): BrowserWindowConstructorOptions {
  return {
    width: WINDOW_WIDTH,
    height: WINDOW_HEIGHT,
    useContentSize: true,
    resizable: false,
    maximizable: false,
    fullscreenable: false,
    show: false,
    title: 'Sluice',
    icon: facts.iconPath,
    autoHideMenuBar: true,
    // Matches the renderer's background so the window does not flash white before the first paint.
    backgroundColor: facts.prefersDark ? '#15191d' : '#f6f7f9',
    webPreferences: {
      preload: facts.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
      devTools: facts.devTools,
    },
  };
}
