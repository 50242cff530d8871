// The socket helpers over a real gRPC server on a Unix socket in a temporary directory.
import { chmod, lstat, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HelperClient } from '../src/client.js';
import { ApiError, HelperUnreachableError } from '../src/errors.js';
import { Notice_Kind } from '../src/gen/sluice/v1/events.js';
import {
  DiagnosticsServiceService,
  type DiagnosticsServiceServer,
} from '../src/gen/sluice/v1/diagnostics_service.js';
import {
  EventServiceService,
  type EventServiceServer,
  type EventsListenResponse,
} from '../src/gen/sluice/v1/events_service.js';
import { listenOnSocket, lookupGroupId } from '../src/server.js';

const diagnostics: DiagnosticsServiceServer = {
  getVersion: (_call, callback) =>
    callback(null, { daemonVersion: 'test', platform: 'linux', wireguardBackend: '', dnsBackend: '' }),
  runLeakTest: (_call, callback) => callback({ code: grpc.status.UNIMPLEMENTED, details: 'not here' }, null),
  getLogs: (call, callback) => {
    if (call.request.maxLines > 10)
      callback({ code: grpc.status.INVALID_ARGUMENT, details: 'max_lines: at most 10' }, null);
    else callback(null, { lines: ['a'] });
  },
};

const events: EventServiceServer = {
  eventsListen: (call) => {
    call.write({
      event: {
        $case: 'notice',
        value: { kind: Notice_Kind.KIND_SETTINGS_RECOVERED, message: 'hello', detail: '' },
      },
    });
  },
};

function newServer(): grpc.Server {
  const server = new grpc.Server();
  server.addService(DiagnosticsServiceService, diagnostics);
  server.addService(EventServiceService, events);
  return server;
}

/** A socket file nobody listens on, as a SIGKILLed helper leaves it. */
async function makeStaleSocket(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const child = spawn(
    process.execPath,
    ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', () => reject(new Error('listener exited early')));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

function stopServer(server: grpc.Server): void {
  server.forceShutdown();
}

/** Poll `check` until it returns true or the deadline passes. */
async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let dir: string;
let socketPath: string;
const servers: grpc.Server[] = [];
const clients: HelperClient[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-api-'));
  socketPath = join(dir, 'run', 'daemon.sock');
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const server of servers.splice(0)) stopServer(server);
  await rm(dir, { recursive: true, force: true });
});

async function serve(options: { groupName?: string; groupFile?: string } = {}): Promise<grpc.Server> {
  const server = newServer();
  servers.push(server);
  await listenOnSocket(server, { socketPath, ...options });
  return server;
}

function client(options: { requireOwnerUid?: number } = {}): HelperClient {
  const c = new HelperClient({ socketPath, deadlineMs: 3_000, ...options });
  clients.push(c);
  return c;
}

describe('listenOnSocket', () => {
  it('creates the directory and a 0600 socket when the group does not exist', async () => {
    await serve({ groupName: 'no-such-group-here', groupFile: join(dir, 'group') });
    const stat = await lstat(socketPath);
    expect(stat.isSocket()).toBe(true);
    expect(stat.mode & 0o777).toBe(0o600);
    expect((await client().diagnostics.getVersion({})).daemonVersion).toBe('test');
  });

  it('gives the sluice group 0660 access when the group exists', async () => {
    const groupFile = join(dir, 'group');
    await writeFile(groupFile, 'root:x:0:\nsluice:x:4242:alice\n');
    expect(await lookupGroupId('sluice', groupFile)).toBe(4242);
    await serve({ groupName: 'sluice', groupFile });
    const stat = await lstat(socketPath);
    expect(stat.mode & 0o777).toBe(0o660);
    if (process.getuid?.() === 0) expect(stat.gid).toBe(4242);
  });

  it('replaces a stale socket left by a dead helper', async () => {
    await makeStaleSocket(socketPath);
    expect((await lstat(socketPath)).isSocket()).toBe(true);
    await serve();
    expect((await client().diagnostics.getVersion({})).daemonVersion).toBe('test');
  });

  it('refuses to take over a socket that still answers', async () => {
    await serve();
    await expect(listenOnSocket(newServer(), { socketPath })).rejects.toThrow(/already listening/);
  });

  it('refuses to delete something that is not a socket', async () => {
    await mkdir(dirname(socketPath), { recursive: true });
    await writeFile(socketPath, 'precious');
    await expect(listenOnSocket(newServer(), { socketPath })).rejects.toThrow(/not a socket/);
  });
});

describe('HelperClient', () => {
  it('says the helper is not running when the socket is missing', async () => {
    const error = await client()
      .diagnostics.getVersion({})
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HelperUnreachableError);
    expect((error as HelperUnreachableError).message).toContain(
      `the Sluice helper is not running (socket ${socketPath})`,
    );
  });

  it('maps gRPC status codes to typed errors with the helper message', async () => {
    await serve();
    const invalid = await client()
      .diagnostics.getLogs({ maxLines: 11 })
      .catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ApiError);
    expect(invalid).toMatchObject({ kind: 'invalid-argument', message: 'max_lines: at most 10' });
    const unimplemented = await client()
      .diagnostics.runLeakTest({})
      .catch((e: unknown) => e);
    expect(unimplemented).toMatchObject({ kind: 'unimplemented' });
  });

  it('refuses a socket owned by someone other than the required owner', async () => {
    await serve();
    const owner = (await lstat(socketPath)).uid;
    expect((await client({ requireOwnerUid: owner }).diagnostics.getVersion({})).daemonVersion).toBe('test');
    const error = await client({ requireOwnerUid: owner + 1 })
      .diagnostics.getVersion({})
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'permission-denied' });
    expect((error as Error).message).toContain('impersonating');
  });

  it('refuses a path that is not a socket even if the owner matches', async () => {
    await writeFile(join(dir, 'plain'), '');
    await chmod(join(dir, 'plain'), 0o600);
    const c = new HelperClient({ socketPath: join(dir, 'plain'), requireOwnerUid: process.getuid?.() ?? 0 });
    clients.push(c);
    await expect(c.diagnostics.getVersion({})).rejects.toMatchObject({ kind: 'permission-denied' });
  });

  it('watchEvents reconnects after the helper restarts', async () => {
    await serve();
    const seen: EventsListenResponse[] = [];
    const changes: boolean[] = [];
    const watch = client().watchEvents({
      onEvent: (event) => seen.push(event),
      onConnectionChange: (connected) => changes.push(connected),
      random: () => 0,
    });
    try {
      await until(() => seen.length === 1, 'the first event');
      expect(changes).toEqual([true]);
      stopServer(servers.pop() as grpc.Server);
      await until(() => changes.length === 2, 'the disconnect');
      expect(changes[1]).toBe(false);
      await serve();
      await until(() => seen.length === 2 && changes.length === 3, 'the re-subscription');
      expect(changes).toEqual([true, false, true]);
    } finally {
      watch.close();
    }
  });
});
