// The userspace backend: a supervised `wireguard-go -f <if>` (started, waited for until its UAPI socket
// answers, stopped with SIGTERM then SIGKILL, restarted when it dies) and the device that configures it
// over UAPI and re-applies its configuration after a restart.
import { connect } from 'node:net';
import { lstat, rm } from 'node:fs/promises';
import type { Runner } from '../net/exec.js';
import { handshakeAgeMs, validateDeviceConfig, type DeviceConfig } from './config.js';
import type { DeviceEvent, WireGuardDevice } from './device.js';
import { removeLinkIfPresent, validateInterfaceName } from './link.js';
import { silentLog, type DeviceLog } from './log.js';
import { DeadlineError, pollUntil } from './poll.js';
import { SpawnLauncher, type LaunchedProcess, type ProcessExit, type ProcessLauncher } from './process.js';
import { summarizeStats, type DeviceStats } from './stats.js';
import { DEFAULT_UAPI_DIR, UapiClient, UapiConnectionError, uapiSocketPath } from './uapi.js';

export interface WireGuardGoOptions {
  name: string;
  /** For `ip link` (removing a link a crashed run left). */
  runner: Runner;
  launcher?: ProcessLauncher;
  program?: string;
  /** Where wireguard-go puts `<if>.sock`; fixed in wireguard-go, injectable for tests. */
  socketDir?: string;
  /** wireguard-go's LOG_LEVEL. */
  logLevel?: 'silent' | 'error' | 'verbose';
  /** From launch until the UAPI socket answers. */
  startTimeoutMs?: number;
  /** How long SIGTERM gets before SIGKILL. */
  stopTimeoutMs?: number;
  /** Give up after this many unexpected exits within the window. */
  restartLimit?: { count: number; windowMs: number };
  /** Delay before restart attempt n (1-based). */
  restartDelayMs?: (attempt: number) => number;
  log?: DeviceLog;
  now?: () => number;
}

export type SupervisorEvent =
  | { type: 'exited'; pid: number | undefined; exit: ProcessExit; output: string[] }
  | { type: 'restarted'; pid: number | undefined; restarts: number }
  | { type: 'failed'; reason: string };

/** wireguard-go did not come up; carries what it printed. */
export class WireGuardGoStartError extends Error {
  override readonly name = 'WireGuardGoStartError';
  constructor(
    message: string,
    readonly output: readonly string[] = [],
  ) {
    super(output.length > 0 ? `${message}; it printed:\n${output.join('\n')}` : message);
  }
}

const OUTPUT_LINES_KEPT = 30;

/**
 * Printed by every wireguard-go on Linux (box-drawing ┌ │ └); noise in an error message. Escaped: one
 * character beyond Latin-1 in the bundle makes V8 keep its whole source two bytes a character (3.6 MB).
 */
function isBanner(line: string): boolean {
  return /^[\u250c\u2502\u2514]/.test(line);
}

function describeExit(exit: ProcessExit): string {
  if (exit.error) return exit.error;
  if (exit.signal) return `killed by ${exit.signal}`;
  return `exited with code ${exit.code ?? 'unknown'}`;
}

type SocketState = 'absent' | 'stale' | 'answers';

async function socketState(path: string): Promise<SocketState> {
  try {
    await lstat(path);
  } catch {
    return 'absent';
  }
  return new Promise((resolve) => {
    const socket = connect({ path });
    socket.once('connect', () => {
      socket.destroy();
      resolve('answers');
    });
    socket.on('error', () => {
      socket.destroy();
      resolve('stale');
    });
  });
}

interface Running {
  process: LaunchedProcess;
  output: string[];
}

