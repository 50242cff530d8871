// The printed report: latency and throughput tables with medians and ratios, each figure that has a target
// beside it and marked met or not, the idle check, then what differs between the setups, the safety checks
// and the count of targets met. Pure: BenchReport in, text out.
import {
  type BenchReport,
  type CliLatencyFigure,
  type FootprintOnlyReport,
  type FootprintReport,
  type LatencyComparison,
  type ThroughputComparison,
} from './report.js';
import { formatNumber, formatRatio, formatSummary } from './stats.js';
import { renderTable } from './table.js';
import {
  formatFigure,
  formatLimit,
  formatRatioAgainst,
  formatStatus,
  targetSummaryLine,
  type TargetId,
  type TargetResult,
} from './targets.js';

function latencyRow(label: string, c: LatencyComparison): string[] {
  return [label, formatSummary(c.sluice), formatSummary(c.wgQuick), formatRatio(c.ratio)];
}

function targetOf(report: Pick<BenchReport, 'targets'>, id: TargetId): TargetResult {
  const target = report.targets.find((t) => t.id === id);
  if (target === undefined) throw new Error(`the report has no target ${id}`);
  return target;
}

/** A latency row with its target: the ratio against the limit, the limit, met. */
function targetedRow(label: string, c: LatencyComparison, target: TargetResult): string[] {
  return [
    label,
    formatSummary(c.sluice),
    formatSummary(c.wgQuick),
    formatRatioAgainst(c.ratio, target.limit),
    formatLimit(target),
    formatStatus(target.status),
  ];
}

function cliRow(label: string, figure: CliLatencyFigure | null, target: TargetResult): string[] {
  const codes = figure === null ? [] : [...new Set(figure.exitCodes)].sort((a, b) => a - b);
  return [
    label,
    formatSummary(figure?.cli ?? null),
    formatSummary(figure?.node ?? null),
    formatRatioAgainst(figure?.ratio ?? null, target.limit),
    codes.length === 0 ? 'n/a' : codes.join(', '),
    formatLimit(target),
    formatStatus(target.status),
  ];
}

/** The CLI's start-up table, with what it measures and why a target is not met. */
export function footprintSection(footprint: FootprintReport, report: Pick<BenchReport, 'targets'>): string[] {
  const status = targetOf(report, 'cliStatus');
  const noHelper = targetOf(report, 'cliStatusNoHelper');
  const load = footprint.loadAverage === null ? 'n/a' : footprint.loadAverage.join(' ');
  const notes = [status, noHelper].filter((t) => t.status === 'not met' && t.note !== null);
  return [
    `CLI start-up, ms: median (min-max) of ${footprint.runs} rounds in the lab client, each round ` +
      `\`node -e 0\` and both commands in turn (after one untimed round); load then ${load}`,
    renderTable({
      headers: ['', 'sluice', 'node -e 0', 'sluice/node', 'exit', 'target', 'met'],
      rows: [
        cliRow('sluice status (helper running)', footprint.status, status),
        cliRow('sluice status --json (no helper)', footprint.statusNoHelper, noHelper),
      ],
    }),
    ...notes.map((t) => `- ${t.label}: ${t.note ?? ''}`),
  ];
}

function footprintRow(
  label: string,
  target: TargetResult,
  figure = formatFigure(target.value, target.kind),
): string[] {
  return [label, figure, formatLimit(target), formatStatus(target.status)];
}

