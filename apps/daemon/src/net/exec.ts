// The one way the helper runs programs: argv arrays (never a shell), LC_ALL=C so output parses the same
// everywhere, a timeout, optional stdin, and errors that carry the command and its stderr. Tests swap
// in a recording Runner to assert the exact transcript.
import { execFile } from 'node:child_process';

export interface RunOptions {
  /** Text written to the program's standard input (e.g. an nft ruleset for `nft -f -`). */
  input?: string;
  timeoutMs?: number;
  /** Exit codes that are not failures (e.g. 2 from `ip` when deleting something already gone). */
  okCodes?: readonly number[];
  /** Cancels the command (the program is killed); the promise rejects with CommandAbortedError. */
  signal?: AbortSignal;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface Runner {
  run(argv: readonly string[], options?: RunOptions): Promise<RunResult>;
}

export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    readonly argv: readonly string[],
    readonly code: number | null,
    readonly stderr: string,
    detail: string,
  ) {
    super(`\`${argv.join(' ')}\` ${detail}${stderr.trim() ? `: ${stderr.trim()}` : ''}`);
  }
}

export class CommandAbortedError extends Error {
  override readonly name = 'CommandAbortedError';
  constructor(readonly argv: readonly string[]) {
    super(`\`${argv.join(' ')}\` was cancelled`);
  }
}

const DEFAULT_TIMEOUT_MS = 15_000;

/** Runs programs for real. */
export class SystemRunner implements Runner {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const [file, ...args] = argv;
    if (!file) return Promise.reject(new Error('empty command'));
    if (options.signal?.aborted) return Promise.reject(new CommandAbortedError(argv));
    return new Promise((resolve, reject) => {
      const child = execFile(
        file,
        args,
        {
          env: { ...this.env, LC_ALL: 'C' },
          timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          killSignal: 'SIGKILL',
          maxBuffer: 64 * 1024 * 1024,
          encoding: 'utf8',
          ...(options.signal ? { signal: options.signal } : {}),
        },
        (error, stdout, stderr) => {
          if (!error) {
            resolve({ stdout, stderr, code: 0 });
            return;
          }
          if (options.signal?.aborted) {
            reject(new CommandAbortedError(argv));
            return;
          }
          const code = typeof error.code === 'number' ? error.code : null;
          if (code !== null && options.okCodes?.includes(code)) {
            resolve({ stdout, stderr, code });
          } else if (error.killed) {
            reject(
              new CommandError(
                argv,
                code,
                stderr,
                `timed out after ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`,
              ),
            );
          } else if (error.code === 'ENOENT') {
            reject(new CommandError(argv, null, '', `failed: ${file} is not installed`));
          } else {
            reject(new CommandError(argv, code, stderr, `exited with ${code ?? 'a signal'}`));
          }
        },
      );
      if (options.input !== undefined) child.stdin?.end(options.input);
      else child.stdin?.end();
    });
  }
}

/** A Runner for tests: records every command and answers from a script. */
export class RecordingRunner implements Runner {
  readonly calls: { argv: string[]; input?: string }[] = [];

  constructor(
    private readonly answer: (
      argv: readonly string[],
      input: string | undefined,
    ) => Partial<RunResult> | Error = () => ({}),
  ) {}

  run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    this.calls.push(
      options.input === undefined ? { argv: [...argv] } : { argv: [...argv], input: options.input },
    );
    if (options.signal?.aborted) return Promise.reject(new CommandAbortedError(argv));
    const reply = this.answer(argv, options.input);
    if (reply instanceof Error) return Promise.reject(reply);
    const result = { stdout: '', stderr: '', code: 0, ...reply };
    if (result.code !== 0 && !options.okCodes?.includes(result.code)) {
      return Promise.reject(new CommandError(argv, result.code, result.stderr, `exited with ${result.code}`));
    }
    return Promise.resolve(result);
  }

  /** The transcript as one command per line, for readable assertions. */
  transcript(): string[] {
    return this.calls.map((call) => call.argv.join(' '));
  }
}
