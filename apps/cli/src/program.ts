// The `sluice` command tree (DESIGN.md "Contracts"; follows `mullvad` where the job is the same) and
// the mapping of failures onto exit codes: 0 ok, 1 request failed, 2 usage, 3 helper not reachable.
import { Command, CommanderError } from 'commander';
import type { HelperClient } from '@sluice/api';
import { registerDoctor } from './commands/doctor.js';
import { registerRelays } from './commands/relays.js';

import { registerSettings } from './commands/settings.js';
import { registerSplitTunnel } from './commands/split-tunnel.js';
import { registerStatus } from './commands/status.js';
import { registerTunnelControl } from './commands/tunnel-control.js';
import { registerVersion } from './commands/version.js';
import { UsageError, type CliContext } from './context.js';
import type * as Helper from './helper.js';
import { DEFAULT_SOCKET_PATH, HelperSocketMissingError, socketIsMissing } from './socket.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3 } as const;

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  readFile: (path: string) => Promise<string>;
  interrupted: () => Promise<void>;
}

/** The gRPC side of the CLI, loaded by the first command that talks to the helper. */
type HelperModule = typeof Helper;

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let helperModule: HelperModule | undefined;
  let client: HelperClient | undefined;
  const program = new Command()
    .name('sluice')
    .description('Control the Sluice VPN helper')
    .option('--socket <path>', `helper socket (env SLUICE_SOCKET, default ${DEFAULT_SOCKET_PATH})`)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.replace(/\n$/, '')),
      writeErr: (s) => io.err(s.replace(/\n$/, '')),
    })
    .showHelpAfterError('(run with --help for usage)');

  const ctx: CliContext = {
    out: io.out,
    err: io.err,
    readFile: io.readFile,
    interrupted: io.interrupted,
    client: async () => {
      if (client) return client;
      const socketPath =
        program.opts<{ socket?: string }>().socket ?? io.env.SLUICE_SOCKET ?? DEFAULT_SOCKET_PATH;
      // The commonest failure, told without loading gRPC; anything else there is for gRPC to judge.
      if (socketIsMissing(socketPath)) throw new HelperSocketMissingError(socketPath);
      helperModule ??= await import('./helper.js');
      client ??= new helperModule.HelperClient({ socketPath });
      return client;
    },
  };
  registerStatus(program, ctx);
  registerTunnelControl(program, ctx);
  registerRelays(program, ctx);
  registerSettings(program, ctx);
  registerVersion(program, ctx);
  registerSplitTunnel(program, ctx);
  registerDoctor(program, ctx);
  // Every subcommand inherits the exit override and output routing.
  const configure = (command: Command): void => {
    for (const sub of command.commands) {
      sub
        .exitOverride()
        .configureOutput(program.configureOutput())
        .showHelpAfterError('(run with --help for usage)');
      configure(sub);
    }
  };
  configure(program);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (error) {
    return reportError(error, io, helperModule);
  } finally {
    client?.close();
  }
}

/** `helper` is undefined when gRPC was never loaded: then no error can be one of its classes. */
function reportError(error: unknown, io: CliIo, helper: HelperModule | undefined): number {
  if (error instanceof CommanderError) {
    // Help and version are "errors" only to commander.
    if (error.exitCode === 0) return EXIT.ok;
    return EXIT.usage;
  }
  if (error instanceof UsageError) {
    io.err(`sluice: ${error.message}`);
    return EXIT.usage;
  }
  if (
    error instanceof HelperSocketMissingError ||
    (helper !== undefined && error instanceof helper.HelperUnreachableError)
  ) {
    io.err(`sluice: the Sluice helper is not running (socket ${error.socketPath})`);
    return EXIT.unreachable;
  }
  if (helper !== undefined && error instanceof helper.ApiError) {
    io.err(`sluice: ${error.message}`);
    return EXIT.failed;
  }
  if (error instanceof Error && 'code' in error && error.code === 'ENOENT' && 'path' in error) {
    io.err(`sluice: cannot read ${String(error.path)}: no such file`);
    return EXIT.failed;
  }
  io.err(`sluice: ${error instanceof Error ? error.message : String(error)}`);
  return EXIT.failed;
}
