// @ts-check
// Bundles the CLI into apps/cli/dist after `tsc -b` has type-checked it (tsc emits only declarations
// there). CommonJS bundles, because Node 20's ES module loader costs a start-up of its own:
//   dist/main.js     bin `sluice`: loads dist/cli.js with its code cache (src/code-cache.ts)
//   dist/cli.js      src/main.ts: the command tree, formatting, the domain conversions
//   dist/helper.js   src/helper.ts: the gRPC client (@grpc/grpc-js, the generated services), loaded only
//                    when a command talks to the helper
//   dist/exclude.js  bin `sluice-exclude`
// One file instead of hundreds of node_modules files to resolve and compile is most of the gain; gRPC
// kept out of cli.js spares --help, usage errors and "the helper is not running" from loading it; the
// code caches (*.cache, from training runs against a stand-in helper) spare every start compiling.
// Usage: node build.mjs
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';

const cliDir = dirname(fileURLToPath(import.meta.url));
const dist = join(cliDir, 'dist');
const apiDist = join(cliDir, '..', '..', 'packages', 'api', 'dist') + '/';

/** What must never be evaluated before `sluice` knows it needs the helper. */
const NOT_IN_CLI = [/node_modules\/@grpc\//, /node_modules\/zod\//];

function fail(message) {
  process.stderr.write(`cli build: ${message}\n`);
  process.exit(1);
}

/**
 * @sluice/api's modules only define things (messages, schemas, classes); telling esbuild so lets it drop
 * the ones a bundle does not use. Without it, one converter from `@sluice/api/domain` would bring every
 * zod schema along, evaluated at start.
 * @type {import('esbuild').Plugin}
 */
const apiHasNoSideEffects = {
  name: 'api-has-no-side-effects',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /.*/ }, async (args) => {
      const fromApi = args.path.startsWith('@sluice/api') || args.importer.startsWith(apiDist);
      if (!fromApi || args.pluginData === apiHasNoSideEffects.name) return undefined;
      const resolved = await pluginBuild.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: apiHasNoSideEffects.name,
      });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      return { ...resolved, sideEffects: !resolved.path.startsWith(apiDist) };
    });
  },
};

/** A module that loads the bundle dist/<name> (beside the requiring bundle) with its code cache. */
function loadWithCodeCache(name) {
  return {
    resolveDir: join(cliDir, 'src'),
    loader: /** @type {const} */ ('js'),
    contents: [
      "const { join } = require('node:path');",
      "const { requireWithCodeCache } = require('./code-cache.ts');",
      `module.exports = requireWithCodeCache(join(__dirname, ${JSON.stringify(name)}));`,
    ].join('\n'),
  };
}

/**
 * `./helper.js` is its own bundle (dist/helper.js), loaded with its code cache when cli.js or exclude.js
 * first needs it; main.js's `./cli.js` likewise.
 * @type {import('esbuild').Plugin}
 */
const helperIsSeparate = {
  name: 'helper-is-separate',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\.\/(cli|helper)\.js$/ }, (args) => ({
      path: args.path.slice(2),
      namespace: 'bundle',
    }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'bundle' }, (args) => loadWithCodeCache(args.path));
  },
};

/**
 * commander requires child_process as it loads, for stand-alone executable subcommands (sluice has none):
 * it gets the module on first use instead, which spares every start loading it and what it needs.
 * @type {import('esbuild').Plugin}
 */
const childProcessOnFirstUse = {
  name: 'child-process-on-first-use',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes('/node_modules/commander/')
        ? { path: 'child_process', namespace: 'on-first-use' }
        : undefined,
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: 'on-first-use' }, () => ({
      loader: 'js',
      contents: [
        'let loaded;',
        "const load = () => (loaded ??= require('node:child_process'));",
        'module.exports = new Proxy({}, { get: (_, name) => load()[name], has: (_, name) => name in load() });',
      ].join('\n'),
    }));
  },
};

/** @type {import('esbuild').BuildOptions} */
const shared = {
  absWorkingDir: cliDir,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // `import('./helper.js')` as require(): Node's import() of a CommonJS file first scans all of it for
  // export names (cjs-module-lexer), which for the gRPC bundle costs more than loading it.
  supported: { 'dynamic-import': false },
  // The native addon is loaded from its package (a .node file cannot be bundled); proto-loader is only
  // for grpc-js's server-side channelz and ORCA, which a client never starts.
  external: ['@sluice/execve', '@grpc/proto-loader'],
  plugins: [apiHasNoSideEffects, helperIsSeparate, childProcessOnFirstUse],
  // Less to read and compile; the source maps say where things came from.
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
};

