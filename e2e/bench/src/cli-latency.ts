// The CLI's start-up as users feel it: `sluice status` against the helper running in the lab client, and
// `sluice status --json` with no helper (the socket path points nowhere: exit code 3), each against
// `node -e 0` in the same rounds, all timed inside the client (CLI_TIMING_SCRIPT).
import { join } from 'node:path';
import { CLI_MAIN, type Lab } from '@sluice/netlab';
import { CLI_TIMING_SCRIPT } from './client-scripts.js';
import type { CliTiming, CliTimingResult } from './client/protocol.js';
import { startSluice } from './sluice.js';

export interface CliLatencyRuns {
  /** In the client when the timing started. */
  loadAverage: number[];
  node: CliTiming;
  status: CliTiming;
  statusNoHelper: CliTiming;
}

function parseTiming(stdout: string): CliTimingResult {
  const lastLine = stdout.trim().split('\n').pop() ?? '';
  const value = JSON.parse(lastLine) as CliTimingResult;
  if (!Array.isArray(value.commands) || value.commands.length !== 3)
    throw new Error(`the CLI timing printed ${lastLine.slice(0, 200)}`);
  return value;
}

/** A helper of its own (started and stopped here), then `runs` timed rounds of the three commands. */
export async function measureCliLatency(
  lab: Lab,
  runs: number,
  log: (line: string) => void,
): Promise<CliLatencyRuns> {
  log(`CLI start-up: ${runs} rounds of node -e 0, sluice status, sluice status --json (no helper)`);
  const helper = await startSluice(lab, 'footprint');
  try {
    const nowhere = join(lab.dir, 'no-helper-here', 'daemon.sock');
    const result = await lab.runInClient(
      [
        process.execPath,
        CLI_TIMING_SCRIPT,
        String(runs),
        JSON.stringify([process.execPath, CLI_MAIN, '--socket', helper.socket, 'status']),
        JSON.stringify([process.execPath, CLI_MAIN, '--socket', nowhere, 'status', '--json']),
      ],
      { timeoutMs: 60_000 + runs * 10_000 },
    );
    const timing = parseTiming(result.stdout);
    const [node, status, statusNoHelper] = timing.commands;
    if (node === undefined || status === undefined || statusNoHelper === undefined)
      throw new Error('the CLI timing left a command out');
    return { loadAverage: timing.loadAverage, node, status, statusNoHelper };
  } finally {
    await helper.stop();
  }
}
