// Electron main: one instance, the fixed-size window (hidden to the tray on close), the tray, launch on
// login, notifications, and the sandboxed renderer's only door to the helper (DesktopBackend).
// Bundled to dist/main/main.cjs by build.mjs, so `__dirname` is the folder of main.cjs.
import { homedir, release } from 'node:os';
import { join } from 'node:path';
import {
  app,
  BrowserWindow,
  clipboard,
  dialog,
  ipcMain,
  Menu,
  nativeTheme,
  Notification,
  session,
  Tray,
  type WebContents,
} from 'electron';
import type { AppState } from '../shared/ipc.js';
import {
  autostartCommand,
  autostartEntry,
  autostartPath,
  LoginItemAutostart,
  XdgAutostart,
} from './autostart.js';
import { DesktopBackend, type FileDialogs, type LaunchOnLogin } from './backend.js';
import { PreferencesFile } from './preferences-file.js';
import { createAppLauncher } from './apps/launcher.js';
import { bridgeInvoke, sendPatch } from './ipc-bridge.js';
import { appLayout, socketPathFrom, startHiddenFrom, type AppLayout } from './layout.js';
import {
  NotificationThrottle,
  notificationsFor,
  notificationsToShow,
  type DesktopNotification,
} from './notifications.js';
import { isAllowedRequest, rendererUrl, withContentSecurityPolicy } from './security.js';
import { TrayController, loadTrayImage } from './tray.js';
import { trayTheme } from './tray-icons.js';
import { trayView, type TrayAction } from './tray-model.js';
import { decideTrayAvailable, probeStatusNotifierWatcher, runTool } from './tray-support.js';
import {
  closeAction,
  isQuitShortcut,
  mainWindowOptions,
  startMode,
  trayClickAction,
} from './window-policy.js';

// The name decides the userData folder (~/.config/Sluice) and the Linux WM_CLASS the .desktop file
// names in StartupWMClass; the package name (@sluice/desktop) would give neither.
app.setName('Sluice');
// Every renderer is sandboxed, whatever a window's options say.
app.enableSandbox();

const layout = appLayout(__dirname);
const expectedUrl = rendererUrl(layout.rendererIndex);

function log(message: string): void {
  process.stderr.write(`sluice: ${message}\n`);
}

/** Fences for every web contents the app ever creates: no navigation, no new windows, no webviews. */
function fenceWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-frame-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** The default session: no permissions, our CSP on every response, no request outside the renderer's files. */
function fenceSession(appLayoutPaths: AppLayout): void {
  const rendererDir = rendererUrl(appLayoutPaths.rendererDir);
  const { defaultSession } = session;
  defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  defaultSession.setPermissionCheckHandler(() => false);
  defaultSession.setDevicePermissionHandler(() => false);
  defaultSession.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isAllowedRequest(details.url, rendererDir);
    if (!allowed) log(`blocked a request for ${details.url}`);
    callback({ cancel: !allowed });
  });
  defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders) });
  });
}

function createLaunchOnLogin(): LaunchOnLogin {
  if (process.platform !== 'linux') return new LoginItemAutostart(app);
  const command = autostartCommand({
    appImage: process.env.APPIMAGE,
    execPath: process.execPath,
    isPackaged: app.isPackaged,
    appPath: app.getAppPath(),
  });
  const autostart = new XdgAutostart(autostartPath(process.env, homedir()), autostartEntry(command));
  try {
    // An enabled entry follows the app when the AppImage moves or the install path changes.
    if (autostart.refresh()) log('updated the autostart entry');
  } catch (error) {
    log(`could not update the autostart entry: ${String(error)}`);
  }
  return autostart;
}

/** Electron's file dialogs, attached to the window. */
function fileDialogs(window: BrowserWindow): FileDialogs {
  return {
    async chooseProgram() {
      const { canceled, filePaths } = await dialog.showOpenDialog(window, {
        title: 'Choose a program to run outside the tunnel',
        buttonLabel: 'Choose',
        properties: ['openFile'],
        filters: [
          { name: 'Programs and launchers', extensions: ['*'] },
          { name: 'Launchers (.desktop)', extensions: ['desktop'] },
        ],
      });
      return canceled ? undefined : filePaths[0];
    },
    async chooseImportFiles() {
      const { canceled, filePaths } = await dialog.showOpenDialog(window, {
        title: 'Import WireGuard configurations or relay lists',
        buttonLabel: 'Import',
        properties: ['openFile', 'multiSelections'],
        filters: [
          { name: 'WireGuard configurations and relay lists', extensions: ['conf', 'json'] },
          { name: 'All files', extensions: ['*'] },
        ],
      });
      return canceled ? [] : filePaths;
    },
  };
}

function createTray(): Tray | undefined {
  try {
    return new Tray(loadTrayImage(layout.trayIconDir, 'disconnected', currentTrayTheme()));
  } catch (error) {
    log(`no tray: ${String(error)}`);
    return undefined;
  }
}

function currentTrayTheme(): ReturnType<typeof trayTheme> {
  return trayTheme({
    platform: process.platform,
    prefersDark: nativeTheme.shouldUseDarkColors,
    currentDesktop: process.env.XDG_CURRENT_DESKTOP,
  });
}

