// Split tunnelling without root: the cgroup layout from mountinfo, the mechanism chosen by what nft
// can load, and the service on a stateful fake cgroup filesystem (moves, origins, app rules, a cgroup
// someone removed, turning it off).
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ExclusionMatch } from '../src/net/firewall-rules.js';
import { AppRuleScanner, executablePath } from '../src/split-tunnel/app-rules.js';
import { cgroupOf } from '../src/split-tunnel/exclusion-cgroup.js';
import { cgroupLayout } from '../src/split-tunnel/layout.js';
import { chooseMechanism } from '../src/split-tunnel/mechanism.js';
import {
  SplitTunnel,
  SplitTunnelUnavailableError,
  type SplitTunnelSettingsView,
} from '../src/split-tunnel/service.js';
import { FakeCgroupFs, mountinfoOf } from './fake-os/cgroup.js';
import { until } from './support.js';

const NAME = 'sluice-test';
const ok = (): Promise<string | undefined> => Promise.resolve(undefined);

describe('cgroup layout', () => {
  it('tells v2 only, hybrid, v1 only and none apart, with where v2 and net_cls are', () => {
    expect(cgroupLayout(mountinfoOf('v2'))).toEqual({ name: 'v2', v2: '/sys/fs/cgroup' });
    expect(cgroupLayout(mountinfoOf('hybrid'))).toEqual({ name: 'hybrid', v2: '/sys/fs/cgroup/unified' });
    expect(cgroupLayout(mountinfoOf('v1'))).toEqual({ name: 'v1', netCls: '/sys/fs/cgroup/net_cls' });
    expect(cgroupLayout(mountinfoOf('none'))).toEqual({ name: 'none' });
  });

  it('a cgroup2 mount over a hybrid tree hides it (the v2-only lab), and escaped paths are read', () => {
    const over = `${mountinfoOf('hybrid')}50 22 0:26 / /sys/fs/cgroup rw - cgroup2 none rw\n`;
    expect(cgroupLayout(over)).toEqual({ name: 'v2', v2: '/sys/fs/cgroup' });
    const spaced = '30 22 0:26 / /mnt/c\\040g rw - cgroup2 cgroup2 rw\n';
    expect(cgroupLayout(spaced)).toEqual({ name: 'v2', v2: '/mnt/c g' });
  });

  it("reads a process's cgroup in either hierarchy", () => {
    expect(cgroupOf('0::/user.slice/app.scope\n', 'cgroup2')).toBe('/user.slice/app.scope');
    expect(cgroupOf('5:net_cls,net_prio:/x\n0::/y\n', 'net_cls')).toBe('/x');
    expect(cgroupOf('1:name=systemd:/\n', 'cgroup2')).toBeUndefined();
  });
});

describe('choosing the mechanism', () => {
  it('cgroup v2 where nft resolves it: the path nft needs is relative to /sys/fs/cgroup', async () => {
    const fs = new FakeCgroupFs('/sys/fs/cgroup/unified');
    const seen: ExclusionMatch[] = [];
    const mechanism = await chooseMechanism(cgroupLayout(mountinfoOf('hybrid')), {
      fs,
      name: NAME,
      canMatch: (match) => {
        seen.push(match);
        return ok();
      },
    });
    expect(mechanism.kind).toBe('cgroup2');
    expect(seen).toEqual([{ mechanism: 'cgroup2', path: `unified/${NAME}`, level: 1 }]);
    // nft resolves the path when the rule loads: the cgroup exists before the probe.
    expect(fs.cgroups.has(`/sys/fs/cgroup/unified/${NAME}`)).toBe(true);
  });

  it('net_cls on v1 only; unavailable says why, and leaves no cgroup behind', async () => {
    const v1 = await chooseMechanism(cgroupLayout(mountinfoOf('v1')), {
      fs: new FakeCgroupFs('/sys/fs/cgroup/net_cls', 'net_cls'),
      name: NAME,
      canMatch: ok,
    });
    expect(v1.kind === 'net_cls' && v1.match).toEqual({ mechanism: 'net_cls', classid: 0x534c0001 });
    const fs = new FakeCgroupFs();
    const refused = await chooseMechanism(cgroupLayout(mountinfoOf('v2')), {
      fs,
      name: NAME,
      canMatch: () => Promise.resolve('Error: syntax error, unexpected cgroupv2'),
    });
    expect(refused).toMatchObject({ kind: 'unavailable' });
    expect(refused.kind === 'unavailable' && refused.reason).toContain('nft cannot match cgroup v2 sockets');
    expect(fs.cgroups.has(`/sys/fs/cgroup/${NAME}`)).toBe(false);
    const none = await chooseMechanism(cgroupLayout(mountinfoOf('none')), { fs, name: NAME, canMatch: ok });
    expect(none.kind === 'unavailable' && none.reason).toMatch(
      /no cgroup v2 hierarchy.*net_cls.*not mounted/,
    );
  });
});

