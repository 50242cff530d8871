// The real sluiced binary: flags and environment, logging, clean shutdown on SIGTERM and SIGINT.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HelperClient } from '@sluice/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, until } from './support.js';

const MAIN = resolve(import.meta.dirname, '../dist/main.js');

let temp: Awaited<ReturnType<typeof makeTempDir>>;
const children: ChildProcessWithoutNullStreams[] = [];

beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await temp.cleanup();
});

/**
 * The real binary in a network namespace of its own (`unshare --net`): it reaches nothing and changes
 * nothing of the host's network, while its socket is still a file the test can connect to.
 */
function sluiced(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { child: ChildProcessWithoutNullStreams; stderr: () => string; exit: Promise<number | null> } {
  const dnsEnv = { SLUICE_DNS_BACKEND: 'static', SLUICE_RESOLV_CONF: join(temp.dir, 'resolv.conf') };
  const child = spawn('unshare', ['--net', '--', process.execPath, MAIN, ...args], {
    env: { PATH: process.env.PATH, ...dnsEnv, ...env },
  });

  children.push(child);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, stderr: () => stderr, exit };
}

async function reachable(socketPath: string): Promise<void> {
  const client = new HelperClient({ socketPath, deadlineMs: 2_000 });
  try {
    await until(
      () =>
        client.diagnostics.getVersion({}).then(
          () => true,
          () => false,
        ),
      `the helper on ${socketPath}`,
    );
  } finally {
    client.close();
  }
}

describe.skipIf(process.getuid?.() !== 0)('sluiced (as root, in its own network namespace)', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('serves on --socket and stops cleanly on %s', async (signal) => {
    const socket = join(temp.dir, 'run', 'd.sock');
    const stateDir = join(temp.dir, 'state');
    const run = sluiced(['--socket', socket, '--state-dir', stateDir]);
    await reachable(socket);
    run.child.kill(signal);
    expect(await run.exit).toBe(0);
    expect(existsSync(socket)).toBe(false);
    // JSON lines on stderr and in the rotating log file.
    const lines = run
      .stderr()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { msg: string });
    expect(lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['listening', 'shutting down', 'stopped']),
    );
    expect(readFileSync(join(stateDir, 'logs', 'sluiced.log'), 'utf8')).toContain('"msg":"stopped"');
  });

  it('takes the socket and state directory from the environment', async () => {
    const socket = join(temp.dir, 'env.sock');
    const stateDir = join(temp.dir, 'env-state');
    const run = sluiced([], { SLUICE_SOCKET: socket, SLUICE_STATE_DIR: stateDir });
    await reachable(socket);
    const client = new HelperClient({ socketPath: socket });
    await client.settings.setAllowLan({ allow: true });
    client.close();
    expect(readFileSync(join(stateDir, 'settings.json'), 'utf8')).toContain('"allowLan": true');
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  });

  it('exits 2 with a clear message on bad configuration', async () => {
    const run = sluiced([
      '--socket',
      join(temp.dir, 's.sock'),
      '--state-dir',
      temp.dir,
      '--interface',
      'way-too-long-interface',
    ]);
    expect(await run.exit).toBe(2);
    expect(run.stderr()).toContain('is not a valid interface name');
  });

  it('exits 1 when another helper already owns the socket', async () => {
    const socket = join(temp.dir, 'd.sock');
    const first = sluiced(['--socket', socket, '--state-dir', join(temp.dir, 'a')]);
    await reachable(socket);
    const second = sluiced(['--socket', socket, '--state-dir', join(temp.dir, 'b')]);
    expect(await second.exit).toBe(1);
    expect(second.stderr()).toContain('another helper is already listening');
    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);
  });
});
