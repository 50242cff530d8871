// Memory the helper no longer uses, given back to the system once the bursts that leave most of it are
// over: start-up and a relay-list import. Two kinds:
// - malloc's free pages (V8's compile zones for the whole bundle, the parsed list): glibc shortens its
//   heap only at the top, so a single block still in use there keeps all that resident (10 MiB seen).
// - the runtime's own file pages that only start-up read (its dynamic symbol tables alone are 5 MiB):
//   about 30 MiB of a 57 MiB RSS was the executable's pages. They stay in the page cache; what the
//   helper runs again is mapped back on the first touch.
import { releaseStartupCodePages, releaseFreedMemory as trimMalloc } from '@sluice/memtrim';
import type { Logger } from '../log.js';

/** How long after start-up the memory is given back: past the collections V8 makes then (about 8 s). */
export const START_SETTLE_MS = 15_000;

const mib = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** Give back what malloc holds free and the executable's untouched pages; logs the effect, at debug. */
export function releaseUnusedMemory(log: Logger, after: string): void {
  const before = process.memoryUsage.rss();
  const mallocReleased = trimMalloc();
  const codeUnmapped = releaseStartupCodePages();
  log.debug(
    {
      after,
      mallocReleased,
      codeUnmappedMib: mib(codeUnmapped),
      rssMib: mib(before),
      nowMib: mib(process.memoryUsage.rss()),
    },
    'unused memory given back',
  );
}

/** releaseUnusedMemory once start-up has settled; the timer does not keep the helper alive. */
export function releaseUnusedMemoryAfterStart(log: Logger): () => void {
  const timer = setTimeout(() => releaseUnusedMemory(log, 'start-up'), START_SETTLE_MS);
  timer.unref();
  return () => clearTimeout(timer);
}
