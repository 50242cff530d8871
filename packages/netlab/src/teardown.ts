// Removing a lab, by name, from whatever state it is in: every process inside its namespaces, the
// namespaces (and with them every interface, route and nft table, which only ever existed inside them),
// its wireguard-go sockets, its directory. Idempotent. Also the last-resort synchronous variant for a
// process 'exit' handler, and the sweep of labs whose owner died (a killed test run).
import { existsSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { run, runSync } from './exec.js';
import { assertLabName, isLabName, labOfNamespace } from './names.js';
import { netnsInode, pidsInNetns, signalPids } from './procs.js';
import { isStale, LAB_ROOT, labDir, listLabDirs, readState, removeAbandonedTempDirs } from './state.js';

export const NETNS_DIR = '/run/netns';
export const WIREGUARD_RUN_DIR = '/var/run/wireguard';

/** The lab's namespaces that exist now. */
export function labNamespaces(name: string): string[] {
  assertLabName(name);
  try {
    return readdirSync(NETNS_DIR)
      .filter((ns) => labOfNamespace(ns) === name)
      .sort();
  } catch {
    return [];
  }
}

/** The lab's wireguard-go sockets (/var/run/wireguard is shared by every namespace). */
export function labWireguardSockets(name: string): string[] {
  assertLabName(name);
  try {
    return readdirSync(WIREGUARD_RUN_DIR)
      .filter((file) => file.startsWith(`${name}-`) && file.endsWith('.sock'))
      .map((file) => join(WIREGUARD_RUN_DIR, file));
  } catch {
    return [];
  }
}

function inodesOf(namespaces: readonly string[]): Set<number> {
  const inodes = new Set<number>();
  for (const ns of namespaces) {
    const inode = netnsInode(ns);
    if (inode !== undefined) inodes.add(inode);
  }
  return inodes;
}

/** Pids of every process inside any of the given namespaces. */
export function processesIn(namespaces: readonly string[]): number[] {
  return pidsInNetns(inodesOf(namespaces));
}

async function waitGone(namespaces: readonly string[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (processesIn(namespaces).length === 0) return true;
    if (Date.now() >= deadline) return false;
    await delay(20);
  }
}

/** End every process in the namespaces: SIGTERM, then SIGKILL what is left after `graceMs`. */
export async function killProcessesIn(namespaces: readonly string[], graceMs = 2_000): Promise<void> {
  signalPids(processesIn(namespaces), 'SIGTERM');
  if (await waitGone(namespaces, graceMs)) return;
  for (let round = 0; round < 5; round++) {
    signalPids(processesIn(namespaces), 'SIGKILL');
    if (await waitGone(namespaces, 1_000)) return;
  }
  throw new Error(`processes survive in ${namespaces.join(', ')}: ${processesIn(namespaces).join(', ')}`);
}

/** Remove a lab completely. Safe to call for a lab that is partly or entirely gone. */
/** Removes a lab's leftover split-tunnel cgroups (see servers/cgroup-cleanup.ts). */
function cgroupCleanupArgv(name: string): string[] {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'servers', 'cgroup-cleanup.js');
  const hostMnt = readlinkSync('/proc/self/ns/mnt');
  return [
    'unshare',
    '--mount',
    '--propagation',
    'private',
    '--',
    process.execPath,
    script,
    '--host-mnt',
    hostMnt,
    `sluice-${name}-`,
  ];
}

export async function destroyLab(name: string, options: { graceMs?: number } = {}): Promise<void> {
  assertLabName(name);
  const namespaces = labNamespaces(name);
  await killProcessesIn(namespaces, options.graceMs);
  // Once nothing of the lab runs: its helpers' cgroups, wherever a crash left them.
  await run(cgroupCleanupArgv(name), { allowFailure: true, timeoutMs: 15_000 });
  for (const ns of namespaces) {
    if (existsSync(join(NETNS_DIR, ns))) await run(['ip', 'netns', 'delete', ns], { allowFailure: true });
  }
  const left = labNamespaces(name);
  if (left.length > 0) throw new Error(`could not delete network namespaces ${left.join(', ')}`);
  for (const socket of labWireguardSockets(name)) rmSync(socket, { force: true });
  // Last: while the directory exists, nobody else takes this lab's namespaces for orphans.
  rmSync(labDir(name), { recursive: true, force: true });
}

function pauseSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The same, synchronously and without grace (SIGKILL): for process 'exit' handlers only. */
export function destroyLabSync(name: string): void {
  assertLabName(name);
  const namespaces = labNamespaces(name);
  const deadline = Date.now() + 5_000;
  for (;;) {
    const pids = processesIn(namespaces);
    if (pids.length === 0 || Date.now() >= deadline) break;
    signalPids(pids, 'SIGKILL');
    pauseSync(10);
  }
  runSync(cgroupCleanupArgv(name), { allowFailure: true, timeoutMs: 15_000 });
  for (const ns of namespaces) {
    if (existsSync(join(NETNS_DIR, ns))) runSync(['ip', 'netns', 'delete', ns], { allowFailure: true });
  }
  for (const socket of labWireguardSockets(name)) rmSync(socket, { force: true });
  rmSync(labDir(name), { recursive: true, force: true });
}

/** Every lab name that has a trace on this machine: a directory, a namespace or a wireguard-go socket. */
export function labsOnMachine(): string[] {
  const names = new Set<string>(listLabDirs());
  try {
    for (const ns of readdirSync(NETNS_DIR)) {
      const lab = labOfNamespace(ns);
      if (lab !== undefined) names.add(lab);
    }
  } catch {
    // no /run/netns yet
  }
  try {
    for (const file of readdirSync(WIREGUARD_RUN_DIR)) {
      const lab = /^(sl[a-z0-9]{4})-.*\.sock$/.exec(file)?.[1];
      if (lab !== undefined && isLabName(lab)) names.add(lab);
    }
  } catch {
    // no /var/run/wireguard yet
  }
  return [...names].sort();
}

/**
 * Labs left behind: a directory whose owner died (and that was not kept on purpose), or namespaces and
 * sockets without a directory (the owner died mid-teardown). Labs of live owners are never touched.
 */
export function staleLabs(): string[] {
  return labsOnMachine().filter((name) => {
    const state = readState(name);
    if (state !== undefined) return isStale(state);
    // No readable state: either no directory at all (an orphan), or a damaged one.
    return true;
  });
}

/** Remove every stale lab; returns their names. */
export async function cleanupStaleLabs(log: (line: string) => void = () => undefined): Promise<string[]> {
  removeAbandonedTempDirs();
  const stale = staleLabs();
  for (const name of stale) {
    log(`netlab: removing stale lab ${name}`);
    await destroyLab(name, { graceMs: 500 });
  }
  return stale;
}

export { LAB_ROOT };
