// sluice-exclude's arguments and how it finds the program, as a shell would (pure but for the file probes).
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { DEFAULT_SOCKET_PATH } from './socket.js';

export const EXCLUDE_EXIT = {
  failed: 1,
  usage: 2,
  unreachable: 3,
  notExecutable: 126,
  notFound: 127,
} as const;

export const USAGE = `usage: sluice-exclude [--socket PATH] <command> [args...]
Runs <command> outside the VPN tunnel (split tunnelling must be on: sluice split-tunnel set on).`;

export type ExcludeRequest =
  | { kind: 'run'; socket: string; command: string; args: string[] }
  | { kind: 'help' }
  | { kind: 'usage'; message: string };

/** The launcher's own options come before the command; everything from the command on is the program's. */
export function parseExcludeArgs(argv: readonly string[], env: NodeJS.ProcessEnv): ExcludeRequest {
  let socket = env.SLUICE_SOCKET ?? DEFAULT_SOCKET_PATH;
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      i++;
      break;
    }
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    if (arg === '--socket') {
      const value = argv[++i];
      if (value === undefined) return { kind: 'usage', message: '--socket needs a path' };
      socket = value;
    } else if (arg.startsWith('--socket=')) socket = arg.slice('--socket='.length);
    else if (arg.startsWith('-')) return { kind: 'usage', message: `unknown option ${arg}` };
    else break;
  }
  const [command, ...args] = argv.slice(i);
  if (command === undefined || command === '') return { kind: 'usage', message: 'no command given' };
  return { kind: 'run', socket, command, args };
}

export type Resolved = { path: string } | { error: 'not-found' | 'not-executable' };

const isFile = (path: string): boolean => {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

const isExecutable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** The program as a shell finds it: a name with a slash as given, otherwise the first hit on PATH. */
export function resolveProgram(
  command: string,
  path = process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
  probe: { isFile: (p: string) => boolean; isExecutable: (p: string) => boolean } = { isFile, isExecutable },
): Resolved {
  if (command.includes('/')) {
    if (!probe.isFile(command)) return { error: 'not-found' };
    return probe.isExecutable(command) ? { path: command } : { error: 'not-executable' };
  }
  let foundButNotExecutable = false;
  for (const dir of path.split(delimiter)) {
    const candidate = join(dir === '' ? '.' : dir, command);
    if (!probe.isFile(candidate)) continue;
    if (probe.isExecutable(candidate)) return { path: candidate };
    foundButNotExecutable = true;
  }
  return { error: foundButNotExecutable ? 'not-executable' : 'not-found' };
}
