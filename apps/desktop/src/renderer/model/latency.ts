// Latency per relay, "where measured". Nothing measures it yet: neither the helper's API nor the
// renderer probes relays (the renderer must not open connections at all). So the source below knows no
// relay and the location view shows nothing rather than invented numbers. When the helper gains a
// measurement (e.g. a `relayLatency` field in AppState), feed it in here and the rows show it.

export type LatencySource = (hostname: string) => number | undefined;

export const noLatencyMeasured: LatencySource = () => undefined;

export function formatLatency(ms: number): string {
  return `${Math.round(ms)} ms`;
}
