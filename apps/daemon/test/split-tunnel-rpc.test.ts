// The split-tunnel API over the helper's socket, on a fake cgroup filesystem: the state answers say
// what is in force, changes are pushed on EventsListen, pid 0 is the caller itself (from the kernel).
import type { pb } from '@sluice/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeCgroupFs } from './fake-os/cgroup.js';
import { makeTempDir, startTestDaemon, until, type TestDaemon } from './support.js';

let temp: Awaited<ReturnType<typeof makeTempDir>>;
let helper: TestDaemon;
let fs: FakeCgroupFs;

beforeEach(async () => {
  temp = await makeTempDir();
  fs = new FakeCgroupFs();
  helper = await startTestDaemon(temp.dir, { cgroupFs: fs });
});

afterEach(async () => {
  await helper.stop();
  await temp.cleanup();
});

describe('split tunnelling over the API', () => {
  it('on, a process in (pid 0 = the caller), pushed to listeners with its command line; off, all back', async () => {
    const pushed: pb.SplitTunnelState[] = [];
    const sub = helper.client.listenEvents(
      (event) => {
        if (event.event?.$case === 'splitTunnel') pushed.push(event.event.value);
      },
      () => undefined,
    );
    try {
      const on = await helper.client.splitTunnel.setSplitTunnelEnabled({ enabled: true });
      expect(on.state).toMatchObject({
        enabled: true,
        mechanism: 'cgroup2',
        detail: 'cgroup v2 only (at /sys/fs/cgroup)',
      });
      expect(fs.cgroups.has('/sys/fs/cgroup/sluice-exclude')).toBe(true);

      // The caller, as the kernel names it, is this test process: the fake cgroup fs knows it too.
      fs.processes.set(process.pid, {
        exe: process.execPath,
        argv: ['node', 'vitest'],
        cgroup: '/sys/fs/cgroup/user.slice',
      });
      const added = await helper.client.splitTunnel.addSplitTunnelProcess({ pid: 0 });
      expect(added.state?.pids).toEqual([process.pid]);
      expect(added.state?.processes).toEqual([{ pid: process.pid, command: 'node vitest' }]);
      await until(() => pushed.some((s) => s.pids.includes(process.pid)), 'the change pushed to listeners');

      const removed = await helper.client.splitTunnel.removeSplitTunnelProcess({ pid: process.pid });
      expect(removed.state?.pids).toEqual([]);
      expect(fs.cgroupOf(process.pid)).toBe('/sys/fs/cgroup/user.slice');

      await helper.client.splitTunnel.addSplitTunnelProcess({ pid: 0 });
      const off = await helper.client.splitTunnel.setSplitTunnelEnabled({ enabled: false });
      expect(off.state).toMatchObject({ enabled: false, pids: [] });
      expect(fs.cgroupOf(process.pid)).toBe('/sys/fs/cgroup/user.slice');
      expect(fs.cgroups.has('/sys/fs/cgroup/sluice-exclude')).toBe(false);
      await until(() => pushed.at(-1)?.enabled === false, 'off pushed');
    } finally {
      sub.cancel();
    }
  });

  it('refuses what makes no sense with the reason: a pid out of range, one that is not excluded', async () => {
    await helper.client.splitTunnel.setSplitTunnelEnabled({ enabled: true });
    await expect(helper.client.splitTunnel.addSplitTunnelProcess({ pid: 5_000_000 })).rejects.toThrow(
      /5000000 is not a process id/,
    );
    await expect(helper.client.splitTunnel.removeSplitTunnelProcess({ pid: process.pid })).rejects.toThrow(
      `process ${process.pid} is not excluded`,
    );
  });
});
