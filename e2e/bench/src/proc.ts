// The helper's footprint from /proc (read-only; pids are the same seen from the host): which process is
// sluiced, its resident memory (VmRSS) and the CPU time it has used (utime + stime, in clock ticks).
import { readdirSync, readFileSync } from 'node:fs';
import { run } from '@sluice/netlab';

export interface ProcessEntry {
  pid: number;
  ppid: number;
  argv: string[];
}

export interface ProcStat {
  ppid: number;
  /** Clock ticks in user and in kernel mode. */
  utime: number;
  stime: number;
}

/** Parse /proc/<pid>/stat. The command name (field 2) may hold spaces and parentheses: split after its last ')'. */
export function parseProcStat(text: string): ProcStat {
  const close = text.lastIndexOf(')');
  if (close < 0) throw new Error(`not a /proc/<pid>/stat line: ${text.slice(0, 80)}`);
  // From field 3 (state) on: state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime
  const fields = text
    .slice(close + 2)
    .trim()
    .split(' ');
  const [ppid, utime, stime] = [fields[1], fields[11], fields[12]].map(Number);
  if (![ppid, utime, stime].every((v) => v !== undefined && Number.isInteger(v)))
    throw new Error(`/proc/<pid>/stat has too few fields: ${text.slice(0, 80)}`);
  return { ppid: ppid as number, utime: utime as number, stime: stime as number };
}

/** VmRSS of /proc/<pid>/status in kB, or null when absent (a kernel thread, a zombie). */
export function parseVmRssKb(status: string): number | null {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return m ? Number(m[1]) : null;
}

/**
 * sluiced among processes: of those whose command line has the helper's socket as a whole argument (the
 * lab's launcher and sluiced itself), the one that is not the parent of another. Throws unless exactly one.
 */
export function pickHelperPid(processes: readonly ProcessEntry[], socket: string): number {
  const candidates = processes.filter((p) => p.argv.includes(socket));
  const parents = new Set(candidates.map((p) => p.ppid));
  const leaves = candidates.filter((p) => !parents.has(p.pid));
  if (leaves.length !== 1 || leaves[0] === undefined)
    throw new Error(
      `expected one sluiced process with ${socket} in its command line, found ${
        leaves.length === 0 ? 'none' : `pids ${leaves.map((p) => p.pid).join(', ')}`
      }`,
    );
  return leaves[0].pid;
}

/** Every process with a command line (kernel threads have none), from /proc. */
export function listProcesses(): ProcessEntry[] {
  const processes: ProcessEntry[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv[argv.length - 1] === '') argv.pop();
      if (argv.length === 0) continue;
      processes.push({
        pid: Number(entry),
        ppid: parseProcStat(readFileSync(`/proc/${entry}/stat`, 'utf8')).ppid,
        argv,
      });
    } catch {
      // The process ended while we looked.
    }
  }
  return processes;
}

export function findHelperPid(socket: string): number {
  return pickHelperPid(listProcesses(), socket);
}

export interface ProcessUsage {
  rssKb: number;
  /** utime + stime. */
  cpuTicks: number;
  /** performance.now() when read. */
  at: number;
}

export function readProcessUsage(pid: number): ProcessUsage {
  const rssKb = parseVmRssKb(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (rssKb === null) throw new Error(`/proc/${pid}/status has no VmRSS`);
  const stat = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  return { rssKb, cpuTicks: stat.utime + stat.stime, at: performance.now() };
}

/** CPU used between two readings, in percent of one core. */
export function cpuPercentOfOneCore(start: ProcessUsage, end: ProcessUsage, ticksPerSecond: number): number {
  const wallSeconds = (end.at - start.at) / 1000;
  if (wallSeconds <= 0) return 0;
  return ((end.cpuTicks - start.cpuTicks) / ticksPerSecond / wallSeconds) * 100;
}

/** The kernel's USER_HZ (`getconf CLK_TCK`, read-only), 100 when it cannot be asked. */
export async function clockTicksPerSecond(): Promise<number> {
  const out = await run(['getconf', 'CLK_TCK'], { allowFailure: true, timeoutMs: 5_000 }).catch(() => null);
  const value = Number(out?.stdout.trim());
  return Number.isInteger(value) && value > 0 ? value : 100;
}