/** The renderer at scale: search keystrokes, the picker's open, the bundle, each with its target. */
export function rendererSection(footprint: FootprintReport, report: Pick<BenchReport, 'targets'>): string[] {
  const renderer = footprint.renderer;
  if (renderer === null)
    return [
      `Renderer at scale: not measured (${footprint.rendererError ?? 'no figures'}); its 4 targets are not met`,
    ];
  const search = targetOf(report, 'rendererSearch');
  const searchP95 = targetOf(report, 'rendererSearchP95');
  const open = targetOf(report, 'rendererOpen');
  const bundle = targetOf(report, 'rendererBundle');
  const kib = (bytes: number | null): string => (bytes === null ? 'n/a' : `${(bytes / 1024).toFixed(1)} KiB`);
  return [
    `Renderer at scale: Select location with ${renderer.relays} relays (the Mullvad fixture scaled), in Chromium, no helper`,
    renderTable({
      headers: ['', 'figure', 'target', 'met'],
      rows: [
        footprintRow(
          `Search, per keystroke, median of ${renderer.keystroke.n} (to the list laid out), ms`,
          search,
        ),
        footprintRow('Search, per keystroke, p95, ms', searchP95),
        footprintRow(`Picker open to the list painted, median of ${renderer.open.n}, ms`, open),
        footprintRow(
          `Renderer JavaScript, gzip: ${kib(renderer.bundleGzipBytes)} vs ${kib(renderer.bundleBaselineGzipBytes)}`,
          bundle,
        ),
      ],
    }),
    `- Keystroke to the next frame run (adds the wait for that frame): median ${formatNumber(renderer.keystrokePainted.median, 1)} ms; ` +
      `first open (cold code) ${formatNumber(renderer.firstOpenMs, 1)} ms; open max ${formatNumber(renderer.open.max, 1)} ms`,
  ];
}

/** sluiced's memory, CPU and event fan-out, each with its target; what the window was; why not met. */
export function helperFootprintSection(
  footprint: FootprintReport,
  report: Pick<BenchReport, 'targets'>,
): string[] {
  const idle = targetOf(report, 'helperRssIdle');
  const connected = targetOf(report, 'helperRssConnected');
  const growth = targetOf(report, 'helperRssGrowth');
  const cpu = targetOf(report, 'helperCpuIdle');
  const fanOut = targetOf(report, 'eventFanOut');
  const helper = footprint.helper;
  if (helper === null)
    return [
      `sluiced footprint: not measured (${footprint.helperError ?? 'no figures'}); its 5 targets are not met`,
    ];
  const { minutes } = helper.connected;
  const fanOutMs = helper.fanOut.ms;
  const half = (helper.connected.slopeFromSeconds / 60).toFixed(1);
  const notes = [idle, connected, growth, cpu, fanOut].filter(
    (t) => t.status === 'not met' && t.note !== null,
  );
  return [
    `sluiced footprint: ${helper.relayCount} relays loaded (the 577-relay fixture and the lab relay); ` +
      `connected via ${helper.connected.relay} for ${minutes} min with a stats listener (--connected-minutes ${minutes})`,
    renderTable({
      headers: ['', 'figure', 'target', 'met'],
      rows: [
        footprintRow(`RSS idle after start`, idle),
        footprintRow(`RSS connected, after ${minutes} min`, connected),
        footprintRow(`RSS growth, minutes ${half}-${minutes} (least-squares slope)`, growth),
        footprintRow(`CPU connected, idle, no listener, ${helper.cpuIdle.seconds} s`, cpu),
        footprintRow(
          `Setting change -> last of ${helper.fanOut.subscribers} subscribers, ms`,
          fanOut,
          formatSummary(fanOutMs),
        ),
      ],
    }),
    `- Measured: ${helper.helper}, as the packages ship it`,
    `- RSS idle: ${formatNumber(helper.idle.rssAnonMib, 1)} MiB anonymous (heaps), ` +
      `${formatNumber(helper.idle.rssFileMib, 1)} MiB mapped from files (node's own code, shared with every node ` +
      `process), PSS ${formatNumber(helper.idle.pssMib, 1)} MiB; connected: at most ` +
      `${formatNumber(helper.connected.maxRssMib, 1)} MiB during the window, at the end ` +
      `${formatNumber(helper.connected.last.rssAnonMib, 1)} MiB anonymous, PSS ${formatNumber(helper.connected.last.pssMib, 1)} MiB; ` +
      `CPU ${helper.cpuIdle.cpuSeconds.toFixed(2)} s in ${helper.cpuIdle.seconds} s; fan-out: ` +
      `${fanOutMs?.n ?? 0} SetAllowLan calls, each to the moment the last subscriber had the settings event`,
    ...notes.map((t) => `- ${t.label}: ${t.note ?? ''}`),
  ];
}

