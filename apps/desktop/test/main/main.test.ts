// main.ts wired to a fake Electron (no Electron binary can be installed here): the window's options and
// page, the session fences, the IPC sender check, close/tray/quit behaviour, and state patches reaching
// the window, with the real DesktopBackend facing a socket where no helper runs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { IPC_STATE, type AppState } from '../../src/shared/ipc.js';

type Handler = (...args: unknown[]) => unknown;

/** Something that records `on`/`once` handlers and lets the test emit events to them. */
class Emitter {
  readonly handlers = new Map<string, Handler[]>();
  on(event: string, handler: Handler): this {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
    return this;
  }
  once(event: string, handler: Handler): this {
    return this.on(event, handler);
  }
  emit(event: string, ...args: unknown[]): unknown[] {
    return (this.handlers.get(event) ?? []).map((handler) => handler(...args));
  }
}

interface MenuItemTemplate {
  label?: string;
  type?: string;
  enabled?: boolean;
  click?: () => void;
}

const fake = vi.hoisted(() => ({
  calls: [] as string[],
  windows: [] as unknown[],
  trays: [] as unknown[],
  menus: [] as MenuItemTemplate[][],
  invokeHandler: undefined as Handler | undefined,
  permissionRequest: undefined as Handler | undefined,
  beforeRequest: undefined as Handler | undefined,
  headersReceived: undefined as Handler | undefined,
  app: undefined as Emitter | undefined,
  /** Another instance holds the single-instance lock. */
  lockHeld: false,
}));

vi.mock('electron', () => {
  class FakeWebContents extends Emitter {
    static nextId = 1;
    readonly id = FakeWebContents.nextId++;
    readonly sent: [string, unknown][] = [];
    openHandler: Handler | undefined;
    send(channel: string, payload: unknown): void {
      this.sent.push([channel, payload]);
    }
    isDestroyed(): boolean {
      return false;
    }
    setWindowOpenHandler(handler: Handler): void {
      this.openHandler = handler;
    }
  }
  class BrowserWindow extends Emitter {
    readonly webContents = new FakeWebContents();
    visible = false;
    minimized = false;
    focused = false;
    loaded: string | undefined;
    constructor(readonly options: Record<string, unknown>) {
      super();
      fake.windows.push(this);
      app.emit('web-contents-created', {}, this.webContents);
    }
    loadFile(file: string): Promise<void> {
      this.loaded = file;
      return Promise.resolve();
    }
    setMenu(): void {}
    show(): void {
      this.visible = true;
      this.focused = true;
      this.minimized = false;
    }
    showInactive(): void {
      this.visible = true;
    }
    hide(): void {
      this.visible = false;
      this.focused = false;
    }
    minimize(): void {
      this.minimized = true;
      this.focused = false;
    }
    restore(): void {
      this.minimized = false;
    }
    focus(): void {
      this.focused = true;
    }
    isVisible(): boolean {
      return this.visible;
    }
    isMinimized(): boolean {
      return this.minimized;
    }
    isFocused(): boolean {
      return this.focused;
    }
    isDestroyed(): boolean {
      return false;
    }
  }
  class Tray extends Emitter {
    tooltip = '';
    constructor(readonly image: unknown) {
      super();
      fake.trays.push(this);
    }
    setImage(): void {}
    setToolTip(tooltip: string): void {
      this.tooltip = tooltip;
    }
    setContextMenu(menu: MenuItemTemplate[]): void {
      fake.menus.push(menu);
    }
    destroy(): void {
      fake.calls.push('tray.destroy');
    }
  }
  class Notification extends Emitter {
    static isSupported(): boolean {
      return true;
    }
    show(): void {}
  }
  const image = { isEmpty: () => false, toPNG: () => Buffer.alloc(0), addRepresentation: () => undefined };
  const app = Object.assign(new Emitter(), {
    isPackaged: false,
    setName: (name: string) => fake.calls.push(`app.setName ${name}`),
    enableSandbox: () => fake.calls.push('app.enableSandbox'),
    requestSingleInstanceLock: () => {
      fake.calls.push('app.requestSingleInstanceLock');
      return !fake.lockHeld;
    },
    whenReady: () => Promise.resolve(),
    getAppPath: () => '/repo/apps/desktop',
    // Read at start (a missing preferences file gives the defaults); nothing is written there.
    getPath: (name: string) => `/nonexistent/sluice-test/${name}`,
    getVersion: () => '0.0.0-test',
    getLoginItemSettings: () => ({ openAtLogin: false }),
    setLoginItemSettings: () => undefined,
    quit: () => fake.calls.push('app.quit'),
    exit: (code: number) => fake.calls.push(`app.exit ${code}`),
  });
  fake.app = app;
  return {
    app,
    BrowserWindow,
    Tray,
    Notification,
    clipboard: { writeText: () => undefined },
    dialog: { showOpenDialog: () => Promise.resolve({ canceled: true, filePaths: [] }) },
    ipcMain: {
      handle: (channel: string, handler: Handler) => {
        if (channel === 'sluice:invoke') fake.invokeHandler = handler;
      },
      removeHandler: () => undefined,
    },
    Menu: {
      setApplicationMenu: () => fake.calls.push('Menu.setApplicationMenu'),
      buildFromTemplate: (template: MenuItemTemplate[]) => template,
    },
    nativeImage: { createEmpty: () => image, createFromPath: () => image },
    nativeTheme: Object.assign(new Emitter(), { shouldUseDarkColors: false }),
    session: {
      defaultSession: {
        setPermissionRequestHandler: (handler: Handler) => (fake.permissionRequest = handler),
        setPermissionCheckHandler: () => undefined,
        setDevicePermissionHandler: () => undefined,
        webRequest: {
          onBeforeRequest: (handler: Handler) => (fake.beforeRequest = handler),
          onHeadersReceived: (handler: Handler) => (fake.headersReceived = handler),
        },
      },
    },
  };
});

