// Processes by network namespace (read from /proc, no exec): how teardown finds everything a lab started,
// including what a killed test or a user's shell left running inside it.
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { assertNamespaceName } from './names.js';

/** The namespace's inode, as /proc/<pid>/ns/net names it (net:[<inode>]); undefined when it is gone. */
export function netnsInode(namespace: string): number | undefined {
  assertNamespaceName(namespace);
  try {
    return statSync(`/run/netns/${namespace}`).ino;
  } catch {
    return undefined;
  }
}

/** Pids of live processes whose network namespace is one of `inodes` (zombies have none and are skipped). */
export function pidsInNetns(inodes: ReadonlySet<number>): number[] {
  if (inodes.size === 0) return [];
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    let link: string;
    try {
      link = readlinkSync(`/proc/${entry}/ns/net`);
    } catch {
      continue; // gone, a zombie, or a kernel thread
    }
    const m = /^net:\[(\d+)\]$/.exec(link);
    if (m && inodes.has(Number(m[1]))) pids.push(pid);
  }
  return pids;
}

/** Kernel start time of a pid (field 22 of /proc/<pid>/stat), to tell a pid from its reuse. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number, startTime?: string): boolean {
  const actual = processStartTime(pid);
  if (actual === undefined) return false;
  // A zombie has exited: treat it as dead.
  try {
    const state = /\) (\S) /.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];
    if (state === 'Z' || state === 'X') return false;
  } catch {
    return false;
  }
  return startTime === undefined || actual === startTime;
}

export function signalPids(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Pids whose command line has `argument` as one whole argument (e.g. a unique socket path). */
export function pidsWithArgument(argument: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(argument))
        pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}
