// The file system as app discovery sees it: four calls, so tests can hand in an in-memory tree. The real
// one is node:fs/promises; every call may reject (a missing directory, a dangling symlink) and callers
// treat a rejection as "not there".
import { constants } from 'node:fs';
import { access, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** What discovery needs to know of a path; stat follows symlinks (flatpak exports are symlinks). */
export interface FileStat {
  isFile(): boolean;
  isDirectory(): boolean;
  size: number;
  /** Device and inode tell a directory reached twice through symlinks. */
  dev: number;
  ino: number;
}

export interface AppFileSystem {
  /** The names in a directory. */
  readdir(path: string): Promise<string[]>;
  readFile(path: string): Promise<Uint8Array>;
  stat(path: string): Promise<FileStat>;
  /** Resolves when this process may access `path` in `mode` (fs.constants.X_OK …), rejects otherwise. */
  access(path: string, mode: number): Promise<void>;
}

export const nodeFileSystem: AppFileSystem = {
  readdir: (path) => readdir(path),
  readFile: (path) => readFile(path),
  stat: (path) => stat(path),
  access: (path, mode) => access(path, mode),
};

export async function statOrUndefined(fs: AppFileSystem, path: string): Promise<FileStat | undefined> {
  try {
    return await fs.stat(path);
  } catch {
    return undefined;
  }
}

export async function readdirOrEmpty(fs: AppFileSystem, path: string): Promise<string[]> {
  try {
    return await fs.readdir(path);
  } catch {
    return [];
  }
}

/** Whether `path` is a regular file (after symlinks) this process may execute. */
export async function isExecutableFile(fs: AppFileSystem, path: string): Promise<boolean> {
  const facts = await statOrUndefined(fs, path);
  if (!facts?.isFile()) return false;
  try {
    await fs.access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * A program as execvp would find it: an absolute path when it is executable, a bare name in the first
 * PATH directory holding it executable. A relative path with a slash is no PATH lookup and finds nothing.
 */
export async function findProgram(
  fs: AppFileSystem,
  program: string,
  path: readonly string[],
): Promise<string | undefined> {
  if (program.startsWith('/')) return (await isExecutableFile(fs, program)) ? program : undefined;
  if (program === '' || program.includes('/')) return undefined;
  for (const dir of path) {
    const candidate = join(dir, program);
    if (await isExecutableFile(fs, candidate)) return candidate;
  }
  return undefined;
}

/** `map` with at most `limit` calls in flight, so a few thousand files do not open a few thousand handles. */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  map: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  // One iterator shared by the workers: each takes the next item when it is free.
  const pending = items.entries();
  async function worker(): Promise<void> {
    for (const [index, item] of pending) results[index] = await map(item, index);
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
