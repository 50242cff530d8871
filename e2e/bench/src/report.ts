// The bench's results: the JSON document (summaries with their samples) built from the raw runs.
import { type CliLatencyRuns } from './cli-latency.js';
import { type CliTiming } from './client/protocol.js';
import { type Environment } from './environment.js';
import {
  rssSlopeMibPerMinute,
  type HelperFootprintRuns,
  type HelperMemory,
  type RssSample,
} from './helper-footprint.js';
import { type IdleResult } from './idle.js';
import { type IperfResult, toMbits } from './iperf.js';
import {
  type PhaseRuns,
  type SluiceRuns,
  type Throughput,
  type ToolRuns,
  type WgQuickRuns,
} from './measure.js';
import { type BenchOptions } from './options.js';
import { type DeathRun } from './relay-death.js';
import { type RendererScaleFigures } from './renderer-scale/measure.js';
import { type SluiceSwitchRun, type WgQuickSwitchRun } from './relay-switch.js';
import { ratio, round, summarize, type Summary } from './stats.js';
import {
  checkTarget,
  checkTargets,
  countTargets,
  FOOTPRINT_TARGETS,
  type FootprintTargetId,
  type HelperFootprintTargetId,
  type RendererTargetId,
  type TargetCount,
  type TargetInput,
  type TargetResult,
} from './targets.js';
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

export interface RelaySwitchReport {
  /** Hostnames of the two relays, switched between in turn (the first is where it starts). */
  relays: [string, string];
  /** Sluice: SetRelayConstraints to `connected` via the other relay; wg-quick: down + up, ms. */
  comparison: LatencyComparison;
  sluiceRuns: SluiceSwitchRun[];
  wgQuickRuns: WgQuickSwitchRun[];
  /** What ended Sluice's switches early, null when they all ran. */
  error: string | null;
}

export interface RelayDeathReport {
  skipped: boolean;
  runsPlanned: number;
  /** Sluice: from the kill to `connected` via another relay, ms (completed runs). */
  ms: SampleSummary | null;
  runs: DeathRun[];
  error: string | null;
}

export interface IdleReport {
  skipped: boolean;
  /** The window asked for (--idle-seconds). */
  seconds: number;
  result: IdleResult | null;
  error: string | null;
}

/** One CLI command against `node -e 0`, timed in the same rounds in the lab client. */
export interface CliLatencyFigure {
  argv: string[];
  /** The command's wall time, ms. */
  cli: SampleSummary | null;
  /** `node -e 0`'s, ms. */
  node: SampleSummary | null;
  /** The command's median over `node -e 0`'s. */
  ratio: number | null;
  expectedExitCode: number;
  exitCodes: number[];
}

export interface FootprintReport {
  /** Timed rounds (after one untimed). */
  runs: number;
  /** In the lab client when the timing started. */
  loadAverage: number[] | null;
  /** `sluice status`, the helper running in the lab client. */
  status: CliLatencyFigure | null;
  /** `sluice status --json`, its socket path pointing nowhere. */
  statusNoHelper: CliLatencyFigure | null;
  error: string | null;
  /** sluiced's memory, CPU and event fan-out (null when that phase failed: see helperError). */
  helper: HelperFootprintReport | null;
  helperError: string | null;
  /** The renderer at scale (null when that phase failed: see rendererError). */
  renderer: RendererScaleReport | null;
  rendererError: string | null;
}

/** The renderer against the scaled fixture: times in ms with their samples, the bundle in bytes. */
export interface RendererScaleReport {
  relays: number;
  /** Picker opens to the list painted; the first (cold code) is also given alone. */
  open: SampleSummary;
  firstOpenMs: number;
  /** Keystroke to the list updated and laid out (the target's figure), and to the next frame run. */
  keystroke: SampleSummary & { p95: number };
  keystrokePainted: SampleSummary;
  bundleGzipBytes: number;
  bundleBaselineGzipBytes: number | null;
}

function p95(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(sorted.length * 0.95) - 1)] ?? Number.NaN;
}

