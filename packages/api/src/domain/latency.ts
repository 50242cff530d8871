// Relay latency as clients show it (the location picker's "12 ms"), and its wire conversion. A time is
// either measured or unknown with a reason: an unknown time is never shown as a number.
import type * as pb from '../gen/sluice/v1/relays.js';

/** Hostnames one MeasureLatency call may name (a Mullvad list has about 600 WireGuard relays). */
export const MAX_LATENCY_HOSTNAMES = 10_000;

export type RelayLatency =
  | {
      hostname: string;
      kind: 'measured';
      /** Round-trip time in milliseconds. */
      rttMs: number;
      measuredAt: Date;
    }
  | {
      hostname: string;
      kind: 'unknown';
      /** Why, in words: "no reply within 1000 ms", "not in the relay list". */
      reason: string;
      /** When a probe gave up; absent when none was sent. */
      measuredAt?: Date;
    };

export function relayLatencyToPb(latency: RelayLatency): pb.RelayLatency {
  if (latency.kind === 'measured') {
    return {
      hostname: latency.hostname,
      rttMs: latency.rttMs,
      unknownReason: '',
      measuredAt: latency.measuredAt,
    };
  }
  return {
    hostname: latency.hostname,
    rttMs: undefined,
    unknownReason: latency.reason,
    measuredAt: latency.measuredAt,
  };
}

/** The wire message as a domain value; a time that is not a finite, non-negative number is unknown. */
export function relayLatencyFromPb(latency: pb.RelayLatency): RelayLatency {
  const { hostname, rttMs, measuredAt } = latency;
  if (rttMs !== undefined && Number.isFinite(rttMs) && rttMs >= 0 && measuredAt !== undefined)
    return { hostname, kind: 'measured', rttMs, measuredAt };
  const reason =
    latency.unknownReason ||
    (rttMs === undefined ? 'not measured' : `the helper sent an unusable time (${rttMs})`);
  return measuredAt === undefined
    ? { hostname, kind: 'unknown', reason }
    : { hostname, kind: 'unknown', reason, measuredAt };
}

/** "0.4 ms", "12 ms", "240 ms"; "unknown" when there is no time. */
export function latencyText(latency: RelayLatency): string {
  if (latency.kind === 'unknown') return 'unknown';
  const ms = latency.rttMs;
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

/** The relay with the smallest measured time; undefined when none was measured. */
export function fastestRelay(latencies: readonly RelayLatency[]): string | undefined {
  let best: { hostname: string; rttMs: number } | undefined;
  for (const latency of latencies)
    if (latency.kind === 'measured' && (best === undefined || latency.rttMs < best.rttMs)) best = latency;
  return best?.hostname;
}
