// The app's side of the IPC schema, without Electron: it keeps the app state from the helper's event
// stream (reconnecting when the helper restarts) and carries out the renderer's validated requests.
// Electron main wraps it in ipcMain; the e2e test shell wraps it in a WebSocket. Same code either way.
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { HelperClient, pb, type ApiError } from '@sluice/api';
import {
  dnsModeToPb,
  relayConstraintsToPb,
  relayLatencyFromPb,
  relayListFromPb,
  settingsFromPb,
  splitTunnelFromPb,
  tunnelStatusFromPb,
  type SluiceSettings,
} from '@sluice/api/domain';
import {
  initialState,
  parseInvoke,
  type AppState,
  type Channel,
  type ImportSummary,
  type InstalledAppView,
  type Invocation,
  type LatencyView,
  type LeakTestView,
  type Notice,
  type Request,
  type Response,
  type StatePatch,
} from '../shared/ipc.js';
import {
  defaultPreferences,
  SETTING_KEYS,
  type AppPreferences,
  type SettingPatch,
  type SettingKey,
  type SettingValues,
} from '../shared/settings.js';
import { problemReport } from './problem-report.js';

export interface LaunchOnLogin {
  get(): boolean;
  set(enabled: boolean): Promise<void>;
}

/** The app's preferences other than launch on login (a file in the app's config folder, in main). */
export type StoredPreferences = Omit<AppPreferences, 'launchOnLogin'>;

export interface PreferenceStore {
  get(): StoredPreferences;
  set(preferences: StoredPreferences): Promise<void>;
}

/** Kept in memory only (the e2e shell, tests). */
export function memoryPreferences(initial: StoredPreferences = defaultPreferences): PreferenceStore {
  let current = { notifications: initial.notifications, trayStyle: initial.trayStyle };
  return {
    get: () => current,
    set: (next) => {
      current = { ...next };
      return Promise.resolve();
    },
  };
}

/** An app the picker shows, with what it runs (kept on the trusted side). */
export type LaunchableApp = InstalledAppView & { exec: string[] };

/** Installed applications and launching one outside the tunnel (main: XDG entries and sluice-exclude). */
export interface AppLauncher {
  list(): Promise<LaunchableApp[]>;
  /** A program chosen in a file dialog: an executable or a .desktop file; rejects with why not. */
  describe(path: string): Promise<LaunchableApp>;
  /** Start `argv` outside the tunnel, detached; rejects with what went wrong in words. */
  launchExcluded(argv: string[]): Promise<void>;
}

export interface FileDialogs {
  /** A program to keep outside the tunnel; undefined when cancelled. */
  chooseProgram(): Promise<string | undefined>;
  /** wg-quick .conf files or relay lists to import; empty when cancelled. */
  chooseImportFiles(): Promise<string[]>;
}

/** The helper's own bounds (apps/daemon/src/rpc/relays.ts), checked here before a file is read. */
const MAX_IMPORT_FILES = 64;
const MAX_IMPORT_FILE_BYTES = 16 * 1024 * 1024;
const REPORT_LOG_LINES = 200;
/** Latency results reach the window at most this often (a list of 600 relays arrives over seconds). */
const LATENCY_BATCH_MS = 250;

export interface BackendOptions {
  socketPath: string;
  /** Only a socket owned by this uid is trusted (0 in the app: only root's helper). */
  requireOwnerUid?: number;
  launchOnLogin: LaunchOnLogin;
  /** Notifications and tray style; in memory when absent. */
  preferences?: PreferenceStore;
  trayAvailable: boolean;
  showWindow?: () => void;
  /** Without it, the app list is empty and launching says why. */
  apps?: AppLauncher;
  /** File dialogs (main: Electron's; the e2e shell: files a test names). Without them, the dialogs say so. */
  dialogs?: FileDialogs;
  /** Where the problem report is copied (main: Electron's clipboard). */
  clipboard?: { writeText(text: string): void };
  /** This app's version and platform, for the problem report. */
  about?: { appVersion: string; appPlatform: string; home?: string };
  /** Jitter source for reconnects (tests pin it). */
  random?: () => number;
}

