// Split tunnelling for real, on each cgroup layout a desktop may have (the host's hybrid one, v2 only
// and v1 only, each simulated in the client's private mount namespaces): sluiced in a lab client,
// real wireguard-go relays, real nft and cgroups; the programs run in the client with the same cgroup
// view. Root only.
import type { ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { CLI_MAIN, Lab, serverScript, type CaptureResult } from '@sluice/netlab';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientNetworkState,
  connectedRelay,
  importLabRelays,
  isRoot,
  startLabHelper,
  tunnelState,
  waitForState,
  type LabHelper,
} from './lab-support.js';
import { until } from './support.js';

if (!isRoot) console.warn('lab-split-tunnel: skipped, the lab needs root (namespaces, cgroups)');

const EXCLUDE = resolve(import.meta.dirname, '../../cli/dist/exclude.js');

const LAYOUTS = [
  { layout: 'host', mechanism: 'cgroup2', detail: 'hybrid' },
  { layout: 'v2', mechanism: 'cgroup2', detail: 'cgroup v2 only' },
  { layout: 'v1', mechanism: 'net_cls', detail: 'cgroup v1 only' },
] as const;

/** A long-running program in the client that fetches each URL it is given on a new connection. */
class HttpLoop {
  readonly pid: Promise<number>;
  private readonly lines: Interface;
  private readonly answers: ((line: string) => void)[] = [];

  constructor(readonly child: ChildProcess) {
    if (!child.stdout || !child.stdin) throw new Error('http-loop needs pipes');
    this.lines = createInterface({ input: child.stdout });
    this.pid = new Promise((resolvePid) => {
      this.lines.once('line', (line) => resolvePid((JSON.parse(line) as { pid: number }).pid));
    });
    void this.pid.then(() => this.lines.on('line', (line) => this.answers.shift()?.(line)));
  }

  async get(url: string): Promise<string> {
    await this.pid;
    const line = await new Promise<string>((done) => {
      this.answers.push(done);
      this.child.stdin?.write(`${url}\n`);
    });
    const answer = JSON.parse(line) as { body?: string; error?: string };
    if (answer.body === undefined) throw new Error(answer.error ?? 'no answer');
    return (JSON.parse(answer.body) as { ip: string }).ip;
  }

  stop(): void {
    this.child.stdin?.end();
    this.child.kill('SIGTERM');
  }
}

