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

/** No log line is longer: a request that echoes megabytes cannot rotate earlier lines away. */
export const MAX_LOG_LINE_BYTES = 2048;
/** What one GetLogs answer may hold, well inside a client's 4 MB message limit. */
export const MAX_LOG_TAIL_BYTES = 2 * 1024 * 1024;

/**
 * `line` (one JSON log line with its newline) when it fits in `max` bytes; otherwise a line that still
 * parses and keeps the level, time, name and the start of the message, and says how long it was.
 */
export function capLogLine(line: string, max = MAX_LOG_LINE_BYTES): string {
  const bytes = Buffer.byteLength(line);
  if (bytes <= max) return line;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    // Not JSON: only its start is kept, as the message.
    parsed = { msg: line };
  }
  const field = (key: string): unknown =>
    typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, key) : undefined;
  const keep: Record<string, unknown> = {};
  for (const key of ['level', 'time', 'name', 'pid']) if (field(key) !== undefined) keep[key] = field(key);
  const message = field('msg');
  const msg = typeof message === 'string' ? message : '';
  keep.msg = msg.length > 200 ? `${msg.slice(0, 200)}...` : msg;
  keep.truncated = `a line of ${bytes} bytes, over the ${max}-byte limit, was cut to its level, time and message`;
  return `${JSON.stringify(keep)}\n`;
}

/** A stream that writes each log line capped (pino writes one whole line per call). */
function capped(stream: { write(chunk: string): unknown }): { write(chunk: string): boolean } {
  return {
    write: (chunk: string) => {
      stream.write(capLogLine(chunk));
      return true;
    },
  };
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

  /** The newest `max` lines across the live file and its rotations, at most `maxBytes` of them. */
  tail(max: number, maxBytes = MAX_LOG_TAIL_BYTES): string[] {
    const newestFirst: string[] = [];
    let bytes = 0;
    const files = [this.path, ...Array.from({ length: this.keep }, (_, i) => `${this.path}.${i + 1}`)];
    for (const file of files) {
      if (newestFirst.length >= max || !existsSync(file)) break;
      const fileLines = readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line.length > 0);
      for (let i = fileLines.length - 1; i >= 0 && newestFirst.length < max; i--) {
        const line = fileLines[i] ?? '';
        bytes += Buffer.byteLength(line);
        if (bytes > maxBytes) return newestFirst.reverse();
        newestFirst.push(line);
      }
    }
    return newestFirst.reverse();
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
  const streams: StreamEntry[] = [{ stream: capped(process.stderr), level: level as Level }];
  if (file) streams.push({ stream: capped(file), level: level as Level });
  return pino(
    { level, base: { name: 'sluiced' }, timestamp: stdTimeFunctions.isoTime },
    multistream(streams),
  );
}
