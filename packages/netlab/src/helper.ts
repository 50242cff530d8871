// sluiced in the lab's client: started the way the tests, the bench, e2e and `netlab up --with-helper`
// all need it (client namespace, the lab's resolv.conf, static DNS backend, its own socket, state and
// log in the lab directory), waited for until its socket answers, and stopped or killed like a crash.
import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { pidsWithArgument, signalPids } from './procs.js';
import { waitFor } from './wait.js';

/** What Lab gives this module: enough to run a program in the client. */
export interface ClientRunner {
  readonly name: string;
  readonly dir: string;
  spawnInClient(
    argv: readonly string[],
    options: { env?: Record<string, string>; stdio?: ['ignore', number, number]; detached?: boolean },
  ): ChildProcess;
}

export interface HelperOptions {
  /** Distinguishes helpers of one lab (socket, state, interface and log names); default "sl". */
  id?: string;
  /** Reuse a state directory (a restart); default <lab dir>/helper-<id>. */
  stateDir?: string;
  /** Extra environment for sluiced. */
  env?: Record<string, string>;
  /** sluiced's entry point. */
  main: string;
  /** Outlive the process that started it (`netlab up --with-helper` exits, the helper stays). */
  detached?: boolean;
}

export interface LabHelper {
  socket: string;
  stateDir: string;
  interfaceName: string;
  logPath: string;
  process: ChildProcess;
  /** SIGTERM, and the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL every process of this helper (the lab's launcher cannot forward SIGKILL), as a crash. */
  kill(): Promise<void>;
}

function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Node's flags for sluiced, as its systemd unit passes them: a young generation of 1 MiB per semi-space
 * (V8's default grows to 16) keeps a burst of garbage, such as a relay-list import, from staying resident.
 */
export const HELPER_NODE_FLAGS = ['--max-semi-space-size=1'] as const;

/**
 * The environment the systemd unit gives sluiced besides its own variables, for glibc's malloc:
 * - two arenas, so memory freed by libuv's worker threads is reused rather than kept per thread;
 * - a fixed trim threshold of 128 KiB (glibc's default, which it otherwise raises to the size of the
 *   largest block it has handed back, here the 2 MB of the helper's own bundle read at start), so the
 *   memory start-up frees goes back to the system: 8 MiB of RSS.
 */
export const HELPER_ENV = { MALLOC_ARENA_MAX: '2', MALLOC_TRIM_THRESHOLD_: '131072' } as const;

export async function startHelper(lab: ClientRunner, options: HelperOptions): Promise<LabHelper> {
  const id = options.id ?? 'sl';
  const socket = join(lab.dir, `${id}.sock`);
  const stateDir = options.stateDir ?? join(lab.dir, `helper-${id}`);
  // Unique across labs: /var/run/wireguard is shared by every namespace.
  const interfaceName = `${lab.name}-${id}`.slice(0, 15);
  const logPath = join(lab.dir, 'logs', `${id}.log`);
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  mkdirSync(join(lab.dir, 'logs'), { recursive: true });
  const log = openSync(logPath, 'a', 0o600);
  let child: ChildProcess;
  try {
    child = lab.spawnInClient(
      [
        process.execPath,
        ...HELPER_NODE_FLAGS,
        options.main,
        '--socket',
        socket,
        '--state-dir',
        stateDir,
        '--interface',
        interfaceName,
      ],
      {
        env: { SLUICE_DNS_BACKEND: 'static', ...HELPER_ENV, ...options.env },
        stdio: ['ignore', log, log],
        detached: options.detached ?? false,
      },
    );
  } finally {
    closeSync(log);
  }
  if (options.detached) child.unref();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await waitFor(
    async () => {
      if (child.exitCode !== null) {
        throw new Error(
          `sluiced exited with ${child.exitCode}: ${readFileSync(logPath, 'utf8').slice(-2000)}`,
        );
      }
      return socketAnswers(socket);
    },
    { what: 'sluiced to listen', timeoutMs: 20_000 },
  );
  return {
    socket,
    stateDir,
    interfaceName,
    logPath,
    process: child,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      signalPids(pidsWithArgument(socket), 'SIGKILL');
      await exited;
      await waitFor(() => pidsWithArgument(socket).length === 0, {
        what: 'the helper to be gone',
        timeoutMs: 10_000,
      });
    },
  };
}
