// The CLI's version constant is the package's (the bundle has no package.json to read at run time).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { CLI_VERSION } from '../src/commands/version.js';

it('CLI_VERSION is the version in package.json', () => {
  const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../package.json'), 'utf8')) as {
    version: string;
  };
  expect(CLI_VERSION).toBe(pkg.version);
});
