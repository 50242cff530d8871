// The bench's results: the JSON document (summaries with their samples) built from the raw runs.
import { type Environment } from './environment.js';
import { type IperfResult, toMbits } from './iperf.js';
import { type Throughput, type ToolRuns, type WgQuickRuns } from './measure.js';
import { type BenchOptions } from './options.js';
import { ratio, round, summarize, type Summary } from './stats.js';
import { type TunnelFacts } from './tunnel-facts.js';

export interface SampleSummary extends Summary {
  samples: number[];
}

export interface LatencyComparison {
  sluice: SampleSummary | null;
  wgQuick: SampleSummary | null;
  /** Sluice's median / wg-quick's median. */
  ratio: number | null;
}

export interface ThroughputPath {
  mbits: SampleSummary | null;
  runs: IperfResult[];
}

export interface ThroughputComparison {
  sluice: ThroughputPath;
  wgQuick: ThroughputPath;
  direct: ThroughputPath;
  ratios: { sluiceToWgQuick: number | null; sluiceToDirect: number | null; wgQuickToDirect: number | null };
}

export interface HostCheck {
  linksBefore: string[];
  linksAfter: string[];
  linksUnchanged: boolean;
  /** This lab's namespaces still listed after teardown (should be none). */
  labNamespacesLeft: string[];
}

export interface BenchReport {
  schema: 'sluice-bench/1';
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  options: Omit<BenchOptions, 'jsonPath'> & { firstByteProbeIntervalMs: number };
  environment: Environment;
  lab: {
    name: string;
    relay: { hostname: string; address: string };
    webUrl: string;
    clientAddress: string;
    tunnelAddress: string;
  };
  /** All in milliseconds. */
  timeToConnected: LatencyComparison;
  timeToFirstByte: LatencyComparison;
  throughput: { upload: ThroughputComparison; download: ThroughputComparison };
  /** Further figures, in milliseconds. */
  extra: {
    connectDuringFirstByteRuns: LatencyComparison;
    disconnect: LatencyComparison;
    probeAttemptsPerFirstByteRun: { sluice: SampleSummary | null; wgQuick: SampleSummary | null };
  };
  tunnels: { sluice: TunnelFacts | null; wgQuick: TunnelFacts | null };
  wgQuickConf: { path: string; removedLines: string[] };
  checks: {
    clientStateChangedBySluice: string[];
    clientStateChangedByWgQuick: string[];
    host: HostCheck | null;
  };
  /** What differs between the two setups, in words (also printed). */
  differences: string[];
}

export function sampleSummary(samples: readonly number[], digits = 3): SampleSummary | null {
  if (samples.length === 0) return null;
  const s = summarize(samples);
  return {
    n: s.n,
    median: round(s.median, digits),
    min: round(s.min, digits),
    max: round(s.max, digits),
    samples: samples.map((v) => round(v, digits)),
  };
}

export function compareLatency(sluice: readonly number[], wgQuick: readonly number[]): LatencyComparison {
  const a = sampleSummary(sluice);
  const b = sampleSummary(wgQuick);
  const r = ratio(a?.median, b?.median);
  return { sluice: a, wgQuick: b, ratio: r === null ? null : round(r, 3) };
}

function throughputPath(runs: readonly IperfResult[]): ThroughputPath {
  return {
    mbits: sampleSummary(
      runs.map((r) => toMbits(r.receivedBitsPerSecond)),
      1,
    ),
    runs: [...runs],
  };
}

export function compareThroughput(
  direction: 'upload' | 'download',
  sluice: Throughput,
  wgQuick: Throughput,
  direct: Throughput,
): ThroughputComparison {
  const paths = {
    sluice: throughputPath(sluice[direction]),
    wgQuick: throughputPath(wgQuick[direction]),
    direct: throughputPath(direct[direction]),
  };
  const r = (a: ThroughputPath, b: ThroughputPath): number | null => {
    const value = ratio(a.mbits?.median, b.mbits?.median);
    return value === null ? null : round(value, 3);
  };
  return {
    ...paths,
    ratios: {
      sluiceToWgQuick: r(paths.sluice, paths.wgQuick),
      sluiceToDirect: r(paths.sluice, paths.direct),
      wgQuickToDirect: r(paths.wgQuick, paths.direct),
    },
  };
}

function keepalive(facts: TunnelFacts | null): string {
  const seconds = facts?.device?.peers[0]?.persistentKeepaliveSeconds;
  return seconds === undefined ? 'unknown' : seconds === null ? 'off' : `${seconds} s`;
}

/** The differences between the two setups that the reader of the figures should know. */
export function describeDifferences(sluice: ToolRuns, wgQuick: WgQuickRuns): string[] {
  const removed = wgQuick.removedConfLines.map((l) => `"${l.trim()}"`).join(', ');
  const s = sluice.facts;
  const w = wgQuick.facts;
  const tables = (facts: TunnelFacts | null): string =>
    facts === null ? 'unknown' : facts.nftTables.length === 0 ? 'none' : facts.nftTables.join(', ');
  return [
    'Sluice "connected" is a verified state: a handshake and a ping answered by the in-tunnel gateway, the ' +
      'default route added only after that, and DNS set (static resolv.conf backend). `wg-quick up` returns once ' +
      'the device and routes are configured, without waiting for a handshake.',
    `wg-quick's file is the relay's own minus its DNS line (${removed === '' ? 'none found' : removed}): the lab ` +
      'client has no resolvconf, so wg-quick sets no DNS; Sluice does.',
    'Sluice probes the path MTU after connecting (DF pings through the tunnel) and lowers the MTU when large ' +
      `packets vanish. MTU during the throughput tests: Sluice ${String(s?.mtu ?? 'unknown')}, wg-quick ${String(w?.mtu ?? 'unknown')}.`,
    `PersistentKeepalive: Sluice ${keepalive(s)}, wg-quick ${keepalive(w)} (as in the file). Sluice also watches ` +
      'the connected tunnel (counters, pings).',
    `Policy routing: Sluice fwmark ${s?.device?.fwmark ?? 'off'}, wg-quick fwmark ${w?.device?.fwmark ?? 'off'}. ` +
      `nftables tables while connected: Sluice ${tables(s)}; wg-quick ${tables(w)}.`,
    'Both are userspace wireguard-go (no kernel module here), the same client identity, the same relay.',
  ];
}
