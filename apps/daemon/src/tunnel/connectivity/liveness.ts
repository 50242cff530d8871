// Is a connected tunnel still alive? Received bytes are the proof: while rx grows the relay answers.
// When rx stalls, the monitor probes the in-tunnel gateway (each answer grows rx again); a run of
// unanswered probes, or a handshake older than WireGuard ever lets one get, means the tunnel is dead.

export interface LivenessSample {
  atMs: number;
  rxBytes: number;
  /** Milliseconds since the last handshake; undefined before the first. */
  handshakeAgeMs?: number;
}

export type LivenessVerdict = { kind: 'alive' } | { kind: 'probe' } | { kind: 'dead'; reason: string };

export interface LivenessOptions {
  /** Quiet time after which a probe is sent. */
  stallMs: number;
  /** Quiet time after which the tunnel is declared dead, probes having gone unanswered. */
  deadMs: number;
  /** WireGuard rekeys every 120 s while traffic flows and rejects sessions after 180 s. */
  maxHandshakeAgeMs: number;
}

// Probed after 1 s of silence, dead after 3 s: the monitor samples every 500 ms and sends a probe at
// each sample while silent, so about four probes go unanswered before a reconnect (a healthy path
// that loses one or two packets is not torn down), and a dead relay is replaced within 5 s.
export const DEFAULT_LIVENESS: LivenessOptions = {
  stallMs: 1_000,
  deadMs: 3_000,
  maxHandshakeAgeMs: 180_000 + 15_000,
};

export class LivenessTracker {
  private lastRx = -1;
  private lastGrowthAtMs = 0;

  constructor(private readonly options: LivenessOptions = DEFAULT_LIVENESS) {}

  observe(sample: LivenessSample): LivenessVerdict {
    if (sample.rxBytes !== this.lastRx) {
      // Growth (or the first sample, or a counter reset after a device restart) counts as life.
      this.lastRx = sample.rxBytes;
      this.lastGrowthAtMs = sample.atMs;
    }
    if (sample.handshakeAgeMs !== undefined && sample.handshakeAgeMs > this.options.maxHandshakeAgeMs) {
      return { kind: 'dead', reason: `no handshake for ${Math.round(sample.handshakeAgeMs / 1000)} s` };
    }
    const quietMs = sample.atMs - this.lastGrowthAtMs;
    if (quietMs >= this.options.deadMs) {
      return { kind: 'dead', reason: `the relay has not answered for ${(quietMs / 1000).toFixed(1)} s` };
    }
    if (quietMs >= this.options.stallMs) return { kind: 'probe' };
    return { kind: 'alive' };
  }
}
