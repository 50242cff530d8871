// `node e2e/bench/dist/renderer-scale/run.js [relays]`: the renderer-at-scale figures alone, printed.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { measureRendererScale } from './measure.js';

const root = resolve(import.meta.dirname, '../../../..');
const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const p95 = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.95) - 1] ?? NaN;

const figures = await measureRendererScale({
  rendererDir: join(root, 'apps/desktop/dist/renderer'),
  fixture: JSON.parse(
    readFileSync(join(root, '../shared/fixtures/mullvad-relays-api.json'), 'utf8'),
  ) as unknown,
  relays: Number(process.argv[2] ?? 5000),
});
process.stdout.write(
  `${figures.relays} relays: open median ${median(figures.openMs).toFixed(1)} ms (first ${figures.openMs[0]?.toFixed(1)}), ` +
    `keystroke median ${median(figures.keystrokeMs).toFixed(1)} ms, p95 ${p95(figures.keystrokeMs).toFixed(1)} ms ` +
    `(${figures.keystrokeMs.length} keys; painted median ${median(figures.keystrokePaintedMs).toFixed(1)} ms), bundle ${(figures.bundleGzipBytes / 1024).toFixed(1)} KiB gzip; load ${readFileSync('/proc/loadavg', 'utf8').trim()}\n`,
);