interface FakeWindow extends Emitter {
  options: { webPreferences: Record<string, unknown>; width: number; height: number; resizable: boolean };
  webContents: Emitter & { id: number; sent: [string, unknown][]; openHandler: Handler | undefined };
  loaded: string | undefined;
  visible: boolean;
  minimized: boolean;
  focused: boolean;
}

const home = mkdtempSync(join(tmpdir(), 'sluice-main-home-'));

/** Load main.ts afresh with this environment, and wait until start-up has run. */
async function boot(env: Record<string, string>): Promise<{ window: FakeWindow; app: Emitter }> {
  vi.resetModules();
  // main logs to stderr; keep the test output clean.
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  fake.app?.handlers.clear();
  Object.assign(fake, { calls: [], windows: [], trays: [], menus: [], invokeHandler: undefined });
  vi.stubEnv('HOME', home);
  vi.stubEnv('XDG_CONFIG_HOME', '');
  vi.stubEnv('SLUICE_SOCKET', join(home, 'no-helper.sock'));
  for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
  await import('../../src/main/main.js');
  await vi.waitFor(() => {
    if (fake.invokeHandler === undefined) throw new Error('not started yet');
  });
  if (!fake.app) throw new Error('the fake electron module was not loaded');
  return { window: fake.windows[0] as FakeWindow, app: fake.app };
}

function invoke(
  window: FakeWindow,
  channel: string,
  payload: unknown,
  from?: { id?: number; url?: string; parent?: unknown },
) {
  const url = from?.url ?? `file://${String(window.loaded)}`;
  const event = {
    sender: { id: from?.id ?? window.webContents.id },
    senderFrame: { url, parent: from?.parent ?? null },
  };
  return fake.invokeHandler?.(event, channel, payload) as Promise<unknown>;
}

function closeEvent(): { event: { preventDefault(): void }; prevented: () => boolean } {
  let prevented = false;
  return {
    event: {
      preventDefault: () => {
        prevented = true;
      },
    },
    prevented: () => prevented,
  };
}

