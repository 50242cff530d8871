// Assembles the helper: settings, then (in later versions) the firewall policy, then the gRPC socket.
// Returned handle stops it cleanly. Used by main.ts and, in-process, by the tests.
import { rm } from 'node:fs/promises';
import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { listenOnSocket, pb } from '@sluice/api';
import type { DaemonConfig } from './config.js';
import { EventHub } from './events/hub.js';
import type { Logger, RotatingFile } from './log.js';
import type { DaemonContext } from './rpc/context.js';
import { diagnosticsService } from './rpc/diagnostics.js';
import { eventService } from './rpc/events.js';
import { identityService } from './rpc/identity.js';
import { relayService } from './rpc/relays.js';
import { settingsService } from './rpc/settings.js';
import { splitTunnelService } from './rpc/split-tunnel.js';
import { tunnelService } from './rpc/tunnel.js';
import { SettingsManager } from './settings/manager.js';
import { SettingsStore, type FaultHook } from './settings/store.js';
import { settingsToPb } from '@sluice/api/domain';

export { resolveConfig } from './config.js';

export interface StartOptions {
  /** Defaults to a silent logger (tests and embedders that do not care). */
  log?: Logger;
  logFile?: RotatingFile;
  /** Group given access to the socket (default "sluice" when it exists). */
  socketGroup?: string;
  settingsFaultHook?: FaultHook;
}

export interface RunningDaemon {
  readonly context: DaemonContext;
  readonly socketMode: number;
  stop(): Promise<void>;
}

export async function startDaemon(config: DaemonConfig, options: StartOptions): Promise<RunningDaemon> {
  const log = options.log ?? pino({ level: 'silent' });
  const hub = new EventHub();
  const notices: pb.Notice[] = [];

  const store = new SettingsStore(config.stateDir, options.settingsFaultHook);
  const loaded = await store.load();
  if (loaded.recovered) {
    const { movedTo, reason } = loaded.recovered;
    log.error({ movedTo, reason }, 'settings file unreadable; moved aside, starting on defaults');
    notices.push({
      kind: pb.Notice_Kind.KIND_SETTINGS_RECOVERED,
      message: `Your settings file could not be read (${reason}); Sluice started with default settings. The old file was kept at ${movedTo}.`,
      detail: movedTo,
    });
  }
  const settings = new SettingsManager(store, loaded.settings);

  const context: DaemonContext = {
    config,
    log,
    logFile: options.logFile,
    settings,
    hub,
    notices,
    // The tunnel engine comes later; until then the tunnel is truly always down.
    tunnelState: () => ({
      state: { $case: 'disconnected', value: {} },
      lockedDown: false,
      reason: 'no tunnel engine in this version',
    }),
    relayList: () => ({ countries: [], wireguard: undefined, source: '', updatedAt: undefined }),
    splitTunnelState: () => ({
      enabled: settings.settings.splitTunnel.enabled,
      pids: [],
      apps: [...settings.settings.splitTunnel.apps],
      mechanism: '',
    }),
  };

  settings.onChange((next) => {
    hub.publish({ event: { $case: 'settings', value: settingsToPb(next) } });
    hub.publish({ event: { $case: 'splitTunnel', value: context.splitTunnelState() } });
  });
  for (const notice of notices) hub.publish({ event: { $case: 'notice', value: notice } });

  const server = new grpc.Server();
  server.addService(pb.TunnelServiceService, tunnelService(context));
  server.addService(pb.EventServiceService, eventService(context));
  server.addService(pb.SettingsServiceService, settingsService(context));
  server.addService(pb.RelayServiceService, relayService(context));
  server.addService(pb.IdentityServiceService, identityService(context));
  server.addService(pb.SplitTunnelServiceService, splitTunnelService(context));
  server.addService(pb.DiagnosticsServiceService, diagnosticsService(context));
  const listening = await listenOnSocket(server, {
    socketPath: config.socketPath,
    groupName: options.socketGroup ?? 'sluice',
  });
  log.info(
    { socket: listening.socketPath, mode: listening.mode.toString(8), gid: listening.gid },
    'listening',
  );

  let stopping: Promise<void> | undefined;
  return {
    context,
    socketMode: listening.mode,
    stop: () => {
      stopping ??= (async () => {
        hub.endAll();
        await new Promise<void>((resolve) => {
          const force = setTimeout(() => {
            server.forceShutdown();
            resolve();
          }, 2_000);
          server.tryShutdown(() => {
            clearTimeout(force);
            resolve();
          });
        });
        await rm(config.socketPath, { force: true });
        log.info('stopped');
      })();
      return stopping;
    },
  };
}