function megabytes(kb: number): string {
  return `${(kb / 1024).toFixed(1)} MiB`;
}

/** The idle check's line: "False reconnects while idle 600 s: 0 (target 0) met". */
export function idleLine(report: BenchReport): string {
  const target = targetOf(report, 'idleFalseReconnects');
  if (target.status === 'skipped') return `False reconnects while idle: skipped (--idle-seconds 0)`;
  const value = target.value === null ? 'n/a' : String(target.value);
  return (
    `False reconnects while idle ${report.idle.seconds} s: ${value} (target ${formatLimit(target)}) ` +
    `${target.status === 'met' ? 'met' : 'NOT met'}${target.note === null ? '' : ` (${target.note})`}`
  );
}

/** What the idle window saw besides the count, and sluiced's footprint during it ("also measured"). */
function idleDetails(report: BenchReport): string[] {
  const result = report.idle.result;
  if (report.idle.skipped || result === null) return [];
  const lines = result.events.map((e) => `  at ${e.atSeconds.toFixed(1)} s: ${e.what}`);
  if (result.falseReconnects > result.events.length)
    lines.push(`  (and ${result.falseReconnects - result.events.length} more, in the JSON count only)`);
  return lines;
}

function helperFootprint(report: BenchReport): string {
  const { idle } = report;
  if (idle.skipped) return 'sluiced during the idle window: skipped (--idle-seconds 0)';
  const helper = idle.result?.helper ?? null;
  if (helper === null)
    return `sluiced during the idle window: n/a (${idle.result?.helperUsageError ?? idle.error ?? 'not measured'})`;
  const growth = helper.rssKbEnd - helper.rssKbStart;
  return (
    `sluiced (pid ${helper.pid}) during the idle window of ${formatNumber(idle.result?.seconds, 1)} s: RSS ` +
    `${megabytes(helper.rssKbStart)} at the start, ${megabytes(helper.rssKbEnd)} at the end ` +
    `(${growth >= 0 ? '+' : '-'}${megabytes(Math.abs(growth))}); CPU ${helper.cpuSeconds.toFixed(2)} s, ` +
    `${helper.cpuPercentOfOneCore.toFixed(2)} % of one core`
  );
}

function throughputRow(label: string, c: ThroughputComparison): string[] {
  return [
    label,
    formatSummary(c.sluice.mbits),
    formatSummary(c.wgQuick.mbits),
    formatSummary(c.direct.mbits),
    formatRatio(c.ratios.sluiceToWgQuick),
    formatRatio(c.ratios.sluiceToDirect),
    formatRatio(c.ratios.wgQuickToDirect),
  ];
}

function yesNo(ok: boolean): string {
  return ok ? 'yes' : 'NO';
}

