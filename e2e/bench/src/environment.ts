// Facts about where the bench ran, for the report: CPUs, kernel, Node, Debian, tool versions, load.
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { type Lab } from '@sluice/netlab';

export interface Environment {
  cpuCount: number;
  cpuModel: string;
  kernel: string;
  node: string;
  debian: string | null;
  wireguardGo: string;
  iperf3: string;
  wireguardTools: string;
  /** 1, 5 and 15 minute load averages when the bench started (the machine is shared). */
  loadAverageAtStart: number[];
  /** The same when it finished (after the lab was torn down); null until then. */
  loadAverageAtEnd: number[] | null;
}

/** Load averages rounded for the report. */
export function roundedLoad(load: readonly number[]): number[] {
  return load.map((v) => Math.round(v * 100) / 100);
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.trim() ?? '';
}

async function versionInClient(lab: Lab, argv: string[]): Promise<string> {
  const out = await lab.exec('client', argv, { allowFailure: true, timeoutMs: 10_000 });
  return firstLine(out.stdout) || firstLine(out.stderr) || 'unknown';
}

/** Tool versions are asked inside the lab client (nothing of WireGuard's runs in the host namespace). */
export async function collectEnvironment(
  lab: Lab,
  loadAverageAtStart: number[] = loadavg(),
): Promise<Environment> {
  let debian: string | null = null;
  try {
    debian = readFileSync('/etc/debian_version', 'utf8').trim();
  } catch {
    debian = null;
  }
  return {
    cpuCount: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    kernel: release(),
    node: process.version,
    debian,
    wireguardGo: (await versionInClient(lab, ['wireguard-go', '--version'])).replace(/^wireguard-go\s+/, ''),
    iperf3: await versionInClient(lab, ['iperf3', '--version']),
    wireguardTools: await versionInClient(lab, ['wg', '--version']),
    loadAverageAtStart: roundedLoad(loadAverageAtStart),
    loadAverageAtEnd: null,
  };
}
