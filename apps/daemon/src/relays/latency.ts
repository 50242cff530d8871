// Relay latency, the pure parts: which relays a request measures and at which address, the `ping`
// command a probe runs, and what its output says. The scheduling is in latency-meter.ts.
import type { RelayLatency, RelayList } from '@sluice/api/domain';

/** A relay to probe, or one that cannot be, with the reason. */
export type LatencyTarget =
  { hostname: string; address: string } | { hostname: string; address?: never; reason: string };

/** What one probe found: a round-trip time, or why there is none. */
export type ProbeResult = { rttMs: number } | { reason: string };

/** A probe's result and when it came (ms since the epoch). */
export interface Measurement {
  result: ProbeResult;
  at: number;
}

/** What a client is told about `hostname`: the measurement, or only why there is none. */
export function relayLatency(hostname: string, measurement: Measurement | { reason: string }): RelayLatency {
  if (!('result' in measurement)) return { hostname, kind: 'unknown', reason: measurement.reason };
  const measuredAt = new Date(measurement.at);
  const { result } = measurement;
  return 'rttMs' in result
    ? { hostname, kind: 'measured', rttMs: result.rttMs, measuredAt }
    : { hostname, kind: 'unknown', reason: result.reason, measuredAt };
}

/**
 * The relays `hostnames` names (in that order, each once), or every active relay when it is empty;
 * at most `max` are probed, the rest are reported as not measured. Only IPv4 endpoints are probed.
 */
export function latencyTargets(list: RelayList, hostnames: readonly string[], max: number): LatencyTarget[] {
  const relays = list.countries.flatMap((country) => country.cities.flatMap((city) => city.relays));
  const byHostname = new Map(relays.map((relay) => [relay.hostname, relay]));
  const wanted =
    hostnames.length > 0
      ? [...new Set(hostnames)]
      : relays.filter((relay) => relay.active).map((relay) => relay.hostname);
  let probed = 0;
  return wanted.map((hostname): LatencyTarget => {
    const relay = byHostname.get(hostname);
    if (!relay) return { hostname, reason: 'not in the relay list' };
    if (!relay.ipv4AddrIn) return { hostname, reason: 'the relay has no IPv4 endpoint to probe' };
    if (++probed > max)
      return { hostname, reason: `not measured: one request measures at most ${max} relays` };
    return { hostname, address: relay.ipv4AddrIn };
  });
}

export interface PingProbeOptions {
  /** SO_MARK for the probe, so policy routing sends it by the main table, outside the tunnel. */
  mark: number;
  timeoutMs: number;
}

/** One IPv4 echo request to `address`, waiting `timeoutMs` for the reply; numeric output, summary only. */
export function pingArgv(address: string, options: PingProbeOptions): string[] {
  return [
    'ping',
    '-4',
    '-n',
    '-q',
    '-c',
    '1',
    '-W',
    (options.timeoutMs / 1000).toFixed(3),
    '-m',
    String(options.mark),
    address,
  ];
}

// iputils: "rtt min/avg/max/mdev = 0.041/0.041/0.041/0.000 ms"; busybox: "round-trip min/avg/max = …".
const SUMMARY = /^(?:rtt|round-trip) min\/avg\/max(?:\/mdev)? = (\d+(?:\.\d+)?)\/\d+(?:\.\d+)?\//m;
const RECEIVED = /(\d+) (?:packets )?received/;

/**
 * What `ping -q` printed: the minimum round-trip time of the summary (the path's latency with the
 * least queueing), or why there is none. A summary without a time is never read as 0.
 */
export function parsePingOutput(stdout: string, timeoutMs: number): ProbeResult {
  const summary = SUMMARY.exec(stdout);
  if (summary?.[1] !== undefined) {
    const rttMs = Number(summary[1]);
    if (Number.isFinite(rttMs)) return { rttMs };
  }
  const received = RECEIVED.exec(stdout);
  if (received?.[1] === '0') return { reason: `no reply within ${timeoutMs} ms` };
  return { reason: 'ping printed no round-trip time' };
}

/** The first line of ping's complaint, e.g. "ping: connect: Network is unreachable", cut short. */
export function pingErrorReason(stderr: string): string {
  const line = stderr
    .split('\n')
    .map((text) => text.trim())
    .find(Boolean);
  return line ? `ping failed: ${line.slice(0, 120)}` : 'ping failed';
}
