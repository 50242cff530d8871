// Runs inside the lab client: runs a program and prints {"startedAt","endedAt","durationMs","code"} on
// stdout (Date.now() epochs; durationMs from the monotonic clock), then exits as the program did. The
// program's own output goes to stderr.
//   node timed-run.js -- wg-quick up /run/sluice-lab/<lab>/<if>.conf
import { spawn } from 'node:child_process';
import type { TimedRunResult } from './protocol.js';

function main(): void {
  const separator = process.argv.indexOf('--', 2);
  const [program, ...args] = separator < 0 ? [] : process.argv.slice(separator + 1);
  if (program === undefined) {
    process.stderr.write('usage: timed-run.js -- <program> [args...]\n');
    process.exit(2);
  }
  const startedAt = Date.now();
  const started = performance.now();
  const child = spawn(program, args, { stdio: ['ignore', process.stderr, 'inherit'] });
  child.on('error', (error) => {
    process.stderr.write(`timed-run: ${program}: ${error.message}\n`);
    process.exit(127);
  });
  child.on('exit', (code, signal) => {
    const result: TimedRunResult = {
      startedAt,
      endedAt: Date.now(),
      durationMs: performance.now() - started,
      code,
      signal,
    };
    process.stdout.write(JSON.stringify(result) + '\n');
    process.exit(code ?? 1);
  });
}

main();
