// Labs come and go without a trace (root): down, signals, uncaught errors, killed owners, two labs at
// once, the CLI, and the host's network namespace exactly as it was.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '../src/exec.js';
import { HELPER_MAIN, Lab } from '../src/lab.js';
import { isAlive } from '../src/procs.js';
import { labDir, readState } from '../src/state.js';
import {
  cleanupStaleLabs,
  labNamespaces,
  labWireguardSockets,
  processesIn,
  staleLabs,
} from '../src/teardown.js';
import { waitFor } from '../src/wait.js';
import { CAN_RUN_LAB, CLI, mountsMentioning, rootNetworkSnapshot, SKIP_REASON } from './support.js';

const INDEX = join(import.meta.dirname, '..', 'dist', 'index.js');

/** Everything a lab leaves on the machine, by name. */
function traces(name: string): { namespaces: string[]; dir: boolean; sockets: string[]; mounts: string[] } {
  return {
    namespaces: labNamespaces(name),
    dir: existsSync(labDir(name)),
    sockets: labWireguardSockets(name),
    mounts: mountsMentioning(name),
  };
}

const NONE = { namespaces: [], dir: false, sockets: [], mounts: [] };

function expectGone(name: string, pids: readonly number[]): void {
  expect(traces(name)).toEqual(NONE);
  expect(pids.filter((pid) => isAlive(pid))).toEqual([]);
}

interface Running {
  child: ChildProcess;
  output: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function node(args: string[], env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exit };
}

async function labUpIn(running: Running): Promise<string> {
  return waitFor(() => /lab (sl[a-z0-9]{4}) is up/.exec(running.output())?.[1], {
    what: `a lab from the child (${running.output()})`,
    timeoutMs: 30_000,
  });
}

