// In-process helper on a real Unix socket in a temporary directory, with its log captured.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { HelperClient } from '@sluice/api';
import { multistream, pino } from 'pino';
import { resolveConfig } from '../src/config.js';
import { startDaemon, type RunningDaemon } from '../src/daemon.js';
import { RotatingFile } from '../src/log.js';
import { FakeCgroupFs, mountinfoOf } from './fake-os/cgroup.js';
import type { DnsBackend } from '../src/net/dns/index.js';
import { RecordingRunner, type Runner } from '../src/net/exec.js';
import type { Firewall } from '../src/net/firewall.js';
import type { LatencyProber } from '../src/relays/latency-meter.js';

import type { FaultHook } from '../src/settings/store.js';

export interface TestDaemon {
  dir: string;
  stateDir: string;
  socketPath: string;
  daemon: RunningDaemon;
  client: HelperClient;
  /** Every log record so far, parsed. */
  logs: Record<string, unknown>[];
  /** Stop the helper, keep the directory (for restarts). */
  stop(): Promise<void>;
}

export async function makeTempDir(): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'sluiced-test-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** DNS that only remembers: for helpers that never reach the system. */
export class MemoryDns implements DnsBackend {
  readonly name = 'static';
  applied: { interfaceName: string; servers: string[] } | undefined;
  apply(interfaceName: string, servers: readonly string[]): Promise<void> {
    this.applied = { interfaceName, servers: [...servers] };
    return Promise.resolve();
  }
  revert(): Promise<void> {
    this.applied = undefined;
    return Promise.resolve();
  }
  recover(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * A helper whose system calls are recorded, not run (these tests run in the root namespace, which the
 * helper must never touch); lab tests pass a real runner and run inside a lab namespace.
 */
export async function startTestDaemon(
  dir: string,
  options: {
    settingsFaultHook?: FaultHook;
    runner?: Runner;
    dns?: DnsBackend;
    firewall?: Firewall;
    /** An /etc/group-format file for the control group; default: one without group "sluice". */
    groupFile?: string;
    /** The cgroup filesystem split tunnelling sees; default: a fake, cgroup v2 only. */
    cgroupFs?: FakeCgroupFs;
    /** Relay latency probes; default: `ping` through the (recording) runner. */
    latencyProber?: LatencyProber;
  } = {},
): Promise<TestDaemon> {
  const stateDir = join(dir, 'state');
  const socketPath = join(dir, 'run', 'daemon.sock');
  const config = resolveConfig({ socket: socketPath, stateDir }, {});
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  const logFile = new RotatingFile({ dir: config.logDir });
  const log = pino(
    { level: 'debug' },
    multistream([
      { stream: sink, level: 'debug' },
      { stream: logFile, level: 'info' },
    ]),
  );
  const daemon = await startDaemon(config, {
    log,
    logFile,
    // Tests run as root, who may always change things; a missing file means no group "sluice".
    groupFile: options.groupFile ?? join(dir, 'no-group-file'),
    runner: options.runner ?? new RecordingRunner(),
    dns: options.dns ?? new MemoryDns(),
    firewall: options.firewall ?? null,
    // Never the host's cgroups: split tunnelling works on a fake v2 hierarchy unless a test brings one.
    cgroupFs: options.cgroupFs ?? new FakeCgroupFs(),
    mountinfo: () => Promise.resolve(mountinfoOf('v2')),

    ...(options.settingsFaultHook ? { settingsFaultHook: options.settingsFaultHook } : {}),
    ...(options.latencyProber ? { latencyProber: options.latencyProber } : {}),
  });

  const client = new HelperClient({ socketPath, deadlineMs: 5_000 });
  return {
    dir,
    stateDir,
    socketPath,
    daemon,
    client,
    logs,
    stop: async () => {
      client.close();
      await daemon.stop();
      logFile.close();
    },
  };
}

/** Poll `check` until it returns true or the deadline passes. */
export async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** mulberry32: a small seeded generator, so random tests are deterministic and a seed replays them. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
