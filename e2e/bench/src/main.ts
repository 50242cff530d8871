// `npm run bench`: one lab, two relays; Sluice and wg-quick (wireguard-go) measured one after the other on the
// first relay, switching between both, and the direct path for reference; Sluice alone for relay deaths and
// an idle window. Prints the tables with the targets on stdout (progress on stderr) and writes the
// results as JSON. Needs root (the lab's network namespaces); nothing runs in the host's namespace.
// `--only footprint` measures just the CLI's start-up, sluiced's footprint and the renderer at scale, in a
// lab with one relay (the renderer needs none).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Lab, type LabRelay } from '@sluice/netlab';
import { measureCliLatency } from './cli-latency.js';
import { collectEnvironment, roundedLoad, type Environment } from './environment.js';
import { PROBE_INTERVAL_MS } from './first-byte.js';
import { measureHelperFootprint, type HelperFootprintRuns } from './helper-footprint.js';
import { hostSnapshot } from './lab-checks.js';
import { Interrupted, watchInterrupts } from './interrupt.js';
import { measureDirect, measureSluice, measureWgQuick, type RelayPair } from './measure.js';
import { parseBenchOptions, UsageError, USAGE, type BenchOptions } from './options.js';
import {
  compareLatency,
  compareThroughput,
  describeDifferences,
  footprintReport,
  footprintTargets,
  idleReport,
  relayDeathReport,
  relaySwitchReport,
  sampleSummary,
  withTargets,
  type BenchReport,
  type FootprintOnlyReport,
  type FootprintReport,
  type HostCheck,
  type RendererScaleReport,
  rendererScaleReport,
} from './report.js';
import { renderFootprintReport, renderReport } from './render.js';
import { measureRendererScale } from './renderer-scale/measure.js';
import { countTargets } from './targets.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const RENDERER_DIR = join(ROOT, 'apps/desktop/dist/renderer');
const FIXTURE = join(ROOT, '../shared/fixtures/mullvad-relays-api.json');
const RENDERER_BASELINE = join(ROOT, 'e2e/bench/renderer-baseline.json');
/** The scale: the 577-relay fixture, scaled. */
const RENDERER_RELAYS = 5000;

