// Traffic rates for the live graph: the helper sends the tunnel's byte counters about once a second;
// each pair of readings gives a receive and a send rate. The last minute is kept. Pure.
export const TRAFFIC_WINDOW_MS = 60_000;

export interface TrafficSample {
  /** When the reading arrived (ms since the epoch). */
  atMs: number;
  /** Bytes per second received and sent since the reading before. */
  rxRate: number;
  txRate: number;
}

export interface TrafficHistory {
  last: { atMs: number; rxBytes: number; txBytes: number } | undefined;
  samples: readonly TrafficSample[];
}

export const emptyTraffic: TrafficHistory = { last: undefined, samples: [] };

/** A reading added: a rate sample from the one before (none across a counter reset), old samples out. */
export function recordCounters(
  history: TrafficHistory,
  reading: { atMs: number; rxBytes: number; txBytes: number },
): TrafficHistory {
  const { last } = history;
  const since = reading.atMs - TRAFFIC_WINDOW_MS;
  const kept = history.samples.filter((sample) => sample.atMs > since);
  if (!last) return { last: reading, samples: kept };
  const seconds = (reading.atMs - last.atMs) / 1000;
  // The same reading again (a patch that was not stats), or a device made anew (counters from zero).
  if (seconds <= 0.2) return { last: history.last, samples: kept };
  if (reading.rxBytes < last.rxBytes || reading.txBytes < last.txBytes)
    return { last: reading, samples: kept };
  const sample = {
    atMs: reading.atMs,
    rxRate: (reading.rxBytes - last.rxBytes) / seconds,
    txRate: (reading.txBytes - last.txBytes) / seconds,
  };
  return { last: reading, samples: [...kept, sample] };
}

export function formatRate(bytesPerSecond: number): string {
  const units = ['B/s', 'kB/s', 'MB/s', 'GB/s'];
  let value = bytesPerSecond;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? Math.round(value) : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** The graph in words, for screen readers and for a glance: now and the minute's peak, each way. */
export function trafficSummary(samples: readonly TrafficSample[]): string {
  const now = samples.at(-1);
  if (!now) return 'Measuring traffic…';
  const peakRx = Math.max(...samples.map((sample) => sample.rxRate));
  const peakTx = Math.max(...samples.map((sample) => sample.txRate));
  return `Down ${formatRate(now.rxRate)}, up ${formatRate(now.txRate)}; peak in the last minute: down ${formatRate(peakRx)}, up ${formatRate(peakTx)}`;
}