export function renderReport(report: BenchReport, jsonPath: string): string {
  const { environment: env, options, lab } = report;
  const runs = `${options.runs} timed run${options.runs === 1 ? '' : 's'} each (after ${options.warmupRuns} warm-up)`;
  const [relayA, relayB] = report.relaySwitch.relays;
  const death = report.relayDeath;
  const deathTarget = targetOf(report, 'relayDeath');
  const others = lab.relays.filter((r) => r.hostname !== lab.relay.hostname);
  const load = (values: readonly number[] | null): string => (values === null ? 'n/a' : values.join(' '));
  const out: string[] = [];
  out.push(
    `Sluice bench: Sluice vs wg-quick (wireguard-go), lab ${lab.name}, relay ${lab.relay.hostname} (${lab.relay.address})` +
      (others.length === 0
        ? ''
        : `; for relay switches and deaths also ${others.map((r) => `${r.hostname} (${r.address})`).join(', ')}`),
    `${env.cpuCount} CPUs (${env.cpuModel}), kernel ${env.kernel}, Debian ${env.debian ?? '?'}, Node ${env.node}, ` +
      `wireguard-go ${env.wireguardGo}, ${env.iperf3}, load at start ${load(env.loadAverageAtStart)}, ` +
      `at end ${load(env.loadAverageAtEnd)}`,
    '',
    `Latency, ms: median (min-max) of ${runs}; relay deaths: ${
      death.skipped
        ? 'skipped (--death-runs 0)'
        : `${death.runs.length} of ${death.runsPlanned} timed runs, no warm-up`
    }`,
    renderTable({
      headers: ['', 'Sluice', 'wg-quick', 'Sluice/wg-quick', 'target', 'met'],
      rows: [
        targetedRow('Time to connected', report.timeToConnected, targetOf(report, 'timeToConnected')),
        targetedRow('Time to first HTTP byte', report.timeToFirstByte, targetOf(report, 'timeToFirstByte')),
        targetedRow('Disconnect to disconnected', report.extra.disconnect, targetOf(report, 'disconnect')),
        targetedRow(
          `Relay switch (${relayA} <-> ${relayB})`,
          report.relaySwitch.comparison,
          targetOf(report, 'relaySwitch'),
        ),
        [
          'Relay death -> connected via another relay',
          death.skipped ? 'skipped' : formatSummary(death.ms),
          '-',
          '-',
          formatLimit(deathTarget),
          formatStatus(deathTarget.status),
        ],
      ],
    }),
    'Relay death has no wg-quick counterpart (wg-quick does not fail over to another relay): its target is absolute.',
    idleLine(report),
    ...idleDetails(report),
  );
  const notes = report.targets.filter(
    (t) => t.status === 'not met' && t.note !== null && t.id !== 'idleFalseReconnects',
  );
  if (notes.length > 0) {
    out.push('Not met because:', ...notes.map((t) => `- ${t.label}: ${t.note ?? ''}`));
  }
  out.push('', ...footprintSection(report.footprint, report));
  out.push('', ...helperFootprintSection(report.footprint, report));
  out.push('', ...rendererSection(report.footprint, report));
  out.push(
    '',
    `Throughput, Mbit/s: iperf3 TCP over IPv4 to web, ${options.iperfSeconds} s per test, ` +
      `${options.iperfRuns} test${options.iperfRuns === 1 ? '' : 's'} per path and direction (median)`,
    renderTable({
      headers: ['', 'Sluice', 'wg-quick', 'direct', 'Sluice/wg-quick', 'Sluice/direct', 'wg-quick/direct'],
      rows: [
        throughputRow('Upload (client -> web)', report.throughput.upload),
        throughputRow('Download (web -> client, -R)', report.throughput.download),
      ],
    }),
    '',
    'Also measured, ms: median (min-max)',
    renderTable({
      headers: ['', 'Sluice', 'wg-quick', 'Sluice/wg-quick'],
      rows: [latencyRow('Connected, during first-byte runs', report.extra.connectDuringFirstByteRuns)],
    }),
    `- ${helperFootprint(report)}`,
    '',
    'What is measured:',
    '- Time to connected: Sluice, from the Connect RPC to the first tunnelState "connected" event (subscribed ' +
      'before the call); wg-quick, the wall time of `wg-quick up` with WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go, ' +
      'timed inside the client.',
    `- Time to first HTTP byte: from the Connect RPC / the start of \`wg-quick up\` to the first byte of the first ` +
      `answer to GET ${lab.webUrl}/ip that names the relay (${lab.relay.address}), not the client (${lab.clientAddress}). ` +
      `The probe runs in the client and starts a request on a new connection every ${options.firstByteProbeIntervalMs} ms. ` +
      'Sluice adds its default route once the tunnel is verified and sets DNS after that, so its first byte can ' +
      'come before its connected event.',
    '- Disconnect: Sluice, from the Disconnect RPC to "disconnected" with the interface and its UAPI socket gone; ' +
      'wg-quick, the wall time of `wg-quick down`.',
    `- Relay switch: connected via one relay to connected via the other, alternating ${relayA} -> ${relayB} and back ` +
      "so every timed run is a switch. Sluice, from just before SetRelayConstraints (the other relay's country and " +
      'city) to the first "connected" event via it; wg-quick, `wg-quick down` of one relay\'s file plus `wg-quick up` ' +
      "of the other's (the same interface name), the two durations added.",
    '- Relay death: Sluice connected with no location constraint; the relay it uses is killed (wireguard-go and its ' +
      'resolver, SIGKILL) and the time runs from the kill to the first "connected" event via another relay; the ' +
      'dead relay is revived and answers before the next run. wg-quick has no counterpart: it keeps sending to ' +
      'the dead relay.',
    '- Idle: Sluice connected, nothing sent through the tunnel by the bench, the event stream watched for the ' +
      'window; counted: every tunnel state that is not "connected", a "connected" via another relay, every ' +
      'KIND_UNEXPECTED_DISCONNECT notice. RSS is VmRSS of sluiced at the start and end of the window; CPU is its ' +
      'utime + stime during the window (sluiced alone, not the wireguard-go it runs).',
    '- Throughput: each path checked first (web sees the relay through a tunnel, the client directly; iperf3 ' +
      `reports ${lab.tunnelAddress} or ${lab.clientAddress} as its local address); Mbit/s as the receiver counted them.`,
    '',
    'Differences between the two setups:',
    ...report.differences.map((d) => `- ${d}`),
    '',
    'Checks:',
    `- Client rules, routes, links, nftables and resolv.conf as before: after Sluice ${yesNo(
      report.checks.clientStateChangedBySluice.length === 0,
    )}${report.checks.clientStateChangedBySluice.length === 0 ? '' : ` (changed: ${report.checks.clientStateChangedBySluice.join(', ')})`}, ` +
      `after wg-quick ${yesNo(report.checks.clientStateChangedByWgQuick.length === 0)}${
        report.checks.clientStateChangedByWgQuick.length === 0
          ? ''
          : ` (changed: ${report.checks.clientStateChangedByWgQuick.join(', ')})`
      }`,
  );
  const host = report.checks.host;
  if (host !== null) {
    out.push(
      `- Host after teardown: links ${host.linksUnchanged ? 'unchanged' : `CHANGED (before: ${host.linksBefore.join(' ')}; after: ${host.linksAfter.join(' ')})`} ` +
        `(${host.linksAfter.join(', ')}); lab namespaces left: ${host.labNamespacesLeft.length === 0 ? 'none' : host.labNamespacesLeft.join(', ')}`,
    );
  }
  out.push('', `Took ${report.durationSeconds} s. JSON: ${jsonPath}`, targetSummaryLine(report.targetsMet));
  return out.join('\n') + '\n';
}

