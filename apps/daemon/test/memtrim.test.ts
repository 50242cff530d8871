// @sluice/memtrim's releaseFreedMemory (what util/memory.ts calls) against glibc for real: memory freed below a block still in use stays resident
// until it is called, and is gone after.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

/**
 * Run in a Node of its own (--expose-gc): 48 MiB of 16 KiB ArrayBuffers (malloc'd from the main heap,
 * below glibc's mmap threshold) with the last one kept, so the heap's top is in use; the others freed.
 * Prints the RSS of the [heap] mapping, in kB, once they are freed and again after the call.
 */
const FRAGMENTED_HEAP = `
const { readFileSync } = require('node:fs');
const { releaseFreedMemory } = require(${JSON.stringify(createRequire(import.meta.url).resolve('@sluice/memtrim'))});
const heapRssKb = () => {
  let inHeap = false, kb = 0;
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\\n')) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) inHeap = line.endsWith('[heap]');
    else if (inHeap && line.startsWith('Rss:')) kb += Number(line.split(/\\s+/)[1]);
  }
  return kb;
};
let blocks = Array.from({ length: 3072 }, () => new Uint8Array(new ArrayBuffer(16 * 1024)).fill(1));
const kept = blocks.at(-1);
blocks = null;
const deadline = Date.now() + 10000;
// V8 frees an ArrayBuffer's memory once a collection finds it dead; poll until it has.
const wait = () => {
  globalThis.gc();
  if (process.memoryUsage().arrayBuffers > 8 * 1024 * 1024 && Date.now() < deadline) return setTimeout(wait, 20);
  const freed = heapRssKb();
  const released = releaseFreedMemory();
  console.log(JSON.stringify({ freed, after: heapRssKb(), released, kept: kept.length }));
};
wait();
`;

describe('releaseFreedMemory', () => {
  it('gives back what was freed below memory still in use', () => {
    const run = spawnSync(process.execPath, ['--expose-gc', '-e', FRAGMENTED_HEAP], {
      encoding: 'utf8',
      // Its own trimming and arenas as glibc sets them by default, whatever the caller's environment.
      env: { PATH: process.env.PATH ?? '' },
      timeout: 20_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const { freed, after, released } = JSON.parse(run.stdout) as {
      freed: number;
      after: number;
      released: boolean;
    };
    // Freed but resident: glibc alone does not give it back while the top block lives.
    expect(freed).toBeGreaterThan(40 * 1024);
    expect(released).toBe(true);
    expect(after).toBeLessThan(freed - 40 * 1024);
  });
});
