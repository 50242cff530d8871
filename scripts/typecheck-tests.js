// Type-check every test folder (each has its own tsconfig: tests are not part of the build output) and
// the renderer-safe view of the shared domain code. Run through npm, so tsc is on PATH.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['packages', 'apps'].flatMap((top) => readdirSync(top).map((name) => join(top, name)));
const testProjects = [...roots.map((dir) => join(dir, 'test')), 'e2e/bench/test'].filter((dir) =>
  existsSync(join(dir, 'tsconfig.json')),
);
for (const project of [...testProjects, 'packages/api/tsconfig.domain.json']) {
  process.stdout.write(`typecheck ${project}\n`);
  execFileSync('tsc', ['-p', project], { stdio: 'inherit' });
}
