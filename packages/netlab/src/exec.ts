// The one way this package runs programs: argv arrays (never a shell), LC_ALL=C, a timeout, and errors that
// say which command failed and what it printed on stderr.
import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { assertNamespaceName } from './names.js';

export interface RunOptions {
  /** Kill the program (SIGKILL) after this long. Default 30 s. */
  timeoutMs?: number;
  /** Written to the program's stdin, which is then closed. */
  input?: string;
  /** Extra environment variables (on top of this process's environment and LC_ALL=C). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Return a non-zero exit instead of throwing. */
  allowFailure?: boolean;
  cwd?: string;
}

export interface RunResult {
  argv: readonly string[];
  /** Exit code, or null when the program was ended by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export class ExecError extends Error {
  readonly argv: readonly string[];
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;

  constructor(result: RunResult, cause?: unknown) {
    const how = result.timedOut
      ? 'timed out'
      : result.signal !== null
        ? `was killed by ${result.signal}`
        : `exited with ${String(result.code)}`;
    const stderr = result.stderr.trim();
    super(`${formatArgv(result.argv)} ${how}${stderr === '' ? '' : `: ${stderr}`}`, { cause });
    this.name = 'ExecError';
    this.argv = result.argv;
    this.code = result.code;
    this.signal = result.signal;
    this.stdout = result.stdout;
    this.stderr = result.stderr;
    this.timedOut = result.timedOut;
  }
}

export const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_OUTPUT = 64 * 1024 * 1024;

/** Quote an argv for messages only (it is never given to a shell). */
export function formatArgv(argv: readonly string[]): string {
  return argv.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : JSON.stringify(arg))).join(' ');
}

export function checkArgv(argv: readonly string[]): void {
  if (argv.length === 0 || argv[0] === '') throw new TypeError('exec: empty argv');
  for (const arg of argv) {
    if (typeof arg !== 'string') throw new TypeError(`exec: argument is not a string in ${formatArgv(argv)}`);
    if (arg.includes('\0')) throw new TypeError(`exec: NUL byte in an argument of ${formatArgv(argv)}`);
  }
}

export function childEnv(
  extra?: Readonly<Record<string, string | undefined>>,
  keepLocale = false,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = keepLocale
    ? { ...process.env, ...extra }
    : { ...process.env, ...extra, LC_ALL: 'C' };
  for (const [key, value] of Object.entries(env)) if (value === undefined) Reflect.deleteProperty(env, key);
  return env;
}

/** Run a program to completion and collect its output. Throws ExecError on failure unless allowFailure. */
export function run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  checkArgv(argv);
  const [file, ...args] = argv as [string, ...string[]];
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise<RunResult>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let spawnError: Error | undefined;
    const child = spawn(file, args, {
      env: childEnv(options.env),
      cwd: options.cwd,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      if (stdout.length < MAX_OUTPUT) stdout += chunk;
    });
    child.stderr?.on('data', (chunk: string) => {
      if (stderr.length < MAX_OUTPUT) stderr += chunk;
    });
    child.on('error', (error) => {
      spawnError = error;
    });
    if (options.input !== undefined && child.stdin) {
      child.stdin.on('error', () => undefined); // the program may exit without reading everything
      child.stdin.end(options.input);
    }
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result: RunResult = { argv: [...argv], code, signal, stdout, stderr, timedOut };
      if (spawnError !== undefined) {
        reject(new ExecError({ ...result, stderr: spawnError.message }, spawnError));
      } else if (!options.allowFailure && (code !== 0 || timedOut)) {
        reject(new ExecError(result));
      } else {
        resolve(result);
      }
    });
  });
}

/** The same, synchronously: only for the last-resort teardown in a process 'exit' handler. */
export function runSync(argv: readonly string[], options: RunOptions = {}): RunResult {
  checkArgv(argv);
  const [file, ...args] = argv as [string, ...string[]];
  const out = spawnSync(file, args, {
    env: childEnv(options.env),
    cwd: options.cwd,
    input: options.input,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    killSignal: 'SIGKILL',
    maxBuffer: MAX_OUTPUT,
  });
  const timedOut = out.error !== undefined && (out.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
  const result: RunResult = {
    argv: [...argv],
    code: out.status,
    signal: out.signal,
    stdout: out.stdout,
    stderr: out.error !== undefined && !timedOut ? out.error.message : out.stderr,
    timedOut,
  };
  if (!options.allowFailure && (out.error !== undefined || out.status !== 0)) throw new ExecError(result);
  return result;
}

export interface StartOptions {
  env?: Readonly<Record<string, string | undefined>>;
  cwd?: string;
  stdio?: StdioOptions;
  /** Own process group, so a terminal's Ctrl-C does not reach it (the lab ends it on teardown). */
  detached?: boolean;
  /** Pass the caller's locale through instead of LC_ALL=C (programs for people: shells). */
  keepLocale?: boolean;
}

/** Start a long-running program. The caller owns the child (and its teardown). */
export function start(argv: readonly string[], options: StartOptions = {}): ChildProcess {
  checkArgv(argv);
  const [file, ...args] = argv as [string, ...string[]];
  return spawn(file, args, {
    env: childEnv(options.env, options.keepLocale),
    cwd: options.cwd,
    stdio: options.stdio ?? 'pipe',
    detached: options.detached ?? false,
  });
}

/** argv that runs `argv` inside the named network namespace (nothing else changes: mounts, /sys, cwd). */
export function inNetns(namespace: string, argv: readonly string[]): string[] {
  assertNamespaceName(namespace);
  return ['nsenter', `--net=/run/netns/${namespace}`, '--', ...argv];
}
