// @sluice/memtrim against the real glibc and kernel: releaseFreedMemory gives back malloc memory freed below a
// block still in use; releaseStartupCodePages unmaps the executable's unwritten pages and nothing breaks.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

/**
 * What each child script starts with: the addon, and its own mappings as /proc/self/smaps lists them
 * (start, end, permissions, path, and the kB fields), parsed once here for every test.
 */
const PRELUDE = `
const { readFileSync, readlinkSync } = require('node:fs');
const memtrim = require(${JSON.stringify(createRequire(import.meta.url).resolve('@sluice/memtrim'))});
const exe = readlinkSync('/proc/self/exe');
const mappings = () => {
  const list = [];
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\\S+) \\S+ \\S+ \\S+ *(.*)$/.exec(line);
    if (head) list.push({ start: parseInt(head[1], 16), end: parseInt(head[2], 16), perms: head[3], path: head[4], kb: {} });
    else if (list.length > 0 && /^\\w+: +\\d+ kB$/.test(line)) list.at(-1).kb[line.split(':')[0]] = Number(line.split(/\\s+/)[1]);
  }
  return list.sort((a, b) => a.start - b.start);
};
`;

/**
 * Run in a Node of its own (--expose-gc): 48 MiB of 16 KiB ArrayBuffers (malloc'd from the main heap,
 * below glibc's mmap threshold) with the last one kept, so the heap's top is in use; the others freed.
 * Prints the RSS of the [heap] mapping, in kB, once they are freed and again after the call.
 */
const FRAGMENTED_HEAP = `${PRELUDE}
const { releaseFreedMemory } = memtrim;
const heapRssKb = () => mappings().filter((m) => m.path === '[heap]').reduce((kb, m) => kb + m.kb.Rss, 0);
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

/**
 * Run in a Node of its own: the kB of its executable's mappings (resident in the read-only ones, its own
 * copies among those, resident in the writable ones) before and after the call; then code from all over
 * the binary (crypto, zlib, Intl, regular expressions, a worker thread), with the call made again and
 * again while a worker hashes, each result compared with the one computed before any call.
 */
const STARTUP_PAGES = `${PRELUDE}
const { createHash } = require('node:crypto');
const { gzipSync, gunzipSync } = require('node:zlib');
const { Worker } = require('node:worker_threads');
const { releaseStartupCodePages, startupCodeRanges } = memtrim;
// Bytes of anonymous executable memory inside the ranges: node's --use-largepages copy of its code.
const anonymousCodeInRanges = () => {
  let bytes = 0;
  for (const m of mappings().filter((x) => x.perms === 'r-xp' && x.path === ''))
    for (const [s, e] of startupCodeRanges()) bytes += Math.max(0, Math.min(m.end, e) - Math.max(m.start, s));
  return bytes;
};
const exeKb = () => {
  const kb = { readOnly: 0, readOnlyCopies: 0, writable: 0 };
  for (const m of mappings().filter((x) => x.path === exe)) {
    if (m.perms[1] === 'w') kb.writable += m.kb.Rss;
    else {
      kb.readOnly += m.kb.Rss;
      kb.readOnlyCopies += m.kb.Anonymous;
    }
  }
  return kb;
};
const work = () => [
  createHash('sha256').update('sluice').digest('hex'),
  gunzipSync(gzipSync(Buffer.alloc(65536, 7))).length,
  new Intl.NumberFormat('de-DE').format(1234567.891),
  new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', dateStyle: 'full' }).format(new Date(0)),
  'se-got-wg-001'.replace(/(\\w+)-(\\w+)-wg-(\\d+)/u, '$3.$2.$1'),
  JSON.stringify(JSON.parse('{"a":[1,2,{"b":"c"}]}')),
].join('|');
const hashInWorker = () => new Promise((resolve, reject) => {
  const worker = new Worker(
    "const { createHash } = require('node:crypto'); let h = 'x';" +
      "for (let i = 0; i < 20000; i++) h = createHash('sha256').update(h).digest('hex');" +
      "require('node:worker_threads').parentPort.postMessage(h);",
    { eval: true },
  );
  worker.once('message', resolve);
  worker.once('error', reject);
});
(async () => {
  const expected = work();
  const expectedHash = await hashInWorker();
  const before = exeKb();
  const released = releaseStartupCodePages();
  const after = exeKb();
  const again = work();
  // The call made over and over while a worker thread runs code from the same pages.
  const hashing = hashInWorker();
  let calls = 0;
  const race = setInterval(() => { releaseStartupCodePages(); calls++; }, 1);
  const hashDuringCalls = await hashing;
  clearInterval(race);
  console.log(JSON.stringify({
    released, before, after, calls, anonymousCode: anonymousCodeInRanges(),
    same: again === expected && work() === expected,
    sameHash: hashDuringCalls === expectedHash,
  }));
})();
`;

describe('releaseStartupCodePages', () => {
  it("unmaps the executable's unwritten pages, keeps its own copies, and everything still runs", () => {
    const result = runStartupPages([]);
    // A bare node has some 30 MiB of its binary resident; most of it is start-up's.
    expect(result.released).toBeGreaterThan(8 * 1024 * 1024);
    expect(result.after.readOnly).toBeLessThan(result.before.readOnly - 8 * 1024);
    // Pages the loader wrote (relocated data, now read-only) are the process's only copy: kept.
    expect(result.before.readOnlyCopies).toBeGreaterThan(0);
    expect(result.after.readOnlyCopies).toBe(result.before.readOnlyCopies);
    // Writable mappings are never touched.
    expect(result.after.writable).toBeGreaterThanOrEqual(result.before.writable);
    expect(result.calls).toBeGreaterThan(0);
    expect(result.same).toBe(true);
    expect(result.sameHash).toBe(true);
  });

  it("keeps code that is no longer the file's (node --use-largepages copies its text to huge pages)", () => {
    const result = runStartupPages(['--use-largepages=on']);
    // The case: most of node's text inside the ranges is anonymous memory now, the only copy there is.
    expect(result.anonymousCode).toBeGreaterThan(8 * 1024 * 1024);
    expect(result.same).toBe(true);
    expect(result.sameHash).toBe(true);
  });
});

type Kb = { readOnly: number; readOnlyCopies: number; writable: number };
interface StartupPagesResult {
  released: number;
  before: Kb;
  after: Kb;
  calls: number;
  anonymousCode: number;
  same: boolean;
  sameHash: boolean;
}

/** STARTUP_PAGES in a node started with these flags; a crash (code the call destroyed) fails here. */
function runStartupPages(nodeFlags: string[]): StartupPagesResult {
  const run = spawnSync(process.execPath, [...nodeFlags, '-e', STARTUP_PAGES], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
    timeout: 60_000,
  });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as StartupPagesResult;
}

/**
 * In a Node of its own, with a worker running: the ranges releaseStartupCodePages works in, against
 * /proc/self/maps. A worker's isolate maps the executable's builtins a second time, and unmaps them when
 * it ends, so those mappings must never be among the ranges.
 */
const STARTUP_RANGES = `${PRELUDE}
const { Worker } = require('node:worker_threads');
const { startupCodeRanges } = memtrim;
const exeMappings = () =>
  mappings()
    .filter((m) => m.path === exe)
    .map((m) => ({ start: m.start, end: m.end, writable: m.perms[1] === 'w' }));
