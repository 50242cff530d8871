// `npm run bench`: one lab, one relay; Sluice and wg-quick (wireguard-go) measured one after the other on the
// same relay, and the direct path for reference. Prints the tables on stdout (progress on stderr) and writes
// the results as JSON. Needs root (the lab's network namespaces); nothing runs in the host's namespace.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import { Lab } from '@sluice/netlab';
import { collectEnvironment } from './environment.js';
import { PROBE_INTERVAL_MS } from './first-byte.js';
import { hostSnapshot } from './lab-checks.js';
import { measureDirect, measureSluice, measureWgQuick } from './measure.js';
import { parseBenchOptions, UsageError, USAGE, type BenchOptions } from './options.js';
import {
  compareLatency,
  compareThroughput,
  describeDifferences,
  sampleSummary,
  type BenchReport,
  type HostCheck,
} from './report.js';
import { renderReport } from './render.js';

function log(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

async function bench(options: BenchOptions): Promise<BenchReport> {
  if (process.getuid?.() !== 0)
    throw new Error('the bench needs root (it builds a network lab in namespaces)');
  const startedAt = new Date();
  const load = loadavg();
  const hostBefore = await hostSnapshot();
  log('bringing the lab up');
  const lab = await Lab.up({ relays: 1, log });
  let report: BenchReport | undefined;
  try {
    const relay = lab.relays[0];
    if (relay === undefined) throw new Error('the lab has no relay');
    const environment = await collectEnvironment(lab, load);
    log('direct path');
    const direct = await measureDirect(lab, options, log);
    const sluice = await measureSluice(lab, relay, options, log);
    const wgQuick = await measureWgQuick(lab, relay, options, log);
    report = {
      schema: 'sluice-bench/1',
      startedAt: startedAt.toISOString(),
      finishedAt: '',
      durationSeconds: 0,
      options: {
        runs: options.runs,
        warmupRuns: options.warmupRuns,
        iperfSeconds: options.iperfSeconds,
        iperfRuns: options.iperfRuns,
        firstByteProbeIntervalMs: PROBE_INTERVAL_MS,
      },
      environment,
      lab: {
        name: lab.name,
        relay: { hostname: relay.hostname, address: relay.address.v4 },
        webUrl: lab.web.url4,
        clientAddress: lab.clientAddress.v4,
        tunnelAddress: lab.plan.tunnel.client.v4,
      },
      timeToConnected: compareLatency(sluice.connectMs, wgQuick.connectMs),
      timeToFirstByte: compareLatency(sluice.firstByteMs, wgQuick.firstByteMs),
      throughput: {
        upload: compareThroughput('upload', sluice.throughput, wgQuick.throughput, direct),
        download: compareThroughput('download', sluice.throughput, wgQuick.throughput, direct),
      },
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
    };
  } finally {
    log(`tearing the lab ${lab.name} down`);
    await lab.down();
  }
  const hostAfter = await hostSnapshot();
  const host: HostCheck = {
    linksBefore: hostBefore.links,
    linksAfter: hostAfter.links,
    linksUnchanged: hostBefore.links.join(' ') === hostAfter.links.join(' '),
    labNamespacesLeft: hostAfter.namespaces.filter((ns) => ns.startsWith(`${lab.name}-`)),
  };
  const finishedAt = new Date();
  return {
    ...report,
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
  const report = await bench(options);
  mkdirSync(dirname(options.jsonPath), { recursive: true });
  writeFileSync(options.jsonPath, JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(renderReport(report, options.jsonPath));
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
