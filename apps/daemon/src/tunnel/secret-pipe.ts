// Handing a secret to a program that only reads files (`wg setconf <if> <file>`), through a named pipe
// in a private directory: the text exists only in the kernel's pipe buffer, never in an argv or on disk.
// Why not the Runner's `input` with /dev/stdin: Node gives a child's stdin as a socketpair, and opening
// /dev/stdin (/proc/self/fd/0) of a socket fails with ENXIO ("No such device or address").
import { constants } from 'node:fs';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Runner, RunResult } from '../net/exec.js';
import { pollUntil } from './poll.js';

type Outcome = { ok: true; result: RunResult } | { ok: false; error: Error };

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

/** Write `text` into the FIFO once its reader has opened it; gives up (quietly) when `readerGone()`. */
async function feed(fifo: string, text: string, readerGone: () => boolean, timeoutMs: number): Promise<void> {
  // A non-blocking open for writing fails with ENXIO until a reader has the FIFO open. Polling instead
  // of a blocking open means a reader that fails before opening cannot leave a writer stuck forever.
  const handle = await pollUntil<FileHandle | null>(
    async () => {
      if (readerGone()) return null;
      try {
        return await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENXIO') return undefined;
        throw error;
      }
    },
    'the program to open its input pipe',
    timeoutMs,
    5,
  );
  if (!handle) return;
  try {
    // Fits the pipe buffer (64 KiB) in one go: WireGuard configurations are a few hundred bytes.
    await handle.writeFile(text, 'utf8');
  } finally {
    await handle.close();
  }
}

/**
 * Run `argvFor(path)` where `path` is a named pipe that yields `secret` once. The pipe lives in a fresh
 * 0700 directory under `dir` and is removed afterwards, whatever happens.
 */
export async function runWithSecretPipe(
  runner: Runner,
  secret: string,
  argvFor: (path: string) => readonly string[],
  options: { dir?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  const privateDir = await mkdtemp(join(options.dir ?? tmpdir(), 'sluice-secret-'));
  const fifo = join(privateDir, 'input');
  try {
    await runner.run(['mkfifo', '-m', '600', fifo]);
    let finished = false;
    const outcome: Promise<Outcome> = runner.run(argvFor(fifo)).then(
      (result) => ({ ok: true, result }),
      (error: unknown) => ({ ok: false, error: asError(error) }),
    );
    void outcome.then(() => {
      finished = true;
    });
    const fed = await feed(fifo, secret, () => finished, options.timeoutMs ?? 10_000).then(
      () => undefined,
      asError,
    );
    const done = await outcome;
    // The program's own failure explains more than the broken pipe it caused.
    if (!done.ok) throw done.error;
    if (fed !== undefined) throw fed;
    return done.result;
  } finally {
    await rm(privateDir, { recursive: true, force: true });
  }
}
