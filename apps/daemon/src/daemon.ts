// Assembles the helper. Start-up order: settings, (firewall policy: a later version), relay list and
// identity, clean-up of what a previous run left, then the gRPC socket, then auto-connect. The returned
// handle stops it cleanly. Used by main.ts and, in-process, by the tests.
import { readFile, rm } from 'node:fs/promises';
import * as grpc from '@grpc/grpc-js';
import type { Socket } from 'node:net';
import { listenOnSocket, lookupGroupId, pb } from '@sluice/api';
import { relayListToPb, settingsToPb, type SluiceSettings } from '@sluice/api/domain';
import { pino } from 'pino';
import type { DaemonConfig } from './config.js';
import { EventHub } from './events/hub.js';
import { IdentityStore } from './identity/store.js';
import type { Logger, RotatingFile } from './log.js';
import { createDnsBackend, type DnsBackend } from './net/dns/index.js';
import { SystemRunner, type Runner } from './net/exec.js';
import { watchDefaultRoutes } from './net/route-monitor.js';
import { LatencyMeter, PingProber, type LatencyProber } from './relays/latency-meter.js';
import { RelayManager } from './relays/manager.js';
import { RelayListStore } from './relays/store.js';
import { CallerRegistry, CONTROL_GROUP, type Caller } from './rpc/callers.js';
import type { DaemonContext } from './rpc/context.js';
import { tolerantDecoding } from './rpc/malformed.js';
import { diagnosticsService } from './rpc/diagnostics.js';
import { eventService, eventServiceDefinition } from './rpc/events.js';
import { identityService } from './rpc/identity.js';
import { relayService } from './rpc/relays.js';
import { settingsService } from './rpc/settings.js';
import { splitTunnelService } from './rpc/split-tunnel.js';
import { tunnelService } from './rpc/tunnel.js';
import { tunnelStateToPb, tunnelStatsToPb } from './rpc/tunnel-state.js';
import { SettingsManager } from './settings/manager.js';
import { SettingsStore, type FaultHook } from './settings/store.js';
import { ensurePrivateDir } from './util/atomic-file.js';
import { releaseUnusedMemory, releaseUnusedMemoryAfterStart } from './util/memory.js';
import { openWireGuardDevice, type WireGuardDevice } from './tunnel/device.js';
import { ProcessPinger, type Pinger } from './tunnel/connectivity/pinger.js';
import { TunnelEngine, type EngineDeps } from './tunnel/engine.js';
import type { TunnelState } from './tunnel/state-machine.js';
import { TargetStateStore } from './tunnel/target-state.js';
import { Firewall } from './net/firewall.js';
import { TUNNEL_FWMARK } from './net/routing.js';
import { RealCgroupFs, type CgroupFs } from './split-tunnel/cgroup-fs.js';
import { nftCanMatch } from './split-tunnel/mechanism.js';
import { SplitTunnel } from './split-tunnel/service.js';
import { blockedPolicy } from './tunnel/policy.js';
import { splitTunnelStateToPb } from './rpc/split-tunnel-state.js';

import { SpawnLauncher } from './tunnel/process.js';

export { resolveConfig } from './config.js';
export { RecordingRunner, SystemRunner, type Runner } from './net/exec.js';

export interface StartOptions {
  /** Defaults to a silent logger (tests and embedders that do not care). */
  log?: Logger;
  logFile?: RotatingFile;
  /** The group whose members may change things (default "sluice", looked up in `groupFile`). */
  controlGroup?: string;
  /** Where groups are looked up (default /etc/group; tests use their own). */
  groupFile?: string;
  /** Who is on a connection; default: the kernel's peer credentials. */
  callerOf?: (socket: Socket) => Caller | undefined;
  settingsFaultHook?: FaultHook;
  /** System calls (tests may record them). */
  runner?: Runner;
  /** Test seam for the WireGuard device. */
  openDevice?: (name: string) => Promise<WireGuardDevice>;
  /** Test seam for pings through the tunnel. */
  pinger?: Pinger;
  /** Test seam for relay latency probes (default: `ping` through the runner, marked past the tunnel). */
  latencyProber?: LatencyProber;
  /** Test seam for the watch of the main table's default routes. */
  watchDefaultRoute?: EngineDeps['watchDefaultRoute'];
  dns?: DnsBackend;
  /** The kill switch; null runs without one (tests whose system calls are only recorded). */
  firewall?: Firewall | null;
  /** The cgroup filesystem and /proc, for split tunnelling (tests use a fake). */
  cgroupFs?: CgroupFs;
  /** /proc/self/mountinfo's text (tests describe a cgroup layout). */
  mountinfo?: () => Promise<string>;
}

