// Memory the helper has freed, given back to the system after the bursts that free most of it: start-up
// (V8's compile zones for the whole bundle) and a relay-list import. glibc shortens its heap only at the
// top, so a single block still in use there keeps all that resident (10 MiB of it seen after a start).
import { releaseFreedMemory as trimMalloc } from '@sluice/memtrim';
import type { Logger } from '../log.js';

/** How long after start-up the memory is given back: past the collections V8 makes then (about 8 s). */
export const START_SETTLE_MS = 15_000;

/** Give back what malloc holds free now; logs what the resident size did, at debug. */
export function releaseFreedMemory(log: Logger, after: string): void {
  const before = process.memoryUsage.rss();
  const released = trimMalloc();
  const mib = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;
  log.debug(
    { after, released, rssMib: mib(before), nowMib: mib(process.memoryUsage.rss()) },
    'freed memory given back',
  );
}

/** releaseFreedMemory once start-up has settled; the timer does not keep the helper alive. */
export function releaseFreedMemoryAfterStart(log: Logger): () => void {
  const timer = setTimeout(() => releaseFreedMemory(log, 'start-up'), START_SETTLE_MS);
  timer.unref();
  return () => clearTimeout(timer);
}
