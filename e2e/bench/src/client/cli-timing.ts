// Runs inside the lab client: times `node -e 0` and the given commands, interleaved round by round (so
// the machine's load falls on all alike), after one untimed round; prints a CliTimingResult on stdout.
//   node cli-timing.js <runs> <command as JSON argv>...
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import type { CliTimingResult } from './protocol.js';

function parseCommand(text: string): string[] {
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value) || value.length === 0 || !value.every((part) => typeof part === 'string'))
    throw new Error(`not an argv: ${text}`);
  return value;
}

function main(): void {
  const [runsText, ...commandTexts] = process.argv.slice(2);
  const runs = Number(runsText);
  if (!Number.isInteger(runs) || runs < 1 || commandTexts.length === 0) {
    process.stderr.write('usage: cli-timing.js <runs> <command as JSON argv>...\n');
    process.exit(2);
  }
  const commands = [[process.execPath, '-e', '0'], ...commandTexts.map(parseCommand)];
  const result: CliTimingResult = {
    loadAverage: loadavg(),
    commands: commands.map((argv) => ({ argv, ms: [], exitCodes: [] })),
  };
  for (let round = 0; round <= runs; round++) {
    for (const timing of result.commands) {
      const [program = '', ...args] = timing.argv;
      const started = performance.now();
      const run = spawnSync(program, args, { stdio: 'ignore' });
      const ms = performance.now() - started;
      // Round 0 warms the page cache and is not counted.
      if (round === 0) continue;
      timing.ms.push(ms);
      timing.exitCodes.push(run.status ?? -1);
    }
  }
  process.stdout.write(JSON.stringify(result) + '\n');
}

main();
