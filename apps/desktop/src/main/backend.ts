// The app's side of the IPC schema, without Electron: it keeps the app state from the helper's event
// stream (reconnecting when the helper restarts) and carries out the renderer's validated requests.
// Electron main wraps it in ipcMain; the e2e test shell wraps it in a WebSocket. Same code either way.
import { HelperClient, pb, type ApiError } from '@sluice/api';
import {
  relayConstraintsToPb,
  relayListFromPb,
  settingsFromPb,
  tunnelStatusFromPb,
  type SluiceSettings,
} from '@sluice/api/domain';
import {
  initialState,
  parseInvoke,
  type AppState,
  type Channel,
  type Notice,
  type Request,
  type StatePatch,
} from '../shared/ipc.js';

export interface LaunchOnLogin {
  get(): boolean;
  set(enabled: boolean): Promise<void>;
}

export interface BackendOptions {
  socketPath: string;
  /** Only a socket owned by this uid is trusted (0 in the app: only root's helper). */
  requireOwnerUid?: number;
  launchOnLogin: LaunchOnLogin;
  trayAvailable: boolean;
  showWindow?: () => void;
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
  async handle(channel: unknown, payload: unknown): Promise<AppState | undefined> {
    const parsed = parseInvoke(channel, payload);
    return this.run(parsed.channel, parsed.request);
  }

  private async run(channel: Channel, request: Request<Channel>): Promise<AppState | undefined> {
    const { tunnel, settings, relays } = this.client;
    switch (channel) {
      case 'getState':
        return this.current;
      case 'connect':
        await tunnel.connect({});
        return undefined;
      case 'disconnect':
        await tunnel.disconnect({});
        return undefined;
      case 'reconnect':
        await tunnel.reconnect({});
        return undefined;
      case 'setLockdownMode':
        await settings.setLockdownMode({ enabled: (request as Request<'setLockdownMode'>).enabled });
        return undefined;
      case 'setAllowLan':
        await settings.setAllowLan({ allow: (request as Request<'setAllowLan'>).allow });
        return undefined;
      case 'setAutoConnect':
        await settings.setAutoConnect({ enabled: (request as Request<'setAutoConnect'>).enabled });
        return undefined;
      case 'setLaunchOnLogin': {
        const { enabled } = request as Request<'setLaunchOnLogin'>;
        await this.options.launchOnLogin.set(enabled);
        this.patch({ launchOnLogin: this.options.launchOnLogin.get() });
        return undefined;
      }
      case 'setLocation': {
        const base = this.requireSettings().relayConstraints;
        const { location } = request as Request<'setLocation'>;
        await relays.setRelayConstraints({ constraints: relayConstraintsToPb({ ...base, location }) });
        return undefined;
      }
      case 'setRelayFilters': {
        const base = this.requireSettings().relayConstraints;
        const { providers, ownership } = request as Request<'setRelayFilters'>;
        await relays.setRelayConstraints({
          constraints: relayConstraintsToPb({ ...base, providers, ownership }),
        });
        return undefined;
      }
      case 'showWindow':
        this.options.showWindow?.();
        return undefined;
    }
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
