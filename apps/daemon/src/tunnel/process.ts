// Long-running child processes (wireguard-go in the foreground) behind a small interface, so the
// supervisor's logic can be tested with a fake, and tests can run the real thing inside a namespace by
// transforming the argv (the helper itself never adds a namespace: it is started inside one).
import { spawn } from 'node:child_process';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (e.g. the program is not installed). */
  error?: string;
}

export interface LaunchedProcess {
  readonly pid: number | undefined;
  /** Settles once, when the process has exited or failed to start; never rejects. */
  readonly exited: Promise<ProcessExit>;
  kill(signal: NodeJS.Signals): void;
}

export interface LaunchOptions {
  /** Added to the helper's environment. */
  env?: Record<string, string>;
  /** Each line the process writes to stdout or stderr. */
  onOutput?: (line: string) => void;
}

export interface ProcessLauncher {
  launch(argv: readonly string[], options?: LaunchOptions): LaunchedProcess;
}

function forEachLine(onLine: (line: string) => void): (chunk: string) => void {
  let pending = '';
  return (chunk) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const text of lines) if (text.trim() !== '') onLine(text);
  };
}

/** Starts programs with child_process.spawn: argv only, never a shell. */
export class SpawnLauncher implements ProcessLauncher {
  constructor(
    /** Rewrites the argv before it runs; tests use it to prefix `ip netns exec <ns>`. */
    private readonly transformArgv: (argv: readonly string[]) => readonly string[] = (argv) => argv,
  ) {}

  launch(argv: readonly string[], options: LaunchOptions = {}): LaunchedProcess {
    const [file, ...args] = this.transformArgv(argv);
    if (!file) throw new Error('empty command');
    const child = spawn(file, args, {
      env: { ...process.env, LC_ALL: 'C', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a Ctrl-C meant for the helper must not kill the device behind the
      // supervisor's back (the helper stops it itself, in order, during shutdown).
      detached: true,
    });
    const onOutput = options.onOutput;
    if (onOutput) {
      child.stdout.setEncoding('utf8').on('data', forEachLine(onOutput));
      child.stderr.setEncoding('utf8').on('data', forEachLine(onOutput));
    } else {
      child.stdout.resume();
      child.stderr.resume();
    }
    const exited = new Promise<ProcessExit>((resolve) => {
      child.once('error', (error: NodeJS.ErrnoException) => {
        // 'error' without a pid means spawn failed; with one, 'exit' still follows.
        if (child.pid === undefined) {
          resolve({
            code: null,
            signal: null,
            error: error.code === 'ENOENT' ? `${file} is not installed` : error.message,
          });
        }
      });
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    return {
      pid: child.pid,
      exited,
      kill: (signal) => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      },
    };
  }
}