function log(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The CLI's start-up figures, then sluiced's footprint (through `relay`); a failure of either is reported
 * with its figures (their targets then are not met). An interrupt ends both at once.
 */
async function measureFootprint(
  lab: Lab,
  relay: LabRelay,
  options: BenchOptions,
  signal: AbortSignal,
): Promise<FootprintReport> {
  let cli: Awaited<ReturnType<typeof measureCliLatency>> | null = null;
  let cliError: string | null = null;
  try {
    cli = await measureCliLatency(lab, options.cliRuns, log);
  } catch (error) {
    log(`CLI start-up: ${String(error)}`);
    cliError = messageOf(error);
  }
  signal.throwIfAborted();
  let helper: HelperFootprintRuns | null = null;
  let helperError: string | null = null;
  try {
    helper = await measureHelperFootprint(lab, relay, options.connectedMinutes, log, signal);
  } catch (error) {
    signal.throwIfAborted();
    log(`sluiced footprint: ${String(error)}`);
    helperError = messageOf(error);
  }
  signal.throwIfAborted();
  let renderer: RendererScaleReport | null = null;
  let rendererError: string | null = null;
  try {
    log(`renderer: Select location with ${RENDERER_RELAYS} relays, in Chromium`);
    const figures = await measureRendererScale({
      rendererDir: RENDERER_DIR,
      fixture: JSON.parse(readFileSync(FIXTURE, 'utf8')) as unknown,
      relays: RENDERER_RELAYS,
    });
    renderer = rendererScaleReport(figures, rendererBaselineGzipBytes());
  } catch (error) {
    log(`renderer: ${String(error)}`);
    rendererError = messageOf(error);
  }
  return footprintReport(
    options.cliRuns,
    cli,
    cliError,
    { runs: helper, error: helperError },
    { report: renderer, error: rendererError },
  );
}

/** The renderer's gzipped JavaScript when the baseline was taken (a change of more than 10 % needs a note). */
function rendererBaselineGzipBytes(): number | null {
  try {
    const baseline: unknown = JSON.parse(readFileSync(RENDERER_BASELINE, 'utf8'));
    return typeof baseline === 'object' &&
      baseline !== null &&
      'bundleGzipBytes' in baseline &&
      typeof baseline.bundleGzipBytes === 'number'
      ? baseline.bundleGzipBytes
      : null;
  } catch {
    return null;
  }
}

function hostCheck(
  before: Awaited<ReturnType<typeof hostSnapshot>>,
  after: typeof before,
  lab: Lab,
): HostCheck {
  return {
    linksBefore: before.links,
    linksAfter: after.links,
    linksUnchanged: before.links.join(' ') === after.links.join(' '),
    labNamespacesLeft: after.namespaces.filter((ns) => ns.startsWith(`${lab.name}-`)),
  };
}

async function benchFootprint(options: BenchOptions, signal: AbortSignal): Promise<FootprintOnlyReport> {
  if (process.getuid?.() !== 0)
    throw new Error('the bench needs root (it builds a network lab in namespaces)');
  const startedAt = new Date();
  const load = loadavg();
  const hostBefore = await hostSnapshot();
  log('bringing the lab up');
  const lab = await Lab.up({ relays: 1, log });
  let footprint: FootprintReport;
  let environment: Environment;
  try {
    const [relay] = lab.relays;
    if (relay === undefined) throw new Error('the lab has no relay');
    environment = await collectEnvironment(lab, load);
    signal.throwIfAborted();
    footprint = await measureFootprint(lab, relay, options, signal);
  } finally {
    log(`tearing the lab ${lab.name} down`);
    await lab.down();
  }
  const finishedAt = new Date();
  const targets = footprintTargets(footprint);
  return {
    schema: 'sluice-bench-footprint/2',
    options: { cliRuns: options.cliRuns, connectedMinutes: options.connectedMinutes },
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationSeconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 100) / 10,
    environment: { ...environment, loadAverageAtEnd: roundedLoad(loadavg()) },
    footprint,
    targets,
    targetsMet: countTargets(targets),
    checks: { host: hostCheck(hostBefore, await hostSnapshot(), lab) },
  };
}

