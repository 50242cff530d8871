// Type-check everything `tsc -b` does not build: each package's tests (their own tsconfig: tests are not
// part of the build output), the desktop app's split configs (main, preload, renderer, shared and their
// tests), the e2e shell and specs, and the renderer-safe view of the shared domain code. Run through npm,
// so tsc is on PATH.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['packages', 'apps'].flatMap((top) => readdirSync(top).map((name) => join(top, name)));
const subfolders = (dir) => (existsSync(dir) ? readdirSync(dir).map((name) => join(dir, name)) : []);
const candidates = [
  ...roots.map((dir) => join(dir, 'test')),
  ...subfolders('apps/desktop/src'),
  ...subfolders('apps/desktop/test'),
  'e2e',
  'e2e/bench/test',
];
const projects = candidates.filter((dir) => existsSync(join(dir, 'tsconfig.json')));
for (const project of [...projects, 'packages/api/tsconfig.domain.json']) {
  process.stdout.write(`typecheck ${project}\n`);
  execFileSync('tsc', ['-p', project], { stdio: 'inherit' });
}