export function rendererScaleReport(
  figures: RendererScaleFigures,
  baselineGzipBytes: number | null,
): RendererScaleReport {
  const withSamples = (values: readonly number[]): SampleSummary => ({
    ...summarize(values.map((v) => round(v, 2))),
    samples: values.map((v) => round(v, 2)),
  });
  return {
    relays: figures.relays,
    open: withSamples(figures.openMs),
    firstOpenMs: round(figures.openMs[0] ?? Number.NaN, 2),
    keystroke: { ...withSamples(figures.keystrokeMs), p95: round(p95(figures.keystrokeMs), 2) },
    keystrokePainted: withSamples(figures.keystrokePaintedMs),
    bundleGzipBytes: figures.bundleGzipBytes,
    bundleBaselineGzipBytes: baselineGzipBytes,
  };
}

const mib = (kb: number): number => round(kb / 1024, 1);

/** sluiced's footprint as the report keeps it: MiB, percent, milliseconds, with the samples. */
/** One reading of the helper's memory, in MiB. */
export interface HelperMemoryReport {
  rssMib: number;
  rssAnonMib: number | null;
  rssFileMib: number | null;
  pssMib: number | null;
}

function memoryReport(memory: HelperMemory): HelperMemoryReport {
  return {
    rssMib: mib(memory.rssKb),
    rssAnonMib: memory.rssAnonKb === null ? null : mib(memory.rssAnonKb),
    rssFileMib: memory.rssFileKb === null ? null : mib(memory.rssFileKb),
    pssMib: memory.pssKb === null ? null : mib(memory.pssKb),
  };
}

export interface HelperFootprintReport {
  /** The helper measured (the shipped bundle), relative to the checkout. */
  helper: string;
  relayCount: number;
  idle: HelperMemoryReport;
  connected: {
    /** The window (--connected-minutes). */
    minutes: number;
    relay: string;
    /** The last sample's RSS: the figure of the target. */
    rssMib: number | null;
    maxRssMib: number | null;
    /** Least-squares slope of the samples from `slopeFromSeconds` on (the second half). */
    slopeMibPerMinute: number | null;
    slopeFromSeconds: number;
    samples: RssSample[];
    /** The whole reading at the end of the window. */
    last: HelperMemoryReport;
  };
  cpuIdle: { seconds: number; cpuSeconds: number; percentOfOneCore: number | null };
  fanOut: { subscribers: number; ms: SampleSummary | null };
}

export function helperFootprintReport(runs: HelperFootprintRuns): HelperFootprintReport {
  const { samples, minutes } = runs.connected;
  const slopeFromSeconds = (minutes * 60) / 2;
  const slope = rssSlopeMibPerMinute(samples, slopeFromSeconds);
  const last = samples.at(-1);
  const cpuSeconds = runs.cpuIdle.cpuTicks / runs.cpuIdle.ticksPerSecond;
  return {
    helper: runs.helper,
    relayCount: runs.relayCount,
    idle: memoryReport(runs.idle),
    connected: {
      minutes,
      relay: runs.connected.relay,
      rssMib: last === undefined ? null : mib(last.rssKb),
      maxRssMib: samples.length === 0 ? null : mib(Math.max(...samples.map((s) => s.rssKb))),
      slopeMibPerMinute: slope === null ? null : round(slope, 4),
      slopeFromSeconds,
      samples,
      last: memoryReport(runs.connected.last),
    },
    cpuIdle: {
      seconds: runs.cpuIdle.seconds,
      cpuSeconds: round(cpuSeconds, 2),
      percentOfOneCore: runs.cpuIdle.seconds > 0 ? round((cpuSeconds / runs.cpuIdle.seconds) * 100, 4) : null,
    },
    fanOut: { subscribers: runs.fanOut.subscribers, ms: sampleSummary(runs.fanOut.ms) },
  };
}

function cliLatencyFigure(command: CliTiming, node: CliTiming, expectedExitCode: number): CliLatencyFigure {
  const cli = sampleSummary(command.ms);
  const baseline = sampleSummary(node.ms);
  const r = ratio(cli?.median, baseline?.median);
  return {
    argv: command.argv,
    cli,
    node: baseline,
    ratio: r === null ? null : round(r, 3),
    expectedExitCode,
    exitCodes: command.exitCodes,
  };
}

