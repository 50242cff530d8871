// Watches a connected tunnel (after talpid-wireguard's connectivity/monitor): device counters every
// half second; while nothing arrives, a probe to the in-tunnel gateway at each sample (its answer
// shows up as received bytes); a run of silence or an expired handshake means the tunnel is dead.
// A pinger that can probe steadily is asked once, at the first silence, for echo requests at the
// sample interval until the watch stops, instead of one `ping` per sample (issue 13: CPU when idle).
import type { WireGuardDevice } from '../device.js';
import { DEFAULT_LIVENESS, LivenessTracker, type LivenessOptions } from './liveness.js';
import type { Pinger, SteadyProbe } from './pinger.js';

export const MONITOR_INTERVAL_MS = 500;
const PROBE_TIMEOUT_MS = 1_000;

export interface MonitorOptions {
  device: WireGuardDevice;
  pinger: Pinger;
  /** The in-tunnel address probed while the tunnel is silent; none: counters and handshake only. */
  probeTarget: string | undefined;
  onDead: (reason: string) => void;
  onSampleError?: (error: unknown) => void;
  liveness?: LivenessOptions;
  intervalMs?: number;
}

export interface TunnelWatch {
  stop(): void;
}

/** Start watching; `onDead` is called at most once, and never after `stop()`. */
export function watchTunnel(options: MonitorOptions): TunnelWatch {
  const { device, pinger, probeTarget } = options;
  const tracker = new LivenessTracker(options.liveness ?? DEFAULT_LIVENESS);
  const probes = new AbortController();
  const intervalMs = options.intervalMs ?? MONITOR_INTERVAL_MS;
  let steady: SteadyProbe | undefined;
  let stopped = false;
  let sampling = false;
  const sample = async (): Promise<void> => {
    const stats = await device.stats();
    if (stopped) return;
    const verdict = tracker.observe({
      atMs: Date.now(),
      rxBytes: stats.rxBytes,
      ...(stats.lastHandshakeAgeMs === null ? {} : { handshakeAgeMs: stats.lastHandshakeAgeMs }),
    });
    if (verdict.kind === 'probe' && probeTarget !== undefined) {
      if (pinger.probeSteadily !== undefined) {
        // Started again only if its process ended (say, the device went away and came back).
        if (steady?.running !== true) steady = pinger.probeSteadily(device.name, probeTarget, intervalMs);
      } else {
        // Not awaited: the answer is seen as rx growth by a later sample.
        void pinger.ping(device.name, probeTarget, { timeoutMs: PROBE_TIMEOUT_MS, signal: probes.signal });
      }
    } else if (verdict.kind === 'dead') {
      stop();
      options.onDead(verdict.reason);
    }
  };
  const timer = setInterval(() => {
    if (sampling || stopped) return;
    sampling = true;
    sample()
      .catch((error: unknown) => options.onSampleError?.(error))
      .finally(() => (sampling = false));
  }, intervalMs);
  const stop = (): void => {
    stopped = true;
    clearInterval(timer);
    probes.abort();
    steady?.stop();
  };
  return { stop };
}
