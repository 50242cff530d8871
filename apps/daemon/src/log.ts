// Logging: JSON lines to stderr and to <state-dir>/logs/sluiced.log, rotated by size. Writes are
// synchronous so the last lines before a crash are on disk.
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { multistream, pino, stdTimeFunctions, type Level, type Logger, type StreamEntry } from 'pino';

export type { Logger } from 'pino';

export interface RotatingFileOptions {
  dir: string;
  name?: string;
  /** Rotate when the file would grow past this many bytes. */
  maxBytes?: number;
  /** Rotated files kept besides the live one (name.1 newest). */
  keep?: number;
}

/** Append-only, created 0600, and never through a link (a planted link would be appended to). */
function openLog(path: string): number {
  try {
    return openSync(
      path,
      constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW,
      0o600,
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP')
      throw new Error(
        `the log file ${path} is a symbolic link; remove it (logs are never written through a link)`,
      );
    throw error;
  }
}

export class RotatingFile {
  readonly path: string;
  private fd: number;
  private size: number;
  private readonly maxBytes: number;
  private readonly keep: number;

  constructor(options: RotatingFileOptions) {
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    this.path = join(options.dir, options.name ?? 'sluiced.log');
    this.maxBytes = options.maxBytes ?? 2 * 1024 * 1024;
    this.keep = options.keep ?? 3;
    this.fd = openLog(this.path);
    this.size = fstatSync(this.fd).size;
  }

  write(chunk: string): boolean {
    const bytes = Buffer.byteLength(chunk);
    if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
    writeSync(this.fd, chunk);
    this.size += bytes;
    return true;
  }

  close(): void {
    closeSync(this.fd);
  }

  /** The newest `max` lines across the live file and its rotations. */
  tail(max: number): string[] {
    const lines: string[] = [];
    const files = [this.path, ...Array.from({ length: this.keep }, (_, i) => `${this.path}.${i + 1}`)];
    for (const file of files) {
      if (lines.length >= max || !existsSync(file)) break;
      const fileLines = readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line.length > 0);
      lines.unshift(...fileLines.slice(-(max - lines.length)));
    }
    return lines;
  }

  private rotate(): void {
    closeSync(this.fd);
    rmSync(`${this.path}.${this.keep}`, { force: true });
    for (let i = this.keep - 1; i >= 1; i--) {
      if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
    }
    renameSync(this.path, `${this.path}.1`);
    this.fd = openLog(this.path);
    this.size = 0;
  }
}

export function createLogger(
  file: RotatingFile | undefined,
  level = process.env.SLUICE_LOG_LEVEL ?? 'info',
): Logger {
  const streams: StreamEntry[] = [{ stream: process.stderr, level: level as Level }];
  if (file) streams.push({ stream: file, level: level as Level });
  return pino(
    { level, base: { name: 'sluiced' }, timestamp: stdTimeFunctions.isoTime },
    multistream(streams),
  );
}
