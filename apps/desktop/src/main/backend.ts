// The app's side of the IPC schema, without Electron: it keeps the app state from the helper's event
// stream (reconnecting when the helper restarts) and carries out the renderer's validated requests.
// Electron main wraps it in ipcMain; the e2e test shell wraps it in a WebSocket. Same code either way.
import { HelperClient, pb, type ApiError } from '@sluice/api';
import {
  relayConstraintsToPb,
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
  type InstalledAppView,
  type Invocation,
  type Notice,
  type Request,
  type Response,
  type StatePatch,
} from '../shared/ipc.js';

export interface LaunchOnLogin {
  get(): boolean;
  set(enabled: boolean): Promise<void>;
}

/** Installed applications and launching one outside the tunnel (main: XDG entries and sluice-exclude). */
export interface AppLauncher {
  list(): Promise<(InstalledAppView & { exec: string[] })[]>;
  /** Start `argv` outside the tunnel, detached; rejects with what went wrong in words. */
  launchExcluded(argv: string[]): Promise<void>;
}

export interface BackendOptions {
  socketPath: string;
  /** Only a socket owned by this uid is trusted (0 in the app: only root's helper). */
  requireOwnerUid?: number;
  launchOnLogin: LaunchOnLogin;
  trayAvailable: boolean;
  showWindow?: () => void;
  /** Without it, the app list is empty and launching says why. */
  apps?: AppLauncher;
  /** Jitter source for reconnects (tests pin it). */
  random?: () => number;
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
  /** What each listed app runs, by ID: launchExcluded starts only what was listed. */
  private listedApps = new Map<string, string[]>();

  constructor(private readonly options: BackendOptions) {
    this.client = new HelperClient({
      socketPath: options.socketPath,
      deadlineMs: 15_000,
      ...(options.requireOwnerUid === undefined ? {} : { requireOwnerUid: options.requireOwnerUid }),
    });
    this.current = {
      ...initialState,
      launchOnLogin: options.launchOnLogin.get(),
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
            (version) => this.patch({ helper: { kind: 'connected', version: version.daemonVersion } }),
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
    setLockdownMode: ({ enabled }) => this.done(this.client.settings.setLockdownMode({ enabled })),
    setAllowLan: ({ allow }) => this.done(this.client.settings.setAllowLan({ allow })),
    setAutoConnect: ({ enabled }) => this.done(this.client.settings.setAutoConnect({ enabled })),
    setLaunchOnLogin: async ({ enabled }) => {
      await this.options.launchOnLogin.set(enabled);
      this.patch({ launchOnLogin: this.options.launchOnLogin.get() });
      return undefined;
    },
    setLocation: ({ location }) => {
      const base = this.requireSettings().relayConstraints;
      return this.done(
        this.client.relays.setRelayConstraints({ constraints: relayConstraintsToPb({ ...base, location }) }),
      );
    },
    setRelayFilters: ({ providers, ownership }) => {
      const base = this.requireSettings().relayConstraints;
      return this.done(
        this.client.relays.setRelayConstraints({
          constraints: relayConstraintsToPb({ ...base, providers, ownership }),
        }),
      );
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
  };

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