export interface RunningDaemon {
  readonly context: DaemonContext;
  readonly socketMode: number;
  stop(): Promise<void>;
}

const STATS_INTERVAL_MS = 1_000;
/** How long a latency probe waits for the relay's echo reply. */
const LATENCY_PROBE_TIMEOUT_MS = 1_000;

/**
 * Open WireGuard devices with the backend that worked last time: once the kernel module has been found
 * missing, every later connect goes straight to wireguard-go instead of probing again (a failed
 * `ip link add` on each connect).
 */
function openDeviceRemembering(runner: Runner, log: Logger): (name: string) => Promise<WireGuardDevice> {
  let backend: 'auto' | WireGuardDevice['backend'] = 'auto';
  return async (name) => {
    const device = await openWireGuardDevice({ name, runner, log, backend });
    backend = device.backend;
    return device;
  };
}

/** Should traffic be blocked while the helper is not (yet) running a tunnel? */

export function blockWhenIdle(settings: SluiceSettings, targetSecured: boolean): boolean {
  return settings.lockdownMode || settings.autoConnect || targetSecured;
}

/** `sluiced --init-firewall`: at boot, before any network is up, block if the saved settings say so. */
export async function initFirewall(
  config: DaemonConfig,
  log: Logger,
  runner: Runner = new SystemRunner(),
): Promise<'blocked' | 'open'> {
  const settings = (await new SettingsStore(config.stateDir).load()).settings;
  const secured = await new TargetStateStore(config.stateDir).load();
  if (!blockWhenIdle(settings, secured)) {
    log.info('boot firewall: nothing to block (no lockdown, no auto-connect, tunnel not wanted)');
    return 'open';
  }
  await new Firewall(runner).apply({
    kind: 'blocked',
    allowLan: settings.allowLan,
    bypassRanges: settings.bypassRanges,
  });
  log.info('boot firewall: blocking until the tunnel is up');
  return 'blocked';
}