export class WireGuardGoSupervisor {
  readonly name: string;
  readonly socketPath: string;
  private readonly runner: Runner;
  private readonly launcher: ProcessLauncher;
  private readonly program: string;
  private readonly logLevel: string;
  private readonly startTimeoutMs: number;
  private readonly stopTimeoutMs: number;
  private readonly restartLimit: { count: number; windowMs: number };
  private readonly restartDelayMs: (attempt: number) => number;
  private readonly log: DeviceLog;
  private readonly listeners = new Set<(event: SupervisorEvent) => void>();
  private current: Running | undefined;
  private stopping = false;
  private restarting: Promise<void> | undefined;
  private exitTimes: number[] = [];
  private restarts = 0;

  constructor(options: WireGuardGoOptions) {
    this.name = validateInterfaceName(options.name);
    this.socketPath = uapiSocketPath(this.name, options.socketDir ?? DEFAULT_UAPI_DIR);
    this.runner = options.runner;
    this.launcher = options.launcher ?? new SpawnLauncher();
    this.program = options.program ?? 'wireguard-go';
    this.logLevel = options.logLevel ?? 'error';
    this.startTimeoutMs = options.startTimeoutMs ?? 5_000;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 3_000;
    this.restartLimit = options.restartLimit ?? { count: 5, windowMs: 60_000 };
    this.restartDelayMs = options.restartDelayMs ?? ((n) => Math.min(2_000, 100 * 2 ** (n - 1)));
    this.log = options.log ?? silentLog;
  }

  get pid(): number | undefined {
    return this.current?.process.pid;
  }

  get running(): boolean {
    return this.current !== undefined;
  }

