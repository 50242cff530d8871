// The few file operations split tunnelling needs on the cgroup filesystem and /proc, behind one
// interface so the logic above them runs against a fake in tests. Nothing here follows a link it
// was not asked to read (readlink of /proc/<pid>/exe is the point of `executable`).
import { lstat, mkdir, readFile, readdir, readlink, rmdir, writeFile } from 'node:fs/promises';

export interface CgroupFs {
  /** Make a directory; false when it was there already. */
  mkdir(path: string): Promise<boolean>;
  /** Remove an empty directory; false when it was not there. */
  rmdir(path: string): Promise<boolean>;
  /** The inode of a directory (a re-created cgroup has a new one), undefined when absent. */
  inode(path: string): Promise<number | undefined>;
  read(path: string): Promise<string>;
  write(path: string, text: string): Promise<void>;
  /** Process ids of /proc. */
  pids(): Promise<number[]>;
  /** The resolved executable of a process; undefined when it is gone or not readable. */
  executable(pid: number): Promise<string | undefined>;
}

/** The errno name of a file-system error (EEXIST, ENOENT, ESRCH), when it has one. */
export const errnoOf = (error: unknown): string | undefined =>
  error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;

export class RealCgroupFs implements CgroupFs {
  constructor(private readonly proc = '/proc') {}

  async mkdir(path: string): Promise<boolean> {
    try {
      await mkdir(path, { mode: 0o755 });
      return true;
    } catch (error) {
      if (errnoOf(error) === 'EEXIST') return false;
      throw error;
    }
  }

  async rmdir(path: string): Promise<boolean> {
    try {
      await rmdir(path);
      return true;
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return false;
      throw error;
    }
  }

  async inode(path: string): Promise<number | undefined> {
    try {
      const stats = await lstat(path);
      return stats.isDirectory() ? stats.ino : undefined;
    } catch {
      return undefined;
    }
  }

  read(path: string): Promise<string> {
    return readFile(path, 'utf8');
  }

  write(path: string, text: string): Promise<void> {
    // cgroup files take one value per write(2); `flag: 'r+'` never creates a file that is not there.
    return writeFile(path, text, { flag: 'r+' });
  }

  async pids(): Promise<number[]> {
    const names = await readdir(this.proc);
    return names.filter((name) => /^\d+$/.test(name)).map(Number);
  }

  async executable(pid: number): Promise<string | undefined> {
    try {
      return await readlink(`${this.proc}/${pid}/exe`);
    } catch {
      return undefined;
    }
  }
}
