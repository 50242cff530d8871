// Where the compiled scripts that run inside the lab client are (next to this file in dist/).
import { join } from 'node:path';

export const FIRST_BYTE_PROBE_SCRIPT = join(import.meta.dirname, 'client', 'first-byte-probe.js');
export const TIMED_RUN_SCRIPT = join(import.meta.dirname, 'client', 'timed-run.js');
export const CLI_TIMING_SCRIPT = join(import.meta.dirname, 'client', 'cli-timing.js');
