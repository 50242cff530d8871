// node:fs, not node:fs/promises: that one costs a start-up of its own, and one file is read at most.
import { readFile } from 'node:fs';
import { escapeControls } from '@sluice/api/domain';
import { runCli } from './program.js';

// Ctrl-C is only caught by commands that follow the helper (status listen, --wait); elsewhere it kills as usual.
let interrupted: Promise<void> | undefined;

// Names and messages from the helper (or a file) may hold terminal escapes: only lines and tabs pass.
const printable = (text: string): string => escapeControls(text, '\n\t');

runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${printable(text)}\n`),
  err: (text) => process.stderr.write(`${printable(text)}\n`),
  env: process.env,
  readFile: (path) =>
    new Promise((resolve, reject) =>
      readFile(path, 'utf8', (error, text) => (error ? reject(error) : resolve(text))),
    ),
  interrupted: () =>
    (interrupted ??= new Promise<void>((resolve) => process.once('SIGINT', () => resolve()))),
}).then(
  (code) => {
    // Done: exit once what was written is out, without waiting for the gRPC channel to wind down.
    let unflushed = 2;
    const flushed = (): void => {
      if (--unflushed === 0) process.exit(code);
    };
    process.stdout.write('', flushed);
    process.stderr.write('', flushed);
  },
  (error: unknown) => {
    process.stderr.write(`sluice: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