export function footprintReport(
  runs: number,
  measured: CliLatencyRuns | null,
  error: string | null,
  helper: { runs: HelperFootprintRuns | null; error: string | null } = { runs: null, error: 'not measured' },
  renderer: { report: RendererScaleReport | null; error: string | null } = {
    report: null,
    error: 'not measured',
  },
): FootprintReport {
  return {
    runs,
    loadAverage: measured === null ? null : measured.loadAverage.map((v) => round(v, 2)),
    status: measured === null ? null : cliLatencyFigure(measured.status, measured.node, 0),
    statusNoHelper: measured === null ? null : cliLatencyFigure(measured.statusNoHelper, measured.node, 3),
    error,
    helper: helper.runs === null ? null : helperFootprintReport(helper.runs),
    helperError: helper.error,
    renderer: renderer.report,
    rendererError: renderer.error,
  };
}

function cliTargetInput(figure: CliLatencyFigure | null, error: string | null): TargetInput {
  if (figure === null) return { value: null, failure: error };
  const wrong = figure.exitCodes.filter((code) => code !== figure.expectedExitCode);
  return {
    value: figure.ratio,
    failure:
      wrong.length === 0
        ? null
        : `exit code ${wrong[0]} in ${wrong.length} of ${figure.exitCodes.length} runs, expected ${figure.expectedExitCode}`,
  };
}

/** What `--only footprint` writes: the CLI's and sluiced's figures and their targets, and where. */
export interface FootprintOnlyReport {
  schema: 'sluice-bench-footprint/2';
  options: { cliRuns: number; connectedMinutes: number };
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  environment: Environment;
  footprint: FootprintReport;
  targets: TargetResult[];
  targetsMet: TargetCount;
  checks: { host: HostCheck | null };
}

function helperInputs(footprint: FootprintReport): Record<HelperFootprintTargetId, TargetInput> {
  const helper = footprint.helper;
  const failure = footprint.helperError;
  if (helper === null) {
    const none = { value: null, failure: failure ?? 'not measured' };
    return {
      helperRssIdle: none,
      helperRssConnected: none,
      helperRssGrowth: none,
      helperCpuIdle: none,
      eventFanOut: none,
    };
  }
  return {
    helperRssIdle: { value: helper.idle.rssMib },
    helperRssConnected: { value: helper.connected.rssMib },
    helperRssGrowth: { value: helper.connected.slopeMibPerMinute },
    helperCpuIdle: { value: helper.cpuIdle.percentOfOneCore },
    eventFanOut: { value: helper.fanOut.ms?.median ?? null },
  };
}

function rendererInputs(footprint: FootprintReport): Record<RendererTargetId, TargetInput> {
  const renderer = footprint.renderer;
  if (renderer === null) {
    const none = { value: null, failure: footprint.rendererError ?? 'not measured' };
    return { rendererSearch: none, rendererSearchP95: none, rendererOpen: none, rendererBundle: none };
  }
  return {
    rendererSearch: { value: renderer.keystroke.median },
    rendererSearchP95: { value: renderer.keystroke.p95 },
    rendererOpen: { value: renderer.open.median },
    rendererBundle:
      renderer.bundleBaselineGzipBytes === null
        ? { value: null, skipped: 'no committed baseline (e2e/bench/renderer-baseline.json)' }
        : { value: round(renderer.bundleGzipBytes / renderer.bundleBaselineGzipBytes, 3) },
  };
}

function footprintInputs(footprint: FootprintReport): Record<FootprintTargetId, TargetInput> {
  return {
    cliStatus: cliTargetInput(footprint.status, footprint.error),
    cliStatusNoHelper: cliTargetInput(footprint.statusNoHelper, footprint.error),
    ...helperInputs(footprint),
    ...rendererInputs(footprint),
  };
}

/** The CLI's targets alone (`--only footprint`); the full report lists them with the others. */
export function footprintTargets(footprint: FootprintReport): TargetResult[] {
  const inputs = footprintInputs(footprint);
  return FOOTPRINT_TARGETS.map((id) => checkTarget(id, inputs[id]));
}

/** A lab relay as the report names it. */
export interface ReportRelay {
  name: string;
  hostname: string;
  country: string;
  city: string;
  address: string;
}

