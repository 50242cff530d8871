// Log lines are capped, and GetLogs' tail stays inside a client's message limit.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { capLogLine, createLogger, MAX_LOG_LINE_BYTES, RotatingFile } from '../src/log.js';
import { makeTempDir } from './support.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('log lines', () => {
  it('a line that echoes megabytes is cut to its level, time and message, and still parses', async () => {
    const temp = await makeTempDir();
    cleanup = () => temp.cleanup();
    const file = new RotatingFile({ dir: temp.dir, maxBytes: 64 * 1024 });
    const log = createLogger(file, 'info');
    log.info('before');
    log.info({ value: 'x'.repeat(3_000_000) }, `refused ${'y'.repeat(5_000)}`);
    log.info('after');
    file.close();
    const lines = readFileSync(file.path, 'utf8').trimEnd().split('\n');
    // Nothing rotated away: the huge line did not push "before" out of a 64 KiB file.
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(MAX_LOG_LINE_BYTES);
    const cut: unknown = JSON.parse(lines[1] ?? '');
    expect(cut).toMatchObject({ level: 30, name: 'sluiced' });
    expect(JSON.stringify(cut)).toMatch(/"truncated":"a line of \d+ bytes/);
    expect(JSON.stringify(cut)).toContain('refused yyy');
    expect(lines[2]).toContain('"after"');
  });

  it('keeps short lines as they are and cuts text that is not JSON too', () => {
    const line = '{"level":30,"msg":"ok"}\n';
    expect(capLogLine(line)).toBe(line);
    const cut = capLogLine(`${'z'.repeat(10_000)}\n`, 512);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(512);
    expect(cut.endsWith('\n')).toBe(true);
  });

  it('the tail is newest lines first in order, and never more bytes than asked', async () => {
    const temp = await makeTempDir();
    cleanup = () => temp.cleanup();
    const file = new RotatingFile({ dir: temp.dir, maxBytes: 4096, keep: 3 });
    for (let i = 0; i < 200; i++) file.write(`{"n":${i},"pad":"${'p'.repeat(80)}"}\n`);
    const all = file.tail(5000);
    expect(all.at(-1)).toContain('"n":199');
    const numbers = all.map((l) => Number(/"n":(\d+)/.exec(l)?.[1]));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    const small = file.tail(5000, 1000);
    expect(small.join('').length).toBeLessThanOrEqual(1000);
    expect(small.at(-1)).toContain('"n":199');
    expect(small.length).toBeGreaterThan(5);
    file.close();
  });
});