function errorWords(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function leakTestView(reply: pb.RunLeakTestResponse): LeakTestView {
  return {
    passed: reply.passed,
    checks: reply.checks.map(({ name, passed, detail }) => ({ name, passed, detail })),
    observedAddress: reply.observedAddress,
    ruleHits: Object.entries(reply.firewallRuleHits)
      .map(([rule, packets]) => ({ rule, packets }))
      .sort((a, b) => b.packets - a.packets || (a.rule < b.rule ? -1 : 1)),
  };
}

function noticeFromPb(notice: pb.Notice): Notice {
  const kind =
    notice.kind === pb.Notice_Kind.KIND_SETTINGS_RECOVERED
      ? 'settings-recovered'
      : notice.kind === pb.Notice_Kind.KIND_UNEXPECTED_DISCONNECT
        ? 'unexpected-disconnect'
        : 'other';
  return { kind, message: notice.message };
}

export class DesktopBackend {
  private current: AppState;
  private readonly client: HelperClient;
  private readonly listeners = new Set<(patch: StatePatch) => void>();
  private watch: { close(): void } | undefined;
  /** The latency measurement under way, which a second request joins. */
  private measuring: Promise<void> | undefined;
  private readonly stopMeasuring = new AbortController();
  /** What each listed app runs, by ID: launchExcluded starts only what was listed. */
  private listedApps = new Map<string, string[]>();
  private readonly preferences: PreferenceStore;

  constructor(private readonly options: BackendOptions) {
    this.client = new HelperClient({
      socketPath: options.socketPath,
      deadlineMs: 15_000,
      ...(options.requireOwnerUid === undefined ? {} : { requireOwnerUid: options.requireOwnerUid }),
    });
    this.preferences = options.preferences ?? memoryPreferences();
    this.current = {
      ...initialState,
      preferences: this.readPreferences(),
      trayAvailable: options.trayAvailable,
    };
  }

  get state(): AppState {
    return this.current;
  }

  onPatch(listener: (patch: StatePatch) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    this.watch = this.client.watchEvents({
      includeStats: true,
      onEvent: (event) => this.apply(event),
      onConnectionChange: (connected, error) => {
        if (connected) {
          void this.client.diagnostics.getVersion({}).then(
            (version) =>
              this.patch({
                helper: {
                  kind: 'connected',
                  version: version.daemonVersion,
                  control: version.callerMayControl
                    ? { allowed: true }
                    : { allowed: false, reason: version.controlRefusedReason },
                },
              }),
            () => undefined,
          );
        } else {
          this.patch({ helper: this.unreachable(error) });
        }
      },
      ...(this.options.random ? { random: this.options.random } : {}),
    });
  }

  stop(): void {
    this.stopMeasuring.abort();
    this.watch?.close();
    this.client.close();
  }

  /** Carry out an untrusted request (validated here); resolves with its response or rejects with a message. */
  async handle(channel: unknown, payload: unknown): Promise<Response<Channel>> {
    return this.run(parseInvoke(channel, payload));
  }

  private run<K extends Channel>(invocation: Invocation<K>): Promise<Response<K>> {
    const handler: (request: Request<K>) => Promise<Response<K>> = this.handlers[invocation.channel];
    return handler(invocation.request);
  }

  /** One handler per channel, each typed by its own request: adding a channel is a type error until it is handled here. */
  private readonly handlers: { [C in Channel]: (request: Request<C>) => Promise<Response<C>> } = {
    getState: () => Promise.resolve(this.current),
    connect: () => this.done(this.client.tunnel.connect({})),
    disconnect: () => this.done(this.client.tunnel.disconnect({})),
    reconnect: () => this.done(this.client.tunnel.reconnect({})),
    setSetting: async (patch) => {
      for (const key of SETTING_KEYS) await this.writeIfPresent(key, patch);
      return undefined;
    },
    showWindow: () => {
      this.options.showWindow?.();
      return Promise.resolve(undefined);
    },
    // Each answer carries the state in force: it is applied at once, not only when the event arrives.
    setSplitTunnelEnabled: ({ enabled }) =>
      this.splitTunnelAnswer(this.client.splitTunnel.setSplitTunnelEnabled({ enabled })),
    addSplitTunnelApp: ({ path }) =>
      this.splitTunnelAnswer(this.client.splitTunnel.addSplitTunnelApp({ path })),
    removeSplitTunnelApp: ({ path }) =>
      this.splitTunnelAnswer(this.client.splitTunnel.removeSplitTunnelApp({ path })),
    removeSplitTunnelProcess: ({ pid }) =>
      this.splitTunnelAnswer(this.client.splitTunnel.removeSplitTunnelProcess({ pid })),
    listInstalledApps: async () => {
      const apps = (await this.options.apps?.list()) ?? [];
      this.listedApps = new Map(apps.map((app) => [app.id, app.exec]));
      return apps.map(({ exec: _exec, ...view }) => view);
    },
    launchExcluded: async ({ id }) => {
      const exec = this.listedApps.get(id);
      if (!exec) throw new Error(`${id} is not in the list of installed apps; open the list again`);
      if (!this.options.apps) throw new Error('launching apps is not available here');
      await this.options.apps.launchExcluded(exec);
      return undefined;
    },
    chooseProgram: async () => {
      const { dialogs, apps } = this.options;
      if (!dialogs || !apps) throw new Error('choosing a program is not available here');
      const path = await dialogs.chooseProgram();
      if (path === undefined) return null;
      const { exec, ...view } = await apps.describe(path);
      // Launchable by its ID like a listed app, until the list is read again.
      this.listedApps.set(view.id, exec);
      return view;
    },
    importFiles: async () => {
      if (!this.options.dialogs) throw new Error('importing files is not available here');
      const paths = await this.options.dialogs.chooseImportFiles();
      if (paths.length === 0) return null;
      return this.importPaths(paths);
    },
    runLeakTest: async () => leakTestView(await this.client.diagnostics.runLeakTest({})),
    measureLatency: async () => {
      this.measuring ??= this.measureAll().finally(() => (this.measuring = undefined));
      await this.measuring;
      return undefined;
    },
    getLogs: async ({ maxLines }) => (await this.client.diagnostics.getLogs({ maxLines })).lines,
    copyProblemReport: async () => {
      const text = await this.problemReport();
      this.options.clipboard?.writeText(text);
      return { text };
    },
  };

  /** Every relay's round trip, patched into the state in batches as results arrive. */
  private async measureAll(): Promise<void> {
    let batch: Record<string, LatencyView> = {};
    const flush = (): void => {
      if (Object.keys(batch).length === 0) return;
      this.patch({ latency: { ...this.current.latency, ...batch } });
      batch = {};
    };
    const timer = setInterval(flush, LATENCY_BATCH_MS);
    this.patch({ latencyMeasuring: true });
    try {
      await this.client.measureLatency(
        { hostnames: [] },
        (result) => {
          const latency = relayLatencyFromPb(result);
          batch[latency.hostname] =
            latency.kind === 'measured' ? { rttMs: latency.rttMs } : { reason: latency.reason };
        },
        this.stopMeasuring.signal,
      );
    } finally {
      clearInterval(timer);
      flush();
      this.patch({ latencyMeasuring: false });
    }
  }

  private async importPaths(paths: readonly string[]): Promise<ImportSummary> {
    if (paths.length > MAX_IMPORT_FILES) {
      throw new Error(`${paths.length} files chosen; at most ${MAX_IMPORT_FILES} can be imported at once`);
    }
    const files = await Promise.all(
      paths.map(async (path) => {
        const name = basename(path);
        const facts = await stat(path).catch((error: unknown) => {
          throw new Error(`${name}: cannot be read (${errorWords(error)})`);
        });
        if (!facts.isFile()) throw new Error(`${name}: not a file`);
        if (facts.size > MAX_IMPORT_FILE_BYTES) {
          throw new Error(`${name}: ${facts.size} bytes; a file to import is at most 16 MiB`);
        }
        const content = await readFile(path, 'utf8').catch((error: unknown) => {
          throw new Error(`${name}: cannot be read (${errorWords(error)})`);
        });
        return { name, content, format: pb.ImportFile_Format.FORMAT_AUTO };
      }),
    );
    const reply = await this.client.relays.importRelays({ files, location: {}, replace: false });
    if (reply.relayList) this.patch({ relayList: relayListFromPb(reply.relayList) });
    return {
      files: files.map((file) => file.name),
      relaysImported: reply.relaysImported,
      identityImported: reply.identityImported,
      warnings: reply.warnings,
    };
  }

  private async problemReport(): Promise<string> {
    const about = this.options.about ?? { appVersion: 'unknown', appPlatform: process.platform };
    // A report is most needed when the helper is not answering: what fails is said, not thrown.
    const [version, logs] = await Promise.all([
      this.client.diagnostics.getVersion({}).catch(() => undefined),
      this.client.diagnostics
        .getLogs({ maxLines: REPORT_LOG_LINES })
        .then((reply) => reply.lines)
        .catch((error: unknown) => [`(the helper's log could not be read: ${errorWords(error)})`]),
    ]);
    return problemReport({
      appVersion: about.appVersion,
      appPlatform: about.appPlatform,
      ...(about.home === undefined ? {} : { home: about.home }),
      ...(version
        ? {
            helper: {
              version: version.daemonVersion,
              platform: version.platform,
              wireguardBackend: version.wireguardBackend,
              dnsBackend: version.dnsBackend,
            },
          }
        : {}),
      settings: this.current.settings,
      tunnel: this.current.tunnel,
      logLines: logs,
    });
  }

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- K pairs the key with its own value type inside
  private async writeIfPresent<K extends SettingKey>(key: K, patch: SettingPatch): Promise<void> {
    const value = patch[key];
    if (value === undefined) return;
    const writer: (value: SettingValues[K]) => Promise<void> = this.settingWriters[key];
    await writer(value);
  }

  /**
   * How each setting is written: the helper's setter (whose answer, the settings now stored, is applied
   * at once) or the app's own store. A setting of the list without a writer here is a type error.
   */
  private readonly settingWriters: { [K in SettingKey]: (value: SettingValues[K]) => Promise<void> } = {
    lockdownMode: (enabled) => this.settingsAnswer(this.client.settings.setLockdownMode({ enabled })),
    allowLan: (allow) => this.settingsAnswer(this.client.settings.setAllowLan({ allow })),
    autoConnect: (enabled) => this.settingsAnswer(this.client.settings.setAutoConnect({ enabled })),
    enableIpv6: (enabled) => this.settingsAnswer(this.client.settings.setEnableIpv6({ enabled })),
    dns: ({ mode, customServers }) =>
      this.settingsAnswer(
        this.client.settings.setDnsOptions({
          dns: { mode: dnsModeToPb(mode), customServers: [...customServers] },
        }),
      ),
    mtu: (mtu) => this.settingsAnswer(this.client.settings.setMtu(mtu === null ? {} : { mtu })),
    wireguardPort: (port) =>
      this.settingsAnswer(this.client.settings.setWireguardPort(port === null ? {} : { port })),
    bypassRanges: (ranges) =>
      this.settingsAnswer(this.client.settings.setBypassRanges({ ranges: [...ranges] })),
    location: (location) => {
      const base = this.requireSettings().relayConstraints;
      return this.settingsAnswer(
        this.client.relays.setRelayConstraints({ constraints: relayConstraintsToPb({ ...base, location }) }),
      );
    },
    relayFilters: ({ providers, ownership }) => {
      const base = this.requireSettings().relayConstraints;
      return this.settingsAnswer(
        this.client.relays.setRelayConstraints({
          constraints: relayConstraintsToPb({ ...base, providers: [...providers], ownership }),
        }),
      );
    },
    launchOnLogin: async (enabled) => {
      try {
        await this.options.launchOnLogin.set(enabled);
      } finally {
        this.patch({ preferences: this.readPreferences() });
      }
    },
    notifications: (notifications) => this.storePreferences({ notifications }),
    trayStyle: (trayStyle) => this.storePreferences({ trayStyle }),
  };

  private readPreferences(): AppPreferences {
    return { ...this.preferences.get(), launchOnLogin: this.options.launchOnLogin.get() };
  }

  private async storePreferences(change: Partial<StoredPreferences>): Promise<void> {
    try {
      await this.preferences.set({ ...this.preferences.get(), ...change });
    } finally {
      this.patch({ preferences: this.readPreferences() });
    }
  }

  private async settingsAnswer(call: Promise<{ settings?: pb.Settings }>): Promise<void> {
    const { settings } = await call;
    if (settings) this.patch({ settings: settingsFromPb(settings) });
  }

  private async done(call: Promise<unknown>): Promise<undefined> {
    await call;
    return undefined;
  }

  private async splitTunnelAnswer(call: Promise<{ state?: pb.SplitTunnelState }>): Promise<undefined> {
    const { state } = await call;
    this.patch({ splitTunnel: splitTunnelFromPb(state) });
    return undefined;
  }

  private requireSettings(): SluiceSettings {
    if (!this.current.settings) throw new Error('the helper is not connected yet');
    return this.current.settings;
  }

  private unreachable(error: ApiError | undefined): AppState['helper'] {
    const message = error?.message ?? 'the helper is not running';
    if (error?.kind === 'permission-denied')
      return { kind: 'untrusted', socketPath: this.options.socketPath, message };
    return { kind: 'unreachable', socketPath: this.options.socketPath, message };
  }

  private apply(event: pb.EventsListenResponse): void {
    const e = event.event;
    switch (e?.$case) {
      case 'snapshot':
        this.patch({
          tunnel: tunnelStatusFromPb(e.value.tunnelState),
          settings: e.value.settings && settingsFromPb(e.value.settings),
          relayList: e.value.relayList && relayListFromPb(e.value.relayList),
          splitTunnel: e.value.splitTunnel && splitTunnelFromPb(e.value.splitTunnel),
          notices: e.value.notices.map(noticeFromPb),
        });
        return;
      case 'tunnelState':
        this.patch({ tunnel: tunnelStatusFromPb(e.value) });
        return;
      case 'settings':
        this.patch({ settings: settingsFromPb(e.value) });
        return;
      case 'relayList':
        this.patch({ relayList: relayListFromPb(e.value) });
        return;
      case 'splitTunnel':
        this.patch({ splitTunnel: splitTunnelFromPb(e.value) });
        return;
      case 'notice':
        this.patch({ notices: [...this.current.notices, noticeFromPb(e.value)].slice(-20) });
        return;
      case 'tunnelStats': {
        const tunnel = this.current.tunnel.tunnel;
        if (this.current.tunnel.state !== 'connected' || !tunnel) return;
        this.patch({
          tunnel: {
            ...this.current.tunnel,
            tunnel: {
              ...tunnel,
              rxBytes: e.value.rxBytes,
              txBytes: e.value.txBytes,
              lastHandshakeAgeMs: e.value.lastHandshakeAgeMs ?? null,
            },
          },
        });
        return;
      }
      default:
        return;
    }
  }

  private patch(patch: StatePatch): void {
    this.current = { ...this.current, ...patch };
    for (const listener of this.listeners) listener(patch);
  }
}
