// Who may do what, from the kernel's word on who is calling: the policy as pure rules, and for real over
// the helper's socket with callers of other users (setpriv), through the CLI and through raw gRPC.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  authorize,
  authorizeProcess,
  mayControl,
  NoSuchProcessError,
  parseStatusGroups,
  parseStatusUids,
  PermissionDeniedError,
  RPC_ACCESS,
  type Caller,
} from '../src/rpc/callers.js';
import { FakeCgroupFs } from './fake-os/cgroup.js';
import { makeTempDir, startTestDaemon, until, type TestDaemon } from './support.js';

const isRoot = process.getuid?.() === 0;
const CLI = resolve(import.meta.dirname, '../../cli/dist/main.js');
const GROUP = 4242;
const NOBODY = 65534;

const caller = (fields: Partial<Caller>): Caller => ({ uid: 1000, gid: 1000, groups: [], pid: 1, ...fields });

describe('the caller policy', () => {
  it('reading is open to everyone; changing needs root or the control group', () => {
    expect(() => authorize(caller({}), 'read', 'GetSettings', GROUP)).not.toThrow();
    expect(() => authorize(undefined, 'read', 'GetSettings', GROUP)).not.toThrow();
    expect(mayControl(caller({ uid: 0 }), undefined)).toBe(true);
    expect(mayControl(caller({ groups: [27, GROUP] }), GROUP)).toBe(true);
    expect(mayControl(caller({ gid: GROUP }), GROUP)).toBe(true);
    expect(mayControl(caller({ groups: [27] }), GROUP)).toBe(false);
    expect(mayControl(caller({ groups: [GROUP] }), undefined)).toBe(false);
  });

  it('says what is needed, and refuses control when the credentials are unknown (fail closed)', () => {
    expect(() => authorize(caller({ uid: 1000 }), 'control', 'SetLockdownMode', GROUP)).toThrow(
      new PermissionDeniedError(
        'SetLockdownMode changes the helper and needs root or membership of group "sluice" (the caller is uid 1000)',
      ),
    );
    expect(() => authorize(undefined, 'control', 'Connect', GROUP)).toThrow(/could not tell who is calling/);
    expect(() => authorize(caller({}), 'control', 'Connect', undefined)).toThrow(
      /there is no group "sluice"/,
    );
  });

  it('every change is control; only reads are open', () => {
    const open = Object.entries(RPC_ACCESS)
      .filter(([, access]) => access === 'read')
      .map(([rpc]) => rpc)
      .sort();
    expect(open).toEqual([
      'eventsListen',
      'getIdentity',
      'getRelayList',
      'getSettings',
      'getSplitTunnelState',
      'getTunnelState',
      'getVersion',
      // Reads the relays' latency: it changes nothing, and its probes are bounded (relays/latency-meter.ts).
      'measureLatency',
    ]);
  });

  it("a caller moves only its own processes; root any; a setuid process is not the user's", () => {
    const uids = new Map<number, number[]>([
      [100, [1000, 1000, 1000, 1000]],
      [200, [2000, 2000, 2000, 2000]],
      [300, [1000, 0, 0, 0]],
    ]);
    const of = (pid: number): number[] | undefined => uids.get(pid);
    const me = caller({ uid: 1000 });
    expect(() => authorizeProcess(me, 100, 'AddSplitTunnelProcess', of)).not.toThrow();
    expect(() => authorizeProcess(me, 200, 'AddSplitTunnelProcess', of)).toThrow(
      new PermissionDeniedError(
        'AddSplitTunnelProcess moves only your own processes: process 200 runs as uid 2000, you are uid 1000 (root may move any process)',
      ),
    );
    expect(() => authorizeProcess(me, 300, 'AddSplitTunnelProcess', of)).toThrow(PermissionDeniedError);
    expect(() => authorizeProcess(caller({ uid: 0 }), 200, 'AddSplitTunnelProcess', of)).not.toThrow();
    expect(() => authorizeProcess(me, 999, 'AddSplitTunnelProcess', of)).toThrow(NoSuchProcessError);
    expect(() => authorizeProcess(undefined, 100, 'AddSplitTunnelProcess', of)).toThrow(
      PermissionDeniedError,
    );
    expect(parseStatusUids('Name:\tx\nUid:\t1000\t1000\t0\t1000\nGid:\t5\n')).toEqual([1000, 1000, 0, 1000]);
  });

  it("reads the process's supplementary groups from /proc/<pid>/status", () => {
    expect(parseStatusGroups('Name:\tbash\nGroups:\t4 24 27 4242 \nNSpid:\t1\n')).toEqual([4, 24, 27, 4242]);
    expect(parseStatusGroups('Groups:\t\n')).toEqual([]);
    expect(parseStatusGroups('Name:\tx\n')).toEqual([]);
  });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `argv` as `uid` (and group `gid`, plus `groups`), with setpriv. */
function runAs(uid: number, groups: number[], argv: string[]): Promise<Run> {
  const ids = [
    `--reuid=${uid}`,
    `--regid=${NOBODY}`,
    groups.length ? `--groups=${groups.join(',')}` : '--clear-groups',
  ];
  return new Promise((resolvePromise, reject) => {
    const child = spawn('setpriv', [...ids, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

if (!isRoot) console.warn('callers: the real-socket tests need root (setpriv to other users); skipped');

describe.skipIf(!isRoot)('callers from the kernel, over the real socket', () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let helper: TestDaemon;
  let cgroupFs: FakeCgroupFs;

  beforeEach(async () => {
    temp = await makeTempDir();
    // Other users must reach the socket: the test directory is theirs to search, as /run/sluice is.
    await chmod(temp.dir, 0o755);
    const groupFile = join(temp.dir, 'group');
    await writeFile(groupFile, `root:x:0:\nsluice:x:${GROUP}:alice\n`);
    cgroupFs = new FakeCgroupFs();
    helper = await startTestDaemon(temp.dir, { groupFile, cgroupFs });
  });

  afterEach(async () => {
    await helper.stop();
    await temp.cleanup();
  });

  const cli = (uid: number, groups: number[], ...args: string[]) =>
    runAs(uid, groups, [process.execPath, CLI, '--socket', helper.socketPath, ...args]);

  it('a user outside the group reads, and is refused changes with what is needed (CLI)', async () => {
    const status = await cli(NOBODY, [], 'status', '--json');
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ state: 'disconnected' });
    const refused = await cli(NOBODY, [], 'lockdown-mode', 'set', 'on');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('needs root or membership of group "sluice" (the caller is uid 65534)');
    expect(refused.stderr).not.toContain('not running');
    expect((await helper.client.settings.getSettings({})).settings?.lockdownMode).toBe(false);
    // Clients can know before trying: the helper says who may change it, and why not.
    const version = await cli(NOBODY, [], 'version', '--json');
    expect(version.code, version.stderr).toBe(0);
    expect(JSON.parse(version.stdout)).toMatchObject({
      mayControl: false,
      controlRefusedReason:
        'changes need root or membership of group "sluice" (you are uid 65534; add your user to group "sluice" and log in again)',
    });
    const member = await cli(NOBODY, [GROUP], 'version', '--json');
    expect(JSON.parse(member.stdout)).toMatchObject({ mayControl: true });
  });

  it('a member of group sluice (a supplementary group) and root may change things', async () => {
    const member = await cli(NOBODY, [GROUP], 'lockdown-mode', 'set', 'on');
    expect(member.code, member.stderr).toBe(0);
    expect((await helper.client.settings.getSettings({})).settings?.lockdownMode).toBe(true);
    const root = await cli(0, [], 'lockdown-mode', 'set', 'off');
    expect(root.code, root.stderr).toBe(0);
    expect((await helper.client.settings.getSettings({})).settings?.lockdownMode).toBe(false);
    // Each change is logged with who asked.
    const changes = helper.logs.filter((l) => l.msg === 'change requested' && l.rpc === 'SetLockdownMode');
    expect(changes.map((l) => l.uid)).toEqual([NOBODY, 0]);
    expect(changes.every((l) => typeof l.pid === 'number' && l.pid > 1)).toBe(true);
  });

  it("a member may move only their own processes: another user's is refused, naming whose it is", async () => {
    await helper.client.splitTunnel.setSplitTunnelEnabled({ enabled: true });
    const refused = await cli(NOBODY, [GROUP], 'split-tunnel', 'add', '1');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'AddSplitTunnelProcess moves only your own processes: process 1 runs as uid 0, you are uid 65534',
    );
    const root = await cli(0, [], 'split-tunnel', 'delete', '1');
    // Root may move any process; pid 1 is simply not excluded.
    expect(root.stderr).toContain('process 1 is not excluded');
  });

  it('split-tunnel clear by a member moves back only their own processes', async () => {
    await helper.client.splitTunnel.setSplitTunnelEnabled({ enabled: true });
    // A real process of uid 65534, and this (root's) process; both known to the fake cgroup fs.
    const theirs = spawn('setpriv', [
      `--reuid=${NOBODY}`,
      `--regid=${NOBODY}`,
      '--clear-groups',
      'sleep',
      '30',
    ]);
    try {
      const pid = theirs.pid ?? 0;
      await until(
        () => readFileSync(`/proc/${pid}/status`, 'utf8').includes(`Uid:\t${NOBODY}`),
        'setpriv to drop to nobody',
      );
      for (const p of [pid, process.pid])
        cgroupFs.processes.set(p, { exe: '/bin/sleep', argv: ['sleep'], cgroup: '/sys/fs/cgroup' });
      await helper.client.splitTunnel.addSplitTunnelProcess({ pid });
      await helper.client.splitTunnel.addSplitTunnelProcess({ pid: process.pid });
      const cleared = await cli(NOBODY, [GROUP], 'split-tunnel', 'clear');
      expect(cleared.code, cleared.stderr).toBe(0);
      const { state } = await helper.client.splitTunnel.getSplitTunnelState({});
      expect(state?.pids).toEqual([process.pid]);
    } finally {
      theirs.kill('SIGKILL');
    }
  });

  it('raw gRPC from another user gets PERMISSION_DENIED for a change and its answer for a read, streams too', async () => {
    const script = `
      import { HelperClient } from '@sluice/api';
      const client = new HelperClient({ socketPath: ${JSON.stringify(helper.socketPath)}, deadlineMs: 5000 });
      const out = {};
      out.read = (await client.settings.getSettings({})).settings?.lockdownMode;
      out.change = await client.tunnel.connect({}).then(() => 'ok', (e) => e.kind + ': ' + e.message);
      out.event = await new Promise((done) => {
        const sub = client.listenEvents(
          (event) => { done(event.event?.$case); setImmediate(() => sub.cancel()); },
          (e) => done('ended ' + (e?.message ?? '')),
        );
      });
      client.close();
      console.log(JSON.stringify(out));
    `;
    const run = await runAs(NOBODY, [], [process.execPath, '--input-type=module', '-e', script]);
    expect(run.code, run.stderr).toBe(0);
    const answers = JSON.parse(run.stdout) as { read: unknown; change: string; event: unknown };
    expect(answers.read).toBe(false);
    expect(answers.change).toMatch(/^permission-denied: Connect changes the helper and needs root/);
    expect(answers.event).toBe('snapshot');
    expect((await helper.client.tunnel.getTunnelState({})).state?.state?.$case).toBe('disconnected');
  });
});
