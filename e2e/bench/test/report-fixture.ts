// A whole BenchReport as one run might produce it (figures made up, shapes real), for the render and target
// tests; `change` edits a copy before the targets are checked.
import { withTargets, type BenchReport, type LatencyComparison, type SampleSummary } from '../src/report.js';

export function summaryOf(samples: number[]): SampleSummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1
      ? (sorted[middle] as number)
      : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return {
    n: samples.length,
    median,
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
    samples,
  };
}

export function latency(sluice: number[], wgQuick: number[]): LatencyComparison {
  const a = summaryOf(sluice);
  const b = summaryOf(wgQuick);
  return { sluice: a, wgQuick: b, ratio: Math.round((a.median / b.median) * 1000) / 1000 };
}

const emptyPath = { mbits: null, runs: [] };
const throughput = {
  sluice: { mbits: summaryOf([900.5]), runs: [] },
  wgQuick: { mbits: summaryOf([1000]), runs: [] },
  direct: emptyPath,
  ratios: { sluiceToWgQuick: 0.901, sluiceToDirect: null, wgQuickToDirect: null },
};

export type ReportWithoutTargets = Omit<BenchReport, 'targets' | 'targetsMet'>;

export function baseReport(): ReportWithoutTargets {
  return {
    schema: 'sluice-bench/2',
    startedAt: '2025-01-01T10:00:00.000Z',
    finishedAt: '2025-01-01T10:14:00.000Z',
    durationSeconds: 840,
    options: {
      runs: 3,
      warmupRuns: 1,
      iperfSeconds: 5,
      iperfRuns: 1,
      deathRuns: 3,
      idleSeconds: 600,
      cliRuns: 3,
      connectedMinutes: 10,
      only: null,
      firstByteProbeIntervalMs: 10,
    },
    environment: {
      cpuCount: 4,
      cpuModel: 'Test CPU',
      kernel: '6.1.0-test',
      node: 'v20.19.0',
      debian: '12.8',
      wireguardGo: 'v0.0.20230223',
      iperf3: 'iperf 3.12',
      wireguardTools: 'wireguard-tools v1.0.20210914',
      loadAverageAtStart: [0.5, 0.4, 0.3],
      loadAverageAtEnd: [1.25, 0.8, 0.4],
    },
    lab: {
      name: 'lab1',
      relay: { hostname: 'se-got-wg-001', address: '203.0.113.2' },
      relays: [
        { name: 'se-got', hostname: 'se-got-wg-001', country: 'se', city: 'got', address: '203.0.113.2' },
        { name: 'de-fra', hostname: 'de-fra-wg-001', country: 'de', city: 'fra', address: '203.0.113.6' },
      ],
      webUrl: 'http://198.51.100.130:80',
      clientAddress: '198.51.100.2',
      tunnelAddress: '10.64.0.2',
    },
    timeToConnected: latency([110, 120, 130], [100, 100, 100]),
    timeToFirstByte: latency([90, 95, 100], [100, 100, 100]),
    throughput: { upload: throughput, download: throughput },
    relaySwitch: {
      relays: ['se-got-wg-001', 'de-fra-wg-001'],
      comparison: latency([150, 160, 170], [200, 200, 200]),
      sluiceRuns: [
        { from: 'se-got-wg-001', to: 'de-fra-wg-001', ms: 150, passed: ['disconnecting', 'connecting'] },
        { from: 'de-fra-wg-001', to: 'se-got-wg-001', ms: 160, passed: ['disconnecting', 'connecting'] },
        { from: 'se-got-wg-001', to: 'de-fra-wg-001', ms: 170, passed: ['disconnecting', 'connecting'] },
      ],
      wgQuickRuns: [],
      error: null,
    },
    relayDeath: {
      skipped: false,
      runsPlanned: 3,
      ms: summaryOf([4200, 4300, 4400]),
      runs: [
        { killed: 'se-got-wg-001', via: 'de-fra-wg-001', ms: 4200, killMs: 20, passed: ['connecting'] },
        { killed: 'de-fra-wg-001', via: 'se-got-wg-001', ms: 4300, killMs: 21, passed: ['connecting'] },
        { killed: 'se-got-wg-001', via: 'de-fra-wg-001', ms: 4400, killMs: 19, passed: ['connecting'] },
      ],
      error: null,
    },
    idle: {
      skipped: false,
      seconds: 600,
      result: {
        seconds: 600.1,
        relay: 'de-fra-wg-001',
        falseReconnects: 0,
        events: [],
        connectedRepeats: 0,
        helper: {
          pid: 4242,
          rssKbStart: 51200,
          rssKbEnd: 52224,
          cpuSeconds: 1.5,
          cpuPercentOfOneCore: 0.25,
        },
        helperUsageError: null,
        tunnelWorkedAfter: true,
      },
      error: null,
    },
    footprint: {
      runs: 3,
      loadAverage: [0.5, 0.4, 0.3],
      status: {
        argv: ['node', '/x/cli/dist/main.js', '--socket', '/run/sluice-lab/lab1/footprint.sock', 'status'],
        cli: summaryOf([90, 95, 100]),
        node: summaryOf([60, 64, 70]),
        ratio: 1.484,
        expectedExitCode: 0,
        exitCodes: [0, 0, 0],
      },
      statusNoHelper: {
        argv: ['node', '/x/cli/dist/main.js', '--socket', '/nowhere/daemon.sock', 'status', '--json'],
        cli: summaryOf([70, 72, 75]),
        node: summaryOf([60, 64, 70]),
        ratio: 1.125,
        expectedExitCode: 3,
        exitCodes: [3, 3, 3],
      },
      error: null,
      helper: {
        helper: 'apps/desktop/dist/helper/sluiced.cjs',
        relayCount: 577,
        idle: { rssMib: 46.5, rssAnonMib: 10.5, rssFileMib: 36, pssMib: 30.2 },
        connected: {
          minutes: 10,
          relay: 'se-got-wg-001',
          rssMib: 51,
          maxRssMib: 53.1,
          slopeMibPerMinute: 0.01,
          slopeFromSeconds: 300,
          samples: [
            { atSeconds: 0, rssKb: 51_200 },
            { atSeconds: 300, rssKb: 53_248 },
            { atSeconds: 600, rssKb: 53_248 },
          ],
          last: { rssMib: 51, rssAnonMib: 13, rssFileMib: 38, pssMib: 33.5 },
        },
        cpuIdle: { seconds: 60, cpuSeconds: 0.08, percentOfOneCore: 0.1333 },
        fanOut: { subscribers: 50, ms: summaryOf([9, 10, 12]) },
      },
      helperError: null,
      renderer: {
        relays: 5000,
        open: { ...summaryOf([30, 32, 35]), samples: [30, 32, 35] },
        firstOpenMs: 30,
        keystroke: { ...summaryOf([2, 3, 20]), samples: [2, 3, 20], p95: 20 },
        keystrokePainted: { ...summaryOf([16, 16, 33]), samples: [16, 16, 33] },
        bundleGzipBytes: 153_000,
        bundleBaselineGzipBytes: 150_000,
      },
      rendererError: null,
    },
    extra: {
      connectDuringFirstByteRuns: latency([115, 118, 121], [101, 102, 103]),
      disconnect: latency([40, 50, 60], [60, 60, 60]),
      probeAttemptsPerFirstByteRun: { sluice: summaryOf([10, 11, 12]), wgQuick: summaryOf([9, 10, 11]) },
    },
    tunnels: { sluice: null, wgQuick: null },
    wgQuickConf: { path: '/run/sluice-lab/lab1/lab1-tc.conf', removedLines: ['DNS = 10.64.0.1'] },
    checks: {
      clientStateChangedBySluice: [],
      clientStateChangedByWgQuick: [],
      host: {
        linksBefore: ['eth0', 'lo'],
        linksAfter: ['eth0', 'lo'],
        linksUnchanged: true,
        labNamespacesLeft: [],
      },
    },
    differences: ['One difference.'],
  };
}

/** The base report, changed by `change` (on a deep copy), with its targets checked. */
export function fixtureReport(change: (report: ReportWithoutTargets) => void = () => undefined): BenchReport {
  const report = structuredClone(baseReport());
  change(report);
  return withTargets(report);
}
