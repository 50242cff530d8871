#!/usr/bin/env node
// sluice-exclude <command> [args...]: run a program outside the tunnel. The helper moves this very
// process (it takes the pid from the kernel's peer credentials of the connection, never from us) into
// the exclusion cgroup; then the process becomes the program (execv), so every socket the program
// opens is excluded from its first packet, its children follow, and its environment is exactly the
// caller's (nothing is setuid, so LD_PRELOAD and the rest survive).
import { ApiError, HelperClient, HelperUnreachableError } from './helper.js';
import { escapeControls } from '@sluice/api/domain';
import { execProgram } from '@sluice/execve';
import { EXCLUDE_EXIT, parseExcludeArgs, resolveProgram, USAGE } from './exclude-args.js';

const say = (text: string): void => {
  process.stderr.write(`sluice-exclude: ${escapeControls(text, '\t')}\n`);
};

async function main(): Promise<number> {
  const request = parseExcludeArgs(process.argv.slice(2), process.env);
  if (request.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (request.kind === 'usage') {
    say(`${request.message}\n${USAGE}`);
    return EXCLUDE_EXIT.usage;
  }
  // Found before the helper is asked: a typo changes nothing.
  const program = resolveProgram(request.command);
  if ('error' in program) {
    say(`${request.command}: ${program.error === 'not-found' ? 'command not found' : 'permission denied'}`);
    return program.error === 'not-found' ? EXCLUDE_EXIT.notFound : EXCLUDE_EXIT.notExecutable;
  }
  const client = new HelperClient({ socketPath: request.socket, deadlineMs: 10_000 });
  try {
    // pid 0: "this process", as the kernel tells the helper who is calling.
    await client.splitTunnel.addSplitTunnelProcess({ pid: 0 });
  } catch (error) {
    if (error instanceof HelperUnreachableError) {
      say(
        `the Sluice helper is not running (socket ${error.socketPath}); ${request.command} was not started`,
      );
      return EXCLUDE_EXIT.unreachable;
    }
    const message = error instanceof ApiError || error instanceof Error ? error.message : String(error);
    say(`${message}; ${request.command} was not started`);
    return EXCLUDE_EXIT.failed;
  } finally {
    client.close();
  }
  // A wrapper that ran this launcher on an application runtime (/usr/bin/sluice-exclude: Electron as
  // Node) names the variable it set; the program gets the caller's environment without it.
  const runtimeVariable = process.env.SLUICE_EXCLUDE_RUNTIME;
  if (runtimeVariable === 'ELECTRON_RUN_AS_NODE') Reflect.deleteProperty(process.env, runtimeVariable);
  Reflect.deleteProperty(process.env, 'SLUICE_EXCLUDE_RUNTIME');
  try {
    execProgram(program.path, [request.command, ...request.args]);
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : '';
    say(`${request.command}: ${error instanceof Error ? error.message : String(error)}`);
    return code === 'ENOENT' ? EXCLUDE_EXIT.notFound : EXCLUDE_EXIT.notExecutable;
  }
  return EXCLUDE_EXIT.failed;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    say(error instanceof Error ? error.message : String(error));
    process.exitCode = EXCLUDE_EXIT.failed;
  },
);