// Every byte of [start, end) in a read-only mapping of the executable.
const inReadOnly = (mappings, [start, end]) => {
  let at = start;
  while (at < end) {
    const m = mappings.find((x) => x.start <= at && at < x.end);
    if (!m || m.writable) return false;
    at = m.end;
  }
  return true;
};
const before = exeMappings();
const rangesBefore = startupCodeRanges();
const worker = new Worker(
  "require('node:worker_threads').parentPort.postMessage('up'); setInterval(() => {}, 1000);",
  { eval: true },
);
worker.once('message', () => {
  const during = exeMappings();
  const added = during.filter((m) => !before.some((b) => b.start === m.start && b.end === m.end));
  const ranges = startupCodeRanges();
  console.log(JSON.stringify({
    count: ranges.length,
    same: JSON.stringify(ranges) === JSON.stringify(rangesBefore),
    added: added.length,
    inAdded: ranges.some(([s, e]) => added.some((m) => s < m.end && m.start < e)),
    allReadOnly: ranges.every((r) => inReadOnly(during, r)),
  }));
  void worker.terminate();
});
`;

describe('startupCodeRanges', () => {
  it("is the program's own read-only segments, never the builtins a worker maps again", () => {
    const run = spawnSync(process.execPath, ['-e', STARTUP_RANGES], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
      timeout: 30_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as {
      count: number;
      same: boolean;
      added: number;
      inAdded: boolean;
      allReadOnly: boolean;
    };
    expect(result.count).toBeGreaterThan(0);
    // The case this guards against: Node 20's V8 maps the executable again for the worker's isolate.
    expect(result.added).toBeGreaterThan(0);
    expect(result.inAdded).toBe(false);
    expect(result.same).toBe(true);
    expect(result.allReadOnly).toBe(true);
  });
});