  onEvent(listener: (event: SupervisorEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Start wireguard-go and return once its UAPI socket answers. When no socket of the name exists no
   * wireguard-go runs for it, so it is launched at once (checking for a left-over link costs an `ip`
   * process on every connect); if it then fails, whatever is in the way is cleared and it is tried again.
   */
  async start(): Promise<void> {
    if (this.current || this.stopping) throw new Error(`wireguard-go for ${this.name} is already started`);
    const state = await socketState(this.socketPath);
    if (state !== 'absent') {
      await this.launch();
      return;
    }
    try {
      await this.launch(false);
    } catch (error) {
      if (!(error instanceof WireGuardGoStartError) || this.stopRequested()) throw error;
      this.log.info(
        { interface: this.name, reason: error.message },
        'wireguard-go did not start; clearing the way',
      );
      await this.launch();
    }
  }

  /** Stop wireguard-go (SIGTERM, then SIGKILL) and remove its socket; also ends restarting. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.restarting;
    const running = this.current;
    this.current = undefined;
    if (running) await this.terminate(running.process);
  }

  // A method, not the field: stop() may flip it during any await, which TypeScript's narrowing ignores.
  private stopRequested(): boolean {
    return this.stopping;
  }

  private emit(event: SupervisorEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  /** Clear what a crashed run left: our link (an orphaned wireguard-go exits with it) and a dead socket. */
  private async removeLeftovers(): Promise<void> {
    const removedLink = await removeLinkIfPresent(this.runner, this.name);
    if (removedLink) this.log.info({ interface: this.name }, 'removed an interface left by an earlier run');
    let state = await socketState(this.socketPath);
    if (state === 'answers' && removedLink) {
      // The orphan removes its socket as it exits; give it a moment.
      state = await pollUntil(
        async () => {
          const now = await socketState(this.socketPath);
          return now === 'answers' ? undefined : now;
        },
        `the old ${this.name} to exit`,
        this.stopTimeoutMs,
      ).catch((error: unknown) => {
        if (error instanceof DeadlineError) return 'answers' as const;
        throw error;
      });
    }
    if (state === 'answers') {
      throw new WireGuardGoStartError(
        `a WireGuard device named ${this.name} is already running elsewhere: ${this.socketPath} answers ` +
          'but there is no such interface here (probably another network namespace; its socket directory ' +
          'is shared); use another interface name',
      );
    }
    if (state === 'stale') {
      await rm(this.socketPath, { force: true });
      this.log.info({ socket: this.socketPath }, 'removed a stale WireGuard UAPI socket');
    }
  }

  /** Launch and wait for the socket; `clearFirst` removes what an earlier run left first. */
  private async launch(clearFirst = true): Promise<void> {
    if (clearFirst) await this.removeLeftovers();
    const output: string[] = [];
    const child = this.launcher.launch([this.program, '-f', this.name], {
      env: { LOG_LEVEL: this.logLevel },
      onOutput: (text) => {
        this.log.debug({ interface: this.name, line: text }, 'wireguard-go');
        if (isBanner(text)) return;
        output.push(text);
        if (output.length > OUTPUT_LINES_KEPT) output.shift();
      },
    });
    let exit: ProcessExit | undefined;
    void child.exited.then((e) => {
      exit = e;
    });
    const client = new UapiClient(this.socketPath, { timeoutMs: 1_000, device: this.name });
    try {
      await pollUntil(
        async () => {
          if (exit) {
            throw new WireGuardGoStartError(
              `wireguard-go for ${this.name} ${describeExit(exit)} while starting`,
              output,
            );
          }
          try {
            await client.get();
            return true;
          } catch (error) {
            if (error instanceof UapiConnectionError) return undefined;
            throw error;
          }
        },
        `wireguard-go's UAPI socket ${this.socketPath}`,
        this.startTimeoutMs,
      );
    } catch (error) {
      await this.terminate(child);
      if (error instanceof DeadlineError) throw new WireGuardGoStartError(error.message, output);
      throw error;
    } finally {
      client.close();
    }
    const running: Running = { process: child, output };
    this.current = running;
    this.log.info({ interface: this.name, pid: child.pid }, 'wireguard-go started');
    void child.exited.then((e) => {
      this.onExit(running, e);
    });
  }

  private onExit(running: Running, exit: ProcessExit): void {
    if (this.current !== running || this.stopping) return;
    this.current = undefined;
    this.log.warn(
      { interface: this.name, exit: describeExit(exit), output: running.output },
      'wireguard-go died',
    );
    this.emit({ type: 'exited', pid: running.process.pid, exit, output: [...running.output] });
    this.restarting = this.restartLoop().finally(() => (this.restarting = undefined));
  }

  private async restartLoop(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const now = Date.now();
      this.exitTimes = [...this.exitTimes.filter((t) => now - t < this.restartLimit.windowMs), now];
      if (this.exitTimes.length > this.restartLimit.count) {
        const reason = `wireguard-go for ${this.name} failed ${this.exitTimes.length} times within ${this.restartLimit.windowMs} ms; not restarting it again`;
        this.log.warn({ interface: this.name }, reason);
        this.emit({ type: 'failed', reason });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, this.restartDelayMs(attempt)));
      if (this.stopRequested()) return;
      try {
        await this.launch();
      } catch (error) {
        this.log.warn(
          { interface: this.name, error: error instanceof Error ? error.message : String(error) },
          'restarting wireguard-go failed',
        );
        continue;
      }
      // stop() came while launching: it waits for this loop, then stops what was launched.
      if (this.stopRequested()) return;
      this.restarts++;
      this.emit({ type: 'restarted', pid: this.current?.process.pid, restarts: this.restarts });
      return;
    }
  }

  private async terminate(child: LaunchedProcess): Promise<void> {
    const exitedWithin = async (ms: number): Promise<boolean> => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
      const result = await Promise.race([child.exited.then(() => true), timeout]);
      clearTimeout(timer);
      return result;
    };
    child.kill('SIGTERM');
    if (!(await exitedWithin(this.stopTimeoutMs))) {
      this.log.warn({ interface: this.name, pid: child.pid }, 'wireguard-go ignored SIGTERM; killing it');
      child.kill('SIGKILL');
      if (!(await exitedWithin(this.stopTimeoutMs))) {
        throw new Error(`wireguard-go for ${this.name} (pid ${child.pid ?? '?'}) did not exit after SIGKILL`);
      }
    }
    // A clean exit removes the socket; after SIGKILL it stays behind, dead.
    if ((await socketState(this.socketPath)) === 'stale') await rm(this.socketPath, { force: true });
  }
}