/**
 * A helper that answers what the training runs ask (the tunnel and split-tunnel state, empty), on a
 * socket in `dir`: grpc-js and the service definitions as @sluice/api has them.
 */
async function startStandInHelper(socketPath) {
  const api = await import('@sluice/api');
  /** @type {typeof import('@grpc/grpc-js')} */
  const grpc = createRequire(fileURLToPath(import.meta.resolve('@sluice/api')))('@grpc/grpc-js');
  const server = new grpc.Server();
  server.addService(api.pb.TunnelServiceService, {
    getTunnelState: (_call, reply) => reply(null, {}),
  });
  server.addService(api.pb.SplitTunnelServiceService, {
    getSplitTunnelState: (_call, reply) => reply(null, {}),
  });
  await new Promise((resolve, reject) =>
    server.bindAsync(`unix://${socketPath}`, grpc.ServerCredentials.createInsecure(), (error) =>
      error ? reject(error) : resolve(undefined),
    ),
  );
  return server;
}

/**
 * Runs `sluice` the ways that must start fast, each run adding what it compiled to the code caches of
 * cli.js and helper.js (a run loads the cache the one before wrote).
 */
async function trainCodeCaches() {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-cli-build-'));
  const socketPath = join(dir, 'helper.sock');
  const server = await startStandInHelper(socketPath);
  const runs = [
    ['--socket', socketPath, 'status'],
    ['--socket', socketPath, 'status', '--json'],
    ['--socket', join(dir, 'no-helper.sock'), 'status', '--json'],
    ['--help'],
  ];
  const env = { ...process.env, SLUICE_CLI_RECORD_CODE_CACHE: '1' };
  try {
    for (const args of runs) {
      await promisify(execFile)(process.execPath, [join(dist, 'main.js'), ...args], { env }).catch(
        (/** @type {{ code?: number }} */ error) => {
          // "No helper" is exit code 3 by design; anything else means the bundle is broken.
          if (error.code !== 3) fail(`sluice ${args.join(' ')} failed in training: ${String(error)}`);
        },
      );
    }
  } finally {
    server.forceShutdown();
    rmSync(dir, { recursive: true, force: true });
  }
  for (const bundle of ['cli.js', 'helper.js'])
    if (!existsSync(join(dist, `${bundle}.cache`))) fail(`training wrote no dist/${bundle}.cache`);
}

// JavaScript that tsc emitted here before, or an older bundle and its cache, would only confuse.
for (const entry of existsSync(dist) ? readdirSync(dist, { withFileTypes: true, recursive: true }) : []) {
  if (entry.isFile() && /\.js(\.map|\.cache)?$/.test(entry.name)) rmSync(join(entry.parentPath, entry.name));
}

const [cli] = await Promise.all([
  build({ ...shared, entryPoints: ['src/main.ts'], outfile: 'dist/cli.js' }),
  build({
    ...shared,
    stdin: { contents: "require('./cli.js');", resolveDir: cliDir, sourcefile: 'main.js' },
    banner: { js: '#!/usr/bin/env node' },
    outfile: 'dist/main.js',
  }),
  build({ ...shared, entryPoints: ['src/helper.ts'], outfile: 'dist/helper.js' }),
  build({ ...shared, entryPoints: ['src/exclude.ts'], outfile: 'dist/exclude.js' }),
]);
// The package is "type": "module"; these bundles are CommonJS.
writeFileSync(join(dist, 'package.json'), '{ "type": "commonjs" }\n');
chmodSync(join(dist, 'main.js'), 0o755);

// The metafile's top-level inputs include what tree shaking dropped; the output's say what stayed.
const bundled = Object.entries(cli.metafile?.outputs['dist/cli.js']?.inputs ?? {});
const heavy = bundled
  .filter(
    ([input, { bytesInOutput }]) => bytesInOutput > 0 && NOT_IN_CLI.some((pattern) => pattern.test(input)),
  )
  .map(([input]) => input);
if (heavy.length > 0)
  fail(`dist/cli.js bundles ${heavy[0]}: it belongs behind the lazy import of ./helper.js`);

await trainCodeCaches();
process.stdout.write('cli build: dist/main.js, cli.js, helper.js (+ code caches), exclude.js\n');