export async function startDaemon(config: DaemonConfig, options: StartOptions = {}): Promise<RunningDaemon> {
  const log = options.log ?? pino({ level: 'silent' });
  const runner = options.runner ?? new SystemRunner();
  const hub = new EventHub();
  const notices: pb.Notice[] = [];
  const recovered = (what: string, result: { movedTo: string; reason: string } | undefined): void => {
    if (!result) return;
    log.error({ movedTo: result.movedTo, reason: result.reason }, `${what} file unreadable; moved aside`);
    notices.push({
      kind: pb.Notice_Kind.KIND_SETTINGS_RECOVERED,
      message: `Your ${what} file could not be read (${result.reason}); Sluice started without it. The old file was kept at ${result.movedTo}.`,
      detail: result.movedTo,
    });
  };

  // Keys and settings live here: a directory others could write to is refused (before anything is read).
  await ensurePrivateDir(config.stateDir);
  const settingsStore = new SettingsStore(config.stateDir, options.settingsFaultHook);
  const loadedSettings = await settingsStore.load();
  recovered('settings', loadedSettings.recovered);
  const settings = new SettingsManager(settingsStore, loadedSettings.settings);

  // Before anything else: the firewall policy the saved settings call for. A helper that died while
  // the tunnel was wanted left its table; it is replaced by "blocked" until the tunnel is back.
  const target = new TargetStateStore(config.stateDir);
  const targetSecured = await target.load();
  // Without nftables there is no kill switch: nothing claims to block, and `sluice doctor` says so.
  const hasNft = await runner.run(['nft', '--version']).then(
    () => true,
    () => false,
  );
  if (!hasNft) log.error('nftables (nft) is not installed: running without a kill switch');
  const firewall =
    options.firewall === null || !hasNft ? undefined : (options.firewall ?? new Firewall(runner));

  // Split tunnelling before the first policy, so excluded programs keep working through a restart.
  // Split tunnelling starts before the engine exists; it reaches the engine through this once it does.
  const later: { engine?: TunnelEngine } = {};
  let splitTunnelPb: pb.SplitTunnelState = {
    enabled: settings.settings.splitTunnel.enabled,
    pids: [],
    apps: [...settings.settings.splitTunnel.apps],
    mechanism: 'unavailable',
    detail: 'not detected yet',
    processes: [],
  };
  let splitTunnelPublishing: Promise<void> = Promise.resolve();
  const splitTunnel = new SplitTunnel({
    fs: options.cgroupFs ?? new RealCgroupFs(),
    log,
    cgroupName: config.splitTunnelCgroup,
    mountinfo: options.mountinfo ?? (() => readFile('/proc/self/mountinfo', 'utf8')),
    canMatch: (match) => (hasNft ? nftCanMatch(runner, match) : Promise.resolve('nftables is not installed')),
    settings: () => settings.settings.splitTunnel,
    onExclusionChange: (replace) => {
      if (replace) firewall?.forget();
      later.engine?.exclusionChanged();
    },
    onStateChange: () => {
      splitTunnelPublishing = splitTunnelPublishing
        .then(() => splitTunnel.status())
        .then((status) => {
          splitTunnelPb = splitTunnelStateToPb(status);
          hub.publish({ event: { $case: 'splitTunnel', value: splitTunnelPb } });
        })
        .catch((error: unknown) => log.warn({ err: error }, 'could not read the split-tunnel state'));
    },
  });
  await splitTunnel.start();

  if (firewall && blockWhenIdle(settings.settings, targetSecured)) {
    await firewall.apply(blockedPolicy(settings.settings, splitTunnel.exclusion()));
    log.info('firewall: blocking until the tunnel is up');
  }

  const relayStore = new RelayListStore(config.stateDir);
  const loadedRelays = await relayStore.load();
  recovered('relay list', loadedRelays.recovered);
  const relays = new RelayManager(relayStore, {
    list: loadedRelays.list,
    presharedKeys: loadedRelays.presharedKeys,
  });

  const identity = new IdentityStore(config.stateDir);
  const loadedIdentity = await identity.load();
  recovered('identity', loadedIdentity.recovered);
  if (loadedIdentity.created)
    log.info({ publicKey: loadedIdentity.identity.publicKey }, 'generated a new device key');

  const dns = options.dns ?? (await createDnsBackend(config, runner, log));
  log.info({ dns: dns.name }, 'DNS backend chosen');

  // Published tunnel states go out in order even though building one may wait for device counters.
  let lastTunnelState: pb.TunnelState = tunnelStateToPb(
    { kind: 'disconnected' },
    'helper started',
    undefined,
    false,
  );
  let publishing: Promise<void> = Promise.resolve();
  const publishState = (state: TunnelState, reason: string): Promise<void> => {
    publishing = publishing.then(async () => {
      const info = state.kind === 'connected' ? await engine.tunnelInfo() : undefined;

      lastTunnelState = tunnelStateToPb(state, reason, info, engine.lockedDown, engine.bypassInForce);
      hub.publish({ event: { $case: 'tunnelState', value: lastTunnelState } });
    });
    return publishing;
  };
  const engine: TunnelEngine = new TunnelEngine({
    interfaceName: config.interfaceName,
    log,
    runner,
    settings: () => settings.settings,
    relays,
    identity,
    dns,
    openDevice: options.openDevice ?? openDeviceRemembering(runner, log),
    pinger: options.pinger ?? new ProcessPinger(runner, new SpawnLauncher()),
    watchDefaultRoute:
      options.watchDefaultRoute ?? ((onChange) => watchDefaultRoutes(new SpawnLauncher(), onChange)),
    onState: (state, reason) => void publishState(state, reason),
    firewall,
    onTargetChange: (secured) => {
      target
        .save(secured)
        .catch((error: unknown) => log.error({ err: error }, 'could not save the target state'));
    },
    exclusion: () => splitTunnel.exclusion(),
    onUnexpectedDisconnect: (message) => {
      const notice = { kind: pb.Notice_Kind.KIND_UNEXPECTED_DISCONNECT, message, detail: '' };
      hub.publish({ event: { $case: 'notice', value: notice } });
    },
  });
  later.engine = engine;
  await engine.recover();
  // Now the engine's own view. When the tunnel is wanted, go straight to connecting (which blocks):
  // applying the idle policy first would open the firewall for a moment with the routes already
  // direct, which is exactly a leak. Otherwise open up (or stay blocked under lockdown).
  const connectAtStart = settings.settings.autoConnect || targetSecured;
  if (connectAtStart)
    log.info({ autoConnect: settings.settings.autoConnect, targetSecured }, 'connecting at start');
  engine.start(connectAtStart);
  if (!connectAtStart) {
    await engine.settled();
    await publishing;
  }

  // Probes carry the tunnel fwmark: policy routing sends them by the main table, the kill switch lets them out.
  const latency = new LatencyMeter({
    prober:
      options.latencyProber ??
      new PingProber(runner, { mark: TUNNEL_FWMARK, timeoutMs: LATENCY_PROBE_TIMEOUT_MS }),
  });
  const controlGid = await lookupGroupId(options.controlGroup ?? CONTROL_GROUP, options.groupFile);
  const callers = new CallerRegistry(options.callerOf);
  const context: DaemonContext = {
    config,
    log,
    callers,
    controlGid,
    logFile: options.logFile,
    settings,
    hub,
    notices,
    engine,
    firewall,
    dns,
    runner,
    relays,
    latency,
    identity,
    tunnelState: () => lastTunnelState,

    freshTunnelState: async () => {
      await publishing;
      const info = await engine.tunnelInfo();
      return info
        ? tunnelStateToPb(engine.state, lastTunnelState.reason, info, engine.lockedDown, engine.bypassInForce)
        : lastTunnelState;
    },
    relayList: () => relayListToPb(relays.current().list),
    identityPb: () => {
      const id = identity.current();
      return {
        publicKey: id.publicKey,
        addresses: [...id.addresses],
        createdAt: new Date(id.createdAt),
        origin:
          id.origin === 'imported' ? pb.Identity_Origin.ORIGIN_IMPORTED : pb.Identity_Origin.ORIGIN_GENERATED,
      };
    },
    splitTunnel,
    splitTunnelState: () => splitTunnelPb,
    freshSplitTunnelState: async () => {
      await splitTunnelPublishing;
      return (splitTunnelPb = splitTunnelStateToPb(await splitTunnel.status()));
    },
  };

  let previousSettings = settings.settings;
  settings.onChange((next) => {
    hub.publish({ event: { $case: 'settings', value: settingsToPb(next) } });
    engine.settingsChanged(previousSettings, next);
    void splitTunnel
      .settingsChanged(previousSettings.splitTunnel, next.splitTunnel)
      .catch((error: unknown) => log.error({ err: error }, 'split tunnelling could not follow the settings'));
    previousSettings = next;
  });
  relays.onChange(() => {
    hub.publish({ event: { $case: 'relayList', value: context.relayList() } });
    releaseUnusedMemory(log, 'a relay-list change');
  });
  for (const notice of notices) hub.publish({ event: { $case: 'notice', value: notice } });

  // Counters go out once a second, and only while someone asked for them.
  let statsTimer: NodeJS.Timeout | undefined;
  hub.onStatsDemand = (wanted) => {
    clearInterval(statsTimer);
    statsTimer = undefined;
    if (!wanted) return;
    statsTimer = setInterval(() => {
      void engine.tunnelInfo().then((info) => {
        if (info) hub.publish({ event: { $case: 'tunnelStats', value: tunnelStatsToPb(info) } });
      });
    }, STATS_INTERVAL_MS);
  };

  const server = new grpc.Server();
  server.addService(tolerantDecoding(pb.TunnelServiceService), tunnelService(context));
  server.addService(tolerantDecoding(eventServiceDefinition), eventService(context));
  server.addService(tolerantDecoding(pb.SettingsServiceService), settingsService(context));
  server.addService(tolerantDecoding(pb.RelayServiceService), relayService(context));
  server.addService(tolerantDecoding(pb.IdentityServiceService), identityService(context));
  server.addService(tolerantDecoding(pb.SplitTunnelServiceService), splitTunnelService(context));
  server.addService(tolerantDecoding(pb.DiagnosticsServiceService), diagnosticsService(context));
  const listening = await listenOnSocket(server, {
    socketPath: config.socketPath,
    identify: (socket) => callers.identify(socket),
  });
  log.info({ socket: listening.socketPath, mode: listening.mode.toString(8), controlGid }, 'listening');
  const cancelRelease = releaseUnusedMemoryAfterStart(log);

  let stopping: Promise<void> | undefined;
  return {
    context,
    socketMode: listening.mode,
    stop: () => {
      stopping ??= (async () => {
        clearInterval(statsTimer);
        cancelRelease();
        hub.endAll();
        latency.close();
        const keepBlocking = settings.settings.lockdownMode || target.current;
        await engine.shutdown(keepBlocking);
        // The table stays when blocking, exclusion rules and all: excluded programs keep working.
        await splitTunnel
          .stop(keepBlocking && firewall !== undefined)
          .catch((error: unknown) => log.error({ err: error }, 'could not undo split tunnelling'));

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
        await listening.close();
        await rm(config.socketPath, { force: true });
        log.info('stopped');
      })();
      return stopping;
    },
  };
}