/** A WireGuardDevice run by wireguard-go and configured over its UAPI socket. */
export class WireGuardGoDevice implements WireGuardDevice {
  readonly backend = 'wireguard-go';
  readonly name: string;
  private readonly client: UapiClient;
  private readonly listeners = new Set<(event: DeviceEvent) => void>();
  private readonly now: () => number;
  private readonly log: DeviceLog;
  // The last configuration, to re-apply after a restart. Holds the private key: never log this object.
  #lastConfig: DeviceConfig | undefined;
  private closed = false;

  private constructor(
    readonly supervisor: WireGuardGoSupervisor,
    options: WireGuardGoOptions,
  ) {
    this.name = supervisor.name;
    this.client = new UapiClient(supervisor.socketPath, { device: this.name });
    this.now = options.now ?? Date.now;
    this.log = options.log ?? silentLog;
    supervisor.onEvent((event) => void this.onSupervisorEvent(event));
  }

  /** Start wireguard-go for `options.name`; resolves once it answers on UAPI. */
  static async open(options: WireGuardGoOptions): Promise<WireGuardGoDevice> {
    const supervisor = new WireGuardGoSupervisor(options);
    await supervisor.start();
    const device = new WireGuardGoDevice(supervisor, options);
    (options.log ?? silentLog).info(
      { interface: device.name, backend: 'wireguard-go' },
      'WireGuard device created',
    );
    return device;
  }

  async configure(config: DeviceConfig): Promise<void> {
    const checked = validateDeviceConfig(config);
    await this.apply(checked);
    this.#lastConfig = checked;
  }

  async stats(): Promise<DeviceStats> {
    const state = await this.client.get();
    const now = this.now();
    return summarizeStats(
      state.listenPort,
      state.fwmark,
      state.peers.map((peer) => ({
        publicKey: peer.publicKey,
        endpoint: peer.endpoint,
        allowedIps: peer.allowedIps,
        rxBytes: peer.rxBytes,
        txBytes: peer.txBytes,
        lastHandshakeAgeMs: handshakeAgeMs(peer.lastHandshakeSec, peer.lastHandshakeNsec, now),
      })),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.client.close();
    await this.supervisor.stop();
  }

  onEvent(listener: (event: DeviceEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: DeviceEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  private async apply(config: DeviceConfig): Promise<void> {
    const { peer } = config;
    await this.client.set({
      privateKey: config.privateKey,
      ...(config.listenPort === undefined ? {} : { listenPort: config.listenPort }),
      fwmark: config.fwmark,
      replacePeers: true,
      peers: [
        {
          publicKey: peer.publicKey,
          endpoint: peer.endpoint,
          ...(peer.presharedKey === undefined ? {} : { presharedKey: peer.presharedKey }),
          ...(peer.persistentKeepalive === undefined
            ? {}
            : { persistentKeepalive: peer.persistentKeepalive }),
          replaceAllowedIps: true,
          allowedIps: peer.allowedIps,
        },
      ],
    });
  }

  private async onSupervisorEvent(event: SupervisorEvent): Promise<void> {
    if (this.closed) return;
    if (event.type === 'exited') {
      this.emit({ type: 'lost', reason: `wireguard-go ${describeExit(event.exit)}` });
    } else if (event.type === 'failed') {
      this.emit({ type: 'failed', reason: event.reason });
    } else {
      const config = this.#lastConfig;
      if (!config) {
        this.emit({ type: 'restored', reconfigured: false });
        return;
      }
      try {
        await this.apply(config);
        this.emit({ type: 'restored', reconfigured: true });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        this.log.warn(
          { interface: this.name, error: reason },
          're-applying the WireGuard configuration failed',
        );
        this.emit({ type: 'restored', reconfigured: false, reason });
      }
    }
  }
}
