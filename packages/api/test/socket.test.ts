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
import {
  listenOnSocket,
  lookupGroupId,
  type SocketListenOptions,
  type SocketListenResult,
} from '../src/server.js';

/** What `call.getPeer()` said for each GetVersion. */
const peersSeen: string[] = [];

const diagnostics: DiagnosticsServiceServer = {
  getVersion: (call, callback) => {
    peersSeen.push(call.getPeer());
    callback(null, {
      daemonVersion: 'test',
      platform: 'linux',
      wireguardBackend: '',
      dnsBackend: '',
      callerMayControl: true,
      controlRefusedReason: '',
    });
  },
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

interface Served {
  server: grpc.Server;
  listening: SocketListenResult;
}

function stopServer({ server, listening }: Served): void {
  server.forceShutdown();
  void listening.close();
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
const servers: Served[] = [];
const clients: HelperClient[] = [];

beforeEach(async () => {
  peersSeen.length = 0;
  dir = await mkdtemp(join(tmpdir(), 'sluice-api-'));
  socketPath = join(dir, 'run', 'daemon.sock');
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const server of servers.splice(0)) stopServer(server);
  await rm(dir, { recursive: true, force: true });
});

async function serve(options: Omit<SocketListenOptions, 'socketPath'> = {}): Promise<grpc.Server> {
  const server = newServer();
  const listening = await listenOnSocket(server, { socketPath, ...options });
  servers.push({ server, listening });
  return server;
}

function client(options: { requireOwnerUid?: number } = {}): HelperClient {
  const c = new HelperClient({ socketPath, deadlineMs: 3_000, ...options });
  clients.push(c);
  return c;
}

describe('listenOnSocket', () => {
  it('creates the directory 0755 and a socket every local user can connect to', async () => {
    await serve();
    const stat = await lstat(socketPath);
    expect(stat.isSocket()).toBe(true);
    expect(stat.mode & 0o777).toBe(0o666);
    expect((await lstat(dirname(socketPath))).mode & 0o777).toBe(0o755);
    expect((await client().diagnostics.getVersion({})).daemonVersion).toBe('test');
  });

  it('lets the server name each connection: calls on it report that name as their peer', async () => {
    let connections = 0;
    await serve({ identify: () => `conn-${++connections}` });
    const first = client();
    expect((await first.diagnostics.getVersion({})).daemonVersion).toBe('test');
    expect((await first.diagnostics.getVersion({})).daemonVersion).toBe('test');
    // Two calls on one connection, one name.
    expect(peersSeen).toEqual(['conn-1', 'conn-1']);
    expect(connections).toBe(1);
  });

  it('finds a group by name in an /etc/group file', async () => {
    const groupFile = join(dir, 'group');
    await writeFile(groupFile, 'root:x:0:\nsluice:x:4242:alice\n');
    expect(await lookupGroupId('sluice', groupFile)).toBe(4242);
    expect(await lookupGroupId('nobody-here', groupFile)).toBeUndefined();
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
      const served = servers.pop();
      if (served) stopServer(served);
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