describe.skipIf(!isRoot).each(LAYOUTS)(
  'split tunnelling on cgroup layout "$layout"',
  ({ layout, mechanism, detail }) => {
    let lab: Lab;
    let helper: LabHelper;
    let before: Record<string, string>;

    let nodeCopy: string;
    // One helper id: a restarted helper has the same interface and cgroup names, as after a real crash.
    const start = (stateDir?: string) => startLabHelper(lab, { id: 'st', ...(stateDir ? { stateDir } : {}) });

    beforeAll(async () => {
      lab = await Lab.up({ relays: 2, cgroupLayout: layout });
      before = await clientNetworkState(lab);
      helper = await start();
      await importLabRelays(lab, helper.client);
      // App rules match executables: a copy of Node runs the program under a rule, so the helper and
      // the lab's own probes (the real Node) are never matched.
      nodeCopy = join(lab.dir, 'node-copy');
      copyFileSync(process.execPath, nodeCopy);
      chmodSync(nodeCopy, 0o755);
    }, 90_000);

    afterAll(async () => {
      const started = helper as LabHelper | undefined;
      if (started) await started.stop();
      await (lab as Lab | undefined)?.down();
    }, 60_000);

    const sluice = (...args: string[]) =>
      lab.runInClient([process.execPath, CLI_MAIN, '--socket', helper.socket, ...args], {
        timeoutMs: 20_000,
      });
    const probe = (...args: string[]) => [process.execPath, serverScript('probe'), ...args];
    const excluded = (...argv: string[]) =>
      lab.runInClient([process.execPath, EXCLUDE, '--socket', helper.socket, ...argv], {
        timeoutMs: 20_000,
        allowFailure: true,
      });
    const seenBy = async (argv: string[]): Promise<string> => {
      const run = await excluded(...argv);
      expect(run.code, run.stderr).toBe(0);
      return (JSON.parse(run.stdout) as { ip: string }).ip;
    };

    it('reports the mechanism this layout allows, and sluice-exclude refuses while it is off', async () => {
      const { state } = await helper.client.splitTunnel.getSplitTunnelState({});
      expect(state).toMatchObject({ enabled: false, mechanism });
      expect(state?.detail).toContain(detail);
      const refused = await excluded('true');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        'split tunnelling is off; turn it on with `sluice split-tunnel set on`',
      );
      expect(refused.stderr).toContain('true was not started');
    });

    it('connected: an excluded program sees the client address (IPv4, IPv6) and resolves names; others see the relay', async () => {
      await helper.client.tunnel.connect({});
      const connected = await waitForState(helper.client, 'connected');
      const relayName = connected.state?.$case === 'connected' ? connected.state.value.relay?.hostname : '';
      const relay = lab.relays.find((r) => r.hostname === relayName);
      if (!relay) throw new Error(`connected to an unknown relay ${relayName ?? ''}`);
      expect((await sluice('split-tunnel', 'set', 'on')).code).toBe(0);
      expect((await sluice('status')).stdout).toContain(`Split tunnelling (${mechanism}): 0 processes`);

      const web = lab.web;
      expect(await seenBy(probe('http-get', `${web.url4}/ip`))).toBe(lab.clientAddress.v4);
      expect(await seenBy(probe('http-get', `${web.url6}/ip`))).toBe(lab.clientAddress.v6);
      expect(await lab.whatIsMyIp(4)).toBe(relay.address.v4);
      expect(await lab.whatIsMyIp(6)).toBe(relay.address.v6);
      const names = await excluded(...probe('resolve', 'web.lab'));
      expect(names.code, names.stderr).toBe(0);
      expect(JSON.parse(names.stdout)).toContain(web.address.v4);
      // The environment reaches the program unchanged (nothing setuid drops LD_PRELOAD).
      const env = await lab.runInClient([process.execPath, EXCLUDE, '--socket', helper.socket, 'env'], {
        env: { ...process.env, LD_PRELOAD: '', SLUICE_CANARY: 'a b\tc' },
      });
      expect(env.stdout.split('\n')).toEqual(expect.arrayContaining(['LD_PRELOAD=', 'SLUICE_CANARY=a b\tc']));
      // The packaged wrapper runs the launcher as Electron-as-Node; the program does not inherit that.
      const wrapped = await lab.runInClient([process.execPath, EXCLUDE, '--socket', helper.socket, 'env'], {
        env: { ...process.env, SLUICE_EXCLUDE_RUNTIME: 'ELECTRON_RUN_AS_NODE', ELECTRON_RUN_AS_NODE: '1' },
      });
      expect(wrapped.code, wrapped.stderr).toBe(0);
      expect(wrapped.stdout).not.toMatch(/^(ELECTRON_RUN_AS_NODE|SLUICE_EXCLUDE_RUNTIME)=/m);
      expect(wrapped.stdout).toMatch(/^PATH=/m);
    });

    it('a running program moved out gets its new connections out directly, and back through the tunnel after delete', async () => {
      const loop = new HttpLoop(
        lab.spawnInClient(probe('http-loop'), { stdio: ['pipe', 'pipe', 'inherit'] }),
      );
      try {
        const pid = await loop.pid;
        const url = `${lab.web.url4}/ip`;
        const relayAddress = await loop.get(url);
        expect(relayAddress).not.toBe(lab.clientAddress.v4);
        const added = await sluice('split-tunnel', 'add', String(pid));
        expect(added.code, added.stderr).toBe(0);
        expect(added.stdout).toContain('Connections it already has stay in the tunnel');
        expect(await loop.get(url)).toBe(lab.clientAddress.v4);
        const listed = await sluice('split-tunnel', 'list');
        expect(listed.stdout).toContain(`${pid}  ${process.execPath}`);
        expect((await sluice('split-tunnel', 'delete', String(pid))).code).toBe(0);
        expect(await loop.get(url)).toBe(relayAddress);
      } finally {
        loop.stop();
      }
    });

    it('an app rule excludes a program within a second of starting; app remove puts it back', async () => {
      expect((await sluice('split-tunnel', 'app', 'add', nodeCopy)).code).toBe(0);
      const loop = new HttpLoop(
        lab.spawnInClient([nodeCopy, serverScript('probe'), 'http-loop'], {
          stdio: ['pipe', 'pipe', 'inherit'],
        }),
      );
      try {
        const pid = await loop.pid;
        const started = Date.now();
        await until(
          async () =>
            (await helper.client.splitTunnel.getSplitTunnelState({})).state?.pids.includes(pid) ?? false,
          'the app rule to move the program',
          3_000,
        );
        console.info(
          `split tunnel (${layout}): app rule moved a new process after ${Date.now() - started} ms`,
        );
        expect(await loop.get(`${lab.web.url4}/ip`)).toBe(lab.clientAddress.v4);
        // The rule survives a helper restart, and the program stays outside.
        const stateDir = helper.stateDir;
        expect(await helper.stop()).toBe(0);
        helper = await start(stateDir);
        await waitForState(helper.client, 'connected');
        await until(
          async () =>
            (await helper.client.splitTunnel.getSplitTunnelState({})).state?.pids.includes(pid) ?? false,
          'the program excluded after the restart',
          3_000,
        );
        expect(await loop.get(`${lab.web.url4}/ip`)).toBe(lab.clientAddress.v4);
        // Removing the rule puts the program back in the tunnel.
        expect((await sluice('split-tunnel', 'app', 'remove', nodeCopy)).code).toBe(0);
        const state = (await helper.client.splitTunnel.getSplitTunnelState({})).state;
        expect(state?.pids).not.toContain(pid);
        expect(await loop.get(`${lab.web.url4}/ip`)).not.toBe(lab.clientAddress.v4);
      } finally {
        loop.stop();
      }
    });

    it(
      'nothing else leaves outside the tunnel while excluded programs run, through reconnect, relay death and a helper SIGKILL',
      { timeout: 90_000 },
      async () => {
        // Excluded traffic has its own destination (web over IPv6); everything else goes to web over IPv4.
        const outside = new HttpLoop(
          lab.spawnInClient(probe('http-loop'), { stdio: ['pipe', 'pipe', 'inherit'] }),
        );
        const pid = await outside.pid;
        await helper.client.splitTunnel.addSplitTunnelProcess({ pid });
        const capture = await lab.startLeakCapture();
        let result: CaptureResult;
        try {
          const traffic = async (): Promise<void> => {
            expect(await outside.get(`${lab.web.url6}/ip`)).toBe(lab.clientAddress.v6);
            await lab.whatIsMyIp(4).catch(() => undefined);
          };
          await traffic();
          await helper.client.tunnel.reconnect({});
          await traffic();
          await waitForState(helper.client, 'connected');
          await traffic();
          // The relay dies: the helper moves to the other one; excluded traffic goes on meanwhile.
          const dead = connectedRelay(await tunnelState(helper.client));
          const victim = lab.relays.find((r) => r.hostname === dead);
          if (!victim) throw new Error('not connected');
          await lab.killRelay(victim.name);
          await traffic();
          await until(
            async () => {
              const relay = connectedRelay(await tunnelState(helper.client));
              return relay !== undefined && relay !== dead;
            },
            'a connection through the other relay',
            30_000,
          );
          await lab.reviveRelay(victim.name);
          await traffic();
          await helper.kill();
          // The table stays when the helper dies: excluded programs keep working, nothing else leaks.
          await traffic();
          helper = await start(helper.stateDir);
          await waitForState(helper.client, 'connected');
          await traffic();
        } finally {
          result = await capture.stop();
          outside.stop();
        }
        const v6 = lab.web.address.v6;
        const unexpected = result.leaks.filter((p) => p.dst !== v6 && p.src !== v6);
        expect(result.complete).toBe(true);
        expect(unexpected.map((p) => `${p.protocol} ${p.src ?? ''} > ${p.dst ?? ''}`)).toEqual([]);
        // The excluded program's packets were seen outside the tunnel: the capture would have caught a leak.
        expect(result.leaks.some((p) => p.dst === v6)).toBe(true);
      },
    );

    it('under lockdown while disconnected, excluded programs reach the web and nothing else does', async () => {
      await helper.client.settings.setLockdownMode({ enabled: true });
      await helper.client.tunnel.disconnect({});
      await waitForState(helper.client, 'disconnected');
      expect(await seenBy(probe('http-get', `${lab.web.url4}/ip`))).toBe(lab.clientAddress.v4);
      await expect(lab.whatIsMyIp(4, { timeoutMs: 1_500 })).rejects.toThrow();
      await helper.client.settings.setLockdownMode({ enabled: false });
    });

    it('turning it off and disconnecting leave rules, routes, cgroups and the table exactly as before', async () => {
      expect((await sluice('split-tunnel', 'set', 'off')).code).toBe(0);
      const state = (await helper.client.splitTunnel.getSplitTunnelState({})).state;
      expect(state?.pids).toEqual([]);
      await waitForState(helper.client, 'disconnected');
      expect(await clientNetworkState(lab)).toEqual(before);
      const cgroups = await lab.runInClient(
        ['find', '/sys/fs/cgroup', '-maxdepth', '2', '-name', `sluice-${lab.name}-*`],
        { allowFailure: true },
      );
      expect(cgroups.stdout).toBe('');
    });
  },
);