export interface BenchReport {
  schema: 'sluice-bench/2';
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  options: Omit<BenchOptions, 'jsonPath'> & { firstByteProbeIntervalMs: number };
  environment: Environment;
  lab: {
    name: string;
    /** The relay of the latency and throughput figures (the first). */
    relay: { hostname: string; address: string };
    /** Every relay of the lab (switches use both). */
    relays: ReportRelay[];
    webUrl: string;
    clientAddress: string;
    tunnelAddress: string;
  };
  /** All in milliseconds. */
  timeToConnected: LatencyComparison;
  timeToFirstByte: LatencyComparison;
  throughput: { upload: ThroughputComparison; download: ThroughputComparison };
  relaySwitch: RelaySwitchReport;
  relayDeath: RelayDeathReport;
  idle: IdleReport;
  /** The CLI's start-up and sluiced's footprint (issue 13). */
  footprint: FootprintReport;
  /** Every target of the issue with its verdict, in the order they are printed. */
  targets: TargetResult[];
  targetsMet: TargetCount;
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

const roundMs = <T extends { ms: number }>(run: T): T => ({ ...run, ms: round(run.ms) });

export function relaySwitchReport(
  relays: [string, string],
  sluice: PhaseRuns<SluiceSwitchRun>,
  wgQuick: readonly WgQuickSwitchRun[],
): RelaySwitchReport {
  return {
    relays,
    comparison: compareLatency(
      sluice.runs.map((r) => r.ms),
      wgQuick.map((r) => r.ms),
    ),
    sluiceRuns: sluice.runs.map(roundMs),
    wgQuickRuns: wgQuick.map((r) => ({ ...roundMs(r), downMs: round(r.downMs), upMs: round(r.upMs) })),
    error: sluice.error,
  };
}

export function relayDeathReport(phase: PhaseRuns<DeathRun>, runsPlanned: number): RelayDeathReport {
  return {
    skipped: phase.skipped,
    runsPlanned: phase.skipped ? 0 : runsPlanned,
    ms: sampleSummary(phase.runs.map((r) => r.ms)),
    runs: phase.runs.map((r) => ({ ...roundMs(r), killMs: round(r.killMs) })),
    error: phase.error,
  };
}

export function idleReport(idle: SluiceRuns['idle'], seconds: number): IdleReport {
  return {
    skipped: idle.skipped,
    seconds: idle.skipped ? 0 : seconds,
    result: idle.result,
    error: idle.error,
  };
}

/** The report's figures against the targets. */
export function reportTargets(
  report: Pick<
    BenchReport,
    'timeToConnected' | 'timeToFirstByte' | 'extra' | 'relaySwitch' | 'relayDeath' | 'idle' | 'footprint'
  >,
): TargetResult[] {
  const { relaySwitch, relayDeath, idle } = report;
  const switchFailure =
    relaySwitch.error === null
      ? null
      : `Sluice's switches failed after ${relaySwitch.sluiceRuns.length} timed run${
          relaySwitch.sluiceRuns.length === 1 ? '' : 's'
        }: ${relaySwitch.error}`;
  const deathFailure =
    relayDeath.error !== null
      ? `failed after ${relayDeath.runs.length} of ${relayDeath.runsPlanned} runs: ${relayDeath.error}`
      : relayDeath.runs.length < relayDeath.runsPlanned
        ? `only ${relayDeath.runs.length} of ${relayDeath.runsPlanned} runs completed`
        : null;
  const idleFailure =
    idle.error ??
    (idle.result !== null && !idle.result.tunnelWorkedAfter
      ? 'the tunnel did not carry a request right after the window'
      : null);
  return checkTargets({
    timeToConnected: { value: report.timeToConnected.ratio },
    timeToFirstByte: { value: report.timeToFirstByte.ratio },
    disconnect: { value: report.extra.disconnect.ratio },
    relaySwitch: { value: relaySwitch.comparison.ratio, failure: switchFailure },
    relayDeath: relayDeath.skipped
      ? { value: null, skipped: 'skipped (--death-runs 0)' }
      : { value: relayDeath.ms?.median ?? null, failure: deathFailure },
    idleFalseReconnects: idle.skipped
      ? { value: null, skipped: 'skipped (--idle-seconds 0)' }
      : { value: idle.result?.falseReconnects ?? null, failure: idleFailure },
    ...footprintInputs(report.footprint),
  });
}

/** The targets and their count, for a report built without them. */
export function withTargets(report: Omit<BenchReport, 'targets' | 'targetsMet'>): BenchReport {
  const targets = reportTargets(report);
  return { ...report, targets, targetsMet: countTargets(targets) };
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
    'Relay switch: Sluice is told a new location (SetRelayConstraints) and reconnects on its own, verifying ' +
      'the new tunnel before "connected"; wg-quick is two commands run by hand, timed without the launch of ' +
      'each command and without waiting for wireguard-go to exit between them.',
  ];
}
