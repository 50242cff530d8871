// The main window's policies: close hides to the tray (or minimises without one), tray clicks toggle,
// login start-up waits in the tray, Ctrl+Q quits, and the window is fixed-size and sandboxed.
import { describe, expect, it } from 'vitest';
import {
  closeAction,
  isQuitShortcut,
  mainWindowOptions,
  startMode,
  trayClickAction,
  WINDOW_HEIGHT,
  WINDOW_WIDTH,
  type KeyInput,
} from '../../src/main/window-policy.js';

describe('closing the window', () => {
  it('hides it to the tray', () => {
    expect(closeAction({ quitting: false, trayAvailable: true })).toBe('hide');
  });

  it('minimises it when there is no tray to bring it back from', () => {
    expect(closeAction({ quitting: false, trayAvailable: false })).toBe('minimize');
  });

  it('really closes it when the app is quitting', () => {
    expect(closeAction({ quitting: true, trayAvailable: true })).toBe('close');
    expect(closeAction({ quitting: true, trayAvailable: false })).toBe('close');
  });
});

describe('a tray click', () => {
  it('hides a window the user is looking at', () => {
    expect(trayClickAction({ visible: true, minimized: false, focused: true })).toBe('hide');
  });

  it.each([
    { visible: false, minimized: false, focused: false },
    { visible: true, minimized: true, focused: false },
    { visible: true, minimized: false, focused: false },
  ])('shows a window that is hidden, minimised or behind others: %o', (window) => {
    expect(trayClickAction(window)).toBe('show');
  });
});

describe('start-up', () => {
  it('shows the window when started by the user', () => {
    expect(startMode({ startHidden: false, trayAvailable: true })).toBe('show');
    expect(startMode({ startHidden: false, trayAvailable: false })).toBe('show');
  });

  it('waits in the tray when started at login, or minimised without a tray', () => {
    expect(startMode({ startHidden: true, trayAvailable: true })).toBe('hide');
    expect(startMode({ startHidden: true, trayAvailable: false })).toBe('minimize');
  });
});

describe('the quit shortcut', () => {
  const key = (over: Partial<KeyInput>): KeyInput => ({
    type: 'keyDown',
    key: 'q',
    control: false,
    meta: false,
    alt: false,
    shift: false,
    ...over,
  });

  it('is Ctrl+Q on Linux and Windows, Cmd+Q on macOS', () => {
    expect(isQuitShortcut(key({ control: true }), 'linux')).toBe(true);
    expect(isQuitShortcut(key({ control: true, key: 'Q' }), 'win32')).toBe(true);
    expect(isQuitShortcut(key({ meta: true }), 'darwin')).toBe(true);
    expect(isQuitShortcut(key({ meta: true }), 'linux')).toBe(false);
  });

  it('ignores plain q, other modifiers and key-up', () => {
    expect(isQuitShortcut(key({}), 'linux')).toBe(false);
    expect(isQuitShortcut(key({ control: true, shift: true }), 'linux')).toBe(false);
    expect(isQuitShortcut(key({ control: true, alt: true }), 'linux')).toBe(false);
    expect(isQuitShortcut(key({ control: true, type: 'keyUp' }), 'linux')).toBe(false);
  });
});

describe('window options', () => {
  const options = mainWindowOptions({
    preloadPath: '/app/dist/preload/preload.cjs',
    iconPath: '/app/icon.png',
    prefersDark: true,
    devTools: false,
  });

  it('make a small fixed-size window that appears once painted', () => {
    expect(options).toMatchObject({
      width: WINDOW_WIDTH,
      height: WINDOW_HEIGHT,
      resizable: false,
      maximizable: false,
      fullscreenable: false,
      show: false,
    });
    expect([WINDOW_WIDTH, WINDOW_HEIGHT]).toEqual([360, 600]);
  });

  it('sandbox the renderer with the preload as its only bridge', () => {
    expect(options.webPreferences).toMatchObject({
      preload: '/app/dist/preload/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      devTools: false,
    });
  });
});
