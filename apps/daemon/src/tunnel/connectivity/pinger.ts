// Pings through the tunnel, behind an interface so the engine's tests use a fake (after
// talpid-wireguard's connectivity/pinger). The real one runs `ping` through the Runner: Node has no raw
// ICMP sockets, and only ping can set don't-fragment for path-MTU probes.
import type { Runner } from '../../net/exec.js';
import { pingPayloadFor } from '../../net/mtu.js';
import type { ProcessLauncher } from '../process.js';

export interface PingOptions {
  /** How long to wait for the answer. */
  timeoutMs: number;
  /** Packet size in bytes (IP header included), sent with don't-fragment; absent: a small echo. */
  size?: number;
  /** Echo requests to send (0.2 s apart); one answer is enough. Default 1. */
  count?: number;
  signal?: AbortSignal;
}

export interface SteadyProbe {
  /** False once the probe has ended on its own (its process exited); stop() ends it otherwise. */
  readonly running: boolean;
  stop(): void;
}

export interface Pinger {
  /** True when `target` answered through `interfaceName` within the timeout. */
  ping(interfaceName: string, target: string, options: PingOptions): Promise<boolean>;
  /**
   * Echo requests every `intervalMs` until stopped, answers unread (they show up as received bytes).
   * Optional: without it the liveness monitor sends one ping per sample instead.
   */
  probeSteadily?(interfaceName: string, target: string, intervalMs: number): SteadyProbe;
}

/**
 * A steady probe's `ping` ends on its own after this long (the monitor starts another at the next
 * silence), so one left behind by a helper that was killed does not ping forever.
 */
export const STEADY_PROBE_MAX_SECONDS = 600;

/** The argv of a steady probe: quiet, numeric, every `intervalMs`, through `interfaceName`. */
export function steadyProbeArgv(interfaceName: string, target: string, intervalMs: number): string[] {
  return [
    'ping',
    target.includes(':') ? '-6' : '-4',
    '-n',
    '-q',
    '-i',
    (intervalMs / 1000).toFixed(3),
    '-w',
    String(STEADY_PROBE_MAX_SECONDS),
    '-I',
    interfaceName,
    target,
  ];
}

export class ProcessPinger implements Pinger {
  constructor(
    private readonly runner: Runner,
    /** Runs the steady probe's one long-lived `ping`; without it there is no steady probe. */
    private readonly launcher?: ProcessLauncher,
  ) {}

  /**
   * One `ping` process for as long as the tunnel is watched: an idle tunnel would otherwise start a
   * process every second or so, which costs the helper far more CPU than the echo requests themselves.
   */
  probeSteadily(interfaceName: string, target: string, intervalMs: number): SteadyProbe {
    if (this.launcher === undefined) throw new Error('no process launcher for a steady probe');
    const child = this.launcher.launch(steadyProbeArgv(interfaceName, target, intervalMs));
    let running = true;
    void child.exited.then(() => (running = false));
    return {
      get running() {
        return running;
      },
      stop: () => {
        if (running) child.kill('SIGTERM');
        running = false;
      },
    };
  }

  async ping(interfaceName: string, target: string, options: PingOptions): Promise<boolean> {
    const family = target.includes(':') ? 6 : 4;
    const count = options.count ?? 1;
    const argv = [
      'ping',
      family === 4 ? '-4' : '-6',
      '-n',
      '-q',
      '-c',
      String(count),
      ...(count > 1 ? ['-i', '0.2'] : []),
      '-W',
      (options.timeoutMs / 1000).toFixed(3),
      ...(options.size === undefined ? [] : ['-M', 'do', '-s', String(pingPayloadFor(options.size, family))]),
      '-I',
      interfaceName,
      target,
    ];
    // Exit 1: no answer; 2: an error such as "message too long" or no route. Neither is an answer.
    const result = await this.runner
      .run(argv, {
        okCodes: [1, 2],
        timeoutMs: options.timeoutMs + count * 200 + 2_000,
        ...(options.signal ? { signal: options.signal } : {}),
      })
      .catch(() => undefined);
    return result?.code === 0;
  }
}