/** Shows throttled desktop notifications; a click on one shows the window. */
function createNotifier(
  window: BrowserWindow,
  showWindow: () => void,
): (candidates: readonly DesktopNotification[]) => void {
  const throttle = new NotificationThrottle();
  // Held until closed: a Notification that is garbage-collected loses its click handler.
  const shown = new Set<Notification>();
  return (candidates) => {
    if (!Notification.isSupported()) return;
    const windowFocused = !window.isDestroyed() && window.isVisible() && window.isFocused();
    for (const item of notificationsToShow(candidates, { windowFocused, nowMs: Date.now() }, throttle)) {
      const notification = new Notification({ title: item.title, body: item.body, icon: layout.appIcon });
      shown.add(notification);
      notification.on('click', () => {
        shown.delete(notification);
        showWindow();
      });
      notification.on('close', () => shown.delete(notification));
      notification.show();
    }
  };
}

async function start(): Promise<void> {
  Menu.setApplicationMenu(null);
  fenceSession(layout);

  // The tray comes first: whether the desktop shows it decides how the window closes and starts, and
  // the renderer is told (trayAvailable) so it can say why the window minimises.
  const tray = createTray();
  const trayAvailable = decideTrayAvailable({
    platform: process.platform,
    override: process.env.SLUICE_TRAY,
    trayCreated: tray !== undefined,
    watcherPresent: process.platform === 'linux' ? await probeStatusNotifierWatcher(runTool) : undefined,
    currentDesktop: process.env.XDG_CURRENT_DESKTOP,
  });
  if (!trayAvailable) log('no tray on this desktop: closing the window minimises it');

  const window = new BrowserWindow(
    mainWindowOptions({
      preloadPath: layout.preload,
      iconPath: layout.appIcon,
      prefersDark: nativeTheme.shouldUseDarkColors,
      devTools: !app.isPackaged,
    }),
  );
  window.setMenu(null);
  const showWindow = (): void => {
    if (window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  };
  const toggleWindow = (): void => {
    if (window.isDestroyed()) return;
    const action = trayClickAction({
      visible: window.isVisible(),
      minimized: window.isMinimized(),
      focused: window.isFocused(),
    });
    if (action === 'hide') window.hide();
    else showWindow();
  };
  const notify = createNotifier(window, showWindow);

  const socketPath = socketPathFrom(process.env);
  const backend = new DesktopBackend({
    socketPath,
    // Only root's helper is trusted: a socket someone else created could impersonate it.
    requireOwnerUid: 0,
    launchOnLogin: createLaunchOnLogin(),
    preferences: new PreferencesFile(join(app.getPath('userData'), 'preferences.json')),
    trayAvailable,
    dialogs: fileDialogs(window),
    clipboard,
    about: { appVersion: app.getVersion(), appPlatform: `${process.platform} ${release()}`, home: homedir() },
    showWindow,
    apps: createAppLauncher({
      env: process.env,
      socketPath,
      excludeCommand: [process.env.SLUICE_EXCLUDE ?? 'sluice-exclude'],
    }),
  });

  const onTrayAction = (action: TrayAction): void => {
    switch (action) {
      case 'connect':
      case 'reconnect':
      case 'disconnect':
        backend.handle(action, {}).catch((error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          notify([{ kind: 'error', title: `Sluice: could not ${action}`, body: message }]);
        });
        return;
      case 'show-window':
        showWindow();
        return;
      case 'quit':
        app.quit();
        return;
    }
  };
  const trayController = tray && new TrayController(tray, layout.trayIconDir, onTrayAction);
  tray?.on('click', toggleWindow);
  const refreshTray = (state: AppState): void =>
    trayController?.update(trayView(state, currentTrayTheme(), state.preferences.trayStyle));
  refreshTray(backend.state);
  nativeTheme.on('updated', () => refreshTray(backend.state));

  let quitting = false;
  window.on('close', (event) => {
    const action = closeAction({ quitting, trayAvailable });
    if (action === 'close') return;
    event.preventDefault();
    if (action === 'hide') window.hide();
    else window.minimize();
  });
  window.webContents.on('before-input-event', (event, input) => {
    if (isQuitShortcut(input, process.platform)) {
      event.preventDefault();
      app.quit();
    }
  });
  const mode = startMode({ startHidden: startHiddenFrom(process.argv), trayAvailable });
  window.once('ready-to-show', () => {
    if (mode === 'show') window.show();
    else if (mode === 'minimize') {
      window.showInactive();
      window.minimize();
    }
  });

  bridgeInvoke(ipcMain, backend, {
    expectedUrl,
    windowId: () => (window.isDestroyed() ? undefined : window.webContents.id),
    onRefused: (reason) => log(`refused an IPC message from ${reason}`),
  });

  let lastState = backend.state;
  backend.onPatch((patch) => {
    const next = backend.state;
    sendPatch(window.isDestroyed() ? undefined : window.webContents, patch);
    refreshTray(next);
    // Off silences what the helper reports; a failed tray action (above) is still shown.
    if (next.preferences.notifications) notify(notificationsFor(lastState, patch, next));
    lastState = next;
  });

  app.on('second-instance', showWindow);
  app.on('before-quit', () => {
    quitting = true;
  });
  app.on('will-quit', () => {
    backend.stop();
    trayController?.destroy();
  });

  backend.start();
  window.loadFile(layout.rendererIndex).catch((error: unknown) => {
    log(`could not load ${layout.rendererIndex}: ${String(error)}`);
  });
  log(`started, tray ${trayAvailable ? 'available' : 'unavailable'}`);
}

app.on('web-contents-created', (_event, contents) => fenceWebContents(contents));

// A second launch hands over to the running instance (which shows its window) and exits.
if (app.requestSingleInstanceLock()) {
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      log(`start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      app.exit(1);
    });
} else {
  app.quit();
}
