// Files that must never be torn: write a temp file, fsync it, rename it over the target, fsync the
// directory. A crash leaves the old content or the new, never a mix. Temp files of a dead writer are
// recognisable by their prefix and removed on the next start.
import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Test seam: called at named points of a write so a test can crash the process there. */
export type FaultHook = (point: 'after-temp-written' | 'after-rename') => void | Promise<void>;

const tempPrefix = (path: string): string => `${basename(path)}.tmp-`;

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function writeFileAtomic(
  path: string,
  content: string,
  mode = 0o600,
  faultHook?: FaultHook,
): Promise<void> {
  const temp = join(dirname(path), `${tempPrefix(path)}${process.pid}-${Date.now()}`);
  const file = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  try {
    await file.writeFile(content, 'utf8');
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await faultHook?.('after-temp-written');
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await fsyncDir(dirname(path));
  await faultHook?.('after-rename');
}

/** Remove temp files a writer of `path` left when it died before its rename. */
export async function removeStaleTempFiles(path: string): Promise<void> {
  const prefix = tempPrefix(path);
  for (const name of await readdir(dirname(path))) {
    if (name.startsWith(prefix)) await rm(join(dirname(path), name), { force: true });
  }
}

/**
 * Keep an unusable file for the user: rename it to `<path>.corrupt-<timestamp>` (never over an existing
 * file) and return the new path.
 */
export async function moveAside(path: string): Promise<string> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  for (let n = 0; ; n++) {
    const target = `${path}.corrupt-${stamp}${n === 0 ? '' : `-${n}`}`;
    const taken = await lstat(target).then(
      () => true,
      () => false,
    );
    if (taken) continue;
    await rename(path, target);
    await fsyncDir(dirname(path));
    return target;
  }
}

export type FileLoad<T> =
  | { kind: 'missing' }
  | { kind: 'loaded'; value: T }
  /** The file could not be used; it was kept at `movedTo` and never overwritten. */
  | { kind: 'recovered'; movedTo: string; reason: string };

/**
 * Load a file written by writeFileAtomic: make its directory (0700), remove temp files a dead writer
 * left, read and `parse` it. A file that does not parse is moved aside (moveAside) and reported, so the
 * caller can start on defaults without ever overwriting what the user had.
 */
export async function loadFile<T>(path: string, parse: (text: string) => T): Promise<FileLoad<T>> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await removeStaleTempFiles(path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw error;
  }
  try {
    return { kind: 'loaded', value: parse(text) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { kind: 'recovered', movedTo: await moveAside(path), reason };
  }
}
