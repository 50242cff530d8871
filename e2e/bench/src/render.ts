// The printed report: latency and throughput tables with medians and ratios, then what differs between the
// setups and the safety checks. Pure: BenchReport in, text out.
import { type BenchReport, type LatencyComparison, type ThroughputComparison } from './report.js';
import { formatRatio, formatSummary } from './stats.js';
import { renderTable } from './table.js';

function latencyRow(label: string, c: LatencyComparison): string[] {
  return [label, formatSummary(c.sluice), formatSummary(c.wgQuick), formatRatio(c.ratio)];
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
  const out: string[] = [];
  out.push(
    `Sluice bench: Sluice vs wg-quick (wireguard-go), lab ${lab.name}, relay ${lab.relay.hostname} (${lab.relay.address})`,
    `${env.cpuCount} CPUs (${env.cpuModel}), kernel ${env.kernel}, Debian ${env.debian ?? '?'}, Node ${env.node}, ` +
      `wireguard-go ${env.wireguardGo}, ${env.iperf3}, load at start ${env.loadAverageAtStart.join(' ')}`,
    '',
    `Latency, ms: median (min-max) of ${runs}`,
    renderTable({
      headers: ['', 'Sluice', 'wg-quick', 'Sluice/wg-quick'],
      rows: [
        latencyRow('Time to connected', report.timeToConnected),
        latencyRow('Time to first HTTP byte', report.timeToFirstByte),
      ],
    }),
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
      rows: [
        latencyRow('Connected, during first-byte runs', report.extra.connectDuringFirstByteRuns),
        latencyRow('Disconnect / wg-quick down', report.extra.disconnect),
      ],
    }),
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
  out.push('', `Took ${report.durationSeconds} s. JSON: ${jsonPath}`);
  return out.join('\n') + '\n';
}