describe.skipIf(!CAN_RUN_LAB)(`lab life cycle${SKIP_REASON === '' ? '' : ` (${SKIP_REASON})`}`, () => {
  let before: Record<string, string>;

  beforeAll(async () => {
    before = await rootNetworkSnapshot();
  });

  it('down removes namespaces, interfaces, processes, mounts and files, and can be repeated', async () => {
    const lab = await Lab.up({ relays: 1 });
    const { name } = lab;
    // Something long-running in the client's private mount namespace, as the helper would be.
    lab.spawnInClient(['sleep', '600'], { stdio: 'ignore', detached: true }).unref();
    await waitFor(() => processesIn([lab.namespaceOf('client')]).length > 0, { what: 'the client program' });
    const pids = processesIn(labNamespaces(name));
    expect(labNamespaces(name)).toHaveLength(4);
    expect(pids.length).toBeGreaterThanOrEqual(5); // dns x2, http, iperf3, wireguard-go, the client program
    expect(labWireguardSockets(name)).toEqual([`/var/run/wireguard/${name}-wg0.sock`]);
    await lab.down();
    await lab.down();
    expectGone(name, pids);
    const links = await run(['ip', '-o', 'link', 'show']);
    expect(links.stdout).not.toContain(name);
  });

  it('a lab whose owner was killed (SIGKILL) is removed by the next up', async () => {
    const owner = node([CLI, 'up', '--foreground', '--relays', '1']);
    const name = await labUpIn(owner);
    const pids = processesIn(labNamespaces(name));
    expect(pids.length).toBeGreaterThan(0);
    owner.child.kill('SIGKILL');
    await owner.exit;
    // Left behind (unless another lab's up, in a parallel test file, already swept it).
    if (existsSync(labDir(name))) expect(staleLabs()).toContain(name);
    const next = await Lab.up({ relays: 1 });
    try {
      expectGone(name, pids);
      expect(await next.whatIsMyIp(4)).toBe('198.51.100.2');
    } finally {
      await next.down();
    }
  });

  it('a lab whose owner was killed while bringing it up is removed too', async () => {
    const owner = node([CLI, 'up', '--foreground']);
    // Namespaces, links and rulesets are made; the services are starting.
    await waitFor(() => owner.output().includes('starting resolvers'), {
      what: 'the child to build its lab',
    });
    owner.child.kill('SIGKILL');
    await owner.exit;
    const name = /creating namespaces for (sl[a-z0-9]{4})/.exec(owner.output())?.[1] ?? '';
    const pids = processesIn(labNamespaces(name));
    // Half-built and left behind (unless a parallel test file's up already swept it).
    if (existsSync(labDir(name))) expect(labNamespaces(name)).toHaveLength(6);
    await cleanupStaleLabs();
    expectGone(name, pids);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('%s tears the lab down, then ends the process', async (signal) => {
    const owner = node([CLI, 'up', '--foreground', '--relays', '1']);
    const name = await labUpIn(owner);
    const pids = processesIn(labNamespaces(name));
    owner.child.kill(signal);
    expect(await owner.exit).toEqual({ code: null, signal });
    expectGone(name, pids);
  });

  it('an uncaught error tears the lab down', async () => {
    const script = `
      import { Lab } from ${JSON.stringify(INDEX)};
      const lab = await Lab.up({ relays: 1 });
      console.log('lab ' + lab.name + ' is up');
      process.nextTick(() => { throw new Error('deliberate'); });
    `;
    const owner = node(['--input-type=module', '--eval', script]);
    const name = await labUpIn(owner);
    const pids = processesIn(labNamespaces(name));
    expect((await owner.exit).code).toBe(1);
    expect(owner.output()).toContain('deliberate');
    expectGone(name, pids);
  });

  it('runs two labs side by side', async () => {
    const labs = await Promise.all([Lab.up({ relays: 1 }), Lab.up({ relays: 2 })]);
    try {
      const [a, b] = labs;
      expect(a.name).not.toBe(b.name);
      expect(await a.whatIsMyIp(6)).toBe('2001:db8:c1::2');
      expect(await b.whatIsMyIp(6)).toBe('2001:db8:c1::2');
      expect(a.relays[0]?.wgInterface).not.toBe(b.relays[0]?.wgInterface);
    } finally {
      await Promise.all(labs.map((lab) => lab.down()));
    }
  });

  it('the CLI keeps a lab up, runs commands in its client, reports it and takes it down', async () => {
    const env = { NETLAB_PROG: 'netlab' };
    const upRun = node([CLI, 'up', '--relays', '1'], env);
    expect(await upRun.exit).toEqual({ code: 0, signal: null });
    const name = /lab (sl[a-z0-9]{4}) is up/.exec(upRun.output())?.[1] ?? '';
    try {
      expect(upRun.output()).toContain('netlab shell');
      expect(readState(name)?.detached).toBe(true);
      // The lab outlives the command that made it, and the next sweep leaves it alone.
      expect(await cleanupStaleLabs()).not.toContain(name);
      const status = node([CLI, 'status', '--json'], env);
      await status.exit;
      expect(JSON.parse(status.output())).toContainEqual(expect.objectContaining({ name, state: 'kept' }));
      const shell = node([CLI, 'shell', name, '--', 'cat', '/etc/resolv.conf'], env);
      expect((await shell.exit).code).toBe(0);
      expect(shell.output()).toContain(readFileSync(join(labDir(name), 'resolv.conf'), 'utf8'));
      const again = node([CLI, 'up', '--relays', '1'], env);
      expect((await again.exit).code).toBe(1);
      expect(again.output()).toContain('already up');
    } finally {
      const pids = processesIn(labNamespaces(name));
      const down = node([CLI, 'down', name], env);
      expect(await down.exit).toEqual({ code: 0, signal: null });
      expectGone(name, pids);
    }
  });

  it.skipIf(!existsSync(HELPER_MAIN))('starts sluiced in the client namespace when asked', async () => {
    const lab = await Lab.up({ relays: 1, helper: true });
    try {
      const helper = lab.helper;
      expect(helper?.socket).toBe(join(lab.dir, 'sluiced.sock'));
      expect(existsSync(helper?.socket ?? '')).toBe(true);
      const inClient = processesIn([lab.namespaceOf('client')]);
      expect(inClient.some((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(HELPER_MAIN))).toBe(
        true,
      );
    } finally {
      await lab.down();
    }
  });

  it('leaves the root network namespace exactly as it was', async () => {
    expect(await rootNetworkSnapshot()).toEqual(before);
  });
});
