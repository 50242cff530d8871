// Adds up the closing lines of the Vitest run ("N passed, N failed, N skipped", from our reporter) and
// the Playwright run (its list reporter's "N passed", "N failed", "N skipped" lines) into one line.
import { existsSync, readFileSync } from 'node:fs';

const total = { passed: 0, failed: 0, skipped: 0 };
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) continue;
  // Colour codes (ESC [ ... m) would break the line patterns.
  const text = readFileSync(file, 'utf8').replace(
    new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'),
    '',
  );

  const vitest = [...text.matchAll(/^(\d+) passed, (\d+) failed, (\d+) skipped$/gm)].at(-1);
  if (vitest) {
    total.passed += Number(vitest[1]);
    total.failed += Number(vitest[2]);
    total.skipped += Number(vitest[3]);
    continue;
  }
  for (const kind of ['passed', 'failed', 'skipped', 'flaky']) {
    const match = new RegExp(`^\\s+(\\d+) ${kind}\\b`, 'm').exec(text);
    if (match) total[kind === 'flaky' ? 'failed' : kind] += Number(match[1]);
  }
}
process.stdout.write(`\n${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`);
