// Files that must never be torn: write a temp file, fsync it, rename it over the target, fsync the
// directory. A crash leaves the old content or the new, never a mix. Temp files of a dead writer are
// recognisable by their prefix and removed on the next start.
import { constants } from 'node:fs';
import { lstat, open, readdir, rename, rm } from 'node:fs/promises';
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
