// Files that must never be torn: write a temp file, fsync it, rename it over the target, fsync the
// directory. A crash leaves the old content or the new, never a mix. Temp files of a dead writer are
// recognisable by their prefix and removed on the next start. One writer per file at a time, and the
// latest value asked for is the one that ends on disk. Files are read without following links: a
// state file that is a symlink (or not a regular file) is refused like a corrupt one.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
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

/** A state file that is not a plain file: a link (never followed) or something else. */
export class FileKindError extends Error {
  override readonly name = 'FileKindError';
}

/** Open `path` for reading without following a link, and only if it is a regular file. */
export async function openRegularNoFollow(path: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP')
      throw new FileKindError(`${path} is a symbolic link; state files must be plain files`);
    throw error;
  }
  if (!(await handle.stat()).isFile()) {
    await handle.close();
    throw new FileKindError(`${path} is not a regular file`);
  }
  return handle;
}

/** The text of `path`, read without following a link (ENOENT when it does not exist). */
export async function readFileNoFollow(path: string): Promise<string> {
  const handle = await openRegularNoFollow(path);
  try {
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * A directory only this user can change: made 0700 when missing; refused when it is a link, not a
 * directory, owned by someone else, or writable by group or others (anyone who could write there could
 * replace the helper's keys and settings).
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const stat = await lstat(dir);
  const why = stat.isSymbolicLink()
    ? 'is a symbolic link'
    : !stat.isDirectory()
      ? 'is not a directory'
      : stat.uid !== (process.geteuid?.() ?? stat.uid)
        ? `is owned by uid ${stat.uid}, not by the helper's user`
        : (stat.mode & 0o022) !== 0
          ? `is writable by ${stat.mode & 0o002 ? 'everyone' : 'its group'} (mode ${(stat.mode & 0o777).toString(8)})`
          : undefined;
  if (why)
    throw new FileKindError(`the state directory ${dir} ${why}; make it a root-owned directory of mode 0700`);
}

interface Writes {
  running: Promise<void>;
  /** The newest content waiting, with everyone who asked for it or something older. */
  next?: {
    content: string;
    mode: number;
    faultHook: FaultHook | undefined;
    waiters: (() => void)[];
    failers: ((e: unknown) => void)[];
  };
}

const writesByPath = new Map<string, Writes>();

/**
 * Write `content` to `path` atomically. Writes of one path never overlap: one asked for while another
 * runs waits, and only the newest of those waiting is written (the older ones resolve with it), so the
 * file always ends with the latest value asked for.
 */
export function writeFileAtomic(
  path: string,
  content: string,
  mode = 0o600,
  faultHook?: FaultHook,
): Promise<void> {
  const writes = writesByPath.get(path);
  if (!writes) {
    const running = writeNow(path, content, mode, faultHook).finally(() => drain(path));
    writesByPath.set(path, { running });
    return running;
  }
  return new Promise<void>((resolve, reject) => {
    const waiting = writes.next;
    writes.next = {
      content,
      mode,
      faultHook,
      waiters: [...(waiting?.waiters ?? []), resolve],
      failers: [...(waiting?.failers ?? []), reject],
    };
  });
}

function drain(path: string): void {
  const writes = writesByPath.get(path);
  const next = writes?.next;
  if (!writes || !next) {
    writesByPath.delete(path);
    return;
  }
  writes.next = undefined;
  writes.running = writeNow(path, next.content, next.mode, next.faultHook)
    .then(
      () => next.waiters.forEach((resolve) => resolve()),
      (error: unknown) => next.failers.forEach((reject) => reject(error)),
    )
    .finally(() => drain(path));
}

async function writeNow(path: string, content: string, mode: number, faultHook?: FaultHook): Promise<void> {
  // Unique per write: two helpers (or a crashed one's leftovers) never collide on a name.
  const temp = join(dirname(path), `${tempPrefix(path)}${process.pid}-${randomBytes(6).toString('hex')}`);
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
    text = await readFileNoFollow(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    // A link or a device is kept aside for the user, as a corrupt file is; the link is not followed.
    if (error instanceof FileKindError)
      return { kind: 'recovered', movedTo: await moveAside(path), reason: error.message };
    throw error;
  }
  try {
    return { kind: 'loaded', value: parse(text) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { kind: 'recovered', movedTo: await moveAside(path), reason };
  }
}