/** `--only footprint`: where it ran, the CLI's table, the host check and the count. */
export function renderFootprintReport(report: FootprintOnlyReport, jsonPath: string): string {
  const env = report.environment;
  const load = (values: readonly number[] | null): string => (values === null ? 'n/a' : values.join(' '));
  const host = report.checks.host;
  return (
    [
      `Sluice bench, footprint only (CLI start-up, sluiced, the renderer at scale): ${env.cpuCount} CPUs (${env.cpuModel}), kernel ${env.kernel}, ` +
        `Node ${env.node}, load at start ${load(env.loadAverageAtStart)}, at end ${load(env.loadAverageAtEnd)}`,
      '',
      ...footprintSection(report.footprint, report),
      '',
      ...helperFootprintSection(report.footprint, report),
      '',
      ...rendererSection(report.footprint, report),
      '',
      host === null
        ? '- Host after teardown: not checked'
        : `- Host after teardown: links ${host.linksUnchanged ? 'unchanged' : 'CHANGED'}; lab namespaces left: ` +
          (host.labNamespacesLeft.length === 0 ? 'none' : host.labNamespacesLeft.join(', ')),
      '',
      `Took ${report.durationSeconds} s. JSON: ${jsonPath}`,
      targetSummaryLine(report.targetsMet),
    ].join('\n') + '\n'
  );
}