class Harness {
  readonly fs: FakeCgroupFs;
  settings: SplitTunnelSettingsView = { enabled: false, apps: [] };
  readonly exclusionChanges: boolean[] = [];
  stateChanges = 0;
  readonly service: SplitTunnel;

  constructor(layout: 'v2' | 'v1' = 'v2') {
    this.fs = layout === 'v2' ? new FakeCgroupFs() : new FakeCgroupFs('/sys/fs/cgroup/net_cls', 'net_cls');
    this.service = new SplitTunnel({
      fs: this.fs,
      log: pino({ level: 'silent' }),
      cgroupName: NAME,
      mountinfo: () => Promise.resolve(mountinfoOf(layout)),
      canMatch: ok,
      settings: () => this.settings,
      onExclusionChange: (replace) => this.exclusionChanges.push(replace),
      onStateChange: () => this.stateChanges++,
    });
  }

  get dir(): string {
    return `${this.fs.root}/${NAME}`;
  }

  async set(settings: SplitTunnelSettingsView): Promise<void> {
    const before = this.settings;
    this.settings = settings;
    await this.service.settingsChanged(before, settings);
  }
}

describe('the split-tunnel service', () => {
  it('off: no cgroup, no rules, and process calls say how to turn it on', async () => {
    const h = new Harness();
    await h.service.start();
    expect(h.fs.cgroups.has(h.dir)).toBe(false);
    expect(h.service.exclusion()).toBeUndefined();
    await expect(h.service.addProcess(h.fs.spawn('/usr/bin/curl'))).rejects.toThrow(
      new SplitTunnelUnavailableError(
        'cannot exclude a process: split tunnelling is off; turn it on with `sluice split-tunnel set on`',
      ),
    );
    await h.service.stop(false);
  });

  it('on: moves processes in (children follow) and back to where they came from; off undoes all', async () => {
    const h = new Harness();
    await h.service.start();
    await h.set({ enabled: true, apps: [] });
    expect(h.service.exclusion()).toEqual({ mechanism: 'cgroup2', path: NAME, level: 1 });
    expect(h.exclusionChanges).toEqual([false]);
    expect(h.fs.sysctl.get('/proc/sys/net/ipv4/conf/all/src_valid_mark')).toBe('1');

    const scope = '/sys/fs/cgroup/user.slice/app-firefox.scope';
    h.fs.cgroups.set(scope, { inode: 9 });
    const browser = h.fs.spawn('/usr/lib/firefox/firefox', ['firefox', '--new-window'], scope);
    await h.service.addProcess(browser);
    const child = h.fs.fork(browser);
    expect(h.fs.cgroupOf(child)).toBe(h.dir);
    const status = await h.service.status();
    expect(status.processes).toEqual([
      { pid: browser, command: 'firefox --new-window' },
      { pid: child, command: '/usr/lib/firefox/firefox' },
    ]);
    expect(status).toMatchObject({
      enabled: true,
      mechanism: 'cgroup2',
      detail: 'cgroup v2 only (at /sys/fs/cgroup)',
    });

    await h.service.removeProcess(browser);
    expect(h.fs.cgroupOf(browser)).toBe(scope);
    await expect(h.service.removeProcess(browser)).rejects.toThrow(`process ${browser} is not excluded`);
    await expect(h.service.addProcess(424242)).rejects.toThrow('there is no process 424242');

    await h.set({ enabled: false, apps: [] });
    // The child (never moved by us) goes to the root; the cgroup is gone, the sysctl as it was.
    expect(h.fs.cgroupOf(child)).toBe('/sys/fs/cgroup');
    expect(h.fs.cgroups.has(h.dir)).toBe(false);
    expect(h.service.exclusion()).toBeUndefined();
    expect(h.exclusionChanges).toEqual([false, false]);
    expect(h.fs.sysctl.get('/proc/sys/net/ipv4/conf/all/src_valid_mark')).toBe('0');
    await h.service.stop(false);
  });

  it('a moved launcher that then execs its program is reported again, with the program', async () => {
    const h = new Harness();
    await h.service.start();
    await h.set({ enabled: true, apps: [] });
    // sluice-exclude asks to be moved, then execs the program: same pid, new command line.
    const launcher = h.fs.spawn('/usr/bin/node', ['node', '/usr/lib/sluice/exclude.js', '--', 'firefox']);
    await h.service.addProcess(launcher);
    const before = h.stateChanges;
    const process = h.fs.processes.get(launcher);
    if (process) Object.assign(process, { exe: '/usr/lib/firefox/firefox', argv: ['firefox'] });
    await until(() => h.stateChanges > before, 'the new command line to be noticed', 4_000);
    expect((await h.service.status()).processes).toEqual([{ pid: launcher, command: 'firefox' }]);
    await h.service.stop(false);
  });

  it('app rules move matching processes within a second of starting, and after a restart', async () => {
    const h = new Harness();
    h.settings = { enabled: true, apps: ['/usr/bin/transmission'] };
    await h.service.start();
    const other = h.fs.spawn('/usr/bin/bash');
    const app = h.fs.spawn('/usr/bin/transmission');
    const started = Date.now();
    await until(() => h.fs.cgroupOf(app) === h.dir, 'the app rule to exclude it', 2_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(h.fs.cgroupOf(other)).toBe('/sys/fs/cgroup/user.slice');
    // A launcher that forks, then execs the program a moment later, is caught too.
    const launcher = h.fs.spawn('/usr/bin/env');
    await new Promise((resolve) => setTimeout(resolve, 600));
    const process = h.fs.processes.get(launcher);
    if (process) process.exe = '/usr/bin/transmission';
    await until(() => h.fs.cgroupOf(launcher) === h.dir, 'the exec to be noticed', 2_000);

    // Removing the rule puts what it moved back; adding it again moves them out again.
    await h.set({ enabled: true, apps: [] });
    expect(h.fs.cgroupOf(app)).toBe('/sys/fs/cgroup/user.slice');
    await h.set({ enabled: true, apps: ['/usr/bin/transmission'] });
    await until(
      () => h.fs.cgroupOf(app) === h.dir && h.fs.cgroupOf(launcher) === h.dir,
      'excluded again',
      2_000,
    );

    // A new helper (restart): the cgroup is reused and the rules hold again at once.
    await h.service.stop(true);
    const restarted = new SplitTunnel({
      fs: h.fs,
      log: pino({ level: 'silent' }),
      cgroupName: NAME,
      mountinfo: () => Promise.resolve(mountinfoOf('v2')),
      canMatch: ok,
      settings: () => ({ enabled: true, apps: ['/usr/bin/transmission'] }),
      onExclusionChange: () => undefined,
      onStateChange: () => undefined,
    });
    await restarted.start();
    expect((await restarted.status()).processes.map((p) => p.pid)).toEqual([app, launcher]);
    await restarted.stop(false);
    // Where it came from died with the first helper: back to the hierarchy's root.
    expect(h.fs.cgroupOf(app)).toBe('/sys/fs/cgroup');
  });

  it('a cgroup someone removed is made again and its rules reloaded (replace)', async () => {
    const h = new Harness();
    h.settings = { enabled: true, apps: ['/usr/bin/x'] };
    await h.service.start();
    h.fs.cgroups.delete(h.dir);
    await until(() => h.exclusionChanges.includes(true), 'the rules to be reloaded', 3_000);
    expect(h.fs.cgroups.has(h.dir)).toBe(true);
    await h.service.stop(false);
  });

  it('net_cls: the cgroup carries the classid', async () => {
    const h = new Harness('v1');
    h.settings = { enabled: true, apps: [] };
    await h.service.start();
    expect(h.service.exclusion()).toEqual({ mechanism: 'net_cls', classid: 0x534c0001 });
    expect(h.fs.cgroups.get(h.dir)?.classid).toBe(String(0x534c0001));
    await h.service.stop(false);
    expect(h.fs.cgroups.has(h.dir)).toBe(false);
  });

  it('scanner: looks at new processes, and young ones again; a replaced binary still matches', async () => {
    const fs = new FakeCgroupFs();
    let now = 0;
    const scanner = new AppRuleScanner(fs, () => now);
    const pid = fs.spawn('/bin/sh');
    expect(await scanner.scan(new Set(['/usr/bin/app']), new Set())).toEqual([]);
    const process = fs.processes.get(pid);
    if (process) process.exe = '/usr/bin/app';
    now = 5_000;
    // Older than the young window: not looked at again.
    expect(await scanner.scan(new Set(['/usr/bin/app']), new Set())).toEqual([]);
    scanner.reset();
    expect(await scanner.scan(new Set(['/usr/bin/app']), new Set())).toEqual([pid]);
    expect(executablePath('/usr/bin/app (deleted)')).toBe('/usr/bin/app');
  });
});
