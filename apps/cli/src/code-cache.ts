// Loading the CLI's CommonJS bundles with V8's code cache: the compiled code of a bundle, saved beside it
// as <bundle>.cache by the build after training runs of `sluice` (build.mjs). Without it every start
// compiled the command tree and then the gRPC client anew: a third of `sluice status`.
// A cache is used only for the very file it was made from (its size and modification time are stored
// with it: V8 itself checks little more than the length; a digest would cost more than it saves, as
// node:crypto alone is several milliseconds) and only by the V8 that made it; anything else is compiled
// as require() would. Caches are written only when SLUICE_CLI_RECORD_CODE_CACHE=1 (the build's training).
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

const STAMP_BYTES = 16;

/** Which version of the file a cache belongs to: its size and modification time. */
function stampOf(path: string): Buffer {
  const { size, mtimeMs } = statSync(path);
  const stamp = Buffer.alloc(STAMP_BYTES);
  stamp.writeDoubleLE(size, 0);
  stamp.writeDoubleLE(mtimeMs, 8);
  return stamp;
}

function readCache(cachePath: string): Buffer | undefined {
  try {
    return readFileSync(cachePath);
  } catch {
    return undefined;
  }
}

/** What require(bundlePath) returns, compiled with the code in <bundlePath>.cache when it fits. */
export function requireWithCodeCache(bundlePath: string): unknown {
  const cachePath = `${bundlePath}.cache`;
  const stamp = stampOf(bundlePath);
  const source = readFileSync(bundlePath, 'utf8');
  const cache = readCache(cachePath);
  const fits = cache !== undefined && stamp.equals(cache.subarray(0, STAMP_BYTES));
  // The CommonJS wrapper, on the first line so that positions in the source map stay right; a `#!` line
  // is a comment to require() and must be one here too.
  const body = source.startsWith('#!') ? `//${source.slice(2)}` : source;
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${body}\n})`, {
    filename: bundlePath,
    cachedData: fits ? cache.subarray(STAMP_BYTES) : undefined,
  });
  if (process.env.SLUICE_CLI_RECORD_CODE_CACHE === '1') {
    // At exit the cache holds everything this run compiled, and what it was given.
    process.once('exit', () => writeFileSync(cachePath, Buffer.concat([stamp, script.createCachedData()])));
  }
  const module = { exports: {} };
  const wrapper: unknown = script.runInThisContext();
  if (typeof wrapper !== 'function') throw new Error(`${bundlePath} did not compile to a function`);
  const args = [module.exports, createRequire(bundlePath), module, bundlePath, dirname(bundlePath)];
  Reflect.apply(wrapper, module.exports, args);
  return module.exports;
}