async function bench(options: BenchOptions, signal: AbortSignal): Promise<BenchReport> {
  if (process.getuid?.() !== 0)
    throw new Error('the bench needs root (it builds a network lab in namespaces)');
  const startedAt = new Date();
  const load = loadavg();
  const hostBefore = await hostSnapshot();
  log('bringing the lab up');
  const lab = await Lab.up({ relays: 2, log });
  let report: BenchReport | undefined;
  try {
    const [relay, other] = lab.relays;
    if (relay === undefined || other === undefined) throw new Error('the lab has fewer than two relays');
    const relays: RelayPair = [relay, other];
    const environment = await collectEnvironment(lab, load);
    signal.throwIfAborted();
    const footprint = await measureFootprint(lab, relay, options, signal);
    signal.throwIfAborted();
    log('direct path');
    const direct = await measureDirect(lab, options, log);
    signal.throwIfAborted();
    const sluice = await measureSluice(lab, relays, options, log, signal);
    signal.throwIfAborted();
    const wgQuick = await measureWgQuick(lab, relays, options, log, signal);
    const timeToConnected = compareLatency(sluice.connectMs, wgQuick.connectMs);
    const timeToFirstByte = compareLatency(sluice.firstByteMs, wgQuick.firstByteMs);
    report = withTargets({
      schema: 'sluice-bench/2',
      startedAt: startedAt.toISOString(),
      finishedAt: '',
      durationSeconds: 0,
      options: {
        runs: options.runs,
        warmupRuns: options.warmupRuns,
        iperfSeconds: options.iperfSeconds,
        iperfRuns: options.iperfRuns,
        deathRuns: options.deathRuns,
        idleSeconds: options.idleSeconds,
        cliRuns: options.cliRuns,
        connectedMinutes: options.connectedMinutes,
        only: options.only,
        firstByteProbeIntervalMs: PROBE_INTERVAL_MS,
      },
      environment,
      lab: {
        name: lab.name,
        relay: { hostname: relay.hostname, address: relay.address.v4 },
        relays: lab.relays.map((r) => ({
          name: r.name,
          hostname: r.hostname,
          country: r.country,
          city: r.city,
          address: r.address.v4,
        })),
        webUrl: lab.web.url4,
        clientAddress: lab.clientAddress.v4,
        tunnelAddress: lab.plan.tunnel.client.v4,
      },
      timeToConnected,
      timeToFirstByte,
      throughput: {
        upload: compareThroughput('upload', sluice.throughput, wgQuick.throughput, direct),
        download: compareThroughput('download', sluice.throughput, wgQuick.throughput, direct),
      },
      relaySwitch: relaySwitchReport(
        [relay.hostname, other.hostname],
        sluice.relaySwitch,
        wgQuick.relaySwitch,
      ),
      relayDeath: relayDeathReport(sluice.relayDeath, options.deathRuns),
      idle: idleReport(sluice.idle, options.idleSeconds),
      footprint,
      extra: {
        connectDuringFirstByteRuns: compareLatency(
          sluice.connectDuringFirstByteMs,
          wgQuick.connectDuringFirstByteMs,
        ),
        disconnect: compareLatency(sluice.disconnectMs, wgQuick.disconnectMs),
        probeAttemptsPerFirstByteRun: {
          sluice: sampleSummary(sluice.probeAttempts),
          wgQuick: sampleSummary(wgQuick.probeAttempts),
        },
      },
      tunnels: { sluice: sluice.facts, wgQuick: wgQuick.facts },
      wgQuickConf: { path: wgQuick.confPath, removedLines: wgQuick.removedConfLines },
      checks: {
        clientStateChangedBySluice: sluice.clientStateChanged,
        clientStateChangedByWgQuick: wgQuick.clientStateChanged,
        host: null,
      },
      differences: describeDifferences(sluice, wgQuick),
    });
  } finally {
    log(`tearing the lab ${lab.name} down`);
    await lab.down();
  }
  const host = hostCheck(hostBefore, await hostSnapshot(), lab);
  const finishedAt = new Date();
  return {
    ...report,
    environment: { ...report.environment, loadAverageAtEnd: roundedLoad(loadavg()) },
    finishedAt: finishedAt.toISOString(),
    durationSeconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 100) / 10,
    checks: { ...report.checks, host },
  };
}

async function main(): Promise<number> {
  let options: BenchOptions | null;
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`bench: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options === null) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (options.runs < 10) log(`--runs ${options.runs}: fewer than the 10 runs the figures are meant to use`);
  const interrupts = watchInterrupts(log);
  let report: BenchReport | FootprintOnlyReport;
  try {
    report =
      options.only === 'footprint'
        ? await benchFootprint(options, interrupts.signal)
        : await bench(options, interrupts.signal);
  } catch (error) {
    const reason: unknown = interrupts.signal.reason;
    if (reason instanceof Interrupted) {
      log(`${reason.message}: the helper and the lab were torn down; no report written`);
      if (!(error instanceof Interrupted)) log(`(what was running failed with: ${String(error)})`);
      return reason.exitCode;
    }
    throw error;
  } finally {
    interrupts.dispose();
  }
  mkdirSync(dirname(options.jsonPath), { recursive: true });
  writeFileSync(options.jsonPath, JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(
    report.schema === 'sluice-bench-footprint/2'
      ? renderFootprintReport(report, options.jsonPath)
      : renderReport(report, options.jsonPath),
  );
  const host = report.checks.host;
  return host !== null && host.linksUnchanged && host.labNamespacesLeft.length === 0 ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(
      `bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
