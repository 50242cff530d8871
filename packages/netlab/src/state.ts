// Each lab's directory under /run/sluice-lab/<name>/: state.json (who owns it), keys, configs, logs.
// The directory appears atomically with its state.json (made under a temporary name, then renamed), so a
// lab directory always says who owns it, and namespaces are only made after it exists.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertLabName, isLabName, randomLabName } from './names.js';
import { isAlive, processStartTime } from './procs.js';

export const LAB_ROOT = '/run/sluice-lab';

export interface LabState {
  version: 1;
  name: string;
  relayCount: number;
  /** The process whose exit tears the lab down (the test, or `netlab up --foreground`). */
  owner: { pid: number; startTime: string };
  /** Left up on purpose when the owner exits (`netlab up`); only `down` removes it. */
  detached: boolean;
  createdAt: string;
  /** Which client uplink is in use (changeClientUplink flips it). */
  activeUplink: 1 | 2;
  helper?: { socket: string; stateDir: string; interface: string };
}

export function labDir(name: string): string {
  assertLabName(name);
  return join(LAB_ROOT, name);
}

function writeJsonAtomic(path: string, value: unknown, mode = 0o600): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(value, null, 2) + '\n', { mode });
  renameSync(temp, path);
}

/** Make a new lab's directory (with its state) under a fresh name; returns the state. */
export function createLabDir(relayCount: number): LabState {
  mkdirSync(LAB_ROOT, { recursive: true, mode: 0o700 });
  const startTime = processStartTime(process.pid);
  if (startTime === undefined) throw new Error('cannot read this process start time from /proc');
  for (let attempt = 0; attempt < 50; attempt++) {
    const name = randomLabName();
    const state: LabState = {
      version: 1,
      name,
      relayCount,
      owner: { pid: process.pid, startTime },
      detached: false,
      createdAt: new Date().toISOString(),
      activeUplink: 1,
    };
    const temp = join(LAB_ROOT, `.new-${name}-${process.pid}`);
    mkdirSync(temp, { mode: 0o700 });
    writeJsonAtomic(join(temp, 'state.json'), state);
    try {
      renameSync(temp, join(LAB_ROOT, name));
      return state;
    } catch (error) {
      rmSync(temp, { recursive: true, force: true });
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw error;
    }
  }
  throw new Error(`could not find a free lab name under ${LAB_ROOT}`);
}

export function readState(name: string): LabState | undefined {
  try {
    const state = JSON.parse(readFileSync(join(labDir(name), 'state.json'), 'utf8')) as LabState;
    return state.name === name ? state : undefined;
  } catch {
    return undefined;
  }
}

export function writeState(state: LabState): void {
  writeJsonAtomic(join(labDir(state.name), 'state.json'), state);
}

/** Names of the labs that have a directory. */
export function listLabDirs(): string[] {
  try {
    return readdirSync(LAB_ROOT).filter(isLabName).sort();
  } catch {
    return [];
  }
}

/** Temporary directories of labs whose creator died between mkdir and rename. */
export function removeAbandonedTempDirs(): void {
  let entries: string[];
  try {
    entries = readdirSync(LAB_ROOT);
  } catch {
    return;
  }
  for (const entry of entries) {
    const m = /^\.new-sl[a-z0-9]{4}-(\d+)$/.exec(entry);
    if (m && !isAlive(Number(m[1]))) rmSync(join(LAB_ROOT, entry), { recursive: true, force: true });
  }
}

/** Whether a lab's owner is gone and nobody asked to keep it. */
export function isStale(state: LabState): boolean {
  return !state.detached && !isAlive(state.owner.pid, state.owner.startTime);
}