afterEach(() => {
  // Stops the backend's reconnect timer.
  fake.app?.emit('will-quit');
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('main, with a tray', () => {
  it('starts one sandboxed instance named Sluice, without an application menu', async () => {
    await boot({ SLUICE_TRAY: 'on' });
    expect(fake.calls).toEqual(
      expect.arrayContaining([
        'app.setName Sluice',
        'app.enableSandbox',
        'app.requestSingleInstanceLock',
        'Menu.setApplicationMenu',
      ]),
    );
  });

  it('opens one fixed-size, sandboxed window on the built renderer', async () => {
    const { window } = await boot({ SLUICE_TRAY: 'on' });
    expect(fake.windows).toHaveLength(1);
    expect(window.options).toMatchObject({ width: 360, height: 600, resizable: false });
    expect(window.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    });
    expect(String(window.options.webPreferences.preload)).toMatch(
      /apps\/desktop\/dist\/preload\/preload\.cjs$/,
    );
    expect(window.loaded).toMatch(/apps\/desktop\/dist\/renderer\/index\.html$/);
    window.emit('ready-to-show');
    expect(window.visible).toBe(true);
  });

  it('fences the session and every web contents', async () => {
    const { window } = await boot({ SLUICE_TRAY: 'on' });
    const granted: boolean[] = [];
    fake.permissionRequest?.({}, 'media', (allowed: boolean) => granted.push(allowed));
    expect(granted).toEqual([false]);

    const cancelled: unknown[] = [];
    fake.beforeRequest?.({ url: 'https://example.com/x.js' }, (response: unknown) =>
      cancelled.push(response),
    );
    fake.beforeRequest?.({ url: `file://${String(window.loaded)}` }, (response: unknown) =>
      cancelled.push(response),
    );
    expect(cancelled).toEqual([{ cancel: true }, { cancel: false }]);

    const headers: unknown[] = [];
    fake.headersReceived?.({ responseHeaders: {} }, (response: unknown) => headers.push(response));
    expect(JSON.stringify(headers)).toContain("default-src 'none'");

    const navigation = closeEvent();
    window.webContents.emit('will-navigate', navigation.event);
    expect(navigation.prevented()).toBe(true);
    expect(window.webContents.openHandler?.({ url: 'https://example.com' })).toEqual({ action: 'deny' });
  });

  it('answers our window and refuses anyone else', async () => {
    const { window } = await boot({ SLUICE_TRAY: 'on' });
    const state = (await invoke(window, 'getState', {})) as AppState;
    expect(state.trayAvailable).toBe(true);
    await expect(invoke(window, 'getState', {}, { id: 999 })).rejects.toThrow(/refused/);
    await expect(invoke(window, 'getState', {}, { url: 'https://evil.example/' })).rejects.toThrow(/refused/);
    await expect(invoke(window, 'getState', {}, { parent: {} })).rejects.toThrow(/refused/);
    // Validation errors come back in the validator's words.
    await expect(invoke(window, 'setSetting', { allowLan: 'yes' })).rejects.toThrow(
      /^setSetting: allowLan: /,
    );
  });

  it('tells the window, the tray and its menu that the helper is not running', async () => {
    const { window } = await boot({ SLUICE_TRAY: 'on' });
    await vi.waitFor(() => {
      const helperPatch = window.webContents.sent.find(
        ([channel, patch]) =>
          channel === IPC_STATE && (patch as Partial<AppState>).helper?.kind === 'unreachable',
      );
      expect(helperPatch).toBeDefined();
    });
    const tray = fake.trays[0] as { tooltip: string };
    expect(tray.tooltip).toBe('Sluice: The Sluice helper is not running');
    const menu = fake.menus.at(-1) ?? [];
    expect(menu[0]).toMatchObject({ label: 'The Sluice helper is not running', enabled: false });
    expect(
      menu
        .filter((item) => item.label === 'Connect' || item.label === 'Disconnect')
        .map((item) => item.enabled),
    ).toEqual([false, false]);
  });

  it('hides the window on close, toggles it from the tray, and quits from the menu', async () => {
    const { window, app } = await boot({ SLUICE_TRAY: 'on' });
    window.emit('ready-to-show');
    const close = closeEvent();
    window.emit('close', close.event);
    expect(close.prevented()).toBe(true);
    expect(window.visible).toBe(false);

    const tray = fake.trays[0] as Emitter;
    tray.emit('click');
    expect(window.visible).toBe(true);
    tray.emit('click');
    expect(window.visible).toBe(false);

    app.emit('second-instance');
    expect(window.visible).toBe(true);

    const quit = fake.menus.at(-1)?.find((item) => item.label === 'Quit');
    quit?.click?.();
    expect(fake.calls).toContain('app.quit');
    app.emit('before-quit');
    const finalClose = closeEvent();
    window.emit('close', finalClose.event);
    expect(finalClose.prevented()).toBe(false);
  });

  it('starts in the tray when launched at login', async () => {
    process.argv.push('--hidden');
    try {
      const { window } = await boot({ SLUICE_TRAY: 'on' });
      window.emit('ready-to-show');
      expect(window.visible).toBe(false);
    } finally {
      process.argv.pop();
    }
  });

  it('quits on Ctrl+Q', async () => {
    const { window } = await boot({ SLUICE_TRAY: 'on' });
    const key = closeEvent();
    window.webContents.emit('before-input-event', key.event, {
      type: 'keyDown',
      key: 'q',
      control: true,
      meta: false,
      alt: false,
      shift: false,
    });
    expect(key.prevented()).toBe(true);
    expect(fake.calls).toContain('app.quit');
  });
});

describe('main, without a tray', () => {
  it('minimises instead of hiding, and tells the renderer why', async () => {
    const { window } = await boot({ SLUICE_TRAY: 'off' });
    const state = (await invoke(window, 'getState', {})) as AppState;
    expect(state.trayAvailable).toBe(false);
    window.emit('ready-to-show');
    const close = closeEvent();
    window.emit('close', close.event);
    expect(close.prevented()).toBe(true);
    expect(window.minimized).toBe(true);
    expect(window.visible).toBe(true);
  });
});

describe('a second launch', () => {
  it('hands over and quits when another instance holds the lock', async () => {
    vi.resetModules();
    Object.assign(fake, { calls: [], windows: [], lockHeld: true });
    try {
      await import('../../src/main/main.js');
      expect(fake.calls).toContain('app.quit');
      expect(fake.calls).not.toContain('Menu.setApplicationMenu');
      expect(fake.windows).toHaveLength(0);
    } finally {
      fake.lockHeld = false;
    }
  });
});
