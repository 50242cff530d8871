// Builds the desktop app into apps/desktop/dist: Electron main and the sandboxed preload (esbuild, one
// CommonJS file each), the renderer (vite), the helper bundled into one file that the packaged app
// runs as a systemd service, the command line (`sluice`, `sluice-exclude`) the packages install, and the
// icons main loads. Usage: node build.mjs
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';

const appDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(appDir, '..', '..');
const dist = join(appDir, 'dist');

function say(message) {
  process.stdout.write(`build: ${message}\n`);
}

function fail(message) {
  process.stderr.write(`build: ${message}\n`);
  process.exit(1);
}

/** esbuild options shared by every Node-side bundle. */
const nodeBundle = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  // Electron 39 ships Node 22 and the build machines run Node 20: code for 20 runs on both.
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  legalComments: 'none',
  // Whitespace (and comments) only: V8 keeps a running script's source (the helper's is 1.8 MB, not
  // 2.6), and names stay as written, so logged stack traces still read.
  minifyWhitespace: true,
};

/**
 * V8 keeps a running script's source one byte a character only if every one is Latin-1; a single other
 * character (esbuild escapes those in strings, not in regular expressions) doubles it in memory.
 */
function assertLatin1(outfile) {
  const wide = /[\u0100-\uffff]/.exec(readFileSync(outfile, 'utf8'));
  if (wide)
    fail(`${relative(repoRoot, outfile)} has the character ${JSON.stringify(wide[0])}: write it escaped`);
}

async function buildMain() {
  rmSync(join(dist, 'main'), { recursive: true, force: true });
  await esbuild({
    ...nodeBundle,
    entryPoints: [join(appDir, 'src/main/main.ts')],
    outfile: join(dist, 'main/main.cjs'),
    external: ['electron'],
  });
  assertLatin1(join(dist, 'main/main.cjs'));
  say('main -> dist/main/main.cjs');
}

async function buildPreload() {
  rmSync(join(dist, 'preload'), { recursive: true, force: true });
  const outfile = join(dist, 'preload/preload.cjs');
  await esbuild({
    ...nodeBundle,
    entryPoints: [join(appDir, 'src/preload/preload.ts')],
    outfile,
    external: ['electron'],
  });
  // A sandboxed preload can require 'electron' and nothing else from disk: catch a stray import here,
  // not as a blank window at run time.
  const required = [...readFileSync(outfile, 'utf8').matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map(
    (m) => m[1],
  );
  const foreign = required.filter((name) => name !== 'electron');
  if (foreign.length > 0)
    fail(`the preload requires ${foreign.join(', ')}; a sandboxed preload may only require electron`);
  say('preload -> dist/preload/preload.cjs');
}

async function buildRenderer() {
  const configFile = join(appDir, 'src/renderer/vite.config.ts');
  if (!existsSync(configFile)) {
    say(`renderer skipped: ${relative(repoRoot, configFile)} does not exist yet`);
    return;
  }
  const { build: viteBuild } = await import('vite');
  const outDir = join(dist, 'renderer');
  await viteBuild({
    configFile,
    logLevel: 'warn',
    // Main loads dist/renderer/index.html over file://, so asset URLs must be relative.
    base: './',
    build: { outDir, emptyOutDir: true },
  });
  const index = join(outDir, 'index.html');
  if (!existsSync(index)) fail(`vite finished but ${relative(repoRoot, index)} is missing`);
  const html = readFileSync(index, 'utf8');
  if (/(?:src|href)="\/(?!\/)/.test(html))
    fail('dist/renderer/index.html has root-relative URLs, which file:// cannot load');
  say('renderer -> dist/renderer');
}

async function buildHelper() {
  const entry = join(repoRoot, 'apps/daemon/dist/main.js');
  if (!existsSync(entry)) fail(`${relative(repoRoot, entry)} is missing: build the workspace first (tsc -b)`);
  rmSync(join(dist, 'helper'), { recursive: true, force: true });
  const outfile = join(dist, 'helper/sluiced.cjs');
  // The native addons (packages/peercred, packages/memtrim) cannot be bundled: each is copied beside the
  // bundle as <name>.node and required from there.
  await esbuild({
    ...nodeBundle,
    entryPoints: [entry],
    outfile,
    loader: { '.node': 'copy' },
    assetNames: '[name]',
  });
  for (const addon of ['peercred.node', 'memtrim.node'])
    if (!existsSync(join(dist, 'helper', addon))) fail(`dist/helper/${addon} was not copied`);
  assertLatin1(outfile);
  // The bundle must start on its own: it is all the packaged app ships of the helper.
  const run = spawnSync(process.execPath, [outfile, '--help'], { encoding: 'utf8', timeout: 30_000 });
  if (run.status !== 0 || !run.stdout.includes('sluiced')) {
    fail(`the bundled helper does not start: exit ${run.status}\n${run.stdout}${run.stderr}`);
  }
  say('helper -> dist/helper/sluiced.cjs + peercred.node, memtrim.node (runs: --help ok)');
}

/**
 * The CLI as the packages ship it: apps/cli's bundles copied (they need no node_modules), except
 * sluice-exclude, bundled again so its one native addon (execve.node) sits beside it as the helper's
 * does. /usr/bin/sluice and /usr/bin/sluice-exclude run these on the app's Electron runtime.
 */
async function buildCli() {
  const cliDist = join(repoRoot, 'apps/cli/dist');
  const target = join(dist, 'cli');
  for (const name of ['main.js', 'cli.js', 'helper.js', 'exclude.js'])
    if (!existsSync(join(cliDist, name))) fail(`apps/cli/dist/${name} is missing: build the CLI first`);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  // The bundles are CommonJS; their folder says so, as apps/cli/dist does.
  copyFileSync(join(cliDist, 'package.json'), join(target, 'package.json'));
  for (const name of ['main.js', 'cli.js', 'helper.js'])
    copyFileSync(join(cliDist, name), join(target, name));
  await esbuild({
    ...nodeBundle,
    sourcemap: false,
    entryPoints: [join(cliDist, 'exclude.js')],
    outfile: join(target, 'exclude.js'),
    // Its gRPC half is helper.js beside it, loaded at run time.
    external: ['./helper.js'],
    loader: { '.node': 'copy' },
    assetNames: '[name]',
  });
  if (!existsSync(join(target, 'execve.node'))) fail('dist/cli/execve.node was not copied');
  for (const [name, expect] of [
    ['main.js', 'sluice'],
    ['exclude.js', 'sluice-exclude'],
  ]) {
    const run = spawnSync(process.execPath, [join(target, name), '--help'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    if (run.status !== 0 || !`${run.stdout}${run.stderr}`.includes(expect)) {
      fail(`the packaged ${name} does not start: exit ${run.status}\n${run.stdout}${run.stderr}`);
    }
  }
  say('cli -> dist/cli (sluice, sluice-exclude + execve.node; both run --help)');
}

function copyIcons() {
  const source = join(repoRoot, 'assets/icons');
  const target = join(dist, 'icons');
  rmSync(target, { recursive: true, force: true });
  mkdirSync(join(target, 'tray'), { recursive: true });
  for (const name of readdirSync(join(source, 'tray')).filter((n) => n.endsWith('.png'))) {
    copyFileSync(join(source, 'tray', name), join(target, 'tray', name));
  }
  copyFileSync(join(source, 'app/512x512.png'), join(target, 'app.png'));
  say('icons -> dist/icons');
}

await buildMain();
await buildPreload();
copyIcons();
await buildRenderer();
await buildHelper();
await buildCli();
say('done');
